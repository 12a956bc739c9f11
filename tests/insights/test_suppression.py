"""The audit's three rules on hand-made cells, and the choice it makes when two figures clash."""
from __future__ import annotations

from bot.insights.suppression import PEOPLE, REPLIES, Breakdown, Cell, Key, audit


def cell(period: str, group: str, metric: str, people: range | set[int], rank: int = 10, minimum: int = 5,
         amounts: dict[int, int] | None = None, unit: str = PEOPLE) -> Cell:
    return Cell(Key(period, "team", group, metric), frozenset(people), unit, minimum, rank, amounts)


def test_a_cell_below_its_minimum_is_withheld_whatever_the_caller_passes() -> None:
    shown = audit([cell("all", "A", "repliers", range(4)), cell("all", "B", "repliers", range(10, 19), minimum=10)], [])
    assert shown.values == {}


def test_of_two_nested_figures_a_few_people_apart_the_coarser_one_stays() -> None:
    month = cell("2026-11", "A", "repliers", range(7), rank=30)
    week = cell("2026-W48", "A", "repliers", range(5), rank=20)
    assert audit([week, month], []).values == {month.key: 7}


def test_nested_figures_far_enough_apart_are_both_shown() -> None:
    month, week = cell("2026-11", "A", "repliers", range(10), rank=30), cell("2026-W48", "A", "repliers", range(5))
    assert set(audit([month, week], []).values) == {month.key, week.key}


def test_the_same_people_with_different_counts_can_still_single_someone_out() -> None:
    """Five people replied in both; one of them replied three more times in the month's other weeks."""
    week = cell("2026-W48", "A", "replies", range(5), amounts=dict.fromkeys(range(5), 1), unit=REPLIES)
    month = cell("2026-11", "A", "replies", range(5), rank=30, amounts={0: 4, 1: 1, 2: 1, 3: 1, 4: 1}, unit=REPLIES)
    assert audit([week, month], []).values == {month.key: 8}


def test_figures_that_do_not_contain_each_other_never_clash() -> None:
    a, b = cell("all", "A", "repliers", range(0, 6)), cell("all", "B", "repliers", range(1, 7))
    assert len(audit([a, b], []).values) == 2


def test_the_stricter_minimum_decides_for_a_clash_between_a_theme_and_a_count() -> None:
    repliers = cell("all", "A", "repliers", range(16), rank=30)
    theme = cell("all", "A", "theme:time", range(10), minimum=10)
    assert audit([repliers, theme], []).values == {repliers.key: 16}  # 6 apart: fine for 5, not for 10


def test_complementary_suppression_withholds_the_next_smallest_part() -> None:
    """A department of 20 and its teams of 3, 6, 11: with the 3 hidden, the 6 must go too, or
    20 - 11 - 6 gives the small team away."""
    department = Cell(Key("all", "department", "D", "repliers"), frozenset(range(20)), PEOPLE, 5, 40)
    teams = [Cell(Key("all", "team", name, "repliers"), frozenset(people), PEOPLE, 5, 20)
             for name, people in (("small", range(3)), ("mid", range(3, 9)), ("big", range(9, 20)))]
    shown = audit([department, *teams], [Breakdown(department.key, tuple(t.key for t in teams), 5)])
    assert set(shown.values) == {department.key, teams[2].key}


def test_parts_that_add_up_exactly_need_no_extra_suppression() -> None:
    department = Cell(Key("all", "department", "D", "repliers"), frozenset(range(12)), PEOPLE, 5, 40)
    teams = [Cell(Key("all", "team", n, "repliers"), frozenset(p), PEOPLE, 5, 20) for n, p in
             (("a", range(6)), ("b", range(6, 12)))]
    shown = audit([department, *teams], [Breakdown(department.key, tuple(t.key for t in teams), 5)])
    assert len(shown.values) == 3


def test_a_ratio_is_shown_only_from_two_shown_figures() -> None:
    nudged, shared = cell("all", "A", "leaders_nudged", range(10), rank=30), cell("all", "A", "leaders_shared", range(5))
    shown = audit([nudged, shared], [])
    assert shown.ratio(shared.key, nudged.key) == 0.5
    assert shown.ratio(Key("all", "team", "A", "missing"), nudged.key) is None
