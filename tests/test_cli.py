"""The top-level commands, through click's CliRunner and as real subprocesses."""

import importlib
import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from conftest import ROOT, TINY

SCRIPTS = sorted(p.stem for p in ROOT.glob("*.py"))


def _main(name):
    return importlib.import_module(name).main


@pytest.mark.parametrize("name", SCRIPTS)
def test_every_command_has_help(name):
    main = _main(name)
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and len(result.output) > 200
    commands = getattr(main, "commands", {})
    for sub in commands:
        sub_help = CliRunner().invoke(main, [sub, "--help"])
        assert sub_help.exit_code == 0 and "Usage:" in sub_help.output, (name, sub)


@pytest.fixture
def tiny_file(tmp_path):
    p = tmp_path / "tiny.json"
    p.write_text(json.dumps(TINY))
    return str(p)


def run(main, *args):
    return CliRunner().invoke(_main(main), list(args), catch_exceptions=False)


def test_generator_creates_then_refuses_then_resets(tmp_path, tiny_file):
    url = f"sqlite:///{tmp_path}/g.db"
    first = run("generator", "--db", url, "--config", tiny_file)
    assert first.exit_code == 0, first.output
    assert "rentals" in first.output
    again = run("generator", "--db", url, "--config", tiny_file, "--seed", "5")  # another simulation
    assert again.exit_code == 2
    assert "not empty" in again.output and "--reset" in again.output
    reset = run("generator", "--db", url, "--config", tiny_file, "--reset", "--seed", "99", "--quiet")
    assert reset.exit_code == 0 and reset.output == ""


@pytest.mark.parametrize("args, words", [
    (["--weeks", "-1"], "-1"),
    (["--weeks", "abc"], "abc"),
    (["--start-date", "2001-02-30"], "2001-02-30"),
    (["--db", "oracle://x"], "unsupported engine"),
    (["--db", "mysql://root@127.0.0.1:1/x"], "cannot reach"),
    (["--level", "9"], "9"),
    (["--bogus"], "No such option"),
])
def test_generator_bad_input_exits_2_and_writes_nothing(tmp_path, tiny_file, args, words):
    url = f"sqlite:///{tmp_path}/never.db"
    result = CliRunner().invoke(_main("generator"), ["--db", url, "--config", tiny_file, *args])
    if "--db" in args:
        result = CliRunner().invoke(_main("generator"), ["--config", tiny_file, *args])
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert not (tmp_path / "never.db").exists()


@pytest.mark.parametrize("content, words", [
    ("{oops", "not valid JSON"),
    ('{"catalog": {"films": 0}}', "catalog.films must be >= 1"),
    ('{"surprise": 1}', "unknown config key 'surprise'"),
])
def test_generator_bad_config_exits_2_and_writes_nothing(tmp_path, content, words):
    cfg = tmp_path / "c.json"
    cfg.write_text(content)
    result = CliRunner().invoke(_main("generator"), ["--db", f"sqlite:///{tmp_path}/n.db", "--config", str(cfg)])
    assert result.exit_code == 2 and words in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) <= 2
    assert not (tmp_path / "n.db").exists()


def test_generator_wrong_mysql_password_exits_2(mysql_url, tiny_file):
    url = mysql_url("pw").replace("root@", "root:definitely-wrong@")
    result = CliRunner().invoke(_main("generator"), ["--db", url, "--config", tiny_file])
    assert result.exit_code == 2 and "access denied" in result.output


def test_generator_on_mysql(mysql_url, tiny_file):
    result = run("generator", "--db", mysql_url("gen"), "--config", tiny_file, "--quiet")
    assert result.exit_code == 0, result.output


def test_generator_runs_as_a_script_from_a_level_folder(tmp_path, tiny_file):
    db = tmp_path / "script.db"
    proc = subprocess.run([sys.executable, "../generator.py", "--db", f"sqlite:///{db}", "--config", tiny_file,
                           "--weeks", "1"], cwd=ROOT / "level_1_basic", capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert db.exists()


def test_error_is_one_line_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "generator.py", "--db", "mysql://root@127.0.0.1:1/x"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("Error: cannot reach")


def test_click_commands_are_click():
    for name in SCRIPTS:
        assert isinstance(_main(name), click.Command)
