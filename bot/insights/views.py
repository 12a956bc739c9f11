"""Views over the audited lattice: report rows by group and period, with each withheld figure
pooled into the nearest coarser figure that may be shown. A view only reads published figures
(and ratios of two published figures), so it can reveal nothing the audit did not allow."""
from __future__ import annotations

import gc
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property

from bot.insights.lattice import Lattice, build, minimum_for
from bot.insights.tally import CAMPAIGN, STREAK_BUCKETS, THEME_METRICS, WORKSPACE, Group
from bot.insights.model import Facts, Row, Thresholds
from bot.insights.periods import KINDS, WEEK, Period, coarser
from bot.insights.suppression import Key, Published, audit

DERIVED = {"share_rate": ("leaders_shared", "leaders_nudged"), "replies_per_share": ("replies", "shares_posted"),
           "answered_rate": ("shares_answered", "shares_with_replies")}
OUTCOMES = ("leaders_nudged", "leaders_shared", "share_rate", "shares_posted", "replies", "repliers",
            "replies_per_share", "shares_with_replies", "shares_answered", "answered_rate", "streak_leaders",
            *(name for *_, name in STREAK_BUCKETS))
THEMES_ROWS = ("barrier_people", *THEME_METRICS)
BY = {"team": ("team", None), "department": ("department", None), "campaign": ("campaign", None),
      "workspace": ("workspace", None), "week": ("workspace", WEEK)}


class BadView(ValueError):
    """A report asked for a grouping or period that does not exist; the message names the choices."""


@dataclass(frozen=True)
class Insights:
    """One workspace's figures after the audit: the only object reports, exports and the console read."""

    lattice: Lattice
    published: Published
    thresholds: Thresholds
    as_of: datetime = field(default_factory=lambda: datetime.now(timezone.utc))  # when its data was read
    refreshing: bool = False  # a newer build is on its way (the console serves this one meanwhile)

    @classmethod
    def of(cls, facts: Facts, thresholds: Thresholds, as_of: datetime | None = None) -> "Insights":
        """Builds and audits the lattice. Python's cycle collector is paused meanwhile: the lattice
        is millions of small sets and none of them form cycles, and collecting them halves the speed."""
        paused = gc.isenabled()
        gc.disable()
        try:
            lattice = build(facts, thresholds)
            published = audit(lattice.cells.values(), lattice.breakdowns)
            return cls(lattice, published, thresholds, as_of or datetime.now(timezone.utc))
        finally:
            if paused:
                gc.enable()

    def figure(self, key: tuple[str, str, str, str]) -> float | int | None:
        """The value HR may see, or None when it is withheld."""
        values = self.published.values
        if key[3] in DERIVED:
            top, bottom = DERIVED[key[3]]
            numerator = values.get((key[0], key[1], key[2], top))
            denominator = values.get((key[0], key[1], key[2], bottom))
            return None if numerator is None or not denominator else round(numerator / denominator, 3)
        return values.get(key)

    def periods(self, kind: str) -> list[Period]:
        if kind not in KINDS:
            raise BadView(f"no period {kind!r}; choose one of {', '.join(KINDS)}")
        return [p for p in self.lattice.periods if p.kind == kind and p.scope is None]

    def period(self, key: str) -> Period:
        return self._periods[key]

    def has_period(self, key: str) -> bool:
        return key in self._periods

    @cached_property
    def _periods(self) -> dict[str, Period]:
        return {p.key: p for p in self.lattice.periods}

    @cached_property
    def _notes(self) -> dict[str, str]:
        return {metric: self.withheld_note(metric) for metric in OUTCOMES + THEMES_ROWS}

    @cached_property
    def _coarser(self) -> dict[str, list[Period]]:
        return {p.key: coarser(p, self.lattice.periods) for p in self.lattice.periods}

    def groups(self, kind: str) -> list[Group]:
        return [(kind, name) for name in self.lattice.groups.get(kind, [])]

    def withheld_note(self, metric: str) -> str:
        if metric in DERIVED:
            return "withheld: made from a figure that is withheld"
        minimum = minimum_for(metric, self.thresholds)
        text = " (barrier themes come from free text)" if metric in THEMES_ROWS else ""
        return f"withheld: fewer than {minimum} people{text}, directly or by subtraction from other figures"

    def pooled(self, key: Key) -> Key | None:
        """The nearest coarser figure that may be shown: a longer period first, then the parent group."""
        for period, kind, group in self._ancestors(key.period, key.group_kind, key.group):
            if self.figure((period, kind, group, key.metric)) is not None:
                return Key(period, kind, group, key.metric)
        return None

    def _ancestors(self, period: str, kind: str, name: str) -> list[tuple[str, str, str]]:
        """Where a figure of this group and period is pooled, nearest first (kept per Insights)."""
        if (period, kind, name) in self._pooling:
            return self._pooling[(period, kind, name)]
        found: list[tuple[str, str, str]] = []
        group: Group | None = (kind, name)
        while group is not None:
            periods = ([] if group == (kind, name) else [self.period(period)]) + self._coarser[period]
            found += [(p.key, *group) for p in periods]
            group = self.lattice.parent_of.get(group)
        self._pooling[(period, kind, name)] = found
        return found

    @cached_property
    def _pooling(self) -> dict[tuple[str, str, str], list[tuple[str, str, str]]]:
        return {}

    def row(self, key: Key) -> Row:
        return self._row(key)[0]

    @cached_property
    def _explained(self) -> dict[Key, tuple[Row, Key | None]]:
        return {}

    @cached_property
    def downloads(self) -> dict[str, str]:
        """CSV text already made from this build, by what was asked (the console's downloads)."""
        return {}

    def _row(self, key: Key) -> tuple[Row, Key | None]:
        """The row, and for a withheld one the figure it is pooled into; kept, as this Insights is
        reused by every page until the data changes (bot/insights/cache.py)."""
        found = self._explained.get(key)
        if found is None:
            found = self._explained[key] = self._explain(key)
        return found

    def _explain(self, key: Key) -> tuple[Row, Key | None]:
        value = self.figure(key)
        period = self.period(key.period)
        progress = "period in progress" if self.lattice.current_week in period.weeks else ""
        if value is not None:
            return Row(key.period, key.group_kind, key.group, key.metric, value, progress), None
        note = self._notes[key.metric] if key.metric in self._notes else self.withheld_note(key.metric)
        into = self.pooled(key)
        if into is not None:
            note += f"; pooled into {into.group_kind} {into.group}, {into.period}"
        return Row(key.period, key.group_kind, key.group, key.metric, None, note), into

    def rows(self, by: str, period_kind: str | None = None, metrics: tuple[str, ...] = OUTCOMES + THEMES_ROWS,
             ) -> list[Row]:
        """Every metric for every group of a kind and every period of a kind, dense (a figure nobody
        stands behind is listed as withheld like a small one, so a row's presence tells nothing),
        followed by the pooled figures the withheld rows point at."""
        if by not in BY:
            raise BadView(f"no grouping {by!r}; choose one of {', '.join(BY)}")
        group_kind, fixed = BY[by]
        kind = fixed or period_kind or "month"
        if kind == WEEK:  # a streak is read at the end of a month, a quarter or a window
            metrics = tuple(m for m in metrics if not m.startswith("streak:"))
        return self.table([Key(period.key, group[0], group[1], metric) for group in self.groups(group_kind)
                           for period in self.periods(kind) for metric in metrics])

    def explained(self, key: Key) -> tuple[Row, Key | None]:
        """The row, and for a withheld one the figure it is pooled into (None when nowhere)."""
        return self._row(key)

    def table(self, keys: list[Key]) -> list[Row]:
        """The rows of these figures, followed by the pooled figures their withheld rows point at."""
        rows: list[Row] = []
        asked: set[Key] = set(keys)
        pooled: dict[Key, None] = {}
        for key in keys:
            row, into = self._row(key)
            rows.append(row)
            if into is not None:
                pooled[into] = None
        for key in [k for k in pooled if k not in asked]:
            row = self.row(key)
            rows.append(Row(row.period, row.group_kind, row.group, row.metric, row.value,
                            "; ".join(filter(None, ["pooled figure for withheld rows", row.note]))))
        return rows

    def campaign_windows(self, campaign: str) -> tuple[Period, Period] | None:
        """A campaign's first four weeks and its latest four, when it has started."""
        scoped = [p for p in self.lattice.periods if p.scope == (CAMPAIGN, campaign)]
        first = [p for p in scoped if p.key.startswith("first-")]
        latest = [p for p in scoped if p.key.startswith("latest-")]
        return (first[0], latest[0]) if first and latest else None

    def workspace_key(self, period: str, metric: str) -> Key:
        return Key(period, WORKSPACE, self.lattice.workspace[1], metric)
