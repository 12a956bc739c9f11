"""Every figure HR could ask for, at once: each metric for every group (workspace, department,
team, campaign) and every period (weeks, months, quarters, all, named windows), with the people
behind it. Auditing the whole lattice together is what makes two views of the same data safe to
compare. Pure: facts in, cells and breakdowns out."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.core.streaks import iso_week
from bot.insights.model import Facts, Thresholds
from bot.insights.periods import WEEK, Period, grid, parts, shift, week_range, window
from bot.insights.suppression import PEOPLE, REPLIES, SHARES, Breakdown, Cell, Key
from bot.insights.tally import (CAMPAIGN, DEPARTMENT, RAISED_METRICS, STREAK_BUCKETS, TEAM, THEME_METRICS, WORKSPACE,
                                Group, Groups, streak_buckets, tally)

GROUP_LEVEL = {TEAM: 1, DEPARTMENT: 2, CAMPAIGN: 2, WORKSPACE: 3}
TREND_WEEKS = 4
# metric: (unit, derived from free text, rank: which of two clashing figures of one group and period stays)
METRICS: dict[str, tuple[str, bool, int]] = {
    "leaders_nudged": (PEOPLE, False, 6), "leaders_shared": (PEOPLE, False, 5), "repliers": (PEOPLE, False, 5),
    "shares_posted": (SHARES, False, 4), "shares_with_replies": (SHARES, False, 3),
    "shares_answered": (SHARES, False, 2), "replies": (REPLIES, False, 4), "streak_leaders": (PEOPLE, False, 3),
    **{name: (PEOPLE, False, 2) for *_, name in STREAK_BUCKETS},
    "barrier_people": (PEOPLE, True, 0), **{name: (PEOPLE, True, 1) for name in THEME_METRICS + RAISED_METRICS},
}


@dataclass
class Lattice:
    """The candidate cells, how they add up (breakdowns), and the structure views walk."""

    workspace: Group
    periods: list[Period]
    groups: dict[str, list[str]]
    parent_of: dict[Group, Group]
    current_week: str
    cells: dict[Key, Cell] = field(default_factory=dict)
    breakdowns: list[Breakdown] = field(default_factory=list)
    theme_weeks: dict[tuple[Group, str], dict[str, set[int]]] = field(default_factory=dict)

    def named(self, key: Key, period: Period) -> int:
        """How many people named a theme, shown or not (only ever compared with zero)."""
        by_week = self.theme_weeks.get(((key.group_kind, key.group), key.metric), {})
        return len(set().union(*(people for week, people in by_week.items() if week in period.weeks)))


def minimum_for(metric: str, thresholds: Thresholds) -> int:
    return thresholds.themes if METRICS[metric][1] else thresholds.people


def _periods(facts: Facts, weeks: list[str], current: str, groups: Groups) -> list[Period]:
    found = grid(weeks)
    for campaign in facts.campaigns:
        started = [n.week for n in facts.nudges if n.campaign_id == campaign.id]
        first = campaign.first_week or (min(started) if started else None)
        if first is None or first > current:
            continue
        last = min(current, campaign.last_week or current)
        scope = (CAMPAIGN, groups.campaign[campaign.id])
        found.append(window("first-4-weeks", first, min(TREND_WEEKS, len(week_range(first, last))), scope))
        found.append(window("latest-4-weeks", max(first, shift(last, 1 - TREND_WEEKS)),
                            min(TREND_WEEKS, len(week_range(first, last))), scope))
    for action in facts.actions:
        found += action_windows(action.taken_on, current, groups.workspace)
    return list(dict.fromkeys(found))


def action_windows(taken_on: date, current: str, workspace: Group) -> list[Period]:
    """The four weeks before the action's week, and up to four after it (none yet in its own week)."""
    week = iso_week(taken_on)
    found = [window("before", shift(week, -TREND_WEEKS), TREND_WEEKS, workspace)]
    if week < current:
        found.append(window("after", shift(week, 1), min(TREND_WEEKS, len(week_range(shift(week, 1), current))),
                            workspace))
    return found


def _rank(group: Group, period: Period, metric: str) -> int:
    return 10 * (GROUP_LEVEL[group[0]] + period.level) + METRICS[metric][2]


def build(facts: Facts, thresholds: Thresholds) -> Lattice:
    """All candidate cells with at least their minimum of people, and the breakdowns between them.
    A group whose whole history has too few people for a metric gets no cells for it at all."""
    groups = Groups(facts)
    current = iso_week(facts.today)
    seen = [n.week for n in facts.nudges] + [s.week for s in facts.shares]
    weeks = week_range(min(seen), max(*seen, current)) if seen else []
    lattice = Lattice(groups.workspace, _periods(facts, weeks, current, groups), groups.kinds(), groups.parents(),
                      current)
    containing: dict[str, list[int]] = {}
    for number, period in enumerate(lattice.periods):
        for week in period.weeks:
            containing.setdefault(week, []).append(number)

    def spread(group: Group, by_week: dict[str, set[int]] | dict[str, dict[int, int]]) -> list[tuple[Period, list[str]]]:
        """The periods the group's weeks fall in, each with those weeks."""
        found: dict[int, list[str]] = {}
        for week in by_week:
            for number in containing.get(week, ()):
                found.setdefault(number, []).append(week)
        periods = [(lattice.periods[n], weeks) for n, weeks in found.items()]
        return [(p, weeks) for p, weeks in periods if p.scope is None or p.scope == group]

    counts = tally(facts, groups)
    for metric, people_weeks in counts.people.items():
        minimum = minimum_for(metric, thresholds)
        for group, by_week in people_weeks.items():
            if metric in THEME_METRICS:
                lattice.theme_weeks[(group, metric)] = by_week
            if len(set().union(*by_week.values())) < minimum:
                continue
            for period, members in spread(group, by_week):
                if len(members) == 1 and len(by_week[members[0]]) < minimum:
                    continue  # most team weeks: too few to be a candidate, no need to copy them
                _add(lattice, minimum, Key(period.key, *group, metric), frozenset().union(*(by_week[w] for w in members)),
                     _rank(group, period, metric))
    for metric, amount_weeks in counts.amounts.items():
        minimum = minimum_for(metric, thresholds)
        for group, by_amount in amount_weeks.items():
            if len(set().union(*(a.keys() for a in by_amount.values()))) < minimum:
                continue
            for period, members in spread(group, by_amount):
                if len(members) == 1 and len(by_amount[members[0]]) < minimum:
                    continue
                people = frozenset().union(*(by_amount[w].keys() for w in members))
                if len(people) >= minimum:
                    total: dict[int, int] = {}
                    for week in members:
                        for person, amount in by_amount[week].items():
                            total[person] = total.get(person, 0) + amount
                    _add(lattice, minimum, Key(period.key, *group, metric), people, _rank(group, period, metric), total)
    longer = [p for p in lattice.periods if p.kind != WEEK]
    for (group, period, name), leaders in streak_buckets(facts, groups, longer, current).items():
        _add(lattice, thresholds.people, Key(period.key, *group, name), frozenset(leaders), _rank(group, period, name))
    lattice.breakdowns = _breakdowns(lattice)
    return lattice


def _add(lattice: Lattice, minimum: int, key: Key, people: frozenset[int], rank: int,
         amounts: dict[int, int] | None = None) -> None:
    if len(people) >= minimum:
        lattice.cells[key] = Cell(key, people, METRICS[key.metric][0], minimum, rank, amounts)


def _breakdowns(lattice: Lattice) -> list[Breakdown]:
    """Every candidate total with the candidate cells that split it: by period (weeks of a month,
    months of a quarter, quarters of all), by group (teams of a department, departments and
    campaigns of the workspace) and by category (themes of everyone naming one, streak buckets of
    the leaders). A part that is not a candidate is withheld anyway and adds nothing shown."""
    grid_periods = [p for p in lattice.periods if p.scope is None]
    up = {q.key: p.key for p in grid_periods if p.kind != WEEK for q in parts(p, grid_periods)}
    unscoped = {p.key for p in grid_periods}
    category = {**{m: "barrier_people" for m in THEME_METRICS}, **{name: "streak_leaders" for *_, name in STREAK_BUCKETS}}
    splits: dict[tuple[Key, str], list[Key]] = {}
    for key in lattice.cells:
        if key.period in up and not key.metric.startswith("streak:"):
            splits.setdefault((key._replace(period=up[key.period]), "period"), []).append(key)
        parent = lattice.parent_of.get((key.group_kind, key.group))
        if parent is not None and key.period in unscoped:
            splits.setdefault((Key(key.period, *parent, key.metric), key.group_kind), []).append(key)
        if key.metric in category:
            splits.setdefault((key._replace(metric=category[key.metric]), "category"), []).append(key)
    return [Breakdown(parent, tuple(children), lattice.cells[parent].minimum)
            for (parent, _), children in splits.items() if parent in lattice.cells]
