-- dvdrental-live schema for SQLite: the same tables, columns and keys as schema.sql (MySQL,
-- canonical). Times are TEXT 'YYYY-MM-DD HH:MM:SS' (SQLite has no DATETIME), amounts are DECIMAL
-- (NUMERIC affinity). Foreign keys are enforced (the tool turns on PRAGMA foreign_keys).

CREATE TABLE actor (
  actor_id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  first_name VARCHAR(45) NOT NULL,
  last_name VARCHAR(45) NOT NULL,
  last_update DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_actor_last_name ON actor (last_name);

CREATE TABLE country (
  country_id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  country VARCHAR(50) NOT NULL,
  last_update DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE city (
  city_id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  city VARCHAR(50) NOT NULL,
  country_id SMALLINT NOT NULL REFERENCES country (country_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  last_update DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_fk_country_id ON city (country_id);

CREATE TABLE address (
  address_id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  address VARCHAR(50) NOT NULL,
  address2 VARCHAR(50) DEFAULT NULL,
  district VARCHAR(20) NOT NULL,
  city_id SMALLINT NOT NULL REFERENCES city (city_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  postal_code VARCHAR(10) DEFAULT NULL,
  phone VARCHAR(20) NOT NULL,
  location BLOB DEFAULT NULL,
  last_update DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_fk_city_id ON address (city_id);

CREATE TABLE category (
  category_id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  name VARCHAR(25) NOT NULL,
  last_update DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE language (
  language_id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  name CHAR(20) NOT NULL,
  last_update DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE film (
  film_id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  title VARCHAR(128) NOT NULL,
  description TEXT DEFAULT NULL,
  release_year YEAR DEFAULT NULL,
  language_id TINYINT NOT NULL REFERENCES language (language_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  original_language_id TINYINT DEFAULT NULL
    REFERENCES language (language_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  rental_duration TINYINT NOT NULL DEFAULT 3,
  rental_rate DECIMAL(4,2) NOT NULL DEFAULT 4.99,
  length SMALLINT DEFAULT NULL,
  replacement_cost DECIMAL(5,2) NOT NULL DEFAULT 19.99,
  rating VARCHAR(10) DEFAULT 'G' CHECK (rating IN ('G','PG','PG-13','R','NC-17')),
  special_features VARCHAR(100) DEFAULT NULL,
  last_update DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_title ON film (title);
CREATE INDEX idx_fk_language_id ON film (language_id);
CREATE INDEX idx_fk_original_language_id ON film (original_language_id);

CREATE TABLE film_actor (
  actor_id SMALLINT NOT NULL REFERENCES actor (actor_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  film_id INT NOT NULL REFERENCES film (film_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  last_update DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (actor_id, film_id)
);
CREATE INDEX idx_fk_film_id ON film_actor (film_id);

CREATE TABLE film_category (
  film_id INT NOT NULL REFERENCES film (film_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  category_id TINYINT NOT NULL REFERENCES category (category_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  last_update DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (film_id, category_id)
);

CREATE TABLE film_text (
  film_id INTEGER NOT NULL PRIMARY KEY,
  title VARCHAR(255) NOT NULL,
  description TEXT
);

CREATE TABLE staff (
  staff_id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  first_name VARCHAR(45) NOT NULL,
  last_name VARCHAR(45) NOT NULL,
  address_id INT NOT NULL REFERENCES address (address_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  picture BLOB DEFAULT NULL,
  email VARCHAR(50) DEFAULT NULL,
  store_id TINYINT NOT NULL REFERENCES store (store_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  active BOOLEAN NOT NULL DEFAULT 1,
  username VARCHAR(16) NOT NULL,
  password VARCHAR(40) DEFAULT NULL,
  last_update DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_fk_staff_store_id ON staff (store_id);
CREATE INDEX idx_fk_staff_address_id ON staff (address_id);

CREATE TABLE store (
  store_id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  manager_staff_id TINYINT NOT NULL UNIQUE
    REFERENCES staff (staff_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  address_id INT NOT NULL REFERENCES address (address_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  last_update DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_fk_store_address_id ON store (address_id);

CREATE TABLE customer (
  customer_id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  store_id TINYINT NOT NULL REFERENCES store (store_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  first_name VARCHAR(45) NOT NULL,
  last_name VARCHAR(45) NOT NULL,
  email VARCHAR(50) DEFAULT NULL,
  address_id INT NOT NULL REFERENCES address (address_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  active BOOLEAN NOT NULL DEFAULT 1,
  create_date DATETIME NOT NULL,
  last_update DATETIME DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_fk_customer_store_id ON customer (store_id);
CREATE INDEX idx_fk_customer_address_id ON customer (address_id);
CREATE INDEX idx_last_name ON customer (last_name);

CREATE TABLE inventory (
  inventory_id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  film_id INT NOT NULL REFERENCES film (film_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  store_id TINYINT NOT NULL REFERENCES store (store_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  created_at DATETIME NOT NULL,
  retired_at DATETIME DEFAULT NULL,
  last_update DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_fk_inventory_film_id ON inventory (film_id);
CREATE INDEX idx_store_id_film_id ON inventory (store_id, film_id);

CREATE TABLE rental (
  rental_id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  rental_date DATETIME NOT NULL,
  inventory_id INT NOT NULL REFERENCES inventory (inventory_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  customer_id INT NOT NULL REFERENCES customer (customer_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  return_date DATETIME DEFAULT NULL,
  staff_id TINYINT NOT NULL REFERENCES staff (staff_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  last_update DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE (rental_date, inventory_id, customer_id)
);
CREATE INDEX idx_fk_inventory_id ON rental (inventory_id, rental_date);
CREATE INDEX idx_fk_customer_id ON rental (customer_id, rental_date);
CREATE INDEX idx_fk_rental_staff_id ON rental (staff_id);
-- open rentals only: small, and what an incremental run reads to rebuild its state
CREATE INDEX idx_open_rental ON rental (rental_id) WHERE return_date IS NULL;

CREATE TABLE payment (
  payment_id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  customer_id INT NOT NULL REFERENCES customer (customer_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  staff_id TINYINT NOT NULL REFERENCES staff (staff_id) ON DELETE RESTRICT ON UPDATE CASCADE,
  rental_id INT DEFAULT NULL REFERENCES rental (rental_id) ON DELETE SET NULL ON UPDATE CASCADE,
  amount DECIMAL(5,2) NOT NULL,
  payment_date DATETIME NOT NULL,
  last_update DATETIME DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_fk_payment_staff_id ON payment (staff_id);
CREATE INDEX idx_fk_payment_customer_id ON payment (customer_id);
CREATE INDEX idx_fk_rental_id ON payment (rental_id);
CREATE INDEX idx_payment_date ON payment (payment_date);

-- Sakila keeps film_text in step with film through triggers; so do we (they never touch dates).
CREATE TRIGGER ins_film AFTER INSERT ON film BEGIN
  INSERT INTO film_text (film_id, title, description) VALUES (NEW.film_id, NEW.title, NEW.description);
END;
CREATE TRIGGER upd_film AFTER UPDATE ON film
  WHEN OLD.title IS NOT NEW.title OR OLD.description IS NOT NEW.description OR OLD.film_id != NEW.film_id
BEGIN
  UPDATE film_text SET title = NEW.title, description = NEW.description, film_id = NEW.film_id
    WHERE film_id = OLD.film_id;
END;
CREATE TRIGGER del_film AFTER DELETE ON film BEGIN
  DELETE FROM film_text WHERE film_id = OLD.film_id;
END;

-- ---- the simulation's own tables -----------------------------------------------------------

CREATE TABLE sim_state (
  id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  schema_version INT NOT NULL,
  tool_version VARCHAR(20) NOT NULL,
  seed BIGINT NOT NULL,
  start_date DATE NOT NULL,
  last_day DATE NOT NULL,
  origin VARCHAR(20) NOT NULL,
  counters TEXT NOT NULL,
  config TEXT NOT NULL
);

CREATE TABLE sim_customer_event (
  customer_id INT NOT NULL REFERENCES customer (customer_id) ON DELETE CASCADE ON UPDATE CASCADE,
  event_date DATETIME NOT NULL,
  event VARCHAR(12) NOT NULL,
  PRIMARY KEY (event_date, customer_id, event)  -- appended in time order; small enough to scan
);

CREATE TABLE sim_day (
  day DATE NOT NULL PRIMARY KEY,
  expected DECIMAL(10,2) NOT NULL,
  demand INT NOT NULL,
  rentals INT NOT NULL,
  lost_demand INT NOT NULL,
  returns INT NOT NULL,
  new_customers INT NOT NULL,
  churned INT NOT NULL,
  reactivated INT NOT NULL,
  spike TINYINT NOT NULL
);

CREATE TABLE sim_stock_plan (
  plan_id INTEGER NOT NULL PRIMARY KEY,
  day DATE NOT NULL,
  action VARCHAR(10) NOT NULL,
  params TEXT NOT NULL,
  done_at DATETIME DEFAULT NULL
);
CREATE INDEX idx_plan_day ON sim_stock_plan (day);

-- Ground truth of every change to the Sakila tables (ordinary business and late changes), in commit
-- order: which row (pk1, pk2), how (op I/U/D), when (changed_at, simulated), which columns (updates),
-- why (kind) and, for late changes, when the changed record was made (record_at: its age).
CREATE TABLE sim_change_log (
  change_id INTEGER NOT NULL PRIMARY KEY,
  changed_at DATETIME NOT NULL,
  table_name VARCHAR(20) NOT NULL,
  pk1 INT NOT NULL,
  pk2 INT DEFAULT NULL,
  op CHAR(1) NOT NULL,
  changed_columns VARCHAR(100) DEFAULT NULL,
  kind VARCHAR(20) NOT NULL,
  record_at DATETIME DEFAULT NULL
);

-- Film prices before a change: the price that applied to rentals before valid_until (the film row holds
-- the current price). Payment rules and get_customer_balance read the price in force at rental time.
CREATE TABLE sim_film_price (
  film_id INT NOT NULL REFERENCES film (film_id) ON DELETE CASCADE ON UPDATE CASCADE,
  valid_until DATETIME NOT NULL,
  rental_rate DECIMAL(4,2) NOT NULL,
  replacement_cost DECIMAL(5,2) NOT NULL,
  PRIMARY KEY (film_id, valid_until)
);
