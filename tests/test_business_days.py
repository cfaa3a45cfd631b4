"""Business days: weekends and the observed federal holidays of 5 U.S.C. 6103 are skipped."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from exposure.core.business_days import (
    add_business_days,
    federal_holidays,
    is_business_day,
    next_business_day,
)

# The federal holiday calendars OPM publishes, written out by hand.
OPM_2026 = [
    date(2026, 1, 1),
    date(2026, 1, 19),
    date(2026, 2, 16),
    date(2026, 5, 25),
    date(2026, 6, 19),
    date(2026, 7, 3),  # Independence Day, Saturday 4 July, observed Friday
    date(2026, 9, 7),
    date(2026, 10, 12),
    date(2026, 11, 11),
    date(2026, 11, 26),
    date(2026, 12, 25),
]
OPM_2021 = [
    date(2021, 1, 1),
    date(2021, 1, 18),
    date(2021, 1, 20),  # Inauguration Day: not counted (DC area only), see below
    date(2021, 2, 15),
    date(2021, 5, 31),
    date(2021, 6, 18),  # first Juneteenth, Saturday 19 June, observed Friday
    date(2021, 7, 5),  # Independence Day on a Sunday, observed Monday
    date(2021, 9, 6),
    date(2021, 10, 11),
    date(2021, 11, 11),
    date(2021, 11, 25),
    date(2021, 12, 24),  # Christmas on a Saturday, observed Friday
    date(2021, 12, 31),  # New Year's Day 2022 on a Saturday, observed Friday 31 December
]


def test_2026_calendar():
    assert list(federal_holidays(2026)) == OPM_2026


def test_2021_calendar_with_observed_days_and_no_inauguration_day():
    expected = [d for d in OPM_2021 if d != date(2021, 1, 20)]
    assert list(federal_holidays(2021)) == expected
    assert is_business_day(date(2021, 1, 20))


def test_new_years_day_observed_in_the_year_before():
    assert date(2022, 1, 1) not in federal_holidays(2022)  # a Saturday
    assert federal_holidays(2021)[date(2021, 12, 31)] == "New Year's Day (observed)"


def test_sunday_holidays_move_to_monday():
    assert federal_holidays(2022)[date(2022, 6, 20)] == (
        "Juneteenth National Independence Day (observed)"
    )
    assert federal_holidays(2022)[date(2022, 12, 26)] == "Christmas Day (observed)"


def test_holidays_by_law_and_year():
    assert date(2020, 6, 19) not in federal_holidays(2020)  # Juneteenth from 2021
    assert date(1985, 1, 21) not in federal_holidays(1985)  # King's birthday from 1986
    assert federal_holidays(1986)[date(1986, 1, 20)] == "Birthday of Martin Luther King, Jr."
    with pytest.raises(ValueError, match="1971"):
        federal_holidays(1970)


def test_across_independence_day_weekend():
    # Thursday 2 July 2026: Friday 3 is the observed holiday, then the weekend.
    assert add_business_days(date(2026, 7, 2), 1) == date(2026, 7, 6)
    assert add_business_days(date(2026, 7, 2), 3) == date(2026, 7, 8)


def test_across_thanksgiving():
    assert add_business_days(date(2026, 11, 25), 1) == date(2026, 11, 27)
    assert add_business_days(date(2026, 11, 25), 3) == date(2026, 12, 1)
    assert add_business_days(date(2026, 11, 27), 10) == date(2026, 12, 11)


def test_across_christmas_and_new_year_observed_on_fridays():
    # 2027: Christmas (Saturday) observed Friday 24 Dec, New Year 2028 (Saturday) Friday 31.
    assert add_business_days(date(2027, 12, 23), 1) == date(2027, 12, 27)
    assert add_business_days(date(2027, 12, 30), 1) == date(2028, 1, 3)
    assert add_business_days(date(2027, 12, 23), 10) == date(2028, 1, 10)


def test_weekends_and_holidays_count_from_the_next_business_day():
    assert add_business_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday -> Monday
    assert add_business_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # Saturday -> Monday
    assert add_business_days(date(2026, 9, 7), 1) == date(2026, 9, 8)  # Labor Day -> Tuesday
    assert next_business_day(date(2026, 9, 4)) == date(2026, 9, 8)
    assert add_business_days(date(2026, 3, 7), 0) == date(2026, 3, 7)
    with pytest.raises(ValueError):
        add_business_days(date(2026, 3, 7), -1)


def _numpy_holidays(first: int, last: int) -> list[np.datetime64]:
    return [np.datetime64(d) for y in range(first, last + 1) for d in federal_holidays(y)]


@given(
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)),
    days=st.integers(min_value=0, max_value=40),
)
def test_matches_numpy_business_day_calendar(start, days):
    # numpy's business-day calendar is the oracle: roll a non-business start back to the
    # previous business day (counting starts after it), then step forward.
    holidays = _numpy_holidays(start.year - 1, start.year + 1)
    expected = np.busday_offset(np.datetime64(start), days, roll="backward", holidays=holidays)
    if days == 0:
        expected = np.datetime64(start)
    assert np.datetime64(add_business_days(start, days)) == expected


@given(day=st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)))
def test_business_day_means_weekday_and_not_holiday(day):
    observed = day in federal_holidays(day.year)
    assert is_business_day(day) == (day.weekday() < 5 and not observed)
    # every observed holiday is a weekday, within a day of its date
    if observed:
        assert day.weekday() < 5
    after = next_business_day(day)
    assert after > day and is_business_day(after)
    assert all(not is_business_day(day + timedelta(n)) for n in range(1, (after - day).days))
