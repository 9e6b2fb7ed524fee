"""Configuration: JSON -> validated frozen dataclasses.

Every field carries its documentation and range in `metadata`, so validation errors name the key and
docs/config.md is generated from the same source (`python -m dvdrental.configdoc`). Files are partial:
they are deep-merged onto the built-in defaults, then CLI flags override them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .paths import CONFIG_PATH, SCENARIO_DIR


#: Every simulated date lies in these years: MySQL's YEAR type (film.release_year) holds 1901-2155.
FIRST_DATE = dt.date(1901, 1, 1)
LAST_DATE = dt.date(2155, 12, 31)
#: The longest run one command may ask for (100 years); longer ones are split into several runs.
MAX_WEEKS = 5200
MAX_DAYS = 7 * MAX_WEEKS


def opt(default: Any, doc: str, *, min: Any = None, max: Any = None,
        choices: tuple | None = None, length: int | None = None) -> Any:
    """A config field with its documentation and allowed range."""
    meta = {"doc": doc, "min": min, "max": max, "choices": choices, "length": length}
    if isinstance(default, (list, tuple)) or dataclasses.is_dataclass(default):
        return field(default_factory=lambda: default, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class RushPeak:
    hour: float = opt(13.0, "Centre of the rush, in hours after midnight.", min=0, max=24)
    sd: float = opt(1.0, "Spread of the rush in hours (Gaussian standard deviation).", min=0.1, max=12)
    weight: float = opt(0.5, "Share of the day's rentals in this rush (weights are normalised).", min=0,
                        max=1000)


@dataclass(frozen=True)
class CopiesRange:
    min: int = opt(1, "Fewest copies per film per store.", min=0, max=1000)
    max: int = opt(4, "Most copies per film per store.", min=0, max=1000)


#: Faker locales whose streets, postcodes and phone numbers fit Sakila's columns: a store's customers
#: get their addresses and phone numbers in the formats of the store's country.
LOCALES = ("de_DE", "en_AU", "en_CA", "en_GB", "en_IE", "en_IN", "en_NZ", "en_US", "es_ES", "fr_FR", "it_IT",
           "ja_JP", "nl_NL", "pl_PL", "pt_BR", "sv_SE")


@dataclass(frozen=True)
class StorePlace:
    country: str = opt("Canada", "Country of the store; its customers live there too.")
    city: str = opt("Lethbridge", "City of the store (other cities of its customers are drawn nearby).")
    district: str = opt("Alberta", "District (province, state) of the store and of its customers.")
    locale: str = opt("en_CA", "Faker locale for its customers' streets, postcodes and phone numbers.",
                      choices=LOCALES)


@dataclass(frozen=True)
class Shock:
    start_date: dt.date = opt(dt.date(2020, 3, 16), "First day of the shock.", min=FIRST_DATE, max=LAST_DATE)
    end_date: dt.date = opt(dt.date(2020, 6, 14), "Last day at full strength.", min=FIRST_DATE, max=LAST_DATE)
    multiplier: float = opt(0.3, "Demand multiplier during the shock.", min=0, max=100)
    recovery_weeks: float = opt(8.0, "Weeks to ease back to normal after end_date.", min=0, max=520)


@dataclass(frozen=True)
class DatabaseConfig:
    url: str | None = opt("sqlite:///dvdrental.db",
                          "Database URL: sqlite:///path.db (relative to the project root), "
                          "mysql://user:pass@host:port/name or postgresql://user:pass@host:port/name. "
                          "Overridden by --db and DVDRENTAL_DB_URL.")
    engine: str | None = opt(None, "Instead of url: 'sqlite', 'mysql' or 'postgresql', with the fields below.",
                             choices=(None, "sqlite", "mysql", "postgresql"))
    host: str = opt("127.0.0.1", "Server host (with engine mysql or postgresql).")
    port: int | None = opt(None, "Server port (with engine); null: 3306 for mysql, 5432 for postgresql.",
                           min=1, max=65535)
    user: str | None = opt(None, "Server user (with engine); null: root for mysql, postgres for postgresql.")
    password: str | None = opt(None, "Server password (with engine); else DVDRENTAL_DB_PASSWORD.")
    database: str = opt("dvdrental", "Database name on the server, or the SQLite file (with engine).")


@dataclass(frozen=True)
class SimulationConfig:
    start_date: dt.date = opt(dt.date(2001, 10, 1), "First business day (YYYY-MM-DD); should be a Monday. "
                              "The initial catalogue's age before it and the run after it must stay within "
                              "1901-2155 (the years MySQL's YEAR type holds).", min=FIRST_DATE, max=LAST_DATE)
    initial_weeks: int = opt(12, "Weeks of activity generator.py simulates after the base data.", min=0,
                             max=MAX_WEEKS)
    weeks: int = opt(156, "Weeks master_simulation.py simulates in all (starter weeks included).",
                     min=1, max=MAX_WEEKS)
    seed: int = opt(42, "Master seed: same seed + config = identical database.", min=0, max=2**63 - 1)
    level: int = opt(4, "1-2 core rental logic; 3 adds film releases and the inventory schedule; "
                        "4 adds seasonality and lost copies.", min=1, max=4)
    sharded: bool | None = opt(None, "Simulate each store on its own, from its own share of the chain's demand "
                               "and customers (what --workers and the Dask path run in parallel); null: when "
                               "the chain has more than 2 stores. Sakila's two stores share one simulation.")


@dataclass(frozen=True)
class CatalogConfig:
    films: int = opt(1000, "Films in the initial catalogue (Sakila's 1,000: the back catalogue a store carried).",
                     min=1, max=100000)
    actors: int = opt(200, "Actors.", min=1, max=60000)
    actors_per_film_min: int = opt(3, "Fewest actors per film.", min=1, max=50)
    actors_per_film_max: int = opt(8, "Most actors per film.", min=1, max=50)
    countries: int = opt(40, "Countries in the address book (the stores' first).", min=1, max=200)
    cities: int = opt(150, "Cities in the address book, shared out among the stores' countries.", min=1,
                      max=60000)
    stores: int = opt(2, "Stores.", min=1, max=200)
    store_size_sigma: float = opt(0.3, "Sharded chains: how much stores differ in size (lognormal sigma of each "
                                  "store's share of the demand, customers and stock).", min=0, max=2)
    staff_per_store: int = opt(2, "Staff per store (the first one manages it).", min=1, max=50)
    copies_per_film: CopiesRange = opt(CopiesRange(1, 3), "Initial copies of each film at each store: what its "
                                       "expected demand needs (see inventory_schedule.target_utilisation), "
                                       "within these bounds.")
    store_places: tuple[StorePlace, ...] = opt(
        (StorePlace(), StorePlace("Australia", "Woodridge", "QLD", "en_AU")),
        "Where the stores are (store n takes entry n, cycling): Sakila's two by default.")
    popularity_sigma: float = opt(0.8, "Heavy tail of film popularity (lognormal sigma).", min=0, max=4)
    popularity_half_life_weeks: float = opt(26.0, "Weeks for a film's popularity to halve with age.",
                                            min=1, max=10000)
    popularity_floor: float = opt(0.1, "Share of its peak popularity an old film keeps.", min=0, max=1)
    catalog_max_age_weeks: float = opt(104.0, "Initial films are up to this old on the start date.",
                                       min=0, max=5200)


@dataclass(frozen=True)
class DemandConfig:
    base_weekly_rentals: float = opt(166.0, "Expected rentals in the first week (before season, spikes).",
                                     min=0.01, max=1e6)
    growth_rate: float = opt(0.02, "Early weekly growth rate; growth is logistic. Negative: the business "
                                   "declines towards capacity_weekly_rentals.", min=-0.5, max=1)
    capacity_weekly_rentals: float = opt(275.0, "Weekly rentals at which growth saturates (or, when "
                                                "declining, the floor).", min=0.01, max=1e7)
    weekday_profile: tuple[float, ...] = opt(
        (0.11, 0.10, 0.11, 0.13, 0.19, 0.21, 0.15),
        "Share of a week's rentals per weekday, Monday first (normalised).", min=0, max=1000, length=7)
    weekday_shift: float = opt(0.15, "Share of Fri-Sun volume that moves to Mon-Thu as the business "
                                     "matures (reached at saturation).", min=0, max=0.9)
    spike_probability: float = opt(0.05, "Chance that a day is a spike day.", min=0, max=1)
    spike_multiplier: float = opt(4.0, "Demand multiplier on a spike day.", min=1, max=100)
    open_hour: float = opt(10.0, "Opening time, hours after midnight.", min=0, max=23)
    close_hour: float = opt(22.0, "Closing time, hours after midnight.", min=1, max=24)
    rush_peaks: tuple[RushPeak, ...] = opt(
        (RushPeak(13.0, 1.0, 0.3), RushPeak(19.0, 1.5, 0.7)), "Gaussian rushes that shape the time of day.")
    film_choices: int = opt(6, "Films a customer tries before leaving when copies are out or the film is one "
                                  "they hold or (mostly) have seen.", min=1, max=20)
    shocks: tuple[Shock, ...] = opt((), "Dated demand shocks (a lockdown, a competitor opening).")


@dataclass(frozen=True)
class CustomersConfig:
    initial: int = opt(600, "Customers on the first day.", min=1, max=10_000_000)
    rentals_per_active_week: float = opt(0.30, "Rentals per active customer per week that acquisition "
                                              "aims for (sets the target customer base).", min=0.01, max=100)
    baseline_new_per_week: float = opt(3.0, "New customers per week even when the base is large enough.",
                                       min=0, max=1e6)
    acquisition_rate: float = opt(0.15, "Share of the gap to the target customer base closed per week.",
                                  min=0, max=1)
    propensity_sigma: float = opt(0.35, "Spread of customers' rental propensity (lognormal sigma, around "
                                        "1 for a casual customer).", min=0, max=4)
    propensity_cap: float = opt(5.0, "Largest propensity, as a multiple of the median casual customer's: the "
                                     "heaviest renters stay within what a person can watch.", min=1, max=1000)
    regular_share: float = opt(0.15, "Share of customers who are regulars (the rest are casual customers).",
                               min=0, max=1)
    regular_propensity: float = opt(2.5, "A regular's propensity as a multiple of a casual customer's (before "
                                         "the cap).", min=1, max=1000)
    basket_weights: tuple[float, ...] = opt((0.67, 0.18, 0.08, 0.04, 0.03),
                                            "Relative frequency of visits with 1, 2, 3, ... rentals (one "
                                            "customer per visit, at most one visit a day; the list's length "
                                            "is the largest basket).", min=0, max=1000)
    max_out: int = opt(6, "Films one customer may have out at once (the store's limit per account); a "
                          "rental beyond it is demand lost.", min=1, max=1000)
    rewatch_chance: float = opt(0.03, "Chance that a customer takes a film they rented before when it comes "
                                      "up (else they try another).", min=0, max=1)
    churn_idle_weeks: int = opt(5, "Weeks without a rental after which a customer may churn.", min=1, max=520)
    churn_probability: float = opt(0.4, "Weekly chance that an idle customer churns (active = 0).",
                                   min=0, max=1)
    reactivation_per_year: float = opt(0.10, "Share of churned customers that come back within a year.",
                                       min=0, max=0.99)


@dataclass(frozen=True)
class ReturnsConfig:
    early_share: float = opt(0.30, "Share of rentals returned before the due day.", min=0, max=1)
    late_share: float = opt(0.20, "Share of rentals returned after the due day.", min=0, max=1)
    late_tail: float = opt(1.5, "Pareto shape of days late (smaller = heavier tail).", min=0.5, max=10)
    max_late_days: int = opt(29, "Latest return, in days after the due day (the tail is truncated there). "
                                 "Never reaches the write-off: at most lost_grace_days - 1 takes effect.",
                             min=1, max=3650)
    weekend_shift: float = opt(0.5, "Chance a weekend return waits until Monday (when that keeps it on time "
                                    "or it is late anyway).", min=0, max=1)
    lost_share: float = opt(0.002, "Share of rentals never returned (level 4).", min=0, max=0.5)
    lost_grace_days: int = opt(30, "Days after the due day before a lost copy is retired and its "
                                   "replacement cost charged; no copy comes back on or after that day.",
                               min=2, max=3650)
    late_fee_per_day: float = opt(1.0, "Late fee per day overdue; one late fee never exceeds the film's "
                                       "replacement cost in force at the return.", min=0, max=100)

    @property
    def latest_late_days(self) -> int:
        """Days after the due day of the latest return: the late tail ends before the write-off point,
        so a copy written off as lost (lost_grace_days after due) is never returned later."""
        return min(self.max_late_days, self.lost_grace_days - 1)


@dataclass(frozen=True)
class SeasonalityConfig:
    monthly: tuple[float, ...] = opt(
        (1.2, 0.9, 1.1, 1.15, 1.2, 1.8, 2.0, 1.9, 1.3, 1.25, 1.4, 1.6),
        "Demand multiplier per month, January first (level 4); interpolated per day, no steps.",
        min=0.01, max=100, length=12)


STRATEGIES = ("demand", "fixed", "percent", "per_film", "top_n")
#: The largest `amount` per purchase strategy: copies per store, percent, copies per film, films.
AMOUNT_MAX = {"demand": 10_000, "fixed": 10_000, "percent": 1_000, "per_film": 100, "top_n": 100_000}


@dataclass(frozen=True)
class FilmReleasesConfig:
    films_per_month: float = opt(12.0, "New films per month on average (level 3), released weekly.", min=0,
                                 max=1000)
    release_weekday: int = opt(1, "Weekday of releases, Monday = 0 (video stores released on Tuesdays).",
                               min=0, max=6)
    copies_per_store: CopiesRange = opt(CopiesRange(2, 12), "Copies of a new film at each store: what its first "
                                        "four weeks' expected demand needs (launch_utilisation), within these "
                                        "bounds (inventory_manager.py release draws uniformly between them).")
    launch_utilisation: float = opt(0.6, "Share of the time a new release's copies are expected out in its "
                                         "first four weeks: stores bought for the burst, not for its peak day.",
                                    min=0.05, max=1)
    rental_rate: float = opt(4.99, "Rental rate of a new release (later price changes are late changes).",
                             min=0, max=999.99)
    rental_duration: int = opt(3, "Rental days of a new release (the catalogue's are 3-7).", min=1, max=255)
    burst: float = opt(12.0, "Extra popularity of a film on its release day (x (1 + burst)).", min=0, max=100)
    burst_weeks: float = opt(6.0, "Weeks for the release burst to fade by a factor e.", min=0.1, max=520)


@dataclass(frozen=True)
class InventoryScheduleConfig:
    every_weeks: int = opt(1, "Weeks between purchases (level 3); 0 = never.", min=0, max=520)
    strategy: str = opt("demand", "demand: buy what next week's expected demand needs (season and popularity "
                                  "included) at target_utilisation, at most `amount` copies per store, and sell "
                                  "off copies idle long enough (sell_off); fixed: `amount` copies per store for "
                                  "the films that need them most; percent: grow each store's stock by `amount` "
                                  "%; per_film: `amount` copies of every film per store; top_n: one copy of each "
                                  "of the `amount` most popular films per store.", choices=STRATEGIES)
    amount: float = opt(40.0, "Copies (the demand strategy's budget per store), percent or N, depending on the "
                              "strategy (at most " + ", ".join(f"{v:,} for {k}" for k, v in AMOUNT_MAX.items())
                        + ").", min=0, max=max(AMOUNT_MAX.values()))
    target_utilisation: float = opt(0.35, "demand: share of the time a film's copies are expected out; stores "
                                          "buy to keep below it, leaving room for spike days and browsing.",
                                    min=0.05, max=1)
    sell_off: bool = opt(True, "demand: sell off (retire) copies on the shelf beyond 1.5 times what a film's "
                               "demand needs, once it is eight weeks old (previously-viewed sales).")
    keep_copies: int = opt(1, "demand: copies of each film a store keeps whatever its demand (its back "
                              "catalogue).", min=0, max=1000)


@dataclass(frozen=True)
class LateChangesConfig:
    enabled: bool = opt(True, "Change past records every day (level 4; off below it whatever this says).")
    midpoint_days: float = opt(30.0, "Age in days at which the chance that a record is changed has halved "
                                     "(the decreasing sigmoid's midpoint).", min=0, max=3650)
    steepness: float = opt(0.2, "How sharply that chance falls around the midpoint, per day (> 0).",
                           min=0.001, max=10)
    return_corrections: float = opt(10.0, "Return dates keyed in on the wrong day and corrected (the late "
                                          "fee follows), per 1,000 rentals of the day.", min=0, max=1000)
    payment_corrections: float = opt(4.0, "Rentals and their payments re-assigned to the clerk who really "
                                          "served them, per 1,000 rentals.", min=0, max=1000)
    refunds: float = opt(5.0, "Rental fees refunded (a negative payment), per 1,000 rentals.", min=0, max=1000)
    customer_edits: float = opt(8.0, "Customer profile edits (new e-mail, new phone, a move to a new "
                                     "address), per 1,000 rentals.", min=0, max=1000)
    price_changes: float = opt(2.0, "Film price changes (rental_rate, replacement_cost; later rentals "
                                    "only), per 1,000 rentals.", min=0, max=1000)
    account_closures: float = opt(2.0, "Customers who close their account (active = 0 for good: a soft "
                                       "delete), per 1,000 rentals.", min=0, max=1000)
    voided_rentals: float = opt(3.0, "Rentals voided: deleted with their payments (a hard delete), per "
                                     "1,000 rentals.", min=0, max=1000)
    change_log: bool = opt(True, "Write sim_change_log: one row per insert, update and delete of a Sakila "
                                 "table (ordinary business and late changes alike), the ground truth.")


@dataclass(frozen=True)
class ExportsConfig:
    dir: str | None = opt(None, "Write one folder of CSV files per simulated day here (relative to the "
                                "project root); overridden by --export-dir. Not stored in the database.")


@dataclass(frozen=True)
class Config:
    database: DatabaseConfig = opt(DatabaseConfig(), "Where the data goes.")
    simulation: SimulationConfig = opt(SimulationConfig(), "Dates, seed and level.")
    catalog: CatalogConfig = opt(CatalogConfig(), "Base data: films, people, stores, copies.")
    demand: DemandConfig = opt(DemandConfig(), "How many rentals, on which days, at what time.")
    customers: CustomersConfig = opt(CustomersConfig(), "Acquisition, churn and reactivation.")
    returns: ReturnsConfig = opt(ReturnsConfig(), "Return timing, late fees, lost copies.")
    seasonality: SeasonalityConfig = opt(SeasonalityConfig(), "Monthly demand multipliers (level 4).")
    film_releases: FilmReleasesConfig = opt(FilmReleasesConfig(), "New films and their copies (level 3).")
    inventory_schedule: InventoryScheduleConfig = opt(InventoryScheduleConfig(),
                                                      "Copies bought on a schedule (level 3).")
    late_changes: LateChangesConfig = opt(LateChangesConfig(), "Corrections to past records and the "
                                                               "change log (level 4).")
    exports: ExportsConfig = opt(ExportsConfig(), "Daily CSV exports of what changed.")

    # ---- construction -------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict) -> "Config":
        cfg = _build(cls, data, "")
        cfg.check()
        return cfg

    def to_dict(self) -> dict:
        return _to_json(self)

    def simulation_dict(self) -> dict:
        """The effective config minus the database section and the run length: what sim_state stores."""
        d = self.to_dict()
        d.pop("database")
        d.pop("exports")
        return without_run_length(d)

    @property
    def sharded(self) -> bool:
        """Whether each store is simulated on its own (see simulation.sharded)."""
        flag = self.simulation.sharded
        return self.catalog.stores > 2 if flag is None else flag

    def with_stores(self, stores: int) -> "Config":
        """The chain grown (or shrunk) to `stores` stores, each as busy as this config's stores: the
        chain's demand, customers and sign-ups scale with the number of stores (--stores)."""
        f = stores / self.catalog.stores
        d, c = self.demand, self.customers
        return self.override({
            "catalog": {"stores": stores},
            "demand": {"base_weekly_rentals": d.base_weekly_rentals * f, "capacity_weekly_rentals": d.capacity_weekly_rentals * f},
            "customers": {"initial": max(1, round(c.initial * f)), "baseline_new_per_week": c.baseline_new_per_week * f},
        })

    def override(self, changes: dict) -> "Config":
        """A new config with `changes` (a partial nested dict) merged in and re-validated."""
        return Config.from_dict(deep_merge(self.to_dict(), changes))

    def check(self) -> None:
        """Cross-field rules that single-field ranges cannot express."""
        d, cat = self.demand, self.catalog
        if d.close_hour <= d.open_hour:
            raise ConfigError("demand.close_hour must be after demand.open_hour "
                              f"(got {d.open_hour} - {d.close_hour})")
        if d.growth_rate > 0 and d.capacity_weekly_rentals < d.base_weekly_rentals:
            raise ConfigError("demand.capacity_weekly_rentals must be >= demand.base_weekly_rentals "
                              "when demand.growth_rate > 0")
        if d.growth_rate < 0 and d.capacity_weekly_rentals > d.base_weekly_rentals:
            raise ConfigError("demand.capacity_weekly_rentals (the floor) must be <= "
                              "demand.base_weekly_rentals when demand.growth_rate < 0")
        for i, shock in enumerate(d.shocks):
            if shock.end_date < shock.start_date:
                raise ConfigError(f"demand.shocks[{i}].end_date is before its start_date")
        if self.film_releases.copies_per_store.min > self.film_releases.copies_per_store.max:
            raise ConfigError("film_releases.copies_per_store.min must be <= its max")
        baskets = self.customers.basket_weights
        if not baskets or len(baskets) > 20 or sum(baskets) <= 0:
            raise ConfigError("customers.basket_weights needs 1 to 20 weights with a positive sum")
        if sum(d.weekday_profile) <= 0:
            raise ConfigError("demand.weekday_profile must have a positive sum")
        if not d.rush_peaks or sum(p.weight for p in d.rush_peaks) <= 0:
            raise ConfigError("demand.rush_peaks needs at least one peak with a positive weight")
        if cat.copies_per_film.min > cat.copies_per_film.max:
            raise ConfigError("catalog.copies_per_film.min must be <= catalog.copies_per_film.max")
        if cat.actors_per_film_min > cat.actors_per_film_max:
            raise ConfigError("catalog.actors_per_film_min must be <= catalog.actors_per_film_max")
        if cat.actors_per_film_max > cat.actors:
            raise ConfigError("catalog.actors_per_film_max must be <= catalog.actors")
        if self.returns.early_share + self.returns.late_share + self.returns.lost_share > 1:
            raise ConfigError("returns.early_share + returns.late_share + returns.lost_share must be <= 1")
        if not cat.store_places:
            raise ConfigError("catalog.store_places needs at least one place")
        for i, place in enumerate(cat.store_places):
            for key, width in (("country", 50), ("city", 50), ("district", 20)):
                value = getattr(place, key)
                if not value.strip() or len(value) > width:
                    raise ConfigError(f"catalog.store_places[{i}].{key} must be 1 to {width} characters "
                                      f"(Sakila's column), got {value!r}")
        if cat.cities < len({(p.country, p.city) for p in cat.store_places[:cat.stores]}):
            raise ConfigError("catalog.cities must be at least the number of distinct store cities")
        if cat.stores > 255 or cat.stores * cat.staff_per_store > 255:
            raise ConfigError("catalog.stores * catalog.staff_per_store must be <= 255 (Sakila's TINYINT ids)")
        sch = self.inventory_schedule
        if sch.amount > AMOUNT_MAX[sch.strategy]:
            raise ConfigError(f"inventory_schedule.amount must be <= {AMOUNT_MAX[sch.strategy]:,} with strategy "
                              f"{sch.strategy}, got {sch.amount:g}")
        self._check_calendar()

    def _check_calendar(self) -> None:
        """The oldest film of the catalogue and the last day of a run must fall within FIRST_DATE-LAST_DATE
        (dates beyond that overflow MySQL's YEAR, and near year 1 or 9999 Python's dates)."""
        sim = self.simulation
        oldest = sim.start_date - dt.timedelta(days=math.ceil(7 * self.catalog.catalog_max_age_weeks))
        if oldest < FIRST_DATE:
            raise ConfigError(f"simulation.start_date {sim.start_date} with catalog.catalog_max_age_weeks "
                              f"{self.catalog.catalog_max_age_weeks:g} puts the oldest film before {FIRST_DATE}",
                              hint=f"start on or after {FIRST_DATE + (sim.start_date - oldest)}, or make the "
                                   "catalogue younger")
        self.check_weeks(sim.initial_weeks)

    def check_weeks(self, weeks: int) -> None:
        """A run of `weeks` from the start date (generator's starter weeks, master's whole run) must end
        by LAST_DATE."""
        start = self.simulation.start_date
        check_last_day(start + dt.timedelta(days=7 * weeks - 1), f"simulation.start_date {start} plus {weeks} weeks")


#: How far a command runs, not what it simulates: sim_state.last_day records that, so they are not stored
#: (a build split in two runs stores what one run stores) nor compared when a run resumes.
RUN_LENGTH = ("initial_weeks", "weeks")


def without_run_length(cfg_dict: dict) -> dict:
    """A config dict (sim_state's, or one of an older version that stored them) less RUN_LENGTH."""
    sim = {k: v for k, v in cfg_dict.get("simulation", {}).items() if k not in RUN_LENGTH}
    return {**cfg_dict, "simulation": sim}


def check_last_day(last: dt.date, what: str) -> None:
    """Refuse a run that would simulate a day after LAST_DATE (before anything is written)."""
    if last > LAST_DATE:
        raise ConfigError(f"{what} runs past {LAST_DATE}, the last date a simulation can reach",
                          hint=f"simulated dates must lie within {FIRST_DATE} .. {LAST_DATE}")


def check_number(what: str, value: Any, lo: float | None = None, hi: float | None = None,
                 whole: bool = False, above: bool = False) -> Any:
    """The one range check for numbers from files and command lines: finite, whole if asked, and within
    [lo, hi] (`above`: strictly above lo). NaN compares false with everything, so it is refused first."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{what} must be a {'whole ' if whole else ''}number, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{what} must be a finite number, got {value}")
    if whole and not isinstance(value, int):
        raise ConfigError(f"{what} must be a whole number, got {value!r}")
    if lo is not None and (value <= lo if above else value < lo):
        bound = "positive" if above and lo == 0 else f"{'>' if above else '>='} {_num(lo)}"
        raise ConfigError(f"{what} must be {bound}, got {_num(value)}")
    if hi is not None and value > hi:
        raise ConfigError(f"{what} must be <= {_num(hi)}, got {_num(value)}")
    return value


def _num(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def stored(sim_state: dict) -> Config:
    """The configuration a database was simulated with (sim_state.config), validated like a file."""
    return Config.from_dict(sim_state["config"])


# ---- level presets ----------------------------------------------------------------------------

def effective(cfg: Config) -> Config:
    """Switch off what the configured level does not include, so the core never looks at levels."""
    level = cfg.simulation.level
    out = cfg
    if level < 3:
        out = dataclasses.replace(
            out,
            film_releases=dataclasses.replace(out.film_releases, films_per_month=0.0),
            inventory_schedule=dataclasses.replace(out.inventory_schedule, every_weeks=0),
        )
    if level < 4:
        out = dataclasses.replace(
            out,
            seasonality=SeasonalityConfig(monthly=(1.0,) * 12),
            returns=dataclasses.replace(out.returns, lost_share=0.0),
            late_changes=dataclasses.replace(out.late_changes, enabled=False),
        )
    return out


# ---- loading ----------------------------------------------------------------------------------

def deep_merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def read_json(path: Path, what: str = "config") -> dict:
    shown = str(path).replace("\0", "\\0")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{what} file not found: {shown}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what} file {shown}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{what} file {shown} is not UTF-8 text (byte {exc.start})",
                          hint="a config file is JSON text; see shared/configs/config.json") from None
    except ValueError:  # a NUL byte in the path
        raise ConfigError(f"{what} file name '{shown}' holds a NUL byte") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{what} file {shown} is not valid JSON: {exc.msg} "
                          f"(line {exc.lineno}, column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:  # a number of thousands of digits, nesting too deep
        why = "nested too deeply" if isinstance(exc, RecursionError) else "a number with too many digits"
        raise ConfigError(f"{what} file {shown} is not valid JSON: {why}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{what} file {path} must hold a JSON object")
    return data


def scenario_names() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.json"))


def load_scenario(name: str) -> dict:
    path = SCENARIO_DIR / f"{name}.json"
    if not path.is_file():
        raise ConfigError(f"unknown scenario '{name}'", hint="choose one of: " + ", ".join(scenario_names()))
    data = read_json(path, "scenario")
    data.pop("description", None)
    return data


def load_config(path: str | Path | None = None, scenario: str | None = None) -> Config:
    """Defaults <- config file (default shared/configs/config.json) <- scenario preset."""
    data = read_json(Path(path) if path else CONFIG_PATH)
    if scenario:
        data = deep_merge(data, load_scenario(scenario))
    return Config.from_dict(data)


#: Port and user of each server engine when the config leaves them out.
SERVER_DEFAULTS = {"mysql": (3306, "root"), "postgresql": (5432, "postgres")}


def database_url(cfg: Config, cli_url: str | None) -> str:
    """--db, else DVDRENTAL_DB_URL, else the config's url or engine fields."""
    if cli_url is not None:  # --db '' is an error (parse_url says so), not the default database
        return cli_url
    env = os.environ.get("DVDRENTAL_DB_URL")
    if env:
        return env
    db = cfg.database
    if db.engine in SERVER_DEFAULTS:
        from urllib.parse import quote
        port, user = SERVER_DEFAULTS[db.engine]
        auth = quote(db.user or user, safe="") + (":" + quote(db.password, safe="") if db.password else "")
        return f"{db.engine}://{auth}@{db.host}:{db.port or port}/{db.database}"
    if db.engine == "sqlite":
        return f"sqlite:///{db.database}"
    if not db.url:
        raise ConfigError("database.url is empty and database.engine is not set")
    return db.url


# ---- generic dataclass building -----------------------------------------------------------------

def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _build(cls: type, data: Any, path: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{path or 'config'} must be an object, got {_kind(data)}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in data:
        if key not in fields:
            raise ConfigError(f"unknown config key '{_join(path, key)}'",
                              hint="known keys here: " + ", ".join(fields))
    kwargs = {name: _convert(hints[name], data[name], _join(path, name), fields[name].metadata)
              for name in fields if name in data}
    return cls(**kwargs)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(value), type(value).__name__)


def _convert(tp: Any, value: Any, path: str, meta: Any) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        if value is None and type(None) in args:
            return None
        tp = next(a for a in args if a is not type(None))
        return _convert(tp, value, path, meta)
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, path)
    if origin is tuple:
        if not isinstance(value, list):
            raise ConfigError(f"{path} must be a list, got {_kind(value)}")
        if meta.get("length") is not None and len(value) != meta["length"]:
            raise ConfigError(f"{path} must have {meta['length']} entries, got {len(value)}")
        return tuple(_convert(args[0], v, f"{path}[{i}]", meta) for i, v in enumerate(value))
    lo, hi, choices = meta.get("min"), meta.get("max"), meta.get("choices")
    if tp is dt.date:
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                pass
        if not isinstance(value, dt.date):
            raise ConfigError(f"{path} must be a date YYYY-MM-DD, got {value!r}")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ConfigError(f"{path} must lie within {lo} .. {hi}, got {value}")
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{path} must be true or false, got {_kind(value)}")
        return value
    if tp in (int, float):
        check_number(path, value, lo, hi, whole=tp is int)
        return float(value) if tp is float else value
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{path} must be a string, got {_kind(value)}")
        if "\0" in value:
            raise ConfigError(f"{path} must not hold a NUL byte, got {value!r}")
    if choices is not None and value not in choices:
        raise ConfigError(f"{path} must be one of {', '.join(str(c) for c in choices if c)}, got {value!r}")
    return value


def _to_json(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return {f.name: _to_json(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, tuple):
        return [_to_json(v) for v in obj]
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj
