"""The tables, their columns in DDL order, and what kind of value each column holds.

Kinds drive the canonical, engine-independent form of a value (checksums, cross-engine dumps) and
the schema check. schema.sql and shared/sql/sqlite_schema.sql must match this list (a test checks).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, kind)
    key: tuple[str, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.columns)


def _t(name: str, key: str | tuple[str, ...], *cols: str) -> Table:
    parsed = tuple(tuple(c.split(":")) if ":" in c else (c, "int") for c in cols)
    return Table(name, parsed, (key,) if isinstance(key, str) else key)


TS = "last_update:datetime"

SAKILA_TABLES: tuple[Table, ...] = (
    _t("actor", "actor_id", "actor_id", "first_name:text", "last_name:text", TS),
    _t("country", "country_id", "country_id", "country:text", TS),
    _t("city", "city_id", "city_id", "city:text", "country_id", TS),
    _t("address", "address_id", "address_id", "address:text", "address2:text", "district:text", "city_id",
       "postal_code:text", "phone:text", "location:blob", TS),
    _t("category", "category_id", "category_id", "name:text", TS),
    _t("language", "language_id", "language_id", "name:text", TS),
    _t("film", "film_id", "film_id", "title:text", "description:text", "release_year", "language_id",
       "original_language_id", "rental_duration", "rental_rate:money", "length", "replacement_cost:money",
       "rating:text", "special_features:set", TS),
    _t("film_actor", ("actor_id", "film_id"), "actor_id", "film_id", TS),
    _t("film_category", ("film_id", "category_id"), "film_id", "category_id", TS),
    _t("film_text", "film_id", "film_id", "title:text", "description:text"),
    _t("staff", "staff_id", "staff_id", "first_name:text", "last_name:text", "address_id", "picture:blob",
       "email:text", "store_id", "active", "username:text", "password:text", TS),
    _t("store", "store_id", "store_id", "manager_staff_id", "address_id", TS),
    _t("customer", "customer_id", "customer_id", "store_id", "first_name:text", "last_name:text",
       "email:text", "address_id", "active", "create_date:datetime", TS),
    _t("inventory", "inventory_id", "inventory_id", "film_id", "store_id", "created_at:datetime",
       "retired_at:datetime", TS),
    _t("rental", "rental_id", "rental_id", "rental_date:datetime", "inventory_id", "customer_id",
       "return_date:datetime", "staff_id", TS),
    _t("payment", "payment_id", "payment_id", "customer_id", "staff_id", "rental_id", "amount:money",
       "payment_date:datetime", TS),
)

SIM_TABLES: tuple[Table, ...] = (
    _t("sim_state", "id", "id", "schema_version", "tool_version:text", "seed", "start_date:date",
       "last_day:date", "origin:text", "counters:text", "config:text"),
    _t("sim_customer_event", ("event_date", "customer_id", "event"), "customer_id", "event_date:datetime",
       "event:text"),
    _t("sim_stock_plan", "plan_id", "plan_id", "day:date", "action:text", "params:text", "done_at:datetime"),
    _t("sim_day", "day", "day:date", "expected:money", "demand", "rentals", "lost_demand", "returns",
       "new_customers", "churned", "reactivated", "spike"),
    _t("sim_change_log", "change_id", "change_id", "changed_at:datetime", "table_name:text", "pk1", "pk2",
       "op:text", "changed_columns:text", "kind:text", "record_at:datetime"),
    _t("sim_film_price", ("film_id", "valid_until"), "film_id", "valid_until:datetime", "rental_rate:money",
       "replacement_cost:money"),
)

TABLES: dict[str, Table] = {t.name: t for t in SAKILA_TABLES + SIM_TABLES}

#: An adopted database's record of what it imported: the highest id of each table with one integer key.
#: Made by adoption only (a generated database imports nothing).
IMPORTED = _t("sim_imported", "table_name", "table_name:text", "max_id")

#: Drop order that respects foreign keys (children first).
DROP_ORDER = ("sim_adopt_foreign_keys", "sim_imported", "sim_change_log", "sim_film_price", "sim_customer_event", "sim_day", "sim_state", "sim_stock_plan", "payment", "rental", "inventory", "customer",
              "film_text", "film_category", "film_actor", "film", "store", "staff", "address", "city",
              "country", "category", "language", "actor")

SAKILA_VIEWS = ("customer_list", "film_list", "nicer_but_slower_film_list", "staff_list", "sales_by_store",
                "sales_by_film_category", "actor_info")
SAKILA_FUNCTIONS = ("get_customer_balance", "inventory_held_by_customer", "inventory_in_stock")
SAKILA_PROCEDURES = ("rewards_report", "film_in_stock", "film_not_in_stock")

#: Foreign keys as (child table, column, parent table, column); checked by validate.py on both engines.
FOREIGN_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("city", "country_id", "country", "country_id"),
    ("address", "city_id", "city", "city_id"),
    ("film", "language_id", "language", "language_id"),
    ("film", "original_language_id", "language", "language_id"),
    ("film_actor", "actor_id", "actor", "actor_id"),
    ("film_actor", "film_id", "film", "film_id"),
    ("film_category", "film_id", "film", "film_id"),
    ("film_category", "category_id", "category", "category_id"),
    ("staff", "store_id", "store", "store_id"),
    ("staff", "address_id", "address", "address_id"),
    ("store", "manager_staff_id", "staff", "staff_id"),
    ("store", "address_id", "address", "address_id"),
    ("customer", "store_id", "store", "store_id"),
    ("customer", "address_id", "address", "address_id"),
    ("inventory", "film_id", "film", "film_id"),
    ("inventory", "store_id", "store", "store_id"),
    ("rental", "inventory_id", "inventory", "inventory_id"),
    ("rental", "customer_id", "customer", "customer_id"),
    ("rental", "staff_id", "staff", "staff_id"),
    ("payment", "customer_id", "customer", "customer_id"),
    ("payment", "staff_id", "staff", "staff_id"),
    ("payment", "rental_id", "rental", "rental_id"),
    ("sim_customer_event", "customer_id", "customer", "customer_id"),
    ("sim_film_price", "film_id", "film", "film_id"),
)
