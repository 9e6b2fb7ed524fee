-- Pagila's seven views for PostgreSQL, written for this project's schema (postgresql_schema.sql).
--
-- Pagila's view names and column names (lower case: id, fid, sid, "zip code"), with the meaning of
-- Sakila's and the same differences as shared/sql/mysql_views.sql:
--   * every film, actor, store and category has its row even without copies, cast, category or sales
--     (outer joins; a store or category without sales shows total_sales 0.00);
--   * actor names in film_list are listed in actor_id order, titles in actor_info in title order and
--     categories in name order (string_agg ... ORDER BY), so the text is the same on every engine;
--   * no helper aggregate: Pagila defines group_concat for its views, string_agg does the same here.
-- Loaded by dvdrental.storage.postgresql after postgresql_schema.sql, in the same transaction.

CREATE VIEW customer_list AS
SELECT cu.customer_id AS id,
       cu.first_name || ' ' || cu.last_name AS name,
       a.address,
       a.postal_code AS "zip code",
       a.phone,
       ci.city,
       co.country,
       CASE WHEN cu.activebool THEN 'active' ELSE '' END AS notes,
       cu.store_id AS sid
FROM customer AS cu
JOIN address AS a ON a.address_id = cu.address_id
JOIN city AS ci ON ci.city_id = a.city_id
JOIN country AS co ON co.country_id = ci.country_id;

CREATE VIEW film_list AS
SELECT f.film_id AS fid,
       f.title,
       f.description,
       cat.name AS category,
       f.rental_rate AS price,
       f.length,
       f.rating,
       (SELECT string_agg(ac.first_name || ' ' || ac.last_name, ', ' ORDER BY ac.actor_id)
          FROM film_actor AS fa
          JOIN actor AS ac ON ac.actor_id = fa.actor_id
         WHERE fa.film_id = f.film_id) AS actors
FROM film AS f
LEFT JOIN film_category AS fc ON fc.film_id = f.film_id
LEFT JOIN category AS cat ON cat.category_id = fc.category_id;

CREATE VIEW nicer_but_slower_film_list AS
SELECT f.film_id AS fid,
       f.title,
       f.description,
       cat.name AS category,
       f.rental_rate AS price,
       f.length,
       f.rating,
       (SELECT string_agg(upper(left(ac.first_name, 1)) || lower(substr(ac.first_name, 2)) || ' ' ||
                          upper(left(ac.last_name, 1)) || lower(substr(ac.last_name, 2)), ', ' ORDER BY ac.actor_id)
          FROM film_actor AS fa
          JOIN actor AS ac ON ac.actor_id = fa.actor_id
         WHERE fa.film_id = f.film_id) AS actors
FROM film AS f
LEFT JOIN film_category AS fc ON fc.film_id = f.film_id
LEFT JOIN category AS cat ON cat.category_id = fc.category_id;

CREATE VIEW staff_list AS
SELECT st.staff_id AS id,
       st.first_name || ' ' || st.last_name AS name,
       a.address,
       a.postal_code AS "zip code",
       a.phone,
       ci.city,
       co.country,
       st.store_id AS sid
FROM staff AS st
JOIN address AS a ON a.address_id = st.address_id
JOIN city AS ci ON ci.city_id = a.city_id
JOIN country AS co ON co.country_id = ci.country_id;

CREATE VIEW sales_by_store AS
SELECT ci.city || ',' || co.country AS store,
       m.first_name || ' ' || m.last_name AS manager,
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

CREATE VIEW sales_by_film_category AS
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

CREATE VIEW actor_info AS
SELECT ac.actor_id,
       ac.first_name,
       ac.last_name,
       (SELECT string_agg(cat.name || ': ' ||
                          (SELECT string_agg(f.title, ', ' ORDER BY f.title COLLATE "C")
                             FROM film AS f
                             JOIN film_category AS fc2 ON fc2.film_id = f.film_id
                             JOIN film_actor AS fa2 ON fa2.film_id = f.film_id
                            WHERE fc2.category_id = cat.category_id
                              AND fa2.actor_id = ac.actor_id), '; ' ORDER BY cat.name COLLATE "C")
          FROM category AS cat
         WHERE EXISTS (SELECT 1
                         FROM film_category AS fc
                         JOIN film_actor AS fa ON fa.film_id = fc.film_id
                        WHERE fc.category_id = cat.category_id
                          AND fa.actor_id = ac.actor_id)) AS film_info
FROM actor AS ac;
