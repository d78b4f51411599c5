"""Publication-day weeks: which letter a date belongs to, and `--week` parsing."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from typing import Protocol, TypeVar

from .errors import UsageError
from .items import Week
from .messages import N_, _

_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


_MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
           N_("July"), N_("August"), N_("September"), N_("October"), N_("November"),
           N_("December"))  # fmt: skip
_ISO_LIKE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def calendar_problem(text: str) -> str | None:
    """Why `2025-06-31` is not a day of the calendar ("June 2025 has 30 days"), or None
    when `text` is no year-month-day at all, or a real day."""
    match = _ISO_LIKE.match(text.strip())
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        return _("there is no month {month}: months go from 01 to 12").format(month=month)
    days = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if not 1 <= day <= days:
        return _("{month} {year} has {days} days").format(
            month=_(_MONTHS[month - 1]), year=year, days=days
        )
    return None


def parse_date(text: str, option: str) -> dt.date:
    """A year-month-day date given to `option`; UsageError saying what is wrong."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        problem = calendar_problem(text)
        if problem is not None:
            message = _("{option}: {strip} is not a date in the calendar ({problem})").format(
                option=option, strip=text.strip(), problem=problem
            )
        else:
            message = _("{option}: {text!r} is not a date (use 2025-06-13)").format(
                option=option, text=text
            )
        raise UsageError(message) from None


def parse_range(since: str | None, until: str | None) -> tuple[dt.date | None, dt.date | None]:
    """`--since` and `--until` as dates (None when not given); UsageError when the range is
    reversed."""
    first = None if since is None else parse_date(since, "--since")
    last = None if until is None else parse_date(until, "--until")
    if first is not None and last is not None and first > last:
        raise UsageError(
            _("--since {first} is after --until {last}: swap them (the range is reversed)").format(
                first=first, last=last
            )
        )
    return first, last


def week_of(day: dt.date, publication_day: int = 5) -> Week:
    """The letter whose seven days contain `day`: they end on the next publication day."""
    ahead = (publication_day - day.isoweekday()) % 7
    end = day + dt.timedelta(days=ahead)
    return Week(end - dt.timedelta(days=6), end)


def parse_week(spec: str, today: dt.date, publication_day: int = 5) -> Week:
    """A date, an ISO week (2025-W24), or this / last / next — in French too, cette /
    dernière (derniere) / prochaine — relative to `today`."""
    text = spec.strip().lower()
    try:
        return _parse_week(text, spec, today, publication_day)
    except OverflowError:
        raise UsageError(
            _("--week: {spec!r} is too far in the past or the future").format(spec=spec)
        ) from None


#: --week's words for the weeks around today, in English and in French (shell completion
#: offers these; `derniere` is taken too, for a keyboard without accents)
WEEK_WORDS = {"this": 0, "last": -1, "next": 1, "cette": 0, "dernière": -1, "prochaine": 1}
_RELATIVE = {**WEEK_WORDS, "derniere": -1}


def _parse_week(text: str, spec: str, today: dt.date, publication_day: int) -> Week:
    if text in _RELATIVE:
        return week_of(today + dt.timedelta(weeks=_RELATIVE[text]), publication_day)
    match = _ISO_WEEK.match(text)
    if match:
        year, number = int(match[1]), int(match[2])
        try:
            monday = dt.date.fromisocalendar(year, number, 1)
        except ValueError:
            raise UsageError(
                _("--week: {spec!r}: year {year} has no week {number}").format(
                    spec=spec, year=year, number=number
                )
            ) from None
        # The ISO week's letter is the one published during that week.
        return week_of(monday + dt.timedelta(days=(publication_day - 1)), publication_day)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        problem = calendar_problem(text)
        if problem is not None:
            raise UsageError(
                _("--week: {strip} is not a date in the calendar ({problem})").format(
                    strip=spec.strip(), problem=problem
                )
            ) from None
        raise UsageError(
            _(
                "--week: {spec!r} is not a week: use a date (2025-06-13), an ISO week "
                "(2025-W24), or this / last / next (cette / dernière / prochaine)"
            ).format(spec=spec)
        ) from None
    return week_of(day, publication_day)


def weeks_between(first: dt.date, last: dt.date, publication_day: int = 5) -> list[Week]:
    """Every week from the one holding `first` to the one holding `last`."""
    week, end = week_of(first, publication_day), week_of(last, publication_day)
    weeks = []
    while week.end <= end.end:
        weeks.append(week)
        week = Week(week.start + dt.timedelta(days=7), week.end + dt.timedelta(days=7))
    return weeks


class _Dated(Protocol):
    @property
    def date(self) -> dt.date: ...


D = TypeVar("D", bound=_Dated)


def group_by_week(items: Iterable[D], publication_day: int = 5) -> dict[Week, list[D]]:
    """`items` grouped by the letter they belong to: weeks in date order, each week's items
    in the order given."""
    weeks: dict[Week, list[D]] = {}
    for item in items:
        weeks.setdefault(week_of(item.date, publication_day), []).append(item)
    return dict(sorted(weeks.items(), key=lambda pair: pair[0].end))
