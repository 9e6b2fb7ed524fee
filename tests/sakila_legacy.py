"""A small database in the shape the official Sakila MySQL scripts make (sakila-schema.sql + sakila-data.sql).

The DDL is written here in Sakila's form (not copied): SMALLINT/MEDIUMINT/TINYINT UNSIGNED ids,
`last_update TIMESTAMP ... ON UPDATE CURRENT_TIMESTAMP`, a NOT NULL GEOMETRY location with a SPATIAL
key, ENUM/SET film columns, film_text kept by three triggers, all of Sakila's foreign keys, and the
three BEFORE INSERT triggers that overwrite dates with NOW(), created after the data as the official
data script does. The data is small and seeded but has Sakila's quirks: every customer's create_date
is one value later than their rentals, rentals come in bursts with gaps and end with a day whose
rentals are all still out at the same second, customers rent copies of the other store, some films
have no copies, a few payments have no rental, and payment ids end just below 65535 so that any
continuation overflows SMALLINT UNSIGNED unless the ids were widened.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass

from dvdrental.storage import Database, connect

TS = "TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"
TS_NULL = "TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"
TAIL = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"

DDL = (
    f"""CREATE TABLE actor (
  actor_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  first_name VARCHAR(45) NOT NULL,
  last_name VARCHAR(45) NOT NULL,
  last_update {TS},
  PRIMARY KEY (actor_id),
  KEY idx_actor_last_name (last_name)
) {TAIL}""",
    f"""CREATE TABLE address (
  address_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  address VARCHAR(50) NOT NULL,
  address2 VARCHAR(50) DEFAULT NULL,
  district VARCHAR(20) NOT NULL,
  city_id SMALLINT UNSIGNED NOT NULL,
  postal_code VARCHAR(10) DEFAULT NULL,
  phone VARCHAR(20) NOT NULL,
  location GEOMETRY NOT NULL,
  last_update {TS},
  PRIMARY KEY (address_id),
  KEY idx_fk_city_id (city_id),
  SPATIAL KEY idx_location (location),
  CONSTRAINT fk_address_city FOREIGN KEY (city_id) REFERENCES city (city_id)
    ON DELETE RESTRICT ON UPDATE CASCADE
) {TAIL}""",
    f"""CREATE TABLE category (
  category_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name VARCHAR(25) NOT NULL,
  last_update {TS},
  PRIMARY KEY (category_id)
) {TAIL}""",
    f"""CREATE TABLE city (
  city_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  city VARCHAR(50) NOT NULL,
  country_id SMALLINT UNSIGNED NOT NULL,
  last_update {TS},
  PRIMARY KEY (city_id),
  KEY idx_fk_country_id (country_id),
  CONSTRAINT fk_city_country FOREIGN KEY (country_id) REFERENCES country (country_id)
    ON DELETE RESTRICT ON UPDATE CASCADE
) {TAIL}""",
    f"""CREATE TABLE country (
  country_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  country VARCHAR(50) NOT NULL,
  last_update {TS},
  PRIMARY KEY (country_id)
) {TAIL}""",
    f"""CREATE TABLE customer (
  customer_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  store_id TINYINT UNSIGNED NOT NULL,
  first_name VARCHAR(45) NOT NULL,
  last_name VARCHAR(45) NOT NULL,
  email VARCHAR(50) DEFAULT NULL,
  address_id SMALLINT UNSIGNED NOT NULL,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  create_date DATETIME NOT NULL,
  last_update {TS_NULL},
  PRIMARY KEY (customer_id),
  KEY idx_fk_store_id (store_id),
  KEY idx_fk_address_id (address_id),
  KEY idx_last_name (last_name),
  CONSTRAINT fk_customer_address FOREIGN KEY (address_id) REFERENCES address (address_id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_customer_store FOREIGN KEY (store_id) REFERENCES store (store_id)
    ON DELETE RESTRICT ON UPDATE CASCADE
) {TAIL}""",
    f"""CREATE TABLE film (
  film_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  title VARCHAR(128) NOT NULL,
  description TEXT DEFAULT NULL,
  release_year YEAR DEFAULT NULL,
  language_id TINYINT UNSIGNED NOT NULL,
  original_language_id TINYINT UNSIGNED DEFAULT NULL,
  rental_duration TINYINT UNSIGNED NOT NULL DEFAULT 3,
  rental_rate DECIMAL(4,2) NOT NULL DEFAULT 4.99,
  length SMALLINT UNSIGNED DEFAULT NULL,
  replacement_cost DECIMAL(5,2) NOT NULL DEFAULT 19.99,
  rating ENUM('G','PG','PG-13','R','NC-17') DEFAULT 'G',
  special_features SET('Trailers','Commentaries','Deleted Scenes','Behind the Scenes') DEFAULT NULL,
  last_update {TS},
  PRIMARY KEY (film_id),
  KEY idx_title (title),
  KEY idx_fk_language_id (language_id),
  KEY idx_fk_original_language_id (original_language_id),
  CONSTRAINT fk_film_language FOREIGN KEY (language_id) REFERENCES language (language_id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_film_language_original FOREIGN KEY (original_language_id) REFERENCES language (language_id)
    ON DELETE RESTRICT ON UPDATE CASCADE
) {TAIL}""",
    f"""CREATE TABLE film_actor (
  actor_id SMALLINT UNSIGNED NOT NULL,
  film_id SMALLINT UNSIGNED NOT NULL,
  last_update {TS},
  PRIMARY KEY (actor_id, film_id),
  KEY idx_fk_film_id (film_id),
  CONSTRAINT fk_film_actor_actor FOREIGN KEY (actor_id) REFERENCES actor (actor_id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_film_actor_film FOREIGN KEY (film_id) REFERENCES film (film_id)
    ON DELETE RESTRICT ON UPDATE CASCADE
) {TAIL}""",
    f"""CREATE TABLE film_category (
  film_id SMALLINT UNSIGNED NOT NULL,
  category_id TINYINT UNSIGNED NOT NULL,
  last_update {TS},
  PRIMARY KEY (film_id, category_id),
  CONSTRAINT fk_film_category_film FOREIGN KEY (film_id) REFERENCES film (film_id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_film_category_category FOREIGN KEY (category_id) REFERENCES category (category_id)
    ON DELETE RESTRICT ON UPDATE CASCADE
) {TAIL}""",
    f"""CREATE TABLE film_text (
  film_id SMALLINT NOT NULL,
  title VARCHAR(255) NOT NULL,
  description TEXT,
  PRIMARY KEY (film_id),
  FULLTEXT KEY idx_title_description (title, description)
) {TAIL}""",
    """CREATE TRIGGER ins_film AFTER INSERT ON film FOR EACH ROW BEGIN
    INSERT INTO film_text (film_id, title, description)
        VALUES (new.film_id, new.title, new.description);
  END""",
    """CREATE TRIGGER upd_film AFTER UPDATE ON film FOR EACH ROW BEGIN
    IF (old.title != new.title) OR (old.description != new.description) OR (old.film_id != new.film_id)
    THEN
        UPDATE film_text
            SET title=new.title, description=new.description, film_id=new.film_id
        WHERE film_id=old.film_id;
    END IF;
  END""",
    """CREATE TRIGGER del_film AFTER DELETE ON film FOR EACH ROW BEGIN
    DELETE FROM film_text WHERE film_id = old.film_id;
  END""",
    f"""CREATE TABLE inventory (
  inventory_id MEDIUMINT UNSIGNED NOT NULL AUTO_INCREMENT,
  film_id SMALLINT UNSIGNED NOT NULL,
  store_id TINYINT UNSIGNED NOT NULL,
  last_update {TS},
  PRIMARY KEY (inventory_id),
  KEY idx_fk_film_id (film_id),
  KEY idx_store_id_film_id (store_id, film_id),
  CONSTRAINT fk_inventory_store FOREIGN KEY (store_id) REFERENCES store (store_id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_inventory_film FOREIGN KEY (film_id) REFERENCES film (film_id)
    ON DELETE RESTRICT ON UPDATE CASCADE
) {TAIL}""",
    f"""CREATE TABLE language (
  language_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name CHAR(20) NOT NULL,
  last_update {TS},
  PRIMARY KEY (language_id)
) {TAIL}""",
    f"""CREATE TABLE payment (
  payment_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  customer_id SMALLINT UNSIGNED NOT NULL,
  staff_id TINYINT UNSIGNED NOT NULL,
  rental_id INT DEFAULT NULL,
  amount DECIMAL(5,2) NOT NULL,
  payment_date DATETIME NOT NULL,
  last_update {TS_NULL},
  PRIMARY KEY (payment_id),
  KEY idx_fk_staff_id (staff_id),
  KEY idx_fk_customer_id (customer_id),
  CONSTRAINT fk_payment_rental FOREIGN KEY (rental_id) REFERENCES rental (rental_id)
    ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT fk_payment_customer FOREIGN KEY (customer_id) REFERENCES customer (customer_id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_payment_staff FOREIGN KEY (staff_id) REFERENCES staff (staff_id)
    ON DELETE RESTRICT ON UPDATE CASCADE
) {TAIL}""",
    f"""CREATE TABLE rental (
  rental_id INT NOT NULL AUTO_INCREMENT,
  rental_date DATETIME NOT NULL,
  inventory_id MEDIUMINT UNSIGNED NOT NULL,
  customer_id SMALLINT UNSIGNED NOT NULL,
  return_date DATETIME DEFAULT NULL,
  staff_id TINYINT UNSIGNED NOT NULL,
  last_update {TS},
  PRIMARY KEY (rental_id),
  UNIQUE KEY (rental_date, inventory_id, customer_id),
  KEY idx_fk_inventory_id (inventory_id),
  KEY idx_fk_customer_id (customer_id),
  KEY idx_fk_staff_id (staff_id),
  CONSTRAINT fk_rental_staff FOREIGN KEY (staff_id) REFERENCES staff (staff_id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_rental_inventory FOREIGN KEY (inventory_id) REFERENCES inventory (inventory_id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_rental_customer FOREIGN KEY (customer_id) REFERENCES customer (customer_id)
    ON DELETE RESTRICT ON UPDATE CASCADE
) {TAIL}""",
    f"""CREATE TABLE staff (
  staff_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
  first_name VARCHAR(45) NOT NULL,
  last_name VARCHAR(45) NOT NULL,
  address_id SMALLINT UNSIGNED NOT NULL,
  picture BLOB DEFAULT NULL,
  email VARCHAR(50) DEFAULT NULL,
  store_id TINYINT UNSIGNED NOT NULL,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  username VARCHAR(16) NOT NULL,
  password VARCHAR(40) BINARY DEFAULT NULL,
  last_update {TS},
  PRIMARY KEY (staff_id),
  KEY idx_fk_store_id (store_id),
  KEY idx_fk_address_id (address_id),
  CONSTRAINT fk_staff_store FOREIGN KEY (store_id) REFERENCES store (store_id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_staff_address FOREIGN KEY (address_id) REFERENCES address (address_id)
    ON DELETE RESTRICT ON UPDATE CASCADE
) {TAIL}""",
    f"""CREATE TABLE store (
  store_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
  manager_staff_id TINYINT UNSIGNED NOT NULL,
  address_id SMALLINT UNSIGNED NOT NULL,
  last_update {TS},
  PRIMARY KEY (store_id),
  UNIQUE KEY idx_unique_manager (manager_staff_id),
  KEY idx_fk_address_id (address_id),
  CONSTRAINT fk_store_staff FOREIGN KEY (manager_staff_id) REFERENCES staff (staff_id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_store_address FOREIGN KEY (address_id) REFERENCES address (address_id)
    ON DELETE RESTRICT ON UPDATE CASCADE
) {TAIL}""",
)

#: What sakila-data.sql installs after loading the data: they stamp the wall clock over given dates.
DATE_TRIGGERS = (
    "CREATE TRIGGER customer_create_date BEFORE INSERT ON customer FOR EACH ROW SET NEW.create_date = NOW()",
    "CREATE TRIGGER payment_date BEFORE INSERT ON payment FOR EACH ROW SET NEW.payment_date = NOW()",
    "CREATE TRIGGER rental_date BEFORE INSERT ON rental FOR EACH ROW SET NEW.rental_date = NOW()",
)

# Sakila's own load-time stamps, a day after the last business day.
LOADED = {"base": "2006-02-15 04:34:33", "address": "2006-02-15 04:45:30", "customer": "2006-02-15 04:57:20",
          "film": "2006-02-15 05:03:42", "inventory": "2006-02-15 05:09:17", "rental": "2006-02-16 02:30:53",
          "payment": "2006-02-15 22:12:30"}
CREATE_DATE = "2006-02-14 22:04:36"  # every Sakila customer's, later than all their rentals
#: Bursts of business days, as in Sakila (with gaps between them), then one last day months later.
BURSTS = ((dt.date(2005, 5, 24), 8), (dt.date(2005, 6, 14), 8), (dt.date(2005, 7, 5), 27),
          (dt.date(2005, 8, 1), 23))
FINAL_DAY = dt.date(2006, 2, 14)
FINAL_TIME = dt.time(15, 16, 3)  # all of Sakila's last-day rentals share one second
PAYMENT_ID_END = 65_500  # the last payment id: a week of new business overflows SMALLINT UNSIGNED
NO_COPIES = 8  # films (the last ones) that have no copy in any store

WORDS = ("ACADEMY", "DINOSAUR", "ACE", "GOLDFINGER", "ADAPTATION", "HOLES", "AFFAIR", "PREJUDICE", "AGENT",
         "TRUMAN", "AIRPLANE", "SIERRA", "ALABAMA", "DEVIL", "ALADDIN", "CALENDAR", "ALAMO", "VIDEOTAPE")
FIRST = ("MARY", "PATRICIA", "LINDA", "BARBARA", "ELIZABETH", "JENNIFER", "MARIA", "SUSAN", "JOHN", "MIKE",
         "JON", "PENELOPE", "NICK", "ED", "JENNIFER", "JOHNNY", "BETTE", "GRACE", "MATTHEW", "JOE")
LAST = ("SMITH", "JOHNSON", "WILLIAMS", "JONES", "BROWN", "DAVIS", "MILLER", "WILSON", "MOORE", "TAYLOR",
        "GUINESS", "WAHLBERG", "CHASE", "DAVIS", "LOLLOBRIGIDA", "NICHOLSON", "MOSTEL", "JOHANSSON")


@dataclass(frozen=True)
class LegacyFacts:
    """What the tests need to know about the data they got."""
    first_day: dt.date
    last_rental_day: dt.date
    last_day: dt.date  # the last business day (rentals and payments): where the history ends
    stamped: dt.date  # the latest date anywhere in the data (the rental load stamp), later
    rentals: int
    open_rentals: int
    payments: int
    customers: int
    active_customers: int


def build_legacy_sakila(url: str, seed: int = 2006, customers: int = 150, films: int = 60,
                        per_day: int = 30) -> LegacyFacts:
    """Create the tables and data in the (new or empty) MySQL database at `url`."""
    db = connect(url)
    try:
        db.execute("SET foreign_key_checks = 0")  # as the official scripts do (staff <-> store)
        for stmt in DDL:
            db.execute(stmt)
        facts = _load(db, random.Random(seed), customers, films, per_day)
        for stmt in DATE_TRIGGERS:
            db.execute(stmt)
        db.execute("SET foreign_key_checks = 1")
    finally:
        db.close()
    return facts


def _ts(day: dt.date, seconds: int) -> str:
    return (dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")


def _load(db: Database, rnd: random.Random, n_customers: int, n_films: int, per_day: int) -> LegacyFacts:
    base = LOADED["base"]
    ins = lambda table, cols, rows: db.executemany(  # noqa: E731
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
    with db.transaction():
        ins("language", ("language_id", "name", "last_update"),
            [(i + 1, n, "2006-02-15 05:02:19") for i, n in
             enumerate(("English", "Italian", "Japanese", "Mandarin", "French", "German"))])
        ins("category", ("category_id", "name", "last_update"),
            [(i + 1, n, "2006-02-15 04:46:27") for i, n in enumerate(
                ("Action", "Animation", "Children", "Classics", "Comedy", "Documentary", "Drama", "Family",
                 "Foreign", "Games", "Horror", "Music", "New", "Sci-Fi", "Sports", "Travel"))])
        ins("country", ("country_id", "country", "last_update"),
            [(i + 1, n, "2006-02-15 04:44:00") for i, n in
             enumerate(("Afghanistan", "Algeria", "Canada", "Australia", "Japan"))])
        ins("city", ("city_id", "city", "country_id", "last_update"),
            [(i + 1, f"City {i + 1}", i % 5 + 1, "2006-02-15 04:45:25") for i in range(12)])
        ins("actor", ("actor_id", "first_name", "last_name", "last_update"),
            [(i + 1, rnd.choice(FIRST), rnd.choice(LAST), base) for i in range(40)])

        n_addr = 4 + n_customers  # stores 1-2, staff 3-4, then one per customer (Sakila's layout)
        db.executemany(
            "INSERT INTO address (address_id, address, address2, district, city_id, postal_code, phone, "
            "location, last_update) VALUES (?, ?, ?, ?, ?, ?, ?, ST_GeomFromText(?), ?)",
            [(i, f"{rnd.randint(1, 1999)} {rnd.choice(WORDS).title()} Street", "" if i > 4 else None,
              rnd.choice(("Alberta", "QLD", "Nagasaki", "Texas")), rnd.randint(1, 12),
              None if i <= 4 else f"{rnd.randint(10000, 99999)}", f"{rnd.randint(10**9, 10**10 - 1)}",
              f"POINT({rnd.uniform(-120, 140):.6f} {rnd.uniform(-40, 60):.6f})", LOADED["address"])
             for i in range(1, n_addr + 1)])

        film_rows = [(i, f"{WORDS[i % len(WORDS)]} {WORDS[(i * 7) % len(WORDS)]} {i}",
                      f"A Epic Drama of a {rnd.choice(WORDS).title()} who must meet a Dog", 2006, 1, None,
                      rnd.randint(3, 7), rnd.choice(("0.99", "2.99", "4.99")), rnd.randint(46, 185),
                      rnd.choice(("9.99", "14.99", "19.99", "24.99", "29.99")),
                      rnd.choice(("G", "PG", "PG-13", "R", "NC-17")),
                      ",".join(f for f in ("Trailers", "Commentaries", "Deleted Scenes", "Behind the Scenes")
                               if rnd.random() < 0.4) or None, LOADED["film"])
                     for i in range(1, n_films + 1)]
        db.executemany(  # the film_text rows come from the ins_film trigger
            "INSERT INTO film (film_id, title, description, release_year, language_id, original_language_id, "
            "rental_duration, rental_rate, length, replacement_cost, rating, special_features, last_update) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", film_rows)
        ins("film_actor", ("actor_id", "film_id", "last_update"),
            [(a, f, "2006-02-15 05:05:03") for f in range(1, n_films + 1)
             for a in sorted(rnd.sample(range(1, 41), rnd.randint(2, 6)))])
        ins("film_category", ("film_id", "category_id", "last_update"),
            [(f, rnd.randint(1, 16), "2006-02-15 05:07:09") for f in range(1, n_films + 1)])

        ins("staff", ("staff_id", "first_name", "last_name", "address_id", "picture", "email", "store_id",
                      "active", "username", "password", "last_update"),
            [(1, "Mike", "Hillyer", 3, bytes(range(256)) * 4, "Mike.Hillyer@sakilastaff.com", 1, 1, "Mike",
              hashlib.sha1(b"Mike").hexdigest(), "2006-02-15 03:57:16"),
             (2, "Jon", "Stephens", 4, None, "Jon.Stephens@sakilastaff.com", 2, 1, "Jon", None,
              "2006-02-15 03:57:16")])
        ins("store", ("store_id", "manager_staff_id", "address_id", "last_update"),
            [(1, 1, 1, base), (2, 2, 2, base)])
        people = []
        for cid in range(1, n_customers + 1):
            first, last = rnd.choice(FIRST), rnd.choice(LAST)
            people.append((cid, rnd.choice((1, 2)), first, last, f"{first}.{last}@sakilacustomer.org",
                           cid + 4, 0 if rnd.random() < 0.03 else 1, CREATE_DATE, LOADED["customer"]))
        ins("customer", ("customer_id", "store_id", "first_name", "last_name", "email", "address_id",
                         "active", "create_date", "last_update"), people)

        copies = []  # (inventory_id, film_id, store_id), in film order like Sakila
        for f in range(1, n_films - NO_COPIES + 1):
            for store in (1, 2):
                for _ in range(rnd.randint(0 if store == 2 else 1, 4)):
                    copies.append((len(copies) + 1, f, store))
        ins("inventory", ("inventory_id", "film_id", "store_id", "last_update"),
            [(*c, LOADED["inventory"]) for c in copies])

        terms = {r[0]: (r[6], int(r[7].replace('.', ''))) for r in film_rows}  # duration, rate cents
        rentals, payments = _history(rnd, copies, n_customers, per_day, terms)
        ins("rental", ("rental_id", "rental_date", "inventory_id", "customer_id", "return_date", "staff_id",
                       "last_update"), rentals)
        ins("payment", ("payment_id", "customer_id", "staff_id", "rental_id", "amount", "payment_date",
                        "last_update"), payments)
    days = sorted({r[1][:10] for r in rentals})
    return LegacyFacts(
        first_day=dt.date.fromisoformat(days[0]), last_rental_day=dt.date.fromisoformat(days[-1]),
        last_day=dt.date.fromisoformat(days[-1]), stamped=dt.date.fromisoformat(LOADED["rental"][:10]),
        rentals=len(rentals),
        open_rentals=sum(r[4] is None for r in rentals), payments=len(payments), customers=n_customers,
        active_customers=sum(p[6] for p in people))


def _history(rnd: random.Random, copies: list[tuple], n_customers: int, per_day: int,
             terms: dict[int, tuple[int, int]]) -> tuple[list[tuple], list[tuple]]:
    """Rentals with returns (no copy out twice), and Sakila-style payments: rate plus late days in one."""
    free_at = {c[0]: "" for c in copies}
    film_of = {c[0]: c[1] for c in copies}
    raw = []  # (rental_date, inventory_id, customer_id, return_date, staff_id)
    for start, n_days in BURSTS:
        for d in range(n_days):
            day = start + dt.timedelta(days=d)
            n = rnd.randint(per_day // 2, per_day * 3 // 2)
            for secs in sorted(rnd.randint(0, 86_399) for _ in range(n)):
                when = _ts(day, secs)
                free = [i for i, t in free_at.items() if t < when]
                if not free:
                    continue
                inv = rnd.choice(free)  # any store's copy: Sakila customers rent across stores
                back = _ts(day, secs + rnd.randint(3_600, 10 * 86_400))
                free_at[inv] = back
                raw.append((when, inv, rnd.randint(1, n_customers), back, rnd.choice((1, 2))))
    last = _ts(FINAL_DAY, FINAL_TIME.hour * 3600 + FINAL_TIME.minute * 60 + FINAL_TIME.second)
    free = sorted(i for i, t in free_at.items() if t < last)
    for inv in rnd.sample(free, min(len(free), per_day)):
        raw.append((last, inv, rnd.randint(1, n_customers), None, rnd.choice((1, 2))))
    rentals = [(i + 1, when, inv, cust, back, staff, LOADED["rental"])
               for i, (when, inv, cust, back, staff) in enumerate(sorted(raw))]

    payments = []
    for rid, when, inv, cust, back, staff, _ in rentals:
        duration, cents = terms[film_of[inv]]
        if back is not None:
            late = (dt.date.fromisoformat(back[:10]) - dt.date.fromisoformat(when[:10])).days - duration
            cents += 100 * max(0, late)
        if rnd.random() < 0.002:
            continue  # Sakila has a few rentals without a payment
        payments.append([cust, staff, rid, f"{cents // 100}.{cents % 100:02d}", when])
    for _ in range(5):  # and a few payments without a rental
        when = rentals[rnd.randrange(len(rentals) - per_day)][1]
        payments.append([rnd.randint(1, n_customers), rnd.choice((1, 2)), None, "0.99", when])
    payments.sort(key=lambda p: (p[0], p[4]))  # Sakila numbers payments by customer, then date
    first_id = PAYMENT_ID_END - len(payments) + 1
    return rentals, [(first_id + i, *p, LOADED["payment"]) for i, p in enumerate(payments)]
