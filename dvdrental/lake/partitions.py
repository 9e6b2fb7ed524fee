"""Folded changes applied to a table's partitions: only the partitions whose rows change are rewritten.

Rows changed or deleted are found through the index a store keeps of its partitions, per table:
segment -> [lowest key, highest key, rows]. Ids grow with time, so the few partitions whose key range
holds a key are read, not the store's whole history (a rental returned next month rewrites the month
it was rented in and no other).
"""

from __future__ import annotations

from itertools import chain
from typing import Any, Callable

from ..errors import StateError
from .files import Run
from .tables import LakeTable

DAMAGED = "restore the lake from a copy, or build it anew"
#: segment -> [lowest key, highest key, rows] (keys None for tables with a composite key)
Index = dict[str, list]


def apply(run: Run, t: LakeTable, store: int | None, inserts: dict, updates: dict, deletes: dict | set,
          index: Index) -> None:
    """Write the partitions of `t` that `inserts` (key -> raw row), `updates` (key -> {column: value},
    rows already in the lake) and `deletes` (keys in the lake) change, and keep `index` up to date."""
    if not (inserts or updates or deletes):
        return
    loaded: dict[str, dict[Any, list]] = {}
    dirty: set[str] = set()

    def load(seg: str) -> dict[Any, list]:
        if seg not in loaded:
            table = run.read(t.rel(seg)) if seg in index else None
            if table is None and seg in index:
                raise StateError(f"lake {run.lake.url} has lost {t.rel(seg)}: the lake is damaged", hint=DAMAGED)
            loaded[seg] = {} if table is None else {t.key_of(r): r for r in t.raw_rows(table.cast(t.schema))}
        return loaded[seg]

    ranges = sorted(index.items())
    where = {key: _find(t, ranges, load, key) for key in chain(updates, deletes)}
    for key in deletes:
        del loaded[where[key]][key]
        dirty.add(where[key])
    placed: list[tuple[str, Any, list]] = []
    pos = {c: i for i, c in enumerate(t.column_names)}
    for key, values in updates.items():
        seg = where[key]
        row = loaded[seg].pop(key)
        for col, v in values.items():
            row[pos[col]] = v
        dirty.add(seg)
        placed.append((t.segment(store, row), key, row))
    placed += [(t.segment(store, row), key, list(row)) for key, row in inserts.items()]
    for seg, key, row in placed:
        load(seg)[key] = row
        dirty.add(seg)
    for seg in sorted(dirty):
        rows = loaded[seg]
        if rows:
            keys = sorted(rows)
            run.write(t.rel(seg), t.to_arrow([rows[k] for k in keys]))
            index[seg] = [keys[0], keys[-1], len(keys)] if t.int_key else [None, None, len(keys)]
        else:
            run.delete(t.rel(seg))
            index.pop(seg, None)


def _find(t: LakeTable, ranges: list[tuple[str, list]], load: Callable[[str], dict], key: Any) -> str:
    """The segment holding `key` (read through `load`)."""
    for seg, (lo, hi, _) in ranges:
        if (lo is None or lo <= key <= hi) and key in load(seg):
            return seg
    raise StateError(f"lake table {t.name} has no row {key} to change: the lake is damaged", hint=DAMAGED)
