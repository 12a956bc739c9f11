"""Slack's own record: event ids already handled, so Slack's retries are processed once."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class SlackSeenEvent(SQLModel, table=True):
    """One row per Events API `event_id`; the primary key is what turns a retry into a no-op,
    across restarts and across several server processes."""

    __tablename__ = "slack_seen_event"

    event_id: str = Field(primary_key=True, max_length=64)
    team_id: str = Field(default="", max_length=32)
    event_type: str = Field(default="", max_length=64)
    seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
