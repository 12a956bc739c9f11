"""The fair streak: a week counts when the leader shared and answered a reply, or shared and nobody
replied by the end of their week; the week in progress is in progress, never lost; a teammate's
reply never lowers what the leader sees; longest never goes down."""
from dataclasses import replace
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from bot.core.streaks import ShareOutcome, compute_streak, iso_week, previous_week, weekly_effect, weeks_between

THIS = "2026-W48"


def shared(week: str, replies: bool = False, answered: bool = False) -> ShareOutcome:
    return ShareOutcome(week=week, got_replies=replies, leader_answered=answered, replies=int(replies))


def test_no_shares_is_no_streak() -> None:
    streak = compute_streak([], set(), THIS)
    assert (streak.current, streak.longest) == (0, 0)


def test_a_past_week_counts_when_answered_or_quiet_to_its_end_and_not_when_ignored() -> None:
    assert compute_streak([shared("2026-W47")], set(), THIS).current == 1
    assert compute_streak([shared("2026-W47", replies=True, answered=True)], set(), THIS).current == 1
    assert compute_streak([shared("2026-W47", replies=True)], set(), THIS).current == 0


def test_this_week_is_in_progress_until_answered_and_a_teammate_reply_changes_nothing_shown() -> None:
    before = compute_streak([shared("2026-W47"), shared(THIS)], set(), THIS)
    assert (before.current, before.in_progress, before.this_week_counted) == (1, True, False)
    replied = compute_streak([shared("2026-W47"), shared(THIS, replies=True)], set(), THIS)
    assert (replied.current, replied.longest) == (before.current, before.longest)
    assert replied.in_progress and replied.waiting_for_answer
    answered = compute_streak([shared("2026-W47"), shared(THIS, replies=True, answered=True)], set(), THIS)
    assert (answered.current, answered.this_week_counted, answered.in_progress) == (2, True, False)


def test_the_first_share_ever_does_not_drop_from_one_to_zero_when_a_teammate_replies() -> None:
    quiet, replied = (compute_streak([shared(THIS, replies=r)], set(), THIS) for r in (False, True))
    assert quiet.current == replied.current == 0 and quiet.in_progress and replied.in_progress


def test_the_week_in_progress_does_not_break_the_streak() -> None:
    streak = compute_streak([shared("2026-W46"), shared("2026-W47")], set(), THIS)
    assert streak.current == 2 and not streak.this_week_counted and not streak.in_progress


def test_a_missed_week_breaks_it_but_longest_remembers() -> None:
    shares = [shared("2026-W40"), shared("2026-W41"), shared("2026-W42"), shared("2026-W45"), shared("2026-W46")]
    streak = compute_streak(shares, set(), "2026-W47")
    assert (streak.current, streak.longest) == (2, 3)


def test_longest_never_goes_below_what_was_shown() -> None:
    streak = compute_streak([shared("2026-W47")], set(), THIS, shown_longest=5)
    assert (streak.current, streak.longest) == (1, 5)
    assert compute_streak([], set(), THIS, shown_longest=5).longest == 5


def test_a_snoozed_week_freezes_instead_of_breaking() -> None:
    shares = [shared("2026-W44"), shared("2026-W46")]
    assert compute_streak(shares, {"2026-W45"}, "2026-W47").current == 2
    assert compute_streak(shares, set(), "2026-W47").current == 1


def test_streak_crosses_the_year_boundary() -> None:
    shares = [shared("2026-W52"), shared("2026-W53"), shared("2027-W01", replies=True, answered=True)]
    assert compute_streak(shares, set(), "2027-W01").current == 3


def test_weeks_between_covers_partial_weeks() -> None:
    assert weeks_between(date(2026, 11, 22), date(2026, 11, 24)) == {iso_week(date(2026, 11, 22)), "2026-W48"}


def test_the_last_eight_weeks_of_effect_oldest_first() -> None:
    shares = [replace(shared("2026-W46", replies=True, answered=True), replies=3), shared("2026-W47", replies=True),
              shared(THIS)]
    weeks = weekly_effect(shares, {"2026-W44"}, THIS)
    assert [w.week for w in weeks][-3:] == ["2026-W46", "2026-W47", THIS] and len(weeks) == 8
    assert [(w.replies, w.answered, w.state) for w in weeks[-5:]] == [
        (0, False, "frozen"), (0, False, "none"), (3, True, "counted"), (1, False, "missed"), (0, False, "in_progress")]


WEEKS = [THIS]
for _ in range(9):
    WEEKS.append(previous_week(WEEKS[-1]))
history = st.lists(st.builds(shared, st.sampled_from(WEEKS), st.booleans(), st.booleans()), max_size=12)


@given(history, st.sets(st.sampled_from(WEEKS)), st.integers(0, 10))
def test_a_teammate_reply_never_lowers_what_the_leader_sees(shares: list[ShareOutcome], frozen: set[str],
                                                            shown: int) -> None:
    before = compute_streak(shares + [shared(THIS)], frozen, THIS, shown)
    after = compute_streak(shares + [shared(THIS, replies=True)], frozen, THIS, shown)
    assert after.current >= before.current and after.longest >= before.longest


@given(history, st.sets(st.sampled_from(WEEKS)), st.integers(0, 10))
def test_longest_is_never_below_current_or_what_was_shown(shares: list[ShareOutcome], frozen: set[str],
                                                          shown: int) -> None:
    streak = compute_streak(shares, frozen, THIS, shown)
    assert streak.longest >= max(streak.current, shown)
