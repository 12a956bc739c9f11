"""Slack's own record: the Events API inbox. Every event is stored here before Slack gets its 200,
so an acked event is never lost, and its event id turns Slack's retries into no-ops."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class SlackSeenEvent(SQLModel, table=True):
    """One row per Events API `event_id`; the primary key is what turns a retry into a no-op,
    across restarts and across several server processes. `body` and `state` let a replica replay
    an event whose handling was cut short (a crash, the database gone mid-way)."""

    __tablename__ = "slack_seen_event"

    event_id: str = Field(primary_key=True, max_length=64)
    team_id: str = Field(default="", max_length=32)
    event_type: str = Field(default="", max_length=64)
    seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    body: str | None = Field(default=None, sa_type=Text, description="the verified request body, until handled")
    state: str = Field(default="done", max_length=20, description="received | done")
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
