"""An independent check of every invariant (SPEC section 6, with late changes): plain Python over the
raw rows, sharing no SQL and no logic with dvdrental.checks, so a bug in one is caught by the other."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from dvdrental.sim.calendar import DAY, parse_ts


def _cents(v) -> int:
    return int((Decimal(str(v)) * 100).to_integral_value())


def problems(db, fee_cents: int = 100, grace: int | None = 30) -> list[str]:
    q = db.query
    last_end = (db.require_sim_state()["last_day"] + 1) * DAY
    out: list[str] = []
    rentals = {r[0]: (parse_ts(r[1]), r[2], r[3], parse_ts(r[4]), r[5], parse_ts(r[6])) for r in q(
        "SELECT rental_id, rental_date, inventory_id, customer_id, return_date, staff_id, last_update FROM rental")}
    payments = {p[0]: (p[1], p[2], p[3], _cents(p[4]), parse_ts(p[5]), parse_ts(p[6])) for p in q(
        "SELECT payment_id, customer_id, staff_id, rental_id, amount, payment_date, last_update FROM payment")}
    copies = {i[0]: (i[1], i[2], parse_ts(i[3]), parse_ts(i[4]), parse_ts(i[5])) for i in q(
        "SELECT inventory_id, film_id, store_id, created_at, retired_at, last_update FROM inventory")}
    customers = {c[0]: (c[1], parse_ts(c[2]), parse_ts(c[3])) for c in q(
        "SELECT customer_id, store_id, create_date, last_update FROM customer")}
    staff = dict(q("SELECT staff_id, store_id FROM staff"))
    films = {f[0]: (f[1], _cents(f[2]), _cents(f[3])) for f in q(
        "SELECT film_id, rental_duration, rental_rate, replacement_cost FROM film")}
    history = defaultdict(list)
    for f, until, rate, cost in q("SELECT film_id, valid_until, rental_rate, replacement_cost FROM sim_film_price"):
        history[f].append((parse_ts(until), _cents(rate), _cents(cost)))
    for f in history:
        history[f].sort()

    def price(film, at):
        for until, rate, cost in history.get(film, []):
            if until > at:
                return rate, cost
        return films[film][1], films[film][2]

    # unique ids and foreign keys
    for table, key, n in (("rental", "rental_id", len(rentals)), ("payment", "payment_id", len(payments)),
                          ("inventory", "inventory_id", len(copies)), ("customer", "customer_id", len(customers))):
        if q(f"SELECT COUNT(*) FROM {table}")[0][0] != n:
            out.append(f"duplicate {key}")
    for rid, (rented, inv, cust, ret, st, lu) in rentals.items():
        if inv not in copies or cust not in customers or st not in staff:
            out.append(f"rental {rid}: dangling reference")
            continue
        film, store = copies[inv][0], copies[inv][1]
        if not (customers[cust][0] == store == staff[st]):
            out.append(f"rental {rid}: customer, copy and staff of different stores")
        if ret is not None and ret <= rented:
            out.append(f"rental {rid}: returned before rented")
        if ret is not None and grace is not None and ret // DAY - rented // DAY - films[film][0] >= grace:
            out.append(f"rental {rid}: returned after its copy's write-off point")
        if rented < customers[cust][1] or rented < copies[inv][2]:
            out.append(f"rental {rid}: before its customer or copy existed")
        if max(rented, ret or 0, lu) >= last_end:
            out.append(f"rental {rid}: after the last day")
        if lu < max(rented, ret or 0):
            out.append(f"rental {rid}: last_update before its own dates")
        if copies[inv][3] is not None and rented >= copies[inv][3]:
            out.append(f"rental {rid}: copy rented after it was retired")
    by_copy = defaultdict(list)
    for rid, r in rentals.items():
        by_copy[r[1]].append((r[0], rid, r[3]))
    for inv, rs in by_copy.items():
        rs.sort()
        for (_, a, ret), (start, b, _) in zip(rs, rs[1:]):
            if ret is None or ret > start:
                out.append(f"copy {inv}: rentals {a} and {b} overlap")

    per_rental = defaultdict(list)
    for pid, (cust, st, rid, cents, paid, lu) in payments.items():
        if rid not in rentals or cust not in customers or st not in staff:
            out.append(f"payment {pid}: dangling reference")
            continue
        per_rental[rid].append((pid, cents, paid))
        rented, inv, rcust, ret, rstaff, _ = rentals[rid]
        if (cust, st) != (rcust, rstaff):
            out.append(f"payment {pid}: not the rental's customer and clerk")
        if paid < customers[cust][1] or max(paid, lu) >= last_end or lu < paid:
            out.append(f"payment {pid}: dated wrong")
    for rid, (rented, inv, cust, ret, st, _) in rentals.items():
        film = copies[inv][0]
        duration = films[film][0]
        pays = per_rental.get(rid, [])
        fees = [p for p in pays if p[2] == rented and p[1] > 0]
        if len(fees) != 1 or fees[0][1] != price(film, rented)[0]:
            out.append(f"rental {rid}: rental fee missing or wrong")
            continue
        late = (ret // DAY - rented // DAY - duration) if ret is not None else 0
        expected = {fees[0][0]}
        if late > 0 and fee_cents:
            # never more than the replacement cost in force at the return
            lf = [p for p in pays if p[2] == ret and p[1] == min(late * fee_cents, price(film, ret)[1])]
            if len(lf) != 1:
                out.append(f"rental {rid}: late fee missing or wrong")
            expected |= {p[0] for p in lf}
        retired = copies[inv][3]
        if ret is None and retired is not None:
            lost = [p for p in pays if p[2] == retired and p[1] == price(film, retired)[1]]
            if len(lost) != 1:
                out.append(f"rental {rid}: replacement charge missing or wrong")
            expected |= {p[0] for p in lost}
        refunds = [p for p in pays if p[1] < 0]
        if len(refunds) > 1 or any(p[1] != -fees[0][1] or p[2] < rented for p in refunds):
            out.append(f"rental {rid}: refund wrong")
        expected |= {p[0] for p in refunds}
        if {p[0] for p in pays} != expected:
            out.append(f"rental {rid}: payments that follow no rule: {sorted({p[0] for p in pays} - expected)}")
    for cid, (_, created, lu) in customers.items():
        if lu < created or lu >= last_end:
            out.append(f"customer {cid}: dated wrong")

    # the change log: every row's last logged change is its last_update; deleted keys are gone
    if "sim_change_log" in db.table_names():
        last = {}
        for cid, at, table, k1, k2, op in q("SELECT change_id, changed_at, table_name, pk1, pk2, op "
                                            "FROM sim_change_log ORDER BY change_id"):
            last[(table, k1, k2)] = (op, parse_ts(at))
        if last:
            current = {("rental", k, None): r[5] for k, r in rentals.items()}
            current |= {("payment", k, None): p[5] for k, p in payments.items()}
            current |= {("inventory", k, None): c[4] for k, c in copies.items()}
            current |= {("customer", k, None): c[2] for k, c in customers.items()}
            for key, lu in current.items():
                op, at = last.get(key, (None, None))
                if op in (None, "D") or at != lu:
                    out.append(f"{key[0]} {key[1]}: change log says {op} at {at}, last_update {lu}")
            for key, (op, _) in last.items():
                if key[0] in ("rental", "payment", "inventory", "customer") and op == "D" and key in current:
                    out.append(f"{key[0]} {key[1]}: logged as deleted but present")
    return out
