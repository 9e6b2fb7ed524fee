"""Domain errors: things a user can fix. Scripts print them as one line and exit 2."""

from __future__ import annotations


class DvdRentalError(Exception):
    """Base class; `hint` is an optional second line telling the user what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class ConfigError(DvdRentalError):
    """Malformed, unknown or out-of-range configuration or command-line value."""


class DatabaseError(DvdRentalError):
    """The database cannot be reached, or holds something we cannot work with."""


class StateError(DvdRentalError):
    """The database is reachable but not in a state this command can work on."""


class LockedError(DvdRentalError):
    """Another dvdrental-live run holds the database."""
