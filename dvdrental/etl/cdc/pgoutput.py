"""PostgreSQL's pgoutput messages (logical replication protocol version 1), decoded: the part of the
protocol that carries committed row changes. Each message is one row of
pg_logical_slot_peek_binary_changes; the formats are PostgreSQL's "Logical Replication Message Formats".

Column values stay as the server sent them, in text output format (bytes), NULL (None) or UNCHANGED: an
unchanged TOASTed value of an update that the server leaves out (the old image has it under replica
identity FULL). Turning them into Python values needs the types, which the caller's connection knows.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Union

#: The placeholder of a value the server did not send (an unchanged TOASTed column).
UNCHANGED = object()

Values = tuple  # of bytes | None | UNCHANGED


@dataclass(frozen=True)
class Begin:
    final_lsn: int
    xid: int


@dataclass(frozen=True)
class Commit:
    commit_lsn: int
    end_lsn: int


@dataclass(frozen=True)
class Relation:
    """A table's shape, sent before its first change in each decoding session."""
    oid: int
    schema: str
    name: str
    columns: tuple[str, ...]
    types: tuple[int, ...]


@dataclass(frozen=True)
class Change:
    """A row inserted ("I"), updated ("U") or deleted ("D"): old is the replica identity's image (the whole
    row under REPLICA IDENTITY FULL; None on inserts, and on updates that left the key alone under
    DEFAULT), new the row after (None on deletes)."""
    op: str
    oid: int
    old: Values | None
    new: Values | None


@dataclass(frozen=True)
class Truncate:
    oids: tuple[int, ...]


@dataclass(frozen=True)
class Other:
    """Messages that carry no row change (type, origin, logical message)."""
    kind: str


Message = Union[Begin, Commit, Relation, Change, Truncate, Other]


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)
        self.at = 0

    def unpack(self, fmt: str) -> tuple:
        values = struct.unpack_from(fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return values

    def byte(self) -> str:
        self.at += 1
        return chr(self.data[self.at - 1])

    def string(self) -> str:
        end = bytes(self.data[self.at:]).index(b"\0") + self.at
        text = bytes(self.data[self.at:end]).decode("utf-8")
        self.at = end + 1
        return text

    def values(self) -> Values:
        (n,) = self.unpack("!h")
        out: list[object] = []
        for _ in range(n):
            kind = self.byte()
            if kind == "n":
                out.append(None)
            elif kind == "u":
                out.append(UNCHANGED)
            elif kind in "tb":
                (size,) = self.unpack("!i")
                out.append(bytes(self.data[self.at:self.at + size]))
                self.at += size
            else:
                raise ValueError(f"unknown column value kind {kind!r} in a pgoutput message")
        return tuple(out)


def decode(data: bytes) -> Message:
    """One pgoutput message."""
    r = _Reader(bytes(data))
    kind = r.byte()
    if kind == "B":
        final_lsn, _ts, xid = r.unpack("!QqI")
        return Begin(final_lsn, xid)
    if kind == "C":
        _flags, commit_lsn, end_lsn, _ts = r.unpack("!BQQq")
        return Commit(commit_lsn, end_lsn)
    if kind == "R":
        (oid,) = r.unpack("!I")
        schema, name = r.string(), r.string()
        _identity, n = r.unpack("!Bh")
        columns, types = [], []
        for _ in range(n):
            r.unpack("!B")  # flags: part of the key
            columns.append(r.string())
            type_oid, _typmod = r.unpack("!Ii")
            types.append(type_oid)
        return Relation(oid, schema, name, tuple(columns), tuple(types))
    if kind == "I":
        (oid,) = r.unpack("!I")
        r.byte()  # "N"
        return Change("I", oid, None, r.values())
    if kind == "U":
        (oid,) = r.unpack("!I")
        old, tag = None, r.byte()
        if tag in "KO":
            old, tag = r.values(), r.byte()
        return Change("U", oid, old, r.values())
    if kind == "D":
        (oid,) = r.unpack("!I")
        r.byte()  # "K" or "O"
        return Change("D", oid, r.values(), None)
    if kind == "T":
        n, _options = r.unpack("!iB")
        return Truncate(tuple(r.unpack("!I")[0] for _ in range(n)))
    return Other(kind)


def lsn_number(text: str) -> int:
    """'16/B374D848' -> the 64-bit position."""
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


def lsn_text(number: int) -> str:
    return f"{number >> 32:X}/{number & 0xFFFFFFFF:X}"
