"""Names, places and e-mails drawn from Faker's en_US data with our own seeded generators.

Calling Faker per person costs ~300 us (and making a Faker instance ~0.1 s); drawing from its
(weighted) data lists with numpy costs ~1 us, stays reproducible from (seed, day) and never touches
Faker's global seed.
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
                "suffix": np.array(Address.street_suffixes, dtype=object),
                "state": np.array([s[:20] for s in Address.states], dtype=object),
                "country": np.array([c[:50] for c in Address.countries], dtype=object),
                "city_prefix": np.array(Address.city_prefixes, dtype=object),
                "city_suffix": np.array(Address.city_suffixes, dtype=object)}

    def _pick(self, rng: np.random.Generator, key: str, n: int) -> np.ndarray:
        names, cum = self._lists[key]
        return names[np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(names) - 1)]

    def _any(self, rng: np.random.Generator, key: str, n: int) -> np.ndarray:
        items = self._lists[key]
        return items[rng.integers(0, len(items), n)]

    def countries(self, rng: np.random.Generator, n: int) -> list[str]:
        """`n` distinct country names (Faker's en_US list has 245)."""
        items = self._lists["country"]
        return items[rng.choice(len(items), size=min(n, len(items)), replace=False)].tolist()

    def cities(self, rng: np.random.Generator, n: int) -> list[str]:
        """City names in Faker's en_US shapes: 'North Annaton', 'Port Mary', 'Smithville'."""
        shape = rng.integers(0, 4, n)
        prefix, suffix = self._any(rng, "city_prefix", n), self._any(rng, "city_suffix", n)
        first = [f.title() for f in self._pick(rng, "first", n)]
        last = [f.title() for f in self._pick(rng, "last", n)]
        out = []
        for k, p, sfx, fn, ln in zip(shape.tolist(), prefix, suffix, first, last):
            out.append((f"{p} {fn}{sfx}", f"{p} {fn}", f"{fn}{sfx}", f"{ln}{sfx}")[k][:50])
        return out

    def names(self, rng: np.random.Generator, n: int) -> list[tuple[str, str]]:
        """(FIRST, LAST) in Sakila's upper case, by US name frequencies."""
        return list(zip(self._pick(rng, "first", n).tolist(), self._pick(rng, "last", n).tolist()))

    def addresses(self, rng: np.random.Generator, n: int) -> list[tuple[str, str, str, str]]:
        """(street, district, postal code, phone), within Sakila's column widths."""
        lists = self._lists
        number = rng.integers(1, 10000, n)
        street = np.where(rng.random(n) < 0.5, self._pick(rng, "first", n), self._pick(rng, "last", n))
        suffix = lists["suffix"][rng.integers(0, len(lists["suffix"]), n)]
        state = lists["state"][rng.integers(0, len(lists["state"]), n)]
        postal = rng.integers(501, 99951, n)
        phone = rng.integers(0, 10**10, n)
        return [(f"{num} {name.title()} {suf}"[:50], st, f"{pc:05d}", f"{ph // 10**7:03d}-{ph // 10**4 % 1000:03d}-"
                 f"{ph % 10**4:04d}")
                for num, name, suf, st, pc, ph in zip(number.tolist(), street.tolist(), suffix.tolist(),
                                                     state.tolist(), postal.tolist(), phone.tolist())]


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
