"""What a campaign will do next, per leader: the local send time with its zone, and why any send
was moved (working hours, quiet day, DST), deferred (the frequency cap) or held back (opted out,
snoozed, on vacation, skipped, inactive). Computed with the same rules the tick uses."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlmodel import col, select

from bot.campaigns.audience import resolve_audience
from bot.campaigns.service import find_campaign
from bot.delivery.policy import held_reason
from bot.delivery.states import OPEN, NudgeState
from bot.core.services import Services
from bot.scheduling.cap import Cap, apply_cap
from bot.scheduling.people import hours_of, pause_covering
from bot.scheduling.planner import PlanError, slots, zone_named
from bot.scheduling.ticks import cadence_of, taken_times
from storage.tables import Nudge, Workspace
from storage.tables.scheduling import CampaignSchedule, NudgeDelivery

WINDOW = timedelta(days=70)
QUEUED = (*OPEN, NudgeState.SENDING, NudgeState.HELD)  # what a preview lists as still to come


@dataclass
class PreviewSend:
    leader: str
    name: str
    zone: str
    at: str  # RFC 3339 local time with its offset; the zone's name is in `zone`
    period: str
    status: str  # planned (already in the outbox), scheduled, deferred, held
    reasons: list[str] = field(default_factory=list)


@dataclass
class Preview:
    campaign: str
    state: str
    generated_at: str
    sends: list[PreviewSend]
    problems: list[str]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


async def preview(services: Services, workspace_id: str, name: str, count: int = 1, cap: Cap = Cap()) -> Preview:
    now = services.clock.now()
    async with services.db.session() as session:
        campaign = await find_campaign(session, workspace_id, name)
        schedule = await session.get(CampaignSchedule, campaign.id)
        workspace = await session.get(Workspace, workspace_id)
        assert workspace is not None
        result = Preview(campaign.name, campaign.state, now.isoformat(timespec="seconds"), [], [])
        try:
            cadence = cadence_of(campaign, schedule)
        except PlanError as exc:
            result.problems.append(str(exc))
            return result
        audience = await resolve_audience(session, campaign)
        result.problems += [f"audience: {i!r} {audience.reasons.get(i, 'matches nobody')}" for i in audience.unknown]
        for leader in audience.people:
            hours = hours_of(leader)
            if hours.tz != leader.tz:
                result.problems.append(f"{leader.platform_user_id}: unknown timezone {leader.tz!r}; using UTC")
            queued = (await session.exec(
                select(Nudge, NudgeDelivery).outerjoin(NudgeDelivery, col(NudgeDelivery.nudge_id) == col(Nudge.id))
                .where(Nudge.campaign_id == campaign.id, Nudge.leader_id == leader.id, col(Nudge.state).in_(QUEUED))
                .order_by(col(Nudge.due_at)))).all()
            shown = 0
            for nudge, delivery in queued:
                reasons = [r for r in ((delivery.note or "").split("; ") if delivery else []) if r]
                if nudge.last_error:
                    reasons.append(nudge.last_error)
                result.sends.append(PreviewSend(leader.platform_user_id, leader.display_name, hours.tz,
                                                local_time(nudge.due_at, hours.tz), nudge.period,
                                                "held" if nudge.state == NudgeState.HELD else "planned", reasons))
                shown += 1
            known = {n.period for n, _ in queued} | set(
                (await session.exec(select(Nudge.period).where(Nudge.campaign_id == campaign.id,
                                                               Nudge.leader_id == leader.id))).all())
            extra: list[datetime] = []
            for slot in slots(cadence, hours, now, now + WINDOW):
                if shown >= count:
                    break
                if slot.period in known:
                    continue
                reasons, status, due = list(slot.reasons), "scheduled", slot.due
                held = (f"campaign {campaign.state}" if campaign.state in ("paused", "ended") else None) \
                    or held_reason(leader, workspace) or _pause_text(await pause_covering(session, leader, slot.due.date()))
                if held:
                    status, reasons = "held", reasons + [f"held back: {held}"]
                else:
                    moved, why = apply_cap(slot.due, await taken_times(session, leader, slot.due_utc) + extra, hours, cap)
                    if why:
                        status, reasons = ("deferred" if moved else "held"), reasons + [why]
                    due = moved or slot.due
                    extra.append(due)
                result.sends.append(PreviewSend(leader.platform_user_id, leader.display_name, hours.tz,
                                                local_time(due, hours.tz), slot.period, status, reasons))
                shown += 1
        return result


def local_time(moment: datetime, tz: str) -> str:
    """RFC 3339 with the local offset, e.g. `2026-11-27T16:30:00+00:00`: what standard parsers read."""
    return moment.astimezone(zone_named(tz)).isoformat(timespec="seconds")


def _pause_text(pause: object) -> str | None:
    if pause is None:
        return None
    kind, ends = getattr(pause, "kind"), getattr(pause, "ends_on")
    words = {"vacation": "on vacation", "snooze": "snoozed", "skip": "skipping this week"}
    return f"{words.get(kind, kind)} until {ends.isoformat()}"
