"""GoFirst's global bolt middleware, each step doing one thing, run after bolt's own signature,
url_verification and authorization steps: `workspace` names the workspace once for every listener;
`durable` stores every event before the ack (or spools it), acknowledges a retry of a stored event
unprocessed, and learns from the listener whether the event was finished (inbox.py)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from adapters.slack import inbox
from adapters.slack.inbox import REPLAY_HEADER
from bot.logs import bind_workspace
from storage.identity import workspace_id as make_workspace_id

if TYPE_CHECKING:
    from adapters.slack.edge import SlackEdge

WORKSPACE = "gofirst_workspace"
ALWAYS = ("app_uninstalled",)  # doing it twice is harmless, and it must never be skipped
Next = Callable[[], Awaitable[BoltResponse]]


def workspace_id_of(context: dict[str, Any], body: dict[str, Any]) -> str:
    team = context.get("team_id") or body.get("team_id") or (body.get("team") or {}).get("id") \
        or context.get("enterprise_id") or ""
    return make_workspace_id("slack", str(team))


def register(app: AsyncApp, edge: "SlackEdge") -> None:
    @app.middleware
    async def workspace(context: dict[str, Any], body: dict[str, Any], next: Next) -> BoltResponse:  # noqa: A002
        context[WORKSPACE] = workspace_id_of(context, body)
        bind_workspace(context[WORKSPACE])  # on every log line of this request
        return await next()

    @app.middleware
    async def durable(request: AsyncBoltRequest, body: dict[str, Any], context: dict[str, Any],
                      next: Next) -> BoltResponse:  # noqa: A002
        if body.get("type") != "event_callback" or not body.get("event_id"):
            return await next()
        kind = str((body.get("event") or {}).get("type", ""))
        replay = request.headers.get(REPLAY_HEADER)
        if not replay and kind not in ALWAYS and not await inbox.accept(edge, request.raw_body, body):
            return BoltResponse(status=200, body="")
        # bolt runs the listener after every middleware has returned: its task finds this there
        context[inbox.HANDLING] = inbox.Handling(str(body["event_id"]))
        return await next()
