"""A slow, obviously-right account of who stands behind each figure, written from the metric
definitions in docs/insights.md and nothing in bot/insights but the calendar; the property tests
check the real audit against it."""
from __future__ import annotations

from bot.coach import THEMES
from bot.core.streaks import ShareOutcome, compute_streak
from bot.insights.model import Facts
from bot.insights.periods import Period

PEOPLE_UNIT = {"leaders_nudged", "leaders_shared", "repliers", "streak_leaders", "barrier_people"}
MESSAGE_UNIT = {"shares_posted": "shares", "shares_with_replies": "shares", "shares_answered": "shares",
                "replies": "replies"}
BUCKETS = {"streak:0": range(0, 1), "streak:1-2": range(1, 3), "streak:3-5": range(3, 6), "streak:6+": range(6, 10**6)}


def unit(metric: str) -> str:
    return MESSAGE_UNIT.get(metric, "people")


def theme_key(theme: str) -> str:
    return f"theme:{theme if theme in THEMES else 'other'}"


class Reference:
    def __init__(self, facts: Facts, current_week: str) -> None:
        self.facts = facts
        self.current = current_week
        self.team_name = {t.id: t.name for t in facts.teams}
        self.department = {t.id: t.department for t in facts.teams}
        self.campaign_name = {c.id: c.name for c in facts.campaigns}
        self.shares = {s.id: s for s in facts.shares}

    def led(self, leader: int) -> list[int]:
        return [t.id for t in self.facts.teams if t.leader_id == leader]

    def in_group(self, kind: str, name: str, teams: list[int], campaign: int | None) -> bool:
        if kind == "workspace":
            return True
        if kind == "campaign":
            return campaign is not None and self.campaign_name.get(campaign) == name
        if kind == "team":
            return any(self.team_name[t] == name for t in teams)
        return any(self.department[t] == name for t in teams)

    def share_in(self, kind: str, name: str, share_id: int) -> bool:
        share = self.shares[share_id]
        return self.in_group(kind, name, [share.team_id] if share.team_id else [], share.campaign_id)

    def contributions(self, kind: str, name: str, period: Period, metric: str) -> dict[int, int]:
        weeks = period.weeks
        found: dict[int, int] = {}

        def bump(person: int, amount: int = 1) -> None:
            found[person] = found.get(person, 0) + amount

        shares = [s for s in self.facts.shares if s.week in weeks and self.share_in(kind, name, s.id)]
        replies = [r for r in self.facts.replies if r.share_id in {s.id for s in shares}]
        if metric == "leaders_nudged":
            for n in self.facts.nudges:
                if n.week in weeks and self.in_group(kind, name, self.led(n.leader_id), n.campaign_id):
                    found[n.leader_id] = 1
        elif metric == "leaders_shared":
            for n in self.facts.nudges:
                if n.week in weeks and self.in_group(kind, name, self.led(n.leader_id), n.campaign_id) and any(
                        s.leader_id == n.leader_id and s.week == n.week for s in shares):
                    found[n.leader_id] = 1
        elif metric in ("shares_posted", "shares_with_replies", "shares_answered"):
            for s in shares:
                mine = [r for r in replies if r.share_id == s.id]
                got = any(not r.is_leader for r in mine)
                answered = got and any(r.is_leader for r in mine)
                if metric == "shares_posted" or (metric == "shares_with_replies" and got) or answered:
                    bump(s.leader_id)
        elif metric in ("replies", "repliers"):
            for r in replies:
                if not r.is_leader:
                    bump(r.author_id) if metric == "replies" else found.__setitem__(r.author_id, 1)
        elif metric.startswith("theme:") or metric == "barrier_people":
            for r in replies:
                if not r.is_leader and any(metric in (theme_key(t), "barrier_people") for t in r.themes):
                    found[r.author_id] = 1
            for s in shares:
                if any(metric in (theme_key(t), "barrier_people") for t in s.themes):
                    found[s.leader_id] = 1
        elif metric == "streak_leaders" or metric.startswith("streak:"):
            for leader in self.active(kind, name, weeks):
                if metric == "streak_leaders" or self.streak(leader, min(period.last_week, self.current)) in BUCKETS[metric]:
                    found[leader] = 1
        return found

    def active(self, kind: str, name: str, weeks: frozenset[str]) -> set[int]:
        events = [(n.leader_id, n.campaign_id, n.week) for n in self.facts.nudges] + \
                 [(s.leader_id, s.campaign_id, s.week) for s in self.facts.shares]
        return {leader for leader, campaign, week in events
                if week in weeks and self.in_group(kind, name, self.led(leader), campaign)}

    def streak(self, leader: int, end: str) -> int:
        outcomes = []
        for s in self.facts.shares:
            if s.leader_id == leader and s.week <= end:
                mine = [r for r in self.facts.replies if r.share_id == s.id]
                outcomes.append(ShareOutcome(week=s.week, got_replies=any(not r.is_leader for r in mine),
                                             leader_answered=any(r.is_leader for r in mine)))
        frozen = set().union(*(p.weeks for p in self.facts.pauses if p.person_id == leader))
        return compute_streak(outcomes, frozen, end).current
