"""Random organisations and replies: no published figure, no difference of two published figures
(same table, same totals, nested or overlapping periods and filters) and no total minus the parts
shown beside it describes fewer than the minimum number of people. Who stands behind a figure is
worked out by tests/insights/reference.py, not by the code under test."""
from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.insights import Insights, Thresholds
from bot.insights.model import Facts
from bot.insights.periods import KINDS, parts
from bot.insights.suppression import Key
from bot.insights.views import DERIVED
from tests.insights.orgs import organisations
from tests.insights.reference import BUCKETS, Reference, unit

EXAMPLES = 400
thresholds = st.builds(Thresholds, st.integers(2, 4), st.integers(3, 6))


def minimum(metric: str, limits: Thresholds) -> int:
    return max(limits.text, limits.people) if metric.startswith("theme:") or metric == "barrier_people" else limits.people


def describes(larger: dict[int, int], smaller: dict[int, int]) -> int | None:
    """People whose contribution differs when `smaller` sits inside `larger`; None if it does not."""
    if any(amount > larger.get(person, 0) for person, amount in smaller.items()):
        return None
    return sum(1 for person, amount in larger.items() if amount != smaller.get(person, 0))


def published(insights: Insights, facts: Facts) -> dict[Key, dict[int, int]]:
    reference = Reference(facts, insights.lattice.current_week)
    periods = {p.key: p for p in insights.lattice.periods}
    return {key: reference.contributions(key.group_kind, key.group, periods[key.period], key.metric)
            for key in insights.published.values}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations(), thresholds)
def test_every_published_figure_has_enough_people_and_is_right(facts: Facts, limits: Thresholds) -> None:
    insights = Insights.of(facts, limits)
    for key, who in published(insights, facts).items():
        assert len(who) >= minimum(key.metric, limits), key
        assert insights.published.values[key] == sum(who.values()), key


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations(), thresholds)
def test_no_difference_of_two_published_figures_singles_anyone_out(facts: Facts, limits: Thresholds) -> None:
    insights = Insights.of(facts, limits)
    figures = published(insights, facts)
    for (a, who_a), (b, who_b) in itertools.permutations(figures.items(), 2):
        if unit(a.metric) != unit(b.metric):
            continue
        differ = describes(who_a, who_b)
        if differ:
            assert differ >= max(minimum(a.metric, limits), minimum(b.metric, limits)), (a, b, differ)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations(), thresholds)
def test_no_total_minus_the_parts_shown_beside_it_singles_anyone_out(facts: Facts, limits: Thresholds) -> None:
    """Complementary suppression: weeks of a month, months of a quarter, teams of a department,
    departments and campaigns of the workspace, themes of everyone naming one, streak buckets."""
    insights = Insights.of(facts, limits)
    figures = published(insights, facts)
    grid = [p for p in insights.lattice.periods if p.scope is None]
    parent = insights.lattice.parent_of
    for key, total in figures.items():
        splits = [[k for k in figures if k.metric == key.metric and (k.group_kind, k.group) == (key.group_kind, key.group)
                   and k.period in {p.key for p in parts(insights.period(key.period), grid)}]]
        for kind in ("team", "department", "campaign"):
            splits.append([k for k in figures if k.metric == key.metric and k.period == key.period and k.group_kind == kind
                           and parent.get((k.group_kind, k.group)) == (key.group_kind, key.group)])
        if key.metric in ("barrier_people", "streak_leaders"):
            splits.append([k for k in figures if k.period == key.period and (k.group_kind, k.group) == (
                key.group_kind, key.group) and (k.metric.startswith("theme:") if key.metric == "barrier_people"
                                                 else k.metric in BUCKETS)])
        for split in splits:
            if key.metric.startswith("streak:") and split is splits[0]:
                continue
            covered: dict[int, int] = {}
            for child in split:
                for person, amount in figures[child].items():
                    covered[person] = covered.get(person, 0) + amount
            left = sum(1 for person, amount in total.items() if amount > covered.get(person, 0))
            assert left == 0 or left >= minimum(key.metric, limits), (key, split, left)


@settings(max_examples=EXAMPLES // 2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations(), thresholds, st.sampled_from(["team", "department", "campaign", "week", "workspace"]),
       st.sampled_from(KINDS))
def test_report_rows_show_only_published_figures_and_say_why_others_are_withheld(
        facts: Facts, limits: Thresholds, by: str, period: str) -> None:
    insights = Insights.of(facts, limits)
    shown = {(r.period, r.group_kind, r.group, r.metric): r for r in insights.rows(by, period)}
    for (p, kind, group, metric), row in shown.items():
        key = Key(p, kind, group, metric)
        if metric in DERIVED:
            top, bottom = DERIVED[metric]
            expected = insights.published.ratio(key._replace(metric=top), key._replace(metric=bottom))
            assert row.value == expected
        else:
            assert row.value == insights.published.values.get(key)
        if row.value is None:
            assert row.note.startswith("withheld:")
            if "pooled into" in row.note:
                into = row.note.split("pooled into ", 1)[1]
                assert any(f"{r.group_kind} {r.group}, {r.period}" == into and r.value is not None
                           for r in shown.values()), row
