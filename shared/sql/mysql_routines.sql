-- Sakila's stored functions and procedures for MySQL 8 / MariaDB 10.5+, written for this project's
-- schema and money rules (SPEC section 5, Payments):
--   * the rental fee is film.rental_rate, paid at rental_date;
--   * a late fee per whole calendar day beyond film.rental_duration (Sakila's TO_DAYS rule) is paid at
--     return_date; the fee per day is returns.late_fee_per_day of the configuration kept in sim_state
--     (1.00 when there is none, as in Sakila); one late fee never exceeds the film's replacement_cost
--     in force at the return (Sakila's own function does not cap it);
--   * a lost copy (its rental never returned, the copy retired) costs film.replacement_cost, paid at
--     inventory.retired_at.
-- Same names, parameters and meaning as Sakila's. Every routine declares READS SQL DATA, so it can be
-- created while binary logging is on, and runs with the rights of its caller (SQL SECURITY INVOKER).
-- Loaded by dvdrental.storage.mysql after mysql_views.sql; inside a DELIMITER ;; block a statement
-- ends with ;; at the end of a line.

DELIMITER ;;

CREATE FUNCTION get_customer_balance(p_customer_id INT, p_effective_date DATETIME)
RETURNS DECIMAL(10,2)
READS SQL DATA
SQL SECURITY INVOKER
COMMENT 'What the customer owes at p_effective_date: charges up to then minus payments up to then'
BEGIN
  DECLARE v_fee_per_day DECIMAL(10,2) DEFAULT NULL;
  DECLARE v_rental_fees DECIMAL(12,2) DEFAULT 0;
  DECLARE v_late_fees DECIMAL(12,2) DEFAULT 0;
  DECLARE v_lost_copies DECIMAL(12,2) DEFAULT 0;
  DECLARE v_payments DECIMAL(12,2) DEFAULT 0;

  -- the configured late fee per day, if this database has a sim_state with a configuration
  BEGIN
    DECLARE CONTINUE HANDLER FOR SQLEXCEPTION, NOT FOUND SET v_fee_per_day = NULL;
    SELECT CAST(JSON_EXTRACT(config, '$.returns.late_fee_per_day') AS DECIMAL(10,2))
      INTO v_fee_per_day
      FROM sim_state
     WHERE id = 1 AND JSON_VALID(config);
  END;
  SET v_fee_per_day = COALESCE(v_fee_per_day, 1.00);

  -- Rentals made up to the effective date. For each: its rental fee at the price in force when it was
  -- rented (sim_film_price keeps the prices before each change), unless it was refunded by then; its
  -- late fee, the fee per day for each day overdue, counted at the return if it came back by then,
  -- else up to the effective date while it is still out, and never more than the replacement cost in
  -- force then (at the return, or at the effective date); and the replacement cost in force when the
  -- copy was declared lost, if it was by then (never returned, copy retired).
  SELECT COALESCE(SUM(CASE
                        WHEN EXISTS (SELECT 1 FROM payment AS rf WHERE rf.rental_id = r.rental_id
                                     AND rf.amount < 0 AND rf.payment_date <= p_effective_date) THEN 0
                        ELSE COALESCE((SELECT h.rental_rate FROM sim_film_price AS h
                                        WHERE h.film_id = f.film_id AND h.valid_until > r.rental_date
                                        ORDER BY h.valid_until LIMIT 1), f.rental_rate)
                      END), 0),
         COALESCE(SUM(CASE
                        WHEN r.return_date IS NOT NULL AND r.return_date <= p_effective_date
                          THEN LEAST(GREATEST(TO_DAYS(r.return_date) - TO_DAYS(r.rental_date)
                                              - CAST(f.rental_duration AS SIGNED), 0) * v_fee_per_day,
                                     COALESCE((SELECT h.replacement_cost FROM sim_film_price AS h
                                                WHERE h.film_id = f.film_id AND h.valid_until > r.return_date
                                                ORDER BY h.valid_until LIMIT 1), f.replacement_cost))
                        WHEN r.return_date IS NULL AND i.retired_at IS NOT NULL
                             AND i.retired_at <= p_effective_date
                          THEN 0
                        ELSE LEAST(GREATEST(TO_DAYS(p_effective_date) - TO_DAYS(r.rental_date)
                                            - CAST(f.rental_duration AS SIGNED), 0) * v_fee_per_day,
                                   COALESCE((SELECT h.replacement_cost FROM sim_film_price AS h
                                              WHERE h.film_id = f.film_id AND h.valid_until > p_effective_date
                                              ORDER BY h.valid_until LIMIT 1), f.replacement_cost))
                      END), 0),
         COALESCE(SUM(CASE
                        WHEN r.return_date IS NULL AND i.retired_at IS NOT NULL
                             AND i.retired_at <= p_effective_date
                          THEN COALESCE((SELECT h.replacement_cost FROM sim_film_price AS h
                                          WHERE h.film_id = f.film_id AND h.valid_until > i.retired_at
                                          ORDER BY h.valid_until LIMIT 1), f.replacement_cost)
                        ELSE 0
                      END), 0)
    INTO v_rental_fees, v_late_fees, v_lost_copies
    FROM rental AS r
    JOIN inventory AS i ON i.inventory_id = r.inventory_id
    JOIN film AS f ON f.film_id = i.film_id
   WHERE r.customer_id = p_customer_id
     AND r.rental_date <= p_effective_date;

  SELECT COALESCE(SUM(p.amount), 0)
    INTO v_payments
    FROM payment AS p
   WHERE p.customer_id = p_customer_id
     AND p.payment_date <= p_effective_date;

  RETURN v_rental_fees + v_late_fees + v_lost_copies - v_payments;
END;;

CREATE FUNCTION inventory_held_by_customer(p_inventory_id INT)
RETURNS INT
READS SQL DATA
SQL SECURITY INVOKER
COMMENT 'The customer who has the copy out (rental not returned), else NULL'
BEGIN
  DECLARE v_customer_id INT DEFAULT NULL;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_customer_id = NULL;

  -- a lost copy stays with the customer who never brought it back
  SELECT r.customer_id
    INTO v_customer_id
    FROM rental AS r
   WHERE r.inventory_id = p_inventory_id
     AND r.return_date IS NULL
   ORDER BY r.rental_date DESC, r.rental_id DESC
   LIMIT 1;

  RETURN v_customer_id;
END;;

CREATE FUNCTION inventory_in_stock(p_inventory_id INT)
RETURNS BOOLEAN
READS SQL DATA
SQL SECURITY INVOKER
COMMENT 'TRUE when the copy exists, is not retired and is not out on a rental'
BEGIN
  DECLARE v_copies INT DEFAULT 0;
  DECLARE v_out INT DEFAULT 0;

  SELECT COUNT(*)
    INTO v_copies
    FROM inventory AS i
   WHERE i.inventory_id = p_inventory_id
     AND i.retired_at IS NULL;
  IF v_copies = 0 THEN
    RETURN FALSE;
  END IF;

  SELECT COUNT(*)
    INTO v_out
    FROM rental AS r
   WHERE r.inventory_id = p_inventory_id
     AND r.return_date IS NULL;

  RETURN v_out = 0;
END;;

CREATE PROCEDURE rewards_report(IN min_monthly_purchases TINYINT UNSIGNED,
                                IN min_dollar_amount_purchased DECIMAL(10,2),
                                OUT count_rewardees INT)
READS SQL DATA
SQL SECURITY INVOKER
COMMENT 'Customers with enough payments last month (the month before the last simulated day)'
BEGIN
  DECLARE v_reference DATE DEFAULT NULL;
  DECLARE v_month_start DATE;
  DECLARE v_month_end DATE;

  IF min_monthly_purchases IS NULL OR min_monthly_purchases = 0 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'Minimum monthly purchases parameter must be > 0';
  END IF;
  IF min_dollar_amount_purchased IS NULL OR min_dollar_amount_purchased <= 0.00 THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'Minimum monthly dollar amount purchased parameter must be > $0.00';
  END IF;

  -- "today" is the last simulated day; a database without sim_state falls back to the clock
  BEGIN
    DECLARE CONTINUE HANDLER FOR SQLEXCEPTION, NOT FOUND SET v_reference = NULL;
    SELECT s.last_day INTO v_reference FROM sim_state AS s WHERE s.id = 1;
  END;
  SET v_reference = COALESCE(v_reference, CURRENT_DATE);
  SET v_month_end = v_reference - INTERVAL (DAYOFMONTH(v_reference) - 1) DAY;
  SET v_month_start = v_month_end - INTERVAL 1 MONTH;

  SELECT COUNT(*)
    INTO count_rewardees
    FROM (SELECT p.customer_id
            FROM payment AS p
           WHERE p.payment_date >= v_month_start
             AND p.payment_date < v_month_end
           GROUP BY p.customer_id
          HAVING COUNT(*) >= min_monthly_purchases
             AND SUM(p.amount) >= min_dollar_amount_purchased) AS rewardees;

  SELECT c.*
    FROM customer AS c
    JOIN (SELECT p.customer_id
            FROM payment AS p
           WHERE p.payment_date >= v_month_start
             AND p.payment_date < v_month_end
           GROUP BY p.customer_id
          HAVING COUNT(*) >= min_monthly_purchases
             AND SUM(p.amount) >= min_dollar_amount_purchased) AS rewardees
      ON rewardees.customer_id = c.customer_id
   ORDER BY c.customer_id;
END;;

CREATE PROCEDURE film_in_stock(IN p_film_id INT, IN p_store_id INT, OUT p_film_count INT)
READS SQL DATA
SQL SECURITY INVOKER
COMMENT 'Copies of the film at the store that are on the shelf: their ids, and how many'
BEGIN
  SELECT i.inventory_id
    FROM inventory AS i
   WHERE i.film_id = p_film_id
     AND i.store_id = p_store_id
     AND inventory_in_stock(i.inventory_id)
   ORDER BY i.inventory_id;

  SELECT COUNT(*)
    INTO p_film_count
    FROM inventory AS i
   WHERE i.film_id = p_film_id
     AND i.store_id = p_store_id
     AND inventory_in_stock(i.inventory_id);
END;;

CREATE PROCEDURE film_not_in_stock(IN p_film_id INT, IN p_store_id INT, OUT p_film_count INT)
READS SQL DATA
SQL SECURITY INVOKER
COMMENT 'Copies of the film at the store that are out on a rental (retired copies excluded)'
BEGIN
  SELECT i.inventory_id
    FROM inventory AS i
   WHERE i.film_id = p_film_id
     AND i.store_id = p_store_id
     AND i.retired_at IS NULL
     AND NOT inventory_in_stock(i.inventory_id)
   ORDER BY i.inventory_id;

  SELECT COUNT(*)
    INTO p_film_count
    FROM inventory AS i
   WHERE i.film_id = p_film_id
     AND i.store_id = p_store_id
     AND i.retired_at IS NULL
     AND NOT inventory_in_stock(i.inventory_id);
END;;

DELIMITER ;
