"""Names, addresses and e-mails from a per-use seeded Faker instance (never Faker.seed())."""

from __future__ import annotations

from functools import cached_property


class People:
    """Wraps one Faker instance; callers reseed it from (seed, stream, day) before each use."""

    @cached_property
    def fake(self):  # imported lazily: Faker costs ~0.1 s to load
        from faker import Faker
        return Faker("en_US")

    def reseed(self, seed: int) -> None:
        self.fake.seed_instance(seed)

    def name(self) -> tuple[str, str]:
        return self.fake.first_name().upper()[:45], self.fake.last_name().upper()[:45]

    def address(self) -> tuple[str, str, str, str]:
        """(street, district, postal code, phone), cut to Sakila's column widths."""
        f = self.fake
        return (f.street_address()[:50], f.state()[:20], f.postcode()[:10], f.numerify("###-###-####"))


def email(first: str, last: str, domain: str = "sakilacustomer.org") -> str:
    local = f"{first}.{last}".replace(" ", "").replace("'", "")
    return f"{local}@{domain}"[:50]
