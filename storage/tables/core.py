"""The core records. Every row carries its workspace (the tenant) so one database can hold many."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def _when() -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=True)


class Workspace(SQLModel, table=True):
    """A Slack team or enterprise, a Teams tenant, or the local demo: ids like `slack:T123`."""

    id: str = Field(primary_key=True, max_length=120)
    platform: str = Field(max_length=20)
    name: str = Field(default="", max_length=200)
    active: bool = True
    created_at: datetime = _created()


class Person(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "platform_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=120)
    platform_user_id: str = Field(max_length=120)
    display_name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=254, index=True, description="from the directory (lower case)")
    tz: str = Field(default="UTC", max_length=64)
    tz_overridden: bool = False
    locale: str | None = Field(default=None, max_length=16, description="None: English until the platform says")
    locale_overridden: bool = Field(default=False, description="chosen by the `language` command: wins over the platform")
    work_start: str = Field(default="09:00", max_length=5)
    work_end: str = Field(default="17:00", max_length=5)
    quiet_days: str = Field(default="5,6", max_length=20, description="ISO weekday-1 numbers")
    is_admin: bool = False
    opted_out: bool = False
    analysis_opted_out: bool = Field(default=False, description="replies reach the leader, never tagged or counted")
    inactive_reason: str | None = Field(default=None, max_length=200)
    created_at: datetime = _created()


class Team(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "channel_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=120)
    name: str = Field(max_length=200)
    leader_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    channel_id: str = Field(max_length=200)
    channel_name: str = Field(default="", max_length=200)
    created_at: datetime = _created()


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("team_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=120)
    team_id: int = Field(foreign_key="team.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)


class Campaign(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=120)
    name: str = Field(max_length=120)
    pack: str = Field(max_length=80)
    state: str = Field(default="draft", max_length=20)
    weekday: int = Field(default=1, ge=0, le=6, description="0 = Monday")
    local_time: str = Field(default="10:00", max_length=5)
    every_n_weeks: int = Field(default=1, ge=1)
    cron: str | None = Field(default=None, max_length=120)
    audience_kind: str = Field(default="workspace", max_length=20)
    audience_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    start_date: date | None = None
    end_date: date | None = None
    quiet_days: str = Field(default="", max_length=20)
    reminder_after_days: int | None = Field(default=2)
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Nudge(SQLModel, table=True):
    """One nudge per campaign, leader and period: the unique key is what makes a second send impossible."""

    __table_args__ = (
        UniqueConstraint("campaign_id", "leader_id", "period", name="uq_nudge_campaign_leader_period"),
        Index("ix_nudge_state_due", "state", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=120)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    leader_id: int = Field(foreign_key="person.id", index=True)
    period: str = Field(max_length=20)
    pack: str = Field(max_length=80)
    prompt_id: str = Field(max_length=80)
    state: str = Field(default="planned", max_length=20)
    due_at: datetime = _created()
    sent_at: datetime | None = _when()
    channel_id: str | None = Field(default=None, max_length=200)
    platform_message_id: str | None = Field(default=None, max_length=200)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = _created()


class Share(SQLModel, table=True):
    """The leader's open post: a draft until posted, then the thread replies hang off it."""

    __table_args__ = (Index("ix_share_thread", "workspace_id", "channel_id", "platform_message_id"),
                      Index("uq_share_form_token", "workspace_id", "form_token", unique=True))

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=120)
    leader_id: int = Field(foreign_key="person.id", index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id")
    nudge_id: int | None = Field(default=None, foreign_key="nudge.id")
    form_token: str | None = Field(default=None, max_length=80, description="the form that made it: one draft per form")
    status: str = Field(default="draft", max_length=20)
    try_text: str = ""
    why_text: str = ""
    barrier_text: str = ""
    ask_text: str = ""
    barrier_themes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    channel_id: str | None = Field(default=None, max_length=200)
    platform_message_id: str | None = Field(default=None, max_length=200)
    week: str | None = Field(default=None, max_length=10)
    posted_at: datetime | None = _when()
    digest_sent_at: datetime | None = _when()
    created_at: datetime = _created()


class Reply(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "platform_message_id", name="uq_reply_message"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=120)
    share_id: int = Field(foreign_key="share.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    is_leader: bool = False
    platform_message_id: str = Field(max_length=200)
    text: str = ""
    themes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Pause(SQLModel, table=True):
    """Snooze, vacation or a skipped week: snooze and vacation freeze a streak, a skip does not."""

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=120)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(max_length=20)
    starts_on: date
    ends_on: date
    created_at: datetime = _created()


class AuditEntry(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=120)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=80)
    target: str = Field(default="", max_length=200)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = _created()
