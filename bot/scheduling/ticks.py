"""A campaign tick: plans that campaign's nudges for every leader in its audience as outbox rows.
Idempotent (the unique campaign + leader + period key), so running it again, late, or on two
replicas at once plans nothing twice."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.campaigns.audience import Audience, resolve_audience
from bot.campaigns.service import transition
from bot.delivery.nudges import find_nudge, plan_nudge
from bot.delivery.states import NOT_COUNTED, NudgeState, move
from bot.core.port import UnknownPlatform
from bot.core.services import Services
from bot.scheduling.cap import Cap, apply_cap, working_hours_between
from bot.scheduling.people import apply_zone, hours_of, profile_zone
from bot.scheduling.planner import Cadence, PlanError, Slot, describe, parse_days, parse_hhmm, slots
from storage.tables import Campaign, Nudge, Person
from storage.tables.scheduling import CampaignSchedule, NudgeDelivery

log = logging.getLogger(__name__)
LOOKBACK = timedelta(days=7)


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


async def place_with_cap(session: AsyncSession, leader: Person, slot: Slot, cap: Cap) -> tuple[datetime | None, list[str]]:
    due, why = apply_cap(slot.due, await taken_times(session, leader, slot.due_utc), hours_of(leader), cap)
    return due, list(slot.reasons) + ([why] if why else [])


def stale_reason(slot: Slot, leader: Person, now: datetime, grace_hours: float) -> str | None:
    """A slot already further in the past than the grace window is recorded as missed at once,
    so it neither goes out late nor uses up the cap for today's nudges."""
    late = working_hours_between(slot.due_utc, now, hours_of(leader))
    if slot.due_utc >= now or late <= grace_hours:
        return None
    return (f"missed: due {slot.due_utc.isoformat(timespec='minutes')}, {late:.1f} working hours late "
            f"(grace {grace_hours:g}); not sent")


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
    await _refresh_zones(services, campaign_id, now, horizon)
    async with services.db.session() as session:
        context = await _context(session, campaign_id, now, report)
        if context is None:
            return report
        campaign, cadence, schedule, since, audience = context
        grace = schedule.grace_hours if schedule and schedule.grace_hours is not None else grace_hours
        report.problems += [f"audience: {i!r} matches nobody" for i in audience.unknown]
        for leader in audience.people:
            wanted = slots(cadence, hours_of(leader), since, now + horizon)
            new = [s for s in wanted if await find_nudge(session, campaign, leader, s.period) is None]
            report.existing += len(wanted) - len(new)
            for slot in new:
                stale = stale_reason(slot, leader, now, grace)
                due, reasons = (slot.due, list(slot.reasons)) if stale else await place_with_cap(session, leader, slot, cap)
                held = stale or (None if due is not None else reasons[-1])
                when = (due or slot.due).astimezone(now.tzinfo)
                nudge, created = await plan_nudge(session, services, campaign, leader, slot.period, when)
                if created and nudge.id is not None:
                    if held:
                        move(nudge, NudgeState.MISSED if stale else NudgeState.HELD, held)
                        session.add(nudge)
                    session.add(NudgeDelivery(nudge_id=nudge.id, note="; ".join(reasons)[:500] or None,
                                              local_due=describe(when, hours_of(leader).tz)))
                    report.planned += 1
                    services.metrics.inc("gofirst_nudges_planned_total")
                    await session.flush()
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


async def _refresh_zones(services: Services, campaign_id: int, now: datetime, horizon: timedelta) -> None:
    """Fresh zones from the platform profiles of the leaders about to get new sends (not on every
    tick), asked with no transaction open; each change is written in a short one."""
    async with services.db.session() as session:
        context = await _context(session, campaign_id, now, TickReport())
        if context is None:
            return
        campaign, cadence, _, since, audience = context
        due = [leader for leader in audience.people
               if any([await find_nudge(session, campaign, leader, s.period) is None
                       for s in slots(cadence, hours_of(leader), since, now + horizon)])]
    for leader in due:
        try:
            platform = services.platform(leader.workspace_id)
        except UnknownPlatform:
            continue
        zone = await profile_zone(platform, leader)
        if zone is not None:
            async with services.db.session() as session:
                fresh = await session.get(Person, leader.id)
                if fresh is not None:
                    apply_zone(session, fresh, zone)


async def active_campaign_ids(services: Services) -> list[int]:
    async with services.db.session() as session:
        query = select(Campaign.id).where(Campaign.state == "active").order_by(col(Campaign.id))
        return [i for i in (await session.exec(query)).all() if i is not None]
