"""The leader's own controls: snooze, vacation, skip this week, opt out and back in. Every change
is audited. The outbox holds any nudge that falls inside a snooze, vacation or skipped week."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.services import zone_of
from storage.tables import AuditEntry, Pause, Person

MAX_SNOOZE_DAYS = 366


class SnoozeError(ValueError):
    """The snooze argument could not be read; the message is a copy key."""


def parse_snooze(argument: str, today: date) -> date:
    """`1w`, `2w` or `until YYYY-MM-DD` → the last day of the snooze."""
    words = argument.strip().lower().split()
    if words in (["1w"], ["2w"]):
        return today + timedelta(days=7 * int(words[0][0]) - 1)
    if len(words) == 2 and words[0] == "until":
        try:
            until = date.fromisoformat(words[1])
        except ValueError:
            raise SnoozeError("snooze.bad_date") from None
        if until < today:
            raise SnoozeError("snooze.past_date")
        if (until - today).days > MAX_SNOOZE_DAYS:
            raise SnoozeError("snooze.too_far")
        return until
    raise SnoozeError("snooze.usage")


def local_today(person: Person, now: datetime) -> date:
    return now.astimezone(zone_of(person)).date()


def audit(session: AsyncSession, person: Person, action: str, **detail: object) -> None:
    session.add(AuditEntry(workspace_id=person.workspace_id, actor=person.platform_user_id,
                           action=action, target=f"person:{person.id}", detail=dict(detail)))


async def pause(session: AsyncSession, person: Person, kind: str, first: date, last: date) -> Pause:
    """Records the pause once: asking for the same one again (a double click, a retry) finds it."""
    assert person.id is not None
    same = select(Pause).where(Pause.person_id == person.id, Pause.kind == kind, Pause.starts_on <= first,
                               Pause.ends_on == last)
    existing = (await session.exec(same)).first()
    if existing is not None:
        return existing
    entry = Pause(workspace_id=person.workspace_id, person_id=person.id, kind=kind, starts_on=first, ends_on=last)
    session.add(entry)
    audit(session, person, kind, starts_on=first.isoformat(), ends_on=last.isoformat())
    await session.flush()
    return entry


async def vacation(session: AsyncSession, person: Person, today: date, argument: str) -> Pause:
    """`until YYYY-MM-DD` (or just the date): away from today through that day, streak frozen."""
    words = argument.strip().split()
    until = parse_snooze(" ".join(["until", *words[-1:]]) if words else "", today)
    return await pause(session, person, "vacation", today, until)


async def skip_this_week(session: AsyncSession, person: Person, today: date) -> Pause:
    """No nudge for the rest of this (local, ISO) week; unlike a snooze it doesn't freeze a streak."""
    return await pause(session, person, "skip", today, today + timedelta(days=6 - today.weekday()))


async def paused_until(session: AsyncSession, person: Person, today: date) -> date | None:
    """The last day of the snooze or vacation covering today, if any."""
    query = select(Pause).where(Pause.person_id == person.id, Pause.ends_on >= today, Pause.starts_on <= today)
    ends = [p.ends_on for p in (await session.exec(query)).all() if p.kind in ("snooze", "vacation")]
    return max(ends) if ends else None


def set_opted_out(session: AsyncSession, person: Person, opted_out: bool) -> bool:
    """Returns whether anything changed, so a repeated opt-out says so instead of pretending."""
    if person.opted_out == opted_out:
        return False
    person.opted_out = opted_out
    session.add(person)
    audit(session, person, "optout" if opted_out else "optin")
    return True
