from datetime import date

from bot.core.streaks import ShareOutcome, compute_streak, iso_week, weeks_between


def shared(week: str, replies: bool = False, answered: bool = False) -> ShareOutcome:
    return ShareOutcome(week=week, got_replies=replies, leader_answered=answered)


def test_no_shares_is_no_streak() -> None:
    streak = compute_streak([], set(), "2026-W48")
    assert (streak.current, streak.longest) == (0, 0)


def test_a_share_with_no_replies_counts_and_an_unanswered_one_does_not() -> None:
    assert compute_streak([shared("2026-W48")], set(), "2026-W48").current == 1
    unanswered = compute_streak([shared("2026-W48", replies=True)], set(), "2026-W48")
    assert unanswered.current == 0 and unanswered.waiting_for_answer
    answered = compute_streak([shared("2026-W48", replies=True, answered=True)], set(), "2026-W48")
    assert answered.current == 1 and answered.this_week_counted


def test_the_week_in_progress_does_not_break_the_streak() -> None:
    shares = [shared("2026-W46"), shared("2026-W47")]
    streak = compute_streak(shares, set(), "2026-W48")
    assert streak.current == 2 and not streak.this_week_counted


def test_a_missed_week_breaks_it_but_longest_remembers() -> None:
    shares = [shared("2026-W40"), shared("2026-W41"), shared("2026-W42"), shared("2026-W45"), shared("2026-W46")]
    streak = compute_streak(shares, set(), "2026-W46")
    assert (streak.current, streak.longest) == (2, 3)


def test_a_snoozed_week_freezes_instead_of_breaking() -> None:
    shares = [shared("2026-W44"), shared("2026-W46")]
    assert compute_streak(shares, {"2026-W45"}, "2026-W46").current == 2
    assert compute_streak(shares, set(), "2026-W46").current == 1


def test_streak_crosses_the_year_boundary() -> None:
    shares = [shared("2026-W52"), shared("2026-W53"), shared("2027-W01")]
    assert compute_streak(shares, set(), "2027-W01").current == 3


def test_weeks_between_covers_partial_weeks() -> None:
    assert weeks_between(date(2026, 11, 22), date(2026, 11, 24)) == {iso_week(date(2026, 11, 22)), "2026-W48"}
