"""Customers as simulation state: who exists, who is active, when each was last seen.

Arrays are indexed by customer_id (slot 0 unused). Propensity is latent: a hash of
(seed, customer_id), so it never needs storing. Idle time counts from the last rental, the sign-up
or the last reactivation, whichever is latest; all three can be read back from the database, and so
can the films each customer has rented (`films`), which they rarely rent again.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from ..config import CustomersConfig
from .calendar import DAY
from .people import email
from .rng import latent_normal, latent_uniform

NEVER = np.iinfo(np.int64).min
#: (customer, film) as one int key of `Customers.films`: customer_id * FILM_KEY + film_id
FILM_KEY = 1 << 32


def _grow(arr: np.ndarray, size: int, fill: object) -> np.ndarray:
    if size <= len(arr):
        return arr
    out = np.full(max(size, 2 * len(arr)), fill, dtype=arr.dtype)
    out[: len(arr)] = arr
    return out


@dataclass
class Customers:
    seed: int
    sigma: float
    cap: float = math.inf           # largest propensity (the median casual customer's is 1)
    regular_share: float = 0.0      # share of regulars, whose propensity is `regular_boost` times
    regular_boost: float = 1.0
    exists: np.ndarray = field(default_factory=lambda: np.zeros(1, bool))
    store: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int32))
    active: np.ndarray = field(default_factory=lambda: np.zeros(1, bool))
    create_ts: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    seen_ts: np.ndarray = field(default_factory=lambda: np.full(1, NEVER, np.int64))
    propensity: np.ndarray = field(default_factory=lambda: np.zeros(1, float))
    address: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    closed: np.ndarray = field(default_factory=lambda: np.zeros(1, bool))  # account closed for good
    names: dict[int, tuple[str, str]] = field(default_factory=dict)       # (first, last), for e-mails
    emails: dict[int, str] = field(default_factory=dict)                 # each customer's e-mail now
    taken: set[str] = field(default_factory=set)                         # those e-mails, upper-cased
    # customer_id * FILM_KEY + film_id -> rentals of that film by that customer (the films they have seen)
    films: Counter = field(default_factory=Counter)
    #: a store of a sharded chain gives e-mails under its own subdomain ("store12."): unique chain-wide
    #: without knowing the other stores' customers
    subdomain: str = ""

    def give_email(self, cid: int, domain: str = "sakilacustomer.org") -> str:
        """A new e-mail for customer `cid`, FIRST.LAST[n]@domain, no other customer's (its old one is
        given up: an incremental run rebuilds this from the e-mails in the database)."""
        domain = self.subdomain + domain
        old = self.emails.pop(cid, None)
        if old is not None:
            self.taken.discard(old.upper())
        first, last = self.names[cid]
        self.emails[cid] = address = email(first, last, domain, self.taken)
        return address

    def add(self, ids: np.ndarray, stores: np.ndarray, create_ts: np.ndarray,
            active: np.ndarray | None = None, seen_ts: np.ndarray | None = None,
            address: np.ndarray | None = None, closed: np.ndarray | None = None) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return
        size = int(ids.max()) + 1
        self.exists = _grow(self.exists, size, False)
        self.store = _grow(self.store, size, 0)
        self.active = _grow(self.active, size, False)
        self.create_ts = _grow(self.create_ts, size, 0)
        self.seen_ts = _grow(self.seen_ts, size, NEVER)
        self.propensity = _grow(self.propensity, size, 0.0)
        self.address = _grow(self.address, size, 0)
        self.closed = _grow(self.closed, size, False)
        self.exists[ids] = True
        self.store[ids] = stores
        self.active[ids] = True if active is None else active
        self.create_ts[ids] = create_ts
        self.seen_ts[ids] = create_ts if seen_ts is None else np.maximum(seen_ts, create_ts)
        self.propensity[ids] = propensity(self.seed, ids, self.sigma, self.cap, self.regular_share,
                                          self.regular_boost)
        if address is not None:
            self.address[ids] = address
        self.closed[ids] = False if closed is None else closed

    def forget(self, cid: int, film: int) -> None:
        """A rental of `film` by `cid` is gone (voided): the film counts as seen while another remains."""
        key = cid * FILM_KEY + film
        left = self.films[key] - 1
        if left > 0:
            self.films[key] = left
        else:
            del self.films[key]

    def active_ids(self) -> np.ndarray:
        return np.flatnonzero(self.active & self.exists)

    def inactive_ids(self) -> np.ndarray:
        """Customers who may come back: inactive, and not closed for good."""
        return np.flatnonzero(~self.active & self.exists & ~self.closed)

    def idle_candidates(self, now: int, idle_weeks: int) -> np.ndarray:
        """Active customers not seen for `idle_weeks` weeks: the ones who may churn now."""
        ids = self.active_ids()
        return ids[self.seen_ts[ids] <= now - idle_weeks * 7 * DAY]


def propensity(seed: int, ids: np.ndarray, sigma: float, cap: float = math.inf, regular_share: float = 0.0,
               regular_boost: float = 1.0) -> np.ndarray:
    """Latent rental propensity per customer: lognormal around 1 (a casual customer's median), times
    `regular_boost` for the `regular_share` who are regulars, capped at `cap`."""
    w = np.exp(sigma * latent_normal(seed, "propensity", ids))
    if regular_share > 0:
        w = np.where(latent_uniform(seed, "propensity", ids, 3) < regular_share, w * regular_boost, w)
    return np.minimum(w, cap)


def reactivation_hazard(cfg: CustomersConfig) -> float:
    """Daily chance that makes `reactivation_per_year` of churned customers return within a year."""
    return 1.0 - math.pow(1.0 - cfg.reactivation_per_year, 1.0 / 365.0)


def new_customers_expected(cfg: CustomersConfig, weekly_demand: float, active: int) -> float:
    """Expected sign-ups today: a baseline plus enough to follow demand."""
    target = weekly_demand / cfg.rentals_per_active_week
    return (cfg.baseline_new_per_week + cfg.acquisition_rate * max(0.0, target - active)) / 7.0
