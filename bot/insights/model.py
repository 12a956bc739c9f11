"""Plain data the insights rules work on: what was loaded from storage (facts), the thresholds,
and what a report row looks like. No I/O here, so every rule is tested with hand-made data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.config import Settings


@dataclass(frozen=True)
class Thresholds:
    """Minimum distinct people behind a figure; `text` (never less than `people`) for anything
    derived from free text."""

    people: int = 5
    text: int = 10

    @property
    def themes(self) -> int:
        return max(self.text, self.people)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Thresholds":
        return cls(settings.min_group_size, settings.min_group_size_text)


@dataclass(frozen=True)
class TeamFact:
    id: int
    name: str
    leader_id: int | None
    department: str


@dataclass(frozen=True)
class CampaignFact:
    id: int
    name: str
    first_week: str | None  # the week of its start date, if it has one
    last_week: str | None  # the week of its end date, if it has one


@dataclass(frozen=True)
class NudgeFact:
    """A nudge that reached the leader (it was sent), in the leader's week."""

    leader_id: int
    campaign_id: int
    week: str


@dataclass(frozen=True)
class ShareFact:
    id: int
    leader_id: int
    team_id: int | None
    campaign_id: int | None
    week: str
    themes: tuple[str, ...]


@dataclass(frozen=True)
class ReplyFact:
    share_id: int
    author_id: int
    is_leader: bool
    themes: tuple[str, ...]


@dataclass(frozen=True)
class NoteFact:
    """A barrier told to a share's leader privately: its themes, never its author (there is none)."""

    share_id: int
    themes: tuple[str, ...]


@dataclass(frozen=True)
class RaisedFact:
    """A system barrier a leader raised with HR from a digest: the leader stands behind it."""

    leader_id: int
    team_id: int | None
    campaign_id: int | None
    week: str
    theme: str


@dataclass(frozen=True)
class PauseFact:
    """Weeks a snooze or vacation froze a leader's streak."""

    person_id: int
    weeks: frozenset[str]


@dataclass(frozen=True)
class ActionFact:
    """What HR did about a barrier theme ("IT unblocked the wiki on VPN")."""

    id: int
    theme: str
    title: str
    owner: str
    taken_on: date
    recorded_by: str


@dataclass(frozen=True)
class Facts:
    workspace_id: str
    today: date
    teams: tuple[TeamFact, ...] = ()
    campaigns: tuple[CampaignFact, ...] = ()
    nudges: tuple[NudgeFact, ...] = ()
    shares: tuple[ShareFact, ...] = ()
    replies: tuple[ReplyFact, ...] = ()
    pauses: tuple[PauseFact, ...] = ()
    actions: tuple[ActionFact, ...] = ()
    notes: tuple[NoteFact, ...] = ()
    raised: tuple[RaisedFact, ...] = ()


@dataclass(frozen=True)
class Row:
    """One line of a report or export: `value` is None when withheld, and `note` says why."""

    period: str
    group_kind: str
    group: str
    metric: str
    value: float | int | None
    note: str = ""
