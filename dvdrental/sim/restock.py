"""Buying copies: the purchase strategies shared by the inventory schedule and inventory_manager."""

from __future__ import annotations

import heapq

import numpy as np

from .events import DayEvents
from .state import Model, SimState


def _owned(state: SimState, store: int, n_films: int) -> np.ndarray:
    owned = np.zeros(n_films, np.int64)
    if store < state.stock.owned.shape[0]:
        row = state.stock.owned[store, :n_films]
        owned[: len(row)] = row
    return owned


def purchase(state: SimState, day: int, strategy: str, amount: float, stores: list[int] | None = None,
             films: list[int] | None = None) -> list[tuple[int, int]]:
    """(store, film) for each copy to buy, in a deterministic order.

    fixed: `amount` copies per store, each for the film whose demand per copy is highest;
    percent: as fixed, with `amount` % of the store's current stock; per_film: `amount` copies of each
    film (default: every film in the catalogue); top_n: one copy of each of the `amount` most popular.
    """
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
    """Level 3: every `every_weeks` weeks after the start, buy what the configured strategy says."""
    sch = model.cfg.inventory_schedule
    since = day - model.start_day
    if sch.every_weeks <= 0 or since <= 0 or since % (7 * sch.every_weeks):
        return
    add_copies(state, day, ev, purchase(state, day, sch.strategy, sch.amount), morning_ts(model, day))
