"""Domain errors: things a user can fix. Scripts print them as one line and exit 2.

Every message passes through `mask_credentials` (here for domain errors, in cli for the rest), so a
password in a database URL, a DSN or a driver's text never reaches the screen or a log.
"""

from __future__ import annotations

import re
from urllib.parse import quote

MASK = "***"

#: Passwords this process has been given (database URLs, DVDRENTAL_DB_PASSWORD): hidden wherever
#: they appear literally, whatever surrounds them. Shorter ones would blank ordinary words.
_SECRETS: set[str] = set()
_MIN_SECRET = 6

#: key=value (DSN, environment) and "key": "value" (JSON, dict) forms of a password.
_KEY_VALUE = re.compile(r"""(?ix)(?<![a-z])(password|passwd|pwd)(\s*=\s*|["']\s*:\s*)
                            ("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[^\s,;)}\]]+)""")
#: user:password@ in running text, with or without a (malformed) scheme before it: mysql://u:p@h,
#: mysql:/u:p@h, mysql//u:p@h, u:p@h. A scheme needs a / after it (else u:p:q@h reads as scheme u).
#: The password runs to the token's last @ (it may hold @ : / #); without a scheme it may not start
#: with // (that is scheme://user@, no password).
_USERINFO = re.compile(r"""(?i)((?:[a-z][a-z0-9+.-]*(?::/+|/{2,}))[^\s:/@'"]*|[^\s:/@'"]*(?=:(?!//)))"""
                       r""":(?!/?\*\*\*@)\S*@""")
#: the scheme prefixes kept when a whole malformed URL is masked.
_SCHEME = re.compile(r"(?i)^\s*(?:mysql\+mysqlconnector|mysql|mariadb)(?::/*|/+)")


def register_secret(secret: str | None) -> None:
    """Remember a password so any message that echoes it, however it got there, hides it."""
    if secret and len(secret) >= _MIN_SECRET:
        _SECRETS.update({secret, quote(secret, safe=""), quote(secret)})


def mask_credentials(text: str, *, url: bool = False) -> str:
    """`text` with every password replaced by ***: known passwords, DSN/JSON password values and
    the user:password@ part of URLs. With `url=True` the whole text is one database URL (possibly
    malformed): everything between the user and the last @ is hidden, spaces and newlines included."""
    text = str(text)
    if url:
        text = _mask_whole_url(text)
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    text = _KEY_VALUE.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    return _USERINFO.sub(lambda m: m.group(1) + ":" + MASK + "@", text)


def _mask_whole_url(url: str) -> str:
    if re.match(r"(?i)\s*sqlite:", url):  # a file path: no credentials, and it may hold @ and :
        return url
    head, at, tail = url.rpartition("@")
    if not at:  # no user part; a "port" that is no number may well be a password missing its @host
        return re.sub(r"(?i)^(\s*[a-z][a-z0-9+.-]*://[^:/]*:)(?!\d*(?:/|$))[^/]*", rf"\g<1>{MASK}", url)
    proper = re.match(r"(?i)^(\s*[a-z][a-z0-9+.-]*://)([^:]*)(:?)", head)
    if proper:  # scheme://user[:password]@host...: keep the user
        return url if not proper.group(3) else f"{proper.group(1)}{proper.group(2)}:{MASK}@{tail}"
    scheme = _SCHEME.match(head)  # malformed: keep a recognisable scheme, hide the rest up to the @
    return (scheme.group(0).strip() if scheme else "") + f"{MASK}@{tail}"


class DvdRentalError(Exception):
    """Base class; `hint` is an optional second line telling the user what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(mask_credentials(message))
        self.hint = mask_credentials(hint) if hint else hint


class ConfigError(DvdRentalError):
    """Malformed, unknown or out-of-range configuration or command-line value."""


class DatabaseError(DvdRentalError):
    """The database cannot be reached, or holds something we cannot work with."""


class StateError(DvdRentalError):
    """The database is reachable but not in a state this command can work on."""


class LockedError(DvdRentalError):
    """Another dvdrental-live run holds the database."""
