"""The invariants of SPEC section 6, one named SQL check each, portable across engines.

Each check returns the offending keys (as text such as '17' or 'payment 42'); none means it holds.
Checks look at simulated rows only: rows dated before `since` are imported history (a Sakila
database adopted by incremental_update.py) and are reported by the import, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..storage import Database
from ..storage.tables import FOREIGN_KEYS, IMPORTED, TABLES


@dataclass(frozen=True)
class Context:
    last_day_end: str  # 'YYYY-MM-DD 23:59:59' of the last simulated day
    since: str = "1000-01-01 00:00:00"
    late_fee_cents: int = 100
    change_log: bool = False  # sim_change_log is kept (and must agree with the tables)
    imported: tuple[tuple[str, int], ...] = ()  # an adopted database's highest imported id per table
    lost_grace_days: int = 30  # days after the due day when a copy still out is written off


@dataclass(frozen=True)
class Check:
    name: str
    description: str
    run: Callable[[Database, Context], list[str]]


def _ids(db: Database, sql: str, params: tuple = ()) -> list[str]:
    return [" ".join(str(v) for v in row) for row in db.query(sql, params)]


def unique_ids(db: Database, ctx: Context) -> list[str]:
    out = []
    present = db.table_names()
    for table in TABLES.values():
        if table.name.startswith("sim_") or table.name not in present:
            continue
        key = ", ".join(table.key)
        out += [f"{table.name} {v}" for v in _ids(
            db, f"SELECT {key} FROM {table.name} GROUP BY {key} HAVING COUNT(*) > 1")]
    return out


def foreign_keys(db: Database, ctx: Context) -> list[str]:
    out = []
    for child, col, parent, pcol in FOREIGN_KEYS:
        ckey = TABLES[child].key[0]
        rows = _ids(db, f"SELECT c.{ckey}, c.{col} FROM {child} c LEFT JOIN {parent} p ON p.{pcol} = c.{col} "
                        f"WHERE c.{col} IS NOT NULL AND p.{pcol} IS NULL")
        out += [f"{child}.{col} ({r})" for r in rows]
    return out


def double_booking(db: Database, ctx: Context) -> list[str]:
    return _ids(db, """
        SELECT rental_id FROM (
          SELECT rental_id, rental_date,
                 LAG(rental_id) OVER (PARTITION BY inventory_id ORDER BY rental_date, rental_id) AS prev_id,
                 LAG(return_date) OVER (PARTITION BY inventory_id ORDER BY rental_date, rental_id) AS prev_ret
          FROM rental) x
        WHERE prev_id IS NOT NULL AND (prev_ret IS NULL OR prev_ret > rental_date) AND rental_date >= ?""",
                (ctx.since,))


def return_after_rental(db: Database, ctx: Context) -> list[str]:
    return _ids(db, "SELECT rental_id FROM rental WHERE return_date IS NOT NULL AND return_date <= rental_date "
                    "AND rental_date >= ?", (ctx.since,))


def one_store(db: Database, ctx: Context) -> list[str]:
    return _ids(db, f"""
        SELECT {db.join_in_order} r.rental_id FROM rental r
        JOIN customer c ON c.customer_id = r.customer_id
        JOIN inventory i ON i.inventory_id = r.inventory_id
        JOIN staff s ON s.staff_id = r.staff_id
        WHERE (c.store_id <> i.store_id OR s.store_id <> i.store_id) AND r.rental_date >= ?""", (ctx.since,))


def rental_payment(db: Database, ctx: Context) -> list[str]:
    return _ids(db, """
        SELECT r.rental_id FROM rental r
        LEFT JOIN (SELECT rental_id, payment_date, COUNT(*) AS n FROM payment GROUP BY rental_id, payment_date) p
          ON p.rental_id = r.rental_id AND p.payment_date = r.rental_date
        WHERE (p.n IS NULL OR p.n <> 1) AND r.rental_date >= ?""", (ctx.since,))


def price_at(column: str, film: str, when: str) -> str:
    """SQL for a film's rental_rate or replacement_cost in force at time `when` (sim_film_price keeps
    the prices that applied before each change; the film row holds the current one)."""
    return (f"COALESCE((SELECT h.{column} FROM sim_film_price h WHERE h.film_id = {film}.film_id "
            f"AND h.valid_until > {when} ORDER BY h.valid_until LIMIT 1), {film}.{column})")


def capped_late_fee_cents(days_late: str, fee_cents: str, cost: str) -> str:
    """SQL for a late fee in cents: `fee_cents` per day late, never more than the replacement cost
    `cost` (in money) in force at the return (CASE, not LEAST/MIN: one form for both engines)."""
    return (f"(CASE WHEN ({days_late}) * {fee_cents} < ROUND({cost} * 100) THEN ({days_late}) * {fee_cents} "
            f"ELSE ROUND({cost} * 100) END)")


def payment_rules(db: Database, ctx: Context) -> list[str]:
    days = db.days_between("r.return_date", "r.rental_date")
    fee = capped_late_fee_cents(f"{days} - {db.signed('f.rental_duration')}", str(int(ctx.late_fee_cents)),
                                price_at("replacement_cost", "f", "r.return_date"))
    return _ids(db, f"""
        SELECT {db.join_in_order} p.payment_id FROM payment p
        LEFT JOIN rental r ON r.rental_id = p.rental_id
        LEFT JOIN inventory i ON i.inventory_id = r.inventory_id
        LEFT JOIN film f ON f.film_id = i.film_id
        LEFT JOIN payment fee ON p.amount < 0 AND fee.rental_id = p.rental_id AND fee.payment_date = r.rental_date
          AND fee.amount > 0
        LEFT JOIN (SELECT rental_id, COUNT(*) AS n FROM payment WHERE amount < 0 GROUP BY rental_id) rf
          ON p.amount < 0 AND rf.rental_id = p.rental_id
        WHERE p.payment_date >= ? AND (p.rental_id IS NULL OR (r.rental_id IS NOT NULL AND (
          p.customer_id <> r.customer_id OR p.staff_id <> r.staff_id OR NOT (
            (p.payment_date = r.rental_date AND p.amount > 0
             AND ROUND(p.amount * 100) = ROUND({price_at("rental_rate", "f", "r.rental_date")} * 100))
            OR (p.payment_date = r.return_date AND {days} > f.rental_duration
                AND ROUND(p.amount * 100) = {fee})
            OR (r.return_date IS NULL AND p.payment_date = i.retired_at AND p.amount > 0
                AND ROUND(p.amount * 100) = ROUND({price_at("replacement_cost", "f", "i.retired_at")} * 100))
            OR (p.amount < 0 AND p.payment_date >= r.rental_date AND rf.n = 1
                AND ROUND(p.amount * 100) = -ROUND(fee.amount * 100))))))""",
                (ctx.since,))


def late_fee_charged(db: Database, ctx: Context) -> list[str]:
    if ctx.late_fee_cents <= 0:
        return []
    days = db.days_between("r.return_date", "r.rental_date")
    return _ids(db, f"""
        SELECT {db.join_in_order} r.rental_id FROM rental r
        JOIN inventory i ON i.inventory_id = r.inventory_id
        JOIN film f ON f.film_id = i.film_id
        LEFT JOIN payment p ON p.rental_id = r.rental_id AND p.payment_date = r.return_date
        WHERE r.return_date IS NOT NULL AND {days} > f.rental_duration AND p.payment_id IS NULL
          AND {price_at("replacement_cost", "f", "r.return_date")} > 0 AND r.rental_date >= ?""", (ctx.since,))


def returned_before_write_off(db: Database, ctx: Context) -> list[str]:
    """A copy is written off as lost lost_grace_days after its due day: no rental comes back then or later
    (one policy for late and lost copies: what was written off never returns)."""
    days = db.days_between("r.return_date", "r.rental_date")
    return _ids(db, f"""
        SELECT {db.join_in_order} r.rental_id FROM rental r
        JOIN inventory i ON i.inventory_id = r.inventory_id
        JOIN film f ON f.film_id = i.film_id
        WHERE r.return_date IS NOT NULL AND {days} >= f.rental_duration + ? AND r.rental_date >= ?""",
                (ctx.lost_grace_days, ctx.since))


def lost_copy_charged(db: Database, ctx: Context) -> list[str]:
    return _ids(db, f"""
        SELECT {db.join_in_order} r.rental_id FROM rental r
        JOIN inventory i ON i.inventory_id = r.inventory_id
        LEFT JOIN payment p ON p.rental_id = r.rental_id AND p.payment_date = i.retired_at
        WHERE r.return_date IS NULL AND i.retired_at IS NOT NULL AND r.rental_date < i.retired_at
          AND p.payment_id IS NULL AND r.rental_date >= ?""", (ctx.since,))


def customer_existed(db: Database, ctx: Context) -> list[str]:
    rentals = _ids(db, f"SELECT {db.join_in_order} r.rental_id FROM rental r "
                       "JOIN customer c ON c.customer_id = r.customer_id "
                       "WHERE r.rental_date < c.create_date AND r.rental_date >= ?", (ctx.since,))
    payments = _ids(db, f"SELECT {db.join_in_order} p.payment_id FROM payment p "
                        "JOIN customer c ON c.customer_id = p.customer_id "
                        "WHERE p.payment_date < c.create_date AND p.payment_date >= ?", (ctx.since,))
    return [f"rental {r}" for r in rentals] + [f"payment {p}" for p in payments]


def rental_after_copy_created(db: Database, ctx: Context) -> list[str]:
    return _ids(db, f"SELECT {db.join_in_order} r.rental_id FROM rental r "
                    "JOIN inventory i ON i.inventory_id = r.inventory_id "
                    "WHERE r.rental_date < i.created_at AND r.rental_date >= ?", (ctx.since,))


def lost_copy_rented(db: Database, ctx: Context) -> list[str]:
    return _ids(db, "SELECT r.rental_id FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id "
                    "WHERE i.retired_at IS NOT NULL AND r.rental_date >= i.retired_at")


_DATED = {
    "rental": ("rental_date", "return_date", "last_update"),
    "payment": ("payment_date", "last_update"),
    "customer": ("create_date", "last_update"),
    "inventory": ("created_at", "retired_at", "last_update"),
    "film": ("last_update",), "address": ("last_update",), "staff": ("last_update",),
    "store": ("last_update",), "actor": ("last_update",), "film_actor": ("last_update",),
    "film_category": ("last_update",), "city": ("last_update",), "country": ("last_update",),
    "sim_customer_event": ("event_date",),
}


def not_after_last_day(db: Database, ctx: Context) -> list[str]:
    """No row carries a time after the last simulated day; imported rows keep their own stamps
    (Sakila's load stamps and 2014 address edits lie after its last business day)."""
    out = []
    imported = dict(ctx.imported)
    for table, cols in _DATED.items():
        key = ", ".join(TABLES[table].key)
        cond = "(" + " OR ".join(f"{c} > ?" for c in cols) + ")"
        if table in imported:
            cond += f" AND {key} > {int(imported[table])}"
        out += [f"{table} {v}" for v in _ids(db, f"SELECT {key} FROM {table} WHERE {cond}",
                                             (ctx.last_day_end,) * len(cols))]
    return out


def last_update_after_creation(db: Database, ctx: Context) -> list[str]:
    pairs = {
        "rental": ("rental_date", "return_date"),
        "payment": ("payment_date",),
        "customer": ("create_date",),
        "inventory": ("created_at", "retired_at"),
    }
    out = []
    for table, cols in pairs.items():
        key = TABLES[table].key[0]
        cond = " OR ".join(f"last_update < {c}" for c in cols)
        out += [f"{table} {v}" for v in _ids(
            db, f"SELECT {key} FROM {table} WHERE ({cond}) AND {cols[0]} >= ?", (ctx.since,))]
    return out


def change_log(db: Database, ctx: Context) -> list[str]:
    """sim_change_log agrees with the tables: a row's last logged change is an insert or update at its
    last_update; a key whose last logged change is a delete is gone; no row changed since the log began
    is missing from it.

    One pass over the log in change_id order keeps the last change of every key (a GROUP BY over the
    log makes MariaDB sort it on disk: 15 s on ten years, against 3 s for this)."""
    if not ctx.change_log:
        return []
    last: dict[str, dict] = {}  # table -> key -> time of its last insert/update, None when deleted
    first = None
    # raw values (times compared as the engine sends them: both sides come the same way), 3x faster on MySQL
    for table, k1, k2, op, at in db.stream(
            "SELECT table_name, pk1, pk2, op, changed_at FROM sim_change_log ORDER BY change_id", raw=True):
        if first is None:
            first = at
        name = table.decode() if isinstance(table, bytes) else table
        key = int(k1) if k2 is None else (int(k1), int(k2))
        last.setdefault(name, {})[key] = None if op in ("D", b"D") else at
    if first is None:
        return []
    out = []
    imported = dict(ctx.imported)  # an adopted database's own rows keep their (later) stamps unlogged
    for table in TABLES.values():
        if table.name.startswith("sim_") or "last_update" not in table.column_names:
            continue
        logged = last.pop(table.name, {})
        cols = ", ".join(table.key)
        held = imported.get(table.name, 0)
        for *key, updated in db.stream(f"SELECT {cols}, last_update FROM {table.name}", raw=True):
            key = [int(k) for k in key]
            k = key[0] if len(key) == 1 else (key[0], key[1])
            at = logged.pop(k, False)
            if (at is False and updated >= first and k > held) or at is None or \
                    (at is not False and at != updated):
                out.append(f"{table.name} {' '.join(map(str, key))}")
        out += [f"{table.name} {' '.join(map(str, k if isinstance(k, tuple) else (k,)))} (logged, missing)"
                for k, at in logged.items() if at is not None]
    return out


CHECKS: tuple[Check, ...] = (
    Check("unique_ids", "ids are unique", unique_ids),
    Check("foreign_keys", "every foreign key points at an existing row", foreign_keys),
    Check("double_booking", "no copy is rented twice at once", double_booking),
    Check("return_after_rental", "return_date is after rental_date", return_after_rental),
    Check("one_store", "customer, copy and staff of a rental belong to one store", one_store),
    Check("rental_payment", "every rental has exactly one rental payment at its rental time", rental_payment),
    Check("payment_rules", "every payment belongs to a rental and is its rental fee (at the price then), a late "
                           "fee (capped at the replacement cost then), a replacement charge or one refund of the "
                           "fee, by the rental's customer and staff",
          payment_rules),
    Check("late_fee_charged", "every late return has its late fee", late_fee_charged),
    Check("lost_copy_charged", "every lost copy has its replacement charge", lost_copy_charged),
    Check("returned_before_write_off", "no rental comes back on or after its write-off day (due + "
                                       "lost_grace_days)", returned_before_write_off),
    Check("customer_existed", "no rental or payment before the customer's create_date", customer_existed),
    Check("rental_after_copy_created", "no rental before the copy's created_at", rental_after_copy_created),
    Check("lost_copy_rented", "a retired copy is never rented again", lost_copy_rented),
    Check("not_after_last_day", "nothing is dated after the last simulated day", not_after_last_day),
    Check("last_update_after_creation", "last_update is not before the row's own dates",
          last_update_after_creation),
    Check("change_log", "sim_change_log agrees with the tables (last change = last_update, deletes are gone)",
          change_log),
)


def context_for(db: Database, sim_state: dict) -> Context:
    """Check context from sim_state: rows before the first simulated day of an adopted database are
    imported history and are not held to the simulation's invariants."""
    from ..config import stored
    from ..sim.calendar import day_text
    cfg = stored(sim_state)
    fee = cfg.returns.late_fee_per_day
    imported = sim_state.get("origin", "generator") != "generator"
    since = f"{day_text(sim_state['start_date'])} 00:00:00" if imported else "1000-01-01 00:00:00"
    return Context(horizon(sim_state, cfg.demand.open_hour), since, int(round(fee * 100)),
                   cfg.late_changes.change_log and "sim_change_log" in db.table_names(),
                   tuple(imported_ids(db, sim_state).items()), cfg.returns.lost_grace_days)


def imported_ids(db: Database, sim_state: dict) -> dict[str, int]:
    """An adopted database's highest imported id per table (sim_imported); nothing for a generated one."""
    if sim_state.get("origin", "generator") == "generator" or IMPORTED.name not in db.table_names():
        return {}
    return {str(t): int(m) for t, m in db.query(f"SELECT table_name, max_id FROM {IMPORTED.name}")}


def horizon(sim_state: dict, open_hour: float) -> str:
    """The latest time a row may carry: the end of the last simulated day. The base data of a
    generated database is stamped on its start date before the shop first opens, so a database that
    has simulated no day yet (generator.py --weeks 0, or stopped right after the base data) reaches
    to that first opening, not to the day before."""
    from ..sim.calendar import day_text
    end = f"{day_text(sim_state['last_day'])} 23:59:59"
    if sim_state.get("origin", "generator") != "generator" or sim_state["last_day"] >= sim_state["start_date"]:
        return end
    secs = int(round(open_hour * 3600))
    return f"{day_text(sim_state['start_date'])} {secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"


def run_all(db: Database, ctx: Context) -> dict[str, list[str]]:
    return {check.name: check.run(db, ctx) for check in CHECKS}
