"""Delivery bookkeeping beside the core tables: the outbox's claim per nudge, at most one reminder
per nudge, a campaign's scheduling extras, and who holds the scheduler (for admins to see)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from storage.tables.core import Nudge
from storage.types import UTCDateTime, utcnow


class NudgeDelivery(SQLModel, table=True):
    """The outbox state a Nudge row doesn't carry: who claimed it (an attempt id written *before*
    the send), when to try again, and why it was moved, deferred or held (shown in previews)."""

    __tablename__ = "nudge_delivery"

    nudge_id: int = Field(foreign_key="nudge.id", primary_key=True, ondelete="CASCADE")
    claim_id: str | None = Field(default=None, max_length=40)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    not_before: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    note: str | None = Field(default=None, max_length=500)
    local_due: str | None = Field(default=None, max_length=80, description="ISO local time [zone]")


class NudgeReminder(SQLModel, table=True):
    """The one gentle reminder an ignored nudge may get: the primary key makes a second impossible."""

    __tablename__ = "nudge_reminder"

    nudge_id: int = Field(foreign_key="nudge.id", primary_key=True, ondelete="CASCADE")
    state: str = Field(default="sending", max_length=20)
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    platform_message_id: str | None = Field(default=None, max_length=200)
    last_error: str | None = Field(default=None, max_length=500)


class CampaignSchedule(SQLModel, table=True):
    """What a campaign needs for scheduling beyond the core columns."""

    __tablename__ = "campaign_schedule"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True, ondelete="CASCADE")
    activated_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    team_channels: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    grace_hours: float | None = None
    timezone: str | None = Field(default=None, max_length=64, description="unset: each leader's own zone")


class SchedulerLeader(SQLModel, table=True):
    """The replica running the scheduler now. Informational: the lock itself is a PostgreSQL
    advisory lock, released by the server the moment the holder's connection dies."""

    __tablename__ = "scheduler_leader"

    name: str = Field(primary_key=True, max_length=40)
    holder: str = Field(max_length=200)
    since: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ProfileCheck(SQLModel, table=True):
    """When the planner last asked the platform for a person's profile: a zone is refreshed when
    this is old, not on every tick (a users.info call per leader per tick is minutes per workspace)."""

    __tablename__ = "profile_check"

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    checked_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


# The worker claims each workspace's due nudges on its own (every workspace sends concurrently).
Index("ix_delivery_nudge_workspace_due", Nudge.__table__.c.workspace_id,  # type: ignore[attr-defined]
      Nudge.__table__.c.state, Nudge.__table__.c.due_at)  # type: ignore[attr-defined]
