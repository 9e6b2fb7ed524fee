"""Late changes: after each day's business, corrections to records of earlier days.

Each kind has a rate per 1,000 of the day's rentals. For each change an age in days is drawn from a
decreasing sigmoid, 1 / (1 + exp(steepness * (age - midpoint))), over the ages that have a record of
that kind, then one such record of that age is picked. Records made before the simulation began (an
adopted Sakila history) are left alone. Every change keeps the invariants: a corrected return keeps
the copy free of overlaps and before the write-off point, and its late fee follows (capped at the
replacement cost in force at the corrected return), payments stay with their rental's customer and
clerk, a closed account never rents again, a voided rental goes with all its payments.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from typing import Callable

import numpy as np

from .basedata import RATES_CENTS
from .calendar import DAY
from .events import DayEvents
from . import places
from .history import CUST, INV, LATE_PAY, REFUND, RENTAL_PAY, RETURNED, STAFF, TS
from .returns import late_fee, overdue_days
from .rng import day_rng
from .state import Model, SimState

#: Config rate name -> the kind written to sim_change_log (customer edits are one of three kinds).
KINDS = {
    "return_corrections": "return_correction",
    "payment_corrections": "payment_correction",
    "refunds": "refund",
    "customer_edits": "customer_edit",
    "price_changes": "price_change",
    "account_closures": "account_closure",
    "voided_rentals": "void",
}
CUSTOMER_EDITS = ("customer_email", "customer_phone", "customer_move")
#: Late kinds whose records are rentals: their age is the rental's age.
RENTAL_KINDS = ("return_correction", "payment_correction", "refund", "void")
#: Where each kind shows in sim_change_log once per change: (table, op).
PRIMARY = {
    "return_correction": ("rental", "U"), "payment_correction": ("rental", "U"), "refund": ("payment", "I"),
    "customer_email": ("customer", "U"), "customer_phone": ("address", "U"), "customer_move": ("customer", "U"),
    "price_change": ("film", "U"), "account_closure": ("customer", "U"), "void": ("rental", "D"),
}
DOMAINS = ("sakilacustomer.org", "example.com", "example.net", "example.org")
_TRIES = 20


def sigmoid(age: np.ndarray, midpoint: float, steepness: float) -> np.ndarray:
    """Relative chance that a record `age` days old is the one changed (1 when new, 0.5 at midpoint)."""
    return 1.0 / (1.0 + np.exp(np.clip(steepness * (np.asarray(age, float) - midpoint), -700, 700)))


@lru_cache(maxsize=8)
def _weights(window: int, midpoint: float, steepness: float) -> np.ndarray:
    """The sigmoid at ages 0..window: the same every day of a run."""
    return sigmoid(np.arange(window + 1), midpoint, steepness)


class _Day:
    """One day's late changes: the state, the day's generator and what it emits."""

    def __init__(self, state: SimState, model: Model, day: int, ev: DayEvents) -> None:
        self.state, self.model, self.day, self.ev = state, model, day, ev
        cfg = model.cfg.late_changes
        self.rng = day_rng(model.seed, "late", day)
        self.window = state.history.window
        # records made before the simulation began (an adopted Sakila history) are never changed
        self.first = max(day - self.window, model.start_day)
        self.weights = _weights(self.window, cfg.midpoint_days, cfg.steepness)
        self.fee = int(round(model.cfg.returns.late_fee_per_day * 100))
        self.pickers: dict[str, tuple] = {}  # candidates and cumulative age weights, made once a day

    def emit(self, ts: int, kind: str, table: str, op: str, key: int, values: object, record_ts: int) -> None:
        self.ev.late.append((ts, kind, table, op, key, values, record_ts))

    def picker(self, days: np.ndarray) -> tuple[list[int], list[float]] | None:
        """The days with candidates that late changes may reach, and their cumulative sigmoid weights."""
        days = np.unique(days)
        days = days[(days < self.day) & (days >= self.first)]
        if not len(days):
            return None
        return days.tolist(), np.cumsum(self.weights[self.day - days]).tolist()

    def pick_age(self, picker: tuple[list[int], list[float]]) -> int:
        """One of the picker's days, by the sigmoid of its age."""
        days, cum = picker
        return days[min(bisect_right(cum, self.rng.random() * cum[-1]), len(days) - 1)]

    # ---- rentals ---------------------------------------------------------------------------------
    def pick_rental(self, eligible: Callable[[list], bool],
                    fits: Callable[[int], object] | None = None) -> tuple[int, object] | None:
        """A rental by the sigmoid of its age, and what `fits` made of it.

        Without `fits` any eligible rental of the drawn day will do. With it, the day's eligible rentals
        are tried in random order until `fits` returns something; only a day where none fits draws another
        age. Dropping a change whose first candidate did not fit would thin out the young ages, where the
        fewest candidates fit."""
        hist = self.state.history
        if "rentals" not in self.pickers:
            self.pickers["rentals"] = self.picker(np.fromiter(hist.by_day, np.int64, len(hist.by_day)))
        picker = self.pickers["rentals"]
        if picker is None:
            return None
        for _ in range(_TRIES):
            day = self.pick_age(picker)
            cands = [rid for rid in hist.by_day.get(day, ()) if eligible(hist.rentals[rid])]
            if not cands:
                continue
            if fits is None:
                return cands[int(self.rng.integers(len(cands)))], None
            for i in self.rng.permutation(len(cands)).tolist():
                found = fits(cands[i])
                if found is not None:
                    return cands[i], found
        return None

    def _corrected_return(self, rid: int) -> int | None:
        """A return one to three days off the recorded one, or None when no such day is possible: after
        the rental, before today, before the copy's next rental and before the write-off point."""
        hist, st = self.state.history, self.state
        rec = hist.rentals[rid]
        nxt = hist.next_on_copy(rid)
        duration = int(st.films.duration[int(st.stock.film[rec[INV]])])
        latest = (rec[TS] // DAY + duration + self.model.cfg.returns.latest_late_days + 1) * DAY
        for shift in self.rng.permutation([-3, -2, -1, 1, 2, 3]).tolist():
            cand = rec[RETURNED] + shift * DAY
            if cand > rec[TS] and cand // DAY < self.day and (nxt is None or cand < nxt) and cand < latest:
                return cand
        return None

    def return_correction(self, ts: int) -> bool:
        hist = self.state.history
        retired = self.state.stock.retired
        # not on a copy retired since (by hand, when damaged): the state does not know when
        picked = self.pick_rental(lambda r: r[RETURNED] is not None and not retired[r[INV]], self._corrected_return)
        if picked is None:
            return False
        rid, new = picked
        rec = hist.rentals[rid]
        st = self.state
        film = int(st.stock.film[rec[INV]])
        duration = int(st.films.duration[film])
        kind, made = "return_correction", rec[TS]
        self.emit(ts, kind, "rental", "U", rid, {"return_date": new, "last_update": ts}, made)
        rec[RETURNED] = new
        cost = hist.replacement_at(film, new, int(st.films.replacement_cents[film]))
        cents = late_fee(overdue_days(rec[TS], new, duration), self.fee, cost)
        old = rec[LATE_PAY]
        if old and cents:
            self.emit(ts, kind, "payment", "U", old[0], {"amount": cents, "payment_date": new, "last_update": ts},
                      made)
            rec[LATE_PAY] = (old[0], cents)
        elif old:
            self.emit(ts, kind, "payment", "D", old[0], None, made)
            rec[LATE_PAY] = None
        elif cents:
            pid = int(st.next_ids("payment", 1)[0])
            self.emit(ts, kind, "payment", "I", pid, (pid, rec[CUST], rec[STAFF], rid, cents, new, ts), made)
            rec[LATE_PAY] = (pid, cents)
        return True

    def _payments(self, rec: list) -> list[int]:
        return [p for p in (rec[RENTAL_PAY] and rec[RENTAL_PAY][0], rec[LATE_PAY] and rec[LATE_PAY][0],
                            rec[REFUND]) if p]

    def payment_correction(self, ts: int) -> bool:
        st = self.state
        crews = lambda r: st.staff.get(int(st.stock.store[r[INV]]), [])  # noqa: E731
        picked = self.pick_rental(lambda r: r[RETURNED] is not None and len(crews(r)) > 1)
        if picked is None:
            return False
        rid = picked[0]
        rec = st.history.rentals[rid]
        others = [s for s in crews(rec) if s != rec[STAFF]]
        staff = others[int(self.rng.integers(len(others)))]
        values = {"staff_id": staff, "last_update": ts}
        self.emit(ts, "payment_correction", "rental", "U", rid, values, rec[TS])
        for pid in self._payments(rec):
            self.emit(ts, "payment_correction", "payment", "U", pid, values, rec[TS])
        rec[STAFF] = staff
        return True

    def refund(self, ts: int) -> bool:
        picked = self.pick_rental(lambda r: r[RETURNED] is not None and r[REFUND] is None and r[RENTAL_PAY])
        if picked is None:
            return False
        rid = picked[0]
        rec = self.state.history.rentals[rid]
        pid = int(self.state.next_ids("payment", 1)[0])
        self.emit(ts, "refund", "payment", "I", pid, (pid, rec[CUST], rec[STAFF], rid, -rec[RENTAL_PAY][1], ts, ts),
                  rec[TS])
        rec[REFUND] = pid
        return True

    def void(self, ts: int) -> bool:
        seen = self.state.customers.seen_ts
        # only a rental that is not its customer's latest: how long a customer has been idle must not
        # depend on a rental that is gone
        picked = self.pick_rental(lambda r: r[RETURNED] is not None and r[TS] < seen[r[CUST]])
        if picked is None:
            return False
        rid = picked[0]
        rec = self.state.history.rentals[rid]
        for pid in self._payments(rec):
            self.emit(ts, "void", "payment", "D", pid, None, rec[TS])
        self.emit(ts, "void", "rental", "D", rid, None, rec[TS])
        self.state.customers.forget(rec[CUST], int(self.state.stock.film[rec[INV]]))
        self.state.history.remove(rid)
        return True

    # ---- customers and films -------------------------------------------------------------------------
    def pick_by_day(self, name: str, ids: Callable[[], np.ndarray], days: Callable[[np.ndarray], np.ndarray],
                    still: Callable[[int], bool]) -> int | None:
        """One record: an age by the sigmoid over the days records were made, then one made that day
        (candidates are listed once a day; `still` says whether one still qualifies)."""
        if name not in self.pickers:
            cand = ids()
            made = days(cand)
            self.pickers[name] = (cand, made, self.picker(made) if len(cand) else None)
        cand, made, picker = self.pickers[name]
        if picker is None:
            return None
        for _ in range(_TRIES):
            day = self.pick_age(picker)
            of_day = cand[made == day]
            pick = int(of_day[int(self.rng.integers(len(of_day)))])
            if still(pick):
                return pick
        return None

    def _customer(self, name: str, still: Callable[[int], bool]) -> int | None:
        c = self.state.customers
        return self.pick_by_day(
            name, lambda: np.flatnonzero(c.exists & (c.create_ts >= self.first * DAY) & (c.create_ts < self.day * DAY)),
            lambda ids: c.create_ts[ids] // DAY, still)

    def customer_edit(self, ts: int) -> bool:
        c = self.state.customers
        cid = self._customer("customers", lambda cid: True)
        if cid is None:
            return False
        made = int(c.create_ts[cid])
        what = CUSTOMER_EDITS[int(self.rng.integers(3))]
        cat, local, store = self.model.cfg.catalog, self.model.local, int(c.store[cid])
        if what == "customer_email":
            new = c.give_email(cid, DOMAINS[int(self.rng.integers(len(DOMAINS)))])
            self.emit(ts, what, "customer", "U", cid, {"email": new, "last_update": ts}, made)
        elif what == "customer_phone":
            phone = places.phone(self.rng, local, cat, store)
            self.emit(ts, what, "address", "U", int(c.address[cid]), {"phone": phone, "last_update": ts}, made)
        else:
            # a move: to another address around the customer's store
            street, district, city, postal, phone = places.addresses(self.rng, local, cat, self.state.store_cities,
                                                                     [store])[0]
            aid = int(self.state.next_ids("address", 1)[0])
            self.emit(ts, what, "address", "I", aid, (aid, street, None, district, city, postal, phone, ts), made)
            self.emit(ts, what, "customer", "U", cid, {"address_id": aid, "last_update": ts}, made)
            c.address[cid] = aid
        return True

    def account_closure(self, ts: int) -> bool:
        c = self.state.customers
        cid = self._customer("customers", lambda cid: bool(c.active[cid] and not c.closed[cid]))
        if cid is None:
            return False
        self.emit(ts, "account_closure", "customer", "U", cid, {"active": 0, "last_update": ts}, int(c.create_ts[cid]))
        self.ev.customer_events.append((cid, ts, "close"))
        c.active[cid] = False
        c.closed[cid] = True
        return True

    def _not_repriced_today(self, film: int) -> bool:
        """One price change per film a day: two in one second would give the price history one key twice."""
        return all(p[0] != film for p in self.ev.film_prices)

    def price_change(self, ts: int) -> bool:
        f = self.state.films
        film = self.pick_by_day("films", lambda: np.flatnonzero(f.exists & (f.release_day >= self.first)
                                                                & (f.release_day < self.day)),
                                lambda ids: f.release_day[ids], self._not_repriced_today)
        if film is None:
            return False
        rate, cost = int(f.rate_cents[film]), int(f.replacement_cents[film])
        rates = [r for r in RATES_CENTS if r != rate]
        new_rate = rates[int(self.rng.integers(len(rates)))]
        new_cost = cost if self.rng.random() < 0.5 else 999 + 100 * int(self.rng.integers(0, 21))
        values = {"rental_rate": new_rate, "replacement_cost": new_cost, "last_update": ts}
        if new_cost == cost:
            del values["replacement_cost"]
        self.emit(ts, "price_change", "film", "U", film, values, int(f.release_day[film]) * DAY)
        self.ev.film_prices.append((film, ts, rate, cost))
        self.state.history.add_price(film, ts, cost)
        f.rate_cents[film], f.replacement_cents[film] = new_rate, new_cost
        return True


_HANDLERS = {
    "return_corrections": _Day.return_correction, "payment_corrections": _Day.payment_correction,
    "refunds": _Day.refund, "customer_edits": _Day.customer_edit, "price_changes": _Day.price_change,
    "account_closures": _Day.account_closure, "voided_rentals": _Day.void,
}


def late_changes(state: SimState, model: Model, day: int, ev: DayEvents) -> None:
    """Change past records after the day's business (the day's rentals set the volume)."""
    cfg = model.cfg.late_changes
    work = _Day(state, model, day, ev)
    rentals = len(ev.rentals)
    counts = [int(work.rng.poisson(getattr(cfg, name) * rentals / 1000.0)) for name in _HANDLERS]
    total = sum(counts)
    if total:
        close = min(int(model.cfg.demand.close_hour * 3600), DAY - 1)
        times = (np.sort(work.rng.integers(close, DAY, total)) + day * DAY).tolist()
        todo = [handler for handler, n in zip(_HANDLERS.values(), counts) for _ in range(n)]
        ev.stats.late_changes += sum(handler(work, ts) for handler, ts in zip(todo, times))
    state.history.prune(day + 1 - state.history.window)
