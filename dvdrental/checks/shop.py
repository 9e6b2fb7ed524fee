"""Realism of the shop a person recognises (issue 12): what sells, what it costs, who walks out empty
handed, how people visit, and what the rental table itself shows of the configured season and spikes.

Measured on the database only, over what the simulation made: rentals dated on or after the first
simulated day (and, in an adopted database, after the imported ids), films released during the
simulation, customers it created. One read of the rentals (id, customer, film, time) serves the
checks, in numpy: no self-join, a 10-year database is read in a fraction of a second.

Definitions used throughout:
- a film's *release* is the arrival of its first copy (MIN(inventory.created_at)); a film *released
  during the simulation* is one that is not in the initial catalogue (ids above the catalogue's: the
  imported films of an adopted database, `catalog.films` of a generated one) whose first copy arrived
  on or after the first simulated day;
- a *new release* rental is a rental of such a film less than NEW_DAYS days after its release;
- a *visit* is a customer's run of rentals each within VISIT_GAP seconds of the previous one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..config import Config, effective, stored
from ..sim.calendar import DAY, date_of
from ..storage import Database
from .invariants import imported_ids
from .realism import Result, Z, _status, load_days, seasonality, spikes

EXAMPLES = 5

#: A rental is of a new release when the film's first copy arrived less than this many days before.
NEW_DAYS = 90
#: New releases take at least this share of the rentals 90+ days into the simulation.
NEW_RELEASE_SHARE = 0.25
#: Rentals per copy-day in a release's first BURST_EARLY days at least this many times days BURST_LATE.
BURST_RATIO = 1.5
BURST_EARLY = (0, 28)
BURST_LATE = (56, 112)
#: The burst is measured when this many released films (with their whole late window) and this many
#: rentals in each window are there.
BURST_MIN_FILMS, BURST_MIN_RENTALS = 5, 50
#: Demand lost to empty shelves, as a share of demand (rentals + lost), below this.
LOST_DEMAND_SHARE = 0.05
#: Rentals of a film the same customer rented before, at most this share (Sakila: 1.3 %).
REPEAT_SHARE = 0.03
#: Rentals of one customer within this many seconds of each other make one visit.
VISIT_GAP = 600
#: Rentals that share a visit with another rental, at least this share (Sakila: 55.7 %).
BASKET_SHARE = 0.30
#: Most rentals by one customer in one ISO week.
WEEKLY_MAX = 15
#: An adopted history's heaviest customer-week, times this, is the limit when it is above WEEKLY_MAX.
HISTORY_MARGIN = 1.25
#: Customers who rented exactly once, at most this share of the renters (customers 13+ weeks old).
ONE_TIME_SHARE = 0.30
ONE_TIME_AGE_DAYS = 91
#: A new customer's first rental comes at most this many seconds after the sign-up.
SIGNUP_RENTAL_SECONDS = 3600
#: Demand seasonality and spikes as the rental table shows them: within this share of the configured.
RENTAL_SHAPE = 0.10
MIN_RENTALS = 100


@dataclass
class Shop:
    """The rentals (all of them, imported included, by time) and the copies, as numpy arrays."""
    cfg: Config
    first: int
    last: int
    rid: np.ndarray
    cust: np.ndarray
    film: np.ndarray
    ts: np.ndarray
    sim: np.ndarray          # a rental the simulation made
    release_ts: np.ndarray   # per film id: its first copy's arrival (int64 max: no copy)
    released: np.ndarray     # per film id: released during the simulation
    inv_film: np.ndarray
    inv_from: np.ndarray
    inv_to: np.ndarray       # retired_at (int64 max: still in stock)
    imported: dict

    @property
    def releases_on(self) -> bool:
        return self.cfg.film_releases.films_per_month > 0  # effective(): 0 below level 3

    def new_release(self) -> np.ndarray:
        """Per rental: a rental of a film released during the simulation, less than NEW_DAYS after it."""
        return new_release(self.film, self.ts, self.release_ts, self.released)


def releases(inv_film: np.ndarray, inv_from: np.ndarray, size: int, first: int, cfg: Config,
             imported: dict) -> tuple[np.ndarray, np.ndarray]:
    """Per film id (`size` of them): its release, the arrival of its first copy (int64 max: no copy), and
    whether it was released during the simulation (above the initial catalogue, on or after day `first`)."""
    never = np.iinfo(np.int64).max
    release_ts = np.full(size, never, dtype=np.int64)
    np.minimum.at(release_ts, inv_film, inv_from)
    initial = imported.get("film", 0) if imported else cfg.catalog.films
    return release_ts, (np.arange(size) > initial) & (release_ts >= first * DAY) & (release_ts < never)


def new_release(film: np.ndarray, ts: np.ndarray, release_ts: np.ndarray, released: np.ndarray) -> np.ndarray:
    """Per rental (`film`, `ts`): a film released during the simulation, rented less than NEW_DAYS after it."""
    return released[film] & (ts - release_ts[film] < NEW_DAYS * DAY)


def visit_numbers(cust: np.ndarray, ts: np.ndarray, rid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rentals in customer and time order (an index order), and each one's visit number there (a visit:
    rentals each within VISIT_GAP seconds of the customer's previous one)."""
    order = np.lexsort((rid, ts, cust))
    c, t = cust[order], ts[order]
    start = np.r_[True, (c[1:] != c[:-1]) | (t[1:] - t[:-1] > VISIT_GAP)][:len(c)]
    return order, np.cumsum(start) - 1


def seen_before(cust: np.ndarray, film: np.ndarray, ts: np.ndarray, rid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rentals in customer, film and time order (an index order), and whether each one there is of a
    film the customer rented before."""
    order = np.lexsort((rid, ts, film, cust))
    c, f = cust[order], film[order]
    return order, np.r_[False, (c[1:] == c[:-1]) & (f[1:] == f[:-1])][:len(c)]


def load(db: Database, sim_state: dict) -> Shop:
    cfg = effective(stored(sim_state))
    first, last = sim_state["start_date"], sim_state["last_day"]
    imported = imported_ids(db, sim_state)
    ep = db.epoch_seconds
    rows = db.query(f"SELECT {db.join_in_order} r.rental_id, r.customer_id, i.film_id, {ep('r.rental_date')} "
                    "FROM rental r "
                    "JOIN inventory i ON i.inventory_id = r.inventory_id")
    a = np.array(rows, dtype=np.int64).reshape(-1, 4)
    a = a[np.lexsort((a[:, 0], a[:, 3]))]
    rid, cust, film, ts = a.T
    never = np.iinfo(np.int64).max
    inv = db.query(f"SELECT film_id, {ep('created_at')}, {ep('retired_at')} FROM inventory")
    inv_film = np.array([r[0] for r in inv], dtype=np.int64)
    inv_from = np.array([r[1] for r in inv], dtype=np.int64)
    inv_to = np.array([never if r[2] is None else r[2] for r in inv], dtype=np.int64)
    size = int(max(inv_film.max(initial=0), film.max(initial=0))) + 1
    release_ts, released = releases(inv_film, inv_from, size, first, cfg, imported)
    sim = (rid > imported.get("rental", 0)) & (ts >= first * DAY)
    return Shop(cfg, first, last, rid, cust, film, ts, sim, release_ts, released, inv_film, inv_from, inv_to,
                imported)


def _pct(x: float) -> str:
    return f"{x * 100:.1f} %"


def _window(s: Shop) -> np.ndarray:
    """The rentals the simulation made NEW_DAYS days or more after its start (the new-release checks)."""
    return s.sim & (s.ts >= (s.first + NEW_DAYS) * DAY)


def _releases_off(name: str, desc: str, s: Shop) -> Result | None:
    if not s.releases_on:
        return Result(name, desc, status="skip",
                      measured="film releases are off (film_releases.films_per_month 0 or level < 3)")
    return None


# ---- releases ----------------------------------------------------------------------------------

def new_release_share(s: Shop) -> Result:
    desc = (f"share of rentals that are new releases (a film released during the simulation, first copy "
            f"less than {NEW_DAYS} days before the rental), over rentals {NEW_DAYS}+ days after the start")
    name = "new_release_share"
    if off := _releases_off(name, desc, s):
        return off
    win = _window(s)
    n = int(win.sum())
    if n < MIN_RENTALS:
        return Result(name, desc, status="skip", measured=f"{n} rentals {NEW_DAYS}+ days after the start, "
                      f"needs {MIN_RENTALS}")
    new = int((s.new_release() & win).sum())
    films = int(s.released.sum())
    return Result(name, desc, f"at least {_pct(NEW_RELEASE_SHARE)}",
                  f"{_pct(new / n)} ({new:,} of {n:,}; {films:,} films released)", f">= {_pct(NEW_RELEASE_SHARE)}",
                  _status(new / n >= NEW_RELEASE_SHARE), [{"rentals": n, "new_release": new, "films_released": films}])


def _copy_days(s: Shop, films: np.ndarray, lo: int, hi: int) -> float:
    """Days the copies of `films` were in stock, days lo..hi (exclusive) after each film's release."""
    pick = np.isin(s.inv_film, films)
    start = s.release_ts[s.inv_film[pick]]
    a = np.maximum(start + lo * DAY, s.inv_from[pick])
    b = np.minimum(start + hi * DAY, s.inv_to[pick])
    return float(np.maximum(b - a, 0).sum()) / DAY


def release_burst(s: Shop) -> Result:
    (e0, e1), (l0, l1) = BURST_EARLY, BURST_LATE
    desc = (f"release burst in rentals: rentals per copy-day in days {e0}-{e1} after a release against "
            f"days {l0}-{l1} (films released during the simulation, copies of all stores pooled)")
    name = "release_burst"
    films = np.flatnonzero(s.released & (s.release_ts + l1 * DAY <= (s.last + 1) * DAY))
    if len(films) < BURST_MIN_FILMS:
        return Result(name, desc, status="skip", measured=f"{len(films)} film(s) released {l1}+ days before the "
                      f"last day, needs {BURST_MIN_FILMS}")
    of = np.isin(s.film, films) & s.sim
    age = s.ts[of] - s.release_ts[s.film[of]]
    early = int(((age >= e0 * DAY) & (age < e1 * DAY)).sum())
    late = int(((age >= l0 * DAY) & (age < l1 * DAY)).sum())
    if min(early, late) < BURST_MIN_RENTALS:
        return Result(name, desc, status="skip", measured=f"{early} and {late} rentals in the windows, needs "
                      f"{BURST_MIN_RENTALS} in each")
    cd_early, cd_late = _copy_days(s, films, e0, e1), _copy_days(s, films, l0, l1)
    r_early, r_late = early / max(cd_early, 1e-9), late / max(cd_late, 1e-9)
    ratio = r_early / r_late if r_late > 0 else float("inf")
    return Result(name, desc, f"at least x{BURST_RATIO:g}",
                  f"x{ratio:.2f} ({r_early:.3f} vs {r_late:.3f} rentals per copy-day; {len(films)} films)",
                  f">= x{BURST_RATIO:g}", _status(ratio >= BURST_RATIO),
                  [{"films": len(films), "early_rentals": early, "early_copy_days": round(cd_early, 1),
                    "late_rentals": late, "late_copy_days": round(cd_late, 1)}])


def new_release_price(db: Database, s: Shop) -> Result:
    """The price a rental was charged: its rental payment (at the rental time; the largest if a refund
    was booked at the same second), the rate in force then. film.rental_rate is today's price, which
    later price changes may have moved."""
    desc = (f"new releases cost more: average rental fee paid for new-release rentals against the other "
            f"rentals ({NEW_DAYS}+ days after the start)")
    name = "new_release_price"
    if off := _releases_off(name, desc, s):
        return off
    since = f"{date_of(s.first + NEW_DAYS)} 00:00:00"
    paid = db.query("SELECT r.rental_id, MAX(p.amount) FROM rental r JOIN payment p ON p.rental_id = r.rental_id "
                    "AND p.payment_date = r.rental_date WHERE r.rental_date >= ? GROUP BY r.rental_id", (since,))
    ids = np.array([r[0] for r in paid], dtype=np.int64)
    fee = np.array([float(r[1]) for r in paid])
    order = np.argsort(s.rid)
    pos = order[np.searchsorted(s.rid, ids, sorter=order)] if len(ids) else np.zeros(0, np.int64)
    keep = s.sim[pos]
    new = s.new_release()[pos][keep]
    fee = fee[keep]
    if new.sum() < 30 or (~new).sum() < 30:
        return Result(name, desc, status="skip", measured=f"{int(new.sum())} new-release and {int((~new).sum())} "
                      "other paid rentals, needs 30 of each")
    a, b = float(fee[new].mean()), float(fee[~new].mean())
    return Result(name, desc, "new releases higher (ratio > 1)", f"x{a / b:.2f} ({a:.2f} vs {b:.2f})", "> 1",
                  _status(a > b), [{"new_release_mean": round(a, 3), "other_mean": round(b, 3),
                                    "new_release_rentals": int(new.sum()), "other_rentals": int((~new).sum())}])


# ---- demand the shelves lose, and the configured shape in the rental table ---------------------

def lost_demand(db: Database, s: Shop) -> Result:
    desc = "demand lost to empty shelves: SUM(sim_day.lost_demand) / (rentals + lost), simulated days"
    lost = float(db.query("SELECT SUM(lost_demand) FROM sim_day WHERE day >= ? AND day <= ?",
                          (str(date_of(s.first)), str(date_of(s.last))))[0][0] or 0)
    rentals = int((s.sim & (s.ts < (s.last + 1) * DAY)).sum())
    if rentals + lost <= 0:
        return Result("lost_demand", desc, status="skip", measured="no demand yet")
    share = lost / (rentals + lost)
    return Result("lost_demand", desc, f"below {_pct(LOST_DEMAND_SHARE)}",
                  f"{_pct(share)} ({lost:,.0f} of {rentals + lost:,.0f})", f"< {_pct(LOST_DEMAND_SHARE)}",
                  _status(share < LOST_DEMAND_SHARE), [{"rentals": rentals, "lost": int(lost)}])


def rental_shape(db: Database, s: Shop) -> list[Result]:
    """The realism report's seasonality and spike size, measured on the rentals alone (no lost demand
    added back): the configured shape must show in the rental table itself."""
    desc_m = "monthly multipliers in the rental table: rentals / demand expected without the season"
    desc_s = "rentals on spike days / expected demand (spike days recognised from the rentals)"
    if s.last < s.first:
        return [Result("seasonality_in_rentals", desc_m, status="skip", measured="no simulated days yet"),
                Result("spikes_in_rentals", desc_s, status="skip", measured="no simulated days yet")]
    days = load_days(db, s.cfg, s.first, s.last, lost=False)
    size = spikes(days)[1]
    size.name, size.description = "spikes_in_rentals", desc_s
    return [seasonality(days, "seasonality_in_rentals", RENTAL_SHAPE, desc_m), size]


# ---- customers ---------------------------------------------------------------------------------

def repeat_rentals(s: Shop) -> Result:
    desc = "share of rentals of a film the same customer rented before (any earlier rental)"
    order, again = seen_before(s.cust, s.film, s.ts, s.rid)
    cust, film, rid, sim = s.cust[order], s.film[order], s.rid[order], s.sim[order]
    again &= sim
    n = int(sim.sum())
    if n < MIN_RENTALS:
        return Result("repeat_rentals", desc, status="skip", measured=f"{n} rentals, needs {MIN_RENTALS}")
    k = int(again.sum())
    most = ""
    details = {"rentals": n, "repeats": k}
    if k:
        pair = np.r_[0, np.cumsum((cust[1:] != cust[:-1]) | (film[1:] != film[:-1]))]
        counts = np.bincount(pair)
        top = int(np.argmax(counts))
        at = int(np.argmax(pair == top))
        most = f"; most: customer {cust[at]} rented film {film[at]} {counts[top]} times; e.g. rental " + \
            ", ".join(map(str, sorted(rid[again].tolist())[:EXAMPLES]))
        details.update(customer=int(cust[at]), film=int(film[at]), times=int(counts[top]))
    return Result("repeat_rentals", desc, f"at most {_pct(REPEAT_SHARE)} (Sakila 1.3 %)",
                  f"{_pct(k / n)} ({k:,} of {n:,}{most})", f"<= {_pct(REPEAT_SHARE)}", _status(k / n <= REPEAT_SHARE),
                  [details])


def _visits(s: Shop) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The simulated rentals by customer and time: customer, time, and the visit number of each."""
    pick = np.flatnonzero(s.sim)
    order, visit = visit_numbers(s.cust[pick], s.ts[pick], s.rid[pick])
    return s.cust[pick][order], s.ts[pick][order], visit


def visits(s: Shop) -> list[Result]:
    desc_b = (f"share of rentals that share a visit with another rental of the same customer (a visit: "
              f"rentals each within {VISIT_GAP // 60} minutes of the customer's previous one)")
    desc_d = "customers come once a day: customer-days with two visits or more"
    cust, ts, visit = _visits(s)
    n = len(visit)
    if n < MIN_RENTALS:
        why = f"{n} rentals, needs {MIN_RENTALS}"
        return [Result("visits", desc_b, status="skip", measured=why),
                Result("one_visit_a_day", desc_d, status="skip", measured=why)]
    size = np.bincount(visit)
    shared = int(size[size > 1].sum())
    # for comparison with Sakila, whose rentals of a day are spread over it: by calendar day
    _, at, per = np.unique(cust * (1 << 24) + ts // DAY, return_inverse=True, return_counts=True)
    same_day = int((per[at] > 1).sum())
    baskets = Result("visits", desc_b, f"at least {_pct(BASKET_SHARE)}",
                     f"{_pct(shared / n)} ({shared:,} of {n:,}; {len(size):,} visits, {n / len(size):.2f} rentals "
                     f"each; by calendar day {_pct(same_day / n)}, Sakila 55.7 %)", f">= {_pct(BASKET_SHARE)}",
                     _status(shared / n >= BASKET_SHARE),
                     [{"rentals": n, "in_baskets": shared, "visits": len(size), "same_day": same_day}])
    first = np.r_[0, np.flatnonzero(np.diff(visit)) + 1]  # each visit's first rental
    key = cust[first] * (1 << 24) + ts[first] // DAY
    days, per_day = np.unique(key, return_counts=True)
    twice = days[per_day > 1]
    examples = ", ".join(f"customer {k >> 24} on {date_of(int(k & ((1 << 24) - 1)))}" for k in twice[:EXAMPLES])
    daily = Result("one_visit_a_day", desc_d, "none", f"{len(twice):,} of {len(days):,} customer-days"
                   + (f" (e.g. {examples}); most visits in a day: {int(per_day.max())}" if len(twice) else ""),
                   "none", _status(not len(twice)), [{"customer_days": len(days), "with_two_visits": len(twice)}])
    return [baskets, daily]


def heavy_renters(s: Shop) -> Result:
    """An adopted shop's customers may rent as much as its own history's heaviest did, and a quarter more:
    the continuation keeps the history's pace (a Sakila customer rents 7 times the default's)."""
    desc = "most rentals by one customer in one ISO week (Monday to Sunday)"
    cust, day = s.cust[s.sim], s.ts[s.sim] // DAY
    if not len(cust):
        return Result("heavy_renters", desc, status="skip", measured="no rentals yet")
    most, who, week, counts = _heaviest_week(cust, day)
    limit, basis = WEEKLY_MAX, ""
    if (~s.sim).any():
        history = _heaviest_week(s.cust[~s.sim], s.ts[~s.sim] // DAY)[0]
        if math.ceil(history * HISTORY_MARGIN) > limit:
            limit, basis = math.ceil(history * HISTORY_MARGIN), f" (the imported history's heaviest: {history})"
    over = int((counts > limit).sum())
    return Result("heavy_renters", desc, f"at most {limit}{basis}",
                  f"{most} (customer {who}, week of {week}); {over:,} customer-weeks above {limit}",
                  f"<= {limit}", _status(most <= limit),
                  [{"max": most, "customer": who, "week": str(week), "weeks_above": over, "limit": limit}])


def _heaviest_week(cust: np.ndarray, day: np.ndarray) -> tuple[int, int, object, np.ndarray]:
    """(rentals, customer, Monday) of the heaviest customer-week, and the rentals of every customer-week."""
    monday = day - (day + 3) % 7  # 1970-01-01 was a Thursday
    keys, counts = np.unique(cust * (1 << 24) + monday, return_counts=True)
    top = int(np.argmax(counts))
    return int(counts[top]), int(keys[top] >> 24), date_of(int(keys[top] & ((1 << 24) - 1))), counts


def _customers(db: Database, s: Shop) -> tuple[np.ndarray, np.ndarray]:
    """The customers the simulation made (not imported): ids and sign-up times, by id."""
    rows = db.query(f"SELECT customer_id, {db.epoch_seconds('create_date')} FROM customer WHERE customer_id > ? "
                    "ORDER BY customer_id", (s.imported.get("customer", 0),))
    return np.array([r[0] for r in rows], dtype=np.int64), np.array([r[1] for r in rows], dtype=np.int64)


def one_time_renters(db: Database, s: Shop, ids: np.ndarray, created: np.ndarray) -> Result:
    desc = (f"share of renters who rented exactly once (customers the simulation made, signed up "
            f"{ONE_TIME_AGE_DAYS}+ days before the end of the last day)")
    old = ids[created <= (s.last + 1 - ONE_TIME_AGE_DAYS) * DAY]
    rented = s.cust[np.isin(s.cust, old)]
    per = np.bincount(np.searchsorted(old, rented), minlength=len(old)) if len(old) else np.zeros(0, int)
    renters, once, never = int((per > 0).sum()), int((per == 1).sum()), int((per == 0).sum())
    if renters < 30:
        return Result("one_time_renters", desc, status="skip", measured=f"{renters} renters, needs 30")
    share = once / renters
    return Result("one_time_renters", desc, f"at most {_pct(ONE_TIME_SHARE)}",
                  f"{_pct(share)} ({once:,} of {renters:,} renters; {never:,} of {len(old):,} customers never rented)",
                  f"<= {_pct(ONE_TIME_SHARE)}", _status(share <= ONE_TIME_SHARE),
                  [{"customers": len(old), "renters": renters, "once": once, "never": never}])


def signups_in_opening_hours(s: Shop, ids: np.ndarray, created: np.ndarray) -> Result:
    """Every customer the simulation made signed up during opening hours; each one after the starting
    customer base signed up to rent: their first rental within an hour. A voided rental (a late change
    deletes it) can take a customer's first rental away, so as many customers as voids could explain
    (4 sd above the expected number) may lack one."""
    d = s.cfg.demand
    desc = (f"customers sign up during opening hours ({d.open_hour:g}-{d.close_hour:g}h) and rent within "
            f"{SIGNUP_RENTAL_SECONDS // 60} minutes of signing up")
    if not len(ids):
        return Result("signups_in_opening_hours", desc, status="skip", measured="no customers made")
    tod = created % DAY
    outside = ids[(tod < d.open_hour * 3600) | (tod >= d.close_hour * 3600)]
    # not the starting members: the first `customers.initial` ids, or in a sharded chain (which interleaves
    # their ids with the new customers', store by store) those who signed up before the first day
    base = 0 if s.imported or s.cfg.sharded else s.cfg.customers.initial
    new = (ids > base) & (created >= s.first * DAY)
    first_rental = np.full(len(ids), np.iinfo(np.int64).max, dtype=np.int64)
    known = np.isin(s.cust, ids)
    np.minimum.at(first_rental, np.searchsorted(ids, s.cust[known]), s.ts[known])
    wait = first_rental - created
    late = ids[new & ~((wait >= 0) & (wait <= SIGNUP_RENTAL_SECONDS))]
    lc = s.cfg.late_changes
    expected = int(new.sum()) * (lc.voided_rentals / 1000 if lc.enabled else 0.0)
    allowed = int(math.floor(expected + Z * math.sqrt(expected))) if expected > 0 else 0
    ok = not len(outside) and len(late) <= allowed
    ex = lambda a: ", ".join(map(str, a[:EXAMPLES].tolist()))  # noqa: E731
    return Result("signups_in_opening_hours", desc, "all in opening hours; every new customer rents on signing up",
                  f"{len(outside):,} of {len(ids):,} outside opening hours" + (f" (e.g. customer {ex(outside)})"
                                                                              if len(outside) else "")
                  + f"; {len(late):,} of {int(new.sum()):,} new customers without a rental within the hour"
                  + (f" (e.g. customer {ex(late)})" if len(late) else ""),
                  f"none outside; at most {allowed} without (voided first rentals)", _status(ok),
                  [{"customers": len(ids), "outside_hours": len(outside), "new_customers": int(new.sum()),
                    "no_rental_within_the_hour": len(late), "allowed": allowed}])


def report(db: Database, sim_state: dict) -> list[Result]:
    s = load(db, sim_state)
    ids, created = _customers(db, s)
    return [new_release_share(s), release_burst(s), new_release_price(db, s), lost_demand(db, s),
            *rental_shape(db, s), repeat_rentals(s), *visits(s), heavy_renters(s),
            one_time_renters(db, s, ids, created), signups_in_opening_hours(s, ids, created)]
