"""What one simulated day emits: rows to insert and rows to update, with integer times and cents.

The lists below are what the day's business produced, by kind. `ops` is the same day as one ordered
list of row changes (see `sim.changes`), late changes included: that list is what gets written, logged
in sim_change_log and exported. The storage layer turns values into SQL parameters; nothing here
knows about an engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Sakila's film.special_features SET members, in their declared order.
FEATURES = ("Trailers", "Commentaries", "Deleted Scenes", "Behind the Scenes")

#: Column layouts of inserted rows (the order of values in an insert op), per Sakila table.
INSERT_COLUMNS: dict[str, tuple[str, ...]] = {
    "address": ("address_id", "address", "address2", "district", "city_id", "postal_code", "phone",
                "last_update"),
    "customer": ("customer_id", "store_id", "first_name", "last_name", "email", "address_id", "active",
                 "create_date", "last_update"),
    "film": ("film_id", "title", "description", "release_year", "language_id", "original_language_id",
             "rental_duration", "rental_rate", "length", "replacement_cost", "rating", "special_features",
             "last_update"),
    "film_actor": ("actor_id", "film_id", "last_update"),
    "film_category": ("film_id", "category_id", "last_update"),
    "inventory": ("inventory_id", "film_id", "store_id", "created_at", "retired_at", "last_update"),
    "rental": ("rental_id", "rental_date", "inventory_id", "customer_id", "return_date", "staff_id",
               "last_update"),
    "payment": ("payment_id", "customer_id", "staff_id", "rental_id", "amount", "payment_date", "last_update"),
}

#: One change to one row: (ts, kind, table, op, key, values, record_ts). op is 'I' (values: the row in
#: INSERT_COLUMNS order), 'U' (values: {column: new value}, last_update included) or 'D' (values:
#: None). key is the primary key (an int, or a pair for film_actor/film_category). record_ts is the
#: creation time of the record a late change touched (its age), None for ordinary business.
Op = tuple[int, str, str, str, Any, Any, Any]


@dataclass
class DayStats:
    day: int
    expected: float = 0.0
    demand: int = 0
    rentals: int = 0
    lost_demand: int = 0
    returns: int = 0
    new_customers: int = 0
    churned: int = 0
    reactivated: int = 0
    spike: bool = False
    payments: int = 0
    revenue_cents: int = 0
    copies_added: int = 0
    copies_retired: int = 0
    films_released: int = 0
    late_changes: int = 0


@dataclass
class DayEvents:
    day: int
    # inserts (column order as in storage.tables)
    addresses: list[tuple] = field(default_factory=list)     # address_id, address, address2, district,
    #                                                          city_id, postal_code, phone, ts
    customers: list[tuple] = field(default_factory=list)     # customer_id, store_id, first, last, email,
    #                                                          address_id, active, create_ts, ts
    films: list[tuple] = field(default_factory=list)         # film row incl. last_update ts
    film_actors: list[tuple] = field(default_factory=list)   # actor_id, film_id, ts
    film_categories: list[tuple] = field(default_factory=list)  # film_id, category_id, ts
    inventory: list[tuple] = field(default_factory=list)     # inventory_id, film_id, store_id, created_ts
    rentals: list[tuple] = field(default_factory=list)       # rental_id, rental_ts, inventory_id,
    #                                                          customer_id, staff_id
    payments: list[tuple] = field(default_factory=list)      # payment_id, customer_id, staff_id,
    #                                                          rental_id, amount_cents, ts
    customer_events: list[tuple] = field(default_factory=list)  # customer_id, ts, event
    # updates
    returns: list[tuple] = field(default_factory=list)       # rental_id, return_ts
    customer_updates: list[tuple] = field(default_factory=list)  # customer_id, active, ts
    retirements: list[tuple] = field(default_factory=list)   # inventory_id, ts
    plans_done: list[tuple] = field(default_factory=list)    # plan_id, ts
    film_prices: list[tuple] = field(default_factory=list)   # film_id, valid_until ts, rate and
    #                                                          replacement cents that applied before
    late: list[Op] = field(default_factory=list)             # late changes to past records
    ops: list[Op] = field(default_factory=list)              # everything above, in time order
    first_change_id: int = 0                                 # change_id of ops[0]
    stats: DayStats | None = None
