"""Numbers at the edges: NaN and +-Infinity are refused everywhere (config files, where Python's JSON
reader accepts them, and every numeric option), and every quantity has a sane upper bound, so no input
runs for ever or overflows the calendar. Both engines where a database is involved."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import json
import math
import time
import typing

import click
import pytest
from click.testing import CliRunner

from conftest import ROOT
from dvdrental import inventory
from dvdrental.config import (AMOUNT_MAX, FIRST_DATE, LAST_DATE, MAX_WEEKS, Config, check_number, deep_merge,
                              load_config)
from dvdrental.errors import ConfigError
from helpers import build

SCRIPTS = sorted(p.stem for p in ROOT.glob("*.py"))


def _numeric_keys(cls: type = Config, prefix: str = "") -> typing.Iterator[tuple[str, type, dict]]:
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        if typing.get_origin(tp) in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            tp = next(a for a in typing.get_args(tp) if a is not type(None))
        if dataclasses.is_dataclass(tp):
            yield from _numeric_keys(tp, f"{prefix}{f.name}.")
        elif tp in (int, float) or (typing.get_origin(tp) is tuple and typing.get_args(tp)[0] in (int, float)):
            yield f"{prefix}{f.name}", tp, dict(f.metadata)


NUMERIC = list(_numeric_keys())


def _nested(key: str, value: object) -> dict:
    out: object = value
    for part in reversed(key.split(".")):
        out = {part: out}
    return out  # type: ignore[return-value]


@pytest.mark.parametrize("key", [k for k, _, _ in NUMERIC])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused_in_every_config_key(key, bad):
    tp = dict((k, t) for k, t, _ in NUMERIC)[key]
    value = [bad] * (7 if "weekday" in key else 12) if typing.get_origin(tp) is tuple else bad
    with pytest.raises(ConfigError, match="finite") as err:
        Config.from_dict(deep_merge(Config().to_dict(), _nested(key, value)))
    assert key in str(err.value)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_literals_are_refused(tmp_path, literal):
    p = tmp_path / "c.json"
    p.write_text('{"demand": {"spike_multiplier": %s}}' % literal)
    assert json.loads(p.read_text())["demand"]["spike_multiplier"] != 0  # Python's JSON reads them...
    with pytest.raises(ConfigError, match="demand.spike_multiplier must be a finite number"):
        load_config(p)  # ...the config does not


def test_every_number_in_the_config_has_a_range():
    for key, _, meta in NUMERIC:
        assert meta.get("min") is not None and meta.get("max") is not None, key


def test_check_number_is_the_one_range_check():
    assert check_number("x", 3, 0, 5) == 3
    for value, words in ((math.nan, "finite"), (math.inf, "finite"), (1e308, "<= 5"), (-1, ">= 0"),
                         (2.5, "whole"), (True, "number"), ("3", "number")):
        with pytest.raises(ConfigError, match=words):
            check_number("x", value, 0, 5, whole=isinstance(value, float) and value == 2.5)
    with pytest.raises(ConfigError, match="positive"):
        check_number("x", 0, 0, 5, above=True)


def _ranges(command: click.Command, path: str) -> typing.Iterator[tuple[str, click.Parameter]]:
    for param in command.params:
        yield f"{path} {param.name}", param
    for name, sub in getattr(command, "commands", {}).items():
        yield from _ranges(sub, f"{path} {name}")


def test_every_numeric_option_has_a_finite_range():
    """No option takes a bare int or float: every count and amount has a lower and an upper bound."""
    from dvdrental.cli import Number
    seen = 0
    for script in SCRIPTS:
        for where, param in _ranges(importlib.import_module(script).main, script):
            t = param.type
            assert t not in (click.INT, click.FLOAT), where
            if isinstance(t, (click.IntRange, click.FloatRange)):
                assert t.min is not None and t.max is not None, where
                seen += 1
            elif isinstance(t, Number):
                assert t.lo is not None and t.hi is not None, where
                seen += 1
    assert seen >= 20


@pytest.mark.parametrize("start, words", [
    ("0001-01-01", "1901-01-01"), ("0001-01-08", "1901-01-01"), ("9999-12-27", "2155-12-31"),
    ("9999-12-31", "2155-12-31"), ("1901-06-03", "oldest film"), ("2155-12-01", "runs past 2155-12-31"),
])
def test_start_dates_outside_the_calendar_are_config_errors(start, words):
    with pytest.raises(ConfigError, match=words):
        load_config().override({"simulation": {"start_date": start}})


def test_the_calendar_edges_themselves_work(tmp_path):
    """The latest start the range allows still builds (and a day more would be refused)."""
    last_start = LAST_DATE - dt.timedelta(days=7 * 3 - 1)
    from conftest import tiny_config
    cfg = tiny_config(simulation={"start_date": last_start.isoformat(), "initial_weeks": 3})
    db = build(cfg, f"sqlite:///{tmp_path}/edge.db")
    assert db.require_sim_state()["last_day"] == (LAST_DATE - dt.date(1970, 1, 1)).days
    db.close()
    with pytest.raises(ConfigError, match="runs past"):
        tiny_config(simulation={"start_date": (last_start + dt.timedelta(days=1)).isoformat(), "initial_weeks": 3})
    assert FIRST_DATE == dt.date(1901, 1, 1)


@pytest.fixture
def shop(db_url, tiny):
    db = build(tiny, db_url("num"))
    yield db
    db.close()


def _url(db) -> str:
    u = db.url
    if u.engine == "sqlite":
        return f"sqlite:///{u.path}"
    from conftest import MYSQL_SERVER
    return f"{MYSQL_SERVER}/{u.database}"


@pytest.mark.parametrize("module, args, words", [
    ("incremental_update", ["10000000"], "WEEKS"),
    ("incremental_update", [str(MAX_WEEKS + 1)], "WEEKS"),
    ("incremental_update", ["--days", "99999999"], "--days"),
    ("incremental_update", ["--until", "9999-12-31"], "2155-12-31"),
    ("inventory_manager", ["add", "--amount", "1e308"], "--amount"),
    ("inventory_manager", ["add", "--amount", "nan"], "finite"),
    ("inventory_manager", ["add", "--amount", "inf"], "finite"),
    ("inventory_manager", ["add", "--amount", "200", "--strategy", "per_film"], "per_film"),
    ("inventory_manager", ["release", "1000000000"], "FILMS"),
    ("inventory_manager", ["release", "1", "--copies", "1-1000000000"], "--copies"),
    ("inventory_manager", ["retire", "--damaged", "100000000000"], "--damaged"),
    ("inventory_manager", ["retire", "--inventory-id", "-1"], "--inventory-id"),
    ("maintain", ["growth", "--last", "99999999999"], "--last"),
])
def test_huge_and_non_finite_quantities_are_refused_at_once(shop, module, args, words):
    db = shop
    from dvdrental.checksum import checksum
    before = checksum(db)
    sub = [args[0]] if module in ("inventory_manager", "maintain") else []
    rest = args[1:] if sub else args
    started = time.perf_counter()
    result = CliRunner().invoke(importlib.import_module(module).main, [*sub, "--db", _url(db), *rest])
    assert time.perf_counter() - started < 5
    assert result.exit_code == 2 and words in result.output, result.output
    assert len(result.output.strip().splitlines()) <= 2 and "Traceback" not in result.output
    assert checksum(db) == before


def test_the_inventory_api_checks_its_numbers_too(shop):
    db = shop
    from dvdrental.checksum import checksum
    before = checksum(db)
    for call, words in [
        (lambda: inventory.add(db, "fixed", math.nan), "finite"),
        (lambda: inventory.add(db, "fixed", math.inf), "finite"),
        (lambda: inventory.add(db, "fixed", AMOUNT_MAX["fixed"] + 1), "<= 10000"),
        (lambda: inventory.add(db, "per_film", 1, films=[-3]), "film -3 does not exist"),
        (lambda: inventory.add(db, "per_film", 1, films=[0]), "film 0 does not exist"),
        (lambda: inventory.add(db, "top_n", 2, films=[3]), "top_n"),
        (lambda: inventory.add(db, "fixed", 1, date=dt.date(9999, 1, 1)), "2155-12-31"),
        (lambda: inventory.release(db, 10**9, (1, 2)), "films"),
        (lambda: inventory.release(db, 1, (1, 10**9)), "--copies"),
        (lambda: inventory.retire(db, inventory_ids=[-1]), "copy -1 does not exist"),
        (lambda: inventory.retire(db, damaged=-5), "--damaged"),
    ]:
        with pytest.raises(ConfigError, match=words):
            call()
    assert checksum(db) == before


def test_a_nan_config_is_never_stored(shop, tmp_path):
    """incremental_update --config with NaN is refused before the database is touched, and the next run
    works (before the fix the NaN reached sim_state and every later run failed)."""
    db = shop
    bad = tmp_path / "nan.json"
    bad.write_text('{"demand": {"base_weekly_rentals": NaN}}')
    stored = db.require_sim_state()["config"]
    result = CliRunner().invoke(importlib.import_module("incremental_update").main,
                                ["--db", _url(db), "--config", str(bad), "--days", "1"])
    assert result.exit_code == 2 and "finite" in result.output, result.output
    assert db.require_sim_state()["config"] == stored
    again = CliRunner().invoke(importlib.import_module("incremental_update").main,
                               ["--db", _url(db), "--days", "1", "-q"])
    assert again.exit_code == 0, again.output
