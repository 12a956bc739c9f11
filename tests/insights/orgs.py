"""Random organisations for the property tests: a few teams in departments, leaders in campaigns,
weeks that cross month and quarter ends, shares, replies with themes, pauses and actions."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from bot.core.streaks import iso_week
from bot.insights.model import (ActionFact, CampaignFact, Facts, NudgeFact, PauseFact, ReplyFact, ShareFact,
                                TeamFact)

THEMES = ("time", "fear", "it_access", "policy", "other", "made-up")
W = "local:prop"


@st.composite
def organisations(draw: st.DrawFn, max_teams: int = 4, max_weeks: int = 7) -> Facts:
    first_day = draw(st.dates(date(2026, 3, 1), date(2026, 12, 20)))
    week_count = draw(st.integers(1, max_weeks))
    weeks = [iso_week(first_day + timedelta(weeks=n)) for n in range(week_count)]
    campaigns = tuple(CampaignFact(c, f"Campaign {c}", None, None) for c in range(1, draw(st.integers(0, 2)) + 1))
    departments = draw(st.lists(st.sampled_from(["Eng", "Sales", "Ops"]), min_size=1, max_size=2, unique=True))
    teams, members = [], {}
    for t in range(1, draw(st.integers(1, max_teams)) + 1):
        leader = draw(st.sampled_from([1, 2, 3, 4, 5][: max(t, 2)]))  # a leader may lead two teams
        teams.append(TeamFact(t, f"Team {t}", leader, draw(st.sampled_from(departments))))
        members[t] = draw(st.lists(st.integers(100, 125), min_size=1, max_size=9, unique=True))
    leaders = sorted({t.leader_id for t in teams if t.leader_id is not None})
    campaign_of = {l: draw(st.sampled_from([None, *[c.id for c in campaigns]])) for l in leaders}
    nudges, shares, replies = [], [], []
    for leader in leaders:
        for week in weeks:
            campaign = campaign_of[leader]
            if campaign is not None and draw(st.booleans()):
                nudges.append(NudgeFact(leader, campaign, week))
            if draw(st.integers(0, 3)) == 0:
                continue
            led = [t.id for t in teams if t.leader_id == leader]
            team = draw(st.sampled_from([*led, None]))
            share = ShareFact(len(shares) + 1, leader, team,
                              draw(st.sampled_from([campaign, campaign, None])), week,
                              tuple(draw(st.lists(st.sampled_from(THEMES), max_size=2, unique=True))))
            shares.append(share)
            pool = members[team] if team else members[led[0]]
            for author in draw(st.lists(st.sampled_from(pool), max_size=len(pool), unique=True)):
                for _ in range(draw(st.integers(1, 2))):
                    replies.append(ReplyFact(share.id, author, False,
                                             tuple(draw(st.lists(st.sampled_from(THEMES), max_size=2, unique=True)))))
            if draw(st.booleans()):
                replies.append(ReplyFact(share.id, leader, True, ()))
    pauses = tuple(PauseFact(l, frozenset({draw(st.sampled_from(weeks))})) for l in leaders if draw(st.booleans()))
    actions = tuple(ActionFact(n, draw(st.sampled_from(THEMES[:4])), "did a thing", "IT",
                               first_day + timedelta(days=draw(st.integers(0, 7 * week_count))), "hr")
                    for n in range(draw(st.integers(0, 1))))
    today = first_day + timedelta(weeks=week_count - 1, days=draw(st.integers(0, 6)))
    return Facts(W, today, tuple(teams), campaigns, tuple(nudges), tuple(shares), tuple(replies), pauses, actions)
