-- Pagila's functions for PostgreSQL, written for this project's schema and money rules (SPEC section
-- 5, Payments), with Pagila's names, parameters and results:
--   * the rental fee is film.rental_rate, paid at rental_date;
--   * a late fee per whole calendar day beyond film.rental_duration is paid at return_date; the fee
--     per day is returns.late_fee_per_day of the configuration kept in sim_state (1.00 when there is
--     none, as in Pagila); one late fee never exceeds the film's replacement_cost in force at the
--     return (Pagila's own function does not cap it);
--   * a lost copy (its rental never returned, the copy retired) costs film.replacement_cost, paid at
--     inventory.retired_at.
-- The same rules as shared/sql/mysql_routines.sql; "today" for rewards_report is the last simulated
-- day. Calendar days are taken from the stored (simulated, time-zone-free) times.

-- The replacement cost or rental rate of a film in force at a moment: sim_film_price keeps each price
-- until the moment it changed (valid_until); after the last change the film's own price holds.
CREATE FUNCTION _price_at(p_film_id integer, p_at timestamp, p_what text) RETURNS numeric
    LANGUAGE sql STABLE AS $$
    SELECT COALESCE(
        (SELECT CASE WHEN p_what = 'rate' THEN h.rental_rate ELSE h.replacement_cost END
           FROM sim_film_price AS h
          WHERE h.film_id = p_film_id AND h.valid_until > p_at
          ORDER BY h.valid_until LIMIT 1),
        (SELECT CASE WHEN p_what = 'rate' THEN f.rental_rate ELSE f.replacement_cost END
           FROM film AS f WHERE f.film_id = p_film_id))
$$;

CREATE FUNCTION get_customer_balance(p_customer_id integer, p_effective_date timestamp with time zone)
    RETURNS numeric
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_at timestamp := p_effective_date::timestamp;
    v_fee_per_day numeric;
    v_charges numeric;
    v_payments numeric;
BEGIN
    BEGIN
        SELECT (s.config::jsonb -> 'returns' ->> 'late_fee_per_day')::numeric INTO v_fee_per_day
          FROM sim_state AS s WHERE s.id = 1;
    EXCEPTION WHEN OTHERS THEN
        v_fee_per_day := NULL;
    END;
    v_fee_per_day := COALESCE(v_fee_per_day, 1.00);

    -- per rental made by then: its fee at the price then, unless refunded by then; its late fee, at the
    -- return if back by then, else up to v_at while out, capped at the replacement cost in force then;
    -- and the replacement cost when the copy was declared lost, if it was by then
    SELECT COALESCE(SUM(
             CASE WHEN EXISTS (SELECT 1 FROM payment AS rf WHERE rf.rental_id = r.rental_id
                               AND rf.amount < 0 AND rf.payment_date <= v_at) THEN 0
                  ELSE _price_at(i.film_id, r.rental_date, 'rate') END
           + CASE WHEN r.return_date IS NOT NULL AND r.return_date <= v_at
                    THEN LEAST(GREATEST(r.return_date::date - r.rental_date::date - f.rental_duration, 0)
                               * v_fee_per_day, _price_at(i.film_id, r.return_date, 'cost'))
                  WHEN r.return_date IS NULL AND i.retired_at IS NOT NULL AND i.retired_at <= v_at
                    THEN _price_at(i.film_id, i.retired_at, 'cost')
                  ELSE LEAST(GREATEST(v_at::date - r.rental_date::date - f.rental_duration, 0)
                             * v_fee_per_day, _price_at(i.film_id, v_at, 'cost'))
             END), 0)
      INTO v_charges
      FROM rental AS r
      JOIN inventory AS i ON i.inventory_id = r.inventory_id
      JOIN film AS f ON f.film_id = i.film_id
     WHERE r.customer_id = p_customer_id AND r.rental_date <= v_at;

    SELECT COALESCE(SUM(p.amount), 0) INTO v_payments
      FROM payment AS p
     WHERE p.customer_id = p_customer_id AND p.payment_date <= v_at;

    RETURN v_charges - v_payments;
END
$$;

-- The customer who has the copy out (a lost copy stays with the customer who never brought it back).
CREATE FUNCTION inventory_held_by_customer(p_inventory_id integer) RETURNS integer
    LANGUAGE sql STABLE AS $$
    SELECT r.customer_id
      FROM rental AS r
     WHERE r.inventory_id = p_inventory_id AND r.return_date IS NULL
     ORDER BY r.rental_date DESC, r.rental_id DESC
     LIMIT 1
$$;

-- TRUE when the copy exists, is not retired and is not out on a rental.
CREATE FUNCTION inventory_in_stock(p_inventory_id integer) RETURNS boolean
    LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM inventory AS i
                    WHERE i.inventory_id = p_inventory_id AND i.retired_at IS NULL)
       AND NOT EXISTS (SELECT 1 FROM rental AS r
                        WHERE r.inventory_id = p_inventory_id AND r.return_date IS NULL)
$$;

-- Copies of the film at the store that are on the shelf (one row per copy; p_film_count is Pagila's
-- OUT column, so each row is a copy's id).
CREATE FUNCTION film_in_stock(p_film_id integer, p_store_id integer, OUT p_film_count integer)
    RETURNS SETOF integer
    LANGUAGE sql STABLE AS $$
    SELECT i.inventory_id
      FROM inventory AS i
     WHERE i.film_id = p_film_id AND i.store_id = p_store_id AND inventory_in_stock(i.inventory_id)
     ORDER BY i.inventory_id
$$;

-- Copies of the film at the store that are out on a rental (retired copies excluded).
CREATE FUNCTION film_not_in_stock(p_film_id integer, p_store_id integer, OUT p_film_count integer)
    RETURNS SETOF integer
    LANGUAGE sql STABLE AS $$
    SELECT i.inventory_id
      FROM inventory AS i
     WHERE i.film_id = p_film_id AND i.store_id = p_store_id AND i.retired_at IS NULL
       AND NOT inventory_in_stock(i.inventory_id)
     ORDER BY i.inventory_id
$$;

-- The last day of the month of a moment.
CREATE FUNCTION last_day(timestamp with time zone) RETURNS date
    LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT (date_trunc('month', $1::timestamp) + interval '1 month' - interval '1 day')::date
$$;

-- Customers with at least min_monthly_purchases payments adding up to min_dollar_amount_purchased in
-- the month before the last simulated day's month (the clock's, without sim_state).
CREATE FUNCTION rewards_report(min_monthly_purchases integer, min_dollar_amount_purchased numeric)
    RETURNS SETOF customer
    LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_reference date;
    v_month_end date;
    v_month_start date;
BEGIN
    IF min_monthly_purchases IS NULL OR min_monthly_purchases <= 0 THEN
        RAISE EXCEPTION 'Minimum monthly purchases parameter must be > 0';
    END IF;
    IF min_dollar_amount_purchased IS NULL OR min_dollar_amount_purchased <= 0.00 THEN
        RAISE EXCEPTION 'Minimum monthly dollar amount purchased parameter must be > $0.00';
    END IF;
    BEGIN
        SELECT s.last_day::date INTO v_reference FROM sim_state AS s WHERE s.id = 1;
    EXCEPTION WHEN OTHERS THEN
        v_reference := NULL;
    END;
    v_reference := COALESCE(v_reference, CURRENT_DATE);
    v_month_end := date_trunc('month', v_reference)::date;
    v_month_start := (v_month_end - interval '1 month')::date;

    RETURN QUERY
    SELECT c.*
      FROM customer AS c
      JOIN (SELECT p.customer_id
              FROM payment AS p
             WHERE p.payment_date >= v_month_start AND p.payment_date < v_month_end
             GROUP BY p.customer_id
            HAVING COUNT(*) >= min_monthly_purchases
               AND SUM(p.amount) >= min_dollar_amount_purchased) AS rewardees
        ON rewardees.customer_id = c.customer_id
     ORDER BY c.customer_id;
END
$$;

-- Pagila's group_concat aggregate: values joined with ', ' (the views' actor lists use it).
CREATE FUNCTION _group_concat(text, text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN $2 IS NULL THEN $1 WHEN $1 IS NULL THEN $2 ELSE $1 || ', ' || $2 END
$$;

CREATE AGGREGATE group_concat(text) (SFUNC = _group_concat, STYPE = text);
