"""Every figure HR could ask for, at once: each metric for every group (workspace, department,
team, campaign) and every period (weeks, months, quarters, all, named windows), with the people
behind it. Auditing the whole lattice together is what makes two views of the same data safe to
compare. Pure: facts in, cells and breakdowns out."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from bot.coach.themes import OTHER, THEMES
from bot.core.streaks import ShareOutcome, compute_streak, iso_week
from bot.insights.model import Facts, Thresholds
from bot.insights.periods import Period, grid, parts, shift, week_range, window
from bot.insights.suppression import PEOPLE, REPLIES, SHARES, Breakdown, Cell, Key

WORKSPACE, DEPARTMENT, TEAM, CAMPAIGN = "workspace", "department", "team", "campaign"
GROUP_LEVEL = {TEAM: 1, DEPARTMENT: 2, CAMPAIGN: 2, WORKSPACE: 3}
STREAK_BUCKETS = ((0, 0, "streak:0"), (1, 2, "streak:1-2"), (3, 5, "streak:3-5"), (6, 10**6, "streak:6+"))
THEME_METRICS = tuple(f"theme:{t}" for t in THEMES)
TREND_WEEKS = 4
# metric: (unit, derived from free text, rank: which of two clashing figures of one group and period stays)
METRICS: dict[str, tuple[str, bool, int]] = {
    "leaders_nudged": (PEOPLE, False, 6), "leaders_shared": (PEOPLE, False, 5), "repliers": (PEOPLE, False, 5),
    "shares_posted": (SHARES, False, 4), "shares_with_replies": (SHARES, False, 3),
    "shares_answered": (SHARES, False, 2), "replies": (REPLIES, False, 4), "streak_leaders": (PEOPLE, False, 3),
    **{name: (PEOPLE, False, 2) for *_, name in STREAK_BUCKETS},
    "barrier_people": (PEOPLE, True, 0), **{name: (PEOPLE, True, 1) for name in THEME_METRICS},
}
Group = tuple[str, str]


@dataclass
class Lattice:
    """The candidate cells, how they add up (breakdowns), and the structure views walk."""

    workspace: Group
    periods: list[Period]
    groups: dict[str, list[str]]
    parent_of: dict[Group, Group]
    cells: dict[Key, Cell] = field(default_factory=dict)
    breakdowns: list[Breakdown] = field(default_factory=list)
    named: dict[Key, int] = field(default_factory=dict)  # distinct people behind every theme cell, shown or not
    current_week: str = ""


def minimum_for(metric: str, thresholds: Thresholds) -> int:
    return thresholds.text if METRICS[metric][1] else thresholds.people


class _Groups:
    """Which groups each fact belongs to."""

    def __init__(self, facts: Facts) -> None:
        names = Counter(t.name for t in facts.teams)
        self.team = {t.id: t.name if names[t.name] == 1 else f"{t.name} (#{t.id})" for t in facts.teams}
        self.department = {t.id: t.department for t in facts.teams}
        self.led: dict[int, list[int]] = {}
        for team in facts.teams:
            if team.leader_id is not None:
                self.led.setdefault(team.leader_id, []).append(team.id)
        self.campaign = {c.id: c.name for c in facts.campaigns}
        self.workspace: Group = (WORKSPACE, facts.workspace_id)

    def of(self, team_ids: Iterable[int], campaign_id: int | None) -> list[Group]:
        found = [self.workspace]
        for team_id in team_ids:
            if team_id in self.team:
                found += [(TEAM, self.team[team_id]), (DEPARTMENT, self.department[team_id])]
        if campaign_id in self.campaign:
            found.append((CAMPAIGN, self.campaign[campaign_id]))
        return list(dict.fromkeys(found))

    def kinds(self) -> dict[str, list[str]]:
        return {WORKSPACE: [self.workspace[1]], DEPARTMENT: sorted(set(self.department.values())),
                TEAM: sorted(self.team.values()), CAMPAIGN: sorted(self.campaign.values())}

    def parents(self) -> dict[Group, Group]:
        found: dict[Group, Group] = {(TEAM, self.team[t]): (DEPARTMENT, self.department[t]) for t in self.team}
        found.update({(DEPARTMENT, d): self.workspace for d in self.department.values()})
        found.update({(CAMPAIGN, c): self.workspace for c in self.campaign.values()})
        return found

    def children(self) -> dict[Group, list[list[Group]]]:
        """The splits of each group that add up to it: departments into teams, the workspace into
        departments, and into campaigns."""
        teams: dict[Group, list[Group]] = {}
        for team_id, name in self.team.items():
            teams.setdefault((DEPARTMENT, self.department[team_id]), []).append((TEAM, name))
        found: dict[Group, list[list[Group]]] = {group: [members] for group, members in teams.items()}
        found[self.workspace] = [list(teams), [(CAMPAIGN, c) for c in self.campaign.values()]]
        return found


def _periods(facts: Facts, weeks: list[str], current: str, groups: _Groups) -> list[Period]:
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


def _base(facts: Facts, groups: _Groups) -> dict[str, dict[Group, dict[str, Counter[int]]]]:
    """metric -> group -> week -> person -> amount, at the finest grain (a reply counts in its share's week)."""
    base: dict[str, dict[Group, dict[str, Counter[int]]]] = {m: {} for m in METRICS}

    def add(metric: str, where: list[Group], week: str, person: int) -> None:
        for group in where:
            base[metric].setdefault(group, {}).setdefault(week, Counter())[person] += 1

    def named(themes: Iterable[str], where: list[Group], week: str, person: int) -> None:
        found = _themes(themes)
        for theme in found:
            add(theme, where, week, person)
        if found:
            add("barrier_people", where, week, person)

    for nudge in facts.nudges:
        add("leaders_nudged", groups.of(groups.led.get(nudge.leader_id, ()), nudge.campaign_id), nudge.week,
            nudge.leader_id)
    shares = {s.id: s for s in facts.shares}
    where_of = {s.id: groups.of([s.team_id] if s.team_id else groups.led.get(s.leader_id, ()), s.campaign_id)
                for s in facts.shares}
    replied, answered = set(), set()
    for reply in facts.replies:
        share = shares.get(reply.share_id)
        if share is None:
            continue
        if reply.is_leader:
            answered.add(share.id)
            continue
        replied.add(share.id)
        for metric in ("replies", "repliers"):
            add(metric, where_of[share.id], share.week, reply.author_id)
        named(reply.themes, where_of[share.id], share.week, reply.author_id)
    for share in facts.shares:
        where = where_of[share.id]
        add("shares_posted", where, share.week, share.leader_id)
        if share.id in replied:
            add("shares_with_replies", where, share.week, share.leader_id)
            if share.id in answered:
                add("shares_answered", where, share.week, share.leader_id)
        named(share.themes, where, share.week, share.leader_id)
    for group, by_week in base["leaders_nudged"].items():
        posted = base["shares_posted"].get(group, {})
        for week, nudged in by_week.items():
            for leader in nudged.keys() & posted.get(week, Counter()).keys():
                base["leaders_shared"].setdefault(group, {}).setdefault(week, Counter())[leader] = 1
    return base


def _themes(themes: Iterable[str]) -> set[str]:
    return {f"theme:{t}" if t in THEMES else f"theme:{OTHER}" for t in themes}


def _rank(group: Group, period: Period, metric: str) -> int:
    return 10 * (GROUP_LEVEL[group[0]] + period.level) + METRICS[metric][2]


def build(facts: Facts, thresholds: Thresholds) -> Lattice:
    """All candidate cells with at least their minimum of people, and the breakdowns between them."""
    groups = _Groups(facts)
    current = iso_week(facts.today)
    seen = [n.week for n in facts.nudges] + [s.week for s in facts.shares]
    weeks = week_range(min(seen), max(*seen, current)) if seen else []
    lattice = Lattice(groups.workspace, _periods(facts, weeks, current, groups), groups.kinds(), groups.parents(),
                      current_week=current)
    containing: dict[str, list[Period]] = {}
    for period in lattice.periods:
        for week in period.weeks:
            containing.setdefault(week, []).append(period)
    per_metric = {**_base(facts, groups), **_streak_base(facts, groups)}
    for metric, per_group in per_metric.items():
        for group, by_week in per_group.items():
            totals: dict[Period, Counter[int]] = {}
            for week, people in by_week.items():
                for period in containing.get(week, ()):
                    if period.scope is None or period.scope == group:
                        totals.setdefault(period, Counter()).update(people)
            for period, people in totals.items():
                _add(lattice, thresholds, Key(period.key, group[0], group[1], metric), people, _rank(group, period, metric))
    _streak_buckets(lattice, thresholds, facts, groups)
    lattice.breakdowns = _breakdowns(lattice, groups)
    return lattice


def _add(lattice: Lattice, thresholds: Thresholds, key: Key, people: Counter[int], rank: int) -> None:
    unit = METRICS[key.metric][0]
    minimum = minimum_for(key.metric, thresholds)
    if key.metric.startswith("theme:"):
        lattice.named[key] = len(people)
    if len(people) >= minimum:
        lattice.cells[key] = Cell(key, frozenset(people), unit, minimum, rank,
                                  None if unit == PEOPLE else dict(people))


def _leader_groups(facts: Facts, groups: _Groups) -> dict[int, dict[Group, set[str]]]:
    """leader -> group -> the weeks they were nudged or shared there."""
    active: dict[int, dict[Group, set[str]]] = {}
    for leader, campaign, week in [(n.leader_id, n.campaign_id, n.week) for n in facts.nudges] + \
            [(s.leader_id, s.campaign_id, s.week) for s in facts.shares]:
        for group in groups.of(groups.led.get(leader, ()), campaign):
            active.setdefault(leader, {}).setdefault(group, set()).add(week)
    return active


def _streak_base(facts: Facts, groups: _Groups) -> dict[str, dict[Group, dict[str, Counter[int]]]]:
    """Leaders with a streak to speak of: those nudged or sharing in the group that week."""
    base: dict[Group, dict[str, Counter[int]]] = {}
    for leader, by_group in _leader_groups(facts, groups).items():
        for group, weeks in by_group.items():
            for week in weeks:
                base.setdefault(group, {}).setdefault(week, Counter())[leader] = 1
    return {"streak_leaders": base}


def _streak_buckets(lattice: Lattice, thresholds: Thresholds, facts: Facts, groups: _Groups) -> None:
    """Each active leader's current streak at the end of the period, by bucket (streaks are the
    product's own rule, bot.core.streaks)."""
    replied = {r.share_id for r in facts.replies if not r.is_leader}
    answered = {r.share_id for r in facts.replies if r.is_leader}
    outcomes: dict[int, list[ShareOutcome]] = {}
    for share in facts.shares:
        outcomes.setdefault(share.leader_id, []).append(ShareOutcome(
            week=share.week, got_replies=share.id in replied, leader_answered=share.id in answered))
    frozen: dict[int, set[str]] = {}
    for pause in facts.pauses:
        frozen.setdefault(pause.person_id, set()).update(pause.weeks)
    people: dict[Key, Counter[int]] = {}
    ranks: dict[Key, int] = {}
    for leader, by_group in _leader_groups(facts, groups).items():
        mine, ends = outcomes.get(leader, []), {}
        for period in lattice.periods:
            end = min(period.last_week, lattice.current_week)
            if end not in ends:
                streak = compute_streak([o for o in mine if o.week <= end], frozen.get(leader, set()), end)
                ends[end] = next(name for low, high, name in STREAK_BUCKETS if low <= streak.current <= high)
            for group, weeks in by_group.items():
                if (period.scope is None or period.scope == group) and weeks & period.weeks:
                    key = Key(period.key, group[0], group[1], ends[end])
                    people.setdefault(key, Counter())[leader] = 1
                    ranks[key] = _rank(group, period, key.metric)
    for key, found in people.items():
        _add(lattice, thresholds, key, found, ranks[key])


def _breakdowns(lattice: Lattice, groups: _Groups) -> list[Breakdown]:
    """For every candidate total: its parts by period, by group and by category."""
    by_key = {p.key: p for p in lattice.periods if p.scope is None}
    finer = {p.key: [q.key for q in parts(p, lattice.periods)] for p in by_key.values() if p.kind != "week"}
    children = groups.children()
    found: list[Breakdown] = []
    for key, cell in lattice.cells.items():
        group: Group = (key.group_kind, key.group)
        splits: list[list[Key]] = []
        if key.period in finer and not key.metric.startswith("streak:"):
            splits.append([Key(p, key.group_kind, key.group, key.metric) for p in finer[key.period]])
        if key.period in by_key:
            splits += [[Key(key.period, g[0], g[1], key.metric) for g in split] for split in children.get(group, [])]
        if key.metric == "barrier_people":
            splits.append([Key(key.period, key.group_kind, key.group, m) for m in THEME_METRICS])
        if key.metric == "streak_leaders":
            splits.append([Key(key.period, key.group_kind, key.group, name) for *_, name in STREAK_BUCKETS])
        found += [Breakdown(key, tuple(split), cell.minimum) for split in splits if split]
    return found
