"""Outcomes HR reads, from a real database (SQLite and PostgreSQL): per campaign, department, team
and week, the campaign's first four weeks against its latest four, barrier themes over time."""
from __future__ import annotations

import pytest

from bot.insights import Insights, Thresholds, barriers, campaign_trends, load_insights, theme_series
from bot.insights.suppression import Key
from storage.db import Database
from tests.insights.seed import TODAY, W, seed_pilot


@pytest.fixture
async def pilot(migrated_db: Database) -> Insights:
    await seed_pilot(migrated_db)
    async with migrated_db.session() as session:
        return await load_insights(session, W, Thresholds(5, 10), TODAY)


async def test_a_campaigns_first_four_weeks_against_its_latest_four(pilot: Insights) -> None:
    [trend] = campaign_trends(pilot)
    assert (trend.campaign, trend.first, trend.latest) == (
        "Pilot", "first-4-weeks:2026-W40..2026-W43", "latest-4-weeks:2026-W44..2026-W47")
    changes = {c.metric: (c.before, c.after, c.direction) for c in trend.changes}
    assert changes["leaders_nudged"] == (10, 10, "flat")
    assert changes["leaders_shared"] == (5, 10, "up")
    assert changes["share_rate"] == (0.5, 1.0, "up")
    assert changes["replies_per_share"] == (5.0, 10.0, "up")
    assert changes["answered_rate"] == (0.5, 1.0, "up")
    assert changes["repliers"] == (25, 50, "up")


async def test_outcomes_count_people_and_messages_per_campaign_and_department(pilot: Insights) -> None:
    rows = {(r.period, r.group, r.metric): r for r in pilot.rows("campaign", "quarter")}
    q4 = {metric: row.value for (period, group, metric), row in rows.items() if period == "2026-Q4"}
    assert q4["leaders_nudged"] == 10 and q4["shares_posted"] == 60 and q4["replies"] == 500
    assert q4["replies_per_share"] == pytest.approx(500 / 60, abs=0.001)
    assert q4["answered_rate"] == pytest.approx(50 / 60, abs=0.001)
    eng = {r.metric: r.value for r in pilot.rows("department", "quarter") if r.group == "Eng"}
    assert (eng["leaders_nudged"], eng["shares_posted"], eng["replies"]) == (5, 40, 300)


async def test_a_teams_own_leader_figures_are_never_shown_and_say_where_they_went(pilot: Insights) -> None:
    rows = [r for r in pilot.rows("team", "month") if r.group == "Équipe 1" and r.period == "2026-10"]
    nudged = next(r for r in rows if r.metric == "leaders_nudged")
    assert nudged.value is None
    assert nudged.note == ("withheld: fewer than 5 people, directly or by subtraction from other figures; "
                           "pooled into department Eng, 2026-10")
    repliers = next(r for r in rows if r.metric == "repliers")
    assert repliers.value == 5  # the five teammates: a team-level figure about five people


async def test_streaks_are_bucketed_at_the_end_of_the_period(pilot: Insights) -> None:
    assert pilot.figure(Key("all", "campaign", "Pilot", "streak:3-5")) == 10
    assert pilot.figure(Key("all", "campaign", "Pilot", "streak_leaders")) == 10
    assert pilot.figure(Key("all", "campaign", "Pilot", "streak:0")) is None


async def test_barrier_themes_by_period_trend_from_it_access_to_time(pilot: Insights) -> None:
    october = barriers(pilot, ("workspace", W), "2026-10")
    assert [(c.theme, c.people) for c in october.themes] == [("time", 50), ("it_access", 25)]
    by_week = dict(theme_series(pilot, "it_access", "week"))
    assert by_week["2026-W40"] == 25 and by_week["2026-W45"] is None
    assert dict(theme_series(pilot, "time", "week"))["2026-W45"] == 50
    sales = barriers(pilot, ("department", "Sales"), "2026-10")
    assert [(c.theme, c.people) for c in sales.themes] == [("time", 25)]  # Sales never named IT access
