"""How many rentals a day brings, and when: growth, season, weekday, spikes, time of day."""

from __future__ import annotations

import calendar as _cal
import math
from dataclasses import dataclass

import numpy as np

from ..config import DemandConfig, SeasonalityConfig
from .calendar import DAY, date_of, day_number, weekday

_WEEKEND = np.array([False, False, False, False, True, True, True])  # Fri-Sun lose volume as it shifts


def season_anchors(monthly: tuple[float, ...]) -> np.ndarray:
    """Mid-month anchor values whose daily linear interpolation has the configured monthly means.

    Plain interpolation through the monthly values would flatten peaks (July would average below its
    configured +100%); solving for the anchors keeps every month's mean as configured, with no steps.
    """
    target = np.asarray(monthly, dtype=float)
    weights = np.zeros((12, 12))
    for month in range(12):
        days = _cal.monthrange(2001, month + 1)[1]
        for dom in range(1, days + 1):
            k0, frac = _anchor_position(month, dom, days)
            weights[month, k0] += (1 - frac) / days
            weights[month, (k0 + 1) % 12] += frac / days
    anchors = np.linalg.solve(weights, target)
    return np.maximum(anchors, 0.01 * target.min())


def _anchor_position(month0: int, dom: int, days_in_month: int) -> tuple[int, float]:
    x = month0 + (dom - 0.5) / days_in_month - 0.5
    k0 = math.floor(x)
    return k0 % 12, x - k0


@dataclass(frozen=True)
class Demand:
    cfg: DemandConfig
    anchors: np.ndarray
    start_day: int

    @classmethod
    def build(cls, cfg: DemandConfig, season: SeasonalityConfig, start_day: int) -> "Demand":
        return cls(cfg, season_anchors(season.monthly), start_day)

    # ---- deterministic part -------------------------------------------------------------------
    def trend(self, day: int) -> float:
        """Expected weekly rentals before season and spikes.

        Growing: logistic towards capacity, with `growth_rate` as the early weekly growth. Declining
        (negative growth_rate): exponential decay towards capacity as a floor, same early rate.
        """
        d0, cap, g = self.cfg.base_weekly_rentals, self.cfg.capacity_weekly_rentals, self.cfg.growth_rate
        weeks = (day - self.start_day) / 7.0
        if g > 0 and cap > d0:
            rate = g / (1 - d0 / cap)  # so that the early weekly growth equals growth_rate
            return cap / (1 + (cap / d0 - 1) * math.exp(-rate * weeks))
        if g < 0 and cap < d0:
            rate = g * d0 / (d0 - cap)
            return cap + (d0 - cap) * math.exp(rate * max(weeks, 0.0))
        return d0

    def maturity(self, day: int) -> float:
        """0 at the start, 1 when the trend has settled: drives the weekday shift."""
        d0, cap = self.cfg.base_weekly_rentals, self.cfg.capacity_weekly_rentals
        if cap == d0 or self.cfg.growth_rate == 0:
            return 0.0
        return min(1.0, max(0.0, (self.trend(day) - d0) / (cap - d0)))

    def shock(self, day: int) -> float:
        """Product of the dated shocks' multipliers on `day` (1 when none applies)."""
        out = 1.0
        for s in self.cfg.shocks:
            start, end = day_number(s.start_date), day_number(s.end_date)
            if start <= day <= end:
                out *= s.multiplier
            elif end < day and s.recovery_weeks > 0:
                eased = (day - end) / (7 * s.recovery_weeks)
                if eased < 1:
                    out *= s.multiplier + (1 - s.multiplier) * eased
        return out

    def weekday_shares(self, day: int) -> np.ndarray:
        profile = np.asarray(self.cfg.weekday_profile, dtype=float)
        profile = profile / profile.sum()
        moved = self.cfg.weekday_shift * self.maturity(day)
        weekend_mass = profile[_WEEKEND].sum()
        weekday_mass = profile[~_WEEKEND].sum()
        out = profile.copy()
        out[_WEEKEND] *= 1 - moved
        if weekday_mass > 0:
            out[~_WEEKEND] += profile[~_WEEKEND] / weekday_mass * moved * weekend_mass
        return out

    def season(self, day: int) -> float:
        date = date_of(day)
        days = _cal.monthrange(date.year, date.month)[1]
        k0, frac = _anchor_position(date.month - 1, date.day, days)
        return float(self.anchors[k0] * (1 - frac) + self.anchors[(k0 + 1) % 12] * frac)

    def expected(self, day: int) -> float:
        """Expected rentals on `day` without a spike."""
        return self.trend(day) * self.weekday_shares(day)[weekday(day)] * self.season(day) * self.shock(day)

    def weekly_expected(self, day: int) -> float:
        """Expected rentals in a week at `day`'s season (spike days included on average)."""
        spikes = 1 + self.cfg.spike_probability * (self.cfg.spike_multiplier - 1)
        return self.trend(day) * self.season(day) * self.shock(day) * spikes

    # ---- random part ---------------------------------------------------------------------------
    def draw_count(self, rng: np.random.Generator, day: int) -> tuple[int, bool, float]:
        """(rentals wanted today, spike day?, expectation without spike)."""
        expected = self.expected(day)
        spike = bool(rng.random() < self.cfg.spike_probability)
        lam = expected * (self.cfg.spike_multiplier if spike else 1.0)
        return int(rng.poisson(lam)), spike, expected

    def draw_times(self, rng: np.random.Generator, day: int, n: int) -> np.ndarray:
        """`n` sorted rental times (epoch seconds) inside opening hours, from the rush peaks."""
        return day * DAY + self.draw_seconds(rng, n)

    def draw_seconds(self, rng: np.random.Generator, n: int) -> np.ndarray:
        cfg = self.cfg
        peaks = cfg.rush_peaks
        w = np.array([p.weight for p in peaks], dtype=float)
        comp = rng.choice(len(peaks), size=n, p=w / w.sum())
        mu = np.array([p.hour for p in peaks])[comp]
        sd = np.array([p.sd for p in peaks])[comp]
        hours = rng.normal(mu, sd)
        for _ in range(4):  # redraw outside opening hours: a truncated mixture
            bad = (hours < cfg.open_hour) | (hours >= cfg.close_hour)
            if not bad.any():
                break
            hours[bad] = rng.normal(mu[bad], sd[bad])
        bad = (hours < cfg.open_hour) | (hours >= cfg.close_hour)
        hours[bad] = rng.uniform(cfg.open_hour, cfg.close_hour, bad.sum())
        secs = np.minimum((hours * 3600).astype(np.int64), int(cfg.close_hour * 3600) - 1)
        secs.sort()
        return secs
