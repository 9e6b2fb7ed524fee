"""One simulated day: state + day + seeded RNG -> events.

Order within a day: morning work (releases, stock; see `morning`), churn at midnight on Mondays,
reactivations and sign-ups, then rentals and returns merged in time order, then (level 4) late changes
to earlier days after closing. Rentals draw in bulk with numpy; only the shelf walk, whose outcome
depends on the previous rental, loops in Python.
"""

from __future__ import annotations

import heapq
from collections import Counter
from typing import Callable, NamedTuple

import numpy as np

from .calendar import DAY, weekday
from .changes import finish
from .places import addresses
from .customers import FILM_KEY, new_customers_expected
from .events import DayEvents, DayStats
from .late import late_changes
from .returns import late_fee, overdue_days
from .rng import day_rng
from .state import Model, SimState

#: Seconds between two films of one visit (low inclusive, high exclusive).
_GAP = (15, 150)

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


def step(state: SimState, model: Model, morning: tuple[MorningHook, ...] | None = None,
         ops: bool = True) -> DayEvents:
    """Simulate the day after `state.day`; mutates `state` and returns what happened (without the
    ordered `ops` when not `ops`: a store of a sharded chain leaves them to the merge of its day)."""
    day = state.day + 1
    end = (day + 1) * DAY
    ev = DayEvents(day)
    ev.stats = stats = DayStats(day)
    for hook in morning_work(model) if morning is None else morning:
        hook(state, model, day, ev)

    rc = day_rng(model.seed, "customers", day)
    back, n_new = _customer_moves(state, model, day, rc, ev)

    rd = day_rng(model.seed, "demand", day)
    n, spike, expected = model.demand.draw_count(rd, day)
    stats.demand, stats.spike, stats.expected = n, spike, expected

    rr = day_rng(model.seed, "rentals", day)
    visits = _visits(model, rd, rr, day, n)
    forced, n_back = _who_comes(state, back, n_new, len(visits.start))
    who, slot = _assign_visits(state, rr, len(visits.start), forced)
    must = np.zeros(len(visits.start), bool)
    must[slot] = True
    arrive = _arrival_times(model, rr, day, visits.start, slot)
    _welcome(state, model, day, rc, ev, forced, n_back, arrive)
    renter = who[visits.visit]
    store_of = state.customers.store[renter]
    pop = state.films.popularity(day)
    candidates = _film_candidates(state, model, rr, pop, store_of)
    rewatch = rr.random(candidates.shape)
    staff_pick = rr.random(n)
    # a new or returning customer's visit does not end empty: its first item falls back to the most
    # popular film on the shelf
    fallback = must[visits.visit] & visits.first

    _run_counter(state, model, ev, visits.times, renter, store_of, candidates, rewatch, fallback, pop,
                 staff_pick, end)
    if state.history is not None:
        state.history.record_day(ev)
        late_changes(state, model, day, ev)
    state.day = day
    return finish(ev, state.counters) if ops else ev


def _customer_moves(state: SimState, model: Model, day: int, rc: np.random.Generator,
                    ev: DayEvents) -> tuple[np.ndarray, int]:
    """Churn at midnight on Mondays; returns who would come back today and how many would sign up
    (each of them comes only with a visit of the day: see `_who_comes`)."""
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
    return back.astype(np.int64), n_new


class Visits(NamedTuple):
    """The day's rentals grouped into visits: one customer, one or more films (a basket)."""
    times: np.ndarray  # per rental, ascending: epoch seconds
    visit: np.ndarray  # per rental: its visit
    first: np.ndarray  # per rental: the first of its visit
    start: np.ndarray  # per visit: epoch seconds of its first rental


def _visits(model: Model, rd: np.random.Generator, rr: np.random.Generator, day: int, n: int) -> Visits:
    """Group the day's `n` rentals into visits with basket sizes from `customers.basket_weights` (the
    last one truncated, so there are exactly `n`). Visits start at times from the rush profile; the
    films of a basket follow a few seconds to a couple of minutes apart, all within opening hours."""
    weights = np.asarray(model.cfg.customers.basket_weights, dtype=float)
    sizes = rr.choice(len(weights), size=n, p=weights / weights.sum()) + 1
    ends = np.cumsum(sizes)
    m = int(np.searchsorted(ends, n)) + 1 if n else 0
    sizes = sizes[:m]
    if m:
        sizes[-1] -= int(ends[m - 1]) - n
    visit = np.repeat(np.arange(m), sizes)
    heads = np.cumsum(sizes) - sizes  # index of each visit's first rental
    gaps = rr.integers(_GAP[0], _GAP[1], n)
    gaps[heads] = 0
    run = np.cumsum(gaps)
    offset = run - np.repeat(run[heads], sizes)
    span = offset[heads + sizes - 1] if m else np.zeros(0, np.int64)
    d = model.demand.cfg
    open_s, last_s = int(d.open_hour * 3600), min(int(d.close_hour * 3600), DAY) - 1
    start = day * DAY + np.maximum(np.minimum(model.demand.draw_seconds(rd, m), last_s - span), open_s)
    times = np.minimum(start[visit] + offset, day * DAY + last_s)
    first = np.zeros(n, bool)
    first[heads] = True
    order = np.argsort(times, kind="stable")
    return Visits(times[order], visit[order], first[order], start)


def _who_comes(state: SimState, back: np.ndarray, n_new: int, visits: int) -> tuple[np.ndarray, int]:
    """Returning and new customers who come today, each taking one visit (returning ones first); the
    ones beyond the day's visits do not come today, so nobody signs up without renting. New ones get
    their ids here. Returns them (returning first) and how many are returning."""
    back = back[:visits]
    n_new = max(0, min(n_new, visits - len(back)))
    return np.concatenate([back, state.next_ids("customer", n_new)]).astype(np.int64), len(back)


def _assign_visits(state: SimState, rr: np.random.Generator, visits: int,
                   forced: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Customer per visit, at most one visit a customer a day: returning and new customers take
    random visits, the others go to distinct active customers drawn by propensity without replacement
    (Efraimidis-Spirakis: the largest keys log(u) / weight). A visit left without a customer (more
    visits than customers) is lost demand. Returns the customer per visit (0 = nobody) and the visit
    of each forced customer."""
    cust = state.customers
    perm = rr.permutation(visits)
    k = len(forced)
    who = np.zeros(visits, np.int64)
    who[perm[:k]] = forced
    pool = cust.active_ids()
    free = perm[k:]
    keys = np.log1p(-rr.random(len(pool))) / cust.propensity[pool]
    r = min(len(free), len(pool))
    if r:
        top = np.argpartition(-keys, r - 1)[:r] if r < len(pool) else np.arange(r)
        who[free[:r]] = pool[top]
    return who, perm[:k]


def _arrival_times(model: Model, rr: np.random.Generator, day: int, start: np.ndarray,
                   forced_visits: np.ndarray) -> np.ndarray:
    """When each forced customer walks in (their visits in `forced_visits`): a few minutes before
    the visit's first rental, but not before opening time."""
    offsets = rr.integers(60, 900, len(forced_visits))
    opening = day * DAY + int(model.demand.cfg.open_hour * 3600)
    return np.maximum(start[forced_visits] - offsets, opening)


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


def _film_candidates(state: SimState, model: Model, rr: np.random.Generator, pop: np.ndarray,
                     store_of: np.ndarray) -> np.ndarray:
    """`film_choices` films per rental, by popularity (`pop`) among films the customer's store owns."""
    n = len(store_of)
    k = model.cfg.demand.film_choices
    nf = state.films.size
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
                 store_of: np.ndarray, candidates: np.ndarray, rewatch: np.ndarray, fallback: np.ndarray,
                 pop: np.ndarray, staff_pick: np.ndarray, end: int) -> None:
    """Rentals and due returns in time order (a return at the same second comes first).

    A customer with `max_out` films out rents nothing more (the store's limit per account). A rental
    takes the first candidate film that is on the shelf, is not one the customer holds now and, but
    for a `rewatch_chance`, is not one they rented before. A rental marked `fallback` (the
    first of a new or returning customer's visit) whose candidates all fail takes the most popular
    film on the shelf they neither hold nor have seen."""
    stock, films, cust, opn, due = state.stock, state.films, state.customers, state.open, state.due
    stats = ev.stats
    fee = int(round(model.cfg.returns.late_fee_per_day * 100))
    pay_id = state.counters["payment"]
    rent_id = state.counters["rental"]
    new = ([], [], [], [], [], [])  # rental_id, ts, inventory, customer, staff, duration
    times_l, renter_l, store_l = times.tolist(), renter.tolist(), store_of.tolist()
    cand_l, pick_l = candidates.tolist(), staff_pick.tolist()
    again_l = (rewatch < model.cfg.customers.rewatch_chance).tolist()
    fall_l = fallback.tolist()
    seen = cust.films
    by_pop: list[int] | None = None
    n = len(times_l)
    i = 0
    # (customer, film) of the copies out: nobody rents a second copy of a film they have at home
    holding = Counter((o.customer_id, int(stock.film[o.inventory_id])) for o in opn.values())
    # films out per customer: a store lets one account hold at most `max_out` at once
    out_now = Counter(o.customer_id for o in opn.values())
    max_out = model.cfg.customers.max_out
    while True:
        next_due = due[0][0] if due and due[0][0] < end else None
        if i < n and (next_due is None or times_l[i] < next_due):
            ts, c, s = times_l[i], renter_l[i], store_l[i]
            i += 1
            inv = film = 0
            if c and out_now[c] < max_out:
                key = c * FILM_KEY
                for film, again in zip(cand_l[i - 1], again_l[i - 1]):
                    if film and not holding[(c, film)] and (again or key + film not in seen) and \
                            (inv := stock.take(s, film)):
                        break
                if not inv and fall_l[i - 1]:
                    if by_pop is None:
                        by_pop = np.argsort(-pop, kind="stable").tolist()
                    for film in by_pop:
                        if film and not holding[(c, film)] and key + film not in seen and \
                                (inv := stock.take(s, film)):
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
            out_now[c] += 1
            seen[key + film] += 1
            for col, v in zip(new, (rent_id, ts, inv, c, staff, int(films.duration[film]))):
                col.append(v)
            rent_id += 1
            pay_id += 1
        elif next_due is not None:
            ts, rid = heapq.heappop(due)
            r = opn.pop(rid)
            holding[(r.customer_id, int(stock.film[r.inventory_id]))] -= 1
            out_now[r.customer_id] -= 1
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
