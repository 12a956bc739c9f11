"""Buttons (block_actions): every click becomes an ActionClicked; the engine knows which ids exist
and answers an unknown one with a clear message."""
from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from adapters.slack.middleware import WORKSPACE
from bot.core.events import ActionClicked
from bot.core.vocabulary import ActionId

if TYPE_CHECKING:
    from adapters.slack.edge import SlackEdge

log = logging.getLogger(__name__)
ENGINE_ACTIONS = frozenset(ActionId)  # the engine's button ids, defined once
ANY_ACTION = re.compile(r".+")


def register(app: AsyncApp, edge: "SlackEdge") -> None:
    @app.action(ANY_ACTION)
    async def clicked(ack: Any, body: dict[str, Any], action: dict[str, Any], context: dict[str, Any]) -> None:
        await ack()
        action_id = str(action.get("action_id", ""))
        if action_id not in ENGINE_ACTIONS:
            log.warning("unknown Slack action %r; passed to the engine, which tells the person", action_id[:80])
        container = body.get("container") or {}
        await edge.handle(ActionClicked(
            context[WORKSPACE], str((body.get("user") or {}).get("id", "")), action_id,
            str(action.get("value") or (action.get("selected_option") or {}).get("value") or ""),
            channel_id=(body.get("channel") or {}).get("id") or container.get("channel_id"),
            message_id=(body.get("message") or {}).get("ts") or container.get("message_ts"),
            trigger=body.get("trigger_id")))
