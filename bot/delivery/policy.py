"""Pure send-time policy: whether a nudge, reminder or digest may go out now, from plain data. The
outbox, the reminders and the digests gather the facts; this decides, so every rule is tested
without a database or a platform. Working hours and quiet days are checked again at the moment of
sending (a catch-up after downtime, a retry), not only when a send was planned."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from bot.delivery.states import NudgeState
from bot.scheduling.cap import working_hours_between
from bot.scheduling.planner import Hours, at_local
from storage.tables import Person, Workspace


@dataclass(frozen=True)
class Policy:
    grace_hours: float = 6.0
    max_attempts: int = 6
    lease: timedelta = timedelta(minutes=2)
    base_backoff: timedelta = timedelta(seconds=30)
    max_backoff: timedelta = timedelta(hours=1)

    @classmethod
    def from_settings(cls, settings: object) -> "Policy":
        return cls(grace_hours=getattr(settings, "grace_hours", 6.0),
                   max_attempts=getattr(settings, "delivery_max_attempts", 6),
                   lease=timedelta(seconds=getattr(settings, "sending_lease_seconds", 120.0)))

    def backoff(self, attempts: int, retry_after: float | None) -> timedelta:
        """The platform's Retry-After when it gave one (a rate limit says when; waiting longer only
        slows a fan-out down), else exponential."""
        if retry_after:
            return timedelta(seconds=retry_after)
        return min(self.base_backoff * (2 ** max(attempts - 1, 0)), self.max_backoff)


def held_reason(leader: Person, workspace: Workspace) -> str | None:
    """Why nothing may go to this person now, whatever the timing: their choice or their absence."""
    if not workspace.active:
        return "workspace inactive (app uninstalled or token revoked)"
    if leader.opted_out:
        return "opted out"
    return leader.inactive_reason


@dataclass(frozen=True)
class SendFacts:
    """What the outbox knows about one nudge at the moment it would send it."""

    now: datetime
    due_at: datetime
    hours: Hours
    held: str | None
    pause: tuple[str, date] | None   # (kind, last day) of a snooze, vacation or skip covering today
    grace_hours: float
    scheduled: bool = True           # False for an admin's "send now": timing rules don't apply


class NotNow(tuple[NudgeState, str]):
    """Why a nudge must not go out now: (state, reason), as `states.move` takes them. A "not yet"
    (outside working hours, still inside the grace window) also names `not_before`, the next
    working moment, when the outbox should try again."""

    not_before: datetime | None

    def __new__(cls, state: NudgeState, reason: str, not_before: datetime | None = None) -> "NotNow":
        decision = super().__new__(cls, (state, reason))
        decision.not_before = not_before
        return decision


def send_decision(facts: SendFacts) -> NotNow | None:
    """A `NotNow` when the nudge must not go out now, None when it may. An unscheduled send (an
    admin's "send now") skips the timing rules but never the person's own opt-out, snooze,
    vacation or skipped week."""
    if facts.held:
        return NotNow(NudgeState.HELD, facts.held)
    if facts.pause is not None:
        kind, until = facts.pause
        return NotNow(NudgeState.HELD, f"{kind} until {until.isoformat()}")
    if not facts.scheduled:
        return None
    verdict = timing(facts.due_at, facts.now, facts.hours, facts.grace_hours)
    if verdict.missed:
        return NotNow(NudgeState.MISSED, verdict.reason)
    if verdict.wait_until is not None:
        return NotNow(NudgeState.RETRY, verdict.reason, not_before=verdict.wait_until)
    return None


@dataclass(frozen=True)
class Timing:
    """Whether something due may go out now: yes (neither field set), not yet (`wait_until`, the
    next working moment), or never (`missed`: later than the grace window)."""

    wait_until: datetime | None = None
    missed: bool = False
    reason: str = ""


def timing(due_at: datetime, now: datetime, hours: Hours, grace_hours: float | None) -> Timing:
    """Lateness is counted in the person's working hours, so a send held over a night or a quiet
    day is no later than it was when work stopped; `grace_hours=None` never gives up (a digest)."""
    late = working_hours_between(due_at, now, hours)
    if grace_hours is not None and late > grace_hours:
        return Timing(missed=True, reason=(f"missed: due {due_at.isoformat(timespec='minutes')}, "
                                           f"{late:.1f} working hours late (grace {grace_hours:g}); not sent"))
    if is_working_moment(now, hours):
        return Timing()
    moment = next_working_moment(now, hours)
    local_now, local_next = now.astimezone(hours.zone), moment.astimezone(hours.zone)
    return Timing(wait_until=moment, reason=(
        f"not yet: {local_now:%a %H:%M} is outside working hours ({hours.work_start:%H:%M}-{hours.work_end:%H:%M}, "
        f"quiet days excluded) in {hours.tz}; next working moment {local_next:%a %Y-%m-%d %H:%M}"))


def is_working_moment(moment: datetime, hours: Hours) -> bool:
    local = moment.astimezone(hours.zone)
    if not hours.is_working_day(local.date()):
        return False
    opens, _ = at_local(local.date(), hours.work_start, hours.zone)
    closes, _ = at_local(local.date(), hours.work_end, hours.zone)
    return opens <= moment < closes


def next_working_moment(moment: datetime, hours: Hours) -> datetime:
    """`moment` itself inside working hours, else the next opening of a working day (UTC)."""
    day = moment.astimezone(hours.zone).date()
    for _ in range(8):
        if hours.is_working_day(day):
            opens, _ = at_local(day, hours.work_start, hours.zone)
            closes, _ = at_local(day, hours.work_end, hours.zone)
            if moment < opens:
                return opens.astimezone(timezone.utc)
            if moment < closes:
                return moment
        day += timedelta(days=1)
    return moment  # no working day at all: `hours_of` never builds such hours


def next_working_day_start(moment: datetime, hours: Hours) -> datetime:
    """The opening of the first working day after the one `moment` falls on (local dates)."""
    day = moment.astimezone(hours.zone).date() + timedelta(days=1)
    while not hours.is_working_day(day):
        day += timedelta(days=1)
    return at_local(day, hours.work_start, hours.zone)[0].astimezone(timezone.utc)
