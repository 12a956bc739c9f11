"""GoFirst's global bolt middleware, each step doing one thing, run after bolt's own signature,
url_verification and authorization steps: `workspace` names the workspace once for every listener;
`first_delivery` acknowledges a retried event that was already handled, so no listener sees it."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

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
        return await next()

    @app.middleware
    async def first_delivery(body: dict[str, Any], next: Next) -> BoltResponse:  # noqa: A002
        kind = str((body.get("event") or {}).get("type", ""))
        if body.get("type") == "event_callback" and kind not in ALWAYS and not await edge.first_time(body):
            return BoltResponse(status=200, body="")
        return await next()
