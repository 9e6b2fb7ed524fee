"""When a rental comes back (or never does): a latent plan per rental_id.

The plan is a hash of (seed, rental_id) and the rental's own date and duration, so an incremental run
recomputes the plan of every open rental from the database instead of storing it.
"""

from __future__ import annotations

import numpy as np

from ..config import ReturnsConfig
from .calendar import DAY
from .rng import latent_uniform


def plan_returns(seed: int, cfg: ReturnsConfig, open_hour: float, close_hour: float,
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
    # Lomax (Pareto II) tail of days late, mean about 1 + 1.5 / (late_tail - 1) when late_tail > 1
    tail = 1.5 * ((1.0 - u_size) ** (-1.0 / cfg.late_tail) - 1.0)
    days_late = 1 + np.minimum(np.floor(tail), cfg.max_late_days - 1).astype(np.int64)
    day = np.where(late, due + days_late, day)

    # Returns cluster early in the week: some weekend returns wait until Monday, unless that would
    # make an on-time rental late.
    wd = (day + 3) % 7
    monday = day + (7 - wd)
    to_monday = (wd >= 5) & (u_shift < cfg.weekend_shift) & ~lost & (late | (monday <= due))
    day = np.where(to_monday, monday, day)

    secs = (open_hour + u_time * (close_hour - open_hour)) * 3600
    secs = np.minimum(secs.astype(np.int64), int(close_hour * 3600) - 1)
    day = np.where(lost, due + cfg.lost_grace_days, day)
    return day * DAY + secs, lost


def overdue_days(rental_ts: int, return_ts: int, duration: int) -> int:
    """Sakila's rule: whole calendar days between rental and return beyond the rental duration."""
    return max(0, return_ts // DAY - rental_ts // DAY - duration)
