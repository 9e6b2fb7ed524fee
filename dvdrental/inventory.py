"""Stock by hand (inventory_manager.py): add copies, release films, retire copies, report.

Changes made now are dated after closing on the last simulated day, so the next simulated day sees
them; changes dated later are stored in sim_stock_plan and carried out by the simulation that morning.
Every change goes through the same code the simulation uses (purchase strategies, film making), and
is written in one transaction with the id counters.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import numpy as np

from .config import AMOUNT_MAX, LAST_DATE, check_number
from .errors import ConfigError, StateError
from .run import Position, build_model, load_state, position
from .sim.calendar import DAY, date_of, day_number, day_text, ts_text
from .sim.changes import finish
from .sim.events import DayEvents, DayStats
from .sim.releases import release as make_release
from .sim.restock import add_copies, purchase
from .sim.rng import day_rng
from .sim.state import Model, SimState
from .storage import Database

#: Most copies of a film per store one release may add (as catalog.copies_per_film allows).
MAX_COPIES = 1000
#: Most films one release may add.
MAX_RELEASE = 1000

AGE_BUCKETS = ((0, 90, "0-3 months"), (90, 180, "3-6 months"), (180, 365, "6-12 months"),
               (365, 730, "1-2 years"), (730, 10**9, "2+ years"))


@dataclass
class Session:
    pos: Position
    model: Model
    state: SimState

    @property
    def day(self) -> int:
        return self.pos.last_day

    def now(self) -> int:
        """After closing on the last simulated day: the earliest moment a hand-made change can have."""
        close = int(self.model.cfg.demand.close_hour * 3600)
        return self.day * DAY + min(close, DAY - 60)

    def events(self) -> DayEvents:
        return DayEvents(self.day, stats=DayStats(self.day))


def _open(db: Database, seed: int | None) -> Session:
    pos = position(db, None, seed)
    if pos.config.sharded:
        raise StateError(f"{db.url.display()} is a sharded chain of {pos.config.catalog.stores} stores: inventory_manager "
                         "changes the stock of one simulation of all stores",
                         hint="each store of a chain buys and sells by the demand rule (inventory_schedule)")
    model = build_model(pos.config, pos.seed)
    return Session(pos, model, load_state(db, model, pos.sim_state))


def _commit(db: Database, s: Session, ev: DayEvents) -> None:
    finish(ev, s.state.counters)
    db.write_day(ev, day_text(s.day), s.state.counters, with_day=False,
                 log=s.model.cfg.late_changes.change_log)


def _future_day(s: Session, date: dt.date | None) -> int | None:
    """None for 'now'; the day number for a later date; an error for a date already simulated."""
    if date is None:
        return None
    if date > LAST_DATE:
        raise ConfigError(f"--date {date} is after {LAST_DATE}, the last date a simulation can reach")
    day = day_number(date)
    if day <= s.day:
        if day == s.day:
            return None
        raise ConfigError(f"--date {date} is already simulated (the last simulated day is {date_of(s.day)})",
                          hint="leave --date out to change stock now, or give a later date to plan it")
    return day


def _check(s: Session, stores: list[int] | None, films: list[int] | None) -> None:
    for store in stores or []:
        if store not in s.state.stores:
            raise ConfigError(f"store {store} does not exist", hint=f"stores: {s.state.stores}")
    for film in films or []:
        if not 0 < film < s.state.films.size or not s.state.films.exists[film]:
            raise ConfigError(f"film {film} does not exist")


def _plan(db: Database, day: int, action: str, params: dict) -> int:
    with db.transaction():
        top = db.query("SELECT MAX(plan_id) FROM sim_stock_plan")[0][0] or 0
        db.execute("INSERT INTO sim_stock_plan (plan_id, day, action, params) VALUES (?, ?, ?, ?)",
                   (top + 1, day_text(day), action, json.dumps(params, sort_keys=True)))
    return top + 1


def _copies_lines(ev: DayEvents) -> list[str]:
    per_store: dict[int, int] = {}
    for _, _, store, _ in ev.inventory:
        per_store[store] = per_store.get(store, 0) + 1
    return [f"store {s}: {n} cop{'y' if n == 1 else 'ies'}" for s, n in sorted(per_store.items())]


def add(db: Database, strategy: str, amount: float, stores: list[int] | None = None,
        films: list[int] | None = None, date: dt.date | None = None, dry_run: bool = False,
        seed: int | None = None) -> list[str]:
    """Buy copies now (or plan them for `date`) with one of the purchase strategies."""
    if strategy not in AMOUNT_MAX:
        raise ConfigError(f"unknown strategy '{strategy}'", hint="one of: " + ", ".join(AMOUNT_MAX))
    check_number(f"--amount with strategy {strategy}", amount, 0, AMOUNT_MAX[strategy], above=True)
    if strategy == "top_n" and films:
        raise ConfigError("--film does not go with --strategy top_n, which picks the AMOUNT most popular films",
                          hint="use --strategy per_film or fixed to buy copies of given films")
    with db.lock():
        s = _open(db, seed)
        _check(s, stores, films)
        day = _future_day(s, date)
        what = f"add copies (strategy {strategy}, amount {amount:g}, stores {stores or 'all'}" + \
               (f", films {films})" if films else ")")
        if day is not None:
            if not dry_run:
                plan_id = _plan(db, day, "add", {"strategy": strategy, "amount": amount, "stores": stores,
                                                 "films": films})
                return [f"planned #{plan_id} for {date_of(day)}: {what}"]
            return [f"would plan for {date_of(day)}: {what}"]
        ev = s.events()
        add_copies(s.state, s.day, ev, purchase(s.state, s.model, s.day, strategy, amount, stores, films), s.now())
        if not ev.inventory:
            return [f"nothing to buy: {what} selects no copies"]
        head = f"{'would add' if dry_run else 'added'} {len(ev.inventory)} copies at {ts_text(s.now())}"
        top = _top_films(ev)
        if not dry_run:
            _commit(db, s, ev)
        return [head, *_copies_lines(ev), f"films bought most: {top}"]


def _top_films(ev: DayEvents) -> str:
    counts: dict[int, int] = {}
    for _, film, _, _ in ev.inventory:
        counts[film] = counts.get(film, 0) + 1
    best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    return ", ".join(f"film {f} x{n}" for f, n in best)


def release(db: Database, films: int, copies: tuple[int, int], date: dt.date | None = None,
            dry_run: bool = False, seed: int | None = None) -> list[str]:
    """Release `films` new films with (min, max) copies per store now, or plan them for `date`."""
    check_number("the number of films", films, 1, MAX_RELEASE, whole=True)
    if not 0 <= copies[0] <= copies[1] <= MAX_COPIES:
        raise ConfigError(f"--copies {copies[0]}-{copies[1]} is not a range MIN-MAX with "
                          f"0 <= MIN <= MAX <= {MAX_COPIES}")
    with db.lock():
        s = _open(db, seed)
        day = _future_day(s, date)
        if day is not None:
            what = f"release {films} film(s) with {copies[0]}-{copies[1]} copies per store"
            if dry_run:
                return [f"would plan for {date_of(day)}: {what}"]
            plan_id = _plan(db, day, "release", {"films": films, "copies": list(copies)})
            return [f"planned #{plan_id} for {date_of(day)}: {what}"]
        ev = s.events()
        key = s.state.counters["film"]
        make_release(s.state, s.model, s.day, ev, films, day_rng(s.model.seed, "manual", key), copies, ts=s.now())
        lines = [f"{'would release' if dry_run else 'released'} {films} film(s) at {ts_text(s.now())}:"]
        for row in ev.films:
            n = sum(1 for inv in ev.inventory if inv[1] == row[0])
            lines.append(f"film {row[0]} {row[1]} ({row[10]}, {row[6]} days, {row[7] / 100:.2f}): {n} copies")
        if not dry_run:
            _commit(db, s, ev)
        return lines


def retire(db: Database, damaged: int | None = None, inventory_ids: list[int] | None = None,
           overdue_days: int | None = None, store: int | None = None, dry_run: bool = False,
           seed: int | None = None) -> list[str]:
    """Retire copies: `damaged` oldest copies on the shelf, given ids, or copies overdue so long they
    count as lost (their renter pays the replacement cost, as the simulation charges lost copies)."""
    if damaged is None and not inventory_ids and overdue_days is None:
        raise ConfigError("say what to retire: --damaged N, --inventory-id ID or --overdue-days D")
    if damaged is not None:
        check_number("--damaged", damaged, 1, whole=True)
    if overdue_days is not None:
        check_number("--overdue-days", overdue_days, 0, whole=True)
    with db.lock():
        s = _open(db, seed)
        if store is not None:
            _check(s, [store], None)
        st, ts, ev = s.state, s.now(), s.events()
        renting = {r.inventory_id: rid for rid, r in st.open.items()}
        chosen: list[tuple[int, str]] = []
        if damaged is not None:
            shelf = sorted(c for (sto, _), copies in st.stock.shelf.items() if store in (None, sto) for c in copies)
            if len(shelf) < damaged:
                raise ConfigError(f"only {len(shelf)} copies are on the shelf"
                                  + (f" at store {store}" if store is not None else ""))
            chosen += [(inv, "damaged") for _, inv in shelf[:damaged]]
        for inv in inventory_ids or []:
            if not 0 < inv < len(st.stock.exists) or not st.stock.exists[inv]:
                raise ConfigError(f"copy {inv} does not exist")
            if st.stock.retired[inv]:
                raise ConfigError(f"copy {inv} is already retired")
            chosen.append((inv, "lost" if inv in renting else "damaged"))
        if overdue_days is not None:
            for _, r in sorted(st.open.items()):
                late = s.day - r.rental_ts // DAY - r.duration
                if late > overdue_days and not r.lost and (store is None or st.stock.store[r.inventory_id] == store):
                    chosen.append((r.inventory_id, "lost"))
        lines = []
        for inv, why in dict(chosen).items():
            if why == "lost":
                rid = renting[inv]
                r = st.open.pop(rid)
                amount = int(st.films.replacement_cents[st.stock.film[inv]])
                pid = int(st.next_ids("payment", 1)[0])
                ev.payments.append((pid, r.customer_id, r.staff_id, rid, amount, ts))
                st.stock.retire(inv)
                lines.append(f"copy {inv}: lost on rental {rid}; customer {r.customer_id} charged {amount / 100:.2f}")
            else:
                st.stock.retire(inv, on_shelf=True)
                lines.append(f"copy {inv}: damaged, taken off the shelf")
            ev.retirements.append((inv, ts))
        head = f"{'would retire' if dry_run else 'retired'} {len(ev.retirements)} copies at {ts_text(ts)}"
        if ev.retirements and not dry_run:
            _commit(db, s, ev)
        return [head, *lines]


def stock_report(db: Database) -> dict:
    """Stock per store, utilisation, copies out, and rentals per copy-week by copy age."""
    st = db.require_sim_state()
    end_ts = (st["last_day"] + 1) * DAY
    stores = db.query("""
        SELECT i.store_id, COUNT(*),
               SUM(CASE WHEN i.retired_at IS NULL THEN 0 ELSE 1 END),
               SUM(CASE WHEN i.retired_at IS NULL AND o.inventory_id IS NOT NULL THEN 1 ELSE 0 END),
               COUNT(DISTINCT i.film_id)
        FROM inventory i
        LEFT JOIN (SELECT DISTINCT inventory_id FROM rental WHERE return_date IS NULL) o
          ON o.inventory_id = i.inventory_id
        GROUP BY i.store_id ORDER BY i.store_id""")
    out = {"last_day": day_text(st["last_day"]), "stores": [], "by_age": []}
    for store, total, retired, copies_out, films in stores:
        live = int(total) - int(retired)
        out["stores"].append({"store_id": int(store), "copies": int(total), "retired": int(retired),
                              "live": live, "out": int(copies_out), "on_shelf": live - int(copies_out),
                              "films": int(films),
                              "utilisation": round(int(copies_out) / live, 3) if live else 0.0})
    out["by_age"] = rentals_by_copy_age(db, end_ts)
    return out


def rentals_by_copy_age(db: Database, end_ts: int, start_ts: int | None = None) -> list[dict]:
    """Rentals per copy-week for copies of each age, and an index that removes growth and seasons.

    The raw rate mixes age with calendar time (the initial copies all age together through busy and
    quiet months). The index compares each age's rentals with what copies of that age would have got at
    each month's overall rentals per copy-day: above 1 means rented more than an average copy then.
    `start_ts` limits it to rentals and copy-days from then on (the simulated period of an adopted
    database).
    """
    from .sim.calendar import parse_ts
    days = db.days_between("r.rental_date", "i.created_at")
    case = " ".join(f"WHEN d < {hi} THEN {k}" for k, (_, hi, _) in enumerate(AGE_BUCKETS))
    since = ts_text(start_ts) if start_ts is not None else "1000-01-01 00:00:00"
    counted = db.query(f"SELECT month, CASE {case} END AS b, COUNT(*) FROM "
                       f"(SELECT {db.substr('r.rental_date', 1, 7)} AS month, {days} AS d FROM rental r "
                       f"JOIN inventory i ON i.inventory_id = r.inventory_id WHERE r.rental_date >= ?) x "
                       f"GROUP BY month, b", (since,))
    copies = db.query("SELECT created_at, retired_at FROM inventory")
    if not copies:
        return []
    created = np.array([parse_ts(c) for c, _ in copies], dtype=np.int64) // DAY
    gone = np.array([end_ts // DAY if r is None else parse_ts(r) // DAY for _, r in copies], dtype=np.int64)
    months = sorted({str(m) for m, _, _ in counted})
    bounds = [(day_number(dt.date(int(m[:4]), int(m[5:7]), 1)),
               day_number(dt.date(int(m[:4]) + int(m[5:7]) // 12, int(m[5:7]) % 12 + 1, 1))) for m in months]
    rentals = np.zeros((len(months), len(AGE_BUCKETS)))
    for m, b, n in counted:
        rentals[months.index(str(m)), int(b)] += int(n)
    exposure = np.zeros_like(rentals)  # copy-days per month and age bucket
    floor = start_ts // DAY if start_ts is not None else np.iinfo(np.int64).min
    for k, (lo, hi, _) in enumerate(AGE_BUCKETS):
        start, stop = np.maximum(created + lo, floor), np.minimum(gone, created + hi)
        for i, (m0, m1) in enumerate(bounds):
            exposure[i, k] = np.clip(np.minimum(stop, m1) - np.maximum(start, m0), 0, None).sum()
    rate = np.divide(rentals.sum(axis=1), exposure.sum(axis=1), out=np.zeros(len(months)),
                     where=exposure.sum(axis=1) > 0)
    expected = (exposure * rate[:, None]).sum(axis=0)
    rows = []
    for k, (_, _, label) in enumerate(AGE_BUCKETS):
        n, copy_days = int(rentals[:, k].sum()), float(exposure[:, k].sum())
        rows.append({"age": label, "rentals": n, "copy_weeks": round(copy_days / 7, 1),
                     "rentals_per_copy_week": round(n / (copy_days / 7), 3) if copy_days else None,
                     "index": round(n / expected[k], 3) if expected[k] else None})
    return rows
