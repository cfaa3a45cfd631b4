"""Business days: Monday to Friday, except the US federal legal public holidays.

The holidays are those of 5 U.S.C. 6103(a), on the day they are observed: a holiday that falls
on a Saturday is observed on the Friday before, one on a Sunday on the Monday after (5 U.S.C.
6103(b) and Executive Order 11582). So New Year's Day 2022 (a Saturday) was observed on Friday
31 December 2021, a day that belongs to 2021's business calendar.

* fixed dates: New Year's Day (1 January), Juneteenth National Independence Day (19 June,
  from 2021, Pub. L. 117-17), Independence Day (4 July), Veterans Day (11 November),
  Christmas Day (25 December);
* Monday holidays (Uniform Monday Holiday Act, from 1971): Birthday of Martin Luther King,
  Jr. (third Monday of January, from 1986), Washington's Birthday (third Monday of February),
  Memorial Day (last Monday of May), Labor Day (first Monday of September), Columbus Day
  (second Monday of October);
* Thanksgiving Day (fourth Thursday of November).

Not counted: Inauguration Day (5 U.S.C. 6103(c) makes it a holiday only for federal employees
in the Washington, DC area) and one-off closures by executive order (such as an extra day at
Christmas), which are not legal public holidays. Years before 1971 are refused.

>>> add_business_days(date(2026, 7, 2), 1)  # 4 July 2026 is a Saturday: Friday 3 July is off
datetime.date(2026, 7, 6)
>>> is_business_day(date(2021, 12, 31))  # New Year's Day 2022 observed
False
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

__all__ = [
    "add_business_days",
    "federal_holidays",
    "is_business_day",
    "next_business_day",
]

FIRST_YEAR = 1971


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (Monday = 0) of a month; ``n = -1`` for the last one.

    >>> _nth_weekday(2026, 11, 3, 4)  # fourth Thursday of November 2026
    datetime.date(2026, 11, 26)
    >>> _nth_weekday(2026, 5, 0, -1)  # last Monday of May 2026
    datetime.date(2026, 5, 25)
    """
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    following = date(year + (month == 12), month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date) -> date:
    """Saturday holidays move to Friday, Sunday ones to Monday."""
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def _holidays_of(year: int) -> list[tuple[date, str]]:
    """The legal public holidays of ``year`` (their own dates, before observance)."""
    holidays = [
        (date(year, 1, 1), "New Year's Day"),
        (_nth_weekday(year, 2, 0, 3), "Washington's Birthday"),
        (_nth_weekday(year, 5, 0, -1), "Memorial Day"),
        (date(year, 7, 4), "Independence Day"),
        (_nth_weekday(year, 9, 0, 1), "Labor Day"),
        (_nth_weekday(year, 10, 0, 2), "Columbus Day"),
        (date(year, 11, 11), "Veterans Day"),
        (_nth_weekday(year, 11, 3, 4), "Thanksgiving Day"),
        (date(year, 12, 25), "Christmas Day"),
    ]
    if year >= 1986:
        holidays.append((_nth_weekday(year, 1, 0, 3), "Birthday of Martin Luther King, Jr."))
    if year >= 2021:
        holidays.append((date(year, 6, 19), "Juneteenth National Independence Day"))
    return holidays


@lru_cache(maxsize=256)
def federal_holidays(year: int) -> dict[date, str]:
    """Observed federal holidays that fall in ``year``: date -> name.

    Raises:
        ValueError: a year before 1971 (other holiday rules applied then).

    >>> holidays = federal_holidays(2027)
    >>> holidays[date(2027, 12, 24)], holidays[date(2027, 12, 31)]
    ('Christmas Day (observed)', "New Year's Day (observed)")
    >>> len(holidays), date(2027, 1, 1) in holidays  # and 31 December for 2028
    (12, True)
    """
    if year < FIRST_YEAR:
        raise ValueError(f"federal holidays are computed from {FIRST_YEAR} on, not for {year}")
    found: dict[date, str] = {}
    for source_year in (year, year + 1):
        if source_year == year + 1 and source_year < FIRST_YEAR:
            continue
        for day, name in _holidays_of(source_year):
            observed = _observed(day)
            if observed.year == year:
                found[observed] = name if observed == day else f"{name} (observed)"
    return dict(sorted(found.items()))


def is_business_day(day: date) -> bool:
    """Monday to Friday and not an observed federal holiday.

    >>> is_business_day(date(2026, 11, 26)), is_business_day(date(2026, 11, 27))
    (False, True)
    """
    return day.weekday() < 5 and day not in federal_holidays(day.year)


def next_business_day(day: date) -> date:
    """The first business day after ``day``.

    >>> next_business_day(date(2026, 9, 4))  # Friday before Labor Day
    datetime.date(2026, 9, 8)
    """
    day += timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def add_business_days(start: date, days: int) -> date:
    """The day ``days`` business days after ``start`` (``start`` itself is not counted).

    A report due "within one business day" of an identification on a Friday is due on the
    Monday (the Tuesday, if that Monday is a holiday); an identification on a weekend or
    holiday counts from the next business day the same way. ``days = 0`` returns ``start``.

    Raises:
        ValueError: a negative number of days.

    >>> add_business_days(date(2026, 11, 25), 1)  # the day before Thanksgiving
    datetime.date(2026, 11, 27)
    >>> add_business_days(date(2026, 11, 27), 10)
    datetime.date(2026, 12, 11)
    """
    if days < 0:
        raise ValueError(f"business days to add must be >= 0, not {days}")
    day = start
    for _ in range(days):
        day = next_business_day(day)
    return day
