"""Realism of the late changes: the ages of changed records against the configured sigmoid, and the
number of changes of each kind against its configured rate (both read from sim_change_log)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from scipy import optimize, stats

from ..config import Config
from ..sim.calendar import DAY, day_text, parse_ts
from ..sim.history import window_days
from ..sim.late import KINDS, PRIMARY, RENTAL_KINDS, sigmoid
from ..storage import Database
from .realism import Z, Result, _status

#: Chi-square p-value below which the measured ages do not fit the sigmoid (about 4 sigma).
P_MIN = 6e-5
#: The chi-square holds ages from this many days to the sigmoid. A change to a rental of yesterday
#: needs one that is back already, and few are: on a day when none is (in a small shop, or in one store
#: of a sharded chain, which changes only its own records), the change goes to an older rental, so age
#: 1 comes out short by design, which tens of thousands of changes (a chain's year) make significant.
FIRST_AGE = 2


def primary_rows(kinds: tuple[str, ...]) -> str:
    """SQL condition for the one sim_change_log row each late change of these kinds shows in."""
    return " OR ".join(f"(kind = '{k}' AND table_name = '{PRIMARY[k][0]}' AND op = '{PRIMARY[k][1]}')" for k in kinds)


def change_ages(db: Database, start_day: int) -> tuple[np.ndarray, np.ndarray]:
    """(age in days, latest age possible) of every late change to a rental (one per change)."""
    rows = db.query(f"SELECT changed_at, record_at FROM sim_change_log WHERE {primary_rows(RENTAL_KINDS)}")
    changed = np.array([parse_ts(r[0]) // DAY for r in rows], dtype=np.int64)
    made = np.array([parse_ts(r[1]) // DAY for r in rows], dtype=np.int64)
    return changed - made, changed - start_day


def expected_counts(amax: np.ndarray, window: int, midpoint: float, steepness: float) -> np.ndarray:
    """Expected changes at each age 1..window under the sigmoid: each change's chances are cut at the
    oldest age it could have had (`amax`, the days since the simulation began when it was made)."""
    w = sigmoid(np.arange(1, window + 1), midpoint, steepness)
    cum = np.cumsum(w)
    total = np.zeros(window)
    limits, counts = np.unique(np.clip(amax, 1, window), return_counts=True)
    for limit, n in zip(limits.tolist(), counts.tolist()):
        total[:limit] += n * w[:limit] / cum[limit - 1]
    return total


def fit(ages: np.ndarray, amax: np.ndarray, window: int, start: tuple[float, float]) -> tuple[float, float]:
    """Maximum-likelihood (midpoint, steepness) of the truncated sigmoid for the measured ages."""
    limits, inverse = np.unique(np.minimum(amax, window), return_inverse=True)
    a = np.arange(1, window + 1)

    def nll(x: np.ndarray) -> float:
        m, k = x[0], math.exp(x[1])
        logw = -np.logaddexp(0.0, k * (a - m))
        cum = np.logaddexp.accumulate(logw)
        return -float(logw[ages - 1].sum() - cum[limits - 1][inverse].sum())

    res = optimize.minimize(nll, np.array([start[0], math.log(start[1])]), method="Nelder-Mead",
                            options={"xatol": 1e-3, "fatol": 1e-3, "maxiter": 2000})
    return float(res.x[0]), float(math.exp(res.x[1]))


def ages_result(db: Database, cfg: Config, start_day: int) -> Result:
    lc = cfg.late_changes
    desc = "age of the records late changes touch (rentals): a decreasing sigmoid of age in days"
    configured = f"midpoint {lc.midpoint_days:g} d, steepness {lc.steepness:g}"
    ages, amax = change_ages(db, start_day)
    window = window_days(lc.midpoint_days, lc.steepness)
    ok = (ages >= 1) & (ages <= np.minimum(amax, window))
    if (~ok).any():
        return Result("late_change_ages", desc, configured, f"{int((~ok).sum())} change(s) outside 1..{window} days",
                      status="fail")
    if len(ages) < 30:
        return Result("late_change_ages", desc, configured, f"{len(ages)} changes, needs 30", status="skip")
    expected = expected_counts(amax, window, lc.midpoint_days, lc.steepness)
    observed = np.bincount(ages - 1, minlength=window)[:window].astype(float)
    obs, exp = _bins(observed[FIRST_AGE - 1:], expected[FIRST_AGE - 1:])
    p = float(stats.chisquare(obs, exp).pvalue) if len(obs) > 1 else 1.0
    m, k = fit(ages, amax, window, (lc.midpoint_days, lc.steepness))
    return Result("late_change_ages", desc, configured,
                  f"midpoint {m:.1f} d, steepness {k:.3f} ({len(ages):,} changes, median age "
                  f"{float(np.median(ages)):g} d)",
                  f"chi-square over ages {FIRST_AGE}+ d: p = {p:.3g} (fails below {P_MIN:g})",
                  _status(p >= P_MIN), [{"fitted_midpoint": round(m, 2), "fitted_steepness": round(k, 4),
                                         "chi2_p": p, "changes": int(len(ages))}])


def _bins(observed: np.ndarray, expected: np.ndarray, least: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    """Adjacent ages merged until each bin expects `least` changes (the chi-square approximation)."""
    obs, exp, o, e = [], [], 0.0, 0.0
    for a, b in zip(observed, expected):
        o, e = o + a, e + b
        if e >= least:
            obs.append(o)
            exp.append(e)
            o, e = 0.0, 0.0
    if (o or e) and exp:
        obs[-1] += o
        exp[-1] += e
    exp_a = np.array(exp)
    return np.array(obs), exp_a * (sum(obs) / exp_a.sum()) if len(exp_a) else exp_a


def rates_result(db: Database, cfg: Config, first: int, last: int) -> Result:
    """Changes of each kind per 1,000 rentals against the config (Poisson noise, 4 sigma)."""
    lc = cfg.late_changes
    desc = "late changes per 1,000 rentals, per kind (configured / measured)"
    rentals = db.query("SELECT COALESCE(SUM(rentals), 0) FROM sim_day WHERE day >= ? AND day <= ?",
                       (day_text(first), day_text(last)))[0][0]
    rentals = int(rentals or 0)
    if rentals < 1000:
        return Result("late_change_rates", desc, status="skip", measured=f"{rentals} rentals, needs 1,000")
    counts: Counter = Counter()
    for kind, n in db.query(f"SELECT kind, COUNT(*) FROM sim_change_log WHERE {primary_rows(tuple(PRIMARY))} "
                            "GROUP BY kind"):
        counts["customer_edit" if kind.startswith("customer_") else kind] += int(n)
    details, ok = [], True
    for name, kind in KINDS.items():
        rate = getattr(lc, name)
        if kind == "payment_correction" and cfg.catalog.staff_per_store < 2:
            rate = 0.0  # a correction moves a rental to another clerk of its store: there is none
        if kind == "price_change" and cfg.sharded:
            rate = 0.0  # a film's price is the chain's: a store simulated on its own does not change it
        exp = rate * rentals / 1000.0
        meas = counts.get(kind, 0)
        tol = max(Z * math.sqrt(exp), 0.05 * exp, 2.0)
        good = abs(meas - exp) <= tol
        ok &= good
        details.append({"kind": kind, "configured": rate, "measured": round(meas * 1000.0 / rentals, 3),
                        "changes": meas, "expected": round(exp, 1), "status": _status(good)})
    fmt = lambda key: " ".join(f"{d['kind']}={d[key]:g}" for d in details)  # noqa: E731
    return Result("late_change_rates", desc, fmt("configured"), fmt("measured"), "4 sigma (Poisson) per kind",
                  _status(ok), details)


def report(db: Database, cfg: Config, first: int, last: int) -> list[Result]:
    if not cfg.late_changes.enabled or "sim_change_log" not in db.table_names() or not cfg.late_changes.change_log:
        why = "late changes are off" if not cfg.late_changes.enabled else "no change log"
        return [Result("late_change_ages", "age of the records late changes touch", status="skip", measured=why),
                Result("late_change_rates", "late changes per 1,000 rentals", status="skip", measured=why)]
    return [ages_result(db, cfg, first), rates_result(db, cfg, first, last)]
