"""Classic Sakila exercises: the queries an SQL course asks about a DVD-rental shop.

Each query is written to run unchanged on SQLite and on MySQL/MariaDB: joins, GROUP BY/HAVING,
subqueries, LIKE, the Sakila views and plain date literals (`rental_date >= '2005-07-05' AND
rental_date < '2005-07-06'`), with no engine-specific function. The only string function used on a
date is SUBSTR(col, start, len), which both engines apply to the text form 'YYYY-MM-DD HH:MM:SS'. No
`||` or CONCAT, no backticks or double-quoted names, no integer division, and every GROUP BY names
all selected columns (MySQL's ONLY_FULL_GROUP_BY).

`needs` says what a query needs to be meaningful:

- "schema": any database with Sakila's tables and views (the simulated ones included; Sakila's 16
  category names and 6 language names are part of that reference data, the simulation has them too);
- "dates": rows in Sakila's own period. These name dates on which real Sakila has rentals (2005-05-24
  .. 31, 2005-06-14 .. 21, 2005-07-05 .. 31, 2005-08-01) and that a `sakila-2005` run of 10 weeks or
  more covers. None is a bare aggregate: they list rows or groups, so an empty period gives 0 rows;
- "names": film, actor, customer, city and country names of the real Sakila data (on a simulated
  database they run but find nothing).

`run_all(db)` runs them on a `dvdrental.storage` Database and returns {name: row count}.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

NEEDS = ("schema", "dates", "names")


class Query(NamedTuple):
    name: str
    sql: str
    needs: str  # one of NEEDS


QUERIES: list[Query] = [
    # ---- the schema only ----------------------------------------------------------------------------
    Query("films_per_rating", """
        SELECT rating, COUNT(*) AS films
        FROM film
        GROUP BY rating
        ORDER BY films DESC""", "schema"),
    Query("ten_longest_films", """
        SELECT title, length
        FROM film
        WHERE length IS NOT NULL
        ORDER BY length DESC, title
        LIMIT 10""", "schema"),
    Query("films_longer_than_average", """
        SELECT title, length
        FROM film
        WHERE length > (SELECT AVG(length) FROM film)
        ORDER BY length DESC, title""", "schema"),
    Query("films_per_category", """
        SELECT c.name AS category, COUNT(fc.film_id) AS films
        FROM category c
        LEFT JOIN film_category fc ON fc.category_id = c.category_id
        GROUP BY c.category_id, c.name
        ORDER BY films DESC, category""", "schema"),
    Query("family_films", """
        SELECT f.title, f.rating
        FROM film f
        JOIN film_category fc ON fc.film_id = f.film_id
        JOIN category c ON c.category_id = fc.category_id
        WHERE c.name = 'Family'
        ORDER BY f.title""", "schema"),
    Query("films_per_language", """
        SELECT l.name AS language, COUNT(f.film_id) AS films
        FROM language l
        LEFT JOIN film f ON f.language_id = l.language_id
        GROUP BY l.language_id, l.name
        ORDER BY films DESC""", "schema"),
    Query("films_with_deleted_scenes", """
        SELECT title, special_features
        FROM film
        WHERE special_features LIKE '%Deleted Scenes%'
        ORDER BY title""", "schema"),
    Query("actors_sharing_a_last_name", """
        SELECT last_name, COUNT(*) AS actors
        FROM actor
        GROUP BY last_name
        HAVING COUNT(*) > 1
        ORDER BY actors DESC, last_name""", "schema"),
    Query("busiest_actors", """
        SELECT a.actor_id, a.first_name, a.last_name, COUNT(*) AS films
        FROM actor a
        JOIN film_actor fa ON fa.actor_id = a.actor_id
        GROUP BY a.actor_id, a.first_name, a.last_name
        ORDER BY films DESC, a.actor_id
        LIMIT 10""", "schema"),
    Query("copies_per_store", """
        SELECT store_id, COUNT(*) AS copies, COUNT(DISTINCT film_id) AS titles
        FROM inventory
        GROUP BY store_id""", "schema"),
    Query("films_not_in_stock", """
        SELECT f.film_id, f.title
        FROM film f
        WHERE NOT EXISTS (SELECT 1 FROM inventory i WHERE i.film_id = f.film_id)
        ORDER BY f.title""", "schema"),
    Query("ten_most_rented_films", """
        SELECT f.title, COUNT(r.rental_id) AS rentals
        FROM film f
        JOIN inventory i ON i.film_id = f.film_id
        JOIN rental r ON r.inventory_id = i.inventory_id
        GROUP BY f.film_id, f.title
        ORDER BY rentals DESC, f.title
        LIMIT 10""", "schema"),
    Query("revenue_per_category", """
        SELECT c.name AS category, SUM(p.amount) AS revenue
        FROM payment p
        JOIN rental r ON r.rental_id = p.rental_id
        JOIN inventory i ON i.inventory_id = r.inventory_id
        JOIN film_category fc ON fc.film_id = i.film_id
        JOIN category c ON c.category_id = fc.category_id
        GROUP BY c.name
        ORDER BY revenue DESC""", "schema"),
    Query("customers_per_store", """
        SELECT store_id, COUNT(*) AS customers, SUM(CASE WHEN active = 1 THEN 1 ELSE 0 END) AS active
        FROM customer
        GROUP BY store_id""", "schema"),
    Query("customers_per_country", """
        SELECT co.country, COUNT(*) AS customers
        FROM customer cu
        JOIN address a ON a.address_id = cu.address_id
        JOIN city ci ON ci.city_id = a.city_id
        JOIN country co ON co.country_id = ci.country_id
        GROUP BY co.country
        ORDER BY customers DESC, co.country""", "schema"),
    Query("top_ten_customers_by_spend", """
        SELECT cu.customer_id, cu.first_name, cu.last_name, SUM(p.amount) AS spent
        FROM customer cu
        JOIN payment p ON p.customer_id = cu.customer_id
        GROUP BY cu.customer_id, cu.first_name, cu.last_name
        ORDER BY spent DESC, cu.customer_id
        LIMIT 10""", "schema"),
    Query("customers_spending_above_average", """
        SELECT customer_id, SUM(amount) AS spent
        FROM payment
        GROUP BY customer_id
        HAVING SUM(amount) > (SELECT SUM(amount) / COUNT(DISTINCT customer_id) FROM payment)
        ORDER BY spent DESC""", "schema"),
    Query("rentals_and_revenue_per_staff", """
        SELECT s.staff_id, s.first_name, s.last_name, s.store_id,
               COUNT(p.payment_id) AS payments, SUM(p.amount) AS taken
        FROM staff s
        LEFT JOIN payment p ON p.staff_id = s.staff_id
        GROUP BY s.staff_id, s.first_name, s.last_name, s.store_id
        ORDER BY s.staff_id""", "schema"),
    Query("open_rentals_with_phone", """
        SELECT cu.first_name, cu.last_name, a.phone, f.title, r.rental_date
        FROM rental r
        JOIN customer cu ON cu.customer_id = r.customer_id
        JOIN address a ON a.address_id = cu.address_id
        JOIN inventory i ON i.inventory_id = r.inventory_id
        JOIN film f ON f.film_id = i.film_id
        WHERE r.return_date IS NULL
        ORDER BY r.rental_date""", "schema"),
    Query("rentals_per_hour_of_day", """
        SELECT SUBSTR(rental_date, 12, 2) AS hour_of_day, COUNT(*) AS rentals
        FROM rental
        GROUP BY SUBSTR(rental_date, 12, 2)
        ORDER BY hour_of_day""", "schema"),
    Query("view_customer_list", """
        SELECT name, city, country, notes
        FROM customer_list
        ORDER BY country, city, name""", "schema"),
    Query("view_film_list", """
        SELECT title, category, price, length, rating, actors
        FROM film_list
        WHERE rating = 'PG-13'
        ORDER BY title""", "schema"),
    Query("view_staff_list", """
        SELECT name, city, country, phone
        FROM staff_list""", "schema"),
    Query("view_sales_by_store", """
        SELECT store, manager, total_sales
        FROM sales_by_store""", "schema"),
    Query("view_sales_by_film_category", """
        SELECT category, total_sales
        FROM sales_by_film_category
        WHERE total_sales > 0""", "schema"),
    Query("view_actor_info", """
        SELECT first_name, last_name, film_info
        FROM actor_info
        WHERE film_info IS NOT NULL
        ORDER BY last_name, first_name
        LIMIT 20""", "schema"),
    # ---- Sakila's dates ------------------------------------------------------------------------------
    Query("rentals_on_the_first_day", """
        SELECT r.rental_id, r.rental_date, f.title
        FROM rental r
        JOIN inventory i ON i.inventory_id = r.inventory_id
        JOIN film f ON f.film_id = i.film_id
        WHERE r.rental_date >= '2005-05-24' AND r.rental_date < '2005-05-25'
        ORDER BY r.rental_date""", "dates"),
    Query("rentals_per_day_in_july_2005", """
        SELECT SUBSTR(rental_date, 1, 10) AS day, COUNT(*) AS rentals
        FROM rental
        WHERE rental_date >= '2005-07-01' AND rental_date < '2005-08-01'
        GROUP BY SUBSTR(rental_date, 1, 10)
        ORDER BY day""", "dates"),
    Query("rentals_per_month_2005", """
        SELECT SUBSTR(rental_date, 1, 7) AS ym, COUNT(*) AS rentals
        FROM rental
        WHERE rental_date >= '2005-01-01' AND rental_date < '2006-01-01'
        GROUP BY SUBSTR(rental_date, 1, 7)
        ORDER BY ym""", "dates"),
    Query("late_evening_rentals_2005", """
        SELECT rental_id, rental_date, customer_id
        FROM rental
        WHERE rental_date >= '2005-01-01' AND rental_date < '2006-01-01'
          AND SUBSTR(rental_date, 12, 5) >= '22:00'
        ORDER BY rental_date""", "dates"),
    Query("evening_rentals_per_staff_july_2005", """
        SELECT s.staff_id, s.first_name, s.last_name, COUNT(*) AS rentals
        FROM rental r
        JOIN staff s ON s.staff_id = r.staff_id
        WHERE r.rental_date >= '2005-07-05' AND r.rental_date < '2005-08-01'
          AND SUBSTR(r.rental_date, 12, 5) >= '20:00'
        GROUP BY s.staff_id, s.first_name, s.last_name
        ORDER BY rentals DESC""", "dates"),
    Query("payments_in_a_week_of_july_2005", """
        SELECT SUBSTR(payment_date, 1, 10) AS day, COUNT(*) AS payments, SUM(amount) AS total
        FROM payment
        WHERE payment_date BETWEEN '2005-07-05 00:00:00' AND '2005-07-11 23:59:59'
        GROUP BY SUBSTR(payment_date, 1, 10)
        ORDER BY day""", "dates"),
    Query("revenue_per_store_july_2005", """
        SELECT i.store_id, COUNT(*) AS payments, SUM(p.amount) AS revenue
        FROM payment p
        JOIN rental r ON r.rental_id = p.rental_id
        JOIN inventory i ON i.inventory_id = r.inventory_id
        WHERE p.payment_date >= '2005-07-01' AND p.payment_date < '2005-08-01'
        GROUP BY i.store_id
        ORDER BY i.store_id""", "dates"),
    Query("top_films_july_2005", """
        SELECT f.title, COUNT(*) AS rentals
        FROM rental r
        JOIN inventory i ON i.inventory_id = r.inventory_id
        JOIN film f ON f.film_id = i.film_id
        WHERE r.rental_date >= '2005-07-01' AND r.rental_date < '2005-08-01'
        GROUP BY f.film_id, f.title
        ORDER BY rentals DESC, f.title
        LIMIT 10""", "dates"),
    Query("customers_renting_june_14_to_21_2005", """
        SELECT DISTINCT cu.customer_id, cu.first_name, cu.last_name
        FROM customer cu
        JOIN rental r ON r.customer_id = cu.customer_id
        WHERE r.rental_date >= '2005-06-14' AND r.rental_date < '2005-06-22'
        ORDER BY cu.customer_id""", "dates"),
    Query("customers_whose_first_rental_was_in_may_2005", """
        SELECT customer_id, MIN(rental_date) AS first_rental
        FROM rental
        GROUP BY customer_id
        HAVING MIN(rental_date) >= '2005-05-24' AND MIN(rental_date) < '2005-06-01'
        ORDER BY first_rental""", "dates"),
    Query("categories_rented_in_may_2005", """
        SELECT c.name AS category, COUNT(*) AS rentals
        FROM rental r
        JOIN inventory i ON i.inventory_id = r.inventory_id
        JOIN film_category fc ON fc.film_id = i.film_id
        JOIN category c ON c.category_id = fc.category_id
        WHERE r.rental_date BETWEEN '2005-05-24 00:00:00' AND '2005-05-31 23:59:59'
        GROUP BY c.name
        ORDER BY rentals DESC, category""", "dates"),
    # ---- Sakila's own names --------------------------------------------------------------------------
    Query("academy_dinosaur_copies_per_store", """
        SELECT i.store_id, COUNT(*) AS copies
        FROM inventory i
        JOIN film f ON f.film_id = i.film_id
        WHERE f.title = 'ACADEMY DINOSAUR'
        GROUP BY i.store_id""", "names"),
    Query("hunchback_impossible_copies", """
        SELECT f.title, COUNT(i.inventory_id) AS copies
        FROM film f
        JOIN inventory i ON i.film_id = f.film_id
        WHERE f.title = 'HUNCHBACK IMPOSSIBLE'
        GROUP BY f.film_id, f.title""", "names"),
    Query("films_of_penelope_guiness", """
        SELECT f.title, f.release_year
        FROM actor a
        JOIN film_actor fa ON fa.actor_id = a.actor_id
        JOIN film f ON f.film_id = fa.film_id
        WHERE a.first_name = 'PENELOPE' AND a.last_name = 'GUINESS'
        ORDER BY f.title""", "names"),
    Query("actors_in_alone_trip", """
        SELECT a.first_name, a.last_name
        FROM actor a
        WHERE a.actor_id IN (SELECT fa.actor_id
                             FROM film_actor fa
                             JOIN film f ON f.film_id = fa.film_id
                             WHERE f.title = 'ALONE TRIP')
        ORDER BY a.last_name, a.first_name""", "names"),
    Query("actors_with_gen_in_last_name", """
        SELECT actor_id, first_name, last_name
        FROM actor
        WHERE last_name LIKE '%GEN%'
        ORDER BY last_name, first_name""", "names"),
    Query("payments_of_mary_smith", """
        SELECT p.payment_id, p.amount, p.payment_date
        FROM payment p
        JOIN customer cu ON cu.customer_id = p.customer_id
        WHERE cu.first_name = 'MARY' AND cu.last_name = 'SMITH'
        ORDER BY p.payment_date""", "names"),
    Query("customers_in_canada", """
        SELECT cu.first_name, cu.last_name, cu.email
        FROM customer cu
        JOIN address a ON a.address_id = cu.address_id
        JOIN city ci ON ci.city_id = a.city_id
        JOIN country co ON co.country_id = ci.country_id
        WHERE co.country = 'Canada'
        ORDER BY cu.last_name""", "names"),
    Query("store_in_lethbridge", """
        SELECT s.store_id, ci.city, m.first_name, m.last_name
        FROM store s
        JOIN address a ON a.address_id = s.address_id
        JOIN city ci ON ci.city_id = a.city_id
        JOIN staff m ON m.staff_id = s.manager_staff_id
        WHERE ci.city = 'Lethbridge'""", "names"),
]


def selected(needs: str | Iterable[str] | None = None) -> list[Query]:
    """The queries whose `needs` is `needs` (one value or several); all when None."""
    if needs is None:
        wanted = set(NEEDS)
    else:
        wanted = {needs} if isinstance(needs, str) else set(needs)
    unknown = wanted - set(NEEDS)
    if unknown:
        raise ValueError(f"unknown needs {sorted(unknown)}; choose from {NEEDS}")
    return [q for q in QUERIES if q.needs in wanted]


def run_all(db, needs: str | Iterable[str] | None = None) -> dict[str, int]:
    """Run the selected queries on `db` (a dvdrental.storage Database): {name: rows returned}.

    A query that fails raises its error with the query's name added as a note."""
    counts: dict[str, int] = {}
    for q in selected(needs):
        try:
            counts[q.name] = len(db.query(q.sql))
        except Exception as exc:
            exc.add_note(f"tutorial query {q.name!r} failed on {db.engine}")
            raise
    return counts
