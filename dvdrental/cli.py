"""What every top-level script shares: common options, config loading, errors, progress, tables."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import click

from .config import Config, check_number, database_url, load_config
from .paths import resolve
from .errors import ConfigError, DvdRentalError, mask_credentials
from .sim.events import DayStats
from .storage import Database, connect
from .storage.timeout import given_up


class CommandError(click.ClickException):
    """A one-line error (plus hint) with exit code 2: usage, config, connection or state."""
    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(mask_credentials(_one_line(message)  # no password shown
                                          + (f"\nHint: {_one_line(hint)}" if hint else "")))


def _one_line(text: str) -> str:
    """Newlines and NUL bytes from user input or a server shown escaped, so a message stays one line."""
    return text.replace("\0", "\\0").replace("\r", "\\r").replace("\n", "\\n")


# ---- usage errors: one line and a hint, exit 2 ------------------------------------------------------

def _usage(exc: click.UsageError) -> CommandError:
    path = exc.ctx.command_path if exc.ctx is not None else "the command"
    return CommandError(exc.format_message(), f"see '{path} --help'")


class _OneLineUsage:
    """Click's usage errors (unknown option, bad or missing value) as one line plus a hint, exit 2,
    instead of the usage block; and no argument may hold a NUL byte (no file name or URL can)."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        for arg in args:
            if "\0" in arg:
                raise CommandError(f"argument '{arg}' holds a NUL byte", "no file name, URL or value can hold one")
        try:
            return super().make_context(info_name, args, parent, **extra)  # type: ignore[misc]
        except click.UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group prints its help
                raise
            raise _usage(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)  # type: ignore[misc]
        except click.UsageError as exc:
            raise _usage(exc) from None


class Command(_OneLineUsage, click.Command):
    """Every top-level command and subcommand: `@click.command(cls=cli.Command)`."""


class Group(_OneLineUsage, click.Group):
    """inventory_manager.py and maintain.py: `@click.group(cls=cli.Group)`; its subcommands are Commands."""
    command_class = Command


# ---- numbers and names from the command line ---------------------------------------------------------

#: Row ids (film, copy, store): positive and within Sakila's INT columns.
ID = click.IntRange(1, 2**31 - 1)


class Number(click.ParamType):
    """A finite decimal number in a range: click's FloatRange lets NaN through (it compares false)."""
    name = "number"

    def __init__(self, lo: float | None = None, hi: float | None = None, above: bool = False) -> None:
        self.lo, self.hi, self.above = lo, hi, above

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        try:
            return check_number("the value", number, self.lo, self.hi, above=self.above)
        except ConfigError as exc:
            self.fail(str(exc), param, ctx)


#: --databases names: one rule for both engines (a MySQL database name part, a file name without / or .).
_DATABASE_NAME = re.compile(r"^[A-Za-z0-9_]{1,32}$")
MAX_DATABASES = 500


def database_names(value: str) -> list[str]:
    """Every name of --databases checked before any database is built: non-empty, distinct, letters,
    digits and _ only (so no name can leave the pattern's folder or break a database name)."""
    names = [n.strip() for n in value.split(",")]
    if not value.strip() or not all(names) or len(set(names)) != len(names):
        raise ConfigError(f"--databases '{value}': give distinct, non-empty names separated by commas")
    bad = [n for n in names if not _DATABASE_NAME.match(n)]
    if bad:
        raise ConfigError(f"--databases: {', '.join(repr(n) for n in bad)} "
                          f"{'is not a valid name' if len(bad) == 1 else 'are not valid names'}",
                          hint="names may hold letters, digits and _ (at most 32); nothing was built")
    if len(names) > MAX_DATABASES:
        raise ConfigError(f"--databases: {len(names)} names, at most {MAX_DATABASES}")
    return names


def common_options(func: Callable) -> Callable:
    """--db, --config, --seed, --quiet: shared by every command (SPEC section 2)."""
    func = click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")(func)
    func = click.option("--seed", type=click.IntRange(0, 2**63 - 1),
                        help="Master seed (overrides simulation.seed).")(func)
    func = click.option("--config", "config_path", type=click.Path(dir_okay=False),
                        help="Config file (default: shared/configs/config.json).")(func)
    func = click.option("--db", "db_url", metavar="URL",
                        help="sqlite:///path.db, mysql://user:pass@host:port/name or postgresql://user:pass@host:port/name "
                             "(default: $DVDRENTAL_DB_URL, else the config).")(func)
    return func


def simulation_options(func: Callable) -> Callable:
    """--late-changes/--no-late-changes, --export-dir and --workers: shared by the commands that
    simulate days."""
    func = click.option("--workers", type=click.IntRange(1, 256), metavar="K",
                        help="Processes that simulate the stores of a sharded chain (more than 2 stores) in "
                             "parallel: a database run's default is one per core but one (the run merges, a "
                             "writer writes), a lake's one per core. The data is the same for any K.")(func)
    func = click.option("--export-dir", metavar="DIR",
                        help="Write one folder of CSV files per simulated day here (what changed that day; "
                             "the first folder is a full snapshot). Default: the config's exports.dir.")(func)
    func = click.option("--late-changes/--no-late-changes", "late_changes", default=None,
                        help="Change past records every day (return and payment corrections, refunds, "
                             "profile edits, price changes, closed accounts, voided rentals). Default: "
                             "on at level 4.")(func)
    return func


def stores_option(func: Callable) -> Callable:
    """--stores N: the commands that create a database."""
    return click.option("--stores", type=click.IntRange(1, 200), metavar="N",
                        help="Stores in the chain (catalog.stores). More than 2 makes a sharded chain: each store "
                             "simulated on its own, with its share of the config's demand and customers.")(func)


def lake_options(func: Callable) -> Callable:
    """--lake URL and --scheduler ADDRESS: a sharded chain as a Parquet lake, its stores run by Dask."""
    func = click.option("--scheduler", metavar="ADDRESS",
                        help="With --lake: the Dask scheduler whose workers run the stores (tcp://host:8786). "
                             "Default: a local cluster of --workers processes.")(func)
    func = click.option("--lake", metavar="URL",
                        help="A sharded chain's Parquet lake (a folder, file://, s3://, ...) instead of a database: "
                             "tables partitioned by table/store/month, plus the state to continue it.")(func)
    return func


def lake_run(lake: str | None, scheduler: str | None, db_url: str | None, export_dir: str | None,
             databases: str | None, **others: Any) -> None:
    """Refuse what a lake run cannot take, before anything starts."""
    if lake is None:
        raise click.UsageError("--scheduler runs a lake's stores: give --lake URL too")
    clash = [flag for flag, v in (("--db", db_url), ("--export-dir", export_dir), ("--databases", databases),
                                  ("--config", others.get("config_path")), ("--seed", others.get("seed")),
                                  ("--late-changes/--no-late-changes", others.get("late_changes")))
             if v is not None]
    if clash:
        raise click.UsageError(f"{clash[0]} does not go with --lake (a lake keeps its own settings, no database "
                               "and no export folders)")


class StoreProgress:
    """A bar of stores done (a lake's stores finish one by one, each with all its days)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None

    def on_store(self, store: int, done: int, total: int) -> None:
        if self.quiet:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Stores", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@contextmanager
def store_progress(quiet: bool) -> Iterator[StoreProgress]:
    bar = StoreProgress(quiet)
    try:
        yield bar
    finally:
        bar.close()


def lake_summary(result: Any, head: str, quiet: bool, seconds: float) -> None:
    if not quiet:
        table(result.summary.rows() + [("seconds", f"{seconds:.2f}"),
                                       ("peak memory of a worker", f"{result.peak_rss_mb:,.0f} MB")], f"{head}:")


def export_dir(cfg: Config, flag: str | None) -> Path | None:
    """--export-dir, else the config's exports.dir; relative paths resolve against the project root."""
    chosen = flag or cfg.exports.dir
    return resolve(chosen) if chosen else None


@contextmanager
def errors(run: bool = False) -> Iterator[None]:
    """Turn domain errors into one clear line and exit 2; Ctrl-C into a short note and exit 130.

    `run`: the command simulates days, so a database error can say that every finished day is kept.
    """
    try:
        yield
    except DvdRentalError as exc:
        raise CommandError(str(exc), exc.hint) from None
    except KeyboardInterrupt:  # one line (on a terminal, after the line the bar or ^C was on)
        click.echo(("\n" if sys.stderr.isatty() else "")
                   + "Interrupted. Everything finished is committed; run the command again to resume.", err=True)
        sys.exit(130)
    except Exception as exc:  # database errors surfacing mid-run
        if _is_db_error(exc):
            lines = str(exc).strip().splitlines()  # PostgreSQL adds LINE/caret context: the first line says it
            why = given_up() or (lines[0] if lines else type(exc).__name__)
            raise CommandError(f"database error: {why}",
                               "every finished day is committed; fix the cause and run again" if run
                               else "fix the cause and run the command again") from None
        if isinstance(exc, OSError) and (exc.filename or exc.strerror):  # a file we were told to use
            where = f" {exc.filename}" if exc.filename else ""
            raise CommandError(f"cannot use{where}: {exc.strerror or exc}",
                               "check the path, its folder, permissions and free space") from None
        raise


def _is_db_error(exc: BaseException) -> bool:
    mod = type(exc).__module__
    drivers = ("mysql.connector", "_mysql_connector", "pymysql", "duckdb", "_duckdb", "sqlite3", "psycopg")
    return mod.startswith(drivers)


def load(config_path: str | None, seed: int | None = None, overrides: dict | None = None,
         scenario: str | None = None) -> Config:
    cfg = load_config(config_path, scenario)
    changes: dict[str, Any] = dict(overrides or {})
    if seed is not None:
        changes.setdefault("simulation", {})["seed"] = seed
    return cfg.override(_drop_none(changes)) if changes else cfg


def _drop_none(d: dict) -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            v = _drop_none(v)
            if v:
                out[k] = v
        elif v is not None:
            out[k] = v.date().isoformat() if isinstance(v, dt.datetime) else v
    return out


def open_db(cfg: Config, db_url: str | None, create: bool = True) -> Database:
    return connect(database_url(cfg, db_url), create=create)


def open_existing(config_path: str | None, db_url: str | None, seed: int | None = None) -> Database:
    """A database generator.py initialised (never created here); --seed, if given, must be its seed."""
    from .errors import StateError
    db = open_db(load(config_path), db_url, create=False)
    try:
        st = db.require_sim_state()
        if seed is not None and seed != st["seed"]:
            raise StateError(f"--seed {seed} differs from the database's seed {st['seed']}",
                             hint="leave --seed out, or point --db at the database made with that seed")
    except BaseException:
        db.close()
        raise
    return db


class Progress:
    """A progress bar over simulated days (shows the date and rentals per second).

    It appears with the first day, so errors before the run print nothing but the error; its length
    may be set late, once the database has told where the run starts (`start`).
    """

    def __init__(self, days: int | None, quiet: bool, label: str = "Simulating") -> None:
        self.days, self.quiet, self.label = days, quiet, label
        self.bar = None
        self.rentals = 0
        self.done = 0
        self.day: int | None = None
        self.started = 0.0

    def start(self, first_day: int, last_day: int) -> None:
        self.days = last_day - first_day + 1

    def _show(self, _: object) -> str:
        if self.day is None:
            return ""
        import time
        from .sim.calendar import date_of
        rate = self.rentals / max(time.perf_counter() - self.started, 1e-9)
        week, weeks = -(-self.done // 7), -(-(self.days or 0) // 7)
        return f"week {week}/{weeks}  {date_of(self.day)}  {rate:,.0f} rentals/s"

    def on_day(self, stats: DayStats) -> None:
        self.done += 1
        if self.quiet or not self.days or not sys.stderr.isatty():  # no bar in logs (cron, CI)
            return
        if self.bar is None:
            import time
            self.started = time.perf_counter()
            self.bar = click.progressbar(length=self.days, label=self.label, file=sys.stderr,
                                         item_show_func=self._show, show_pos=True, width=30)
            self.bar.__enter__()
        self.rentals += stats.rentals
        self.day = stats.day
        self.bar.update(1, stats)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@contextmanager
def progress(days: int | None, quiet: bool, label: str = "Simulating") -> Iterator[Progress]:
    bar = Progress(days, quiet, label)
    try:
        yield bar
    finally:
        bar.close()


def kv_lines(rows: list[tuple[str, str]]) -> list[str]:
    """Label / value pairs as aligned, indented lines."""
    width = max((len(k) for k, _ in rows), default=0)
    return [f"  {key:<{width}}  {value}" for key, value in rows]


def table(rows: list[tuple[str, str]], title: str | None = None) -> None:
    if title:
        click.echo(title)
    for line in kv_lines(rows):
        click.echo(line)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))


class StepBar:
    """A progress bar over a run's steps (tables, export folders, binary-log bytes), for etl.py."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = None

    def begin(self, label: str, total: int) -> None:
        self.end()
        if self.quiet or total <= 0 or not sys.stderr.isatty():
            return
        self.bar = click.progressbar(length=total, label=label, file=sys.stderr, show_pos=total < 10_000,
                                     width=30)
        self.bar.__enter__()

    def advance(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def end(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
