"""The docs describe the code that exists: the generated config reference is current, every command
and scenario is documented."""

import dataclasses
import typing

from dvdrental import configdoc
from dvdrental.config import Config, scenario_names
from conftest import ROOT


def test_config_reference_is_current():
    assert configdoc.TARGET.read_text() == configdoc.render(), "run: python -m dvdrental.configdoc"


def _keys(cls, prefix=""):
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if dataclasses.is_dataclass(hints[f.name]):
            yield from _keys(hints[f.name], f"{prefix}{f.name}.")
        else:
            yield f"{prefix}{f.name}"


def test_every_config_key_is_documented():
    text = configdoc.TARGET.read_text()
    for key in _keys(Config):
        assert f"`{key}`" in text, key


def test_readme_and_docs_name_every_command_and_scenario():
    readme = (ROOT / "README.md").read_text()
    for script in ("generator.py", "incremental_update.py", "inventory_manager.py", "master_simulation.py",
                   "validate.py", "maintain.py", "etl.py"):
        assert script in readme, script
    scenarios = (ROOT / "docs" / "scenarios.md").read_text()
    for name in scenario_names():
        assert f"`{name}`" in scenarios and name in readme, name


def test_level_folders_have_readmes():
    for folder in ("level_1_basic", "level_2_incremental", "level_3_inventory", "level_4_seasonal"):
        assert len((ROOT / folder / "README.md").read_text()) > 500, folder
