"""maintain.py: every subcommand on a generated database, numbers checked against independent
computations, JSON against text, both engines, the HTML report's images, backups that restore, reset."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
import stat
import subprocess
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import maintain
from dvdrental import backup as backup_module
from dvdrental.storage import mysql as mysql_storage
from dvdrental.checksum import checksum, table_digests
from dvdrental.inventory import stock_report
from dvdrental.paths import PROJECT_ROOT
from dvdrental.sim.calendar import day_text, parse_ts
from dvdrental.sim.late import PRIMARY
from dvdrental.storage import connect
from dvdrental.storage.tables import TABLES
from conftest import IN_CI, MYSQL_SERVER, tiny_config
from helpers import build

SUBCOMMANDS = ("stats", "growth", "inventory", "late-fees", "customers", "changes", "report", "checksum",
               "optimize", "backup", "reset")
READ_ONLY = (["stats"], ["growth"], ["growth", "--period", "month"], ["inventory"], ["late-fees"], ["customers"],
             ["changes", "--days", "0"], ["checksum", "--tables"])
PNG = b"\x89PNG\r\n\x1a\n"


def run(*args: str):
    return CliRunner().invoke(maintain.main, list(args), catch_exceptions=False)


def ok(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.output


def as_json(url: str, *args: str) -> dict:
    return json.loads(ok(*args, "--db", url, "--json"))


def one(db, sql, *params):
    return db.query(sql, params)[0][0]


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """60 simulated weeks at level 4 on SQLite (churn, a year of cohorts, late and lost copies); read only."""
    url = f"sqlite:///{tmp_path_factory.mktemp('maintain')}/shop.db"
    build(tiny_config(simulation={"initial_weeks": 60}), url).close()
    return url


@pytest.fixture(scope="module")
def shop_db(shop):
    db = connect(shop, create=False)
    yield db
    db.close()


# ---- independent reads ---------------------------------------------------------------------------

def rentals_by_id(db) -> dict[int, tuple]:
    """rental_id -> (rental ts, return ts or None, film's rental_duration, copy's retired ts or None)."""
    rows = db.query("""SELECT r.rental_id, r.rental_date, r.return_date, f.rental_duration, i.retired_at
                       FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id
                       JOIN film f ON f.film_id = i.film_id""")
    return {int(r[0]): (parse_ts(r[1]), parse_ts(r[2]), int(r[3]), parse_ts(r[4])) for r in rows}


def days_late(rented: int, returned: int, duration: int) -> int:
    return max(0, returned // 86400 - rented // 86400 - duration)


def replacement_at_return(db) -> dict[int, float]:
    """rental_id -> the film's replacement_cost in force at the return (sim_film_price keeps the costs
    before each change), for returned rentals: what one late fee may not exceed."""
    history: dict[int, list] = {}
    for film, until, cost in db.query("SELECT film_id, valid_until, replacement_cost FROM sim_film_price "
                                      "ORDER BY valid_until"):
        history.setdefault(int(film), []).append((parse_ts(until), float(cost)))
    out = {}
    for rid, film, back, cost in db.query("""SELECT r.rental_id, f.film_id, r.return_date, f.replacement_cost
                                             FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id
                                             JOIN film f ON f.film_id = i.film_id WHERE r.return_date IS NOT NULL"""):
        back = parse_ts(back)
        out[int(rid)] = next((c for until, c in history.get(int(film), []) if until > back), float(cost))
    return out


# ---- the command group ---------------------------------------------------------------------------

def test_every_subcommand_is_there_with_help():
    assert set(maintain.main.commands) == set(SUBCOMMANDS)
    for sub in SUBCOMMANDS:
        out = ok(sub, "--help")
        assert "--db" in out and "--config" in out and "--quiet" in out, sub
    for sub in ("stats", "growth", "inventory", "late-fees", "customers", "changes", "checksum"):
        assert "--json" in ok(sub, "--help"), sub


# ---- stats ---------------------------------------------------------------------------------------

def test_stats_counts_every_table_and_matches_its_json(shop, shop_db):
    data = as_json(shop, "stats")
    assert set(data["tables"]) == set(TABLES)
    for name, n in data["tables"].items():
        assert n == one(shop_db, f"SELECT COUNT(*) FROM {name}"), name
    s = data["statistics"]
    assert s["rentals"] == data["tables"]["rental"] > 5000
    assert s["revenue"] == pytest.approx(float(one(shop_db, "SELECT SUM(amount) FROM payment")), abs=0.005)
    assert s["first_day"] == "2001-10-01" and s["last_day"] == "2002-11-24"
    assert data["rental_dates"]["first"].startswith("2001-10-01")
    text = ok("stats", "--db", shop)
    for name, n in data["tables"].items():
        assert re.search(rf"^\s+{name}\s+{n:,}$", text, re.M), name
    assert f"{s['revenue']:,.2f}" in text and "2001-10-01 .. 2002-11-24" in text


# ---- growth --------------------------------------------------------------------------------------

@pytest.mark.parametrize("period", ["week", "month"])
def test_growth_series_add_up_to_the_tables(shop, shop_db, period):
    data = as_json(shop, "growth", "--period", period)
    rows = data["rows"]
    assert sum(r["rentals"] for r in rows) == data["total_rentals"] == one(shop_db, "SELECT COUNT(*) FROM rental")
    revenue = float(one(shop_db, "SELECT SUM(amount) FROM payment"))
    assert sum(r["revenue"] for r in rows) == pytest.approx(revenue, abs=0.05)
    assert data["total_revenue"] == pytest.approx(revenue, abs=0.005)
    starts = [dt.date.fromisoformat(r["start"]) for r in rows]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    if period == "week":
        assert all(d.weekday() == 0 for d in starts) and len(rows) == 60
    else:
        assert all(d.day == 1 for d in starts) and len(rows) == 14
        assert [r["complete"] for r in rows] == [True] * 13 + [False]  # November 2002 ends on the 24th
    for prev, cur in zip(rows, rows[1:]):
        if prev["complete"] and cur["complete"]:
            assert cur["rentals_growth"] == pytest.approx(cur["rentals"] / prev["rentals"] - 1, abs=1e-4)
        else:
            assert cur["rentals_growth"] is None
    assert rows[0]["rentals_growth"] is None


def test_weekly_counts_match_rentals_counted_by_hand(shop, shop_db):
    per_week = Counter()
    for (ts,) in shop_db.query("SELECT rental_date FROM rental"):
        d = dt.date.fromisoformat(str(ts)[:10])
        per_week[(d - dt.timedelta(days=d.weekday())).isoformat()] += 1
    rows = as_json(shop, "growth")["rows"]
    assert {r["start"]: r["rentals"] for r in rows if r["rentals"]} == dict(per_week)


def test_growth_last_shows_the_latest_rows_in_json_and_text(shop):
    full = as_json(shop, "growth")
    last = as_json(shop, "growth", "--last", "4")
    assert last["rows"] == full["rows"][-4:] and last["total_rentals"] == full["total_rentals"]
    text = ok("growth", "--last", "4", "--db", shop)
    table = [line.split() for line in text.splitlines() if re.match(r"^\s+\d{4}-\d\d-\d\d", line)]
    assert [(t[0], int(t[2].replace(",", ""))) for t in table] == [(r["start"], r["rentals"]) for r in last["rows"]]
    assert f"total: {full['total_rentals']:,} rentals" in text


# ---- inventory -----------------------------------------------------------------------------------

def test_inventory_reports_stock_and_copy_age(shop, shop_db):
    data = as_json(shop, "inventory")
    assert data == json.loads(json.dumps(stock_report(shop_db)))
    assert sum(s["copies"] for s in data["stores"]) == one(shop_db, "SELECT COUNT(*) FROM inventory")
    assert sum(s["retired"] for s in data["stores"]) == one(
        shop_db, "SELECT COUNT(*) FROM inventory WHERE retired_at IS NOT NULL")
    assert sum(r["rentals"] for r in data["by_age"]) == one(shop_db, "SELECT COUNT(*) FROM rental")
    text = ok("inventory", "--db", shop)
    for s in data["stores"]:
        assert re.search(rf"^\s+{s['store_id']}\s+{s['copies']:,}\s+{s['retired']:,}\s+{s['live']:,}\s+"
                         rf"{s['out']:,}\s", text, re.M)
    assert "0-3 months" in text


# ---- late fees -----------------------------------------------------------------------------------

def test_late_fees_match_the_payments_and_sakilas_rule(shop, shop_db):
    data = as_json(shop, "late-fees")
    rentals = rentals_by_id(shop_db)
    payments = [(int(r), parse_ts(d), float(a)) for r, d, a in
                shop_db.query("SELECT rental_id, payment_date, amount FROM payment")]
    # independent: a late-fee payment is one made at the rental's return
    fee_paid = [a for r, d, a in payments if rentals[r][1] is not None and d == rentals[r][1]]
    late = {rid: days_late(rt, back, dur) for rid, (rt, back, dur, _) in rentals.items() if back is not None}
    late = {rid: n for rid, n in late.items() if n > 0}
    t = data["totals"]
    assert data["fee_per_day"] == 1.0
    assert t["late_fee_revenue"] == pytest.approx(sum(fee_paid), abs=0.005) and sum(fee_paid) > 100
    assert t["late_fee_payments"] == len(fee_paid) == t["late"] == len(late)
    # the rule: 1.00 per day late, never more than the replacement cost in force at the return
    cap = replacement_at_return(shop_db)
    assert t["late_fees_due"] == pytest.approx(sum(min(n * 1.00, cap[rid]) for rid, n in late.items()))
    assert t["late_fees_due"] == pytest.approx(t["late_fee_revenue"])
    returned = sum(1 for r in rentals.values() if r[1] is not None)
    assert t["returns"] == returned and t["late_share"] == pytest.approx(len(late) / returned, abs=1e-4)
    assert 0.1 < t["late_share"] < 0.3
    # days late buckets
    assert sum(b["rentals"] for b in data["days_late"]) == len(late)
    by_bucket = {b["days"]: b["rentals"] for b in data["days_late"]}
    assert by_bucket["1 day"] == sum(1 for n in late.values() if n == 1)
    assert by_bucket["4-7 days"] == sum(1 for n in late.values() if 4 <= n <= 7)
    assert by_bucket["31+ days"] == sum(1 for n in late.values() if n > 30)
    # lost copies: never returned, copy retired; the replacement is charged when it is retired
    lost = {rid for rid, (_, back, _, retired) in rentals.items() if back is None and retired is not None}
    charges = [a for r, d, a in payments if r in lost and d == rentals[r][3]]
    assert t["lost"] == len(lost) == len(charges) > 0
    assert t["replacement_revenue"] == pytest.approx(sum(charges), abs=0.005)
    # per month adds up
    for key in ("returns", "late", "late_fee_payments", "lost"):
        assert sum(m[key] for m in data["months"]) == t[key], key
    month = data["months"][3]
    assert month["late"] == sum(1 for rid in late if dt.datetime.fromtimestamp(
        rentals[rid][1], dt.timezone.utc).strftime("%Y-%m") == month["month"])
    text = ok("late-fees", "--db", shop)
    assert re.search(rf"^\s+total\s+{t['returns']:,}\s+{t['late']:,}\s+{t['late_share']:.1%}\s+"
                     rf"{t['late_fees_due']:,.2f}\s+{t['late_fee_revenue']:,.2f}\s+{t['lost']:,}\s+"
                     rf"{t['replacement_revenue']:,.2f}$", text, re.M), text
    for m in data["months"]:
        assert re.search(rf"^\s+{m['month']}\s+{m['returns']:,}\s+{m['late']:,}\s", text, re.M)


# ---- customers -----------------------------------------------------------------------------------

def test_customer_cohorts_churn_and_reactivation(shop, shop_db):
    data = as_json(shop, "customers")
    customers = one(shop_db, "SELECT COUNT(*) FROM customer")
    assert sum(c["size"] for c in data["cohorts"]) == data["customers"] == customers
    assert data["active"] + data["inactive"] == customers
    assert data["active"] == one(shop_db, "SELECT COUNT(*) FROM customer WHERE active = 1")
    events = shop_db.query("SELECT customer_id, event_date, event FROM sim_customer_event")
    churns = [e for e in events if e[2] == "churn"]
    assert sum(m["churned"] for m in data["months"]) == data["churn_events"] == len(churns) > 100
    closes = [e for e in events if e[2] == "close"]
    assert sum(m["reactivated"] for m in data["months"]) == data["reactivation_events"] == \
        len(events) - len(churns) - len(closes)
    assert sum(m["closed"] for m in data["months"]) == data["closure_events"] == len(closes)
    assert sum(m["new_customers"] for m in data["months"]) == customers
    per_month = Counter(str(d)[:7] for _, d, e in churns)
    assert {m["month"]: m["churned"] for m in data["months"] if m["churned"]} == dict(per_month)

    # retention of the first cohorts, counted by hand: the members from before the start (counted from
    # September 2001, the month before it), then October 2001
    created = {int(c): str(d) for c, d in shop_db.query("SELECT customer_id, create_date FROM customer")}
    months_rented = defaultdict(set)
    for c, d in shop_db.query("SELECT customer_id, rental_date FROM rental"):
        months_rented[int(c)].add(str(d)[:7])
    members = [c for c, d in created.items() if d < "2001-10-01"]
    october = [c for c, d in created.items() if d[:7] == "2001-10"]
    for got, label, cohort, months in (
            (data["cohorts"][0], "before 2001-10-01", members, (("+1", "2001-10"), ("+3", "2001-12"), ("+12", "2002-09"))),
            (data["cohorts"][1], "2001-10", october, (("+1", "2001-11"), ("+3", "2002-01"), ("+12", "2002-10")))):
        assert got["cohort"] == label and got["size"] == len(cohort) > 0
        for k, month in months:
            share = sum(1 for c in cohort if month in months_rented[c]) / len(cohort)
            assert got["retention"][k] == pytest.approx(share, abs=1e-4), (label, k)
    assert data["months"][0]["month"] == "before 2001-10-01" and data["months"][0]["new_customers"] == len(members)
    assert data["cohorts"][2]["retention"]["+12"] is None  # 2002-11 is not fully simulated
    assert data["cohorts"][-1]["retention"]["+1"] is None

    # churns at least a year before the end, and how many came back within a year
    end = parse_ts("2002-11-25 00:00:00")
    by_customer = defaultdict(list)
    for c, d, e in events:
        by_customer[int(c)].append((parse_ts(d), e))
    observed = back = 0
    for history in by_customer.values():
        for ts, e in history:
            if e == "churn" and ts + 365 * 86400 <= end:
                observed += 1
                back += any(e2 == "reactivate" and ts < t2 <= ts + 365 * 86400 for t2, e2 in history)
    assert (data["churned_a_year_ago_or_more"], data["reactivated_within_a_year"]) == (observed, back)
    assert observed > 0

    text = ok("customers", "--db", shop)
    assert f"{data['active']:,} / {data['inactive']:,}" in text
    for c in data["cohorts"]:
        assert re.search(rf"^\s+{c['cohort']}\s+{c['size']:,}\s", text, re.M)
    first = data["cohorts"][0]
    assert re.search(rf"^\s+before 2001-10-01\s+{first['size']:,}\s+{first['retention']['+1']:.1%}", text, re.M)


# ---- changes -------------------------------------------------------------------------------------

LATE_RATES = {"return_corrections": 40.0, "payment_corrections": 40.0, "refunds": 40.0, "customer_edits": 90.0,
              "price_changes": 40.0, "account_closures": 40.0, "voided_rentals": 40.0}


def change_log(db) -> list[tuple[int, str, str, str, int | None]]:
    """(changed_at, table, op, kind, record_at) of every sim_change_log row, times as epoch seconds."""
    return [(parse_ts(c), str(t), str(o), str(k), parse_ts(r)) for c, t, o, k, r in
            db.query("SELECT changed_at, table_name, op, kind, record_at FROM sim_change_log")]


def late_ages_by_kind(log) -> dict[str, list[tuple[int, int]]]:
    """kind -> (day changed, age in calendar days) of each late change, from its primary row."""
    out = defaultdict(list)
    for changed, table, op, kind, made in log:
        if PRIMARY.get(kind) == (table, op):
            out[kind].append((changed // 86400, changed // 86400 - made // 86400))
    return out


def test_changes_agree_with_the_change_log(shop, shop_db):
    data = as_json(shop, "changes")
    log = change_log(shop_db)
    assert data["message"] is None and data["rows"] == len(log) > 10_000
    ops = Counter(o for _, _, o, _, _ in log)
    assert data["by_op"] == {"inserts": ops["I"], "updates": ops["U"], "deletes": ops["D"]} and ops["D"] > 0
    by_table = Counter((t, o) for _, t, o, _, _ in log)
    assert {t["table"]: (t["inserts"], t["updates"], t["deletes"], t["rows"]) for t in data["tables"]} == {
        t: (by_table[t, "I"], by_table[t, "U"], by_table[t, "D"], sum(n for (t2, _), n in by_table.items() if t2 == t))
        for t, _ in by_table}
    # per kind: the rows touched; a change is one primary row for late kinds, one new customer per sign-up
    kinds = {k["kind"]: k for k in data["kinds"]}
    rows_per_kind = Counter(k for _, _, _, k, _ in log)
    assert {k: v["rows"] for k, v in kinds.items() if v["rows"]} == dict(rows_per_kind)
    assert kinds["rental"]["changes"] == kinds["rental"]["rows"] == one(
        shop_db, "SELECT COUNT(*) FROM sim_change_log WHERE kind = 'rental'")
    assert kinds["signup"]["changes"] == sum(1 for _, t, o, k, _ in log if (k, t, o) == ("signup", "customer", "I"))
    late = late_ages_by_kind(log)
    assert set(late) == set(PRIMARY)  # 60 weeks at the default rates: every kind happens
    for kind, changes in late.items():
        ages = [a for _, a in changes]
        k = kinds[kind]
        assert k["late"] and k["changes"] == len(ages) <= k["rows"], kind
        assert k["age_days"]["median"] == np.median(ages) and k["age_days"]["max"] == max(ages), kind
        assert k["age_days"]["mean"] == pytest.approx(np.mean(ages), abs=0.0051)
        assert k["age_days"]["p90"] == pytest.approx(np.percentile(ages, 90), abs=0.0051)
    assert not any(k["late"] or k["age_days"] for k in data["kinds"] if k["kind"] not in PRIMARY)
    assert kinds["void"]["rows"] == kinds["void"]["changes"] + sum(
        1 for _, t, o, k, _ in log if (k, t, o) == ("void", "payment", "D"))
    # the ages' histogram: every late change, ages 1..window, against shares that add up to 1
    all_ages = Counter(a for changes in late.values() for _, a in changes)
    ages = data["ages"]
    assert data["late_changes"] == ages["changes"] == sum(all_ages.values()) and ages["outside_window"] == 0
    assert ages["window"] == 180 and [r["age"] for r in ages["rows"]] == list(range(1, 181))
    assert {r["age"]: r["changes"] for r in ages["rows"] if r["changes"]} == dict(all_ages)
    assert sum(r["share"] for r in ages["rows"]) == pytest.approx(1, abs=1e-3)
    expected = [r["expected_share"] for r in ages["rows"]]
    assert sum(expected) == pytest.approx(1, abs=1e-3)
    assert all(b <= a + 1e-9 for a, b in zip(expected, expected[1:]))  # a decreasing sigmoid
    assert sum(expected[:30]) > 0.5 and sum(expected[90:]) < 0.01  # midpoint 30 days
    # per day: the last 14 days, counted by hand
    per_day = Counter((day_text(c // 86400), o) for c, _, o, _, _ in log)
    late_per_day = Counter(day_text(d) for changes in late.values() for d, _ in changes)
    days = data["days"]["rows"]
    assert data["days"]["last"] == 14 and [d["day"] for d in days] == [
        day_text(parse_ts("2002-11-24 00:00:00") // 86400 - n) for n in range(13, -1, -1)]
    for d in days:
        assert (d["inserts"], d["updates"], d["deletes"], d["late_changes"]) == (
            per_day[d["day"], "I"], per_day[d["day"], "U"], per_day[d["day"], "D"], late_per_day[d["day"]]), d
    assert sum(d["late_changes"] for d in days) > 0

    text = ok("changes", "--db", shop)
    assert f"{data['rows']:,} rows ({ops['I']:,} inserts, {ops['U']:,} updates, {ops['D']:,} deletes), " \
           f"{data['late_changes']:,} late changes" in text
    for k in data["kinds"]:
        line = rf"^\s+{k['kind']}\s+{'yes' if k['late'] else ''}\s+{k['changes']:,}\s+{k['rows']:,}"
        if k["late"]:
            a = k["age_days"]
            line += rf"\s+{a['median']:.1f}\s+{a['mean']:.1f}\s+{a['p90']:.1f}\s+{a['max']:,}"
        assert re.search(line + "$", text, re.M), k
    for t in data["tables"]:
        assert re.search(rf"^\s+{t['table']}\s+{t['inserts']:,}\s+{t['updates']:,}\s+{t['deletes']:,}\s+"
                         rf"{t['rows']:,}$", text, re.M), t
    for d in days:
        assert re.search(rf"^\s+{d['day']}\s+{d['inserts']:,}\s+{d['updates']:,}\s+{d['deletes']:,}\s+"
                         rf"{d['late_changes']:,}$", text, re.M), d
    first_week = sum(all_ages[a] for a in range(4, 8))
    assert re.search(rf"^\s+4-7\s+{first_week:,}\s+{first_week / ages['changes']:.1%}\s", text, re.M)


def test_changes_days_option(shop):
    full = as_json(shop, "changes", "--days", "0")
    days = full["days"]["rows"]
    # the starting members signed up in the weeks before the first simulated day (sim.basedata)
    first_member = connect(shop, create=False).query("SELECT MIN(create_date) FROM customer")[0][0]
    assert full["days"]["last"] is None and days[0]["day"] == str(first_member)[:10] < "2001-10-01"
    assert days[-1]["day"] == "2002-11-24" and len([d for d in days if d["day"] >= "2001-10-01"]) == 420
    assert sum(d["inserts"] for d in days) == full["by_op"]["inserts"]
    assert sum(d["late_changes"] for d in days) == full["late_changes"]
    three = as_json(shop, "changes", "--days", "3")
    assert three["days"]["rows"] == days[-3:]
    assert {k: v for k, v in three.items() if k != "days"} == {k: v for k, v in full.items() if k != "days"}
    text = ok("changes", "--days", "3", "--db", shop)
    assert "Per day (the last 3 days):" in text
    assert len(re.findall(r"^\s+\d{4}-\d\d-\d\d\s", text, re.M)) == 3


def test_every_late_kind_shows_in_the_changes(tmp_path):
    url = f"sqlite:///{tmp_path}/late.db"
    build(tiny_config(simulation={"initial_weeks": 10}, late_changes=LATE_RATES), url).close()
    data = as_json(url, "changes")
    kinds = {k["kind"]: k for k in data["kinds"]}
    for kind in PRIMARY:
        k = kinds[kind]
        assert k["late"] and k["changes"] > 0 and k["age_days"]["max"] >= k["age_days"]["median"] >= 1, kind
    assert kinds["customer_move"]["rows"] == 2 * kinds["customer_move"]["changes"]  # a new address, then the customer
    assert data["late_changes"] == sum(kinds[k]["changes"] for k in PRIMARY) == data["ages"]["changes"]
    with connect(url, create=False) as db:
        late = late_ages_by_kind(change_log(db))
    assert {k: len(v) for k, v in late.items()} == {k: kinds[k]["changes"] for k in PRIMARY}
    text = ok("changes", "--db", url)
    for kind in PRIMARY:
        assert re.search(rf"^\s+{kind}\s+yes\s+{kinds[kind]['changes']:,}\s", text, re.M), kind


def test_changes_without_late_changes_or_without_a_log(tmp_path):
    # level 3: business only, no late kinds listed and no ages; the report leaves the chart out
    url = f"sqlite:///{tmp_path}/l3.db"
    build(tiny_config(simulation={"level": 3, "initial_weeks": 4}), url).close()
    data = as_json(url, "changes")
    assert data["message"] is None and data["rows"] > 0 and data["late_changes"] == 0
    assert not data["late_changes_enabled"] and not any(k["late"] for k in data["kinds"])
    assert data["ages"]["rows"] == [] and data["ages"]["age_days"] is None
    assert "Age of late changes: none (late changes are off" in ok("changes", "--db", url)
    html_path = tmp_path / "l3.html"
    ok("report", "--db", url, "-o", str(html_path), "--quiet")
    html = html_path.read_text()
    assert len(embedded_images(html)) == 6 and "Age of late changes" not in html
    assert not (tmp_path / "late_change_ages.png").exists()
    # the change log switched off: an empty table; then no table at all
    url = f"sqlite:///{tmp_path}/nolog.db"
    db = build(tiny_config(simulation={"initial_weeks": 2}, late_changes={"change_log": False}), url)
    try:
        for message in ("sim_change_log is empty (late_changes.change_log is off)", "no sim_change_log table"):
            data = as_json(url, "changes")
            assert data["message"].startswith(message)
            assert (data["rows"], data["late_changes"], data["kinds"], data["tables"], data["days"]["rows"],
                    data["ages"]["rows"]) == (0, 0, [], [], [], [])
            assert data["by_op"] == {"inserts": 0, "updates": 0, "deletes": 0}
            assert ok("changes", "--db", url).strip() == f"Change log: {data['message']}."
            db.execute("DROP TABLE IF EXISTS sim_change_log")
    finally:
        db.close()


# ---- checksum ------------------------------------------------------------------------------------

def test_checksum_and_per_table_digests(shop, shop_db):
    out = ok("checksum", "--db", shop).splitlines()
    assert out == [checksum(shop_db)] and re.fullmatch(r"[0-9a-f]{64}", out[0])
    data = as_json(shop, "checksum", "--tables")
    assert data == {"checksum": out[0], "tables": table_digests(shop_db)}
    assert data["tables"]["rental"].startswith(f"{one(shop_db, 'SELECT COUNT(*) FROM rental')}:")
    text = ok("checksum", "--tables", "--db", shop).splitlines()
    assert text[0] == out[0] and len(text) == 1 + len(data["tables"])


def test_same_seed_gives_same_checksum_and_reports_on_sqlite_and_mysql(tmp_path, mysql_url):
    cfg = tiny_config(simulation={"initial_weeks": 20})
    urls = [f"sqlite:///{tmp_path}/same.db", mysql_url("same")]
    for url in urls:
        build(cfg, url).close()
    sums = [ok("checksum", "--db", url).strip() for url in urls]
    assert sums[0] == sums[1]
    for args in READ_ONLY:
        lite, my = (as_json(url, *args) for url in urls)
        for d in (lite, my):
            d.pop("database", None), d.pop("engine", None)
        assert lite == my, args


# ---- the main reports on each engine -------------------------------------------------------------

def test_main_reports_hold_on_each_engine(db_url):
    url = db_url("main")
    db = build(tiny_config(simulation={"initial_weeks": 20}), url)
    try:
        rentals = one(db, "SELECT COUNT(*) FROM rental")
        stats = as_json(url, "stats")
        assert stats["tables"]["rental"] == rentals and stats["tables"]["payment"] == one(
            db, "SELECT COUNT(*) FROM payment")
        for period in ("week", "month"):
            assert sum(r["rentals"] for r in as_json(url, "growth", "--period", period)["rows"]) == rentals
        fees = as_json(url, "late-fees")["totals"]
        paid = float(one(db, "SELECT COALESCE(SUM(p.amount), 0) FROM payment p JOIN rental r "
                             "ON r.rental_id = p.rental_id WHERE p.payment_date = r.return_date"))
        assert fees["late_fee_revenue"] == pytest.approx(paid, abs=0.005) and paid > 0
        assert fees["late_fees_due"] == pytest.approx(fees["late_fee_revenue"])
        people = as_json(url, "customers")
        assert sum(c["size"] for c in people["cohorts"]) == one(db, "SELECT COUNT(*) FROM customer")
        assert people["churn_events"] == one(db, "SELECT COUNT(*) FROM sim_customer_event WHERE event = 'churn'")
        stock = as_json(url, "inventory")
        assert sum(s["copies"] for s in stock["stores"]) == one(db, "SELECT COUNT(*) FROM inventory")
        before = checksum(db)
        out = ok("optimize", "--db", url)
        assert ("ANALYZE TABLE" in out and "OPTIMIZE TABLE" in out) if db.engine == "mysql" else "ANALYZE" in out
        assert "error" not in out.lower()
        assert checksum(db) == before
    finally:
        db.close()


# ---- report --------------------------------------------------------------------------------------

def embedded_images(html: str) -> list[bytes]:
    return [base64.b64decode(b, validate=True) for b in re.findall(r'<img src="data:image/png;base64,([^"]+)"', html)]


def check_png(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG)
    with Image.open(io.BytesIO(data)) as im:
        im.verify()
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        assert im.format == "PNG"
        width, height = im.size
        assert width >= 600 and height >= 300
        assert len(im.getcolors(maxcolors=1_000_000) or range(1_000_001)) > 50  # a chart, not a blank canvas
    return width, height


def test_report_is_self_contained_html_with_real_charts(shop, tmp_path):
    html_path = tmp_path / "out" / "report.html"
    out = ok("report", "--db", shop, "--output", str(html_path))
    html = html_path.read_text()
    images = embedded_images(html)
    assert len(images) == 7 == html.count("<img ")
    for data in images:
        check_png(data)
    assert len(set(images)) == 7
    names = ["weekly_rentals", "seasonality", "weekday_profile", "cohort_retention", "stock_utilisation",
             "rentals_by_copy_age", "late_change_ages"]
    files = [html_path.parent / f"{n}.png" for n in names]  # PNGs next to the HTML by default
    assert sorted(images) == sorted(f.read_bytes() for f in files)
    for f in files:
        assert str(f) in out
    # self-contained: no scripts, no links to other files, every image inline
    assert "<script" not in html.lower() and "http" not in html and 'src="data:' in html
    assert re.findall(r'(?:src|href)="([^",]*)', html) == ["data:image/png;base64"] * 7
    # the statistics table
    stats = as_json(shop, "stats")
    assert f"{stats['statistics']['rentals']:,}" in html and f"{stats['statistics']['revenue']:,.2f}" in html
    assert f"<th>rental</th><td>{stats['tables']['rental']:,}</td>" in html
    for title in ("Weekly rentals over time", "Seasonality", "Weekday profile", "Cohort retention",
                  "Stock utilisation over time", "Rentals per copy by copy age", "Age of late changes"):
        assert f"<h2>{title}</h2>" in html
    late = as_json(shop, "changes")["late_changes"]
    assert late > 0 and f"Share of the {late:,} late changes" in html


def test_report_png_dir_and_quiet(tmp_path, shop):
    html_path, png_dir = tmp_path / "r.html", tmp_path / "charts"
    assert ok("report", "--db", shop, "-o", str(html_path), "--png-dir", str(png_dir), "--quiet") == ""
    pngs = sorted(png_dir.glob("*.png"))
    assert len(pngs) == 7 and not list(tmp_path.glob("*.png"))
    for p in pngs:
        check_png(p.read_bytes())
    assert len(embedded_images(html_path.read_text())) == 7


# ---- backup --------------------------------------------------------------------------------------

def test_sqlite_backup_is_an_identical_database(shop, shop_db, tmp_path):
    target = tmp_path / "b" / "copy.db"
    out = ok("backup", "--db", shop, "--output", str(target))
    assert str(target) in out and target.stat().st_size > 0
    with connect(f"sqlite:///{target}", create=False) as copy:
        assert checksum(copy) == checksum(shop_db)
        assert copy.require_sim_state()["last_day"] == shop_db.require_sim_state()["last_day"]
    assert not list(target.parent.glob(".*tmp"))
    assert backup_module.default_path(shop_db) == PROJECT_ROOT / "backups" / "shop-2002-11-24.db"


def _mysql_root():
    import mysql.connector
    from dvdrental.storage.url import parse_url
    u = parse_url(MYSQL_SERVER + "/probe")
    return mysql.connector.connect(host=u.host, port=u.port, user=u.user, password=u.password, autocommit=True), u


def test_mysql_backup_restores_with_the_password_never_on_a_command_line(mysql_url, tmp_path, monkeypatch):
    source = mysql_url("dump")
    db = build(tiny_config(simulation={"initial_weeks": 8}), source)
    expected = checksum(db)
    db.close()
    # a user with a password full of characters that option files and shells care about
    user, password = f"dvdtest_{uuid.uuid4().hex[:8]}", 'p"w\\d #1;x \'y'
    conn, root = _mysql_root()
    cur = conn.cursor()
    cur.execute("CREATE USER %s@'%%' IDENTIFIED BY %s", (user, password))
    try:
        name = source.rsplit("/", 1)[1]
        cur.execute(f"GRANT ALL PRIVILEGES ON `{name}`.* TO %s@'%%'", (user,))
        try:  # MariaDB: reading routines defined by another user needs mysql.proc
            cur.execute("GRANT SELECT ON mysql.proc TO %s@'%%'", (user,))
        except Exception:  # noqa: BLE001 - MySQL 8 has no mysql.proc; SHOW_ROUTINE is granted below
            cur.execute("GRANT SHOW_ROUTINE ON *.* TO %s@'%%'", (user,))
        url = f"mysql://{user}:{quote(password, safe='')}@{root.host}:{root.port}/{name}"

        # no mysqldump on the PATH: one clear line, exit 2, nothing written
        monkeypatch.setenv("PATH", str(tmp_path / "empty"))
        missing = run("backup", "--db", url, "-o", str(tmp_path / "none.sql"))
        assert missing.exit_code == 2 and "mysqldump not found" in missing.output
        assert password not in missing.output and not (tmp_path / "none.sql").exists()
        monkeypatch.undo()

        seen = []
        real_run = subprocess.run

        def spy(cmd, *args, **kwargs):
            options = Path(cmd[1].split("=", 1)[1])
            seen.append((cmd, stat.S_IMODE(options.stat().st_mode), options.read_text(), options))
            return real_run(cmd, *args, **kwargs)

        monkeypatch.setattr(mysql_storage.subprocess, "run", spy)
        target = tmp_path / "dump.sql"
        ok("backup", "--db", url, "--output", str(target))
        monkeypatch.undo()
        (cmd, mode, options_text, options_path), = seen
        assert Path(cmd[0]).name in mysql_storage.DUMP_TOOLS and cmd[1].startswith("--defaults-extra-file=")
        assert not any(password in part or "password" in part.lower() for part in cmd)
        assert mode == 0o600 and "password=" in options_text and not options_path.exists()
        for flag in ("--single-transaction", "--routines", "--triggers"):
            assert flag in cmd
        dump = target.read_text()
        assert "CREATE TABLE `rental`" in dump and "PROCEDURE `rewards_report`" in dump and password not in dump

        client = mysql_storage.find_tool(mysql_storage.CLIENT_TOOLS)
        if client is None:
            if IN_CI:
                pytest.fail("the mariadb/mysql client is required under CI")
            pytest.skip("no mariadb/mysql client to restore the dump with")
        restored = mysql_url("restored")
        target_db = connect(restored)  # creates the empty database
        try:
            from dvdrental.storage.url import parse_url
            with mysql_storage.defaults_file(parse_url(restored)) as options, target.open("rb") as dump_file:
                done = subprocess.run(mysql_storage.client_command(client, options, parse_url(restored).database),
                                      stdin=dump_file, capture_output=True, timeout=120)
            assert done.returncode == 0, done.stderr
            assert checksum(target_db) == expected
            assert one(target_db, "SELECT COUNT(*) FROM information_schema.routines "
                                  "WHERE routine_schema = DATABASE()") == 6
        finally:
            target_db.close()
    finally:
        cur.execute("DROP USER %s@'%%'", (user,))
        conn.close()


# ---- reset ---------------------------------------------------------------------------------------

def test_reset_needs_yes_and_then_empties_the_database(db_url):
    url = db_url("reset")
    db = build(tiny_config(simulation={"initial_weeks": 1}), url)
    try:
        before = checksum(db)
        refused = run("reset", "--db", url)
        assert refused.exit_code == 2 and "--yes" in refused.output and "Traceback" not in refused.output
        assert checksum(db) == before
        out = ok("reset", "--yes", "--db", url)
        assert "dropped 22 tables" in out
        assert db.table_names() == set()
        if db.engine == "mysql":
            assert one(db, "SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = DATABASE()") == 0
            assert one(db, "SELECT COUNT(*) FROM information_schema.views WHERE table_schema = DATABASE()") == 0
        else:
            assert one(db, "SELECT COUNT(*) FROM sqlite_master") == 0
        again = run("stats", "--db", url)
        assert again.exit_code == 2 and "run generator.py first" in again.output
        assert "no dvdrental-live tables" in ok("reset", "--yes", "--db", url)
    finally:
        db.close()


# ---- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("args, words", [
    (["growth", "--period", "year"], "'year' is not one of"),
    (["growth", "--last", "0"], "--last"),
    (["stats", "--bogus"], "No such option"),
    (["changes", "--days", "-1"], "--days"),
])
def test_bad_arguments_exit_2(shop, args, words):
    result = run(*args, "--db", shop)
    assert result.exit_code == 2 and words in result.output


@pytest.mark.parametrize("sub", ["stats", "growth", "inventory", "late-fees", "customers", "changes", "report",
                                 "checksum", "optimize", "backup"])
def test_uninitialised_database_says_run_generator_first(tmp_path, sub):
    empty = tmp_path / "empty.db"
    connect(f"sqlite:///{empty}").close()  # an SQLite file without tables
    for url in (f"sqlite:///{empty}", f"sqlite:///{tmp_path}/missing.db"):
        result = run(sub, "--db", url, "-o", str(tmp_path / "x")) if sub in ("report", "backup") else \
            run(sub, "--db", url)
        assert result.exit_code == 2, result.output
        assert "run generator.py first" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "missing.db").exists() and not (tmp_path / "x").exists()


def test_missing_mysql_database_and_unreachable_server_exit_2(mysql_url):
    gone = run("stats", "--db", mysql_url("nothere"))
    assert gone.exit_code == 2 and "run generator.py first" in gone.output
    down = run("checksum", "--db", "mysql://root@127.0.0.1:1/dvdrental")
    assert down.exit_code == 2 and "cannot reach the MySQL server" in down.output
    assert "Traceback" not in down.output

