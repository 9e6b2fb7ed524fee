"""When a rental comes back (or never does): a latent plan per rental_id.

The plan is a hash of (seed, rental_id) and the rental's own date and duration, so an incremental run
recomputes the plan of every open rental from the database instead of storing it.

One policy for late and lost copies: a late return comes back at most `ReturnsConfig.latest_late_days`
after the due day, always before the write-off point (`lost_grace_days` after due), so a copy written
off is never returned; and a late fee never exceeds the replacement cost (`late_fee`).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..config import DemandConfig, ReturnsConfig, RushPeak
from .calendar import DAY
from .rng import latent_uniform

#: Scale of the Lomax tail of days late (in days).
_TAIL_SCALE = 1.5


def plan_returns(seed: int, cfg: ReturnsConfig, demand: DemandConfig,
                 rental_ids: np.ndarray, rental_ts: np.ndarray, durations: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(event time, lost?) per rental: the return time, or for a lost copy the retirement time."""
    ids = np.asarray(rental_ids, dtype=np.int64)
    rent_day = np.asarray(rental_ts, dtype=np.int64) // DAY
    dur = np.asarray(durations, dtype=np.int64)
    due = rent_day + dur
    u_kind, u_size, u_shift, u_time = (latent_uniform(seed, "returns", ids, k) for k in range(4))

    lost = u_kind < cfg.lost_share
    early = ~lost & (u_kind < cfg.lost_share + cfg.early_share) & (dur > 1)
    late = ~lost & (u_kind >= cfg.lost_share + cfg.early_share) & (
        u_kind < cfg.lost_share + cfg.early_share + cfg.late_share)

    day = due.copy()
    early_day = rent_day + 1 + np.floor(u_size * (dur - 1)).astype(np.int64)
    day = np.where(early, early_day, day)
    # Lomax (Pareto II) tail of days late, truncated (not piled up) at the latest return: the uniform
    # is scaled into the part of the distribution below it, so the late share stays as configured
    latest = cfg.latest_late_days
    below = 1.0 - (1.0 + latest / _TAIL_SCALE) ** (-cfg.late_tail)
    tail = _TAIL_SCALE * ((1.0 - u_size * below) ** (-1.0 / cfg.late_tail) - 1.0)
    days_late = 1 + np.minimum(np.floor(tail), latest - 1).astype(np.int64)
    day = np.where(late, due + days_late, day)

    # Returns cluster early in the week: some weekend returns wait until Monday, unless that would
    # make an on-time rental late or a late one later than the latest return.
    wd = (day + 3) % 7
    monday = day + (7 - wd)
    to_monday = (wd >= 5) & (u_shift < cfg.weekend_shift) & ~lost & (
        (late & (monday - due <= latest)) | (monday <= due))
    day = np.where(to_monday, monday, day)

    secs = seconds_of_day(demand, u_time)
    day = np.where(lost, due + cfg.lost_grace_days, day)
    return day * DAY + secs, lost


def seconds_of_day(demand: DemandConfig, u: np.ndarray) -> np.ndarray:
    """Times of day (seconds after midnight, within opening hours) for uniforms `u`: the inverse of the
    rentals' intraday profile, so returns follow the store's traffic and stay a function of u."""
    open_s, cdf = _time_of_day_cdf(demand.rush_peaks, demand.open_hour, demand.close_hour)
    second = np.minimum(np.searchsorted(cdf, np.asarray(u, dtype=np.float64), side="right"), len(cdf) - 1)
    return open_s + second.astype(np.int64)


def time_of_day_shares(demand: DemandConfig, edges_s: np.ndarray) -> np.ndarray:
    """Probability of each interval between consecutive `edges_s` (seconds after midnight) under the
    intraday profile: what the validation expects per clock hour."""
    open_s, cdf = _time_of_day_cdf(demand.rush_peaks, demand.open_hour, demand.close_hour)
    full = np.r_[0.0, cdf]
    at = np.clip(np.asarray(edges_s, dtype=np.int64) - open_s, 0, len(cdf))
    return np.diff(full[at])


@lru_cache(maxsize=16)
def _time_of_day_cdf(peaks: tuple[RushPeak, ...], open_hour: float, close_hour: float
                     ) -> tuple[int, np.ndarray]:
    """(first second, cumulative probability at the end of each second of opening hours) of the rush
    mixture that rental times are drawn from (demand.Demand.draw_seconds): each Gaussian truncated to
    opening hours on its own (a draw outside them is redrawn from the same rush), weights normalised;
    a rush with no mass inside opening hours counts as a flat spread, as draw_seconds falls back to."""
    open_s = int(open_hour * 3600)
    close_s = max(int(close_hour * 3600), open_s + 1)
    ends = (np.arange(open_s, close_s, dtype=np.float64) + 1.0) / 3600.0
    lo, hi = open_s / 3600.0, close_s / 3600.0
    erf = np.vectorize(math.erf, otypes=[float])
    total = sum(p.weight for p in peaks)
    cdf = np.zeros(len(ends))
    for p in peaks:
        if p.weight <= 0:
            continue
        phi = lambda x: 0.5 * (1.0 + erf((np.asarray(x, dtype=float) - p.hour) / (p.sd * math.sqrt(2.0))))  # noqa: E731
        a, b = float(phi(lo)), float(phi(hi))
        part = (phi(ends) - a) / (b - a) if b - a > 1e-12 else (ends - lo) / (hi - lo)
        cdf += p.weight / total * np.clip(part, 0.0, 1.0)
    cdf = np.maximum.accumulate(cdf)
    cdf[-1] = 1.0
    return open_s, cdf


def overdue_days(rental_ts: int, return_ts: int, duration: int) -> int:
    """Sakila's rule: whole calendar days between rental and return beyond the rental duration."""
    return max(0, return_ts // DAY - rental_ts // DAY - duration)


def late_fee(days_late: int, fee_per_day_cents: int, replacement_cents: int) -> int:
    """The late fee in cents: per day overdue, but never more than losing the copy would cost (its
    replacement cost in force at the return), as real stores capped it."""
    return min(days_late * fee_per_day_cents, replacement_cents) if days_late > 0 else 0
