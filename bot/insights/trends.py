"""Trends HR reads: the barrier themes of a group, a campaign's first four weeks against its latest
four, a theme over time, and a theme before and after an action HR took. Every number here is a
published figure or is computed from published figures only."""
from __future__ import annotations

from dataclasses import dataclass

from bot.insights.lattice import action_windows
from bot.insights.tally import CAMPAIGN, THEME_METRICS, Group
from bot.insights.model import ActionFact
from bot.insights.suppression import Key
from bot.insights.views import Insights

TREND_METRICS = ("leaders_nudged", "leaders_shared", "share_rate", "replies_per_share", "answered_rate", "repliers")


@dataclass(frozen=True)
class Change:
    """One figure in two periods; either may be withheld."""

    metric: str
    before: float | int | None
    after: float | int | None

    @property
    def direction(self) -> str:
        if self.before is None or self.after is None:
            return "unknown"
        return "up" if self.after > self.before else "down" if self.after < self.before else "flat"


@dataclass(frozen=True)
class CampaignTrend:
    campaign: str
    first: str
    latest: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class ThemeCount:
    theme: str
    people: int


@dataclass(frozen=True)
class BarrierReport:
    """The themes of one group and period that may be shown, most named first."""

    people: int | None  # people who named any barrier, when that total may be shown
    min_group_size: int
    themes: tuple[ThemeCount, ...]
    suppressed: int  # themes someone named that are withheld (kept for the console's hint)

    @property
    def withheld(self) -> bool:
        """True when nothing at all may be shown."""
        return self.people is None and not self.themes


@dataclass(frozen=True)
class ActionEffect:
    """A theme in the four weeks before an action and in the weeks after it."""

    action: ActionFact
    before_period: str
    after_period: str | None
    people: Change
    share_of_barriers: Change


def barriers(insights: Insights, group: Group | None = None, period: str = "all") -> BarrierReport:
    kind, name = group or insights.lattice.workspace
    themes, suppressed = [], 0
    for metric in THEME_METRICS:
        key = Key(period, kind, name, metric)
        value = insights.figure(key)
        if value is not None:
            themes.append(ThemeCount(metric.removeprefix("theme:"), int(value)))
        elif insights.has_period(period) and insights.lattice.named(key, insights.period(period)):
            suppressed += 1  # (a workspace with no activity yet has no periods at all)
    total = insights.figure(Key(period, kind, name, "barrier_people"))
    return BarrierReport(None if total is None else int(total), insights.thresholds.themes,
                         tuple(sorted(themes, key=lambda c: (-c.people, c.theme))), suppressed)


def campaign_trends(insights: Insights) -> list[CampaignTrend]:
    found = []
    for _, name in insights.groups(CAMPAIGN):
        windows = insights.campaign_windows(name)
        if windows is None:
            continue
        first, latest = windows
        changes = tuple(Change(m, insights.figure(Key(first.key, CAMPAIGN, name, m)),
                               insights.figure(Key(latest.key, CAMPAIGN, name, m))) for m in TREND_METRICS)
        found.append(CampaignTrend(name, first.key, latest.key, changes))
    return found


def theme_series(insights: Insights, theme: str, period_kind: str = "month",
                 group: Group | None = None) -> list[tuple[str, int | float | None]]:
    """The theme's people per period, oldest first; None where withheld."""
    kind, name = group or insights.lattice.workspace
    return [(p.key, insights.figure(Key(p.key, kind, name, f"theme:{theme}"))) for p in insights.periods(period_kind)]


def action_effects(insights: Insights, actions: list[ActionFact]) -> list[ActionEffect]:
    found = []
    for action in actions:
        windows = action_windows(action.taken_on, insights.lattice.current_week, insights.lattice.workspace)
        before, after = windows[0].key, windows[1].key if len(windows) > 1 else None
        metric = f"theme:{action.theme}"

        def at(period: str | None, metric: str) -> float | int | None:
            return None if period is None else insights.figure(insights.workspace_key(period, metric))

        def share(period: str | None) -> float | None:
            if period is None:
                return None
            return insights.published.ratio(insights.workspace_key(period, metric),
                                            insights.workspace_key(period, "barrier_people"))

        found.append(ActionEffect(action, before, after, Change(metric, at(before, metric), at(after, metric)),
                                  Change("share_of_barriers", share(before), share(after))))
    return found
