"""Matplotlib figures for the report, each returned as PNG bytes.

Figures are made with the object API on the Agg canvas (no pyplot, no display, no global state), so
charts can be drawn from any thread or test and nothing is left open.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SIZE = (10, 4.2)
DPI = 100


def _figure(size: tuple[float, float] = SIZE) -> Figure:
    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def _dates(days: Sequence[str]) -> list[dt.date]:
    return [dt.date.fromisoformat(d) for d in days]


def weekly_rentals(weeks: Sequence[str], rentals: Sequence[float], demand: Sequence[float],
                   lost: Sequence[float], expected: Sequence[float]) -> bytes:
    """Rentals per week against customer demand (expected and drawn) and demand lost to empty shelves."""
    fig = _figure()
    ax = fig.add_subplot()
    x = _dates(weeks)
    ax.plot(x, expected, color="0.55", lw=1, ls="--", label="expected demand")
    ax.plot(x, demand, color="tab:blue", lw=1, alpha=0.6, label="demand (customers who came)")
    ax.plot(x, rentals, color="tab:green", lw=1.8, label="rentals")
    ax.fill_between(x, 0, lost, color="tab:red", alpha=0.35, lw=0, label="lost demand (nothing on the shelf)")
    ax.set_title("Weekly rentals over time")
    ax.set_xlabel("week (Monday first)")
    ax.set_ylabel("per week")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    return _png(fig)


def seasonality(per_month: Sequence[float | None]) -> bytes:
    """Average rentals per day for each month of the year (12 values; None where never simulated)."""
    fig = _figure((8, 4))
    ax = fig.add_subplot()
    vals = [np.nan if v is None else v for v in per_month]
    mean = np.nanmean(vals) if any(v is not None for v in per_month) else np.nan
    ax.bar(MONTHS, vals, color="tab:orange")
    if not np.isnan(mean):
        ax.axhline(mean, color="0.3", lw=1, ls="--", label=f"average {mean:.1f}")
        ax.legend(loc="upper left", fontsize=8)
    ax.set_title("Seasonality: average rentals per day by month of year")
    ax.set_xlabel("month")
    ax.set_ylabel("rentals per day")
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def weekday_profile(rentals: Sequence[float], returns: Sequence[float]) -> bytes:
    """Share of rentals and of returns on each weekday (Monday first)."""
    fig = _figure((8, 4))
    ax = fig.add_subplot()
    x = np.arange(7)
    ax.bar(x - 0.2, rentals, width=0.4, color="tab:green", label="rentals")
    ax.bar(x + 0.2, returns, width=0.4, color="tab:purple", label="returns")
    ax.set_xticks(x, WEEKDAYS)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title("Weekday profile: share of rentals and returns by weekday")
    ax.set_xlabel("weekday")
    ax.set_ylabel("share of the week")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return _png(fig)


def cohort_retention(cohorts: Sequence[str], offsets: Sequence[str], shares: np.ndarray) -> bytes:
    """Heatmap: rows are monthly cohorts, columns months after joining, cells the share renting then."""
    rows = max(len(cohorts), 1)
    fig = _figure((8, min(2.2 + 0.28 * rows, 14)))
    ax = fig.add_subplot()
    data = np.ma.masked_invalid(np.asarray(shares, dtype=float).reshape(len(cohorts), len(offsets)))
    image = ax.imshow(data, aspect="auto", cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks(range(len(offsets)), [f"month {o}" for o in offsets])
    ax.set_yticks(range(len(cohorts)), cohorts)
    if len(cohorts) <= 40:
        for (i, j), v in np.ndenumerate(data.filled(np.nan)):
            if not np.isnan(v):
                ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=7,
                        color="white" if v < 0.6 else "black")
    ax.set_title("Cohort retention: share of each monthly cohort renting k months later")
    ax.set_xlabel("months after the cohort's month (blank: not fully simulated yet)")
    ax.set_ylabel("cohort (month created)")
    fig.colorbar(image, ax=ax, format=PercentFormatter(1.0), label="share of cohort renting")
    return _png(fig)


def stock_utilisation(weeks: Sequence[str], copies_out: Sequence[float], live: Sequence[float],
                      utilisation: Sequence[float]) -> bytes:
    """Copies out on rental vs live copies per week, with the utilisation on a second axis."""
    fig = _figure()
    ax = fig.add_subplot()
    x = _dates(weeks)
    ax.plot(x, live, color="tab:blue", lw=1.8, label="live copies")
    ax.plot(x, copies_out, color="tab:green", lw=1.5, label="copies out on rental")
    ax.set_ylim(bottom=0)
    ax.set_title("Stock utilisation over time (weekly averages)")
    ax.set_xlabel("week (Monday first)")
    ax.set_ylabel("copies")
    ax.grid(alpha=0.3)
    right = ax.twinx()
    right.plot(x, utilisation, color="tab:red", lw=1, ls=":", label="utilisation (out / live)")
    right.set_ylim(0, max(1.0, max(utilisation, default=0) * 1.1))
    right.yaxis.set_major_formatter(PercentFormatter(1.0))
    right.set_ylabel("utilisation")
    lines = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", fontsize=8)
    return _png(fig)


def copy_age(labels: Sequence[str], per_copy_week: Sequence[float | None], index: Sequence[float | None]) -> bytes:
    """Rentals per copy-week by copy age, with the growth- and season-free index above each bar."""
    fig = _figure((8, 4))
    ax = fig.add_subplot()
    vals = [0.0 if v is None else v for v in per_copy_week]
    bars = ax.bar(labels, vals, color="tab:cyan")
    for bar, rate, idx in zip(bars, per_copy_week, index):
        label = "no copies this old" if rate is None else "" if idx is None else f"index {idx:.2f}"
        ax.annotate(label, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=8, xytext=(0, 2), textcoords="offset points")
    ax.set_ylim(0, max(vals, default=0) * 1.15 or 1)
    ax.set_title("Rentals per copy by copy age (index 1 = an average copy at the time)")
    ax.set_xlabel("age of the copy when rented")
    ax.set_ylabel("rentals per copy-week")
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def late_change_ages(ages: Sequence[int], shares: Sequence[float], expected: Sequence[float], midpoint: float,
                     steepness: float) -> bytes:
    """Share of late changes at each age in days (bars) against the configured sigmoid's shares (line)."""
    fig = _figure()
    ax = fig.add_subplot()
    ax.bar(ages, shares, width=1.0, color="tab:blue", alpha=0.7, label="measured share of late changes")
    ax.plot(ages, expected, color="tab:red", lw=1.8,
            label=f"configured sigmoid (midpoint {midpoint:g} d, steepness {steepness:g})")
    ax.axvline(midpoint, color="0.4", lw=1, ls="--", label="midpoint")
    ax.set_xlim(0.5, max(ages, default=1) + 0.5)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title("Age of late changes: days from the record's creation to its correction")
    ax.set_xlabel("age of the record changed (days)")
    ax.set_ylabel("share of late changes")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    return _png(fig)
