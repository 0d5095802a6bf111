"""The working calendar: which days the county windows are open.

China's statutory calendar moves every year: the State Council's General Office
publishes the next year's holidays and adjusted working weekends (调休) each
autumn, and holiday libraries pick the notice up weeks or months later. So the
`holidays` package's China calendar is the base, and a maintained TOML file
(`resources/holidays_cn.toml`) overlays it for every year whose notice an
administrator has entered: a date listed there decides; any other date is left
to the library.
"""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import holidays

# A calendar with no working day in a whole year is misconfigured; searching
# further would never end, so searches give up after this many days.
MAX_DAYS_WITHOUT_WORK = 370

# The State Council usually publishes next year's schedule in November; from
# December on, deadlines start reaching into the next year, so a missing
# schedule for it becomes worth a warning.
NEXT_YEAR_WARNING_MONTH = 12

_YEAR_KEYS = frozenset({"source", "days_off", "working_days"})


class HolidayFileError(ValueError):
    """The holiday overlay is unreadable or contradicts itself."""


class NoWorkingDayError(RuntimeError):
    """No working day was found within MAX_DAYS_WITHOUT_WORK days: a configuration error."""


class DayCalendar(Protocol):
    """Anything that tells whether a date is a working day (e.g. `holidays.China()`)."""

    def is_working_day(self, key: date) -> bool: ...


@dataclass(frozen=True)
class YearSchedule:
    """One year's confirmed schedule, as published by the State Council."""

    year: int
    days_off: frozenset[date]
    working_days: frozenset[date]
    source: str

    def __post_init__(self) -> None:
        for kind, days in (("days_off", self.days_off), ("working_days", self.working_days)):
            for day in sorted(days):
                if day.year != self.year:
                    raise ValueError(f"{kind} date {day.isoformat()} is not in {self.year}")
        both = sorted(self.days_off & self.working_days)
        if both:
            raise ValueError(f"{both[0].isoformat()} is listed both in days_off and in working_days")


@dataclass(frozen=True)
class CalendarStatus:
    """How far the calendar can be trusted, for the log and the health endpoint."""

    confirmed_years: frozenset[int]
    current_year_confirmed: bool
    next_year_confirmed: bool
    warning: str | None


def parse_overlay(document: Mapping[str, Any], *, origin: str) -> dict[int, YearSchedule]:
    """Turn a parsed holiday document (`{"2026": {...}}`) into schedules by year.

    Raises HolidayFileError naming `origin` and the offending table or entry.
    """
    schedules: dict[int, YearSchedule] = {}
    for key, table in document.items():
        where = f"{origin}: table [{key}]"
        if not (isinstance(key, str) and len(key) == 4 and key.isdigit()):
            raise HolidayFileError(f"{where}: table names must be four-digit years")
        if not isinstance(table, Mapping):
            raise HolidayFileError(f"{where}: expected a table with source, days_off and working_days")
        unknown = sorted(set(table) - _YEAR_KEYS)
        missing = sorted(_YEAR_KEYS - set(table))
        if unknown or missing:
            raise HolidayFileError(f"{where}: unknown keys {unknown}, missing keys {missing}")
        source = table["source"]
        if not isinstance(source, str) or not source.strip():
            raise HolidayFileError(f"{where}: source must name the State Council notice")
        try:
            schedules[int(key)] = YearSchedule(
                year=int(key),
                days_off=_dates(table["days_off"], "days_off"),
                working_days=_dates(table["working_days"], "working_days"),
                source=source.strip(),
            )
        except ValueError as exc:
            raise HolidayFileError(f"{where}: {exc}") from exc
    return schedules


def _dates(values: Any, kind: str) -> frozenset[date]:
    """Check one list of TOML dates; duplicates are refused as likely typos."""
    if not isinstance(values, list):
        raise ValueError(f"{kind} must be a list of dates like 2026-10-01")
    seen: set[date] = set()
    for value in values:
        # datetime is a subclass of date, but a time of day has no meaning here.
        if not isinstance(value, date) or isinstance(value, datetime):
            raise ValueError(f"{kind} entry {value!r} is not a date like 2026-10-01")
        if value in seen:
            raise ValueError(f"{kind} lists {value.isoformat()} twice")
        seen.add(value)
    return frozenset(seen)


def load_overlay(path: Path) -> dict[int, YearSchedule]:
    """Read and check the holiday TOML file at `path`."""
    try:
        with path.open("rb") as stream:
            document = tomllib.load(stream)
    except OSError as exc:
        raise HolidayFileError(f"{path}: cannot read the holiday file: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise HolidayFileError(f"{path}: not valid TOML: {exc}") from exc
    return parse_overlay(document, origin=str(path))


class WorkCalendar:
    """Working days of the county windows: the statutory calendar plus the confirmed overlay."""

    def __init__(
        self,
        overlay: Mapping[int, YearSchedule],
        *,
        library: DayCalendar | None = None,
        origin: str = "the holiday file",
    ) -> None:
        """Build from schedules by year; `library` defaults to `holidays.China()`.

        `origin` names the overlay's file in warnings.
        """
        for year, schedule in overlay.items():
            if schedule.year != year:
                raise HolidayFileError(f"{origin}: schedule for {schedule.year} filed under {year}")
        self._overlay = dict(overlay)
        self._off = frozenset().union(*(s.days_off for s in overlay.values()))
        self._on = frozenset().union(*(s.working_days for s in overlay.values()))
        self._library: DayCalendar = library if library is not None else holidays.China()
        # holidays.China fills in years lazily on lookup (mutating a dict), and
        # the server answers requests from several threads.
        self._library_lock = threading.Lock()
        self._origin = origin

    @classmethod
    def from_file(cls, path: Path, *, library: DayCalendar | None = None) -> WorkCalendar:
        """Build from the holiday TOML file at `path` (see resources/holidays_cn.toml)."""
        return cls(load_overlay(path), library=library, origin=str(path))

    @property
    def confirmed_years(self) -> frozenset[int]:
        """Years whose official schedule is in the overlay."""
        return frozenset(self._overlay)

    def is_confirmed(self, year: int) -> bool:
        """Whether `year`'s official schedule has been entered."""
        return year in self._overlay

    def schedule(self, year: int) -> YearSchedule | None:
        """The confirmed schedule of `year`, if entered."""
        return self._overlay.get(year)

    def is_working_day(self, d: date) -> bool:
        """Whether the windows are open on `d`: the overlay decides, else the library."""
        if d in self._off:
            return False
        if d in self._on:
            return True
        with self._library_lock:
            return bool(self._library.is_working_day(d))

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after `d`.

        Raises NoWorkingDayError when none comes within MAX_DAYS_WITHOUT_WORK days.
        """
        candidate = d
        for _ in range(MAX_DAYS_WITHOUT_WORK):
            candidate += timedelta(days=1)
            if self.is_working_day(candidate):
                return candidate
        raise NoWorkingDayError(f"no working day within {MAX_DAYS_WITHOUT_WORK} days after {d.isoformat()}")

    def status(self, today: date) -> CalendarStatus:
        """Whether this and (from December) next year's schedules are confirmed, with a warning if not."""
        current, following = today.year, today.year + 1
        missing = [current] if not self.is_confirmed(current) else []
        if today.month >= NEXT_YEAR_WARNING_MONTH and not self.is_confirmed(following):
            missing.append(following)
        return CalendarStatus(
            confirmed_years=self.confirmed_years,
            current_year_confirmed=self.is_confirmed(current),
            next_year_confirmed=self.is_confirmed(following),
            warning=self._warning(missing) if missing else None,
        )

    def _warning(self, years: Iterable[int]) -> str:
        listed = ", ".join(str(y) for y in years)
        return (
            f"no confirmed holiday schedule for {listed}: deadlines use weekends and the statutory "
            f"holidays only (no adjusted working days); update {self._origin}"
        )
