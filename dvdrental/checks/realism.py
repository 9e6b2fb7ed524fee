"""The realism report: what the configuration asks for against what the tables show.

Each check compares a measured value with the value the configured model predicts for the same days
(growth, season, weekday, shocks and spikes included), and passes when the difference is within
4 standard deviations of its sampling noise (Poisson demand, random spike days, binomial shares) or
a small floor. "Demand" is rentals (from the rental table) plus the demand lost to empty shelves
(sim_day), because stock-outs are not the demand model's business.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..config import Config, effective, stored
from ..inventory import rentals_by_copy_age
from ..reports.cohorts import reactivations_within_a_year
from ..reports.series import daily, daily_rentals
from ..sim.calendar import DAY, date_of, day_number, weekday
from ..sim.customers import reactivation_hazard
from ..sim.demand import Demand
from ..sim.stores import store_sizes
from ..storage import Database

Z = 4.0
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class Result:
    name: str
    description: str
    configured: str = ""
    measured: str = ""
    tolerance: str = ""
    status: str = "pass"  # pass | fail | skip
    details: list[dict] = field(default_factory=list)


def _status(ok: bool) -> str:
    return "pass" if ok else "fail"


@dataclass
class Days:
    """Per-day measured demand and the model's expectation for the simulated period.

    Spike days are recognised from the data (demand well above the no-spike expectation) and left out
    of the demand-shape checks, which then face Poisson noise only; spikes are checked on their own.
    A sharded chain's stores each draw their own spike days (`shares`: each store's part of the
    demand): the chain's days never show one, so the checks expect the spikes' mean instead, and their
    spread, which the stores average out (checks/stores.py checks the spikes store by store).
    """
    cfg: Config
    model: Demand
    first: int
    last: int
    demand: np.ndarray   # rentals + lost demand
    lam: np.ndarray      # expected demand without a spike
    trend: np.ndarray    # the growth trend's daily share (weekly trend / 7)
    season: np.ndarray   # seasonal multiplier per day
    weekday: np.ndarray
    spike: np.ndarray    # day recognised as a spike day
    shares: np.ndarray | None = None  # a sharded chain: each store's share of the demand

    @property
    def spikes_known(self) -> bool:
        return self.cfg.demand.spike_multiplier >= 1.5 and self.shares is None

    @property
    def spike_mean(self) -> float:
        d = self.cfg.demand
        return 1 + d.spike_probability * (d.spike_multiplier - 1)

    def normal(self, sel: np.ndarray) -> np.ndarray:
        return sel & ~self.spike if self.spikes_known else sel

    def mean(self, sel: np.ndarray) -> float:
        if self.spikes_known:
            return float(self.lam[self.normal(sel)].sum())
        return float((self.lam[sel] * self.spike_mean).sum())

    def measured(self, sel: np.ndarray) -> float:
        return float(self.demand[self.normal(sel)].sum())

    def var(self, sel: np.ndarray) -> float:
        if self.spikes_known:
            return float(self.lam[self.normal(sel)].sum())
        return float(self.spread(self.lam[sel]).sum())

    def spread(self, lam: np.ndarray) -> np.ndarray:
        """Variance of a day's demand expected at `lam` without a spike, spike days left in: Poisson
        around the spikes' mean plus the spikes' own spread, which independent stores average out."""
        d = self.cfg.demand
        p, m = d.spike_probability, d.spike_multiplier
        stores = 1.0 if self.shares is None else float((self.shares ** 2).sum())
        return lam * self.spike_mean + lam ** 2 * (m - 1) ** 2 * p * (1 - p) * stores

    def day_var(self) -> np.ndarray:
        """Each day's variance as the demand-shape checks count it (Poisson alone when spike days are
        recognised and left out)."""
        return self.lam if self.spikes_known else self.spread(self.lam)

    @property
    def scale(self) -> float:
        """Expected demand of the days the checks keep over their no-spike expectation."""
        return 1.0 if self.spikes_known else self.spike_mean


def store_shares(cfg: Config) -> np.ndarray | None:
    """Each store's share of a sharded chain's demand (store_id order); None for one simulation."""
    if not cfg.sharded:
        return None
    cat = cfg.catalog
    return store_sizes(cfg.simulation.seed, cat.stores, cat.store_size_sigma) / cat.stores


def load_days(db: Database, cfg: Config, first: int, last: int, lost: bool = True) -> Days:
    """`lost=False`: `demand` is the rentals alone (what the rental table shows, stock-outs included),
    for the checks that hold the rental table itself to the configured shape (checks/shop.py)."""
    model = Demand.build(cfg.demand, cfg.seasonality, day_number(cfg.simulation.start_date))
    rentals = daily_rentals(db, first, last).values
    days = np.arange(first, last + 1)
    lam = np.array([model.expected(int(d)) for d in days])
    demand = (rentals + daily(db, "SUM(lost_demand)", "sim_day", "day", first, last).values) if lost else rentals
    m, shares = cfg.demand.spike_multiplier, store_shares(cfg)
    known = m >= 1.5 and shares is None
    spike = (lam > 0) & (demand > lam * (1 + m) / 2) if known else np.zeros(len(days), bool)
    return Days(cfg, model, first, last, demand, lam, np.array([model.trend(int(d)) / 7 for d in days]),
                np.array([model.season(int(d)) for d in days]), np.array([weekday(int(d)) for d in days]), spike,
                shares)


def _growth_check(name: str, description: str, days: Days, a: np.ndarray, b: np.ndarray, weeks: int) -> Result:
    """Trend growth between two windows: demand with season, weekday and shocks divided out."""
    a, b = days.normal(a), days.normal(b)
    factor = np.divide(days.lam, days.trend, out=np.ones_like(days.lam), where=days.trend > 0)
    level = lambda sel: float((days.demand[sel] / factor[sel]).sum())  # noqa: E731
    var = lambda sel: float((days.day_var()[sel] / factor[sel] ** 2).sum()) / days.scale ** 2  # noqa: E731
    ea, eb = float(days.trend[a].sum()), float(days.trend[b].sum())
    if ea <= 0 or eb <= 0 or level(a) <= 0:
        return Result(name, description, status="skip", measured="no demand in a window")
    expected, measured = eb / ea, level(b) / level(a)
    sd = expected * math.sqrt(var(a) / ea ** 2 + var(b) / eb ** 2)
    tol = max(Z * sd, 0.01 * expected)
    growth = lambda r: (r ** (1 / weeks) - 1) * 100  # noqa: E731
    return Result(name, description, f"{growth(expected):+.2f} %/week", f"{growth(measured):+.2f} %/week",
                  f"+-{(growth(expected + tol) - growth(expected)):.2f} %/week", _status(abs(measured - expected) <= tol),
                  [{"expected_ratio": round(expected, 4), "measured_ratio": round(measured, 4)}])


def growth_early(days: Days) -> Result:
    n = len(days.demand) // 7
    h = min(13, n // 2)
    desc = "trend growth early on (season, weekday and shocks divided out)"
    if h < 4:
        return Result("growth_early", desc, status="skip", measured="needs 8 weeks or more")
    idx = np.arange(len(days.demand))
    return _growth_check("growth_early", desc, days, idx < 7 * h, (idx >= 7 * h) & (idx < 14 * h), h)


def saturation(days: Days) -> Result:
    desc = "trend growth later on: the last 26 weeks against the 26 before (saturation)"
    n = len(days.demand)
    if n < 7 * 104:
        return Result("saturation", desc, status="skip", measured="needs 2 years or more")
    idx = np.arange(n)
    return _growth_check("saturation", desc, days, (idx >= n - 364) & (idx < n - 182), idx >= n - 182, 26)


def volume(days: Days) -> Result:
    """Total demand, spike days included: the overall scale of the business."""
    exp = float((days.lam * days.spike_mean).sum())
    var = float(days.spread(days.lam).sum())
    meas = float(days.demand.sum())
    tol = max(Z * math.sqrt(var), 0.01 * exp)
    return Result("volume", "total demand over the whole period (spike days included)", f"{exp:,.0f}",
                  f"{meas:,.0f}", f"+-{tol:,.0f}", _status(abs(meas - exp) <= tol))


def seasonality(days: Days, name: str = "seasonality", floor: float = 0.01,
                desc: str = "monthly multipliers: demand / demand expected without the season, per month of year"
                ) -> Result:
    """Each month's multiplier within 4 sd of Poisson noise or `floor` (relative), whichever is larger."""
    months = np.array([date_of(int(d)).month for d in range(days.first, days.last + 1)])
    details, ok, covered = [], True, 0
    for m in range(1, 13):
        sel = days.normal(months == m)
        if sel.sum() < 25:
            continue
        covered += 1
        base = float((days.lam[sel] / days.season[sel]).sum()) * days.scale
        configured = float(days.lam[sel].sum()) * days.scale / base
        measured = float(days.demand[sel].sum()) / base
        tol = max(Z * math.sqrt(float(days.day_var()[sel].sum())) / base, floor * configured)
        good = abs(measured - configured) <= tol
        ok &= good
        details.append({"month": MONTHS[m - 1], "configured": round(configured, 3), "measured": round(measured, 3),
                        "tolerance": round(tol, 3), "status": _status(good)})
    if covered < 6:
        return Result(name, desc, status="skip", measured=f"{covered} month(s) covered, needs 6")
    fmt = lambda key: " ".join(f"{d[key]:.2f}" for d in details)  # noqa: E731
    return Result(name, desc, fmt("configured"), fmt("measured"),
                  f"+-{max(d['tolerance'] for d in details):.2f} (per month)", _status(ok), details)


def _shares(days: Days, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    exp = np.array([days.mean(sel & (days.weekday == w)) for w in range(7)])
    meas = np.array([days.measured(sel & (days.weekday == w)) for w in range(7)])
    var = np.array([days.var(sel & (days.weekday == w)) for w in range(7)])
    return exp / exp.sum(), meas / max(meas.sum(), 1), np.sqrt(var) / exp.sum()


def weekday_profile(days: Days) -> list[Result]:
    n = len(days.demand)
    idx = np.arange(n)
    windows = [("weekday_profile", "share of demand per weekday (all days)", idx >= 0)]
    if n >= 7 * 52 and days.cfg.demand.weekday_shift > 0:
        windows = [("weekday_profile_early", "share of demand per weekday, first 13 weeks", idx < 91),
                   ("weekday_profile_late", "share of demand per weekday, last 13 weeks (after the shift)",
                    idx >= n - 91)]
    out = []
    for name, desc, sel in windows:
        exp, meas, sd = _shares(days, sel)
        tol = np.maximum(Z * sd, 0.003)
        ok = bool(np.all(np.abs(meas - exp) <= tol))
        fmt = lambda v: " ".join(f"{x * 100:.1f}" for x in v)  # noqa: E731
        out.append(Result(name, desc + " (%, Mon..Sun)", fmt(exp), fmt(meas), f"+-{tol.max() * 100:.1f} pts",
                          _status(ok), [{"weekday": WEEKDAYS[w], "configured": round(exp[w], 4),
                                         "measured": round(meas[w], 4)} for w in range(7)]))
    if len(windows) == 2:
        (e0, m0, s0), (e1, m1, s1) = _shares(days, windows[0][2]), _shares(days, windows[1][2])
        exp_shift, meas_shift = e0[4:].sum() - e1[4:].sum(), m0[4:].sum() - m1[4:].sum()
        tol = max(Z * math.sqrt((s0[4:] ** 2).sum() + (s1[4:] ** 2).sum()), 0.005)
        out.append(Result("weekday_shift", "Fri-Sun share lost to weekdays between the first and last 13 weeks",
                          f"{exp_shift * 100:.1f} pts", f"{meas_shift * 100:.1f} pts", f"+-{tol * 100:.1f} pts",
                          _status(abs(meas_shift - exp_shift) <= tol)))
    return out


def spikes(days: Days) -> list[Result]:
    d = days.cfg.demand
    p, m = d.spike_probability, d.spike_multiplier
    desc_f, desc_s = "share of days that are spike days", "demand on spike days / expected demand"
    eligible = days.lam >= 5
    if not days.spikes_known or eligible.sum() < 50:
        why = ("spike multiplier below 1.5" if m < 1.5 else "each store of a sharded chain has its own spike days: "
               "see store_spikes" if days.shares is not None else "needs 50 days with 5+ expected rentals")
        return [Result("spike_frequency", desc_f, status="skip", measured=why),
                Result("spike_size", desc_s, status="skip", measured=why)]
    ratio = days.demand[eligible] / days.lam[eligible]
    spike = days.spike[eligible]
    n, k = int(eligible.sum()), int(spike.sum())
    tol = max(Z * math.sqrt(p * (1 - p) / n), 0.01)
    freq = Result("spike_frequency", desc_f, f"{p * 100:.1f} %", f"{k / n * 100:.1f} % ({k} of {n} days)",
                  f"+-{tol * 100:.1f} pts", _status(abs(k / n - p) <= tol))
    if k < 3:
        return [freq, Result("spike_size", desc_s, f"x{m:g}", f"{k} spike day(s)", status="skip")]
    size = float(ratio[spike].mean())
    tol_s = max(Z * float(ratio[spike].std(ddof=1)) / math.sqrt(k), 0.1 * m)
    return [freq, Result("spike_size", desc_s, f"x{m:g}", f"x{size:.2f}", f"+-{tol_s:.2f}",
                         _status(abs(size - m) <= tol_s))]


# ---- customers ---------------------------------------------------------------------------------

def _customer_activity(db: Database, start_ts: int) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Activity times per customer (sign-up, rentals, reactivations), and churn events (id, ts).

    A customer who was already inactive when the simulation began (an adopted Sakila customer) only
    becomes active at a reactivation, so their sign-up does not start an active spell. That state is
    derivable: the first logged event flips it; without events it is the current flag.
    """
    ep = db.epoch_seconds
    since = date_of(start_ts // DAY).isoformat() + " 00:00:00"
    first_event = dict(db.query("SELECT e.customer_id, e.event FROM sim_customer_event e JOIN "
                                "(SELECT customer_id, MIN(event_date) AS d FROM sim_customer_event GROUP BY customer_id) f "
                                "ON f.customer_id = e.customer_id AND f.d = e.event_date"))
    active_now = dict(db.query("SELECT customer_id, active FROM customer"))
    inactive_at_start = {cid for cid, active in active_now.items()
                         if (first_event.get(cid) == "reactivate") or (cid not in first_event and not active)}
    rows = db.query(f"SELECT customer_id, {ep('rental_date')} FROM rental WHERE rental_date >= ? "
                    f"UNION ALL SELECT customer_id, {ep('event_date')} FROM sim_customer_event WHERE event = 'reactivate'",
                    (since,))
    rows += [(cid, ts) for cid, ts in db.query(f"SELECT customer_id, {ep('create_date')} FROM customer")
             if cid not in inactive_at_start]
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    ts = np.maximum(np.array([int(r[1]) for r in rows], dtype=np.int64), start_ts)
    order = np.lexsort((ts, ids))
    ids, ts = ids[order], ts[order]
    # a closed account ends its spell as a churn does (it is not a churn: the customer said goodbye)
    churn = db.query(f"SELECT customer_id, {ep('event_date')}, event FROM sim_customer_event "
                     "WHERE event IN ('churn', 'close') ORDER BY customer_id, event_date")
    c_ids = np.array([r[0] for r in churn], dtype=np.int64)
    c_churn = np.array([r[2] == "churn" for r in churn], dtype=bool)
    c_ts = np.array([int(r[1]) for r in churn], dtype=np.int64)
    return {"ids": ids, "ts": ts, "is_churn": c_churn}, c_ids, c_ts


def _mondays(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Mondays among the day numbers lo..hi (inclusive); 0 where hi < lo."""
    count = lambda x: (x + 2) // 7  # Mondays among days 0..x-1 (day 4, 1970-01-05, was a Monday)  # noqa: E731
    return np.where(hi >= lo, count(hi + 1) - count(lo), 0)


def churn(db: Database, cfg: Config, first: int, last: int) -> Result:
    """Churn hazard per Monday among active customers idle for churn_idle_weeks or more."""
    c = cfg.customers
    desc = f"weekly chance that a customer idle {c.churn_idle_weeks}+ weeks churns"
    act, c_ids, c_ts = _customer_activity(db, first * DAY)
    ids, ts = act["ids"], act["ts"]
    if not len(ids):
        return Result("churn", desc, status="skip", measured="no customers")
    nxt_same = np.r_[ids[1:] == ids[:-1], False]
    spell_end = np.where(nxt_same, np.r_[ts[1:], 0], (last + 1) * DAY)  # exclusive
    # a churn event ends its spell: the customer is inactive until the next activity
    churn_end = np.full(len(ts), np.iinfo(np.int64).max)
    key_spells = ids * (1 << 40) + ts
    key_churn = c_ids * (1 << 40) + c_ts
    pos = np.searchsorted(key_spells, key_churn, side="right") - 1
    valid = (pos >= 0) & (ids[np.maximum(pos, 0)] == c_ids)
    np.minimum.at(churn_end, pos[valid], c_ts[valid])
    idle = c.churn_idle_weeks * 7 * DAY
    lo = -(-(ts + idle) // DAY)  # first day whose midnight is idle weeks after the activity
    hi = np.minimum(np.minimum((spell_end - 1) // DAY, churn_end // DAY), last)
    eligible = int(_mondays(lo, hi).sum())
    churned = int((valid & act["is_churn"]).sum())
    if eligible < 30:
        return Result("churn", desc, status="skip", measured=f"{eligible} eligible customer-Mondays, needs 30")
    p = c.churn_probability
    tol = max(Z * math.sqrt(p * (1 - p) / eligible), 0.02)
    meas = churned / eligible
    return Result("churn", desc, f"{p * 100:.1f} %", f"{meas * 100:.1f} % ({churned:,} of {eligible:,})",
                  f"+-{tol * 100:.1f} pts", _status(abs(meas - p) <= tol),
                  [{"eligible_customer_mondays": eligible, "churned": churned}])


def reactivation(db: Database, cfg: Config, last: int) -> Result:
    desc = "share of churned customers that come back within a year"
    old, back = reactivations_within_a_year(db, last)
    if old < 30:
        return Result("reactivation", desc, status="skip", measured=f"{old} churn(s) a year old or more, needs 30")
    expected = 1 - (1 - reactivation_hazard(cfg.customers)) ** 365
    tol = max(Z * math.sqrt(expected * (1 - expected) / old), 0.02)
    meas = back / old
    return Result("reactivation", desc, f"{expected * 100:.1f} %", f"{meas * 100:.1f} % ({back} of {old})",
                  f"+-{tol * 100:.1f} pts", _status(abs(meas - expected) <= tol))


# ---- returns and stock -------------------------------------------------------------------------

def returns_by_weekday(db: Database, cfg: Config, first: int, last: int) -> Result:
    desc = "returns cluster early in the week: Monday is the busiest return day, weekends the quietest"
    returns = daily(db, "COUNT(*)", "rental", "return_date", first, last)
    wd = np.array([weekday(int(d)) for d in returns.start])
    counts = np.array([returns.values[wd == w].sum() for w in range(7)])
    if counts.sum() < 1000:
        return Result("returns_by_weekday", desc, status="skip", measured="needs 1,000 returns")
    shares = counts / counts.sum()
    measured = " ".join(f"{s * 100:.1f}" for s in shares)
    if cfg.returns.weekend_shift <= 0:
        return Result("returns_by_weekday", desc, "no weekend shift", measured, status="skip")
    ok = shares[0] == shares.max() and shares[5:].max() < shares[:5].mean()
    return Result("returns_by_weekday", desc + " (%, Mon..Sun)", f"{cfg.returns.weekend_shift:.0%} of weekend "
                  "returns wait for Monday", measured, "Mon highest, Sat/Sun below the weekday mean", _status(ok))


def _max_duration(db: Database) -> int:
    return int(db.query("SELECT MAX(rental_duration) FROM film")[0][0] or 7)


def late_share(db: Database, cfg: Config, first: int, last: int) -> Result:
    desc = "share of returned rentals that came back after their due day"
    r = cfg.returns
    horizon = _max_duration(db) + r.latest_late_days + 1
    cutoff = last - horizon
    if cutoff <= first:
        return Result("late_share", desc, status="skip", measured=f"needs more than {horizon} days")
    days = db.days_between("r.return_date", "r.rental_date")
    n, late = db.query(f"""
        SELECT {db.join_in_order} COUNT(*), SUM(CASE WHEN {days} > f.rental_duration THEN 1 ELSE 0 END)
        FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id JOIN film f ON f.film_id = i.film_id
        WHERE r.return_date IS NOT NULL AND r.rental_date >= ? AND r.rental_date < ?""",
                       (f"{date_of(first)} 00:00:00", f"{date_of(cutoff)} 00:00:00"))[0]
    if not n:
        return Result("late_share", desc, status="skip", measured="no returned rentals")
    expected = r.late_share / (1 - r.lost_share) if r.lost_share < 1 else 0
    meas = int(late or 0) / n
    tol = max(Z * math.sqrt(max(expected * (1 - expected), 1e-6) / n), 0.01)
    return Result("late_share", desc, f"{expected * 100:.1f} %", f"{meas * 100:.1f} % ({int(late or 0):,} of {n:,})",
                  f"+-{tol * 100:.1f} pts", _status(abs(meas - expected) <= tol))


def lost_share(db: Database, cfg: Config, first: int, last: int) -> Result:
    desc = "share of rentals never returned (copy retired, replacement charged)"
    r = cfg.returns
    cutoff = last - _max_duration(db) - r.lost_grace_days - 1
    if cutoff <= first:
        return Result("lost_share", desc, status="skip", measured="period too short")
    n, lost = db.query(f"""
        SELECT {db.join_in_order} COUNT(*),
          SUM(CASE WHEN r.return_date IS NULL AND i.retired_at IS NOT NULL THEN 1 ELSE 0 END)
        FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id
        WHERE r.rental_date >= ? AND r.rental_date < ?""",
                       (f"{date_of(first)} 00:00:00", f"{date_of(cutoff)} 00:00:00"))[0]
    if not n:
        return Result("lost_share", desc, status="skip", measured="no rentals old enough")
    p, meas = r.lost_share, int(lost or 0) / n
    tol = max(Z * math.sqrt(max(p * (1 - p), 1e-6) / n), 0.002)
    return Result("lost_share", desc, f"{p * 100:.2f} %", f"{meas * 100:.2f} % ({int(lost or 0):,} of {n:,})",
                  f"+-{tol * 100:.2f} pts", _status(abs(meas - p) <= tol))


def late_fee_cap(db: Database, cfg: Config, first: int) -> Result:
    """No late fee above what losing the copy costs: the replacement cost in force at the return."""
    from .invariants import price_at
    desc = "late fees against the film's replacement cost in force at the return"
    if cfg.returns.late_fee_per_day <= 0:
        return Result("late_fee_cap", desc, "no late fees", status="skip")
    rows = db.query(f"""
        SELECT {db.join_in_order} ROUND(p.amount * 100),
          ROUND({price_at("replacement_cost", "f", "r.return_date")} * 100)
        FROM rental r JOIN payment p ON p.rental_id = r.rental_id
        JOIN inventory i ON i.inventory_id = r.inventory_id JOIN film f ON f.film_id = i.film_id
        WHERE p.payment_date = r.return_date AND p.amount > 0 AND p.payment_date >= ?""",
                    (f"{date_of(first)} 00:00:00",))
    if not rows:
        return Result("late_fee_cap", desc, status="skip", measured="no late fees")
    fee, cost = (np.array([float(r[i]) for r in rows]) for i in (0, 1))
    above = int((fee > cost).sum())
    capped = int((fee == cost).sum())
    worst = float(np.max(fee / np.maximum(cost, 1)))
    return Result("late_fee_cap", desc, "at most the replacement cost",
                  f"{above:,} of {len(rows):,} above it ({capped:,} capped at it); largest fee / cost {worst:.2f}",
                  "none above", _status(above == 0), [{"late_fees": len(rows), "above": above, "capped": capped}])


def return_times(db: Database, cfg: Config, first: int) -> Result:
    """Returns follow the store's traffic over the day: the share of returns in the configured rush hours
    (the busiest clock hours holding half the rush profile) against that profile and a flat spread."""
    from ..sim.returns import time_of_day_shares
    desc = "returns follow the store's traffic: share of returns in the busiest hours of the rush profile"
    d = cfg.demand
    hours = np.arange(int(d.open_hour), int(math.ceil(d.close_hour)))
    edges = np.clip(np.r_[hours, hours[-1] + 1] * 3600, int(d.open_hour * 3600), int(d.close_hour * 3600))
    expected = time_of_day_shares(d, edges)
    flat = np.diff(edges) / (edges[-1] - edges[0])
    rush = np.argsort(-expected, kind="stable")[:int(np.searchsorted(np.cumsum(np.sort(expected)[::-1]), 0.5)) + 1]
    since = (f"{date_of(first)} 00:00:00",)
    hour_of = lambda col, table: dict((int(h), int(n)) for h, n in db.query(  # noqa: E731
        f"SELECT {db.substr(col, 12, 2)} AS h, COUNT(*) FROM {table} WHERE {col} >= ? GROUP BY h", since))
    back = hour_of("return_date", "rental")
    n = sum(back.values())
    if n < 1000:
        return Result("return_times", desc, status="skip", measured=f"{n:,} returns, needs 1,000")
    counts = np.array([back.get(int(h), 0) for h in hours], dtype=float)
    rented = hour_of("rental_date", "rental")
    rentals = np.array([rented.get(int(h), 0) for h in hours], dtype=float)
    p = float(expected[rush].sum())
    meas = float(counts[rush].sum()) / n
    tol = max(Z * math.sqrt(p * (1 - p) / n), 0.02)
    corr = float(np.corrcoef(counts, rentals)[0, 1]) if counts.std() > 0 and rentals.std() > 0 else float("nan")
    rental_share = float(rentals[rush].sum() / rentals.sum()) if rentals.sum() else float("nan")
    label = ",".join(f"{h:02d}" for h in sorted(hours[rush].tolist()))
    return Result("return_times", desc + f" ({label}h)",
                  f"{p * 100:.1f} % (a flat spread: {flat[rush].sum() * 100:.1f} %)",
                  f"{meas * 100:.1f} % of {n:,} returns (rentals {rental_share * 100:.1f} %; hourly correlation "
                  f"with rentals {corr:.2f})", f"+-{tol * 100:.1f} pts", _status(abs(meas - p) <= tol),
                  [{"hours": hours.tolist(), "expected": [round(float(x), 4) for x in expected],
                    "returns": counts.astype(int).tolist(), "rentals": rentals.astype(int).tolist()}])


def copy_age(db: Database, first: int, last: int) -> Result:
    desc = "rentals per copy fall with copy age (index: 1 = an average copy at the time)"
    rows = [r for r in rentals_by_copy_age(db, (last + 1) * DAY, first * DAY)
            if r["index"] is not None and r["rentals"] >= 50]
    if len(rows) < 2:
        return Result("copy_age", desc, status="skip", measured="needs rentals of copies of 2+ ages")
    index = [r["index"] for r in rows]
    ok = all(b <= a + 0.02 for a, b in zip(index, index[1:])) and index[-1] < index[0]
    return Result("copy_age", desc, "falling", " ".join(f"{r['age']}: {r['index']:.2f}" for r in rows),
                  "non-increasing (+0.02 noise)", _status(ok), rows)


def report(db: Database, sim_state: dict) -> list[Result]:
    from .late import report as late_report
    cfg = effective(stored(sim_state))
    first, last = sim_state["start_date"], sim_state["last_day"]
    if last < first:
        return [Result("period", "simulated days", status="skip", measured="no simulated days yet")]
    days = load_days(db, cfg, first, last)
    return [volume(days), growth_early(days), saturation(days), seasonality(days), *weekday_profile(days),
            *spikes(days), churn(db, cfg, first, last), reactivation(db, cfg, last),
            returns_by_weekday(db, cfg, first, last), late_share(db, cfg, first, last),
            lost_share(db, cfg, first, last), late_fee_cap(db, cfg, first), return_times(db, cfg, first),
            copy_age(db, first, last), *late_report(db, cfg, first, last)]
