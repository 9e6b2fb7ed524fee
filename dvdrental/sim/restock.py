"""Buying and selling copies: the purchase strategies shared by the inventory schedule and
inventory_manager, and the demand rule a real store followed.

The demand rule sizes each film's copies at each store from the demand expected next week (the
film's share of popularity, the store's share of its customers, the season): a film needs
`expected rentals a week x days out / 7 / target utilisation` copies. The weekly purchase buys the
largest shortfalls within a budget; copies beyond 1.5 times the need are sold off once a film is eight
weeks old, so new releases arrive in depth and are thinned as they age. Expected demand is a function
of the state and the day only, so an incremental run buys exactly what one long run buys.
"""

from __future__ import annotations

import heapq

import numpy as np

from .events import DayEvents
from .films import Films
from .state import Model, SimState


def _owned(state: SimState, store: int, n_films: int) -> np.ndarray:
    owned = np.zeros(n_films, np.int64)
    if store < state.stock.owned.shape[0]:
        row = state.stock.owned[store, :n_films]
        owned[: len(row)] = row
    return owned


#: Days a new release is left with its launch depth before the weekly purchase tops it up.
LAUNCH_DAYS = 28
#: Age (days) from which a film's surplus copies may be sold off.
SELL_AFTER_DAYS = 56


def store_shares(state: SimState) -> np.ndarray:
    """Each store's share of the demand: its active customers, weighted by how much they rent."""
    c = state.customers
    ids = c.active_ids()
    per = np.bincount(c.store[ids], weights=c.propensity[ids], minlength=max(state.stores) + 1)
    shares = per[state.stores]
    total = shares.sum()
    return shares / total if total > 0 else np.full(len(state.stores), 1.0 / len(state.stores))


def copies_needed(films: Films, pop: np.ndarray, weekly: float, share: float,
                  utilisation: float) -> np.ndarray:
    """Copies per film for `weekly` expected rentals at a store with `share` of them, spread by `pop`."""
    total = pop.sum()
    if total <= 0:
        return np.zeros(len(pop))
    expected = weekly * share * pop / total
    days_out = films.duration[: len(pop)] + 1.0  # due day plus the average lateness, roughly
    return expected * days_out / 7.0 / utilisation


def _demand_plan(state: SimState, model: Model, day: int, budget: int, stores: list[int],
                 films: list[int] | None) -> list[tuple[int, int]]:
    """The largest shortfalls against next week's need, `budget` copies per store at most."""
    f = state.films
    pop = f.popularity(day + 3)
    need = model.demand.weekly_expected(day + 3)
    age = day - f.release_day[: len(pop)]
    settled = age >= LAUNCH_DAYS
    if films is not None:
        settled &= np.isin(np.arange(len(pop)), films)
    shares = dict(zip(state.stores, store_shares(state)))
    plan: list[tuple[int, int]] = []
    for store in stores:
        want = np.ceil(copies_needed(f, pop, need, shares[store],
                                     model.cfg.inventory_schedule.target_utilisation) - 1e-9)
        owned = _owned(state, store, len(pop))
        short = np.where(settled, want - owned, 0).astype(np.int64)
        rows = np.flatnonzero(short > 0)
        if not len(rows):
            continue
        film = np.repeat(rows, short[rows])
        k = np.arange(len(film)) - np.repeat(np.cumsum(short[rows]) - short[rows], short[rows])
        priority = pop[film] / (owned[film] + k + 1)
        order = np.lexsort((film, -priority))[:budget]
        plan += [(store, int(x)) for x in np.sort(film[order])]
    return plan


def sell_off(state: SimState, model: Model, day: int, ev: DayEvents) -> None:
    """Retire shelf copies beyond 1.5 times the need of films at least eight weeks old (oldest copies first)."""
    sch = model.cfg.inventory_schedule
    f, stock = state.films, state.stock
    pop = f.popularity(day + 3)
    need = model.demand.weekly_expected(day + 3)
    old = (day - f.release_day[: len(pop)]) >= SELL_AFTER_DAYS
    ts = morning_ts(model, day)
    for store, share in zip(state.stores, store_shares(state)):
        keep = np.maximum(np.ceil(1.5 * copies_needed(f, pop, need, share, sch.target_utilisation) - 1e-9),
                          sch.keep_copies)
        owned = _owned(state, store, len(pop))
        for film in np.flatnonzero(old & (owned > keep)).tolist():
            shelf = stock.shelf.get((store, film), [])
            for _, inv in shelf[: int(owned[film] - keep[film])]:
                stock.retire(inv, on_shelf=True)
                ev.retirements.append((inv, ts))
                ev.stats.copies_retired += 1


def purchase(state: SimState, model: Model, day: int, strategy: str, amount: float,
             stores: list[int] | None = None, films: list[int] | None = None) -> list[tuple[int, int]]:
    """(store, film) for each copy to buy, in a deterministic order.

    demand: what next week's expected demand needs, the largest shortfalls first, `amount` copies per
    store at most (see the module's docstring); fixed: `amount` copies per store, each for the film
    whose demand per copy is highest; percent: as fixed, with `amount` % of the store's current stock; per_film: `amount` copies of each
    film (default: every film in the catalogue); top_n: one copy of each of the `amount` most popular.
    """
    if strategy == "demand":
        return _demand_plan(state, model, day, int(amount), stores if stores is not None else state.stores, films)
    pop = state.films.popularity(day)
    n_films = len(pop)
    plan: list[tuple[int, int]] = []
    for store in stores if stores is not None else state.stores:
        owned = _owned(state, store, n_films)
        if strategy == "per_film":
            chosen = films if films is not None else np.flatnonzero(state.films.exists).tolist()
            plan += [(store, f) for f in chosen for _ in range(int(amount))]
            continue
        if strategy == "top_n":
            ranked = sorted(np.flatnonzero(pop > 0).tolist(), key=lambda f: (-pop[f], f))
            plan += [(store, f) for f in ranked[: int(amount)]]
            continue
        n = int(round(amount if strategy == "fixed" else owned.sum() * amount / 100.0))
        plan += [(store, f) for f in _by_need(pop, owned, n, films)]
    return plan


def _by_need(pop: np.ndarray, owned: np.ndarray, n: int, films: list[int] | None) -> list[int]:
    """Greedy: each copy goes to the film with the most expected demand per copy it would have."""
    candidates = films if films is not None else np.flatnonzero(pop > 0).tolist()
    heap = [(-pop[f] / (owned[f] + 1), f) for f in candidates if pop[f] > 0]
    heapq.heapify(heap)
    owned = owned.copy()
    out = []
    for _ in range(n):
        if not heap:
            break
        _, f = heapq.heappop(heap)
        out.append(f)
        owned[f] += 1
        heapq.heappush(heap, (-pop[f] / (owned[f] + 1), f))
    return out


def add_copies(state: SimState, day: int, ev: DayEvents, plan: list[tuple[int, int]], created_ts: int) -> None:
    """Put the planned copies on the shelves at `created_ts` and record them in `ev`."""
    if not plan:
        return
    ids = state.next_ids("inventory", len(plan))
    stores = np.array([s for s, _ in plan], dtype=np.int64)
    films = np.array([f for _, f in plan], dtype=np.int64)
    state.stock.add(ids, stores, films, np.full(len(plan), created_ts, np.int64))
    state.films.set_released(np.unique(films), day)
    ev.inventory += [(int(i), int(f), int(s), created_ts) for i, s, f in zip(ids, stores, films)]
    ev.stats.copies_added += len(plan)


def morning_ts(model: Model, day: int) -> int:
    """New stock arrives an hour before opening."""
    from .calendar import DAY
    return day * DAY + max(0, int(model.cfg.demand.open_hour * 3600) - 3600)


def scheduled_restock(state: SimState, model: Model, day: int, ev: DayEvents) -> None:
    """Level 3: every `every_weeks` weeks after the start, sell off surplus copies (demand strategy) and
    buy what the configured strategy says."""
    sch = model.cfg.inventory_schedule
    since = day - model.start_day
    if sch.every_weeks <= 0 or since <= 0 or since % (7 * sch.every_weeks):
        return
    if sch.strategy == "demand" and sch.sell_off:
        sell_off(state, model, day, ev)
    add_copies(state, day, ev, purchase(state, model, day, sch.strategy, sch.amount), morning_ts(model, day))
