"""--mode files: load the daily export folders (generator.py --export-dir) not loaded yet, in date
order, one warehouse transaction per folder: upserts, then deletes, then the folder's day as the
new position. A folder marked as a snapshot (the first one) replaces every table."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..errors import ConfigError
from ..exports.daily import COLUMNS, EXPORTED, MARKER, exported_days
from ..exports.replay import read_folder
from ..storage.tables import SAKILA_TABLES, TABLES
from .columns import arrow_table, kinds
from .run import Context, bind

FILM_TEXT = TABLES["film_text"]


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
    wh, s, root = ctx.wh, ctx.summary, Path(ctx.options.exports)
    done = wh.state().get("last_export_day")
    days = todo(root, done)
    ctx.progress.begin("Loading days", len(days))
    for day in days:
        manifest, upserts, deletes = read_folder(root / day)
        if done is None and not manifest.get("snapshot"):
            raise ConfigError(f"the first export folder {root / day} is not a full snapshot",
                              hint="load a folder sequence that begins with the first exported day")
        with wh.transaction():
            bind(ctx)
            if manifest.get("snapshot"):
                for table in SAKILA_TABLES:
                    s.count(table.name, deleted=wh.count(table.name))
                    wh.empty(table)
            _apply(ctx, upserts, deletes)
            wh.set_state(last_export_day=day, change_id=manifest.get("last_change_id"))
        done = day
        ctx.progress.advance()
    s.position = f"export day {done or '-'}"
    if not days:
        s.notes.append("no new export folder")
    ctx.progress.end()


def _apply(ctx: Context, upserts: dict[str, list[tuple]], deletes: dict[str, list[tuple]]) -> None:
    wh, s = ctx.wh, ctx.summary
    for table in EXPORTED:
        rows = upserts[table.name]
        s.count(table.name, read=len(rows) + len(deletes[table.name]),
                written=wh.upsert(table, arrow_table(kinds(table, COLUMNS[table.name]), rows)),
                deleted=wh.delete(table, deletes[table.name]))
    # film_text is not exported: it is film's title and description (Sakila's triggers keep it so)
    at = [COLUMNS["film"].index(c) for c in FILM_TEXT.column_names]
    texts = [tuple(r[i] for i in at) for r in upserts["film"]]
    s.count("film_text", written=wh.upsert(FILM_TEXT, arrow_table(FILM_TEXT.columns, texts)),
            deleted=wh.delete(FILM_TEXT, deletes["film"]))
