"""A campaign tick: plans that campaign's nudges for every leader in its audience as outbox rows.
Idempotent (the unique campaign + leader + period key), so running it again, late, or on two
replicas at once plans nothing twice."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.campaigns.audience import Audience, resolve_audience
from bot.campaigns.service import transition
from bot.delivery.states import NOT_COUNTED
from bot.core.port import UnknownPlatform
from bot.core.services import Services
from bot.scheduling.batch import Plan, plan_chunk, record_checks, stale_profiles, unplanned
from bot.scheduling.cap import Cap
from bot.scheduling.people import apply_zone, profile_zone
from bot.scheduling.planner import Cadence, PlanError, parse_days, parse_hhmm
from storage.tables import Campaign, Nudge, Person
from storage.tables.scheduling import CampaignSchedule

log = logging.getLogger(__name__)
LOOKBACK = timedelta(days=7)
CHUNK = 500                            # leaders planned (and committed) together
PROFILE_MAX_AGE = timedelta(days=1)    # a zone checked more recently than this is used as stored
PROFILE_BUDGET = 20                    # profile look-ups per tick (Slack's users.info: ~100 a minute)


@dataclass
class TickReport:
    planned: int = 0
    existing: int = 0
    problems: list[str] = field(default_factory=list)


def cadence_of(campaign: Campaign, schedule: CampaignSchedule | None = None) -> Cadence:
    """Raises PlanError naming the field when a stored campaign is unusable."""
    return Cadence(tz=schedule.timezone if schedule else None, weekday=campaign.weekday, local_time=parse_hhmm(campaign.local_time, "local_time"),
                   every_n_weeks=max(campaign.every_n_weeks, 1), cron=campaign.cron or None,
                   start_date=campaign.start_date, end_date=campaign.end_date,
                   quiet_days=parse_days(campaign.quiet_days or ""))


async def taken_times(session: AsyncSession, leader: Person, around: datetime, skip_id: int | None = None) -> list[datetime]:
    """When the person's other nudges (any campaign) land or landed, for the cap."""
    query = select(Nudge).where(Nudge.leader_id == leader.id, col(Nudge.state).not_in(NOT_COUNTED),
                                col(Nudge.due_at) >= around - timedelta(days=14),
                                col(Nudge.due_at) <= around + timedelta(days=14))
    return [n.sent_at or n.due_at for n in (await session.exec(query)).all() if n.id != skip_id]


async def plan_campaign(services: Services, campaign_id: int, *, cap: Cap = Cap(), grace_hours: float = 6.0,
                        horizon: timedelta = timedelta(hours=48)) -> TickReport:
    report, now = TickReport(), services.clock.now()
    async with services.db.session() as session:
        campaign = await session.get(Campaign, campaign_id)
        if campaign is None or campaign.state != "active":
            return report
        if campaign.end_date and now.date() > campaign.end_date + timedelta(days=1):  # past in every zone
            report.problems.append(f"ended: its end date {campaign.end_date.isoformat()} has passed")
            ended = (campaign.workspace_id, campaign.name)
        else:
            ended = None
    if ended is not None:
        await transition(services, *ended, "ended", actor="gofirst", via="planner", why="end date passed")
        log.warning("campaign %s: %s", campaign_id, "; ".join(report.problems))
        return report
    async with services.db.session() as session:
        context = await _context(session, campaign_id, now, report)
    if context is None:
        return report
    campaign, cadence, schedule, since, audience = context
    grace = schedule.grace_hours if schedule and schedule.grace_hours is not None else grace_hours
    plan = Plan(campaign, services.packs[campaign.pack], cadence, cap, grace, since, now + horizon, now)
    report.problems += [f"audience: {i!r} matches nobody" for i in audience.unknown]
    budget = PROFILE_BUDGET
    for start in range(0, len(audience.people), CHUNK):
        chunk = audience.people[start:start + CHUNK]
        budget -= await _refresh_zones(services, plan, chunk, budget)
        for attempt in range(3):
            try:
                async with services.db.session() as session:  # a commit per chunk: its nudges may leave now
                    todo, existing = await unplanned(session, plan, chunk)
                    planned = await plan_chunk(session, plan, chunk, todo)
                report.planned, report.existing = report.planned + planned, report.existing + existing
                services.metrics.inc("gofirst_nudges_planned_total", planned)
                break
            except IntegrityError:  # another replica planned some of these first: theirs stand
                if attempt == 2:
                    raise
    if report.problems:
        log.warning("campaign %s: %s", campaign_id, "; ".join(report.problems))
    return report


async def _context(session: AsyncSession, campaign_id: int, now: datetime,
                   report: TickReport) -> tuple[Campaign, Cadence, CampaignSchedule | None, datetime, Audience] | None:
    """What planning one active campaign needs; None (with the problem reported) when it can't."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None or campaign.state != "active":
        return None
    schedule = await session.get(CampaignSchedule, campaign_id)
    try:
        cadence = cadence_of(campaign, schedule)
    except PlanError as exc:
        report.problems.append(str(exc))
        return None
    since = max(now - LOOKBACK, (schedule.activated_at if schedule and schedule.activated_at else campaign.created_at))
    return campaign, cadence, schedule, since, await resolve_audience(session, campaign)


async def _refresh_zones(services: Services, plan: Plan, chunk: list[Person], budget: int) -> int:
    """Fresh zones from the platform profiles of leaders about to get new sends whose profile was
    last checked over PROFILE_MAX_AGE ago, at most `budget` of them, asked with no transaction open;
    the changes and the checks are written in one short one. Returns how many were asked."""
    if budget <= 0:
        return 0
    async with services.db.session() as session:
        todo, _ = await unplanned(session, plan, chunk)
        candidates = [leader.id for leader in chunk if leader.id in todo and not leader.tz_overridden]
        stale = set(await stale_profiles(session, [i for i in candidates if i is not None],
                                         plan.now - PROFILE_MAX_AGE, budget))
    zones: dict[int, str] = {}
    for leader in (p for p in chunk if p.id in stale):
        try:
            platform = services.platform(leader.workspace_id)
        except UnknownPlatform:
            continue
        zone = await profile_zone(platform, leader)
        if zone is not None and leader.id is not None:
            zones[leader.id] = zone
    if not stale:
        return 0
    async with services.db.session() as session:
        await record_checks(session, sorted(stale), plan.now)
        for leader in chunk:
            fresh = await session.get(Person, leader.id) if leader.id in zones else None
            if fresh is not None and apply_zone(session, fresh, zones[fresh.id or 0]):
                leader.tz = fresh.tz  # the chunk is planned in the zone just learned
    return len(stale)


async def active_campaign_ids(services: Services) -> list[int]:
    async with services.db.session() as session:
        query = select(Campaign.id).where(Campaign.state == "active").order_by(col(Campaign.id))
        return [i for i in (await session.exec(query)).all() if i is not None]
