"""Reads what the insights rules need, one workspace at a time, in a handful of column queries
(no ORM objects, no query per team or leader), into plain facts."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlmodel import col
from sqlmodel import select as select_rows
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.streaks import iso_week, weeks_between
from bot.insights.model import (ActionFact, CampaignFact, Facts, NoteFact, NudgeFact, PauseFact, RaisedFact,
                                ReplyFact, ShareFact, TeamFact)
from storage.tables import Campaign, Nudge, Pause, Reply, Share, Team
from storage.tables.insights import BarrierAction, TeamDepartment
from storage.tables.loop import PrivateNote
from storage.tables.raised import RaisedBarrier

NO_DEPARTMENT = "(no department)"
FREEZING = ("snooze", "vacation")
ISO_WEEK = re.compile(r"\d{4}-W\d{2}")


def nudge_week(period: str, sent: date) -> str:
    """A weekly campaign's period is the leader's ISO week; a cron campaign's is a date."""
    if ISO_WEEK.fullmatch(period):
        return period
    try:
        return iso_week(date.fromisoformat(period))
    except ValueError:
        return iso_week(sent)


async def load_facts(session: AsyncSession, workspace_id: str, today: date) -> Facts:
    rows = (await session.connection()).execute
    teams = (select(col(Team.id), col(Team.name), col(Team.leader_id), col(TeamDepartment.department))
             .outerjoin(TeamDepartment, col(TeamDepartment.team_id) == col(Team.id))
             .where(col(Team.workspace_id) == workspace_id))
    campaigns = select(col(Campaign.id), col(Campaign.name), col(Campaign.start_date), col(Campaign.end_date)).where(
        col(Campaign.workspace_id) == workspace_id)
    nudges = select(col(Nudge.leader_id), col(Nudge.campaign_id), col(Nudge.period), col(Nudge.sent_at)).where(
        col(Nudge.workspace_id) == workspace_id, col(Nudge.sent_at).is_not(None))
    shares = (select(col(Share.id), col(Share.leader_id), col(Share.team_id), col(Nudge.campaign_id), col(Share.week),
                     col(Share.posted_at), col(Share.created_at), col(Share.barrier_themes))
              .outerjoin(Nudge, col(Nudge.id) == col(Share.nudge_id))
              .where(col(Share.workspace_id) == workspace_id, col(Share.status) == "posted"))
    replies = (select(col(Reply.share_id), col(Reply.author_id), col(Reply.is_leader), col(Reply.themes))
               .join(Share, col(Share.id) == col(Reply.share_id))
               .where(col(Reply.workspace_id) == workspace_id, col(Share.status) == "posted", col(Reply.author_id).is_not(None)))
    notes = (select(col(PrivateNote.share_id), col(PrivateNote.themes))
             .join(Share, col(Share.id) == col(PrivateNote.share_id))
             .where(col(PrivateNote.workspace_id) == workspace_id, col(Share.status) == "posted")
             .order_by(col(PrivateNote.share_id), col(PrivateNote.id)))
    raised = (select(col(Share.leader_id), col(RaisedBarrier.team_id), col(RaisedBarrier.campaign_id),
                     col(RaisedBarrier.week), col(Share.week), col(RaisedBarrier.theme))
              .join(Share, col(Share.id) == col(RaisedBarrier.share_id))
              .where(col(RaisedBarrier.workspace_id) == workspace_id))
    pauses = select(col(Pause.person_id), col(Pause.starts_on), col(Pause.ends_on)).where(
        col(Pause.workspace_id) == workspace_id, col(Pause.kind).in_(FREEZING))
    return Facts(
        workspace_id, today,
        teams=tuple(TeamFact(i, name, leader, department or NO_DEPARTMENT)
                    for i, name, leader, department in (await rows(teams)).all() if i is not None),
        campaigns=tuple(CampaignFact(i, name, iso_week(start) if start else None, iso_week(end) if end else None)
                        for i, name, start, end in (await rows(campaigns)).all() if i is not None),
        nudges=tuple(NudgeFact(leader, campaign, nudge_week(period, sent.date()))
                     for leader, campaign, period, sent in (await rows(nudges)).all() if sent is not None),
        shares=tuple(ShareFact(i, leader, team, campaign, week or iso_week((posted or created).date()), tuple(themes))
                     for i, leader, team, campaign, week, posted, created, themes in (await rows(shares)).all()
                     if i is not None),
        replies=tuple(ReplyFact(share, author, leader, tuple(themes))
                      for share, author, leader, themes in (await rows(replies)).all() if author is not None),
        notes=tuple(NoteFact(share, tuple(themes)) for share, themes in (await rows(notes)).all() if themes),
        pauses=tuple(PauseFact(person, frozenset(weeks_between(start, end)))
                     for person, start, end in (await rows(pauses)).all()),
        actions=await load_actions(session, workspace_id),
        raised=tuple(RaisedFact(leader, team, campaign, week or share_week or "", theme)
                     for leader, team, campaign, week, share_week, theme in (await rows(raised)).all()
                     if week or share_week),
    )


async def load_actions(session: AsyncSession, workspace_id: str) -> tuple[ActionFact, ...]:
    query = (select_rows(BarrierAction).where(BarrierAction.workspace_id == workspace_id)
             .order_by(col(BarrierAction.taken_on), col(BarrierAction.id)))
    return tuple(ActionFact(a.id or 0, a.theme, a.title, a.owner, a.taken_on, a.recorded_by)
                 for a in (await session.exec(query)).all())
