"""A local double of the Slack Web API on 127.0.0.1: it records every call and answers as Slack does
(HTTP 200 with `ok: false` and an error code, 429 with Retry-After, 5xx), so the adapter's real
client, retry handlers and error mapping are exercised over real HTTP."""
from __future__ import annotations

import asyncio
import base64
import itertools
import json
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

TEAM_ID = "T0GOFIRST"
BOT_USER = "U0BOT"
BOT_ID = "B0BOT"
BOT_TOKEN = "xoxb-test-token"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None


@dataclass(frozen=True)
class Failure:
    """A scripted answer: an error code (HTTP 200, ok false), or an HTTP status (429, 500...)."""

    error: str = ""
    status: int = 200
    retry_after: int | None = None


@dataclass
class SlackDouble:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    valid_tokens: set[str] = field(default_factory=lambda: {BOT_TOKEN})
    members_of: dict[str, set[str]] = field(default_factory=dict)   # channel → has the bot joined
    usergroups: dict[str, dict[str, Any]] = field(default_factory=dict)   # id → handle, name, users
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)   # id → name, members
    page_size: int = 0   # >0: list methods answer at most this many per page, with a cursor
    calls: list[Call] = field(default_factory=list)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))  # channel → oldest first
    scopes: set[str] | None = None   # the token's scopes; None: every method is allowed
    url: str = ""
    _script: dict[str, deque[Failure]] = field(default_factory=lambda: defaultdict(deque))
    _gates: dict[str, asyncio.Event] = field(default_factory=dict)
    delay: float = 0.0   # every answer takes this long: "Slack is slow today"
    after_store: dict[str, deque[str]] = field(default_factory=lambda: defaultdict(deque))  # "reset" | "slow"
    slow_seconds: float = 2.0
    answer_delay: float = 0.0   # Slack has stored the message, and its answer takes this long
    during: Callable[[str], Awaitable[None]] | None = None   # run while a delayed call waits
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)

    # --- test controls ------------------------------------------------------------------------
    def fail(self, method: str, *failures: Failure) -> None:
        self._script[method].extend(failures)

    def hold(self, method: str) -> asyncio.Event:
        """Calls to `method` wait until the returned event is set: 'Slack is slow right now'."""
        gate = self._gates[method] = asyncio.Event()
        return gate

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posts_to(self, channel: str) -> list[Call]:
        return [c for c in self.of("chat.postMessage") if c.args.get("channel") == channel]

    def say(self, user: str, text: str) -> None:
        """The person writes in their DM with the app (what Slack would store, without the event)."""
        self.history[dm_of(user)].append({"type": "message", "user": user, "ts": self.next_ts(), "text": text})

    # --- the server ---------------------------------------------------------------------------
    async def start(self) -> "SlackDouble":
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/api/"
        return self

    async def push(self, envelope: dict[str, Any]) -> None:
        """Sends a Socket Mode envelope to the connected app, as Slack does."""
        await self.sockets[-1].send_json(envelope)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        await socket.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0GOFIRST"}})
        async for message in socket:
            if message.type == web.WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
        return socket

    async def stop(self) -> None:
        for socket in self.sockets:
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        body = await request.text()
        if body:
            if request.content_type == "application/json":
                args.update(json.loads(body))
            else:
                args.update(dict(parse_qsl(body)))
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or args.get("token")
        self.calls.append(Call(method, args, token))
        gate = self._gates.get(method)
        if gate is not None:
            await gate.wait()
        if self.delay:
            probe = asyncio.ensure_future(self.during(method)) if self.during else None
            await asyncio.sleep(self.delay)
            if probe is not None:
                await probe
        if self._script[method]:
            failure = self._script[method].popleft()
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            error = failure.error or ("ratelimited" if failure.status == 429 else "internal_error")
            return web.json_response({"ok": False, "error": error}, status=failure.status, headers=headers)
        if method == "apps.connections.open":
            if not (token or "").startswith("xapp-"):
                return web.json_response({"ok": False, "error": "not_allowed_token_type"})
            return web.json_response({"ok": True, "url": self.url.replace("http", "ws", 1).replace("/api/", "/link")})
        if method != "oauth.v2.access" and token not in self.valid_tokens:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        answer = getattr(self, "_" + method.replace(".", "_"), None)
        if answer is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        result = answer(args)
        fault = self.after_store[method].popleft() if self.after_store[method] else None
        if fault == "reset":  # Slack stored it, then the connection broke before the answer
            assert request.transport is not None
            request.transport.abort()
            raise ConnectionResetError("reset by the double after storing")
        if fault == "slow":  # Slack stored it, and answers after the client gave up
            await asyncio.sleep(self.slow_seconds)
        if self.answer_delay:
            await asyncio.sleep(self.answer_delay)
        return web.json_response(result)

    # --- methods, answered as Slack does -------------------------------------------------------
    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://gofirst-test.slack.com/", "team": "GoFirst test", "user": "gofirst",
                "team_id": TEAM_ID, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}

    def next_ts(self) -> str:
        return f"1764000000.{next(self._ts):06d}"

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        if channel.startswith("U"):
            if channel not in self.users:
                return {"ok": False, "error": "channel_not_found"}
            if self.users[channel].get("deleted"):
                return {"ok": False, "error": "account_inactive"}
            channel = "D" + channel[1:]
        elif channel in self.members_of and BOT_USER not in self.members_of[channel]:
            return {"ok": False, "error": "not_in_channel"}
        elif not channel.startswith(("C", "G", "D")):
            return {"ok": False, "error": "channel_not_found"}
        ts = self.next_ts()
        stored: dict[str, Any] = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "ts": ts,
                                  "text": args.get("text", ""), "blocks": args.get("blocks", [])}
        if args.get("thread_ts"):
            stored["thread_ts"] = args["thread_ts"]
        metadata = args.get("metadata")
        if isinstance(metadata, str):  # form-encoded callers send it as a JSON string
            metadata = json.loads(metadata)
        if metadata:
            if not isinstance(metadata, dict) or not metadata.get("event_type"):
                return {"ok": False, "error": "invalid_metadata_format"}
            stored["metadata"] = metadata
        self.history[channel].append(stored)
        return {"ok": True, "channel": channel, "ts": ts, "message": stored}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("ts") or not args.get("channel"):
            return {"ok": False, "error": "message_not_found"}
        for stored in self.history.get(args["channel"], []):
            if stored["ts"] == args["ts"]:  # metadata is kept unless the update sends new metadata
                stored.update({k: args[k] for k in ("text", "blocks", "metadata") if k in args})
        return {"ok": True, "channel": args["channel"], "ts": args["ts"], "text": args.get("text", "")}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        view = args.get("view") or {}
        if len((view.get("title") or {}).get("text", "")) > 24:
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": {"id": f"V{len(self.of('views.open'))}", **view}}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("user_id") not in self.users:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "view": {"id": "VHOME", **(args.get("view") or {})}}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": {"id": args["user"], "team_id": TEAM_ID, "name": user["name"].lower(),
                                     "real_name": user["name"], "tz": user.get("tz"), "deleted": False,
                                     "profile": {"display_name": user["name"], "real_name": user["name"]},
                                     **({"locale": user.get("locale", "en-US")}  # only when asked, as Slack does
                                        if args.get("include_locale") in ("true", True) else {})}}

    def _oauth_v2_access(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("code") != "good-code":
            return {"ok": False, "error": "invalid_code"}
        self.valid_tokens.add("xoxb-installed-token")
        return {"ok": True, "access_token": "xoxb-installed-token", "token_type": "bot",
                "scope": "chat:write,commands", "bot_user_id": BOT_USER, "app_id": "A0GOFIRST",
                "team": {"id": TEAM_ID, "name": "GoFirst test"}, "enterprise": None,
                "authed_user": {"id": "U0ADMIN"}, "is_enterprise_install": False}

    def _missing(self, scope: str) -> dict[str, Any] | None:
        if self.scopes is None or scope in self.scopes:
            return None
        return {"ok": False, "error": "missing_scope", "needed": scope, "provided": ",".join(sorted(self.scopes))}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """Opens (or finds) the app's DM with one person; needs `im:write`."""
        missing = self._missing("im:write")
        if missing:
            return missing
        users = str(args.get("users", "")).split(",")
        if users == [""]:
            return {"ok": False, "error": "users_list_not_supplied"}
        if len(users) > 1:
            return {"ok": False, "error": "not_implemented"}  # group DMs: not used by the app
        user = self.users.get(users[0])
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        if user.get("deleted"):
            return {"ok": False, "error": "user_disabled"}
        return {"ok": True, "channel": {"id": dm_of(users[0])}}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """A thread, parent first, oldest first (one page is enough for the tests)."""
        channel, parent = str(args.get("channel", "")), str(args.get("ts", ""))
        thread = [m for m in self.history.get(channel, []) if parent in (m["ts"], m.get("thread_ts"))]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = [m if with_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in thread]
        return {"ok": True, "messages": messages, "has_more": False, "response_metadata": {"next_cursor": ""}}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Newest first, `limit` per page with an opaque cursor; metadata only with
        `include_all_metadata`. A DM needs `im:history`."""
        channel = str(args.get("channel", ""))
        known = channel in self.history or channel.startswith(("C", "G")) or \
            (channel.startswith("D") and "U" + channel[1:] in self.users)
        if not known:
            return {"ok": False, "error": "channel_not_found"}
        if channel.startswith("D") and (missing := self._missing("im:history")):
            return missing
        try:
            limit = min(max(int(args.get("limit", 100)), 1), 999)
        except (TypeError, ValueError):
            return {"ok": False, "error": "invalid_limit"}
        newest_first = list(reversed(self.history.get(channel, [])))
        cursor = str(args.get("cursor") or "")
        if cursor:
            try:
                before = base64.b64decode(cursor).decode().removeprefix("next_ts:")
            except ValueError:
                return {"ok": False, "error": "invalid_cursor"}
            newest_first = [m for m in newest_first if m["ts"] < before]
        page, more = newest_first[:limit], len(newest_first) > limit
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = [m if with_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in page]
        next_cursor = base64.b64encode(f"next_ts:{page[-1]['ts']}".encode()).decode() if more else ""
        return {"ok": True, "messages": messages, "has_more": more,
                "response_metadata": {"next_cursor": next_cursor}}

    # --- the directory: users.list, user groups, channel members (paged like Slack) ------------
    def _page(self, items: list[Any], args: dict[str, Any], key: str) -> dict[str, Any]:
        start = int(str(args.get("cursor") or "0").removeprefix("next:") or 0)
        size = self.page_size or min(int(args.get("limit") or 1000), 1000)
        rest = items[start:start + size]
        cursor = f"next:{start + size}" if start + size < len(items) else ""
        return {"ok": True, key: rest, "response_metadata": {"next_cursor": cursor}}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        if missing := self._missing("users:read"):
            return missing
        members = [{"id": uid, "team_id": TEAM_ID, "name": u["name"].lower(), "real_name": u["name"],
                    "tz": u.get("tz"), "deleted": bool(u.get("deleted")), "is_bot": bool(u.get("is_bot")),
                    "profile": {"display_name": u["name"], "real_name": u["name"],
                                **({"email": u["email"]} if u.get("email") and self._missing("users:read.email") is None
                                   else {})}} for uid, u in self.users.items()]
        return self._page(members, args, "members")

    def _usergroups_list(self, args: dict[str, Any]) -> dict[str, Any]:
        if missing := self._missing("usergroups:read"):
            return missing
        return {"ok": True, "usergroups": [{"id": gid, "handle": g["handle"], "name": g.get("name", g["handle"])}
                                           for gid, g in self.usergroups.items()]}

    def _usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        group = self.usergroups.get(str(args.get("usergroup", "")))
        if group is None:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(group.get("users", []))}

    def _conversations_list(self, args: dict[str, Any]) -> dict[str, Any]:
        channels = [{"id": cid, "name": c["name"], "is_archived": False} for cid, c in self.channels.items()]
        return self._page(channels, args, "channels")

    def _conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(str(args.get("channel", "")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        return self._page(list(channel.get("members", [])), args, "members")


def dm_of(user: str) -> str:
    """The app's DM channel with a person, as the double names it (U0LEAD → D0LEAD)."""
    return "D" + user[1:]
