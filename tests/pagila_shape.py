"""A database in Pagila's shape, as Pagila 3's published scripts make it (pagila-schema.sql, then pagila-data.sql).

The DDL is written here from Pagila's schema as documented (github.com/devrimgunduz/pagila, 3.1), not copied:
ids from plain sequences that no column owns (a pg_dump of serials), `timestamp with time zone` for every time but
customer.create_date (a date), language.name character(20), the mpaa_rating enum and year domain,
special_features text[], film.fulltext kept by tsvector_update_trigger, customer.activebool beside active, no
film_text, payment without last_update and partitioned by month on payment_date (key (payment_date, payment_id);
foreign keys and customer_id indexes on the partitions, not on payment), the `last_updated` BEFORE UPDATE trigger
that stamps CURRENT_TIMESTAMP on 14 tables, group_concat, Pagila's seven views, the materialized view
rental_by_category (created WITH NO DATA) and a rewards_report returning SETOF customer. Constraints, indexes and
the last_updated triggers come after the data, as in a pg_dump.

The data is Sakila's, read from the SQLite port in ../shared/ref/sakila (tests/sakila_official.py: the tests skip
when it is absent, and fail under CI=true), moved the way Pagila 3 moved it: every date into 2022, same month, day
and time (Sakila's 2005-05-24 22:53:30 is Pagila's 2022-05-24 22:53:30, and its 2006-02-14 rentals still out are
Pagila's 2022-02-14 ones), as London time, the zone Pagila's data was dumped in. Where Pagila's data differs from
Sakila's this keeps Sakila's: Pagila ships payments of its own (ids 16050-32098, January to July), while here
are Sakila's, ids 1-16049, bar the 5 without a rental (Pagila's payment.rental_id is NOT NULL). They reach into
August, so payment gets Pagila's seven monthly partitions, p2022_01 to p2022_07, and p2022_08.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

import psycopg

from dvdrental.storage import connect, parse_url
from sakila_official import SQLITE_DB, need

YEAR = "2022"
ZONE = "Europe/London"
#: Pagila's monthly partitions of payment (the first six with foreign keys and a customer_id index, as Pagila's).
PAGILA_MONTHS = 7
TS = "timestamp with time zone DEFAULT now() NOT NULL"
#: The tables whose id comes from a sequence, and that id.
SERIALS = {"actor": "actor_id", "address": "address_id", "category": "category_id", "city": "city_id",
           "country": "country_id", "customer": "customer_id", "film": "film_id", "inventory": "inventory_id",
           "language": "language_id", "payment": "payment_id", "rental": "rental_id", "staff": "staff_id",
           "store": "store_id"}
LAST_UPDATED = ("actor", "address", "category", "city", "country", "customer", "film", "film_actor",
                "film_category", "inventory", "language", "rental", "staff", "store")


def _id(table: str) -> str:
    return f"{SERIALS[table]} integer DEFAULT nextval('{table}_{SERIALS[table]}_seq'::regclass) NOT NULL"


BEFORE_DATA = (
    "CREATE TYPE mpaa_rating AS ENUM ('G', 'PG', 'PG-13', 'R', 'NC-17')",
    "CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155)",
    """CREATE FUNCTION last_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.last_update = CURRENT_TIMESTAMP;
  RETURN NEW;
END $$""",
    """CREATE FUNCTION _group_concat(text, text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN $2 IS NULL THEN $1 WHEN $1 IS NULL THEN $2 ELSE $1 || ', ' || $2 END $$""",
    "CREATE AGGREGATE group_concat(text) (SFUNC = _group_concat, STYPE = text)",
    *(f"CREATE SEQUENCE {t}_{k}_seq" for t, k in SERIALS.items()),
    f"CREATE TABLE actor ({_id('actor')}, first_name text NOT NULL, last_name text NOT NULL, last_update {TS})",
    f"CREATE TABLE category ({_id('category')}, name text NOT NULL, last_update {TS})",
    f"""CREATE TABLE film ({_id('film')}, title text NOT NULL, description text, release_year year,
  language_id integer NOT NULL, original_language_id integer, rental_duration smallint DEFAULT 3 NOT NULL,
  rental_rate numeric(4,2) DEFAULT 4.99 NOT NULL, length smallint, replacement_cost numeric(5,2) DEFAULT 19.99 NOT NULL,
  rating mpaa_rating DEFAULT 'G', last_update {TS}, special_features text[], fulltext tsvector NOT NULL)""",
    f"CREATE TABLE film_actor (actor_id integer NOT NULL, film_id integer NOT NULL, last_update {TS})",
    f"CREATE TABLE film_category (film_id integer NOT NULL, category_id integer NOT NULL, last_update {TS})",
    f"""CREATE TABLE address ({_id('address')}, address text NOT NULL, address2 text, district text NOT NULL,
  city_id integer NOT NULL, postal_code text, phone text NOT NULL, last_update {TS})""",
    f"CREATE TABLE city ({_id('city')}, city text NOT NULL, country_id integer NOT NULL, last_update {TS})",
    f"CREATE TABLE country ({_id('country')}, country text NOT NULL, last_update {TS})",
    f"""CREATE TABLE customer ({_id('customer')}, store_id integer NOT NULL, first_name text NOT NULL,
  last_name text NOT NULL, email text, address_id integer NOT NULL, activebool boolean DEFAULT true NOT NULL,
  create_date date DEFAULT CURRENT_DATE NOT NULL, last_update timestamp with time zone DEFAULT now(),
  active integer)""",
    f"""CREATE TABLE inventory ({_id('inventory')}, film_id integer NOT NULL, store_id integer NOT NULL,
  last_update {TS})""",
    f"CREATE TABLE language ({_id('language')}, name character(20) NOT NULL, last_update {TS})",
    f"""CREATE TABLE payment ({_id('payment')}, customer_id integer NOT NULL, staff_id integer NOT NULL,
  rental_id integer NOT NULL, amount numeric(5,2) NOT NULL, payment_date timestamp with time zone NOT NULL,
  PRIMARY KEY (payment_date, payment_id)) PARTITION BY RANGE (payment_date)""",
    f"""CREATE TABLE rental ({_id('rental')}, rental_date timestamp with time zone NOT NULL,
  inventory_id integer NOT NULL, customer_id integer NOT NULL, return_date timestamp with time zone,
  staff_id integer NOT NULL, last_update {TS})""",
    f"""CREATE TABLE staff ({_id('staff')}, first_name text NOT NULL, last_name text NOT NULL,
  address_id integer NOT NULL, email text, store_id integer NOT NULL, active boolean DEFAULT true NOT NULL,
  username text NOT NULL, password text, last_update {TS}, picture bytea)""",
    f"""CREATE TABLE store ({_id('store')}, manager_staff_id integer NOT NULL, address_id integer NOT NULL,
  last_update {TS})""",
    "CREATE TRIGGER film_fulltext_trigger BEFORE INSERT OR UPDATE ON film FOR EACH ROW "
    "EXECUTE FUNCTION tsvector_update_trigger(fulltext, 'pg_catalog.english', title, description)",
)

KEYS = (
    *(f"ALTER TABLE {t} ADD PRIMARY KEY ({k})" for t, k in SERIALS.items() if t != "payment"),
    "ALTER TABLE film_actor ADD PRIMARY KEY (actor_id, film_id)",
    "ALTER TABLE film_category ADD PRIMARY KEY (film_id, category_id)",
    "CREATE INDEX film_fulltext_idx ON film USING gist (fulltext)",
    "CREATE INDEX idx_actor_last_name ON actor (last_name)",
    "CREATE INDEX idx_fk_address_id ON customer (address_id)",
    "CREATE INDEX idx_fk_city_id ON address (city_id)",
    "CREATE INDEX idx_fk_country_id ON city (country_id)",
    "CREATE INDEX idx_fk_film_id ON film_actor (film_id)",
    "CREATE INDEX idx_fk_inventory_id ON rental (inventory_id)",
    "CREATE INDEX idx_fk_language_id ON film (language_id)",
    "CREATE INDEX idx_fk_original_language_id ON film (original_language_id)",
    "CREATE INDEX idx_fk_store_id ON customer (store_id)",
    "CREATE INDEX idx_last_name ON customer (last_name)",
    "CREATE INDEX idx_store_id_film_id ON inventory (store_id, film_id)",
    "CREATE INDEX idx_title ON film (title)",
    "CREATE UNIQUE INDEX idx_unq_manager_staff_id ON store (manager_staff_id)",
    "CREATE UNIQUE INDEX idx_unq_rental_rental_date_inventory_id_customer_id ON rental "
    "(rental_date, inventory_id, customer_id)",
    *(f"ALTER TABLE {child} ADD FOREIGN KEY ({col}) REFERENCES {parent} ({pcol}) ON UPDATE CASCADE ON DELETE RESTRICT"
      for child, col, parent, pcol in (
          ("address", "city_id", "city", "city_id"), ("city", "country_id", "country", "country_id"),
          ("customer", "address_id", "address", "address_id"), ("customer", "store_id", "store", "store_id"),
          ("film_actor", "actor_id", "actor", "actor_id"), ("film_actor", "film_id", "film", "film_id"),
          ("film_category", "category_id", "category", "category_id"),
          ("film_category", "film_id", "film", "film_id"), ("film", "language_id", "language", "language_id"),
          ("film", "original_language_id", "language", "language_id"),
          ("inventory", "film_id", "film", "film_id"), ("inventory", "store_id", "store", "store_id"),
          ("rental", "customer_id", "customer", "customer_id"),
          ("rental", "inventory_id", "inventory", "inventory_id"), ("rental", "staff_id", "staff", "staff_id"),
          ("staff", "address_id", "address", "address_id"), ("store", "address_id", "address", "address_id"))),
    "ALTER TABLE staff ADD FOREIGN KEY (store_id) REFERENCES store (store_id)",
    *(stmt for m in range(1, PAGILA_MONTHS) for stmt in (
        f"ALTER TABLE payment_p2022_{m:02d} ADD FOREIGN KEY (customer_id) REFERENCES customer (customer_id)",
        f"ALTER TABLE payment_p2022_{m:02d} ADD FOREIGN KEY (rental_id) REFERENCES rental (rental_id)",
        f"ALTER TABLE payment_p2022_{m:02d} ADD FOREIGN KEY (staff_id) REFERENCES staff (staff_id)",
        f"CREATE INDEX idx_fk_payment_p2022_{m:02d}_customer_id ON payment_p2022_{m:02d} (customer_id)",
        f"CREATE INDEX idx_fk_payment_p2022_{m:02d}_staff_id ON payment_p2022_{m:02d} (staff_id)")),
    *(f"CREATE TRIGGER last_updated BEFORE UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION last_updated()"
      for t in LAST_UPDATED),
)

_FILMS = """FROM category LEFT JOIN film_category USING (category_id) LEFT JOIN film USING (film_id)
  JOIN film_actor USING (film_id) JOIN actor USING (actor_id)
  GROUP BY film.film_id, film.title, film.description, category.name, film.rental_rate, film.length, film.rating"""
_SALES = """FROM payment p JOIN rental r ON r.rental_id = p.rental_id
  JOIN inventory i ON i.inventory_id = r.inventory_id
  JOIN film_category fc ON fc.film_id = i.film_id JOIN category c ON c.category_id = fc.category_id
  GROUP BY c.name ORDER BY sum(p.amount) DESC"""
_PLACE = """JOIN address a ON a.address_id = {0}.address_id JOIN city ON city.city_id = a.city_id
  JOIN country ON country.country_id = city.country_id"""

VIEWS = (
    f"""CREATE VIEW customer_list AS SELECT cu.customer_id AS id, cu.first_name || ' ' || cu.last_name AS name,
  a.address, a.postal_code AS "zip code", a.phone, city.city, country.country,
  CASE WHEN cu.activebool THEN 'active' ELSE '' END AS notes, cu.store_id AS sid
  FROM customer cu {_PLACE.format('cu')}""",
    f"""CREATE VIEW film_list AS SELECT film.film_id AS fid, film.title, film.description, category.name AS category,
  film.rental_rate AS price, film.length, film.rating,
  group_concat(actor.first_name || ' ' || actor.last_name) AS actors
  {_FILMS}""",
    f"""CREATE VIEW nicer_but_slower_film_list AS SELECT film.film_id AS fid, film.title, film.description,
  category.name AS category, film.rental_rate AS price, film.length, film.rating,
  group_concat(initcap(actor.first_name) || ' ' || initcap(actor.last_name)) AS actors {_FILMS}""",
    f"""CREATE VIEW staff_list AS SELECT s.staff_id AS id, s.first_name || ' ' || s.last_name AS name, a.address,
  a.postal_code AS "zip code", a.phone, city.city, country.country, s.store_id AS sid
  FROM staff s {_PLACE.format('s')}""",
    """CREATE VIEW sales_by_store AS SELECT c.city || ',' || cy.country AS store,
  m.first_name || ' ' || m.last_name AS manager, sum(p.amount) AS total_sales
  FROM payment p JOIN rental r ON r.rental_id = p.rental_id JOIN inventory i ON i.inventory_id = r.inventory_id
  JOIN store s ON s.store_id = i.store_id JOIN address a ON a.address_id = s.address_id
  JOIN city c ON c.city_id = a.city_id JOIN country cy ON cy.country_id = c.country_id
  JOIN staff m ON m.staff_id = s.manager_staff_id
  GROUP BY cy.country, c.city, s.store_id, m.first_name, m.last_name ORDER BY cy.country, c.city""",
    f"CREATE VIEW sales_by_film_category AS SELECT c.name AS category, sum(p.amount) AS total_sales {_SALES}",
    """CREATE VIEW actor_info AS SELECT a.actor_id, a.first_name, a.last_name,
  group_concat(DISTINCT c.name || ': ' || (SELECT group_concat(f.title) FROM film f
    JOIN film_category fc2 ON fc2.film_id = f.film_id JOIN film_actor fa2 ON fa2.film_id = f.film_id
    WHERE fc2.category_id = c.category_id AND fa2.actor_id = a.actor_id GROUP BY fa2.actor_id)) AS film_info
  FROM actor a LEFT JOIN film_actor fa ON fa.actor_id = a.actor_id
  LEFT JOIN film_category fc ON fc.film_id = fa.film_id LEFT JOIN category c ON c.category_id = fc.category_id
  GROUP BY a.actor_id, a.first_name, a.last_name""",
    f"""CREATE MATERIALIZED VIEW rental_by_category AS SELECT c.name AS category, sum(p.amount) AS total_sales
  {_SALES} WITH NO DATA""",
    "CREATE UNIQUE INDEX rental_category ON rental_by_category (category)",
    """CREATE FUNCTION rewards_report(min_monthly_purchases integer, min_dollar_amount_purchased numeric)
  RETURNS SETOF customer LANGUAGE sql AS $$
  SELECT c.* FROM customer c WHERE c.customer_id IN (SELECT customer_id FROM payment GROUP BY customer_id
    HAVING count(*) > min_monthly_purchases AND sum(amount) > min_dollar_amount_purchased) $$""",
)

#: Pagila's columns of each table (its order) and the SQLite port's expression for each.
DATA = {
    "actor": "actor_id, first_name, last_name, last_update",
    "category": "category_id, name, last_update",
    "country": "country_id, country, last_update",
    "city": "city_id, city, country_id, last_update",
    "address": "address_id, address, address2, district, city_id, postal_code, phone, last_update",
    "language": "language_id, name, last_update",
    "film": "film_id, title, description, release_year, language_id, original_language_id, rental_duration, "
            "rental_rate, length, replacement_cost, rating, last_update, special_features",
    "film_actor": "actor_id, film_id, last_update",
    "film_category": "film_id, category_id, last_update",
    "store": "store_id, manager_staff_id, address_id, last_update",
    "staff": "staff_id, first_name, last_name, address_id, email, store_id, active, username, password, "
             "last_update, picture",
    "customer": "customer_id, store_id, first_name, last_name, email, address_id, create_date, last_update, active",
    "inventory": "inventory_id, film_id, store_id, last_update",
    "rental": "rental_id, rental_date, inventory_id, customer_id, return_date, staff_id, last_update",
    "payment": "payment_id, customer_id, staff_id, rental_id, amount, payment_date",
}
MOVED = {"last_update", "rental_date", "return_date", "payment_date", "create_date"}


@dataclass(frozen=True)
class PagilaFacts:
    """What the built database holds, read back as the tool reads it (UTC)."""
    first_day: dt.date  # first rental day (Sakila's 2006-02-14 rentals still out, moved to 2022-02-14)
    last_day: dt.date  # the last rental, return or payment
    rentals: int
    payments: int
    max_payment_id: int
    open_rentals: int
    partitions: tuple[str, ...]


def moved(value: str | None) -> str | None:
    """A Sakila date or time in Pagila 3's year: 2022, same month, day and time."""
    return None if value is None else YEAR + value[4:]


def _row(table: str, columns: list[str], row: tuple) -> tuple:
    """A row of the SQLite port as Pagila holds it."""
    out = []
    for col, value in zip(columns, row):
        if col in MOVED:
            value = moved(value)
            value = value[:10] if col == "create_date" and value else value
        elif col == "special_features":
            value = None if value is None else [v for v in value.split(",") if v]
        elif (table, col) == ("staff", "active"):  # a boolean in Pagila
            value = bool(value)
        out.append(value)
    return tuple(out)


def _admin(url: str) -> psycopg.Connection:
    u = parse_url(url)
    return psycopg.connect(host=u.host, port=u.port, user=u.user, password=u.password or None, dbname="postgres",
                           autocommit=True)


def _session(url: str) -> psycopg.Connection:
    u = parse_url(url)
    conn = psycopg.connect(host=u.host, port=u.port, user=u.user, password=u.password or None, dbname=u.database,
                           autocommit=True)
    conn.execute(f"SET TimeZone = '{ZONE}'")
    return conn


def build_pagila(url: str) -> PagilaFacts:
    """The database at `url` (created, must be new) in Pagila 3's shape with Sakila's data."""
    connect(url).close()  # creates the database
    source = sqlite3.connect(f"file:{need(SQLITE_DB)}?mode=ro", uri=True)
    with _session(url) as conn, conn.transaction():
        for stmt in BEFORE_DATA:
            conn.execute(stmt)
        last_month = int(source.execute("SELECT MAX(SUBSTR(payment_date, 6, 2)) FROM payment "
                                        "WHERE SUBSTR(payment_date, 1, 4) = '2005'").fetchone()[0])
        for m in range(1, max(PAGILA_MONTHS, last_month) + 1):
            upper = f"{YEAR}-{m + 1:02d}-01" if m < 12 else f"{int(YEAR) + 1}-01-01"
            conn.execute(f"CREATE TABLE payment_p{YEAR}_{m:02d} PARTITION OF payment FOR VALUES FROM "
                         f"('{YEAR}-{m:02d}-01 00:00:00+00') TO ('{upper} 00:00:00+00')")
        for table, cols in DATA.items():
            columns = [c.strip() for c in cols.split(",")]
            where = " WHERE rental_id IS NOT NULL" if table == "payment" else ""
            with conn.cursor().copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {cols} FROM {table}{where}"):
                    copy.write_row(_row(table, columns, row))
        for table, key in SERIALS.items():  # as Pagila's data script does: each sequence at its highest id
            conn.execute(f"SELECT setval('{table}_{key}_seq', (SELECT MAX({key}) FROM {table}))")
        for stmt in KEYS + VIEWS:
            conn.execute(stmt)
    source.close()
    return facts(url)


def facts(url: str) -> PagilaFacts:
    with connect(url) as db:
        row = db.query("SELECT MIN(rental_date), GREATEST(MAX(rental_date), MAX(return_date), "
                       "(SELECT MAX(payment_date) FROM payment)), COUNT(*), COUNT(*) - COUNT(return_date), "
                       "(SELECT COUNT(*) FROM payment), (SELECT MAX(payment_id) FROM payment) FROM rental")[0]
        parts = tuple(r[0] for r in db.query("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = "
                                             "i.inhrelid WHERE i.inhparent = 'payment'::regclass ORDER BY 1"))
    return PagilaFacts(row[0].date(), row[1].date(), row[2], row[4], row[5], row[3], parts)


def clone(template: str, url: str) -> None:
    """A new database at `url`, a copy of the one at `template` (which nobody may be connected to)."""
    with _admin(url) as admin:
        admin.execute(f'CREATE DATABASE "{parse_url(url).database}" TEMPLATE "{parse_url(template).database}"')
