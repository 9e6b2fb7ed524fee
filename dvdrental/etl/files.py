"""--mode files: load the daily export folders (generator.py --export-dir) not loaded yet, in date
order: each folder's upserts, then its deletes, folded per key over a stretch of folders and written
in one warehouse transaction with the last folder's day as the new position. A folder marked as a
snapshot (the first one) replaces every table."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from ..errors import ConfigError
from ..exports.daily import COLUMNS, EXPORTED, MARKER, exported_days
from ..exports.replay import read_folder
from ..storage.tables import SAKILA_TABLES, TABLES
from .columns import kinds
from .fold import FLUSH_ROWS, Folded
from .run import Context, bind

FILM_TEXT = TABLES["film_text"]
#: The columns of each table in the folders' rows (all but address.location; film_text derived).
FOLDER_COLUMNS = {**{t.name: kinds(t, COLUMNS[t.name]) for t in EXPORTED}, "film_text": FILM_TEXT.columns}


def export_identity(root: Path) -> dict:
    """The identity of the database whose exports `root` holds (what binds the warehouse to it)."""
    if not root.is_dir():
        raise ConfigError(f"exports folder {root} does not exist")
    try:
        return json.loads((root / MARKER).read_text())["database"]
    except (OSError, ValueError, KeyError):
        raise ConfigError(f"{root} holds no dvdrental-live exports (no readable {MARKER})",
                          hint="point --exports at the folder given to --export-dir") from None


def todo(root: Path, done: str | None) -> list[str]:
    """The folders after `done`; refuses a gap (a day missing in the sequence) before loading any."""
    days = [d for d in exported_days(root) if done is None or d > done]
    if not days:
        return []
    first = dt.date.fromisoformat(done) + dt.timedelta(days=1) if done else dt.date.fromisoformat(days[0])
    expected = [(first + dt.timedelta(days=i)).isoformat()
                for i in range((dt.date.fromisoformat(days[-1]) - first).days + 1)]
    missing = sorted(set(expected) - set(days))
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise ConfigError(f"exports folder {root} misses day {', '.join(missing[:3])}{more} "
                          f"(loaded up to {done or 'nothing'}, folders up to {days[-1]})",
                          hint="a missing day cannot be skipped: restore it, or reload from a folder that "
                               "starts with a full snapshot into a new warehouse")
    return days


def run(ctx: Context) -> None:
    """Folders are folded per key and written a stretch at a time (one transaction, with the last
    folder's day as the position), so catching up on years of folders costs what they changed."""
    wh, s, root = ctx.wh, ctx.summary, Path(ctx.options.exports)
    done = wh.state().get("last_export_day")
    days = todo(root, done)
    ctx.progress.begin("Loading days", len(days))
    folded, change_id = Folded(), None
    for day in days:
        manifest, upserts, deletes = read_folder(root / day)
        snap = bool(manifest.get("snapshot"))
        if snap:  # replaces everything before it
            folded = Folded()
        elif done is None:
            raise ConfigError(f"the first export folder {root / day} is not a full snapshot",
                              hint="load a folder sequence that begins with the first exported day")
        ops = _ops(upserts, deletes)
        for name, n in Counter(op[0] for op in ops).items():
            s.count(name, read=n)
        folded.add(ops)
        done, change_id = day, manifest.get("last_change_id")
        if snap or folded.size >= FLUSH_ROWS:
            _write(ctx, folded, done, change_id, replace=snap)
            folded = Folded()
        ctx.progress.advance()
    _write(ctx, folded, done, change_id)
    s.position = f"export day {done or '-'}"
    if not days:
        s.notes.append("no new export folder")
    ctx.progress.end()


def _ops(upserts: dict[str, list[tuple]], deletes: dict[str, list[tuple]]) -> list[tuple[str, tuple, tuple | None]]:
    """One folder as (table, key, image or None) in the order it applies: upserts, then deletes. The
    folders leave out film_text, which is film's title and description (Sakila's triggers keep it)."""
    ops: list[tuple[str, tuple, tuple | None]] = []
    for table in EXPORTED:
        at = [COLUMNS[table.name].index(c) for c in table.key]
        ops += [(table.name, tuple(int(r[i]) for i in at), r) for r in upserts[table.name]]
    ops += [(t.name, k, None) for t in EXPORTED for k in deletes[t.name]]
    text_at = [COLUMNS["film"].index(c) for c in FILM_TEXT.column_names]
    ops += [("film_text", (int(r[0]),), tuple(r[i] for i in text_at)) for r in upserts["film"]]
    ops += [("film_text", k, None) for k in deletes["film"]]
    return ops


def _write(ctx: Context, folded: Folded, day: str | None, change_id: int | None, replace: bool = False) -> None:
    """One transaction: (with `replace`, every table emptied first) the folded rows and the position."""
    if not folded.size:
        return
    with ctx.wh.transaction():
        bind(ctx)
        if replace:
            for table in SAKILA_TABLES:
                ctx.summary.count(table.name, deleted=ctx.wh.count(table.name))
                ctx.wh.empty(table)
        folded.write(ctx.wh, ctx.summary, FOLDER_COLUMNS)
        ctx.wh.set_state(last_export_day=day, change_id=change_id)
