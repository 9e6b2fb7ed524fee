"""Realism store by store, for chains of more than two stores.

The chain-level checks pool every store: a hundred healthy stores can hide one whose copies never come
back or whose customers never come in twice. Here each store faces the tolerances the chain faces: its
late and lost shares, its new releases, baskets, repeat and one-time renters, how busy its copies are
and how often its customers rent. In a sharded chain each store is simulated with its own share of the
configured demand (`sim.stores`), so its volume, weekend share and spike days are checked against that
share too. A check passes when every store is within its tolerance and names the worst stores either
way.

The rentals are read once, from the rental table alone (a join per rental, or a sort on the server,
costs minutes on MariaDB at millions of rentals; one scan costs seconds), with the copies and customers
as lookup arrays; every measure is then a numpy grouping by the store of the rental's copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import stats

from ..config import Config, effective, stored
from ..sim.calendar import DAY, date_of, day_number, weekday
from ..sim.demand import Demand
from ..storage import Database
from .invariants import imported_ids
from .realism import Z, Result, _max_duration, _status, store_shares
from .shop import (BASKET_SHARE, LOST_DEMAND_SHARE, NEW_DAYS, NEW_RELEASE_SHARE, ONE_TIME_AGE_DAYS,
                   ONE_TIME_SHARE, REPEAT_SHARE, VISIT_GAP, new_release, releases, seen_before, visit_numbers)

EXAMPLES = 5
#: Weeks at the end over which rentals per active customer are counted.
RECENT_WEEKS = 13
#: A store's rentals per active customer within this share of the chain's (or `Chain.z` sd of its noise).
CUSTOMER_RATE = 0.25
#: Fewest rentals a store needs for a share to be judged; renters, for one-time renters (the chain's own).
MIN_N, MIN_RENTERS = 100, 30
WEEKEND = (4, 5, 6)  # Fri, Sat, Sun


@dataclass
class Chain:
    """The chain's stores and the rentals the simulation made, with their copies and customers.

    Stores are numbered by position (0 for the lowest store_id); per rental: its id, customer, copy,
    film, the copy's store, and its rental and return time (epoch seconds; -1: not returned). Copies and
    customers are arrays indexed by their ids."""
    cfg: Config
    first: int
    last: int
    stores: np.ndarray         # store ids, ascending
    shares: np.ndarray | None  # a sharded chain: each store's share of the configured demand
    imported: dict
    rid: np.ndarray
    cust: np.ndarray
    inv: np.ndarray
    film: np.ndarray
    store: np.ndarray          # position of the copy's store
    ts: np.ndarray
    back: np.ndarray
    inv_store: np.ndarray      # per copy id: position of its store (-1: no such copy)
    inv_film: np.ndarray
    inv_from: np.ndarray
    inv_to: np.ndarray         # retired_at, -1 while in stock
    cust_store: np.ndarray     # per customer id: position of their store (-1: no such customer)
    cust_from: np.ndarray
    cust_active: np.ndarray
    duration: np.ndarray       # per film id: rental_duration
    longest: int               # the longest rental_duration (realism's rule)

    @property
    def z(self) -> float:
        """The chain checks' 4 sd, widened so that a healthy chain of any size has a store outside its
        tolerance as rarely as a healthy shop fails a chain-level check (two-sided, Bonferroni)."""
        return float(stats.norm.isf(stats.norm.sf(Z) / max(1, len(self.stores))))

    def per_store(self, mask: np.ndarray | None = None, weights: np.ndarray | None = None) -> np.ndarray:
        """Rentals (or their `weights`) per store, of the rentals in `mask` (all by default)."""
        store = self.store
        if mask is not None:
            store, weights = store[mask], None if weights is None else weights[mask]
        return np.bincount(store, weights, minlength=len(self.stores)).astype(float)

    @cached_property
    def daily(self) -> np.ndarray:
        """Rentals per store (row) and simulated day (column)."""
        days = self.last - self.first + 1
        day = self.ts // DAY - self.first
        keep = (day >= 0) & (day < days)
        flat = np.bincount(self.store[keep] * days + day[keep], minlength=len(self.stores) * days)
        return flat.reshape(len(self.stores), days).astype(float)


def _read(db: Database, sql: str, params: tuple, width: int, chunk: int = 1 << 18) -> np.ndarray:
    """A query's integer columns as one array, read in chunks (no list of millions of tuples)."""
    parts, rows = [], []
    for row in db.stream(sql, params):
        rows.append(row)
        if len(rows) == chunk:
            parts.append(np.array(rows, dtype=np.int64).reshape(-1, width))
            rows = []
    parts.append(np.array(rows, dtype=np.int64).reshape(-1, width))
    return np.concatenate(parts)


def _by_id(ids: np.ndarray, values: np.ndarray, fill: int = -1) -> np.ndarray:
    out = np.full(int(ids.max(initial=0)) + 1, fill, dtype=np.int64)
    out[ids] = values
    return out


def load(db: Database, sim_state: dict) -> Chain:
    cfg = effective(stored(sim_state))
    first, last = sim_state["start_date"], sim_state["last_day"]
    imported = imported_ids(db, sim_state)
    ep = db.epoch_seconds
    stores = np.array([r[0] for r in db.query("SELECT store_id FROM store ORDER BY store_id")], dtype=np.int64)
    pos = _by_id(stores, np.arange(len(stores)))
    inv = _read(db, f"SELECT inventory_id, store_id, film_id, {ep('created_at')}, COALESCE({ep('retired_at')}, -1) "
                "FROM inventory", (), 5)
    cu = _read(db, f"SELECT customer_id, store_id, {ep('create_date')}, active FROM customer", (), 4)
    films = _read(db, "SELECT film_id, rental_duration FROM film", (), 2)
    r = _read(db, f"SELECT rental_id, customer_id, inventory_id, {ep('rental_date')}, "
              f"COALESCE({ep('return_date')}, -1) FROM rental WHERE rental_date >= ? AND rental_id > ?",
              (f"{date_of(first)} 00:00:00", imported.get("rental", 0)), 5)
    inv_store = _by_id(inv[:, 0], pos[inv[:, 1]])
    inv_film = _by_id(inv[:, 0], inv[:, 2], 0)
    shares = store_shares(cfg)
    if shares is not None and len(shares) != len(stores):
        shares = None  # stores added by hand: the configured shares no longer say who gets what
    return Chain(cfg=cfg, first=first, last=last, stores=stores, shares=shares, imported=imported,
                 rid=r[:, 0], cust=r[:, 1], inv=r[:, 2], film=inv_film[r[:, 2]], store=inv_store[r[:, 2]],
                 ts=r[:, 3], back=r[:, 4], inv_store=inv_store, inv_film=inv_film,
                 inv_from=_by_id(inv[:, 0], inv[:, 3], 0), inv_to=_by_id(inv[:, 0], inv[:, 4]),
                 cust_store=_by_id(cu[:, 0], pos[cu[:, 1]]), cust_from=_by_id(cu[:, 0], cu[:, 2], 0),
                 cust_active=_by_id(cu[:, 0], cu[:, 3], 0), duration=_by_id(films[:, 0], films[:, 1], 0),
                 longest=_max_duration(db))


# ---- the verdict -------------------------------------------------------------------------------

def _verdict(name: str, desc: str, c: Chain, configured: str, value: np.ndarray, low: np.ndarray,
             high: np.ndarray, fmt, judged: np.ndarray | None = None, tolerance: str = "",
             expected: float | None = None) -> Result:
    """Pass when every judged store's `value` lies within [low, high]; the measured text gives the
    range over the stores and names the stores furthest out (relative to their own tolerance)."""
    judged = np.ones(len(value), bool) if judged is None else judged
    if not judged.any():
        return Result(name, desc, configured, f"no store with enough data (needs {MIN_N})", status="skip")
    low = np.where(np.isfinite(low), np.maximum(low, 0.0), low)  # every measure is a share or a ratio
    # how far out each store is, as a share of its way to the limit: from the expected value, from 0
    # to an upper limit alone, from 1 (a share's most) to a lower limit alone
    ref = np.where(np.isfinite(high), 0.0, 1.0) if expected is None else np.full(len(value), expected)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(value > ref, (value - ref) / (high - ref), (ref - value) / (ref - low))
    score = np.where(judged, np.nan_to_num(score, nan=np.inf), -np.inf)
    out = np.flatnonzero(judged & ((value < low) | (value > high)))
    idx = np.flatnonzero(judged)
    lo_i, hi_i = idx[np.argmin(value[idx])], idx[np.argmax(value[idx])]
    name_of = lambda i: f"store {c.stores[i]} {fmt(value[i])} (allowed {_bounds(low[i], high[i], fmt)})"  # noqa: E731
    measured = (f"{fmt(value[lo_i])} (store {c.stores[lo_i]}) to {fmt(value[hi_i])} (store {c.stores[hi_i]}) "
                f"over {len(idx)} stores")
    if len(out):
        worst = out[np.argsort(-score[out], kind="stable")][:EXAMPLES]
        measured += f"; {len(out)} outside: " + ", ".join(name_of(i) for i in worst)
    else:
        measured += f"; nearest its limit: {name_of(int(np.argmax(score)))}"
    skipped = len(value) - len(idx)
    if skipped:
        measured += f"; {skipped} store(s) with too little data not judged"
    details = [{"store": int(c.stores[i]), "measured": round(float(value[i]), 5), "low": _num(low[i]),
                "high": _num(high[i]), "status": _status(bool(low[i] <= value[i] <= high[i]))} for i in idx]
    return Result(name, desc, configured, measured, tolerance or "each store within its own bounds",
                  _status(not len(out)), details)


def _bounds(lo: float, hi: float, fmt) -> str:
    if not np.isfinite(lo):
        return f"<= {fmt(hi)}"
    if not np.isfinite(hi):
        return f">= {fmt(lo)}"
    return f"{fmt(lo)}..{fmt(hi)}"


def _num(x: float) -> float | None:
    return round(float(x), 5) if np.isfinite(x) else None


def _pct(x: float) -> str:
    return f"{x * 100:.1f} %"


def _binomial(c: Chain, p: np.ndarray | float, n: np.ndarray, floor: float) -> np.ndarray:
    """The chain checks' tolerance of a share: `c.z` sd of binomial noise or `floor`, whichever is larger."""
    p = np.broadcast_to(np.asarray(p, float), n.shape)
    return np.maximum(c.z * np.sqrt(np.maximum(p * (1 - p), 1e-6) / np.maximum(n, 1)), floor)


def _shares_off(name: str, desc: str, c: Chain) -> Result | None:
    if c.shares is None:
        return Result(name, desc, status="skip", measured="the stores share one simulation (not a sharded chain): "
                      "the chain-level checks cover them")
    if not c.daily.shape[1]:
        return Result(name, desc, status="skip", measured="no simulated days yet")
    return None


# ---- demand: each store against its share of the configured demand (sharded chains) -------------

def _expected(c: Chain) -> tuple[np.ndarray, float, float, float]:
    """The chain's expected demand per day without a spike, the spikes' mean, probability and size."""
    d = c.cfg.demand
    model = Demand.build(d, c.cfg.seasonality, day_number(c.cfg.simulation.start_date))
    lam = np.array([model.expected(day) for day in range(c.first, c.last + 1)])
    return lam, 1 + d.spike_probability * (d.spike_multiplier - 1), d.spike_probability, d.spike_multiplier


def _spread(lam: np.ndarray, mean: float, p: float, m: float) -> np.ndarray:
    """Variance of one store's rentals on days expected at `lam` (no spike): Poisson and its spikes."""
    return lam * mean + lam ** 2 * (m - 1) ** 2 * p * (1 - p)


def volume(c: Chain) -> Result:
    desc = (f"rentals per store against its share of the configured demand (spike days included; up to "
            f"{_pct(LOST_DEMAND_SHARE)} of it may be lost to empty shelves)")
    if off := _shares_off("store_volume", desc, c):
        return off
    lam, mean, p, m = _expected(c)
    lam_s = c.shares[:, None] * lam[None, :]
    exp = lam_s.sum(axis=1) * mean
    tol = np.maximum(c.z * np.sqrt(_spread(lam_s, mean, p, m).sum(axis=1)), 0.01 * exp)
    value, low = c.daily.sum(axis=1) / exp, (exp * (1 - LOST_DEMAND_SHARE) - tol) / exp
    return _verdict("store_volume", desc, c, f"{exp.min():,.0f} to {exp.max():,.0f} a store (store sizes "
                    f"sigma {c.cfg.catalog.store_size_sigma:g})", value, low, (exp + tol) / exp, lambda x: f"x{x:.3f}",
                    None, f"{c.z:.1f} sd (Poisson and spike days) or 1 %, less {_pct(LOST_DEMAND_SHARE)} lost "
                    "demand (as rentals / expected)", 1.0)


def weekend_share(c: Chain) -> Result:
    desc = "share of a store's rentals on Fri-Sun against the configured weekday profile (with its shift)"
    if off := _shares_off("store_weekend_share", desc, c):
        return off
    lam, mean, p, m = _expected(c)
    wkend = np.isin(np.array([weekday(d) for d in range(c.first, c.last + 1)]), WEEKEND)
    e = float(lam[wkend].sum() / lam.sum())
    lam_s = c.shares[:, None] * lam[None, :]
    var = _spread(lam_s, mean, p, m)
    total = lam_s.sum(axis=1) * mean
    sd = np.sqrt((1 - e) ** 2 * var[:, wkend].sum(axis=1) + e ** 2 * var[:, ~wkend].sum(axis=1)) / total
    tol = np.maximum(c.z * sd, 0.005)
    n = c.daily.sum(axis=1)
    value = c.daily[:, wkend].sum(axis=1) / np.maximum(n, 1)
    return _verdict("store_weekend_share", desc, c, _pct(e), value, e - tol, e + tol, _pct, n >= MIN_N,
                    f"{c.z:.1f} sd (Poisson and spike days) or 0.5 pts", e)


def spikes(c: Chain) -> list[Result]:
    """Each store draws its own spike days: recognised in its rentals as in the chain-level check
    (above the midpoint between a normal and a spike day's expectation, days with 5+ expected)."""
    desc_f = "share of a store's days that are spike days (its own: recognised in its rentals)"
    desc_s = "a store's rentals on its spike days / its expected demand"
    off = _shares_off("store_spikes", desc_f, c)
    d = c.cfg.demand
    if off is None and d.spike_multiplier < 1.5:
        off = Result("store_spikes", desc_f, status="skip", measured="spike multiplier below 1.5")
    if off:
        return [off, Result("store_spike_size", desc_s, status="skip", measured=off.measured)]
    lam, _, p, m = _expected(c)
    lam_s = c.shares[:, None] * lam[None, :]
    eligible = lam_s >= 5
    spike = eligible & (c.daily > lam_s * (1 + m) / 2)
    n, k = eligible.sum(axis=1), spike.sum(axis=1)
    tol = _binomial(c, p, n, 0.01)
    freq = _verdict("store_spikes", desc_f, c, _pct(p), k / np.maximum(n, 1), p - tol, p + tol, _pct, n >= 50,
                    f"{c.z:.1f} sd (binomial) or 1 pt, stores with 50+ days of 5+ expected rentals", p)
    ratio = np.where(spike, c.daily / np.where(lam_s > 0, lam_s, 1), np.nan)
    size = np.array([np.nanmean(r) if k_ else 0.0 for r, k_ in zip(ratio, k)])
    sd = np.array([np.nanstd(r, ddof=1) if k_ > 1 else 0.0 for r, k_ in zip(ratio, k)])
    tol_s = np.maximum(c.z * sd / np.sqrt(np.maximum(k, 1)), 0.1 * m)
    return [freq, _verdict("store_spike_size", desc_s, c, f"x{m:g}", size, m - tol_s, m + tol_s,
                           lambda x: f"x{x:.2f}", k >= 3, f"{c.z:.1f} sd or 10 %, stores with 3+ spike days", m)]


# ---- returns -----------------------------------------------------------------------------------

def returns(c: Chain) -> list[Result]:
    """As the chain's late_share and lost_share, over the same windows (rentals old enough to be late,
    or written off, by the last day), days counted as calendar days."""
    desc_l = "share of a store's returned rentals that came back after their due day"
    desc_x = "share of a store's rentals never returned (copy retired, replacement charged)"
    r = c.cfg.returns
    late_cut, lost_cut = c.last - c.longest - r.latest_late_days - 1, c.last - c.longest - r.lost_grace_days - 1
    if late_cut <= c.first or lost_cut <= c.first:
        why = "period too short"
        return [Result("store_late_share", desc_l, status="skip", measured=why),
                Result("store_lost_share", desc_x, status="skip", measured=why)]
    returned = (c.back >= 0) & (c.ts < late_cut * DAY)
    late = returned & (c.back // DAY - c.ts // DAY > c.duration[c.film])
    old = c.ts < lost_cut * DAY
    lost = old & (c.back < 0) & (c.inv_to[c.inv] >= 0)
    n_ret, n_all = c.per_store(returned), c.per_store(old)
    p_late = r.late_share / (1 - r.lost_share) if r.lost_share < 1 else 0.0
    tol_l = _binomial(c, p_late, n_ret, 0.01)
    tol_x = _binomial(c, r.lost_share, n_all, 0.002)
    return [_verdict("store_late_share", desc_l, c, _pct(p_late), c.per_store(late) / np.maximum(n_ret, 1),
                     p_late - tol_l, p_late + tol_l, _pct, n_ret >= MIN_N,
                     f"{c.z:.1f} sd (binomial) or 1 pt, as the chain's late_share", p_late),
            _verdict("store_lost_share", desc_x, c, f"{r.lost_share * 100:.2f} %",
                     c.per_store(lost) / np.maximum(n_all, 1), r.lost_share - tol_x, r.lost_share + tol_x,
                     lambda x: f"{x * 100:.2f} %", n_all >= MIN_N,
                     f"{c.z:.1f} sd (binomial) or 0.2 pts, as the chain's lost_share", r.lost_share)]


def utilisation(c: Chain) -> Result:
    """Copy-time out on rental (until the return, or the write-off of a lost copy) over copy-time in
    stock, within the simulated days."""
    desc = ("copies out on rental / copies in stock, per store over the simulated days (stores buy to keep "
            "their films' utilisation below target_utilisation)")
    start, end = c.first * DAY, (c.last + 1) * DAY
    written_off = c.inv_to[c.inv]
    until = np.where(c.back >= 0, c.back, np.where(written_off >= 0, written_off, end))
    out = c.per_store(weights=(np.minimum(until, end) - c.ts).astype(float))
    ids = np.flatnonzero(c.inv_store >= 0)
    held = np.minimum(np.where(c.inv_to[ids] >= 0, c.inv_to[ids], end), end) - np.maximum(c.inv_from[ids], start)
    live = np.bincount(c.inv_store[ids], np.maximum(held, 0).astype(float), minlength=len(c.stores))
    target = c.cfg.inventory_schedule.target_utilisation
    value = out / np.maximum(live, 1)
    return _verdict("store_utilisation", desc, c, f"at most {_pct(target)}", value, np.full(len(value), -np.inf),
                    np.full(len(value), target), _pct, live > 0, f"<= {_pct(target)} (target_utilisation)")


# ---- what customers do -------------------------------------------------------------------------

def new_releases(c: Chain) -> Result:
    """As the chain's new_release_share: a film released during the simulation (above the initial
    catalogue, first copy anywhere in the chain on or after the first day) less than NEW_DAYS old."""
    desc = (f"share of a store's rentals that are new releases (first copy less than {NEW_DAYS} days before), "
            f"rentals {NEW_DAYS}+ days after the start")
    if c.cfg.film_releases.films_per_month <= 0:
        return Result("store_new_release_share", desc, status="skip", measured="film releases are off")
    have = c.inv_store >= 0
    size = max(len(c.duration), int(c.inv_film.max(initial=0)) + 1)
    release_ts, released = releases(c.inv_film[have], c.inv_from[have], size, c.first, c.cfg, c.imported)
    window = c.ts >= (c.first + NEW_DAYS) * DAY
    new = window & new_release(c.film, c.ts, release_ts, released)
    n = c.per_store(window)
    return _verdict("store_new_release_share", desc, c, f"at least {_pct(NEW_RELEASE_SHARE)}",
                    c.per_store(new) / np.maximum(n, 1), np.full(len(n), NEW_RELEASE_SHARE), np.full(len(n), np.inf),
                    _pct, n >= MIN_N, f">= {_pct(NEW_RELEASE_SHARE)}, as the chain's new_release_share")


def baskets(c: Chain) -> Result:
    """As the chain's visits: a rental shares a visit with another of the same customer."""
    desc = (f"share of a store's rentals that share a visit with another rental of the same customer "
            f"(within {VISIT_GAP // 60} minutes of each other)")
    order, visit = visit_numbers(c.cust, c.ts, c.rid)
    shared = np.zeros(len(order), bool)
    shared[order] = np.bincount(visit)[visit] > 1
    n = c.per_store()
    return _verdict("store_baskets", desc, c, f"at least {_pct(BASKET_SHARE)}", c.per_store(shared) / np.maximum(n, 1),
                    np.full(len(n), BASKET_SHARE), np.full(len(n), np.inf), _pct, n >= MIN_N,
                    f">= {_pct(BASKET_SHARE)}, as the chain's visits")


def repeats(c: Chain) -> Result:
    desc = "share of a store's rentals of a film the same customer rented before"
    order, seen = seen_before(c.cust, c.film, c.ts, c.rid)
    again = np.zeros(len(order), bool)
    again[order] = seen
    n = c.per_store()
    return _verdict("store_repeat_rentals", desc, c, f"at most {_pct(REPEAT_SHARE)}",
                    c.per_store(again) / np.maximum(n, 1), np.full(len(n), -np.inf), np.full(len(n), REPEAT_SHARE),
                    _pct, n >= MIN_N, f"<= {_pct(REPEAT_SHARE)}, as the chain's repeat_rentals")


def one_time_renters(c: Chain) -> Result:
    desc = (f"share of a store's renters who rented exactly once (customers the simulation made, signed up "
            f"{ONE_TIME_AGE_DAYS}+ days before the end)")
    ids = np.flatnonzero((c.cust_store >= 0) & (c.cust_from <= (c.last + 1 - ONE_TIME_AGE_DAYS) * DAY))
    ids = ids[ids > c.imported.get("customer", 0)]
    per = np.bincount(c.cust, minlength=len(c.cust_store))[ids]
    store = c.cust_store[ids]
    renters = np.bincount(store[per > 0], minlength=len(c.stores)).astype(float)
    once = np.bincount(store[per == 1], minlength=len(c.stores)).astype(float)
    return _verdict("store_one_time_renters", desc, c, f"at most {_pct(ONE_TIME_SHARE)}", once / np.maximum(renters, 1),
                    np.full(len(once), -np.inf), np.full(len(once), ONE_TIME_SHARE), _pct, renters >= MIN_RENTERS,
                    f"<= {_pct(ONE_TIME_SHARE)}, as the chain's one_time_renters")


def rentals_per_customer(c: Chain) -> Result:
    """Every store runs the same customer model: its active customers rent as often as the chain's, within
    CUSTOMER_RATE (stores differ by their customers' latent propensities and churn: on chain-100, -10 % to
    +18 %, unrelated to store size) or `c.z` sd of the counts' noise, whichever is wider."""
    desc = (f"rentals a week per active customer over the last {RECENT_WEEKS} weeks, per store against the "
            "chain's (customers active at the end)")
    days = min(RECENT_WEEKS * 7, c.daily.shape[1])
    if days < 7:
        return Result("store_rentals_per_customer", desc, status="skip", measured="needs a simulated week")
    have = c.cust_store >= 0
    active = np.bincount(c.cust_store[have], c.cust_active[have].astype(float), minlength=len(c.stores))
    rentals = c.daily[:, -days:].sum(axis=1)
    value = rentals / np.maximum(active, 1) / (days / 7)
    chain = float(rentals.sum() / max(active.sum(), 1) / (days / 7))
    rel = np.maximum(c.z * np.sqrt(1 / np.maximum(rentals, 1) + 1 / np.maximum(active, 1)), CUSTOMER_RATE)
    return _verdict("store_rentals_per_customer", desc, c, f"the chain's {chain:.2f}", value, chain * (1 - rel),
                    chain * (1 + rel), lambda x: f"{x:.2f}", (active >= MIN_N / 10) & (rentals >= MIN_N),
                    f"+-{CUSTOMER_RATE:.0%} or {c.z:.1f} sd of the chain's", chain)


def report(db: Database, sim_state: dict) -> list[Result]:
    stores = int(db.query("SELECT COUNT(*) FROM store")[0][0])
    if stores <= 2 or sim_state["last_day"] < sim_state["start_date"]:
        why = f"{stores} store(s): the chain-level checks are the stores' checks" if stores <= 2 else \
            "no simulated days yet"
        return [Result("stores", "realism store by store (chains of more than 2 stores)", status="skip", measured=why)]
    c = load(db, sim_state)
    return [volume(c), weekend_share(c), *spikes(c), *returns(c), utilisation(c), new_releases(c), baskets(c),
            repeats(c), one_time_renters(c), rentals_per_customer(c)]
