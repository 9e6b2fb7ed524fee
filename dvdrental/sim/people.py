"""Names, e-mails and addresses drawn from Faker's data with our own seeded generators.

Names come from Faker's en_US (weighted) lists drawn with numpy (~1 us a name, where calling Faker
costs ~300 us); addresses and phone numbers from Faker's locale of the store's country (`Locals`).
Everything stays reproducible from (seed, day) and never touches Faker's global seed.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np


class People:
    @cached_property
    def _lists(self) -> dict:
        from faker.providers.address.en_US import Provider as Address
        from faker.providers.person.en_US import Provider as Person

        def weighted(d: dict) -> tuple[np.ndarray, np.ndarray]:
            names = np.array([k.upper() for k in d], dtype=object)
            weights = np.array(list(d.values()), dtype=float)
            return names, np.cumsum(weights / weights.sum())

        return {"first": weighted(Person.first_names), "last": weighted(Person.last_names),
                "country": np.array([c[:50] for c in Address.countries], dtype=object)}

    def _pick(self, rng: np.random.Generator, key: str, n: int) -> np.ndarray:
        names, cum = self._lists[key]
        return names[np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(names) - 1)]

    def countries(self, rng: np.random.Generator, n: int) -> list[str]:
        """`n` distinct country names (Faker's en_US list has 245)."""
        items = self._lists["country"]
        return items[rng.choice(len(items), size=min(n, len(items)), replace=False)].tolist()

    def names(self, rng: np.random.Generator, n: int) -> list[tuple[str, str]]:
        """(FIRST, LAST) in Sakila's upper case, by US name frequencies."""
        return list(zip(self._pick(rng, "first", n).tolist(), self._pick(rng, "last", n).tolist()))


class Locals:
    """Streets, postcodes, phone numbers and town names in a country's own formats, from Faker's
    locale providers. One Faker instance per locale (making one costs ~0.1 s), seeded from our own
    generator (Faker's instance seed, never its global one) once per batch. Street names come from a
    pool per locale (a street name costs Faker ~60 us; postcode and phone ~25 us together)."""

    STREETS = 1000  # street names per locale, drawn once per process with a fixed seed

    def __init__(self) -> None:
        self._fakers: dict[str, object] = {}
        self._streets: dict[str, list[str]] = {}

    def _faker(self, locale: str, rng: np.random.Generator):
        fk = self._fakers.get(locale)
        if fk is None:
            from faker import Faker
            fk = self._fakers[locale] = Faker(locale)
            fk.seed_instance(locale)
            self._streets[locale] = sorted({fk.street_name()[:40] for _ in range(self.STREETS)})
        fk.seed_instance(int(rng.integers(0, 2**62)))
        return fk

    def contacts(self, rng: np.random.Generator, locale: str, n: int) -> list[tuple[str, str, str]]:
        """(street, postal code, phone) for `n` addresses, within Sakila's widths (50, 10, 20): a draw
        that does not fit (a phone with an extension) is drawn again."""
        fk = self._faker(locale, rng)
        streets = self._streets[locale]
        numbers = rng.integers(1, 2000, n).tolist()
        names = rng.integers(0, len(streets), n).tolist()
        out = []
        for number, name in zip(numbers, names):
            postal = next((p for p in (fk.postcode() for _ in range(10)) if len(p) <= 10), "")
            phone = next((p for p in (fk.phone_number() for _ in range(10)) if len(p) <= 20), "")
            out.append((f"{number} {streets[name]}", postal, phone))
        return out

    def towns(self, rng: np.random.Generator, locale: str, n: int, besides: set[str]) -> list[str]:
        """`n` town names of the locale, none in `besides` (which they join), at most 50 characters."""
        fk = self._faker(locale, rng)
        out: list[str] = []
        for _ in range(50 * n):
            if len(out) == n:
                break
            name = fk.city()[:50]
            if name not in besides:
                besides.add(name)
                out.append(name)
        return out


def email(first: str, last: str, domain: str = "sakilacustomer.org", taken: set[str] | None = None) -> str:
    """FIRST.LAST@domain as Sakila writes them, within the column's 50 characters. With `taken` (the
    upper-cased addresses in use) a second MARY.SMITH becomes MARY.SMITH2, and the address is taken."""
    base = f"{first}.{last}".replace(" ", "").replace("'", "")
    n = 1
    while True:
        suffix = "" if n == 1 else str(n)
        address = f"{base[:49 - len(domain) - len(suffix)]}{suffix}@{domain}"
        if taken is None:
            return address
        if address.upper() not in taken:
            taken.add(address.upper())
            return address
        n += 1
