"""What sim_change_log holds: changes by operation, kind, table and day, and the ages of late changes.

sim_change_log has one row per insert, update and delete of a Sakila row. A change of one kind may
touch several rows (a voided rental deletes its payments too), so each kind is counted twice: the
rows it touched, and its changes, which count one row per change: the late kinds' primary row
(`PRIMARY` in sim/late.py), a new customer for a sign-up, a new film for a release, and every row
for the other business kinds. The age of a late change is the whole calendar days from the record's
creation (record_at) to the change, compared with the configured decreasing sigmoid. Portable SQL
only (SUBSTR on the timestamp text, the engine's own day difference), so both engines agree.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from ..config import LateChangesConfig, effective, stored
from ..sim.calendar import DAY, day_text, parse_day, parse_ts, ts_text
from ..sim.history import window_days
from ..sim.late import PRIMARY, sigmoid
from ..checks.late import expected_counts, primary_rows
from ..storage import Database

#: Late changes (corrections to past records), in the order the simulation makes them.
LATE_KINDS = tuple(PRIMARY)
#: Ordinary business, in a reading order; kinds not listed here (none today) follow them.
BUSINESS_KINDS = ("base", "signup", "rental", "payment", "return", "churn", "reactivate", "release", "stock",
                  "retire")
#: Business kinds whose one event touches several rows: the row that counts the event.
BUSINESS_PRIMARY = {"signup": ("customer", "I"), "release": ("film", "I")}
OPS = {"I": "inserts", "U": "updates", "D": "deletes"}
DEFAULT_DAYS = 14


def _is_primary(kind: str, table: str, op: str) -> bool:
    key = PRIMARY.get(kind) or BUSINESS_PRIMARY.get(kind)
    return key is None or key == (table, op)


def _age_stats(ages: list[int]) -> dict | None:
    if not ages:
        return None
    a = np.asarray(ages, dtype=float)
    return {"median": float(np.median(a)), "mean": round(float(a.mean()), 2),
            "p90": round(float(np.percentile(a, 90)), 2), "max": int(a.max())}


def expected_shares(changed_days: np.ndarray, start_day: int, window: int, midpoint: float,
                    steepness: float) -> np.ndarray:
    """The configured sigmoid's share of changes at each age 1..window, averaged over the changes made
    (see checks.late.expected_counts: a young database is not compared with ages it cannot have)."""
    if len(changed_days) == 0:
        w = sigmoid(np.arange(1, window + 1), midpoint, steepness)
        return w / w.sum()
    return expected_counts(np.asarray(changed_days) - start_day, window, midpoint, steepness) / len(changed_days)


def _late(db: Database) -> list[tuple[str, int, int]]:
    """(kind, day changed, age in days) of every late change, from its primary row."""
    return [(str(kind), _day(day), int(age)) for kind, day, age in db.query(
        f"SELECT kind, {db.substr('changed_at', 1, 10)}, {db.days_between('changed_at', 'record_at')} "
        f"FROM sim_change_log WHERE {primary_rows(LATE_KINDS)}")]


def _histogram(late: list[tuple[str, int, int]], start: int, cfg: LateChangesConfig) -> dict:
    """Changes and their share at each age 1..window, with the configured sigmoid's expected share."""
    window = window_days(cfg.midpoint_days, cfg.steepness)
    ages = np.array([a for _, _, a in late], dtype=np.int64)
    inside = ages[(ages >= 1) & (ages <= window)]
    counts = np.bincount(inside - 1, minlength=window)[:window] if len(inside) else np.zeros(window, np.int64)
    expected = expected_shares(np.array([d for _, d, _ in late], dtype=np.int64), start, window,
                               cfg.midpoint_days, cfg.steepness)
    total = len(ages)
    return {"window": window, "midpoint_days": cfg.midpoint_days, "steepness": cfg.steepness, "changes": total,
            "outside_window": int(total - len(inside)), "age_days": _age_stats(ages.tolist()),
            "rows": [{"age": a + 1, "changes": int(counts[a]),
                      "share": round(float(counts[a]) / total, 5) if total else 0.0,
                      "expected_share": round(float(expected[a]), 5)} for a in range(window)] if total else []}


def _config(db: Database) -> tuple[dict, LateChangesConfig]:
    st = db.require_sim_state()
    return st, effective(stored(st)).late_changes


def late_ages(db: Database) -> dict:
    """The late changes' age histogram alone (for the report); no rows when there are none."""
    st, cfg = _config(db)
    late = _late(db) if "sim_change_log" in db.table_names() else []
    return _histogram(late, st["start_date"], cfg)


def summary(db: Database, days: int | None = DEFAULT_DAYS) -> dict:
    """sim_change_log summarised; the per-day table covers the last `days` days (None: every day)."""
    st, cfg = _config(db)
    start, last = st["start_date"], st["last_day"]
    out: dict = {
        "first_day": day_text(start), "last_day": day_text(last), "message": None,
        "late_changes_enabled": cfg.enabled, "change_log_enabled": cfg.change_log,
        "rows": 0, "changes": 0, "late_changes": 0, "first_change": None, "last_change": None,
        "by_op": {name: 0 for name in OPS.values()}, "kinds": [], "tables": [],
        "days": {"last": days, "rows": []}, "ages": _histogram([], start, cfg),
    }
    if "sim_change_log" not in db.table_names():
        out["message"] = ("no sim_change_log table (the database was made before the change log existed; its "
                          "next run adds the table)")
        return out
    lo, hi = db.query("SELECT MIN(changed_at), MAX(changed_at) FROM sim_change_log")[0]
    if lo is None:
        out["message"] = "sim_change_log is empty" + ("" if cfg.change_log else " (late_changes.change_log is off)")
        return out
    lo, hi = parse_ts(lo), parse_ts(hi)

    # kind x table x op: rows, changes, totals
    rows_of, changes_of, by_op = Counter(), Counter(), Counter()
    by_table: dict[str, Counter] = defaultdict(Counter)
    for kind, table, op, n in db.query("SELECT kind, table_name, op, COUNT(*) FROM sim_change_log "
                                       "GROUP BY kind, table_name, op"):
        kind, table, op, n = str(kind), str(table), str(op), int(n)
        rows_of[kind] += n
        changes_of[kind] += n if _is_primary(kind, table, op) else 0
        by_table[table][op] += n
        by_op[op] += n

    # the late changes, one per change: ages per kind, per day
    late = _late(db)
    ages_of: dict[str, list[int]] = defaultdict(list)
    for kind, _, age in late:
        ages_of[kind].append(age)
    late_per_day = Counter(day for _, day, _ in late)
    # every late kind is listed when late changes are on, also the ones that did not happen (yet)
    listed = [k for k in BUSINESS_KINDS if k in rows_of] + [
        k for k in LATE_KINDS if cfg.enabled or k in rows_of] + sorted(
        k for k in rows_of if k not in BUSINESS_KINDS + LATE_KINDS)
    kinds = [{"kind": k, "late": k in PRIMARY, "changes": changes_of[k], "rows": rows_of[k],
              "age_days": _age_stats(ages_of[k]) if k in PRIMARY else None} for k in listed]

    # per day: the last `days` days up to the later of the simulated end and the last change
    end = max(last, hi // DAY)
    begin = lo // DAY if days is None else max(lo // DAY, end - days + 1)
    per_day: dict[int, Counter] = defaultdict(Counter)
    for day, op, n in db.query(f"SELECT {db.substr('changed_at', 1, 10)}, op, COUNT(*) FROM sim_change_log "
                               f"WHERE changed_at >= ? GROUP BY {db.substr('changed_at', 1, 10)}, op",
                               (f"{day_text(begin)} 00:00:00",)):
        per_day[_day(day)][str(op)] += int(n)

    out.update(
        rows=sum(rows_of.values()), changes=sum(changes_of.values()), late_changes=len(late),
        first_change=ts_text(lo), last_change=ts_text(hi),
        by_op={name: by_op[op] for op, name in OPS.items()},
        kinds=kinds,
        tables=[{"table": t, **{name: by_table[t][op] for op, name in OPS.items()},
                 "rows": sum(by_table[t].values())} for t in sorted(by_table)],
        days={"last": days, "rows": [{"day": day_text(d), **{name: per_day[d][op] for op, name in OPS.items()},
                                      "late_changes": late_per_day[d]} for d in range(begin, end + 1)]},
        ages=_histogram(late, start, cfg),
    )
    return out


def _day(value: object) -> int:
    """A day from SUBSTR(timestamp, 1, 10) (text on both engines; bytes from some MySQL drivers)."""
    return parse_day((value.decode() if isinstance(value, (bytes, bytearray)) else str(value))[:10])
