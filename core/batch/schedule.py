"""Posting schedules: "mon,wed,fri 09:00" in a time zone -> the next N posting times (zoneinfo).

Times are wall-clock times in the schedule's zone, so a 09:00 slot stays 09:00
across daylight-saving changes; Buffer reads `YYYY-MM-DD HH:mm` in the
account's own time zone, which should be the same zone. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.batch.errors import ScheduleError

__all__ = ["Schedule", "parse_schedule", "posting_times", "DAYS"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_SCHEDULE = "mon,wed,fri 09:00"


@dataclass(frozen=True)
class Schedule:
    """Weekdays (0 = Monday) and times of day, in one time zone."""

    weekdays: tuple[int, ...]
    times: tuple[time, ...]
    tz: str = "UTC"


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"Unknown time zone {tz!r}: use an IANA name such as Europe/Berlin or UTC"
        ) from None


def parse_schedule(text: str, tz: str = "UTC") -> Schedule:
    """Read "mon,wed,fri 09:00" (days: names, ranges like mon-fri, or 'daily'; times comma-separated).

    Example: parse_schedule("mon-fri 09:00,17:30").weekdays == (0, 1, 2, 3, 4)
    """
    _zone(tz)
    parts = (text or "").strip().lower().split()
    if len(parts) != 2:
        raise ScheduleError(f"Schedule {text!r}: write days then times, e.g. 'mon,wed,fri 09:00'")
    days_text, times_text = parts
    weekdays: set[int] = set()
    for given in days_text.split(","):
        token = given.strip()[:3] if "-" not in given else given.strip()
        if given.strip() in ("daily", "every"):
            weekdays.update(range(7))
        elif "-" in token:
            lo, _, hi = token.partition("-")
            if lo[:3] not in DAYS or hi[:3] not in DAYS:
                raise ScheduleError(f"Day range {token!r}: use names like mon-fri")
            a, b = DAYS.index(lo[:3]), DAYS.index(hi[:3])
            weekdays.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        elif token in DAYS:
            weekdays.add(DAYS.index(token))
        else:
            raise ScheduleError(f"Day {given!r}: use mon, tue, wed, thu, fri, sat, sun, ranges or daily")
    times = []
    for token in times_text.split(","):
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", token.strip())
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise ScheduleError(f"Time {token!r}: use 24-hour HH:MM, e.g. 09:00")
        times.append(time(int(match.group(1)), int(match.group(2))))
    return Schedule(tuple(sorted(weekdays)), tuple(sorted(set(times))), tz)


def parse_start(text: str | None, tz: str) -> date:
    """A start date `YYYY-MM-DD`, or today in the zone when empty."""
    if not text:
        return datetime.now(_zone(tz)).date()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ScheduleError(f"Start date {text!r}: use YYYY-MM-DD") from None


def posting_times(schedule: Schedule, start: date, count: int) -> list[datetime]:
    """The first `count` slots on or after `start` (midnight, local), as aware datetimes in the zone."""
    zone = _zone(schedule.tz)
    out: list[datetime] = []
    day = start
    while len(out) < count:
        if day.weekday() in schedule.weekdays:
            out.extend(datetime.combine(day, t, tzinfo=zone) for t in schedule.times)
        day += timedelta(days=1)
    return out[:count]
