"""Server-wide checks every request passes before an edge reads it, and the headers every response
gets: a body that is too big, in an unknown charset, not UTF-8 or nested too deep is refused with a
4xx and one log line here, so no edge can be made to fail with a 500 by the shape of its input."""
from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from aiohttp import web

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024  # Slack and Teams payloads are a few kB; the biggest modal is well below this
MAX_DEPTH = 64  # real payloads nest about 10 deep; json.loads recurses once per level
TEXT_CHARSETS = {"utf-8", "utf8", "us-ascii", "ascii"}
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
BRACKET = re.compile(r"[\[\]{}]")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Every HTML page: scripts and styles only from files GoFirst serves, never framed, no sniffing.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HTML_HEADERS = {"Content-Security-Policy": CSP, "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}


class Refused(Exception):
    """A request refused before any edge saw it: `status` is 4xx, `reason` is shown to the caller."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def nesting_depth(text: str) -> int:
    """How deep `[` and `{` nest outside JSON strings: a bound on json.loads' recursion, found
    without recursing (and without looking at texts that have few brackets at all)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0
    depth = deepest = 0
    for bracket in BRACKET.findall(STRING.sub('""', text)):
        depth = depth + 1 if bracket in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def is_text(content_type: str) -> bool:
    """Bodies GoFirst reads as text (JSON, forms, plain text); uploads are left to their route."""
    return (content_type in ("application/json", "application/x-www-form-urlencoded", "application/octet-stream")
            or content_type.endswith("+json") or content_type.startswith("text/"))


async def check_body(request: web.Request) -> None:
    """Reads the body (the handler finds it read) and raises `Refused` saying why it can't be used."""
    if (request.content_length or 0) > MAX_BODY:
        raise Refused(413, f"body larger than {MAX_BODY} bytes")
    charset = (request.charset or "utf-8").lower()
    if charset not in TEXT_CHARSETS:
        raise Refused(415, f"unsupported charset {charset[:40]!r}; send UTF-8")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise Refused(413, f"body larger than {MAX_BODY} bytes") from None
    try:
        text = raw.decode(charset)  # as the edges will decode it
    except UnicodeDecodeError:
        named = "valid UTF-8" if charset.startswith("utf") else charset
        raise Refused(400, f"body is not {named}") from None
    values = [text]  # bolt reads even a form body as JSON when it starts with "{"
    if request.content_type == "application/x-www-form-urlencoded":
        values += [v for _, v in parse_qsl(text, keep_blank_values=True)]  # Slack's `payload=` is JSON
    if any(nesting_depth(value) > MAX_DEPTH for value in values):
        raise Refused(400, f"JSON nested deeper than {MAX_DEPTH} levels")


@web.middleware
async def guard_input(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuses unreadable bodies with a 4xx and one warning; the handler finds the body already read."""
    if request.method in BODY_METHODS and request.can_read_body and is_text(request.content_type):
        try:
            await check_body(request)
        except Refused as refused:
            log.warning("refused %s %s from %s (%d): %s", request.method, request.path, request.remote,
                        refused.status, refused.reason)
            return web.json_response({"error": refused.reason}, status=refused.status)
    return await handler(request)


async def security_headers(_request: web.Request, response: web.StreamResponse) -> None:
    """nosniff on everything; on HTML, CSP without inline script, no framing, a same-origin referrer.
    A route that needs other values sets its own first (they are kept)."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.content_type == "text/html":
        for name, value in HTML_HEADERS.items():
            response.headers.setdefault(name, value)
