"""A Bot Connector double that enforces Teams' documented limits: per conversation 7 messages in
1 s, 8 in 2 s, 60 in 30 s, 1800 an hour, and 30 requests a second per app per tenant. The tenant
is read from the service URL each conversation reference carries (`<url>t/<tenant>/`). Over a
limit it answers 429 with Retry-After. Deliveries are counted per conversation and nudge (the
value a nudge card's buttons carry), so a nudge sent twice shows up as a duplicate."""
from __future__ import annotations

import itertools
import time
from typing import Any

from aiohttp import web

from benchmarks.doubles.counts import Counts, serve
from benchmarks.doubles.limits import Limits, Windows

PER_CONVERSATION = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))
PER_TENANT = ((1.0, 30),)


def card_value(body: dict[str, Any]) -> str:
    """The value a card's first button carries (a nudge's id), or '' for a card without one."""
    for attachment in body.get("attachments") or []:
        stack: list[Any] = [attachment.get("content")]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                data = node.get("data")
                if node.get("type") == "Action.Submit" and isinstance(data, dict) and data.get("gofirst_value"):
                    return str(data["gofirst_value"])
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    return ""


class TeamsLimitsDouble:
    def __init__(self, scale: float = 1.0) -> None:
        self.limits, self.counts = Limits(scale), Counts()
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._ids = itertools.count(1)

    def service_url(self, tenant: str) -> str:
        return f"{self.url}t/{tenant}/"

    def allowed_per_second(self, tenants: int, conversations_each: int) -> float:
        per_tenant = min(PER_TENANT[0][1] / PER_TENANT[0][0], conversations_each * 60 / 30)
        return per_tenant * tenants * self.limits.scale

    async def start(self) -> "TeamsLimitsDouble":
        app = web.Application()
        base = "/t/{tenant}/v3/conversations"
        app.router.add_post(base + "/{cid}/activities", self._send)
        app.router.add_post(base + "/{cid}/activities/{reply}", self._send)
        app.router.add_put(base + "/{cid}/activities/{aid}", self._update)
        app.router.add_post(base, self._create)
        self._runner, self.url = await serve(app, self.counts)
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _limited(self, tenant: str, conversation: str | None) -> web.Response | None:
        limiters: list[Windows] = [self.limits.windows("tenant", tenant, PER_TENANT)]
        if conversation:
            limiters.append(self.limits.windows("conversation", f"{tenant}/{conversation}", PER_CONVERSATION))
        wait = self.limits.check(*limiters)
        if wait is None:
            return None
        self.counts.throttled["send" if conversation else "create"] += 1
        return web.json_response({"error": {"code": "Throttled", "message": "too many requests"}}, status=429,
                                 headers={"Retry-After": f"{wait:g}"})

    async def _send(self, request: web.Request) -> web.Response:
        tenant, conversation = request.match_info["tenant"], request.match_info["cid"]
        self.counts.calls["send"] += 1
        if (refused := self._limited(tenant, conversation)) is not None:
            return refused
        body = await request.json()
        value = card_value(body) or f"plain-{next(self._ids)}"
        self.counts.delivered(f"{tenant}/{conversation}/{value}", time.monotonic())
        return web.json_response({"id": str(next(self._ids))}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        self.counts.calls["update"] += 1
        if (refused := self._limited(request.match_info["tenant"], request.match_info["cid"])) is not None:
            return refused
        return web.json_response({"id": request.match_info["aid"]})

    async def _create(self, request: web.Request) -> web.Response:
        self.counts.calls["create"] += 1
        if (refused := self._limited(request.match_info["tenant"], None)) is not None:
            return refused
        body = await request.json()
        return web.json_response({"id": f"a:1created-{body['members'][0]['id']}"}, status=201)
