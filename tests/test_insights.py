"""HR's barrier report never shows a group smaller than the minimum, directly or by subtraction."""
from __future__ import annotations

from datetime import date

from bot.insights import Insights, Thresholds, barriers
from bot.insights.model import Facts, ReplyFact, ShareFact, TeamFact

W = "local:t"


def named(themes_by_person: dict[int, tuple[str, ...]], leader_theme: tuple[str, ...] = ()) -> Facts:
    """One team, one share by leader 1; each teammate replies once naming the given themes."""
    return Facts(W, date(2026, 11, 26), teams=(TeamFact(1, "Product", 1, "Eng"),),
                 shares=(ShareFact(1, 1, 1, None, "2026-W48", leader_theme),),
                 replies=tuple(ReplyFact(1, person, False, themes) for person, themes in themes_by_person.items()))


def test_total_minus_a_shown_theme_never_reveals_the_one_other_person() -> None:
    """Issue 14: six people, five name time (the leader and four teammates); showing 6 and 5 tells
    HR what the sixth said."""
    report = barriers(Insights.of(named({2: ("time",), 3: ("time",), 4: ("time",), 5: ("time",), 7: ("fear",)},
                                        leader_theme=("time",)), Thresholds(5, 5)))
    shown = {c.theme: c.people for c in report.themes}
    assert shown == {"time": 5}
    assert report.people is None  # the total is withheld, so nothing can be subtracted from it
    assert report.suppressed == 1


def test_a_theme_is_withheld_when_the_repliers_minus_it_are_a_few() -> None:
    """Six teammates replied, five named time: 'repliers minus time' would be the sixth."""
    report = barriers(Insights.of(named({2: ("time",), 3: ("time",), 4: ("time",), 5: ("time",), 6: ("time",),
                                         7: ("fear",)}), Thresholds(5, 5)))
    assert report.themes == ()


def test_small_groups_are_withheld_entirely() -> None:
    report = barriers(Insights.of(named({2: ("time",), 3: ("time",), 4: ("fear",)}), Thresholds(5, 10)))
    assert report.withheld and report.themes == () and report.people is None


def test_themes_need_the_free_text_minimum_not_the_people_minimum() -> None:
    nine = {person: ("time",) for person in range(2, 11)}
    assert barriers(Insights.of(named(nine), Thresholds(5, 10))).themes == ()
    ten = {person: ("time",) for person in range(2, 12)}
    assert [(c.theme, c.people) for c in barriers(Insights.of(named(ten), Thresholds(5, 10))).themes] == [("time", 10)]


def test_a_total_and_its_themes_are_both_shown_when_every_difference_is_large() -> None:
    people = {person: ("time",) for person in range(2, 12)} | {person: ("fear",) for person in range(12, 22)}
    report = barriers(Insights.of(named(people), Thresholds(5, 10)))
    assert report.people == 20 and [(c.theme, c.people) for c in report.themes] == [("fear", 10), ("time", 10)]
