"""Rotation arithmetic: handoffs keep their local wall time across DST."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.oncall.schedules.rotation import Rotation, Window, local_wall, parse_days

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def daily(zone: ZoneInfo, start: datetime, people: tuple[int, ...] = (1, 2, 3)) -> Rotation:
    return Rotation(starts_at=start.replace(tzinfo=zone).astimezone(UTC), shift_hours=24,
                    participants=people, zone=zone)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_berlin_spring_forward_handoff_stays_at_nine_local():
    # 2026-03-29: clocks go 02:00 CET -> 03:00 CEST; 09:00 local is 07:00 UTC that day.
    rotation = daily(BERLIN, datetime(2026, 3, 27, 9, 0))
    assert rotation.on_call(utc("2026-03-29T06:59")) == 2  # Saturday's person, still
    assert rotation.on_call(utc("2026-03-29T07:00")) == 3  # 09:00 CEST: handoff
    assert rotation.handoff(2) - rotation.handoff(1) == timedelta(hours=23)


def test_berlin_fall_back_shift_lasts_twenty_five_hours():
    # 2026-10-25: clocks go 03:00 CEST -> 02:00 CET; 09:00 local is 08:00 UTC that day.
    rotation = daily(BERLIN, datetime(2026, 10, 24, 9, 0))
    assert rotation.on_call(utc("2026-10-25T07:59")) == 1
    assert rotation.on_call(utc("2026-10-25T08:00")) == 2
    assert rotation.handoff(1) - rotation.handoff(0) == timedelta(hours=25)


def test_new_york_spring_and_fall_handoffs_at_nine_local():
    # 2026-03-08 and 2026-11-01 are the US transitions.
    spring = daily(NEW_YORK, datetime(2026, 3, 7, 9, 0))
    assert spring.on_call(utc("2026-03-08T12:59")) == 1  # 08:59 EDT
    assert spring.on_call(utc("2026-03-08T13:00")) == 2  # 09:00 EDT
    fall = daily(NEW_YORK, datetime(2026, 10, 31, 9, 0))
    assert fall.on_call(utc("2026-11-01T13:59")) == 1    # 08:59 EST
    assert fall.on_call(utc("2026-11-01T14:00")) == 2    # 09:00 EST


def test_weekly_rotation_hands_off_on_the_same_weekday_and_time():
    rotation = Rotation(starts_at=datetime(2026, 3, 23, 10, 0, tzinfo=BERLIN).astimezone(UTC),
                        shift_hours=168, participants=(1, 2), zone=BERLIN)
    second = rotation.handoff(1)
    assert local_wall(second, BERLIN) == datetime(2026, 3, 30, 10, 0)
    assert second - rotation.handoff(0) == timedelta(hours=167)  # the week with the DST change
    assert rotation.on_call(second - timedelta(seconds=1)) == 1
    assert rotation.on_call(second) == 2
    assert rotation.on_call(rotation.handoff(2)) == 1


def test_nobody_before_the_rotation_starts_or_after_it_ends():
    start = utc("2026-01-05T09:00")
    rotation = Rotation(starts_at=start, shift_hours=12, participants=(7,), zone=ZoneInfo("UTC"),
                        ends_at=start + timedelta(days=1))
    assert rotation.on_call(start - timedelta(seconds=1)) is None
    assert rotation.on_call(start) == 7
    assert rotation.on_call(start + timedelta(days=1)) is None


def test_overnight_window_belongs_to_the_day_it_opens():
    window = Window(start=time(18, 0), end=time(9, 0), days=parse_days("mon-fri"))
    assert window.covers(datetime(2026, 1, 9, 23, 0))      # Friday night
    assert window.covers(datetime(2026, 1, 10, 8, 59))     # Saturday morning, Friday's window
    assert not window.covers(datetime(2026, 1, 10, 20, 0))  # Saturday night
    assert not window.covers(datetime(2026, 1, 12, 8, 0))   # Monday morning: Sunday's window
    assert not window.covers(datetime(2026, 1, 12, 12, 0))


def test_day_ranges_wrap_around_the_week():
    assert parse_days("fri-mon") == frozenset({4, 5, 6, 0})
    assert parse_days("") == frozenset(range(7))


@settings(max_examples=60, deadline=None)
@given(zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Sydney",
                             "Asia/Kolkata", "UTC"]),
       hours=st.sampled_from([8, 12, 24, 168]),
       offset_days=st.integers(min_value=0, max_value=700),
       start_hour=st.integers(min_value=0, max_value=23))
def test_handoffs_always_move_forward_and_keep_their_local_time(zone, hours, offset_days,
                                                                start_hour):
    tz = ZoneInfo(zone)
    first = datetime(2025, 1, 1, start_hour, 30) + timedelta(days=offset_days)
    rotation = Rotation(starts_at=first.replace(tzinfo=tz).astimezone(UTC), shift_hours=hours,
                        participants=(1, 2, 3, 4), zone=tz)
    previous = rotation.handoff(0)
    for index in range(1, 40):
        moment = rotation.handoff(index)
        assert moment > previous
        assert rotation.shift_index(moment) == index
        assert rotation.shift_index(moment - timedelta(seconds=1)) == index - 1
        expected = (local_wall(rotation.starts_at, tz) + timedelta(hours=index * hours))
        if expected.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(
                tzinfo=None) == expected:  # the wall time exists that day
            assert local_wall(moment, tz) == expected
        previous = moment
