-- Sakila's seven views for MySQL 8 / MariaDB 10.5+, written for this project's schema (schema.sql).
--
-- Same view names, column names and meaning as Sakila's, with these differences:
--   * every film, actor, store and category has its row even without copies, cast, category or sales
--     (outer joins; a store or category without sales shows total_sales 0.00);
--   * actor names in film_list are listed in actor_id order, titles in actor_info in title order and
--     categories in name order, so the text is the same on every engine (see sqlite_views.sql);
--   * SQL SECURITY INVOKER: a view runs with the rights of whoever queries it, so a dump restored on
--     another server does not depend on the user that created the database.
-- Loaded by dvdrental.storage.mysql after schema.sql; statements end with ';' at the end of a line.

CREATE SQL SECURITY INVOKER VIEW customer_list AS
SELECT cu.customer_id AS ID,
       CONCAT(cu.first_name, ' ', cu.last_name) AS name,
       a.address AS address,
       a.postal_code AS `zip code`,
       a.phone AS phone,
       ci.city AS city,
       co.country AS country,
       CASE WHEN cu.active THEN 'active' ELSE '' END AS notes,
       cu.store_id AS SID
FROM customer AS cu
JOIN address AS a ON a.address_id = cu.address_id
JOIN city AS ci ON ci.city_id = a.city_id
JOIN country AS co ON co.country_id = ci.country_id;

CREATE SQL SECURITY INVOKER VIEW film_list AS
SELECT f.film_id AS FID,
       f.title AS title,
       f.description AS description,
       cat.name AS category,
       f.rental_rate AS price,
       f.length AS length,
       f.rating AS rating,
       (SELECT GROUP_CONCAT(CONCAT(ac.first_name, ' ', ac.last_name) ORDER BY ac.actor_id SEPARATOR ', ')
          FROM film_actor AS fa
          JOIN actor AS ac ON ac.actor_id = fa.actor_id
         WHERE fa.film_id = f.film_id) AS actors
FROM film AS f
LEFT JOIN film_category AS fc ON fc.film_id = f.film_id
LEFT JOIN category AS cat ON cat.category_id = fc.category_id;

CREATE SQL SECURITY INVOKER VIEW nicer_but_slower_film_list AS
SELECT f.film_id AS FID,
       f.title AS title,
       f.description AS description,
       cat.name AS category,
       f.rental_rate AS price,
       f.length AS length,
       f.rating AS rating,
       (SELECT GROUP_CONCAT(CONCAT(UPPER(LEFT(ac.first_name, 1)), LOWER(SUBSTRING(ac.first_name, 2)), ' ',
                                   UPPER(LEFT(ac.last_name, 1)), LOWER(SUBSTRING(ac.last_name, 2)))
                            ORDER BY ac.actor_id SEPARATOR ', ')
          FROM film_actor AS fa
          JOIN actor AS ac ON ac.actor_id = fa.actor_id
         WHERE fa.film_id = f.film_id) AS actors
FROM film AS f
LEFT JOIN film_category AS fc ON fc.film_id = f.film_id
LEFT JOIN category AS cat ON cat.category_id = fc.category_id;

CREATE SQL SECURITY INVOKER VIEW staff_list AS
SELECT st.staff_id AS ID,
       CONCAT(st.first_name, ' ', st.last_name) AS name,
       a.address AS address,
       a.postal_code AS `zip code`,
       a.phone AS phone,
       ci.city AS city,
       co.country AS country,
       st.store_id AS SID
FROM staff AS st
JOIN address AS a ON a.address_id = st.address_id
JOIN city AS ci ON ci.city_id = a.city_id
JOIN country AS co ON co.country_id = ci.country_id;

CREATE SQL SECURITY INVOKER VIEW sales_by_store AS
SELECT CONCAT(ci.city, ',', co.country) AS store,
       CONCAT(m.first_name, ' ', m.last_name) AS manager,
       COALESCE(t.total_sales, 0.00) AS total_sales
FROM store AS s
JOIN address AS a ON a.address_id = s.address_id
JOIN city AS ci ON ci.city_id = a.city_id
JOIN country AS co ON co.country_id = ci.country_id
JOIN staff AS m ON m.staff_id = s.manager_staff_id
LEFT JOIN (SELECT i.store_id, SUM(p.amount) AS total_sales
             FROM payment AS p
             JOIN rental AS r ON r.rental_id = p.rental_id
             JOIN inventory AS i ON i.inventory_id = r.inventory_id
            GROUP BY i.store_id) AS t ON t.store_id = s.store_id
ORDER BY co.country, ci.city;

CREATE SQL SECURITY INVOKER VIEW sales_by_film_category AS
SELECT cat.name AS category,
       COALESCE(t.total_sales, 0.00) AS total_sales
FROM category AS cat
LEFT JOIN (SELECT fc.category_id, SUM(p.amount) AS total_sales
             FROM payment AS p
             JOIN rental AS r ON r.rental_id = p.rental_id
             JOIN inventory AS i ON i.inventory_id = r.inventory_id
             JOIN film_category AS fc ON fc.film_id = i.film_id
            GROUP BY fc.category_id) AS t ON t.category_id = cat.category_id
ORDER BY total_sales DESC;

CREATE SQL SECURITY INVOKER VIEW actor_info AS
SELECT ac.actor_id AS actor_id,
       ac.first_name AS first_name,
       ac.last_name AS last_name,
       (SELECT GROUP_CONCAT(CONCAT(cat.name, ': ',
                                   (SELECT GROUP_CONCAT(f.title ORDER BY f.title SEPARATOR ', ')
                                      FROM film AS f
                                      JOIN film_category AS fc2 ON fc2.film_id = f.film_id
                                      JOIN film_actor AS fa2 ON fa2.film_id = f.film_id
                                     WHERE fc2.category_id = cat.category_id
                                       AND fa2.actor_id = ac.actor_id))
                            ORDER BY cat.name SEPARATOR '; ')
          FROM category AS cat
         WHERE EXISTS (SELECT 1
                         FROM film_category AS fc
                         JOIN film_actor AS fa ON fa.film_id = fc.film_id
                        WHERE fc.category_id = cat.category_id
                          AND fa.actor_id = ac.actor_id)) AS film_info
FROM actor AS ac;
