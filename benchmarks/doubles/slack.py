"""A Slack Web API double that enforces Slack's published limits per workspace (the token names
it): chat.postMessage about 1 a second per channel with short bursts, plus a workspace-wide cap;
users.info Tier 4, conversations.* Tier 3. Over a limit it answers 429 with Retry-After, as Slack
does, and counts it. Only what a nudge fan-out and its crash recovery call is answered: a DM's
history holds what was posted to it, metadata included, so a marker is found after a crash."""
from __future__ import annotations

import itertools
import json
import time
from typing import Any

from aiohttp import web

from benchmarks.doubles.counts import Counts, serve
from benchmarks.doubles.limits import Bucket, Limits

PER_CHANNEL = (1.0, 3.0)       # rate a second, burst: "1 per second per channel, short bursts"
PER_WORKSPACE = (6.0, 30.0)    # "several hundred a minute" per workspace: 360/min assumed
TIERS = {"users.info": (100 / 60, 20.0), "conversations.open": (50 / 60, 10.0),
         "conversations.history": (50 / 60, 10.0), "auth.test": (100 / 60, 20.0)}
BOT_ID = "B0BENCH"


def token_for(team: str) -> str:
    return f"xoxb-bench-{team}"


class SlackLimitsDouble:
    def __init__(self, scale: float = 1.0, tz: str = "UTC") -> None:
        self.limits, self.counts, self.tz = Limits(scale), Counts(), tz
        self.history: dict[tuple[str, str], list[dict[str, Any]]] = {}   # (team, channel) → oldest first
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._ts = itertools.count(1)

    def allowed_per_second(self, workspaces: int, channels_each: int) -> float:
        """Messages a real second the limits allow across all workspaces (scaled clock)."""
        per_ws = min(PER_WORKSPACE[0], PER_CHANNEL[0] * channels_each)
        return per_ws * workspaces * self.limits.scale

    async def start(self) -> "SlackLimitsDouble":
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle)
        self._runner, base = await serve(app, self.counts)
        self.url = base + "api/"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _limiters(self, team: str, method: str, args: dict[str, Any]) -> list[Bucket]:
        if method == "chat.postMessage":
            channel = str(args.get("channel", ""))
            return [self.limits.bucket("channel", f"{team}/{channel}", *PER_CHANNEL),
                    self.limits.bucket("workspace", team, *PER_WORKSPACE)]
        rate, burst = TIERS.get(method, (50 / 60, 10.0))
        return [self.limits.bucket(method, team, rate, burst)]

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json" and request.can_read_body:
            args.update(json.loads(await request.text()))
        elif request.can_read_body:
            args.update(await request.post())
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        team = token.removeprefix("xoxb-bench-") if token.startswith("xoxb-bench-") else ""
        self.counts.calls[method] += 1
        if not team:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        wait = self.limits.check(*self._limiters(team, method, args))
        if wait is not None:
            self.counts.throttled[method] += 1
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": f"{wait:g}"})
        answer = getattr(self, "_" + method.replace(".", "_"), None)
        if answer is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return web.json_response(answer(team, args))

    def _auth_test(self, team: str, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "team_id": team, "user_id": "U0BOT", "bot_id": BOT_ID}

    def _chat_postMessage(self, team: str, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        if not channel.startswith(("U", "C", "D")):
            return {"ok": False, "error": "channel_not_found"}
        landed = "D" + channel[1:] if channel.startswith("U") else channel
        metadata = args.get("metadata") or {}
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        marker = str((metadata.get("event_payload") or {}).get("marker") or f"unmarked-{next(self._ts)}")
        self.counts.delivered(f"{team}/{marker}", time.monotonic())
        ts = f"1764000000.{next(self._ts):06d}"
        self.history.setdefault((team, landed), []).append(
            {"type": "message", "ts": ts, "bot_id": BOT_ID, **({"metadata": metadata} if metadata else {})})
        return {"ok": True, "channel": landed, "ts": ts}

    def _users_info(self, team: str, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("user", ""))
        return {"ok": True, "user": {"id": user, "team_id": team, "name": user.lower(), "real_name": user,
                                     "tz": self.tz, "profile": {"display_name": user, "real_name": user}}}

    def _conversations_open(self, team: str, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": "D" + str(args.get("users", "X"))[1:]}}

    def _conversations_history(self, team: str, args: dict[str, Any]) -> dict[str, Any]:
        """The newest `limit` messages of a channel (what recovery reads to find a marker); metadata
        only with `include_all_metadata`, as Slack does."""
        limit = min(max(int(args.get("limit") or 100), 1), 999)
        newest = list(reversed(self.history.get((team, str(args.get("channel", ""))), [])))[:limit]
        if str(args.get("include_all_metadata", "")).lower() not in ("1", "true"):
            newest = [{k: v for k, v in m.items() if k != "metadata"} for m in newest]
        return {"ok": True, "messages": newest, "has_more": False, "response_metadata": {"next_cursor": ""}}
