"""Who did what, per group and week: the finest grain every figure is added up from. People are
kept as sets (so larger groups and periods are unions, done in C), messages as counts per person."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.coach.themes import OTHER, THEMES
from bot.core.streaks import ShareOutcome, compute_streak
from bot.insights.model import Facts, ShareFact
from bot.insights.periods import Period

WORKSPACE, DEPARTMENT, TEAM, CAMPAIGN = "workspace", "department", "team", "campaign"
Group = tuple[str, str]
STREAK_BUCKETS = ((0, 0, "streak:0"), (1, 2, "streak:1-2"), (3, 5, "streak:3-5"), (6, 10**6, "streak:6+"))
THEME_METRICS = tuple(f"theme:{t}" for t in THEMES)
RAISED_METRICS = tuple(f"raised:{t}" for t in THEMES)  # leaders who raised the theme with HR from a digest
PEOPLE_METRICS = ("leaders_nudged", "leaders_shared", "repliers", "streak_leaders", "barrier_people", *THEME_METRICS,
                  *RAISED_METRICS)
MESSAGE_METRICS = ("shares_posted", "shares_with_replies", "shares_answered", "replies")
NO_TEAM, NOTES_PER_SHARE = 10**9, 10**4  # stand-ins for private notes (note_author)
Weeks = dict[Group, dict[str, set[int]]]
WeekAmounts = dict[Group, dict[str, dict[int, int]]]


class Groups:
    """Which groups each fact belongs to, and how groups nest."""

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


@dataclass
class Tally:
    people: dict[str, Weeks] = field(default_factory=lambda: {m: {} for m in PEOPLE_METRICS})
    amounts: dict[str, WeekAmounts] = field(default_factory=lambda: {m: {} for m in MESSAGE_METRICS})

    def add(self, metric: str, where: list[Group], week: str, people: Iterable[int]) -> None:
        table = self.people[metric]
        for group in where:
            by_week = table.get(group)
            if by_week is None:
                by_week = table[group] = {}
            found = by_week.get(week)
            if found is None:
                by_week[week] = set(people)
            else:
                found.update(people)

    def count(self, metric: str, where: list[Group], week: str, amounts: dict[int, int]) -> None:
        table = self.amounts[metric]
        for group in where:
            by_week = table.get(group)
            if by_week is None:
                by_week = table[group] = {}
            found = by_week.get(week)
            if found is None:
                by_week[week] = dict(amounts)
            else:
                for person, amount in amounts.items():
                    found[person] = found.get(person, 0) + amount


def note_author(share: ShareFact, slot: int) -> int:
    """Private notes have no author, so each stands for an anonymous teammate: the n-th note of
    any share of a team is the same stand-in (a negative id, never a person's). A teammate writes
    at most one note per share, so a team's notes never count more people than wrote on one share."""
    anchor = share.team_id if share.team_id is not None else NO_TEAM + share.leader_id
    return -(anchor * NOTES_PER_SHARE + slot + 1)


def themes_of(themes: Iterable[str]) -> set[str]:
    return {f"theme:{t}" if t in THEMES else f"theme:{OTHER}" for t in themes}


def tally(facts: Facts, groups: Groups) -> Tally:
    """A reply counts in its share's week and groups; a share in its team's (none without one)."""
    found = Tally()
    for nudge in facts.nudges:
        found.add("leaders_nudged", groups.of(groups.led.get(nudge.leader_id, ()), nudge.campaign_id), nudge.week,
                  [nudge.leader_id])
    authors: dict[int, dict[int, int]] = {}
    named: dict[int, dict[str, set[int]]] = {}
    answered: set[int] = set()
    for reply in facts.replies:
        if reply.is_leader:
            answered.add(reply.share_id)
            continue
        mine = authors.setdefault(reply.share_id, {})
        mine[reply.author_id] = mine.get(reply.author_id, 0) + 1
        for theme in themes_of(reply.themes):
            named.setdefault(reply.share_id, {}).setdefault(theme, set()).add(reply.author_id)
    private: dict[int, list[tuple[str, ...]]] = {}
    for note in facts.notes:
        private.setdefault(note.share_id, []).append(note.themes)
    posted: dict[tuple[Group, str], set[int]] = {}
    for share in facts.shares:
        where = groups.of([share.team_id] if share.team_id else [], share.campaign_id)
        found.count("shares_posted", where, share.week, {share.leader_id: 1})
        if share.id in authors:
            found.count("shares_with_replies", where, share.week, {share.leader_id: 1})
            found.count("replies", where, share.week, authors[share.id])
            found.add("repliers", where, share.week, authors[share.id])
            if share.id in answered:
                found.count("shares_answered", where, share.week, {share.leader_id: 1})
        themes = named.get(share.id, {})
        for theme in themes_of(share.themes):
            themes.setdefault(theme, set()).add(share.leader_id)
        for slot, told in enumerate(private.get(share.id, ())):
            for theme in themes_of(told):
                themes.setdefault(theme, set()).add(note_author(share, slot))
        for theme, people in themes.items():
            found.add(theme, where, share.week, people)
        if themes:
            found.add("barrier_people", where, share.week, set().union(*themes.values()))
        for group in where:
            posted.setdefault((group, share.week), set()).add(share.leader_id)
    for raised in facts.raised:
        theme = raised.theme if raised.theme in THEMES else OTHER
        found.add(f"raised:{theme}", groups.of([raised.team_id] if raised.team_id else [], raised.campaign_id),
                  raised.week, [raised.leader_id])
    for group, by_week in found.people["leaders_nudged"].items():
        for week, nudged in by_week.items():
            both = nudged & posted.get((group, week), set())
            if both:
                found.add("leaders_shared", [group], week, both)
    for leader, by_group in active_leaders(facts, groups).items():
        for group, weeks in by_group.items():
            for week in weeks:
                found.add("streak_leaders", [group], week, [leader])
    return found


def active_leaders(facts: Facts, groups: Groups) -> dict[int, dict[Group, set[str]]]:
    """leader -> group -> the weeks they were nudged or shared there."""
    active: dict[int, dict[Group, set[str]]] = {}
    for leader, campaign, week in [(n.leader_id, n.campaign_id, n.week) for n in facts.nudges] + \
            [(s.leader_id, s.campaign_id, s.week) for s in facts.shares]:
        for group in groups.of(groups.led.get(leader, ()), campaign):
            active.setdefault(leader, {}).setdefault(group, set()).add(week)
    return active


def streak_buckets(facts: Facts, groups: Groups, periods: list[Period], current: str
                   ) -> dict[tuple[Group, Period, str], set[int]]:
    """Each leader active in the period, by their current streak at its end (the product's own
    rule, bot.core.streaks). Weeks are left out: a streak is read at the end of a longer period."""
    replied = {r.share_id for r in facts.replies if not r.is_leader}
    answered = {r.share_id for r in facts.replies if r.is_leader}
    outcomes: dict[int, list[ShareOutcome]] = {}
    for share in facts.shares:
        outcomes.setdefault(share.leader_id, []).append(ShareOutcome(
            week=share.week, got_replies=share.id in replied, leader_answered=share.id in answered))
    frozen: dict[int, set[str]] = {}
    for pause in facts.pauses:
        frozen.setdefault(pause.person_id, set()).update(pause.weeks)
    found: dict[tuple[Group, Period, str], set[int]] = {}
    for leader, by_group in active_leaders(facts, groups).items():
        mine, buckets = outcomes.get(leader, []), {}
        for period in periods:
            end = min(period.last_week, current)
            for group, weeks in by_group.items():
                if (period.scope is None or period.scope == group) and not weeks.isdisjoint(period.weeks):
                    if end not in buckets:
                        streak = compute_streak([o for o in mine if o.week <= end], frozen.get(leader, set()), end)
                        buckets[end] = next(name for low, high, name in STREAK_BUCKETS if low <= streak.current <= high)
                    found.setdefault((group, period, buckets[end]), set()).add(leader)
    return found
