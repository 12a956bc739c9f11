"""An optional platform capability for exactly-once delivery, kept apart from `port.Platform` so
adapters that can't offer it still work: they get at-most-once after a crash instead."""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.engine.messages import Message, Sent
from bot.engine.port import Platform


@runtime_checkable
class Traceable(Protocol):
    """A platform that can tag a message with a marker and find it again later (Slack:
    `chat.postMessage` metadata, then `conversations.history`). After a crash between "sent" and
    "recorded", the outbox asks `find_sent` instead of guessing, so it neither loses nor doubles."""

    async def send_dm_marked(self, workspace_id: str, user_id: str, message: Message, marker: str) -> Sent: ...

    async def find_sent(self, workspace_id: str, user_id: str, marker: str) -> Sent | None: ...


def marker_for(nudge_id: int) -> str:
    """Stable across attempts, so any attempt's message is found."""
    return f"gofirst-nudge-{nudge_id}"


def reminder_marker(nudge_id: int) -> str:
    return f"gofirst-reminder-{nudge_id}"


async def send_marked(platform: Platform, workspace_id: str, user_id: str, message: Message, marker: str) -> Sent:
    """A DM carrying its marker where the platform can find it again, a plain DM elsewhere."""
    if isinstance(platform, Traceable):
        return await platform.send_dm_marked(workspace_id, user_id, message, marker)
    return await platform.send_dm(workspace_id, user_id, message)
