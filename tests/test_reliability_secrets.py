"""Secrets at the edges (issue 10, items 5, 6 and the URL part of 12).

- a backup killed with SIGKILL leaves no option file holding the password and no mysqldump running;
- a password with newline, quotes, backslash, @, : and # works for a backup;
- a password never shows in any message, however malformed the URL around it (one masking function,
  checked here over random passwords with hypothesis, and through every command);
- URL surprises are refused with exit 2: port 0, --db '', an empty user.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from unittest import mock
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from conftest import MYSQL_SERVER, ROOT, tiny_config
from helpers import build
from dvdrental import errors
from dvdrental.errors import ConfigError, DatabaseError, mask_credentials
from dvdrental.storage import mysql as mysql_storage
from dvdrental.storage import url as url_module
from dvdrental.storage.url import parse_url

DUMPERS = {"mysqldump", "mariadb-dump"}


def _root_conn(database: str | None = None):
    import mysql.connector
    u = parse_url(MYSQL_SERVER + "/probe")
    return mysql.connector.connect(host=u.host, port=u.port, user=u.user, password=u.password,
                                   database=database, autocommit=True)


def _proc_state(pid: int) -> str | None:
    """The process's state letter (R, S, Z, ...), or None if it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def _dumpers_of(parent: int) -> list[int]:
    """mysqldump processes whose parent is `parent`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if comm in DUMPERS and ppid == parent:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    return _proc_state(pid) not in (None, "Z", "X")


# ---- item 5: a killed backup -----------------------------------------------------------------------

def test_killed_backup_leaves_no_option_file_and_no_mysqldump(mysql_url, tmp_path):
    """SIGKILL `maintain.py backup` while mysqldump is mid-dump (held on a table lock, so it runs as
    long as we like on a small database): neither the option file nor mysqldump may outlive it."""
    url = mysql_url("killbk")
    build(tiny_config(simulation={"initial_weeks": 1}), url).close()
    name = url.rsplit("/", 1)[1]
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    before = set(Path("/tmp").glob("dvdrental-*"))
    holder = _root_conn(name)
    holder.cursor().execute("LOCK TABLES rental WRITE")  # mysqldump waits on it while dumping rental
    dumper = None
    try:
        proc = subprocess.Popen([sys.executable, "maintain.py", "backup", "--db", url, "-o",
                                 str(tmp_path / "b.sql")], cwd=ROOT, env={**os.environ, "TMPDIR": str(tmpdir)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not (found := _dumpers_of(proc.pid)) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert found, "mysqldump never started"
        dumper = found[0]
        cmdline = Path(f"/proc/{dumper}/cmdline").read_bytes().split(b"\0")
        options = next(a.decode().split("=", 1)[1] for a in cmdline if a.startswith(b"--defaults-extra-file="))
        time.sleep(0.5)  # well into the dump: blocked on the rental table
        assert proc.poll() is None and _alive(dumper)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 5
        while _alive(dumper) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(dumper), "mysqldump outlived the killed backup"
        assert not Path(options).exists(), f"the option file {options} outlived the killed backup"
        assert list(tmpdir.iterdir()) == [] and set(Path("/tmp").glob("dvdrental-*")) <= before
    finally:
        if dumper and _alive(dumper):
            os.kill(dumper, signal.SIGKILL)  # the orphan of a backup that did not take it along
        holder.cursor().execute("UNLOCK TABLES")
        holder.close()


def test_option_file_is_never_on_disk_and_escapes_every_special_character(tmp_path, monkeypatch):
    """The option text survives the client's unescaping; on Linux it lives in memory only."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    pw = 'a"b\\c\nd\'e @f:g#h\ti\rj \\n k\\"  '
    u = parse_url(f"mysql://u:{quote(pw, safe='')}@127.0.0.1/d")
    text = mysql_storage._option_text(u)
    assert text.count("\n") == 5  # the password's newline and CR did not start a line of their own
    with mysql_storage.defaults_file(u) as path:
        assert Path(path).read_text() == text and (Path(path).stat().st_mode & 0o077) == 0
        assert list(tmp_path.iterdir()) == []  # nothing written to the temporary folder
    assert not Path(path).exists()


def test_backup_with_a_hostile_password(mysql_url, tmp_path):
    """Newline, quotes, backslash, @, :, # and friends: the backup works, the password shows nowhere."""
    import maintain
    source = mysql_url("hostile")
    build(tiny_config(simulation={"initial_weeks": 1}), source).close()
    name = source.rsplit("/", 1)[1]
    user = f"dvdtest_{uuid.uuid4().hex[:8]}"
    password = 'n\nq"s\'b\\a@c:h#t\tp;x y\\n%2F'
    conn = _root_conn()
    cur = conn.cursor()
    cur.execute("CREATE USER %s@'%%' IDENTIFIED BY %s", (user, password))
    try:
        cur.execute(f"GRANT ALL PRIVILEGES ON `{name}`.* TO %s@'%%'", (user,))
        try:  # MariaDB: reading routines defined by another user needs mysql.proc
            cur.execute("GRANT SELECT ON mysql.proc TO %s@'%%'", (user,))
        except Exception:  # noqa: BLE001 - MySQL 8
            cur.execute("GRANT SHOW_ROUTINE ON *.* TO %s@'%%'", (user,))
        host = parse_url(MYSQL_SERVER + "/probe")
        # fully percent-encoded, and with @ and : left raw (the last @ ends the password)
        for i, auth in enumerate((quote(password, safe=""), quote(password, safe="@:"))):
            target = tmp_path / f"dump{i}.sql"
            url = f"mysql://{user}:{auth}@{host.host}:{host.port}/{name}"
            result = CliRunner().invoke(maintain.main, ["backup", "--db", url, "-o", str(target)])
            assert result.exit_code == 0, result.output
            assert password not in result.output and auth not in result.output
            dump = target.read_text()
            assert "CREATE TABLE `rental`" in dump and "INSERT INTO `rental`" in dump and password not in dump
    finally:
        cur.execute("DROP USER %s@'%%'", (user,))
        conn.close()


# ---- item 6: one masking function ------------------------------------------------------------------

PASSWORD = "Hunter2-pw"
#: malformed and awkward URL forms; {pw} is the raw password
FORMS = ["mysql:/u:{pw}@127.0.0.1/d", "u:{pw}@127.0.0.1/d", "mysql//u:{pw}@127.0.0.1/d",
         "mysql:u:{pw}@127.0.0.1/d", "mysql://u:{pw}@127.0.0.1/bad-name", "mysql://u:{pw}@127.0.0.1:0/d",
         "mysql://u:{pw}/x@127.0.0.1/d", "mysql://u:{pw}#x@127.0.0.1/d", "mysql://u:{pw}?x@127.0.0.1/d",
         "oracle://u:{pw}@127.0.0.1/d", "postgres://u:{pw}@127.0.0.1/bad-name",
         "postgresql://u:{pw}@127.0.0.1:0/d", "mysql://:{pw}@127.0.0.1/d", "mysql://u:{pw}",
         "mysql://u:{pw}/d", " mysql:/u:{pw}@h/d "]
PASSWORDS = [PASSWORD, "p@ss@w0rd:x", "se cr'et\"#1", "new\nline"]


def _commands(tmp_path: Path) -> list[tuple[str, list[str]]]:
    return [("generator", []), ("incremental_update", ["1"]), ("validate", []),
            ("master_simulation", []), ("maintain", ["stats"]), ("maintain", ["backup", "-o", str(tmp_path / "b")]),
            ("inventory_manager", ["report"]), ("etl", ["--mode", "full", "--warehouse", str(tmp_path / "w.duckdb")])]


def _invoke(script: str, args: list[str], url: str):
    main = importlib.import_module(script).main
    pre, post = (args[:1], args[1:]) if script in ("maintain", "inventory_manager") else ([], args)
    return CliRunner().invoke(main, [*pre, "--db", url, *post])


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("pw", PASSWORDS)
def test_malformed_url_never_shows_the_password_in_parse_errors(form, pw):
    with pytest.raises(ConfigError) as err:
        parse_url(form.format(pw=pw))
    shown = f"{err.value}\n{err.value.hint}"
    assert pw not in shown and "***" in str(err.value), shown
    for piece in (p for p in pw.replace("\n", " ").split() if len(p) >= 4):
        assert piece not in shown


def test_every_command_hides_the_password_of_a_malformed_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for script, args in _commands(tmp_path):
        for form in FORMS[:4] + FORMS[6:7]:
            for pw in (PASSWORD, "p@ss@w0rd:x"):
                result = _invoke(script, args, form.format(pw=pw))
                out = result.output
                assert result.exit_code == 2, (script, form, out)
                assert pw not in out and "w0rd" not in out and "Hunter2" not in out, (script, form, out)
                assert "Traceback" not in out and len(out.strip().splitlines()) <= 2, (script, form, out)
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_a_real_process_hides_the_password_too():
    done = subprocess.run([sys.executable, "validate.py", "--db", f"mysql:/root:{PASSWORD}@127.0.0.1/d"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and PASSWORD not in done.stdout + done.stderr
    assert "no scheme" in done.stderr


def test_known_passwords_dsn_and_driver_text_are_masked(monkeypatch):
    monkeypatch.setattr(errors, "_SECRETS", set())
    parse_url(f"mysql://bob:{quote('top secret!', safe='')}@h/d")  # a parsed password is remembered
    text = mask_credentials("driver said: cannot log in with top secret! (top%20secret%21)")
    assert "top secret" not in text and "top%20secret" not in text
    assert "sekrit" not in mask_credentials("ATTACH 'host=h user=u password=sekrit port=3306' AS src")
    assert "sekrit" not in mask_credentials('{"user": "u", "password": "sek\\"rit"}')
    assert "sekrit" not in mask_credentials("DVDRENTAL_DB_PASSWORD=sekrit python generator.py")
    # ordinary text and password-free URLs are left alone
    plain = "cannot reach mysql://root@127.0.0.1:3306/shop at 12:30 (using password: YES); ann@x.org"
    assert mask_credentials(plain) == plain
    assert mask_credentials("sqlite:////tmp/a.db", url=True) == "sqlite:////tmp/a.db"


def test_domain_errors_and_command_errors_are_masked():
    from dvdrental.cli import CommandError
    assert "pw123" not in str(DatabaseError("cannot use mysql://u:pw123@h/d", hint="u:pw123@h"))
    assert "pw123" not in str(DatabaseError("x", hint="try mysql:/u:pw123@h/d").hint)
    assert "pw123" not in CommandError("database error: mysql//u:pw123@h/d").format_message()


# hypothesis: any password, any URL form -------------------------------------------------------------

_PASSWORD_CHARS = st.characters(codec="utf-8", exclude_characters="\x00")
_FORMS = st.sampled_from(["mysql://u:{pw}@127.0.0.1/d", "mysql://u:{pw}@127.0.0.1/bad-name",
                          "mysql:/u:{pw}@127.0.0.1/d", "u:{pw}@127.0.0.1/d", "mysql//u:{pw}@127.0.0.1/d",
                          "mysql:u:{pw}@h/d", "mysql://u:{pw}@h:0/d", "mysql://:{pw}@h/d", "mysql://u:{pw}"])


#: every fixed text a URL error can hold: a password found in it proves nothing
STATIC = Path(url_module.__file__).read_text() + Path(errors.__file__).read_text() + "127.0.0.1 bad-name :***@"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pw=st.text(_PASSWORD_CHARS, min_size=3, max_size=24), form=_FORMS, encode=st.booleans())
def test_hypothesis_no_password_in_any_url_error(pw, form, encode):
    """Whatever the password and however it is written (raw or percent-encoded), a URL error hides it;
    a URL that parses hides it in display()."""
    written = quote(pw, safe="") if encode else pw
    assume(pw not in STATIC and written not in STATIC)
    url = form.replace("{pw}", written)
    with mock.patch.object(errors, "_SECRETS", set()):
        try:
            parsed = parse_url(url)
        except ConfigError as exc:
            shown = f"{exc}\n{exc.hint}"
            assert pw not in shown and written not in shown, shown
        else:
            assert pw not in parsed.display() and written not in parsed.display()


@settings(max_examples=400, deadline=None)
@given(pw=st.text(st.characters(codec="utf-8", exclude_categories=("Z", "Cc", "Cs")), min_size=3, max_size=24),
       form=_FORMS.filter(lambda f: "@" in f), before=st.sampled_from(["", "error: ", "'", "(", "at "]),
       after=st.sampled_from(["", " failed", "': bad", ")"]))
def test_hypothesis_free_text_hides_passwords_without_spaces(pw, form, before, after):
    """Driver or library text that echoes a URL: a password without whitespace is hidden even when
    nothing has told the masker about it."""
    assume(pw not in STATIC + before + form + after)
    with mock.patch.object(errors, "_SECRETS", set()):
        assert pw not in mask_credentials(before + form.replace("{pw}", pw) + after)


# ---- item 12: URL surprises -------------------------------------------------------------------------

@pytest.fixture
def tiny_file(tmp_path):
    """A tiny config whose own database is a file in tmp_path: what --db '' used to fall back to."""
    import json
    from conftest import TINY
    p = tmp_path / "tiny.json"
    p.write_text(json.dumps({**TINY, "database": {"url": f"sqlite:///{tmp_path}/fallback.db"}}))
    return str(p)


@pytest.mark.parametrize("url, words", [
    ("mysql://root@127.0.0.1:0/dvdtest_never", "port must be"),
    ("mysql://root@127.0.0.1:65536/dvdtest_never", "port must be"),
    ("mysql://@127.0.0.1/dvdtest_never", "user name"),
    ("mysql://:pw@127.0.0.1/dvdtest_never", "user name"),
    ("", "empty"),
    ("   ", "empty"),
])
def test_url_surprises_exit_2(url, words, tmp_path, tiny_file, monkeypatch):
    monkeypatch.delenv("DVDRENTAL_DB_URL", raising=False)
    for script, args in (("validate", []), ("maintain", ["stats"]), ("generator", ["--quiet"])):
        result = _invoke(script, [*args, "--config", tiny_file], url)
        assert result.exit_code == 2, (script, result.output)
        assert words in result.output and "Traceback" not in result.output, (script, result.output)
        assert len(result.output.strip().splitlines()) <= 2
    assert not (tmp_path / "fallback.db").exists()  # --db '' is not "the default database"
    with pytest.raises(ConfigError):
        parse_url(url)


def test_url_surprises_create_no_database(mysql_url, tiny_file):
    """Port 0 used to reach 3306 and an empty user to log in as root: nothing may be created."""
    name = mysql_url("surprise").rsplit("/", 1)[1]
    for url in (f"mysql://root@127.0.0.1:0/{name}", f"mysql://@127.0.0.1/{name}"):
        assert _invoke("generator", ["--quiet", "--config", tiny_file], url).exit_code == 2
    conn = _root_conn()
    cur = conn.cursor()
    cur.execute("SHOW DATABASES LIKE %s", (name,))
    assert cur.fetchall() == []
    conn.close()
