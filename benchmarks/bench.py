#!/usr/bin/env python3
"""The project's benchmark: times the real commands end to end, in fresh processes, on both engines.

    python benchmarks/bench.py generator            # default generator run
    python benchmarks/bench.py master               # master_simulation for 1, 3 and 10 years
    python benchmarks/bench.py incremental          # one week added to a 10-year database
    python benchmarks/bench.py validate             # validate.py on a 10-year database
    python benchmarks/bench.py late                 # master 3 years: cost of late changes, change log, exports
    python benchmarks/bench.py all

Each line reports wall seconds, peak memory of the process, rentals and rows written, and rates.
MySQL runs use --mysql (default mysql://root@127.0.0.1:3306) and databases named bench_*.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dvdrental.storage import connect  # noqa: E402
from dvdrental.storage.tables import SAKILA_TABLES  # noqa: E402


def run(args: list[str]) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stdout) of one command in a fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"failed: {' '.join(args)}\n{err}")
    return seconds, usage.ru_maxrss / 1024, out


def counts(url: str) -> tuple[int, int]:
    """(rentals, rows in the Sakila tables)."""
    with connect(url) as db:
        rows = sum(db.query(f"SELECT COUNT(*) FROM {t.name}")[0][0] for t in SAKILA_TABLES)
        return db.query("SELECT COUNT(*) FROM rental")[0][0], rows


def report(label: str, engine: str, seconds: float, rss: float, rentals: int | None = None,
           rows: int | None = None, note: str = "") -> None:
    rate = f"{rows / seconds:>10,.0f} rows/s  {rentals / seconds:>9,.0f} rentals/s" if rows else " " * 41
    extra = f"  {rentals:>9,} rentals  {rows:>10,} rows" if rows else ""
    print(f"{label:<28} {engine:<7} {seconds:>7.2f} s  {rss:>6.0f} MB  {rate}{extra}  {note}", flush=True)


def urls(engines: list[str], name: str, tmp: Path, mysql: str) -> list[tuple[str, str]]:
    out = []
    for engine in engines:
        out.append((engine, f"sqlite:///{tmp}/{name}.db" if engine == "sqlite" else f"{mysql}/bench_{name}"))
    return out


def bench_generator(engines: list[str], tmp: Path, mysql: str, repeat: int) -> None:
    for engine, url in urls(engines, "generator", tmp, mysql):
        best = None
        for _ in range(repeat):
            sec, rss, _ = run(["generator.py", "--db", url, "--reset", "--quiet"])
            best = (sec, rss) if best is None or sec < best[0] else best
        rentals, rows = counts(url)
        report("generator (12 weeks)", engine, best[0], best[1], rentals, rows, f"best of {repeat}")


def bench_master(engines: list[str], tmp: Path, mysql: str, repeat: int) -> None:
    """master_simulation for 1, 3 and 10 years: rentals/s should stay level (linear cost).

    Besides the end-to-end rate, the marginal rate between runs ((rentals b - rentals a) / (seconds b -
    seconds a)) shows the cost per rental without the fixed start-up (interpreter, imports, schema).
    """
    for engine in engines:
        points = []
        for years in (1, 3, 10):
            url = dict(urls([engine], f"master_{years}y", tmp, mysql))[engine]
            best = None
            for _ in range(repeat if years < 10 else 1):
                sec, rss, _ = run(["master_simulation.py", "--db", url, "--weeks", str(52 * years), "--reset", "-q"])
                best = (sec, rss) if best is None or sec < best[0] else best
            rentals, rows = counts(url)
            points.append((rentals, best[0]))
            report(f"master_simulation {years}y", engine, best[0], best[1], rentals, rows,
                   f"best of {repeat if years < 10 else 1}")
        (r1, t1), (r3, t3), (r10, t10) = points
        print(f"{'  marginal rentals/s':<28} {engine:<7} 1y->3y {(r3 - r1) / (t3 - t1):,.0f}   "
              f"3y->10y {(r10 - r3) / (t10 - t3):,.0f}   fixed start-up ~{t1 - r1 * (t3 - t1) / (r3 - r1):.2f} s",
              flush=True)


def _ten_year_db(engine: str, tmp: Path, mysql: str) -> str:
    url = dict(urls([engine], "master_10y", tmp, mysql))[engine]
    try:
        with connect(url) as db:
            st = db.read_sim_state()
            if st and st["last_day"] - st["start_date"] >= 7 * 520 - 1:
                return url
    except Exception:  # noqa: BLE001 - not there yet
        pass
    run(["master_simulation.py", "--db", url, "--weeks", "520", "--reset", "-q"])
    return url


def bench_incremental(engines: list[str], tmp: Path, mysql: str, repeat: int) -> None:
    """One week added to a 10-year database, state rebuild included (a fresh process each time)."""
    for engine in engines:
        url = _ten_year_db(engine, tmp, mysql)
        best = None
        for _ in range(repeat):
            before, _ = counts(url)
            sec, rss, _ = run(["incremental_update.py", "1", "--db", url, "-q"])
            after, _ = counts(url)
            best = (sec, rss, after - before) if best is None or sec < best[0] else best
        report("incremental +1 week (10y db)", engine, best[0], best[1], note=f"{best[2]:,} new rentals, "
               f"best of {repeat}")


def bench_validate(engines: list[str], tmp: Path, mysql: str, repeat: int) -> None:
    for engine in engines:
        url = _ten_year_db(engine, tmp, mysql)
        sec, rss, _ = run(["validate.py", "--db", url, "-q"])
        rentals, rows = counts(url)
        report("validate (10y db)", engine, sec, rss, note=f"{rentals:,} rentals checked")


#: master 3 years at level 4 in four variants: what late changes, the change log and exports each cost
LATE_VARIANTS = (
    ("without (no late changes, no log)", {"late_changes": {"change_log": False}}, ["--no-late-changes"]),
    ("+ change log", {}, ["--no-late-changes"]),
    ("+ late changes", {}, []),
    ("+ daily exports", {}, ["--export-dir"]),
)


def bench_late(engines: list[str], tmp: Path, mysql: str, repeat: int) -> None:
    """master_simulation 3 years with and without late changes, the change log and the daily exports
    (each variant adds to the one before); the last column is the cost against the first variant."""
    import json
    import shutil
    for engine in engines:
        base = None
        for label, config, flags in LATE_VARIANTS:
            url = dict(urls([engine], "late", tmp, mysql))[engine]
            cfg = tmp / "late.json"
            cfg.write_text(json.dumps(config))
            best = None
            for i in range(repeat):
                out = tmp / f"exports_{i}"
                shutil.rmtree(out, ignore_errors=True)
                args = [f if f != "--export-dir" else f"--export-dir={out}" for f in flags]
                sec, rss, _ = run(["master_simulation.py", "--db", url, "--reset", "-q", "--config", str(cfg), *args])
                best = (sec, rss) if best is None or sec < best[0] else best
                shutil.rmtree(out, ignore_errors=True)
            rentals, rows = counts(url)
            base = base or best[0]
            report(f"master 3y {label}", engine, best[0], best[1], rentals, rows,
                   f"{(best[0] / base - 1) * 100:+.0f} %, best of {repeat}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["generator", "incremental", "master", "validate", "late", "all"])
    parser.add_argument("--engines", default="sqlite,mysql", help="comma-separated: sqlite,mysql")
    parser.add_argument("--mysql", default="mysql://root@127.0.0.1:3306", help="MySQL server URL prefix")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best is kept)")
    args = parser.parse_args()
    engines = args.engines.split(",")
    try:
        import mysql.connector
        print(f"mysql-connector {mysql.connector.__version__}, C extension: {mysql.connector.HAVE_CEXT}")
    except ImportError:
        pass
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        todo = ["generator", "master", "incremental", "validate", "late"] if args.what == "all" else [args.what]
        try:
            for what in todo:
                BENCHES[what](engines, tmp_path, args.mysql, args.repeat)
        finally:
            if "mysql" in engines:
                _drop_bench_databases(args.mysql)


def _drop_bench_databases(server: str) -> None:
    """Leave the server as we found it: stale 10-year databases crowd its buffer pool."""
    import mysql.connector
    from dvdrental.storage.url import parse_url
    u = parse_url(server + "/bench")
    conn = mysql.connector.connect(host=u.host, port=u.port, user=u.user, password=u.password)
    cur = conn.cursor()
    cur.execute("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'bench\\_%'")
    for (name,) in cur.fetchall():
        cur.execute(f"DROP DATABASE `{name}`")
    conn.close()


BENCHES = {"generator": bench_generator, "master": bench_master, "incremental": bench_incremental,
           "validate": bench_validate, "late": bench_late}

if __name__ == "__main__":
    main()
