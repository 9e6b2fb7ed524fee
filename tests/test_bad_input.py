"""Bad input, every command x every class of it, on both engines: exit 2, one line and a hint at most,
no traceback, and nothing written (no new database or file, the existing database unchanged).

The cases come from tables: the classes every command shares (unknown option, bad seed, every way a
config file can be wrong, bad --db) and each command's own (numbers out of range or not finite, bad
dates, ids, names, paths). They run through click's CliRunner; a few run as real scripts to see what
a terminal sees.
"""

from __future__ import annotations

import hashlib
import importlib
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from conftest import IN_CI, MYSQL_SERVER, ROOT, _MYSQL_PROBLEM, drop_mysql_database, tiny_config

# ---- the commands -----------------------------------------------------------------------------------

#: name -> (script module, arguments that make a valid call, "new" if it creates its database)
COMMANDS: dict[str, tuple[str, list[str], str]] = {
    "generator": ("generator", [], "new"),
    "master": ("master_simulation", ["--weeks", "4"], "new"),
    "incremental": ("incremental_update", ["1"], "existing"),
    "inventory add": ("inventory_manager", ["add", "--amount", "1"], "existing"),
    "inventory release": ("inventory_manager", ["release", "1"], "existing"),
    "inventory retire": ("inventory_manager", ["retire", "--damaged", "1"], "existing"),
    "inventory report": ("inventory_manager", ["report"], "existing"),
    "validate": ("validate", ["--no-realism"], "existing"),
    "maintain stats": ("maintain", ["stats"], "existing"),
    "maintain growth": ("maintain", ["growth"], "existing"),
    "maintain inventory": ("maintain", ["inventory"], "existing"),
    "maintain late-fees": ("maintain", ["late-fees"], "existing"),
    "maintain customers": ("maintain", ["customers"], "existing"),
    "maintain changes": ("maintain", ["changes"], "existing"),
    "maintain report": ("maintain", ["report", "--output", "{dir}/out/r.html"], "existing"),
    "maintain checksum": ("maintain", ["checksum"], "existing"),
    "maintain optimize": ("maintain", ["optimize"], "existing"),
    "maintain backup": ("maintain", ["backup", "--output", "{dir}/out/b.bak"], "existing"),
    "maintain reset": ("maintain", ["reset", "--yes"], "existing"),
    "etl full": ("etl", ["--mode", "full", "--warehouse", "{dir}/out/w.duckdb"], "existing"),
    "etl incremental": ("etl", ["--mode", "incremental", "--warehouse", "{dir}/out/w.duckdb"], "existing"),
}

# ---- config files, one per way a file can be wrong ------------------------------------------------------

CONFIGS: dict[str, bytes] = {
    "nan": b'{"demand": {"base_weekly_rentals": NaN}}',
    "infinity": b'{"customers": {"initial": Infinity}}',
    "minus_infinity": b'{"simulation": {"seed": -Infinity}}',
    "nan_in_list": b'{"seasonality": {"monthly": [1, 1, 1, 1, 1, NaN, 1, 1, 1, 1, 1, 1]}}',
    "inf_weight": b'{"demand": {"rush_peaks": [{"hour": 12, "sd": 1, "weight": Infinity}]}}',
    "binary": b"\xff\xfe\x00\x01\x9c{\x00}",
    "latin1": '{"database": {"user": "J\u00fcrgen"}}'.encode("latin-1"),
    "syntax": b'{"demand": ',
    "not_object": b"[1, 2, 3]",
    "deep": b"[" * 100_000 + b"]" * 100_000,
    "huge_int": b'{"simulation": {"seed": ' + b"9" * 5000 + b"}}",
    "unknown_key": b'{"surprise": 1}',
    "range": b'{"catalog": {"films": 0}}',
    "too_big": b'{"demand": {"base_weekly_rentals": 1e308}}',
    "type": b'{"simulation": {"weeks": "many"}}',
    "year_1": b'{"simulation": {"start_date": "0001-01-01"}}',
    "year_9999": b'{"simulation": {"start_date": "9999-12-27"}}',
    "bad_date": b'{"simulation": {"start_date": "2001-02-30"}}',
    "nul_string": b'{"exports": {"dir": "out\\u0000put"}}',
    "amount": b'{"inventory_schedule": {"strategy": "per_film", "amount": 5000}}',
}

CONFIG_WORDS = {
    "nan": "finite", "infinity": "finite", "minus_infinity": "finite", "nan_in_list": "finite",
    "inf_weight": "finite", "binary": "not UTF-8", "latin1": "not UTF-8", "syntax": "not valid JSON",
    "not_object": "JSON object", "deep": "nested too deeply", "huge_int": "too many digits",
    "unknown_key": "unknown config key", "range": "catalog.films", "too_big": "<= 1e+06",
    "type": "whole number", "year_1": "1901-01-01", "year_9999": "2155-12-31", "bad_date": "must be a date",
    "nul_string": "NUL", "amount": "per_film",
}

# ---- the classes every command shares ---------------------------------------------------------------------

Case = tuple[str, list[str], str]  # (class, arguments, words the message must hold)

COMMON: list[Case] = [
    ("usage", ["--bogus"], "No such option"),
    ("usage", ["--seed"], "requires an argument"),
    ("seed", ["--seed", "-1"], "--seed"),
    ("seed", ["--seed", "many"], "--seed"),
    ("seed", ["--seed", "nan"], "--seed"),
    ("seed", ["--seed", str(2**64)], "--seed"),
    ("nul", ["--config", "a\0b.json"], "NUL"),
    ("config", ["--config", "{dir}/missing.json"], "not found"),
    ("config", ["--config", "{dir}"], "directory"),
    *[("config", ["--config", f"{{cfg:{name}}}"], CONFIG_WORDS[name]) for name in CONFIGS],
]

#: --db itself: the same on either engine, so run once.
DB_CASES: list[Case] = [
    ("db", ["--db", ""], "empty"),
    ("db", ["--db", "oracle://scott:tiger@host/db"], "unsupported engine"),
    ("db", ["--db", "sqlite:///"], "no file name"),
    ("db", ["--db", "dvdrental.db"], "no scheme"),
    ("db", ["--db", "mysql://root@127.0.0.1:1/dvdbad_unreachable"], "cannot reach"),
    ("db", ["--db", "mysql://root@127.0.0.1/bad-name"], "database name"),
    ("nul", ["--db", "sqlite:///{dir}/a\0b.db"], "NUL"),
]
DB_EXISTING: list[Case] = [("db", ["--db", "sqlite:///{dir}/missing.db"], "does not exist")]
DB_NEW: list[Case] = [("db", ["--db", "sqlite:///{dir}/no/such/folder/x.db"], "does not exist")]

# ---- each command's own ----------------------------------------------------------------------------------

SIMULATE: list[Case] = [
    ("late", ["--late-changes", "--no-late-changes", "--bogus"], "No such option"),
    ("path", ["--export-dir", "{file}"], "not a folder"),
]

OWN: dict[str, list[Case]] = {
    "generator": [
        *SIMULATE,
        ("count", ["--weeks", "-1"], "--weeks"), ("count", ["--weeks", "5201"], "--weeks"),
        ("count", ["--weeks", "99999999"], "--weeks"), ("count", ["--weeks", "nan"], "--weeks"),
        ("count", ["--weeks", "1e3"], "--weeks"), ("count", ["--level", "0"], "--level"),
        ("count", ["--level", "5"], "--level"),
        ("date", ["--start-date", "0001-01-01"], "1901-01-01"), ("date", ["--start-date", "9999-12-27"], "2155"),
        ("date", ["--start-date", "1900-06-04"], "1901-01-01"),
        ("date", ["--start-date", "1902-01-06"], "oldest film"),
        ("date", ["--start-date", "2001-02-30"], "--start-date"), ("date", ["--start-date", "today"], "--start-date"),
        ("date", ["--start-date", "2155-12-01", "--weeks", "12"], "runs past 2155-12-31"),
    ],
    "master": [
        *SIMULATE,
        ("count", ["--weeks", "0"], "--weeks"), ("count", ["--weeks", "5201"], "--weeks"),
        ("count", ["--weeks", "10000000"], "--weeks"), ("count", ["--weeks", "inf"], "--weeks"),
        ("count", ["--commit-days", "0"], "--commit-days"), ("count", ["--commit-days", "367"], "--commit-days"),
        ("count", ["--level", "9"], "--level"), ("choice", ["--scenario", "nope"], "nope"),
        ("date", ["--start-date", "0001-01-01"], "1901-01-01"), ("date", ["--start-date", "9999-12-27"], "2155"),
        ("date", ["--start-date", "2150-01-06", "--weeks", "5200"], "runs past 2155-12-31"),
        ("date", ["--start-date", "2155-06-05"], "runs past 2155-12-31"),
        ("names", ["--databases", ""], "non-empty"), ("names", ["--databases", ","], "non-empty"),
        ("names", ["--databases", " "], "non-empty"), ("names", ["--databases", "a,,b"], "non-empty"),
        ("names", ["--databases", "ana,ana"], "distinct"), ("names", ["--databases", "a/b"], "a/b"),
        ("names", ["--databases", "../escaped"], "../escaped"), ("names", ["--databases", ".."], "'..'"),
        ("names", ["--databases", "ok1,ok2,bad;name"], "bad;name"),
        ("names", ["--databases", "ok1,ok2,x y"], "x y"), ("names", ["--databases", "a" * 33], "not a valid"),
        ("names", ["--databases", "ok1,`drop`"], "`drop`"),
        ("names", ["--databases", ",".join(f"n{i}" for i in range(501))], "at most 500"),
    ],
    "incremental": [
        *SIMULATE,
        ("count", ["0"], "WEEKS"), ("count", ["-1"], "-1"), ("count", ["10000000"], "WEEKS"),
        ("count", ["nan"], "WEEKS"), ("count", ["5201"], "WEEKS"),
        ("count", ["--days", "0"], "--days"), ("count", ["--days", "99999999"], "--days"),
        ("count", ["--days", "1.5"], "--days"),
        ("count", ["2", "--days", "3"], "only one of"), ("count", ["--days", "3", "--until", "today"], "only one of"),
        ("date", ["--until", "9999-12-31"], "2155-12-31"), ("date", ["--until", "2156-01-01"], "2155-12-31"),
        ("date", ["--until", "yesterday"], "--until"), ("date", ["--until", "2001-02-30"], "--until"),
        ("state", ["--seed", "99"], "differs"),
    ],
    "inventory add": [
        ("number", ["add", "--amount", "nan"], "finite"), ("number", ["add", "--amount", "inf"], "finite"),
        ("number", ["add", "--amount", "-inf"], "finite"), ("number", ["add", "--amount", "1e308"], "<= 100000"),
        ("number", ["add", "--amount", "0"], "positive"), ("number", ["add", "--amount", "-2"], "positive"),
        ("number", ["add", "--amount", "two"], "not a number"),
        ("number", ["add", "--amount", "101", "--strategy", "per_film"], "per_film"),
        ("number", ["add", "--amount", "1001", "--strategy", "percent"], "percent"),
        ("number", ["add", "--amount", "10001"], "fixed"),
        ("usage", ["add"], "--amount"), ("choice", ["add", "--amount", "1", "--strategy", "all"], "--strategy"),
        ("id", ["add", "--amount", "1", "--film", "-3"], "--film"), ("id", ["add", "--amount", "1", "--film", "0"], "--film"),
        ("id", ["add", "--amount", "1", "--film", "99999"], "film 99999 does not exist"),
        ("id", ["add", "--amount", "1", "--film", str(2**40)], "--film"),
        ("id", ["add", "--amount", "1", "--store", "-1"], "--store"),
        ("id", ["add", "--amount", "1", "--store", "9"], "store 9 does not exist"),
        ("id", ["add", "--amount", "2", "--strategy", "top_n", "--film", "3"], "top_n"),
        ("date", ["add", "--amount", "1", "--date", "9999-12-31"], "2155-12-31"),
        ("date", ["add", "--amount", "1", "--date", "2001-10-05"], "already simulated"),
        ("date", ["add", "--amount", "1", "--date", "0001-01-01"], "already simulated"),
        ("date", ["add", "--amount", "1", "--date", "soon"], "--date"),
        ("state", ["add", "--amount", "1", "--seed", "99"], "differs"),
    ],
    "inventory release": [
        ("count", ["release", "0"], "FILMS"), ("count", ["release", "-1"], "-1"),
        ("count", ["release", "1000000000"], "FILMS"), ("count", ["release", "nan"], "FILMS"),
        ("count", ["release"], "FILMS"),
        ("range", ["release", "1", "--copies", "5-1"], "--copies"),
        ("range", ["release", "1", "--copies", "1-100000000"], "--copies"),
        ("range", ["release", "1", "--copies", "x"], "--copies"),
        ("range", ["release", "1", "--copies", "-1"], "--copies"),
        ("date", ["release", "1", "--date", "9999-12-31"], "2155-12-31"),
        ("date", ["release", "1", "--date", "2001-10-05"], "already simulated"),
        ("state", ["release", "1", "--seed", "99"], "differs"),
    ],
    "inventory retire": [
        ("usage", ["retire"], "say what to retire"),
        ("id", ["retire", "--inventory-id", "-1"], "--inventory-id"),
        ("id", ["retire", "--inventory-id", "0"], "--inventory-id"),
        ("id", ["retire", "--inventory-id", "x"], "--inventory-id"),
        ("id", ["retire", "--inventory-id", "999999"], "copy 999999 does not exist"),
        ("count", ["retire", "--damaged", "0"], "--damaged"),
        ("count", ["retire", "--damaged", "1000000000000"], "--damaged"),
        ("count", ["retire", "--damaged", "999999"], "on the shelf"),
        ("count", ["retire", "--overdue-days", "-1"], "--overdue-days"),
        ("count", ["retire", "--overdue-days", "99999999"], "--overdue-days"),
        ("id", ["retire", "--damaged", "1", "--store", "0"], "--store"),
        ("id", ["retire", "--damaged", "1", "--store", "7"], "store 7 does not exist"),
        ("state", ["retire", "--damaged", "1", "--seed", "99"], "differs"),
    ],
    "inventory report": [("usage", ["report", "--json", "extra"], "extra")],
    "validate": [
        ("state", ["--seed", "99"], "differs"),
        ("path", ["--warehouse", "{dir}/missing.duckdb"], "does not exist"),
        ("path", ["--warehouse", "{file}"], "warehouse"),
        ("nul", ["--warehouse", "w\0.duckdb"], "NUL"),
    ],
    "maintain growth": [
        ("count", ["growth", "--last", "0"], "--last"), ("count", ["growth", "--last", "99999999"], "--last"),
        ("choice", ["growth", "--period", "day"], "--period"),
    ],
    "maintain changes": [
        ("count", ["changes", "--days", "-1"], "--days"), ("count", ["changes", "--days", "99999999"], "--days"),
    ],
    "maintain report": [
        ("path", ["report", "--output", "/proc/self/nope/r.html"], "cannot use"),
        ("path", ["report", "--output", "{file}/r.html"], "cannot use"),
        ("path", ["report", "--output", "/proc/self/r.html", "--png-dir", "{dir}/png"], "cannot use"),
        ("path", ["report", "--output", "{dir}"], "directory"),
    ],
    "maintain backup": [
        ("path", ["backup", "--output", "/proc/self/nope/b.db"], "cannot use"),
        ("path", ["backup", "--output", "{file}/b.db"], "cannot use"),
    ],
    "maintain reset": [("usage", ["reset"], "--yes")],
    "maintain checksum": [("state", ["checksum", "--seed", "99"], "differs")],
    "etl full": [
        ("choice", ["--mode", "fast"], "--mode"), ("choice", ["--mode", "full", "--deletes", "all"], "--deletes"),
        ("count", ["--mode", "full", "--server-id", "0"], "--server-id"),
        ("count", ["--mode", "full", "--server-id", str(2**40)], "--server-id"),
        ("path", ["--mode", "full", "--warehouse", "/proc/self/nope/w.duckdb"], "does not exist"),
        ("path", ["--mode", "full", "--warehouse", "{file}"], "warehouse"),
        ("usage", ["--warehouse", "{dir}/out/w.duckdb"], "--mode"),
    ],
    "etl incremental": [
        ("path", ["--mode", "files", "--exports", "{dir}/missing"], "does not exist"),
        ("state", ["--mode", "incremental", "--seed", "99"], "differs"),
    ],
}


def cases() -> list[tuple[str, str, list[str], str, str]]:
    """(engine, command, args, words, class) for every command x class; the args without --db are
    appended after the command's valid call (click takes the last of a repeated option)."""
    out = []
    for command, (_, _, kind) in COMMANDS.items():
        own = [(cls, args, words, True) for cls, args, words in OWN.get(command, [])]
        shared = [(cls, args, words, False) for cls, args, words in COMMON]
        for engine in ("sqlite", "mysql"):
            for cls, args, words, replaces in shared + own:
                out.append((engine, command, args, words, cls, replaces))
        for cls, args, words in DB_CASES + (DB_NEW if kind == "new" else DB_EXISTING):
            out.append(("sqlite", command, args, words, cls, False))
    return [pytest.param(*c, id=f"{c[0]}-{c[1].replace(' ', '_')}-{c[4]}-{i}") for i, c in enumerate(out)]


# ---- the places: a small database per engine, a folder, and what "nothing written" means -----------------

@dataclass
class Site:
    engine: str
    dir: Path
    url: str  # an existing small database
    fresh: Callable[[], str]  # a URL nothing exists at yet
    state: Callable[[], object]  # everything a bad call must leave alone


def _tree(folder: Path) -> dict[str, str]:
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_file() and path.suffix == ".db":
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_file() and path.name.endswith((".db-wal", ".db-shm")):
            continue  # an open connection's side files, empty again once it closes
        else:
            out[rel] = "dir" if path.is_dir() else str(path.stat().st_size)
    return out


def _mysql_conn():
    import mysql.connector
    from dvdrental.storage.url import parse_url
    u = parse_url(MYSQL_SERVER + "/probe")
    return mysql.connector.connect(host=u.host, port=u.port, user=u.user, password=u.password, autocommit=True)


def _make_site(engine: str, folder: Path, cleanup: list[Callable[[], None]]) -> Site:
    for name, data in CONFIGS.items():
        (folder / f"cfg_{name}.json").write_bytes(data)
    (folder / "plain.txt").write_text("not a folder, not a database\n")
    from helpers import build
    cfg = tiny_config()
    counter = iter(range(10**6))
    if engine == "sqlite":
        url = f"sqlite:///{folder}/base.db"
        build(cfg, url).close()
        return Site(engine, folder, url, lambda: f"sqlite:///{folder}/new{next(counter)}.db", lambda: _tree(folder))
    if _MYSQL_PROBLEM:
        if IN_CI:
            pytest.fail(f"MySQL/MariaDB is required under CI but unreachable: {_MYSQL_PROBLEM}")
        pytest.skip(f"MySQL/MariaDB unreachable: {_MYSQL_PROBLEM}")
    tag = uuid.uuid4().hex[:8]
    base = f"dvdbad_{tag}"
    conn = _mysql_conn()

    def drop() -> None:
        cur = conn.cursor()
        cur.execute(f"SHOW DATABASES LIKE 'dvdbad\\_{tag}%'")
        for (name,) in cur.fetchall():
            drop_mysql_database(name)
        conn.close()

    cleanup.append(drop)
    build(cfg, f"{MYSQL_SERVER}/{base}").close()

    def state() -> object:
        cur = conn.cursor()
        cur.execute(f"SHOW DATABASES LIKE 'dvdbad\\_{tag}%'")
        databases = sorted(r[0] for r in cur.fetchall())
        cur.execute(f"SHOW FULL TABLES FROM `{base}`")
        tables = sorted(r[0] for r in cur.fetchall() if r[1] == "BASE TABLE")
        cur.execute("CHECKSUM TABLE " + ", ".join(f"`{base}`.`{t}`" for t in tables))
        return databases, sorted(cur.fetchall()), _tree(folder)

    return Site(engine, folder, f"{MYSQL_SERVER}/{base}", lambda: f"{MYSQL_SERVER}/{base}_new{next(counter)}", state)


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """engine -> Site, each made once for the module when a case first needs it."""
    made: dict[str, Site] = {}
    cleanup: list[Callable[[], None]] = []

    def get(engine: str) -> Site:
        if engine not in made:
            made[engine] = _make_site(engine, tmp_path_factory.mktemp(f"bad_{engine}"), cleanup)
        return made[engine]

    yield get
    for step in cleanup:
        step()


def _fill(args: list[str], site: Site) -> list[str]:
    out = []
    for a in args:
        if a.startswith("{cfg:"):
            out.append(str(site.dir / f"cfg_{a[5:-1]}.json"))
        else:
            out.append(a.replace("{dir}", str(site.dir)).replace("{file}", str(site.dir / "plain.txt")))
    return out


def _check(result, words: str) -> None:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert 1 <= len(lines) <= 2, result.output
    assert lines[0].startswith("Error: ") and (len(lines) == 1 or lines[1].startswith("Hint: ")), result.output
    assert words in result.output, result.output


@pytest.mark.parametrize("engine, command, args, words, cls, replaces", cases())
def test_bad_input_exits_2_with_one_line_and_writes_nothing(sites, engine, command, args, words, cls, replaces):
    site = sites(engine)
    module, valid, kind = COMMANDS[command]
    target = site.fresh() if kind == "new" else site.url
    call = args if replaces else valid + args
    if module in ("inventory_manager", "maintain"):  # the subcommand first, then --db and the rest
        sub, rest = (call[0], call[1:]) if call and not call[0].startswith("-") else (valid[0], call)
        argv = [sub, "--db", target, *rest]
    else:
        argv = ["--db", target, *call]
    before = site.state()
    result = CliRunner().invoke(importlib.import_module(module).main, _fill(argv, site))
    _check(result, words)
    assert site.state() == before, f"{command} {args} wrote something"


def test_the_suite_covers_every_command_and_class_on_both_engines():
    all_cases = [p.values for p in cases()]
    assert len(all_cases) >= 300
    for engine in ("sqlite", "mysql"):
        for command in COMMANDS:
            classes = {c[4] for c in all_cases if c[0] == engine and c[1] == command}
            assert {"usage", "seed", "config", "nul"} <= classes, (engine, command)
    for command in COMMANDS:
        assert any(c[4] == "db" and c[1] == command for c in all_cases), command


# ---- as a terminal sees it: real scripts ------------------------------------------------------------------

SCRIPTS: list[tuple[list[str], str]] = [
    (["generator.py", "--bogus"], "No such option '--bogus'"),
    (["maintain.py", "stats", "--bogus"], "No such option '--bogus'"),
    (["maintain.py", "nope"], "No such command 'nope'"),
    (["generator.py", "--config", "{cfg:binary}", "--db", "sqlite:///{dir}/n1.db"], "not UTF-8"),
    (["generator.py", "--config", "{cfg:nan}", "--db", "sqlite:///{dir}/n2.db"], "finite"),
    (["generator.py", "--start-date", "0001-01-01", "--db", "sqlite:///{dir}/n3.db"], "1901-01-01"),
    (["incremental_update.py", "10000000", "--db", "{db}"], "WEEKS"),
    (["incremental_update.py", "--until", "9999-12-31", "--db", "{db}"], "2155-12-31"),
    (["inventory_manager.py", "add", "--amount", "nan", "--db", "{db}"], "finite"),
    (["inventory_manager.py", "add", "--amount", "1e308", "--db", "{db}"], "--amount"),
    (["inventory_manager.py", "retire", "--inventory-id", "-1", "--db", "{db}"], "--inventory-id"),
    (["master_simulation.py", "--databases", "ok1,ok2,bad;name", "--db", "sqlite:///{dir}/{name}.db"], "bad;name"),
    (["maintain.py", "report", "--output", "/proc/self/r.html", "--png-dir", "{dir}/png", "--db", "{db}"],
     "cannot use"),
]


@pytest.mark.parametrize("args, words", SCRIPTS, ids=[" ".join(a[:2]) for a, _ in SCRIPTS])
def test_scripts_print_one_line_and_a_hint(sites, args, words):
    site = sites("sqlite")
    argv = [a.replace("{db}", site.url) for a in _fill(args, site)]
    before = site.state()
    proc = subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True, text=True, timeout=60)
    lines = proc.stderr.splitlines()
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    assert len(lines) <= 2 and lines[0].startswith("Error: ") and words in lines[0], proc.stderr
    if len(lines) == 2:
        assert lines[1].startswith("Hint: ")
    if "No such option" in words:  # a usage error names the (sub)command's own help
        assert lines[1] == f"Hint: see '{' '.join(a for a in args if not a.startswith('-'))} --help'", lines
    if "No such command" in words:
        assert lines[1] == f"Hint: see '{args[0]} --help'", lines
    assert site.state() == before


def test_database_errors_outside_a_run_do_not_talk_about_committed_days(tmp_path, tiny):
    from helpers import build
    url = f"sqlite:///{tmp_path}/broken.db"
    db = build(tiny, url)
    db.execute("DROP TABLE payment")  # a database error in the middle of a report
    db.close()
    for module, args in (("maintain", ["stats"]), ("maintain", ["late-fees"]), ("maintain", ["growth"])):
        result = CliRunner().invoke(importlib.import_module(module).main, [*args, "--db", url])
        assert result.exit_code == 2, result.output
        assert "database error" in result.output and "committed" not in result.output, result.output
