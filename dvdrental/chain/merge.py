"""The chain's day: the stores' days of one date as one day, written and logged like any other.

The stores' rows are concatenated in store order; what the chain shares (the films a release adds,
stock plans carried out) every store made alike, so it is kept once, from the first store. `finish`
then orders the changes by time and numbers them from the chain's change counter: the same numbers
whatever the number of workers.
"""

from __future__ import annotations

from dataclasses import fields

from ..sim.changes import finish
from ..sim.events import DayEvents, DayStats

#: DayEvents lists the chain shares: every store emits the same, the first one's are kept.
CHAIN_LISTS = ("films", "film_actors", "film_categories", "plans_done", "film_prices")
#: DayStats counts the chain shares.
CHAIN_STATS = ("films_released",)
_LISTS = [f.name for f in fields(DayEvents) if f.name not in ("day", "ops", "first_change_id", "stats")]


def merge_day(days: list[DayEvents], counters: dict[str, int]) -> DayEvents:
    """One day of the chain from its stores' days (in store order); numbers the changes."""
    first = days[0]
    ev = DayEvents(first.day)
    for name in _LISTS:
        if name in CHAIN_LISTS:
            setattr(ev, name, list(getattr(first, name)))
        else:
            setattr(ev, name, [x for d in days for x in getattr(d, name)])
    ev.stats = merge_stats([d.stats for d in days])
    return finish(ev, counters)


def merge_stats(stats: list[DayStats]) -> DayStats:
    """The chain's statistics of a day from its stores' (in store order: the same float sums wherever
    they are merged): summed, a spike day if any store's was, the chain's own counts from the first."""
    out = DayStats(stats[0].day)
    for f in fields(DayStats):
        if f.name == "day":
            continue
        values = [getattr(s, f.name) for s in stats]
        setattr(out, f.name, values[0] if f.name in CHAIN_STATS else any(values) if f.name == "spike" else sum(values))
    return out
