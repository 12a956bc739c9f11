"""Reading playground requests strictly: anything malformed is a 400 with a JSON error, never a 500."""
from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadRequest(Exception):
    """A request the playground refuses; `message` is shown to the person, `status` is 4xx."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def refuses_bad_input(handler: Handler) -> Handler:
    """Turns `BadRequest` into a JSON 4xx and a log line naming the route."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except BadRequest as exc:
            log.warning("playground %s %s refused (%d): %s", request.method, request.path, exc.status, exc.message)
            return web.json_response({"error": exc.message}, status=exc.status)

    return wrapped


async def json_body(request: web.Request, not_an_object: str) -> dict[str, Any]:
    """The body as a JSON object; any other type is refused before it is read (the page sends JSON)."""
    if request.content_type != "application/json":
        raise BadRequest(not_an_object, status=415)
    try:
        data = json.loads(await request.text())
    except (ValueError, RecursionError):
        raise BadRequest(not_an_object) from None
    if not isinstance(data, dict):
        raise BadRequest(not_an_object)
    return data


def text_field(
    data: dict[str, Any], name: str, words: Callable[..., str], *, limit: int = 4000, required: bool = True
) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadRequest(words("errors.not_text", field=name))
    value = value.strip()
    if required and not value:
        raise BadRequest(words("errors.missing", field=name))
    if len(value) > limit:
        raise BadRequest(words("errors.too_long", field=name, limit=limit))
    return value


def text_values(data: dict[str, Any], name: str, words: Callable[..., str], *, limit: int = 4000) -> dict[str, str]:
    values = data.get(name)
    if not isinstance(values, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in values.items()):
        raise BadRequest(words("errors.bad_values"))
    for key, value in values.items():
        if len(value) > limit:
            raise BadRequest(words("errors.too_long", field=key, limit=limit))
    return values
