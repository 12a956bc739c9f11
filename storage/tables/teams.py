"""Teams conversation references: where GoFirst may speak without being spoken to first.

Bot Framework sends proactive messages to a conversation it has seen before, at the service URL
it came from. One row per conversation (a person's 1:1 chat, a team channel, a group chat), kept
fresh on install and on every message, so a nudge can go out weeks later.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class TeamsConversation(SQLModel, table=True):
    """`conversation_id` is the base id (a channel's thread suffix `;messageid=` removed); `user_id`
    is the person of a `personal` chat; `reference` is Bot Framework's ConversationReference."""

    __tablename__ = "teams_conversation"
    __table_args__ = (
        UniqueConstraint("workspace_id", "conversation_id", name="uq_teams_conversation"),
        Index("ix_teams_conversation_user", "workspace_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", max_length=120)
    conversation_id: str = Field(max_length=300)
    kind: str = Field(max_length=20)  # personal | channel | groupChat
    user_id: str | None = Field(default=None, max_length=200)
    team_id: str | None = Field(default=None, max_length=300)
    name: str = Field(default="", max_length=200)
    tz: str | None = Field(default=None, max_length=64)
    service_url: str = Field(max_length=500)
    reference: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    gone_reason: str | None = Field(default=None, max_length=200)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class TeamsSeenActivity(SQLModel, table=True):
    """One row per Teams activity handled, so a redelivery is a no-op on every replica. The key is
    the base conversation id, the activity type and the activity id (for edits and deletions,
    which reuse the message's id, the id and the activity's timestamp)."""

    __tablename__ = "teams_seen_activity"

    conversation_id: str = Field(primary_key=True, max_length=300)
    activity_type: str = Field(primary_key=True, max_length=40)
    activity_id: str = Field(primary_key=True, max_length=200)
    seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
