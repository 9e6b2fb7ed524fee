"""Plain-text tables for maintain.py: the same dicts that --json prints, laid out for people.

Kept apart from the computations so that the numbers have one source and the script stays thin.
"""

from __future__ import annotations

from ..cli import kv_lines
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
    # "before <start date>" (customers from before the simulation) is wider than a month
    w = max([7] + [len(c["cohort"]) for c in data["cohorts"]] + [len(m["month"]) for m in data["months"]])
    lines.append(f"  {'cohort':<{w}} {'size':>6} " + " ".join(f"{k:>7}" for k in offsets))
    for c in data["cohorts"]:
        lines.append(f"  {c['cohort']:<{w}} {c['size']:>6,} " + " ".join(_pct(c["retention"][k]) for k in offsets))
    lines.append("Per month:")
    lines.append(f"  {'month':<{w}} {'new':>6} {'churned':>8} {'reactivated':>12} {'closed':>7}")
    for m in data["months"]:
        lines.append(f"  {m['month']:<{w}} {m['new_customers']:>6,} {m['churned']:>8,} {m['reactivated']:>12,} "
                     f"{m['closed']:>7,}")
    return lines


def checksum_lines(data: dict) -> list[str]:
    lines = [data["checksum"]]
    if "tables" in data:
        width = max((len(k) for k in data["tables"]), default=0)
        lines += [f"  {name:<{width}}  {digest}" for name, digest in data["tables"].items()]
    return lines


#: Age buckets (days) for the late changes' histogram in text; the JSON has every age.
AGE_BUCKETS = ((1, 1), (2, 3), (4, 7), (8, 14), (15, 30), (31, 60), (61, 90), (91, 180), (181, 365), (366, 10**6))


def _age_cells(stats: dict | None) -> str:
    if stats is None:
        return ""
    return f"{stats['median']:>7.1f} {stats['mean']:>6.1f} {stats['p90']:>6.1f} {stats['max']:>5,}"


def change_lines(data: dict) -> list[str]:
    if data["message"]:
        return [f"Change log: {data['message']}."]
    ops = data["by_op"]
    lines = [f"Change log {data['first_change']} .. {data['last_change']}: {data['rows']:,} rows "
             f"({ops['inserts']:,} inserts, {ops['updates']:,} updates, {ops['deletes']:,} deletes), "
             f"{data['late_changes']:,} late changes",
             "Per kind (changes: one per event or correction; rows: rows it touched; late changes' age in days "
             "from the record's creation):",
             f"  {'kind':<19} {'late':>4} {'changes':>9} {'rows':>9} {'median':>7} {'mean':>6} {'p90':>6} {'max':>5}"]
    for k in data["kinds"]:
        lines.append(f"  {k['kind']:<19} {'yes' if k['late'] else '':>4} {k['changes']:>9,} {k['rows']:>9,} "
                     f"{_age_cells(k['age_days'])}".rstrip())
    lines += ["Per table:", f"  {'table':<14} {'inserts':>9} {'updates':>9} {'deletes':>8} {'rows':>9}"]
    for t in data["tables"]:
        lines.append(f"  {t['table']:<14} {t['inserts']:>9,} {t['updates']:>9,} {t['deletes']:>8,} {t['rows']:>9,}")
    shown = data["days"]["last"]
    lines += [f"Per day ({'every day' if shown is None else f'the last {shown} days'}):",
              f"  {'day':<10} {'inserts':>9} {'updates':>9} {'deletes':>8} {'late':>6}"]
    for d in data["days"]["rows"]:
        lines.append(f"  {d['day']:<10} {d['inserts']:>9,} {d['updates']:>9,} {d['deletes']:>8,} "
                     f"{d['late_changes']:>6,}")
    ages = data["ages"]
    if not ages["changes"]:
        lines.append("Age of late changes: none " + ("yet." if data["late_changes_enabled"] else
                                                     "(late changes are off at this level or in the config)."))
        return lines
    lines += [f"Age of late changes in days (configured sigmoid: midpoint {ages['midpoint_days']:g} d, steepness "
              f"{ages['steepness']:g}; expected: its shares up to the oldest age possible at each change):",
              f"  {'age':<9} {'changes':>8} {'share':>7} {'expected':>8}"]
    rows = ages["rows"]
    for lo, hi in AGE_BUCKETS:
        if lo > ages["window"]:
            break
        hi = min(hi, ages["window"])
        sel = rows[lo - 1:hi]
        label = str(lo) if lo == hi else f"{lo}-{hi}"
        n = sum(r["changes"] for r in sel)
        expected = sum(r["expected_share"] for r in sel)
        lines.append(f"  {label:<9} {n:>8,} {_pct(n / ages['changes'])} {_pct(expected, 8)}")
    if ages["outside_window"]:
        lines.append(f"  outside 1..{ages['window']}: {ages['outside_window']:,}")
    return lines
