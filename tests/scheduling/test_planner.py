"""Local send times: across zones and DST changes, inside working hours, off quiet days, capped."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.scheduling.cap import Cap, add_working_days, apply_cap, working_hours_between
from bot.scheduling.planner import Cadence, Hours, PlanError, cron_trigger, describe, parse_days, slots, zone_named

UTC = timezone.utc
MONDAY_10 = Cadence(weekday=0, local_time=time(10, 0))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def sends(cadence: Cadence, tz: str, start: datetime, days: int, **hours: object) -> list[str]:
    found = slots(cadence, Hours(tz=tz, **hours), start, start + timedelta(days=days))  # type: ignore[arg-type]
    return [s.due_utc.strftime("%Y-%m-%d %H:%M") for s in found]


@pytest.mark.parametrize(("tz", "expected"), [
    # Berlin leaves summer time on 25 October: 10:00 local is 08:00 UTC before, 09:00 UTC after.
    ("Europe/Berlin", ["2026-10-19 08:00", "2026-10-26 09:00"]),
    # New York leaves daylight time on 1 November: 14:00 UTC before, 15:00 UTC after.
    ("America/New_York", ["2026-10-26 14:00", "2026-11-02 15:00"]),
    # A half-hour zone, and zones without DST, keep the same UTC time every week.
    ("Asia/Kolkata", ["2026-10-19 04:30", "2026-10-26 04:30"]),
    ("Asia/Tokyo", ["2026-10-19 01:00", "2026-10-26 01:00"]),
])
def test_ten_oclock_local_across_the_autumn_change(tz: str, expected: list[str]) -> None:
    start = utc(2026, 10, 25) if tz == "America/New_York" else utc(2026, 10, 18)
    assert sends(MONDAY_10, tz, start, 14) == expected


@pytest.mark.parametrize(("tz", "expected"), [
    ("Europe/Berlin", ["2026-03-23 09:00", "2026-03-30 08:00"]),      # spring forward 29 March
    ("America/New_York", ["2026-03-02 15:00", "2026-03-09 14:00"]),   # spring forward 8 March
])
def test_ten_oclock_local_across_the_spring_change(tz: str, expected: list[str]) -> None:
    start = utc(2026, 3, 22) if tz == "Europe/Berlin" else utc(2026, 3, 1)
    assert sends(MONDAY_10, tz, start, 14) == expected


def test_a_time_the_clocks_skip_moves_past_the_gap_and_says_so() -> None:
    # Sunday 29 March 2026, 02:30 does not exist in Berlin; this person works Sundays at night.
    cadence = Cadence(weekday=6, local_time=time(2, 30))
    hours = Hours(tz="Europe/Berlin", work_start=time(0, 0), work_end=time(23, 59), quiet_days=frozenset())
    [slot] = slots(cadence, hours, utc(2026, 3, 28), utc(2026, 3, 30))
    assert slot.due.strftime("%H:%M %z") == "03:30 +0200"
    assert "clocks go forward" in slot.reasons[0]


def test_moved_inside_working_hours_and_off_quiet_days_with_reasons() -> None:
    early = slots(Cadence(weekday=0, local_time=time(7, 0)), Hours(tz="Asia/Kolkata"), utc(2026, 11, 29), utc(2026, 12, 6))
    assert early[0].due.isoformat() == "2026-11-30T09:00:00+05:30"
    assert "before working hours" in early[0].reasons[0]
    # Friday 18:00 is after hours, and the next morning is Saturday: it lands on Monday at 09:00.
    late = slots(Cadence(weekday=4, local_time=time(18, 0)), Hours(tz="America/New_York"), utc(2026, 11, 27), utc(2026, 12, 4))
    assert late[0].due.isoformat() == "2026-11-30T09:00:00-05:00"
    assert late[0].period == "2026-W48"  # still the week the campaign asked for
    assert any("Saturday is a quiet day" in r for r in late[0].reasons)
    # A campaign quiet day (Monday) moves the Monday send to Tuesday.
    quiet = slots(Cadence(weekday=0, quiet_days=frozenset({0})), Hours(tz="UTC"), utc(2026, 11, 29), utc(2026, 12, 6))
    assert quiet[0].due.strftime("%A %H:%M") == "Tuesday 10:00"


def test_weekend_is_allowed_only_when_the_person_works_it() -> None:
    saturday = Cadence(weekday=5)
    assert slots(saturday, Hours(tz="UTC"), utc(2026, 11, 28), utc(2026, 11, 29))[0].due.strftime("%A") == "Monday"
    weekender = Hours(tz="UTC", quiet_days=frozenset({0, 1}))
    assert slots(saturday, weekender, utc(2026, 11, 28), utc(2026, 11, 29))[0].due.strftime("%A") == "Saturday"


def test_every_two_weeks_and_start_end_dates() -> None:
    cadence = Cadence(weekday=1, every_n_weeks=2, start_date=date(2026, 11, 3), end_date=date(2026, 12, 20))
    found = sends(cadence, "UTC", utc(2026, 11, 1), 60)
    assert found == ["2026-11-03 10:00", "2026-11-17 10:00", "2026-12-01 10:00", "2026-12-15 10:00"]


def test_cron_weekdays_read_the_standard_way_in_local_time() -> None:
    # "1" is Monday in crontab (APScheduler 3 alone would read it as Tuesday).
    found = slots(Cadence(cron="30 9 * * 1"), Hours(tz="Asia/Kolkata"), utc(2026, 11, 23), utc(2026, 12, 7))
    assert [s.due.isoformat() for s in found] == ["2026-11-23T09:30:00+05:30", "2026-11-30T09:30:00+05:30"]
    assert found[0].period == "2026-11-23"
    weekdays = slots(Cadence(cron="0 11 * * 1-5"), Hours(tz="UTC"), utc(2026, 11, 23), utc(2026, 11, 30))
    assert [s.due.strftime("%a") for s in weekdays] == ["Mon", "Tue", "Wed", "Thu", "Fri"]


@pytest.mark.parametrize("bad", ["61 * * * *", "* * *", "0 10 * * funday"])
def test_bad_cron_names_the_field_and_an_example(bad: str) -> None:
    with pytest.raises(PlanError) as caught:
        cron_trigger(bad, zone_named("UTC"))
    assert caught.value.field == "cron" and "0 10 * * mon" in str(caught.value)


def test_unknown_timezone_and_bad_days_name_the_fix() -> None:
    with pytest.raises(PlanError, match="IANA name"):
        zone_named("Mars/Olympus")
    with pytest.raises(PlanError, match="mon..sun"):
        parse_days("sat,funday")
    assert parse_days("sat, sun") == parse_days("5,6") == frozenset({5, 6})


def test_describe_gives_iso_local_time_with_the_zone() -> None:
    assert describe(utc(2026, 11, 30, 4, 30), "Asia/Kolkata") == "2026-11-30T10:00:00+05:30[Asia/Kolkata]"


# --- the frequency cap ---------------------------------------------------------------------------

def test_cap_defers_a_second_nudge_on_the_same_day_to_the_next_working_day() -> None:
    hours = Hours(tz="Europe/Berlin")
    first = datetime(2026, 11, 27, 10, tzinfo=zone_named("Europe/Berlin"))  # a Friday
    second = first.replace(hour=11)
    moved, why = apply_cap(second, [first], hours, Cap())
    assert moved.isoformat() == "2026-11-30T11:00:00+01:00"  # Monday, same wall time
    assert why is not None and "deferred by the frequency cap" in why


def test_cap_holds_three_a_week_and_defers_the_fourth_to_next_week() -> None:
    hours, zone = Hours(tz="UTC"), zone_named("UTC")
    taken = [datetime(2026, 11, d, 10, tzinfo=zone) for d in (23, 24, 25)]
    moved, why = apply_cap(datetime(2026, 11, 26, 10, tzinfo=zone), taken, hours, Cap())
    assert moved.date() == date(2026, 11, 30) and "week" in (why or "")
    assert apply_cap(taken[0], [], hours, Cap()) == (taken[0], None)


def test_a_campaign_busier_than_the_cap_is_held_back_not_piled_up() -> None:
    hours, zone = Hours(tz="UTC"), zone_named("UTC")
    busy = [datetime(2026, 11, 23, 10, tzinfo=zone) + timedelta(days=d) for d in range(14) if d % 7 < 5]
    moved, why = apply_cap(datetime(2026, 11, 26, 10, tzinfo=zone), busy, hours, Cap())
    assert moved is None and "held back by the frequency cap" in (why or "")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=20 * 24), max_size=12))
def test_cap_never_lets_more_than_one_a_day_or_three_a_week(hour_offsets: list[int]) -> None:
    """Any stream of requested sends, placed one by one through the cap, respects both limits."""
    hours, zone = Hours(tz="America/New_York"), zone_named("America/New_York")
    taken: list[datetime] = []
    for offset in sorted(hour_offsets):
        wanted = datetime(2026, 11, 2, 10, tzinfo=zone) + timedelta(hours=offset)
        moved, _ = apply_cap(wanted, taken, hours, Cap(), max_days=70)
        assert moved is not None and moved >= wanted
        taken.append(moved)
    days = [t.astimezone(zone).date() for t in taken]
    assert all(days.count(d) <= 1 for d in days)
    weeks = [d.isocalendar()[:2] for d in days]
    assert all(weeks.count(w) <= 3 for w in weeks)
    assert len(taken) == len(hour_offsets)  # deferred, never dropped


def test_working_time_skips_nights_and_weekends() -> None:
    hours = Hours(tz="UTC")
    friday_4pm, monday_10am = utc(2026, 11, 27, 16), utc(2026, 11, 30, 10)
    assert working_hours_between(friday_4pm, monday_10am, hours) == 2.0
    assert add_working_days(utc(2026, 11, 26, 10), 2, hours) == monday_10am  # Thursday + 2 = Monday


def test_a_campaign_zone_puts_everyone_at_the_same_instant_within_their_hours() -> None:
    # "10:00 Berlin time" for everyone: Kolkata gets 14:30, New York's 04:00 moves to 09:00 there.
    cadence = Cadence(weekday=0, tz="Europe/Berlin")
    kolkata = slots(cadence, Hours(tz="Asia/Kolkata"), utc(2026, 11, 29), utc(2026, 12, 1))[0]
    assert kolkata.due.isoformat() == "2026-11-30T14:30:00+05:30" and kolkata.reasons == ()
    new_york = slots(cadence, Hours(tz="America/New_York"), utc(2026, 11, 29), utc(2026, 12, 1))[0]
    assert new_york.due.isoformat() == "2026-11-30T09:00:00-05:00"
