-- Sakila's seven views for SQLite (3.40+), the counterparts of mysql_views.sql: same names, columns
-- and contents. SQLite has no CONCAT, no GROUP_CONCAT ... ORDER BY and no SEPARATOR keyword, so
-- strings are joined with || and group_concat(x, ', ') reads its rows from an ordered subquery
-- (SQLite does not flatten an ordered subquery into an aggregate, so the order holds).
-- Sums are taken in whole cents, then divided, so they carry no floating-point residue.
-- Loaded by dvdrental.storage.sqlite after sqlite_schema.sql, in the same transaction.

CREATE VIEW customer_list AS
SELECT cu.customer_id AS ID,
       cu.first_name || ' ' || cu.last_name AS name,
       a.address AS address,
       a.postal_code AS "zip code",
       a.phone AS phone,
       ci.city AS city,
       co.country AS country,
       CASE WHEN cu.active THEN 'active' ELSE '' END AS notes,
       cu.store_id AS SID
FROM customer AS cu
JOIN address AS a ON a.address_id = cu.address_id
JOIN city AS ci ON ci.city_id = a.city_id
JOIN country AS co ON co.country_id = ci.country_id;

CREATE VIEW film_list AS
SELECT f.film_id AS FID,
       f.title AS title,
       f.description AS description,
       cat.name AS category,
       f.rental_rate AS price,
       f.length AS length,
       f.rating AS rating,
       (SELECT group_concat(actor_name, ', ')
          FROM (SELECT ac.first_name || ' ' || ac.last_name AS actor_name
                  FROM film_actor AS fa
                  JOIN actor AS ac ON ac.actor_id = fa.actor_id
                 WHERE fa.film_id = f.film_id
                 ORDER BY ac.actor_id)) AS actors
FROM film AS f
LEFT JOIN film_category AS fc ON fc.film_id = f.film_id
LEFT JOIN category AS cat ON cat.category_id = fc.category_id;

CREATE VIEW nicer_but_slower_film_list AS
SELECT f.film_id AS FID,
       f.title AS title,
       f.description AS description,
       cat.name AS category,
       f.rental_rate AS price,
       f.length AS length,
       f.rating AS rating,
       (SELECT group_concat(actor_name, ', ')
          FROM (SELECT upper(substr(ac.first_name, 1, 1)) || lower(substr(ac.first_name, 2)) || ' ' ||
                       upper(substr(ac.last_name, 1, 1)) || lower(substr(ac.last_name, 2)) AS actor_name
                  FROM film_actor AS fa
                  JOIN actor AS ac ON ac.actor_id = fa.actor_id
                 WHERE fa.film_id = f.film_id
                 ORDER BY ac.actor_id)) AS actors
FROM film AS f
LEFT JOIN film_category AS fc ON fc.film_id = f.film_id
LEFT JOIN category AS cat ON cat.category_id = fc.category_id;

CREATE VIEW staff_list AS
SELECT st.staff_id AS ID,
       st.first_name || ' ' || st.last_name AS name,
       a.address AS address,
       a.postal_code AS "zip code",
       a.phone AS phone,
       ci.city AS city,
       co.country AS country,
       st.store_id AS SID
FROM staff AS st
JOIN address AS a ON a.address_id = st.address_id
JOIN city AS ci ON ci.city_id = a.city_id
JOIN country AS co ON co.country_id = ci.country_id;

CREATE VIEW sales_by_store AS
SELECT ci.city || ',' || co.country AS store,
       m.first_name || ' ' || m.last_name AS manager,
       COALESCE(t.cents, 0) / 100.0 AS total_sales
FROM store AS s
JOIN address AS a ON a.address_id = s.address_id
JOIN city AS ci ON ci.city_id = a.city_id
JOIN country AS co ON co.country_id = ci.country_id
JOIN staff AS m ON m.staff_id = s.manager_staff_id
LEFT JOIN (SELECT i.store_id, SUM(CAST(round(p.amount * 100) AS INTEGER)) AS cents
             FROM payment AS p
             JOIN rental AS r ON r.rental_id = p.rental_id
             JOIN inventory AS i ON i.inventory_id = r.inventory_id
            GROUP BY i.store_id) AS t ON t.store_id = s.store_id
ORDER BY co.country, ci.city;

CREATE VIEW sales_by_film_category AS
SELECT cat.name AS category,
       COALESCE(t.cents, 0) / 100.0 AS total_sales
FROM category AS cat
LEFT JOIN (SELECT fc.category_id, SUM(CAST(round(p.amount * 100) AS INTEGER)) AS cents
             FROM payment AS p
             JOIN rental AS r ON r.rental_id = p.rental_id
             JOIN inventory AS i ON i.inventory_id = r.inventory_id
             JOIN film_category AS fc ON fc.film_id = i.film_id
            GROUP BY fc.category_id) AS t ON t.category_id = cat.category_id
ORDER BY total_sales DESC;

CREATE VIEW actor_info AS
SELECT ac.actor_id AS actor_id,
       ac.first_name AS first_name,
       ac.last_name AS last_name,
       (SELECT group_concat(entry, '; ')
          FROM (SELECT cat.name || ': ' ||
                       (SELECT group_concat(title, ', ')
                          FROM (SELECT f.title AS title
                                  FROM film AS f
                                  JOIN film_category AS fc2 ON fc2.film_id = f.film_id
                                  JOIN film_actor AS fa2 ON fa2.film_id = f.film_id
                                 WHERE fc2.category_id = cat.category_id
                                   AND fa2.actor_id = ac.actor_id
                                 ORDER BY f.title)) AS entry
                  FROM category AS cat
                 WHERE EXISTS (SELECT 1
                                 FROM film_category AS fc
                                 JOIN film_actor AS fa ON fa.film_id = fc.film_id
                                WHERE fc.category_id = cat.category_id
                                  AND fa.actor_id = ac.actor_id)
                 ORDER BY cat.name)) AS film_info
FROM actor AS ac;
