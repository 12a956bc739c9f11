"""Pure send-time policy: whether a nudge may go out now, from plain data. The outbox gathers the
facts; this decides, so every rule is tested without a database or a platform."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.delivery.states import NudgeState
from bot.scheduling.cap import working_hours_between
from bot.scheduling.planner import Hours
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
        exponential = min(self.base_backoff * (2 ** max(attempts - 1, 0)), self.max_backoff)
        return max(exponential, timedelta(seconds=retry_after or 0))


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


def send_decision(facts: SendFacts) -> tuple[NudgeState, str] | None:
    """(state, reason) when the nudge must not go out now, None when it may. An unscheduled send
    skips the timing rules but never the person's own opt-out, snooze, vacation or skipped week."""
    if facts.held:
        return NudgeState.HELD, facts.held
    if facts.pause is not None:
        kind, until = facts.pause
        return NudgeState.HELD, f"{kind} until {until.isoformat()}"
    if not facts.scheduled:
        return None
    late = working_hours_between(facts.due_at, facts.now, facts.hours)
    if late > facts.grace_hours:
        return NudgeState.MISSED, (f"missed: due {facts.due_at.isoformat(timespec='minutes')}, "
                                   f"{late:.1f} working hours late (grace {facts.grace_hours:g}); not sent")
    return None
