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
    generator (Faker's instance seed, never its global one). Street names, postcodes and phone numbers
    come from pools per locale drawn once per process with a fixed seed (Faker takes ~60 us a street and
    ~50 us a postcode and phone, a third of a chain's simulation): an address takes a pooled street, and a
    pooled postcode and phone whose last digits are drawn again (`_redraw`), so numbers keep the
    locale's formats, area codes and postal regions without repeating."""

    POOL = 1000  # street names, postcodes and phone numbers per locale, drawn once per process
    #: Trailing digits drawn again: of a phone number (its line number) and of a postcode (its local part).
    PHONE_DIGITS, POSTAL_DIGITS = 6, 2

    # One per process, shared by every store's model (a chain's hundred stores made a Faker and pools
    # each: a quarter of a second a store); every use reseeds the Faker, so sharing changes no draw.
    _fakers: dict[str, object] = {}
    _pools: dict[str, tuple[list[str], list[str], list[str]]] = {}

    def _faker(self, locale: str, rng: np.random.Generator):
        """The locale's Faker, seeded from `rng` (one draw)."""
        self._pool(locale)
        fk = self._fakers[locale]
        fk.seed_instance(int(rng.integers(0, 2**62)))
        return fk

    def _pool(self, locale: str) -> tuple[list[str], list[str], list[str]]:
        """The locale's streets, postcodes and phone numbers: the same in every process, and no draw of
        the caller's generator (whether a process made them already must not change what it draws)."""
        pools = self._pools.get(locale)
        if pools is None:
            from faker import Faker
            fk = self._fakers[locale] = Faker(locale)
            fk.seed_instance(locale)
            streets = sorted({fk.street_name()[:40] for _ in range(self.POOL)})
            # within Sakila's widths (10, 20): a draw that does not fit (a phone with an extension) is left out
            postcodes = [p for p in (fk.postcode() for _ in range(self.POOL)) if len(p) <= 10] or [""]
            phones = [p for p in (fk.phone_number() for _ in range(self.POOL)) if len(p) <= 20] or [""]
            pools = self._pools[locale] = (streets, postcodes, phones)
        return pools

    def contacts(self, rng: np.random.Generator, locale: str, n: int) -> list[tuple[str, str, str]]:
        """(street, postal code, phone) for `n` addresses, within Sakila's widths (50, 10, 20)."""
        streets, postcodes, phones = self._pool(locale)
        # one draw for everything (a call of a generator costs more than the few numbers an address needs)
        u = rng.random((n, 4 + self.PHONE_DIGITS + self.POSTAL_DIGITS))
        picks = (u[:, :4] * [1999, len(streets), len(postcodes), len(phones)]).astype(np.int64).tolist()
        digits = ((u[:, 4:] * 10).astype(np.uint8) + ord("0")).tolist()
        p = self.PHONE_DIGITS
        return [(f"{number + 1} {streets[name]}", _redraw(postcodes[post], row[p:]), _redraw(phones[call], row[:p]))
                for (number, name, post, call), row in zip(picks, digits)]

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


def _redraw(template: str, digits: list[int]) -> str:
    """`template` with its last len(digits) digits replaced by `digits` (ASCII codes)."""
    chars = list(template)
    k = len(digits)
    for i in range(len(chars) - 1, -1, -1):
        if not k:
            break
        if chars[i].isdigit():
            k -= 1
            chars[i] = chr(digits[k])
    return "".join(chars)


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
