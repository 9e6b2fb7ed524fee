"""A store's day with chain ids: the store numbers its rentals, payments, customers, addresses and
copies locally (`sim.ids`); everything it emits leaves with global ids."""

from __future__ import annotations

from ..sim.events import INSERT_COLUMNS, DayEvents, Op
from ..sim.ids import StoreIds

#: Per table: the positions (in INSERT_COLUMNS order) of the ids a store numbers itself.
_ID_COLUMNS = {table: tuple(INSERT_COLUMNS[table].index(col) for col in cols) for table, cols in {
    "address": ("address_id",),
    "customer": ("customer_id", "address_id"),
    "inventory": ("inventory_id",),
    "rental": ("rental_id", "inventory_id", "customer_id"),
    "payment": ("payment_id", "customer_id", "rental_id"),
}.items()}
#: Updated columns that hold a store's own ids.
_UPDATED_IDS = {"address_id"}


def globalize(ev: DayEvents, ids: StoreIds) -> DayEvents:
    """`ev` with global ids, in place (chain-level rows, staff and films keep theirs)."""
    g = ids.glob
    ev.addresses = [(g(r[0]), *r[1:]) for r in ev.addresses]
    ev.customers = [(g(r[0]), *r[1:5], g(r[5]), *r[6:]) for r in ev.customers]
    ev.inventory = [(g(r[0]), *r[1:]) for r in ev.inventory]
    ev.rentals = [(g(r), ts, g(i), g(c), s) for r, ts, i, c, s in ev.rentals]
    ev.payments = [(g(p), g(c), s, g(r), a, ts) for p, c, s, r, a, ts in ev.payments]
    ev.customer_events = [(g(c), ts, e) for c, ts, e in ev.customer_events]
    ev.returns = [(g(r), ts) for r, ts in ev.returns]
    ev.customer_updates = [(g(c), a, ts) for c, a, ts in ev.customer_updates]
    ev.retirements = [(g(i), ts) for i, ts in ev.retirements]
    ev.late = [_late_op(op, g) for op in ev.late]
    return ev


def _late_op(op: Op, g) -> Op:
    ts, kind, table, action, key, values, made = op
    cols = _ID_COLUMNS.get(table)
    if cols is None:  # the chain's own tables (film): nothing of the store's
        return op
    key = g(key)
    if action == "I":
        row = list(values)
        for pos in cols:
            row[pos] = g(row[pos])
        values = tuple(row)
    elif action == "U" and _UPDATED_IDS & values.keys():
        values = {k: g(v) if k in _UPDATED_IDS else v for k, v in values.items()}
    return ts, kind, table, action, key, values, made
