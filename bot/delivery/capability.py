"""Optional platform capabilities for exactly-once delivery, kept apart from `port.Platform` so
adapters that can't offer them still work: they get at-most-once after a crash instead."""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.core.messages import Message, Sent
from bot.core.port import Platform


@runtime_checkable
class Traceable(Protocol):
    """A platform that can tag a DM with a marker and find it again later (Slack:
    `chat.postMessage` metadata, then `conversations.history`). After a crash between "sent" and
    "recorded", the outbox asks `find_sent` instead of guessing, so it neither loses nor doubles."""

    async def send_dm_marked(self, workspace_id: str, user_id: str, message: Message, marker: str) -> Sent: ...

    async def find_sent(self, workspace_id: str, user_id: str, marker: str) -> Sent | None: ...


@runtime_checkable
class TraceablePosts(Protocol):
    """The same for channel posts and thread replies (a share, a leader's answer)."""

    async def post_marked(self, workspace_id: str, channel_id: str, message: Message, thread_id: str | None,
                          marker: str) -> Sent: ...

    async def find_posted(self, workspace_id: str, channel_id: str, thread_id: str | None,
                          marker: str) -> Sent | None: ...


def marker_for(nudge_id: int) -> str:
    """Stable across attempts, so any attempt's message is found."""
    return f"gofirst-nudge-{nudge_id}"


def reminder_marker(nudge_id: int) -> str:
    return f"gofirst-reminder-{nudge_id}"


def post_marker(post_id: int) -> str:
    return f"gofirst-post-{post_id}"


async def send_marked(platform: Platform, workspace_id: str, user_id: str, message: Message, marker: str) -> Sent:
    """A DM carrying its marker where the platform can find it again, a plain DM elsewhere."""
    if isinstance(platform, Traceable):
        return await platform.send_dm_marked(workspace_id, user_id, message, marker)
    return await platform.send_dm(workspace_id, user_id, message)


async def post_marked(platform: Platform, workspace_id: str, channel_id: str, message: Message,
                      thread_id: str | None, marker: str) -> Sent:
    if isinstance(platform, TraceablePosts):
        return await platform.post_marked(workspace_id, channel_id, message, thread_id, marker)
    return await platform.post(workspace_id, channel_id, message, thread_id)
