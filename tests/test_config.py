import dataclasses
import json

import pytest

from dvdrental.config import Config, database_url, effective, load_config, scenario_names
from dvdrental.errors import ConfigError
from dvdrental.paths import CONFIG_PATH


def test_shipped_config_equals_builtin_defaults():
    assert json.loads(CONFIG_PATH.read_text()) == Config().to_dict()


def test_partial_file_merges_onto_defaults(tmp_path):
    p = tmp_path / "c.json"
    p.write_text('{"demand": {"growth_rate": 0.05}}')
    cfg = load_config(p)
    assert cfg.demand.growth_rate == 0.05
    assert cfg.demand.spike_multiplier == Config().demand.spike_multiplier


@pytest.mark.parametrize("text, words", [
    ('{"demand": {"nope": 1}}', "demand.nope"),
    ('{"nope": {}}', "unknown config key 'nope'"),
    ('{"demand": {"growth_rate": "fast"}}', "demand.growth_rate must be a number"),
    ('{"simulation": {"weeks": -4}}', "simulation.weeks must be >= 1"),
    ('{"simulation": {"weeks": 2.5}}', "simulation.weeks must be a whole number"),
    ('{"simulation": {"start_date": "2001-13-01"}}', "simulation.start_date must be a date"),
    ('{"seasonality": {"monthly": [1, 2]}}', "seasonality.monthly must have 12 entries"),
    ('{"demand": {"weekday_profile": [1, 1, 1, 1, 1, 1, -1]}}', "demand.weekday_profile[6] must be >= 0"),
    ('{"demand": {"open_hour": 20, "close_hour": 10}}', "close_hour must be after"),
    ('{"catalog": {"copies_per_film": {"min": 5, "max": 2}}}', "copies_per_film.min"),
    ('{"demand": {"rush_peaks": [{"hour": 12, "sd": 1, "weight": 1, "x": 2}]}}', "demand.rush_peaks[0].x"),
    ('{"simulation": {"level": 7}}', "simulation.level must be <= 4"),
    ('{"database": {"engine": "oracle"}}', "database.engine must be one of"),
    ('[1, 2]', "must hold a JSON object"),
    ('{"demand": ', "not valid JSON"),
])
def test_bad_config_names_the_key(tmp_path, text, words):
    p = tmp_path / "c.json"
    p.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(p)
    assert words in str(err.value)


def test_missing_file():
    with pytest.raises(ConfigError, match="not found"):
        load_config("/nonexistent/config.json")


def test_override_revalidates():
    cfg = load_config()
    assert cfg.override({"simulation": {"seed": 5}}).simulation.seed == 5
    with pytest.raises(ConfigError, match="simulation.seed"):
        cfg.override({"simulation": {"seed": -1}})


def test_config_is_frozen():
    cfg = load_config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.demand.growth_rate = 3  # type: ignore[misc]


def test_levels_switch_features_off():
    cfg = load_config()
    low = effective(cfg.override({"simulation": {"level": 2}}))
    assert low.seasonality.monthly == (1.0,) * 12
    assert low.returns.lost_share == 0
    full = effective(cfg)
    assert full.seasonality.monthly == cfg.seasonality.monthly
    assert full.returns.lost_share == cfg.returns.lost_share


def test_database_url_precedence(monkeypatch):
    cfg = load_config()
    monkeypatch.delenv("DVDRENTAL_DB_URL", raising=False)
    assert database_url(cfg, None) == "sqlite:///dvdrental.db"
    monkeypatch.setenv("DVDRENTAL_DB_URL", "sqlite:///env.db")
    assert database_url(cfg, None) == "sqlite:///env.db"
    assert database_url(cfg, "sqlite:///flag.db") == "sqlite:///flag.db"
    monkeypatch.delenv("DVDRENTAL_DB_URL")
    parts = cfg.override({"database": {"engine": "mysql", "user": "u", "password": "p@ss", "database": "d"}})
    assert database_url(parts, None) == "mysql://u:p%40ss@127.0.0.1:3306/d"
    pg = cfg.override({"database": {"engine": "postgresql", "database": "shop"}})
    assert database_url(pg, None) == "postgresql://postgres@127.0.0.1:5432/shop"
    pg = cfg.override({"database": {"engine": "postgresql", "port": 5433, "user": "me"}})
    assert database_url(pg, None) == "postgresql://me@127.0.0.1:5433/dvdrental"


def _leaves(d, prefix=""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _leaves(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}", v


def test_scenarios_are_valid_overrides_that_apply():
    from dvdrental.config import SCENARIO_DIR
    assert len(scenario_names()) == 10
    for name in scenario_names():
        raw = json.loads((SCENARIO_DIR / f"{name}.json").read_text())
        assert len(raw.pop("description")) > 30, name
        applied = dict(_leaves(load_config(scenario=name).to_dict()))
        for key, value in _leaves(raw):
            assert applied[key] == value, (name, key)


@pytest.mark.parametrize("places, words", [
    ([], "catalog.store_places needs at least one place"),
    ([{"locale": "xx_XX"}], "catalog.store_places[0].locale must be one of"),
    ([{"district": "D" * 21}], "catalog.store_places[0].district must be 1 to 20 characters"),
    ([{}, {"city": " "}], "catalog.store_places[1].city must be 1 to 50 characters"),
])
def test_store_places_are_checked(places, words):
    with pytest.raises(ConfigError) as err:
        load_config().override({"catalog": {"store_places": places}})
    assert words in str(err.value)
