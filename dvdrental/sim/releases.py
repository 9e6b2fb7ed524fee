"""Film releases: new film rows with cast, category and copies at each store, then a burst of demand."""

from __future__ import annotations

import numpy as np

from .basedata import FilmMaker
from .calendar import date_of, weekday
from .events import DayEvents
from .restock import add_copies, morning_ts, purchase
from .rng import day_rng
from .state import Model, SimState


def release(state: SimState, model: Model, day: int, ev: DayEvents, n: int, rng: np.random.Generator,
            copies: tuple[int, int], ts: int | None = None) -> np.ndarray:
    """Add `n` new films with (min, max) copies per store, released on `day`; returns their ids."""
    if n <= 0:
        return np.zeros(0, np.int64)
    ts = morning_ts(model, day) if ts is None else ts
    ids = state.next_ids("film", n)
    maker = FilmMaker(rng, model.people, model.seed)
    cat = model.cfg.catalog
    films, cast, genre = maker.films(ids, np.full(n, date_of(day).year), ts, state.actors, state.categories,
                                     state.languages, (cat.actors_per_film_min,
                                                       min(cat.actors_per_film_max, len(state.actors))))
    ev.films += films
    ev.film_actors += cast
    ev.film_categories += genre
    state.films.add(ids, np.array([f[6] for f in films]), np.array([f[7] for f in films]),
                    np.array([f[9] for f in films]))
    counts = rng.integers(copies[0], copies[1] + 1, (n, len(state.stores)))
    plan = [(store, int(fid)) for i, fid in enumerate(ids) for j, store in enumerate(state.stores)
            for _ in range(int(counts[i, j]))]
    add_copies(state, day, ev, plan, ts)
    ev.stats.films_released += n
    return ids


def weekly_releases(state: SimState, model: Model, day: int, ev: DayEvents) -> None:
    """Level 3: on the release weekday, a Poisson number of new films (films_per_month on average)."""
    cfg = model.cfg.film_releases
    if cfg.films_per_month <= 0 or weekday(day) != cfg.release_weekday:
        return
    rng = day_rng(model.seed, "releases", day)
    n = int(rng.poisson(cfg.films_per_month * 12 / 52))
    release(state, model, day, ev, n, rng, (cfg.copies_per_store.min, cfg.copies_per_store.max))


def planned_stock(state: SimState, model: Model, day: int, ev: DayEvents) -> None:
    """Carry out the purchases and releases planned for this morning (inventory_manager --date)."""
    ts = morning_ts(model, day)
    for plan_id, action, params in state.plans.pop(day, []):
        if action == "add":
            add_copies(state, day, ev, purchase(state, day, params["strategy"], params["amount"],
                                                params.get("stores"), params.get("films")), ts)
        elif action == "release":
            release(state, model, day, ev, int(params["films"]), day_rng(model.seed, "planned", plan_id),
                    tuple(params["copies"]))
        ev.plans_done.append((plan_id, ts))
