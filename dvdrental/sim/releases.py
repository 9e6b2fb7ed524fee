"""Film releases: new film rows with cast, category and copies at each store, then a burst of demand.

A new release comes at the new-release price and rental days, in the depth its first four weeks'
expected demand needs at each store (the weekly release), or a uniform number of copies (a release
by hand with its own range)."""

from __future__ import annotations

import numpy as np

from .basedata import FilmMaker
from .calendar import date_of, weekday
from .events import DayEvents
from .films import UNRELEASED
from .restock import LAUNCH_DAYS, add_copies, copies_needed, morning_ts, purchase, store_shares
from .rng import day_rng
from .state import Model, SimState


def release(state: SimState, model: Model, day: int, ev: DayEvents, n: int, rng: np.random.Generator,
            copies: tuple[int, int], ts: int | None = None, by_demand: bool = False) -> np.ndarray:
    """Add `n` new films released on `day`, with (min, max) copies per store (`by_demand`: as many
    as their launch needs within that range); returns their ids."""
    if n <= 0:
        return np.zeros(0, np.int64)
    ts = morning_ts(model, day) if ts is None else ts
    ids = state.next_ids("film", n)
    maker = FilmMaker(rng, model.people, model.film_seed)
    cat = model.cfg.catalog
    films, cast, genre = maker.films(ids, np.full(n, date_of(day).year), ts, state.actors, state.categories,
                                     state.languages, (cat.actors_per_film_min,
                                                       min(cat.actors_per_film_max, len(state.actors))),
                                     terms=_new_release_terms(model))
    ev.films += films
    ev.film_actors += cast
    ev.film_categories += genre
    state.films.add(ids, np.array([f[6] for f in films]), np.array([f[7] for f in films]),
                    np.array([f[9] for f in films]))
    if by_demand:
        state.films.set_released(ids, day)
        counts = launch_depth(state, model, day, ids, copies)
        state.films.release_day[ids[counts.sum(axis=1) == 0]] = UNRELEASED  # released with its first copy
    else:
        counts = rng.integers(copies[0], copies[1] + 1, (n, len(state.stores)))
    plan = [(store, int(fid)) for i, fid in enumerate(ids) for j, store in enumerate(state.stores)
            for _ in range(int(counts[i, j]))]
    add_copies(state, day, ev, plan, ts)
    ev.stats.films_released += n
    return ids


def _new_release_terms(model: Model) -> tuple[int, int]:
    cfg = model.cfg.film_releases
    return int(round(cfg.rental_rate * 100)), cfg.rental_duration


def launch_depth(state: SimState, model: Model, day: int, ids: np.ndarray, copies: tuple[int, int]) -> np.ndarray:
    """Copies per (new film, store) for the demand of its first four weeks at launch_utilisation."""
    f = state.films
    util = model.cfg.film_releases.launch_utilisation
    weeks = [day + 3 + 7 * k for k in range(LAUNCH_DAYS // 7)]
    need = np.zeros((len(ids), len(state.stores)))
    shares = store_shares(state)
    for d in weeks:
        pop = f.popularity(d)
        weekly = model.demand.weekly_expected(d)
        for j, share in enumerate(shares):
            need[:, j] += copies_needed(f, pop, weekly, share, util)[ids] / len(weeks)
    return np.clip(np.ceil(need - 1e-9), copies[0], copies[1]).astype(np.int64)


def weekly_releases(state: SimState, model: Model, day: int, ev: DayEvents) -> None:
    """Level 3: on the release weekday, a Poisson number of new films (films_per_month on average)."""
    cfg = model.cfg.film_releases
    if cfg.films_per_month <= 0 or weekday(day) != cfg.release_weekday:
        return
    rng = day_rng(model.film_seed, "releases", day)  # the chain's: every store releases the same films
    n = int(rng.poisson(cfg.films_per_month * 12 / 52))
    release(state, model, day, ev, n, rng, (cfg.copies_per_store.min, cfg.copies_per_store.max), by_demand=True)


def planned_stock(state: SimState, model: Model, day: int, ev: DayEvents) -> None:
    """Carry out the purchases and releases planned for this morning (inventory_manager --date)."""
    ts = morning_ts(model, day)
    for plan_id, action, params in state.plans.pop(day, []):
        stores = params.get("stores")
        if stores is not None:  # a store of a sharded chain carries out its own part of the plan
            stores = [s for s in stores if s in state.stores]
        if action == "add":
            add_copies(state, day, ev, purchase(state, model, day, params["strategy"], params["amount"],
                                                stores, params.get("films")), ts)
        elif action == "release":
            release(state, model, day, ev, int(params["films"]), day_rng(model.film_seed, "planned", plan_id),
                    tuple(params["copies"]))
        ev.plans_done.append((plan_id, ts))
