"""Events API: thread replies under a share (and their edits and deletes), text commands in the DM,
the App Home, channel joins, and the end of an installation. Bolt acks each event before its
listener runs; each listener first drops a retry of an event already handled (by event_id)."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp

from adapters.slack.middleware import WORKSPACE
from bot.core import events as ev

if TYPE_CHECKING:
    from adapters.slack.edge import SlackEdge

log = logging.getLogger(__name__)
EVENTS = ("message.channels", "message.groups", "message.im", "app_home_opened", "member_joined_channel",
          "app_uninstalled", "tokens_revoked")
IGNORED_SUBTYPES = {"bot_message", "channel_join", "channel_leave", "channel_topic", "channel_purpose",
                    "channel_name", "pinned_item", "unpinned_item", "ekm_access_denied"}


def is_from_a_bot(message: dict[str, Any]) -> bool:
    return bool(message.get("bot_id") or message.get("subtype") == "bot_message" or message.get("app_id"))


def is_thread_reply(message: dict[str, Any]) -> bool:
    thread = message.get("thread_ts")
    return bool(thread) and thread != message.get("ts")


async def on_message(edge: "SlackEdge", workspace_id: str, event: dict[str, Any]) -> None:
    subtype = event.get("subtype")
    channel = str(event.get("channel", ""))
    if subtype == "message_changed":
        changed = event.get("message") or {}
        if not is_from_a_bot(changed) and is_thread_reply(changed):
            await edge.handle(ev.ReplyEdited(workspace_id, channel, str(changed.get("ts")), str(changed.get("text", ""))))
    elif subtype == "message_deleted":
        if event.get("deleted_ts"):
            await edge.handle(ev.ReplyDeleted(workspace_id, channel, str(event["deleted_ts"])))
    elif subtype in IGNORED_SUBTYPES or is_from_a_bot(event) or not event.get("user"):
        return
    elif event.get("channel_type") == "im":
        if not is_thread_reply(event):
            await edge.handle(ev.CommandReceived(workspace_id, str(event["user"]), str(event.get("text", ""))))
    elif is_thread_reply(event):  # the engine keeps it only under a share, and meets a new author first
        await edge.handle(ev.ChannelReplyPosted(workspace_id, channel, str(event["thread_ts"]), str(event["ts"]),
                                                str(event["user"]), str(event.get("text", ""))))


def register(app: AsyncApp, edge: "SlackEdge") -> None:
    @app.event("message")
    async def message(event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        workspace_id = context[WORKSPACE]
        # One channel's messages are handled in the order they arrived: an edit that follows a reply
        # closely must not overtake it (the reply's author may still be looked up in users.info).
        # The lock is taken before anything else awaits, which is what keeps the arrival order.
        async with edge.channel_lock(workspace_id, str(event.get("channel", ""))):
            await on_message(edge, workspace_id, event)

    @app.event("app_home_opened")
    async def home_opened(event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home" and event.get("user"):
            await edge.handle(ev.HomeOpened(context[WORKSPACE], str(event["user"])))

    @app.event("member_joined_channel")
    async def joined(event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        if event.get("user") == context.get("bot_user_id"):
            return  # GoFirst itself was invited: not a team member
        await edge.handle(ev.MemberJoined(context[WORKSPACE], str(event.get("channel", "")),
                                          str(event.get("user", ""))))

    @app.event("app_uninstalled")
    async def uninstalled(body: dict[str, Any], context: dict[str, Any]) -> None:
        await edge.uninstalled(context[WORKSPACE], "app_uninstalled")

    @app.event("tokens_revoked")
    async def revoked(event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]) -> None:
        tokens = event.get("tokens") or {}
        if tokens.get("bot"):
            await edge.uninstalled(context[WORKSPACE], "tokens_revoked")
        else:
            log.info("user tokens revoked in %s; GoFirst uses none", context[WORKSPACE])
