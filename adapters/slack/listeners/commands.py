"""The slash command `/gofirst <command>`: acked at once, answered by DM (or a modal for `share`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from adapters.slack.middleware import WORKSPACE
from bot.engine.commands import parse_command
from bot.core.events import CommandReceived

if TYPE_CHECKING:
    from adapters.slack.edge import SlackEdge

COMMAND = "/gofirst"
COMMANDS = (COMMAND,)


def register(app: AsyncApp, edge: "SlackEdge") -> None:
    @app.command(COMMAND)
    async def gofirst(ack: Any, command: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        name, _ = parse_command(command.get("text") or "")
        # `share` opens a modal; anything else is answered in the DM, which the person is told.
        await (ack() if name == "share" else ack(text=edge.wording("command.see_dm")))
        await edge.handle(CommandReceived(context[WORKSPACE], str(command.get("user_id", "")),
                                          command.get("text") or "help", trigger=command.get("trigger_id")))
