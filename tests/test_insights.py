"""HR's barrier aggregates never show a group smaller than the minimum."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.insights import aggregate


def test_small_groups_are_withheld_entirely() -> None:
    report = aggregate({"time": {"a", "b"}, "fear": {"c"}}, min_group_size=5)
    assert report.withheld and report.themes == ()


def test_only_themes_named_by_enough_people_are_shown() -> None:
    named = {"time": {f"p{i}" for i in range(6)}, "it_access": {"p1", "p2", "p3", "p4", "p5"}, "fear": {"p9"}}
    report = aggregate(named, min_group_size=5)
    assert [(c.theme, c.people) for c in report.themes] == [("time", 6), ("it_access", 5)]
    assert report.people == 7 and report.suppressed == 1


@given(st.dictionaries(st.sampled_from(["time", "fear", "policy", "system"]),
                       st.sets(st.integers(0, 12).map(str), min_size=1), max_size=4),
       st.integers(2, 8))
def test_no_shown_count_is_ever_below_the_minimum(named: dict[str, set[str]], minimum: int) -> None:
    report = aggregate(named, minimum)
    assert all(c.people >= minimum for c in report.themes)
    assert report.withheld or report.people >= minimum
