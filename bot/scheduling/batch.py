"""A campaign's plan, a chunk of leaders at a time: a few queries per chunk instead of several per
leader, and a commit per chunk, so the first nudges can leave while the rest are being planned.
Profiles are asked for only when their last check is old, at most a budget per tick."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.coach.packs import Pack, next_nudge
from bot.delivery.states import NOT_COUNTED, NudgeState, move
from bot.scheduling.cap import Cap, apply_cap, working_hours_between
from bot.scheduling.people import hours_of
from bot.scheduling.planner import Cadence, Hours, Slot, describe, slots
from storage.tables import Campaign, Nudge, Person
from storage.tables.scheduling import NudgeDelivery, ProfileCheck
from storage.types import utcnow

CAP_REACH = timedelta(days=14)   # nudges further from a slot than this never change what the cap allows


@dataclass(frozen=True)
class Plan:
    """What planning any chunk of one campaign needs to know."""

    campaign: Campaign
    pack: Pack
    cadence: Cadence
    cap: Cap
    grace_hours: float
    since: datetime
    until: datetime
    now: datetime
    _slots: dict[Hours, list[Slot]] = field(default_factory=dict, compare=False)

    def slots(self, hours: Hours) -> list[Slot]:
        """Leaders with the same hours get the same slots: worked out once per campaign tick."""
        found = self._slots.get(hours)
        if found is None:
            found = self._slots[hours] = slots(self.cadence, hours, self.since, self.until)
        return found


def stale_reason(slot: Slot, leader: Person, now: datetime, grace_hours: float) -> str | None:
    """A slot already further in the past than the grace window is recorded as missed at once,
    so it neither goes out late nor uses up the cap for today's nudges."""
    if slot.due_utc >= now:
        return None
    late = working_hours_between(slot.due_utc, now, hours_of(leader))
    if late <= grace_hours:
        return None
    return (f"missed: due {slot.due_utc.isoformat(timespec='minutes')}, {late:.1f} working hours late "
            f"(grace {grace_hours:g}); not sent")


async def unplanned(session: AsyncSession, plan: Plan, leaders: Sequence[Person]) -> tuple[dict[int, list[Slot]], int]:
    """Each leader's slots in the window that have no nudge yet (one query), and how many do."""
    wanted = {leader.id: plan.slots(hours_of(leader)) for leader in leaders if leader.id is not None}
    periods = {s.period for found in wanted.values() for s in found}
    if not periods:
        return {}, 0
    query = select(Nudge.leader_id, Nudge.period).where(
        Nudge.campaign_id == plan.campaign.id, col(Nudge.leader_id).in_(list(wanted)), col(Nudge.period).in_(periods))
    have = set((await session.exec(query)).all())
    new = {lid: [s for s in found if (lid, s.period) not in have] for lid, found in wanted.items()}
    return {lid: found for lid, found in new.items() if found}, len(have)


async def stale_profiles(session: AsyncSession, ids: Sequence[int], older_than: datetime, budget: int) -> list[int]:
    """Of these people, those never checked or checked before `older_than`, never checked first."""
    if budget <= 0 or not ids:
        return []
    checked = dict((await session.exec(select(ProfileCheck.person_id, ProfileCheck.checked_at)
                                       .where(col(ProfileCheck.person_id).in_(ids)))).all())
    due = [i for i in ids if i not in checked or checked[i] < older_than]
    return sorted(due, key=lambda i: (i in checked, checked.get(i) or older_than))[:budget]


async def record_checks(session: AsyncSession, ids: Sequence[int], at: datetime) -> None:
    for person_id in ids:
        await session.merge(ProfileCheck(person_id=person_id, checked_at=at))


async def _taken(session: AsyncSession, ids: Sequence[int], lo: datetime, hi: datetime) -> dict[int, list[datetime]]:
    """When each leader's nudges (any campaign) land or landed, for the cap."""
    query = select(Nudge.leader_id, Nudge.sent_at, Nudge.due_at).where(
        col(Nudge.leader_id).in_(ids), col(Nudge.state).not_in(NOT_COUNTED),
        col(Nudge.due_at) >= lo - CAP_REACH, col(Nudge.due_at) <= hi + CAP_REACH)
    taken: dict[int, list[datetime]] = defaultdict(list)
    for leader_id, sent_at, due_at in (await session.exec(query)).all():
        taken[leader_id].append(sent_at or due_at)
    return taken


async def _seen(session: AsyncSession, ids: Sequence[int], pack_id: str) -> dict[int, list[str]]:
    """The prompts each leader got from this pack, oldest first."""
    query = (select(Nudge.leader_id, Nudge.prompt_id).where(col(Nudge.leader_id).in_(ids), Nudge.pack == pack_id)
             .order_by(col(Nudge.created_at), col(Nudge.id)))
    seen: dict[int, list[str]] = defaultdict(list)
    for leader_id, prompt_id in (await session.exec(query)).all():
        seen[leader_id].append(prompt_id)
    return seen


async def plan_chunk(session: AsyncSession, plan: Plan, leaders: Sequence[Person],
                     todo: dict[int, list[Slot]]) -> int:
    """Inserts one nudge (and its delivery note) per leader and new slot, placed by the cap.
    Raises IntegrityError if another replica planned one of them first: the caller tries again."""
    if not todo:
        return 0
    due = [s.due_utc for found in todo.values() for s in found]
    ids = list(todo)
    taken, seen = await _taken(session, ids, min(due), max(due)), await _seen(session, ids, plan.pack.id)
    rows: list[dict[str, Any]] = []
    notes: list[tuple[str, str]] = []
    created = utcnow()
    for leader in leaders:
        hours = hours_of(leader)
        for slot in todo.get(leader.id or 0, []):
            assert leader.id is not None and plan.campaign.id is not None
            stale = stale_reason(slot, leader, plan.now, plan.grace_hours)
            due_at: datetime | None = slot.due
            reasons = list(slot.reasons)
            if not stale:
                due_at, why = apply_cap(slot.due, taken[leader.id], hours, plan.cap)
                reasons += [why] if why else []
            held = stale or (None if due_at is not None else reasons[-1])
            when = (due_at or slot.due).astimezone(plan.now.tzinfo)
            prompt = next_nudge(plan.pack, seen[leader.id])
            seen[leader.id].append(prompt.id)
            row: dict[str, Any] = {"workspace_id": plan.campaign.workspace_id, "campaign_id": plan.campaign.id,
                   "leader_id": leader.id, "period": slot.period, "pack": plan.pack.id, "prompt_id": prompt.id,
                   "due_at": when, "state": NudgeState.PLANNED.value, "last_error": None, "attempts": 0,
                   "sent_at": None, "channel_id": None, "platform_message_id": None, "created_at": created}
            if held:  # born held or missed: the state machine says how, on a row of its own
                born = Nudge(**row)
                move(born, NudgeState.MISSED if stale else NudgeState.HELD, held)
                row["state"], row["last_error"] = born.state, born.last_error
            else:
                taken[leader.id].append(when)
            rows.append(row)
            notes.append(("; ".join(reasons)[:500], describe(when, hours.tz)))
    # Core inserts: building an ORM object per row cost more than everything else in planning
    connection = await session.connection()
    await connection.execute(insert(Nudge), rows)
    query = select(Nudge.id, Nudge.leader_id, Nudge.period).where(
        Nudge.campaign_id == plan.campaign.id, col(Nudge.leader_id).in_(ids),
        col(Nudge.period).in_({row["period"] for row in rows}))
    id_of = {(leader_id, period): nudge_id for nudge_id, leader_id, period in (await session.exec(query)).all()}
    deliveries = [{"nudge_id": id_of[(row["leader_id"], row["period"])], "note": note or None, "local_due": local,
                   "claim_id": None, "claimed_at": None, "not_before": None} for row, (note, local) in zip(rows, notes)]
    await connection.execute(insert(NudgeDelivery), deliveries)
    return len(rows)
