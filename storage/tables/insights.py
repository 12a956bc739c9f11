"""HR insights' own records: which department a team belongs to (the parent group small teams are
pooled into), and what HR did about a barrier theme, so a report can show the theme before and after."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from storage.tables.core import Nudge, Person, Reply, Share
from storage.types import UTCDateTime, utcnow


class TeamDepartment(SQLModel, table=True):
    """A team's parent group; a team without one is pooled straight into the workspace."""

    __tablename__ = "insights_team_department"

    team_id: int = Field(foreign_key="team.id", primary_key=True, ondelete="CASCADE")
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=120)
    department: str = Field(max_length=200)


class BarrierAction(SQLModel, table=True):
    """"IT unblocked the wiki on VPN": an action against a barrier theme, its owner and its date."""

    __tablename__ = "insights_action"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: str = Field(foreign_key="workspace.id", index=True, max_length=120)
    theme: str = Field(max_length=40)
    title: str = Field(max_length=500)
    owner: str = Field(max_length=200)
    taken_on: date
    recorded_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


# What a console page reads before reusing a build (bot/insights/cache.py): the latest edit, send and
# post of a workspace, each found in its index instead of a scan of every reply, nudge or share.
Index("ix_insights_reply_updated", Reply.__table__.c.workspace_id, Reply.__table__.c.updated_at)  # type: ignore[attr-defined]
Index("ix_insights_nudge_sent", Nudge.__table__.c.workspace_id, Nudge.__table__.c.sent_at)  # type: ignore[attr-defined]
Index("ix_insights_share_posted", Share.__table__.c.workspace_id, Share.__table__.c.posted_at)  # type: ignore[attr-defined]
# ... and its people and opt-outs of analysis (the version's privacy part), counted from the index alone.
Index("ix_insights_person_opted_out", Person.__table__.c.workspace_id,  # type: ignore[attr-defined]
      Person.__table__.c.analysis_opted_out)  # type: ignore[attr-defined]
