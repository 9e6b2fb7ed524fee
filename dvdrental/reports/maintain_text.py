"""Plain-text tables for maintain.py: the same dicts that --json prints, laid out for people.

Kept apart from the computations so that the numbers have one source and the script stays thin.
"""

from __future__ import annotations

from .cli import kv_lines
from .overview import rows as overview_rows


def _pct(v: float | None, width: int = 7) -> str:
    return f"{'-':>{width}}" if v is None else f"{v:>{width}.1%}"


def _signed(v: float | None, width: int = 8) -> str:
    return f"{'-':>{width}}" if v is None else f"{v:>+{width}.1%}"


def stats_lines(data: dict) -> list[str]:
    lines = [f"{data['database']} ({data['engine']}):", *kv_lines(overview_rows(data)), "Rows per table:"]
    lines += kv_lines([(k, "missing" if v is None else f"{v:,}") for k, v in data["tables"].items()])
    return lines


def growth_lines(data: dict) -> list[str]:
    period = data["period"]
    avg = lambda v: "-" if v is None else f"{v:+.2%} per {period}"  # noqa: E731
    lines = [f"{period.capitalize()}ly rentals and revenue, {data['first_day']} .. {data['last_day']} "
             f"({data['periods']} {period}s; growth on the previous complete {period}):",
             f"  {period + ' of':<11} {'days':>4} {'rentals':>9} {'growth':>8} {'revenue':>12} {'growth':>8}"]
    for r in data["rows"]:
        mark = "" if r["complete"] else "  (partial)"
        lines.append(f"  {r['start']:<11} {r['days']:>4} {r['rentals']:>9,} {_signed(r['rentals_growth'])} "
                     f"{r['revenue']:>12,.2f} {_signed(r['revenue_growth'])}{mark}")
    lines += [f"  total: {data['total_rentals']:,} rentals, {data['total_revenue']:,.2f} revenue",
              f"  average growth (first to last complete {period}): rentals {avg(data['average_rentals_growth'])}, "
              f"revenue {avg(data['average_revenue_growth'])}"]
    return lines


def stock_lines(data: dict) -> list[str]:
    lines = [f"Stock on {data['last_day']}:",
             f"  {'store':>5} {'copies':>7} {'retired':>8} {'live':>6} {'out':>5} {'shelf':>6} {'films':>6} "
             f"{'utilisation':>11}"]
    for s in data["stores"]:
        lines.append(f"  {s['store_id']:>5} {s['copies']:>7,} {s['retired']:>8,} {s['live']:>6,} {s['out']:>5,} "
                     f"{s['on_shelf']:>6,} {s['films']:>6,} {s['utilisation']:>11.1%}")
    lines.append("Rentals per copy by copy age (index: 1 = an average copy at the time; removes growth and seasons):")
    for row in data["by_age"]:
        rate = "-" if row["rentals_per_copy_week"] is None else f"{row['rentals_per_copy_week']:.3f}"
        index = "-" if row["index"] is None else f"{row['index']:.2f}"
        lines.append(f"  {row['age']:<12} {row['rentals']:>9,} rentals  {row['copy_weeks']:>10,.1f} copy-weeks  "
                     f"{rate:>7} per copy-week  index {index:>5}")
    return lines


def late_fee_lines(data: dict) -> list[str]:
    t = data["totals"]
    lines = [f"Late returns and fees per month (fee {data['fee_per_day']:.2f} per day late; lost copies by month "
             "retired):",
             f"  {'month':<7} {'returns':>8} {'late':>6} {'share':>7} {'fees due':>10} {'fees paid':>10} "
             f"{'lost':>5} {'replacement':>12}"]
    for r in data["months"]:
        lines.append(f"  {r['month']:<7} {r['returns']:>8,} {r['late']:>6,} {_pct(r['late_share'])} "
                     f"{r['late_fees_due']:>10,.2f} {r['late_fee_revenue']:>10,.2f} {r['lost']:>5,} "
                     f"{r['replacement_revenue']:>12,.2f}")
    lines.append(f"  {'total':<7} {t['returns']:>8,} {t['late']:>6,} {_pct(t['late_share'])} "
                 f"{t['late_fees_due']:>10,.2f} {t['late_fee_revenue']:>10,.2f} {t['lost']:>5,} "
                 f"{t['replacement_revenue']:>12,.2f}")
    lines.append("Days late (returned late rentals):")
    for b in data["days_late"]:
        lines.append(f"  {b['days']:<11} {b['rentals']:>8,} {_pct(b['share'])}")
    lines += kv_lines([("late-fee payments", f"{t['late_fee_payments']:,}"),
                  ("lost copies (never returned, retired)", f"{t['lost']:,}"),
                  ("replacement charges", f"{t['replacement_revenue']:,.2f}"),
                  (f"overdue now (out, not lost, on {data['last_day']})", f"{t['overdue_now']:,}")])
    return lines


def customer_lines(data: dict) -> list[str]:
    share = data["reactivation_share"]
    lines = [f"Customers on {data['last_day']}:", *kv_lines([
        ("customers", f"{data['customers']:,}"),
        ("active / inactive", f"{data['active']:,} / {data['inactive']:,}"),
        ("churn / reactivation / closure events", f"{data['churn_events']:,} / {data['reactivation_events']:,} / "
                                                  f"{data['closure_events']:,}"),
        ("reactivated within a year", f"{data['reactivated_within_a_year']:,} of "
                                      f"{data['churned_a_year_ago_or_more']:,} churns a year old or more "
                                      f"({'-' if share is None else f'{share:.1%}'})"),
    ])]
    offsets = list(data["cohorts"][0]["retention"]) if data["cohorts"] else []
    lines.append("Cohorts (month created): share renting in month +k (- = not fully simulated yet):")
    lines.append(f"  {'cohort':<7} {'size':>6} " + " ".join(f"{k:>7}" for k in offsets))
    for c in data["cohorts"]:
        lines.append(f"  {c['cohort']:<7} {c['size']:>6,} " + " ".join(_pct(c["retention"][k]) for k in offsets))
    lines.append("Per month:")
    lines.append(f"  {'month':<7} {'new':>6} {'churned':>8} {'reactivated':>12} {'closed':>7}")
    for m in data["months"]:
        lines.append(f"  {m['month']:<7} {m['new_customers']:>6,} {m['churned']:>8,} {m['reactivated']:>12,} "
                     f"{m['closed']:>7,}")
    return lines


def checksum_lines(data: dict) -> list[str]:
    lines = [data["checksum"]]
    if "tables" in data:
        width = max((len(k) for k in data["tables"]), default=0)
        lines += [f"  {name:<{width}}  {digest}" for name, digest in data["tables"].items()]
    return lines
