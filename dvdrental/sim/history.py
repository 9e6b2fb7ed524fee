"""The recent past that late changes reach into: rentals of the last `window` days and their payments.

Kept only when late changes are on. It is rebuilt from the database exactly (`from_rows`), so a run
split at any day changes the same records as an unsplit one. Records are plain lists for speed:

    [rental_ts, inventory_id, customer_id, staff_id, return_ts or None,
     rental payment (id, cents), late fee payment (id, cents) or None, refund payment id or None]

It also keeps the replacement costs that applied before each price change of the window, because a
corrected return's late fee is capped at the replacement cost in force at the corrected time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .calendar import DAY
from .events import DayEvents

TS, INV, CUST, STAFF, RETURNED, RENTAL_PAY, LATE_PAY, REFUND = range(8)


def window_days(midpoint: float, steepness: float) -> int:
    """How far back late changes reach: past this age the sigmoid's weight is below e**-30 of its peak."""
    return int(math.ceil(midpoint + 30.0 / steepness))


@dataclass
class History:
    window: int
    rentals: dict[int, list] = field(default_factory=dict)
    by_day: dict[int, list[int]] = field(default_factory=dict)     # day -> rental ids, ascending
    by_copy: dict[int, list[int]] = field(default_factory=dict)    # inventory_id -> rental ids, ascending
    # film_id -> [(valid_until ts, replacement cents before it)], ascending: sim_film_price of the window
    prices: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    def add_rental(self, rid: int, ts: int, inv: int, cust: int, staff: int) -> None:
        self.rentals[rid] = [ts, inv, cust, staff, None, None, None, None]
        self.by_day.setdefault(ts // DAY, []).append(rid)
        self.by_copy.setdefault(inv, []).append(rid)

    def record_day(self, ev: DayEvents) -> None:
        """Take in the day's business: new rentals, their payments, returns and late fees."""
        rentals = self.rentals
        for rid, ts, inv, cust, staff in ev.rentals:
            self.add_rental(rid, ts, inv, cust, staff)
        returned = {}
        for rid, ts in ev.returns:
            rec = rentals.get(rid)
            if rec is not None:
                rec[RETURNED] = ts
                returned[rid] = ts
        for pid, _, _, rid, cents, ts in ev.payments:
            rec = rentals.get(rid)
            if rec is None:
                continue
            if ts == rec[TS] and rec[RENTAL_PAY] is None:
                rec[RENTAL_PAY] = (pid, cents)
            elif returned.get(rid) == ts:
                rec[LATE_PAY] = (pid, cents)

    def add_price(self, film: int, valid_until: int, replacement_cents: int) -> None:
        """A price change: `replacement_cents` applied to `film` until `valid_until`."""
        self.prices.setdefault(film, []).append((valid_until, replacement_cents))

    def replacement_at(self, film: int, ts: int, current: int) -> int:
        """The film's replacement cost in force at `ts` (a time within the window); `current` is today's."""
        for until, cents in self.prices.get(film, ()):
            if until > ts:
                return cents
        return current

    def prune(self, first_day: int) -> None:
        """Forget rentals from before `first_day`, and prices that ended before it."""
        for film in list(self.prices):
            kept = [p for p in self.prices[film] if p[0] >= first_day * DAY]
            if kept:
                self.prices[film] = kept
            else:
                del self.prices[film]
        for day in [d for d in self.by_day if d < first_day]:
            for rid in self.by_day.pop(day):
                rec = self.rentals.pop(rid)
                copies = self.by_copy[rec[INV]]
                copies.remove(rid)
                if not copies:
                    del self.by_copy[rec[INV]]

    def remove(self, rid: int) -> None:
        rec = self.rentals.pop(rid)
        day = self.by_day[rec[TS] // DAY]
        day.remove(rid)
        if not day:
            del self.by_day[rec[TS] // DAY]
        copies = self.by_copy[rec[INV]]
        copies.remove(rid)
        if not copies:
            del self.by_copy[rec[INV]]

    def next_on_copy(self, rid: int) -> int | None:
        """The rental time of the copy's next rental after `rid`, if any."""
        copies = self.by_copy[self.rentals[rid][INV]]
        i = copies.index(rid)
        return self.rentals[copies[i + 1]][TS] if i + 1 < len(copies) else None

    @classmethod
    def from_rows(cls, window: int, rentals: list[tuple], payments: list[tuple],
                  prices: list[tuple] = ()) -> "History":
        """From (rental_id, rental_ts, inventory_id, customer_id, staff_id, return_ts) rows in id order,
        (payment_id, rental_id, cents, payment_ts) rows in id order and (film_id, valid_until ts,
        replacement cents) rows in (film_id, valid_until) order."""
        h = cls(window)
        for film, until, cents in prices:
            h.add_price(film, until, cents)
        for rid, ts, inv, cust, staff, ret in rentals:
            h.add_rental(rid, ts, inv, cust, staff)
            h.rentals[rid][RETURNED] = ret
        for pid, rid, cents, ts in payments:
            rec = h.rentals.get(rid)
            if rec is None:
                continue
            if cents < 0:
                rec[REFUND] = pid
            elif ts == rec[TS] and rec[RENTAL_PAY] is None:
                rec[RENTAL_PAY] = (pid, cents)
            elif ts == rec[RETURNED]:
                rec[LATE_PAY] = (pid, cents)
        return h

    def fingerprint(self) -> dict:
        return {"rentals": {k: list(v) for k, v in sorted(self.rentals.items())},
                "by_copy": {k: v for k, v in sorted(self.by_copy.items())},
                "prices": {k: list(v) for k, v in sorted(self.prices.items())}}
