"""System barriers a leader raised with HR from a digest: the theme and where it came from (team,
campaign, week), never the teammate or their words, so HR's list fixes the system, not a person."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class RaisedBarrier(SQLModel, table=True):
    """One theme raised from one share: the unique key makes a double click one row."""

    __tablename__ = "raised_barrier"
    __table_args__ = (UniqueConstraint("share_id", "theme"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=120)
    share_id: int | None = Field(default=None, foreign_key="share.id", ondelete="SET NULL")
    team_id: int | None = Field(default=None, foreign_key="team.id", ondelete="SET NULL")
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", ondelete="SET NULL")
    week: str = Field(default="", max_length=10)
    theme: str = Field(max_length=40)
    raised_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
