"""What one simulated day emits: rows to insert and rows to update, with integer times and cents.

The storage layer turns these into SQL parameters; nothing here knows about an engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
    stats: DayStats | None = None
