"""Day numbers and second timestamps on the 1970 epoch, and their SQL text form."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

DAY = 86_400
_EPOCH = dt.date(1970, 1, 1)


def day_number(date: dt.date) -> int:
    return (date - _EPOCH).days


def date_of(day: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(day))


def weekday(day: int) -> int:
    """Monday = 0 (1970-01-01 was a Thursday)."""
    return (int(day) + 3) % 7


@lru_cache(maxsize=8192)
def day_text(day: int) -> str:
    return date_of(day).isoformat()


_HOUR_MINUTE = [f"{h:02d}:{m:02d}:" for h in range(24) for m in range(60)]
_SECOND = [f"{s:02d}" for s in range(60)]


def ts_text(ts: int) -> str:
    """'YYYY-MM-DD HH:MM:SS', the form both engines store and return (every row's times go through
    here, so it looks the clock parts up instead of formatting them)."""
    day, sec = divmod(int(ts), DAY)
    minute, second = divmod(sec, 60)
    return f"{day_text(day)} {_HOUR_MINUTE[minute]}{_SECOND[second]}"


def parse_ts(value: object) -> int | None:
    """A DATETIME from either engine (datetime or text) as epoch seconds."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return day_number(value.date()) * DAY + value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, dt.date):
        return day_number(value) * DAY
    raise TypeError(f"not a timestamp: {value!r}")


def parse_day(value: object) -> int:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    return day_number(value)
