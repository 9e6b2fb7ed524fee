"""One simulated day: state + day + seeded RNG -> events.

Order within a day: morning work (releases, stock; see `morning`), churn at midnight on Mondays,
reactivations and sign-ups, then rentals and returns merged in time order, then (level 4) late changes
to earlier days after closing. Rentals draw in bulk with numpy; only the shelf walk, whose outcome
depends on the previous rental, loops in Python.
"""

from __future__ import annotations

import heapq
from collections import Counter
from typing import Callable

import numpy as np

from .calendar import DAY, weekday
from .changes import finish
from .places import addresses
from .customers import new_customers_expected
from .events import DayEvents, DayStats
from .late import late_changes
from .returns import late_fee, overdue_days
from .rng import day_rng
from .state import Model, SimState

#: Extra morning work (film releases, scheduled stock) plugged in by higher levels.
MorningHook = Callable[[SimState, Model, int, DayEvents], None]


def morning_work(model: Model) -> tuple[MorningHook, ...]:
    """What happens before opening at this config's level: releases, the schedule, then what was
    planned by hand for the day (at any level)."""
    from .releases import planned_stock, weekly_releases
    from .restock import scheduled_restock
    hooks: list[MorningHook] = []
    if model.cfg.film_releases.films_per_month > 0:
        hooks.append(weekly_releases)
    if model.cfg.inventory_schedule.every_weeks > 0:
        hooks.append(scheduled_restock)
    hooks.append(planned_stock)
    return tuple(hooks)


def step(state: SimState, model: Model, morning: tuple[MorningHook, ...] | None = None) -> DayEvents:
    """Simulate the day after `state.day`; mutates `state` and returns what happened."""
    day = state.day + 1
    t0, end = day * DAY, (day + 1) * DAY
    ev = DayEvents(day)
    ev.stats = stats = DayStats(day)
    for hook in morning_work(model) if morning is None else morning:
        hook(state, model, day, ev)

    rc = day_rng(model.seed, "customers", day)
    forced, n_back = _customer_moves(state, model, day, rc, ev)

    rd = day_rng(model.seed, "demand", day)
    n, spike, expected = model.demand.draw_count(rd, day)
    times = model.demand.draw_times(rd, day, n)
    stats.demand, stats.spike, stats.expected = n, spike, expected

    rr = day_rng(model.seed, "rentals", day)
    renter, slot = _assign_renters(state, rr, n, forced)
    arrive = _arrival_times(model, rr, t0, times, slot)
    _welcome(state, model, day, rc, ev, forced, n_back, arrive)
    store_of = state.customers.store[renter]
    candidates = _film_candidates(state, model, rr, day, store_of)
    staff_pick = rr.random(n)

    _run_counter(state, model, ev, times, renter, store_of, candidates, staff_pick, end)
    if state.history is not None:
        state.history.record_day(ev)
        late_changes(state, model, day, ev)
    state.day = day
    return finish(ev, state.counters)


def _customer_moves(state: SimState, model: Model, day: int, rc: np.random.Generator,
                    ev: DayEvents) -> tuple[np.ndarray, int]:
    """Churn, reactivation and sign-up counts; returns who must rent today and how many came back."""
    cfg = model.cfg.customers
    cust = state.customers
    t0 = day * DAY
    churned = np.zeros(0, np.int64)
    if weekday(day) == 0:
        idle = cust.idle_candidates(t0, cfg.churn_idle_weeks)
        churned = idle[rc.random(len(idle)) < cfg.churn_probability]
        cust.active[churned] = False
        for cid in churned.tolist():
            ev.customer_updates.append((cid, 0, t0))
            ev.customer_events.append((cid, t0, "churn"))
    ev.stats.churned = len(churned)

    inactive = cust.inactive_ids()
    if len(churned):
        inactive = np.setdiff1d(inactive, churned, assume_unique=True)
    back = inactive[rc.random(len(inactive)) < model.reactivation]
    active = len(cust.active_ids())
    n_new = int(rc.poisson(new_customers_expected(cfg, model.demand.weekly_expected(day), active)))
    new_ids = state.next_ids("customer", n_new)
    return np.concatenate([back, new_ids]).astype(np.int64), len(back)


def _assign_renters(state: SimState, rr: np.random.Generator, n: int,
                    forced: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Customer per rental slot: returning and new customers first, the rest by propensity.

    Returns the renter per slot (0 = nobody) and the slot of each forced customer (-1 = none left).
    """
    cust = state.customers
    pool = cust.active_ids()
    if len(forced):
        pool = pool[~np.isin(pool, forced)]
    perm = rr.permutation(n)
    k = min(len(forced), n)
    renter = np.zeros(n, np.int64)
    renter[perm[:k]] = forced[:k]
    slot = np.full(len(forced), -1, np.int64)
    slot[:k] = perm[:k]
    free = perm[k:]
    u = rr.random(len(free))
    if len(free) and len(pool):
        weights = np.cumsum(cust.propensity[pool])
        pick = np.searchsorted(weights, u * weights[-1], side="right")
        renter[free] = pool[np.minimum(pick, len(pool) - 1)]
    return renter, slot


def _arrival_times(model: Model, rr: np.random.Generator, t0: int, times: np.ndarray,
                   slot: np.ndarray) -> np.ndarray:
    """When each forced customer walks in: a few minutes before their rental, else any time today."""
    offsets = rr.integers(60, 1800, len(slot))
    loose = model.demand.draw_seconds(rr, int((slot < 0).sum()))
    arrive = np.empty(len(slot), np.int64)
    has = slot >= 0
    arrive[has] = np.maximum(times[slot[has]] - offsets[has], t0)
    arrive[~has] = t0 + loose
    return arrive


def _welcome(state: SimState, model: Model, day: int, rc: np.random.Generator, ev: DayEvents,
             forced: np.ndarray, n_back: int, arrive: np.ndarray) -> None:
    """Reactivate returning customers and sign up new ones at their arrival times."""
    cust = state.customers
    back, back_ts = forced[:n_back], arrive[:n_back]
    cust.active[back] = True
    cust.seen_ts[back] = back_ts
    for cid, ts in zip(back.tolist(), back_ts.tolist()):
        ev.customer_updates.append((cid, 1, ts))
        ev.customer_events.append((cid, ts, "reactivate"))
    ev.stats.reactivated = n_back

    new_ids, new_ts = forced[n_back:], arrive[n_back:]
    n = len(new_ids)
    ev.stats.new_customers = n
    if not n:
        return
    stores = np.asarray(state.stores)[rc.integers(0, len(state.stores), n)]
    address_ids = state.next_ids("address", n)
    names = model.people.names(rc, n)
    places = addresses(rc, model.local, model.cfg.catalog, state.store_cities, stores.tolist())
    for cid, store, aid, ts, (first, last), (street, district, city, postal, phone) in zip(
            new_ids.tolist(), stores.tolist(), address_ids.tolist(), new_ts.tolist(), names, places):
        ev.addresses.append((aid, street, None, district, city, postal, phone, ts))
        cust.names[cid] = (first, last)
        ev.customers.append((cid, store, first, last, cust.give_email(cid), aid, 1, ts, ts))
    cust.add(new_ids, stores, new_ts, address=address_ids)


def _film_candidates(state: SimState, model: Model, rr: np.random.Generator, day: int,
                     store_of: np.ndarray) -> np.ndarray:
    """`film_choices` films per rental, by popularity among films the customer's store owns."""
    n = len(store_of)
    k = model.cfg.demand.film_choices
    films = state.films
    nf = films.size
    pop = films.popularity(day)
    cand = np.zeros((n, k), np.int64)
    u = rr.random((n, k))
    for store in state.stores:
        rows = np.flatnonzero(store_of == store)
        if not len(rows):
            continue
        cum = np.cumsum(pop * state.stock.films_at(store, nf))
        if cum[-1] <= 0:
            continue
        cand[rows] = np.minimum(np.searchsorted(cum, u[rows] * cum[-1], side="right"), nf - 1)
    return cand


def _run_counter(state: SimState, model: Model, ev: DayEvents, times: np.ndarray, renter: np.ndarray,
                 store_of: np.ndarray, candidates: np.ndarray, staff_pick: np.ndarray, end: int) -> None:
    """Rentals and due returns in time order (a return at the same second comes first)."""
    stock, films, cust, opn, due = state.stock, state.films, state.customers, state.open, state.due
    stats = ev.stats
    fee = int(round(model.cfg.returns.late_fee_per_day * 100))
    pay_id = state.counters["payment"]
    rent_id = state.counters["rental"]
    new = ([], [], [], [], [], [])  # rental_id, ts, inventory, customer, staff, duration
    times_l, renter_l, store_l = times.tolist(), renter.tolist(), store_of.tolist()
    cand_l, pick_l = candidates.tolist(), staff_pick.tolist()
    n = len(times_l)
    i = 0
    # (customer, film) of the copies out: nobody rents a second copy of a film they have at home
    holding = Counter((o.customer_id, int(stock.film[o.inventory_id])) for o in opn.values())
    while True:
        next_due = due[0][0] if due and due[0][0] < end else None
        if i < n and (next_due is None or times_l[i] < next_due):
            ts, c, s = times_l[i], renter_l[i], store_l[i]
            i += 1
            inv = film = 0
            if c:
                for film in cand_l[i - 1]:
                    if film and not holding[(c, film)] and (inv := stock.take(s, film)):
                        break
            if not inv:
                stats.lost_demand += 1
                continue
            crew = state.staff[s]
            staff = crew[int(pick_l[i - 1] * len(crew))]
            ev.rentals.append((rent_id, ts, inv, c, staff))
            ev.payments.append((pay_id, c, staff, rent_id, int(films.rate_cents[film]), ts))
            cust.seen_ts[c] = ts
            holding[(c, film)] += 1
            for col, v in zip(new, (rent_id, ts, inv, c, staff, int(films.duration[film]))):
                col.append(v)
            rent_id += 1
            pay_id += 1
        elif next_due is not None:
            ts, rid = heapq.heappop(due)
            r = opn.pop(rid)
            holding[(r.customer_id, int(stock.film[r.inventory_id]))] -= 1
            if r.lost:
                stock.retire(r.inventory_id)
                ev.retirements.append((r.inventory_id, ts))
                amount = int(films.replacement_cents[stock.film[r.inventory_id]])
                ev.payments.append((pay_id, r.customer_id, r.staff_id, rid, amount, ts))
                pay_id += 1
                stats.copies_retired += 1
            else:
                stock.put_back(r.inventory_id)
                ev.returns.append((rid, ts))
                cents = late_fee(overdue_days(r.rental_ts, ts, r.duration), fee,
                                 int(films.replacement_cents[stock.film[r.inventory_id]]))
                if cents:
                    ev.payments.append((pay_id, r.customer_id, r.staff_id, rid, cents, ts))
                    pay_id += 1
        else:
            break
    state.counters["payment"] = pay_id
    state.counters["rental"] = rent_id
    stats.rentals = len(ev.rentals)
    stats.returns = len(ev.returns)
    stats.payments = len(ev.payments)
    stats.revenue_cents = sum(p[4] for p in ev.payments)
    if new[0]:
        cols = [np.asarray(c, dtype=np.int64) for c in new]
        state.schedule(model, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], end)
