"""One canonical text form per column kind, the same whichever engine a value was read from.

The checksum hashes it, the daily exports write it, and replaying an export reads it back.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ..sim.events import FEATURES

NULL = "\\N"


def canonical(kind: str, value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value)
        return value.hex() if kind == "blob" else value.decode("utf-8")
    if kind == "money":
        return str(Decimal(str(value)).quantize(Decimal("0.01")))
    if kind == "datetime":
        return value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, dt.datetime) else str(value)[:19]
    if kind == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]
    if kind == "set":
        # a MySQL SET / SQLite text 'a,b', or PostgreSQL's text[] (a list)
        items = value if isinstance(value, (set, frozenset, list, tuple)) else [v for v in str(value).split(",") if v]
        return ",".join(f for f in FEATURES if f in items)
    if kind == "int":
        return str(int(value))
    return str(value)


