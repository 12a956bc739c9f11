"""The nudge state machine, defined once. Every change of `Nudge.state` goes through `move`, which
refuses a transition the machine does not have, so no caller can invent a state or skip a step.

    planned ─claim→ sending ─sent→ sent ─leader→ shared | snoozed | skipped | declined
       │  ↑            ├─transient→ retry ─claim→ sending
       │  └─resume─┐   ├─permanent / out of attempts→ failed
       ├─hold→ held┘   └─crash, platform can't tell→ unknown
       └─late→ missed
"""
from __future__ import annotations

from enum import StrEnum

from storage.tables import Nudge


class NudgeState(StrEnum):
    PLANNED = "planned"
    SENDING = "sending"
    RETRY = "retry"
    SENT = "sent"
    HELD = "held"
    MISSED = "missed"
    FAILED = "failed"
    UNKNOWN = "unknown"
    SHARED = "shared"
    SNOOZED = "snoozed"
    SKIPPED = "skipped"
    DECLINED = "declined"


S = NudgeState
OPEN = (S.PLANNED, S.RETRY)                      # waiting to be claimed and sent
ANSWERABLE = (S.SENT, *OPEN)                     # a leader's button on it still means something
NOT_COUNTED = (S.MISSED, S.HELD, S.FAILED)       # never reached the person: doesn't use up the cap
ATTENTION = (S.FAILED, S.UNKNOWN, S.MISSED, S.HELD)  # an admin should look at these
LEADER_CHOICES = (S.SHARED, S.SNOOZED, S.SKIPPED, S.DECLINED)

TRANSITIONS: dict[NudgeState, frozenset[NudgeState]] = {
    S.PLANNED: frozenset({S.SENDING, S.HELD, S.MISSED, *LEADER_CHOICES}),
    S.RETRY: frozenset({S.SENDING, S.HELD, S.MISSED, *LEADER_CHOICES}),
    S.SENDING: frozenset({S.SENT, S.RETRY, S.FAILED, S.UNKNOWN, S.HELD, S.MISSED}),
    S.SENT: frozenset(LEADER_CHOICES),
    S.HELD: frozenset({S.PLANNED}),
    S.UNKNOWN: frozenset(LEADER_CHOICES),
    S.MISSED: frozenset(),
    S.FAILED: frozenset(),
    S.SHARED: frozenset(),
    S.SNOOZED: frozenset({S.SHARED}),
    S.SKIPPED: frozenset({S.SHARED}),
    S.DECLINED: frozenset({S.SHARED}),
}


class BadNudgeTransition(ValueError):
    """A transition the state machine does not have: a bug in the caller, never silently applied."""


def can_move(current: str, to: NudgeState) -> bool:
    try:
        return to in TRANSITIONS[NudgeState(current)]
    except ValueError:
        return False


def move(nudge: Nudge, to: NudgeState, reason: str | None = None) -> None:
    """Sets the nudge's state (and why, for held, missed, failed and unknown)."""
    if not can_move(nudge.state, to):
        raise BadNudgeTransition(f"nudge {nudge.id}: {nudge.state} → {to} is not a transition")
    nudge.state = to.value
    if reason is not None:
        nudge.last_error = reason[:500]
    elif to in (S.PLANNED, S.SENT):
        nudge.last_error = None
