#!/usr/bin/env python3
"""The project's benchmark: times the real commands end to end, in fresh processes, on every engine.

    python benchmarks/bench.py generator            # default generator run
    python benchmarks/bench.py master               # master_simulation for 1, 3 and 10 years
    python benchmarks/bench.py incremental          # one week added to a 10-year database
    python benchmarks/bench.py validate             # validate.py on a 10-year database
    python benchmarks/bench.py late                 # master 3 years: cost of late changes, change log, exports
    python benchmarks/bench.py etl                  # etl.py per simulated day on 1, 3, 5 and 10 years
    python benchmarks/bench.py sakila               # the real Sakila adopted: 8 weeks, then caught up 10 years
    python benchmarks/bench.py scale                # a chain of 100 stores, ~10M rentals, 1 and 2 workers
    python benchmarks/bench.py all

Each line reports wall seconds, peak memory of the process, rentals and rows written, and rates.
MySQL runs use --mysql (default mysql://root@127.0.0.1:3306), PostgreSQL runs --postgresql (default
postgresql://postgres@127.0.0.1:5432), both with databases named bench_*; the etl
benchmark starts a MariaDB server of its own instead (binary log on, for --mode cdc, see tests/servers.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dvdrental.sim.calendar import date_of  # noqa: E402
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
    """(rentals, rows in the Sakila tables there are: a Pagila has no film_text until adopted)."""
    with connect(url) as db:
        present = db.table_names()
        rows = sum(db.query(f"SELECT COUNT(*) FROM {t.name}")[0][0] for t in SAKILA_TABLES if t.name in present)
        return db.query("SELECT COUNT(*) FROM rental")[0][0], rows


def report(label: str, engine: str, seconds: float, rss: float, rentals: int | None = None,
           rows: int | None = None, note: str = "") -> None:
    rate = f"{rows / seconds:>10,.0f} rows/s  {rentals / seconds:>9,.0f} rentals/s" if rows else " " * 41
    extra = f"  {rentals:>9,} rentals  {rows:>10,} rows" if rows else ""
    print(f"{label:<28} {engine:<7} {seconds:>7.2f} s  {rss:>6.0f} MB  {rate}{extra}  {note}", flush=True)


#: Server URL prefixes of the server engines (--mysql, --postgresql).
SERVERS: dict[str, str] = {}


def urls(engines: list[str], name: str, tmp: Path, mysql: str) -> list[tuple[str, str]]:
    out = []
    for engine in engines:
        server = SERVERS.get(engine, mysql)
        out.append((engine, f"sqlite:///{tmp}/{name}.db" if engine == "sqlite" else f"{server}/bench_{name}"))
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


# ---- etl: what one simulated day costs each etl.py mode, against years of history ----------------------

#: The etl.py modes and the extra arguments each runs with (cdc reads a MySQL/MariaDB binary log only).
ETL_MODES = {"full": [], "incremental": ["--deletes", "changelog"], "files": [], "cdc": []}
#: The most the longest history may cost per day against 3 years for a mode that costs what a day changed.
ETL_FLAT = 1.5


@dataclass
class EtlSource:
    """One source database, the export folder its simulation writes, and one warehouse per mode."""
    engine: str
    years: int
    url: str
    exports: Path
    warehouses: dict[str, Path]
    build_seconds: float = 0.0
    sync_seconds: float = 0.0  # the first sync of every warehouse
    rentals: int = 0
    days: dict[str, list[dict]] = field(default_factory=dict)  # mode -> one etl run per simulated day
    valid: dict[str, bool] = field(default_factory=dict)       # mode -> validate.py --warehouse exited 0

    def median(self, mode: str, key: str) -> float:
        """The median of one figure of the mode's daily runs."""
        return statistics.median(day[key] for day in self.days[mode])


def etl_command(source: EtlSource, mode: str) -> list[str]:
    """etl.py for one mode and its warehouse, quiet, with the JSON summary (files reads the folder only)."""
    where = ["--exports", str(source.exports)] if mode == "files" else ["--db", source.url]
    return ["etl.py", *where, "--mode", mode, "--warehouse", str(source.warehouses[mode]), *ETL_MODES[mode],
            "-q", "--json"]


def etl_once(source: EtlSource, mode: str) -> dict:
    """One etl.py run: wall seconds, peak MB, the seconds etl.py reports itself and its row counts."""
    args = etl_command(source, mode)
    sec, rss, out = run(args)
    try:
        summary = json.loads(out)
    except ValueError:
        raise SystemExit(f"no JSON summary from: {' '.join(args)}\n{out[-2000:]}") from None
    return {"seconds": sec, "rss_mb": rss, "etl_seconds": summary["seconds"], "rows_read": summary["rows_read"],
            "rows_written": summary["rows_written"], "rows_deleted": summary["rows_deleted"]}


def build_etl_source(engine: str, years: int, url: str, tmp: Path, modes: list[str]) -> EtlSource:
    """master_simulation for `years` with daily exports, then each mode's warehouse synced once (untimed)."""
    name = f"etl_{engine}_{years}y"
    source = EtlSource(engine, years, url, tmp / f"{name}_exports", {m: tmp / f"{name}_{m}.duckdb" for m in modes})
    source.build_seconds = run(["master_simulation.py", "--db", url, "--weeks", str(52 * years),
                                "--export-dir", str(source.exports), "-q"])[0]
    source.rentals = counts(url)[0]
    start = time.perf_counter()
    for mode in modes:
        etl_once(source, mode)
    source.sync_seconds = time.perf_counter() - start
    return source


def simulate_days(source: EtlSource, days: int) -> None:
    """Add `days` days one at a time (one update shared by all modes), timing every mode after each day."""
    for _ in range(days):
        run(["incremental_update.py", "--db", source.url, "--days", "1", "--export-dir", str(source.exports), "-q"])
        for mode in source.warehouses:
            source.days.setdefault(mode, []).append(etl_once(source, mode))


def validate_warehouses(source: EtlSource) -> None:
    """validate.py --warehouse for each of the source's warehouses (exit 0: equal to the source)."""
    for mode, path in source.warehouses.items():
        proc = subprocess.run([sys.executable, "validate.py", "--db", source.url, "--warehouse", str(path), "-q"],
                              cwd=ROOT, capture_output=True, text=True)
        source.valid[mode] = proc.returncode == 0
        if proc.returncode:
            print(f"  drift: {source.engine} {source.years}y {mode} (exit {proc.returncode})\n"
                  f"{(proc.stdout + proc.stderr)[-1500:]}", flush=True)


def startup_floor(repeat: int) -> float:
    """The best wall time of `etl.py --help`: interpreter, imports and options, no work at all."""
    return min(run(["etl.py", "--help"])[0] for _ in range(max(repeat, 1)))


def etl_ratios(sources: list[EtlSource]) -> dict[str, dict[str, dict]]:
    """engine -> mode -> the longest history's median against 3 years' (else the shortest's), in wall
    seconds per day and in the seconds etl.py reports itself (start-up excluded)."""
    out: dict[str, dict[str, dict]] = {}
    for engine in dict.fromkeys(s.engine for s in sources):
        mine = sorted((s for s in sources if s.engine == engine), key=lambda s: s.years)
        base, top = next((s for s in mine if s.years == 3), mine[0]), mine[-1]
        if top is base:
            continue
        out[engine] = {mode: {"from_years": base.years, "to_years": top.years,
                              "wall": top.median(mode, "seconds") / base.median(mode, "seconds"),
                              "in_run": top.median(mode, "etl_seconds") / base.median(mode, "etl_seconds")}
                       for mode in top.warehouses}
    return out


def report_etl(sources: list[EtlSource], ratios: dict, floor: float, days: int) -> None:
    """The table: median wall seconds, peak MB and rows per simulated day for each history, engine and
    mode, then the ratios of the longest history to 3 years and the start-up floor."""
    print(f"etl.py once per simulated day, median of {days} days (in-run: the seconds etl.py reports itself)\n"
          f"{'':<28} {'engine':<7} {'wall':>9}  {'in-run':>8}  {'peak':>6}  {'rows read':>10} {'written':>10} "
          f"{'deleted':>10}  source", flush=True)
    for s in sorted(sources, key=lambda s: (s.years, s.engine)):
        for mode in s.warehouses:
            m = {k: s.median(mode, k) for k in s.days[mode][0]}
            print(f"{f'etl {mode} {s.years}y per day':<28} {s.engine:<7} {m['seconds']:>7.2f} s  "
                  f"{m['etl_seconds']:>6.3f} s  {m['rss_mb']:>3.0f} MB  {m['rows_read']:>10,.0f} "
                  f"{m['rows_written']:>10,.0f} {m['rows_deleted']:>10,.0f}  {s.rentals:,} rentals", flush=True)
    for engine, modes in ratios.items():
        for mode, r in modes.items():
            label = f"  ratio {r['to_years']}y/{r['from_years']}y {mode}"
            print(f"{label:<28} {engine:<7} {r['wall']:>7.2f}x  {r['in_run']:>6.2f}x  {_verdict(mode, r['wall'])}",
                  flush=True)
    print(f"{'  start-up floor':<28} {'-':<7} {floor:>7.2f} s  etl.py --help: the least any run costs", flush=True)


def _verdict(mode: str, ratio: float) -> str:
    """What a ratio of seconds per day (longest history against 3 years) says about the mode."""
    if ratio <= ETL_FLAT:
        return f"within {ETL_FLAT}x"
    if mode == "full":
        return "grows with history (expected: full reloads it all)"
    return f"grows with history: MORE than {ETL_FLAT}x"


def write_etl_json(path: Path, sources: list[EtlSource], ratios: dict, floor: float, days: int) -> None:
    """Every figure, the daily runs included, as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"days": days, "startup_floor_seconds": floor, "ratios": ratios, "sources": [
        {"engine": s.engine, "years": s.years, "weeks": 52 * s.years, "rentals": s.rentals,
         "build_seconds": s.build_seconds, "sync_seconds": s.sync_seconds, "modes": {
             mode: {"median": {k: s.median(mode, k) for k in runs[0]}, "valid": s.valid.get(mode), "days": runs}
             for mode, runs in s.days.items()}}
        for s in sources]}
    path.write_text(json.dumps(doc, indent=2) + "\n")


def draw_etl_chart(path: Path, sources: list[EtlSource], floor: float, days: int) -> None:
    """Seconds per simulated day against years of history, one line per mode (the MariaDB source, else
    the first engine measured), with the start-up floor; log-scale y."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    engine = "mysql" if any(s.engine == "mysql" for s in sources) else sources[0].engine
    mine = sorted((s for s in sources if s.engine == engine), key=lambda s: s.years)
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    for mode in ETL_MODES:
        points = [(s.years, s.median(mode, "seconds")) for s in mine if mode in s.days]
        if points:
            ax.plot(*zip(*points), marker="o", label=f"--mode {mode}")
    ax.axhline(floor, color="grey", linestyle=":", label="start-up floor (etl.py --help)")
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks([s.years for s in mine])
    ax.set_xlabel("years of history in the source")
    ax.set_ylabel(f"seconds per simulated day (median of {days})")
    ax.set_title(f"etl.py: cost of one day's sync ({'MariaDB' if engine == 'mysql' else engine} source)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def etl_server(engines: list[str], stack: ExitStack, mysql: str) -> tuple[str, bool]:
    """The MySQL URL prefix for the etl sources and whether cdc can run there: a MariaDB server of the
    benchmark's own with the binary log on; without one, the --mysql server and no cdc."""
    if "mysql" not in engines:
        return mysql, False
    from tests.servers import OwnServer
    server = OwnServer()
    problem = server.problem()
    if problem:
        print(f"no server of our own ({problem}): MySQL sources on {mysql}, without --mode cdc", flush=True)
        return mysql, False
    stack.enter_context(server)
    return server.url("").rstrip("/"), True


def bench_etl(engines: list[str], tmp: Path, mysql: str, repeat: int, years: tuple[int, ...] = (1, 3, 5, 10),
              days: int = 5, chart: Path = ROOT / "docs/img/etl_cost.png") -> None:
    """etl.py in each mode once per simulated day on sources of 1 to 10 years: incremental, files and cdc
    should cost what the day changed (10y within 1.5x of 3y), full what the history holds. Each source
    is measured before the next is built, so a cdc run reads only its own source's binary log; the own
    server (and its bench_* databases) goes when the benchmark ends."""
    floor = startup_floor(repeat)
    sources: list[EtlSource] = []
    with ExitStack() as stack:
        server, cdc = etl_server(engines, stack, mysql)
        for n in years:
            for engine in engines:
                modes = [m for m in ETL_MODES if m != "cdc" or (engine == "mysql" and cdc)]
                prefix = SERVERS["postgresql"] if engine == "postgresql" else server
                url = f"sqlite:///{tmp}/etl_{n}y.db" if engine == "sqlite" else f"{prefix}/bench_etl_{n}y"
                source = build_etl_source(engine, n, url, tmp, modes)
                print(f"  {engine} {n}y: source built in {source.build_seconds:.1f} s ({source.rentals:,} rentals), "
                      f"{len(modes)} warehouses synced in {source.sync_seconds:.1f} s; {days} days...", flush=True)
                simulate_days(source, days)
                sources.append(source)
        ratios = etl_ratios(sources)
        report_etl(sources, ratios, floor, days)
        for source in sources:
            validate_warehouses(source)
        checked = [(s, m) for s in sources for m in s.valid]
        bad = [f"{s.engine} {s.years}y {m}" for s, m in checked if not s.valid[m]]
        print(f"validate.py --warehouse: {len(checked) - len(bad)} of {len(checked)} warehouses equal to their "
              f"source{'; DRIFT in ' + ', '.join(bad) if bad else ''}", flush=True)
    results = ROOT / "benchmarks/results/etl.json"
    write_etl_json(results, sources, ratios, floor, days)
    draw_etl_chart(chart, sources, floor, days)
    print(f"figures in {results.relative_to(ROOT)}, chart in {chart}", flush=True)
    if bad:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=[*BENCHES, "all"])
    parser.add_argument("--engines", default="sqlite,mysql,postgresql",
                        help="comma-separated: sqlite,mysql,postgresql")
    parser.add_argument("--mysql", default="mysql://root@127.0.0.1:3306", help="MySQL server URL prefix")
    parser.add_argument("--postgresql", default="postgresql://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL prefix")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best is kept)")
    parser.add_argument("--years", default="1,3,5,10", help="etl: years of history, comma-separated")
    parser.add_argument("--days", type=int, default=5, help="etl: simulated days measured per source")
    parser.add_argument("--chart", type=Path, default=ROOT / "docs/img/etl_cost.png",
                        help="etl: where to draw the chart (PNG)")
    parser.add_argument("--scale-years", type=float, default=4.7, help="scale: years of the chain (4.7: ~10M rentals)")
    parser.add_argument("--scale-stores", type=int, default=100, help="scale: stores in the chain")
    parser.add_argument("--workers", default="1,2", help="scale: worker counts, comma-separated")
    parser.add_argument("--no-lake", action="store_true", help="scale: skip the Parquet lake")
    args = parser.parse_args()
    engines = args.engines.split(",")
    unknown = set(engines) - {"sqlite", "mysql", "postgresql"}
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(sorted(unknown))}")
    SERVERS.update(mysql=args.mysql, postgresql=args.postgresql)
    options = {"etl": {"years": tuple(int(y) for y in args.years.split(",")), "days": args.days,
                       "chart": args.chart.resolve()},
               "scale": {"years": args.scale_years, "stores": args.scale_stores, "lake": not args.no_lake,
                         "workers": tuple(int(k) for k in args.workers.split(","))}}
    try:
        import mysql.connector
        print(f"mysql-connector {mysql.connector.__version__}, C extension: {mysql.connector.HAVE_CEXT}")
    except ImportError:
        pass
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        todo = list(BENCHES) if args.what == "all" else [args.what]
        try:
            for what in todo:
                BENCHES[what](engines, tmp_path, args.mysql, args.repeat, **options.get(what, {}))
        finally:
            if "mysql" in engines:
                _drop_bench_databases(args.mysql)
            if "postgresql" in engines:
                _drop_pg_bench_databases(args.postgresql)


def _drop_pg_bench_databases(server: str) -> None:
    """The same for PostgreSQL: drop the bench_* databases."""
    import psycopg
    from dvdrental.storage.url import parse_url
    u = parse_url(server + "/postgres")
    with psycopg.connect(host=u.host, port=u.port, user=u.user, password=u.password, dbname="postgres",
                         autocommit=True) as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'bench\\_%'")]
        for name in names:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


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


def _sakila_db(engine: str, tmp: Path, mysql: str) -> str | None:
    """A fresh real Sakila from ../shared/ref (the SQLite port, MySQL's official data loaded by
    tests/sakila_official.py, or on PostgreSQL a database in Pagila's shape holding the same data, built by
    tests/pagila_shape.py); None when the reference folder is absent."""
    sys.path.insert(0, str(ROOT / "tests"))
    import shutil

    from sakila_official import DATA_SQL, SQLITE_DB, load_official_mysql
    if not (DATA_SQL if engine == "mysql" else SQLITE_DB).exists():
        print(f"sakila                       {engine:<7} skipped: no reference data at {SQLITE_DB.parent}")
        return None
    if engine == "postgresql":
        from pagila_shape import build_pagila
        url = f"{SERVERS['postgresql']}/bench_pagila"
        with connect(url) as db:
            db.drop_all()
        build_pagila(url)
        return url
    if engine == "sqlite":
        path = tmp / "sakila.db"
        path.unlink(missing_ok=True)
        shutil.copyfile(SQLITE_DB, path)
        path.chmod(0o644)
        return f"sqlite:///{path}"
    url = f"{mysql}/bench_sakila"
    with connect(url) as db:
        db.drop_all()  # Sakila's views, triggers and tables, sim_* included
    load_official_mysql(url)
    return url


def bench_sakila(engines: list[str], tmp: Path, mysql: str, repeat: int) -> None:
    """The real Sakila continued: adoption with 8 weeks, then a cron-style catch-up of 10 years
    (--until, committed 28 days at a time), then the no-op run cron makes once caught up. Rentals and
    rows are those the run added."""
    for engine in engines:
        best = None
        for _ in range(repeat):
            url = _sakila_db(engine, tmp, mysql)
            if url is None:
                return
            before = counts(url)
            sec, rss, _ = run(["incremental_update.py", "8", "--db", url, "--yes", "-q"])
            best = (sec, rss, url, before) if best is None or sec < best[0] else best
        sec, rss, url, before = best
        after = counts(url)
        report("sakila adopt + 8 weeks", engine, sec, rss, after[0] - before[0], after[1] - before[1],
               f"best of {repeat}")
        with connect(url) as db:  # Sakila's history ends in 2006, Pagila's (moved) in 2022
            start = date_of(db.require_sim_state()["last_day"] + 1)
        until = (start + dt.timedelta(days=3652)).isoformat()
        sec, rss, _ = run(["incremental_update.py", "--until", until, "--db", url, "-q"])
        final = counts(url)
        report("sakila catch-up 10 years", engine, sec, rss, final[0] - after[0], final[1] - after[1],
               f"{start} .. {until}")
        sec, rss, _ = run(["incremental_update.py", "--until", until, "--db", url])
        report("sakila --until reached", engine, sec, rss, note="nothing to do")


#: What this kind of machine can load at most (rentals with their payments; ../shared/SPEC.md section 8).
CEILING_RENTALS_S = 200_000


def _peak_worker_mb(out: str) -> float | None:
    """The peak memory of one worker, from master_simulation's summary ('Where the time went' for a
    database, the lake's table for a lake)."""
    for line in out.splitlines():
        if "peak memory" in line and "MB" in line:
            return float(line.split("peak memory")[1].split("MB")[0].split()[-1].replace(",", ""))
    return None


def bench_scale(engines: list[str], tmp: Path, mysql: str, repeat: int, years: float = 4.7,
                workers: tuple[int, ...] = (1, 2), stores: int = 100, lake: bool = True) -> None:
    """A sharded chain (scenario chain-100, or --stores N of it) for `years` years: ~10M rentals at 100
    stores and 4.7 years. Rentals/s against the machine's ceiling, with K workers; peak memory of the
    run's own process and of its largest worker (bounded by the stores' working set, not by history)."""
    weeks = str(round(52 * years))
    targets = [(e, u) for e, u in urls(engines, "scale", tmp, mysql)]
    if lake:
        targets.append(("parquet", str(tmp / "scale_lake")))
    for engine, url in targets:
        for k in workers:
            where = ["--lake", url] if engine == "parquet" else ["--db", url]
            if engine == "parquet":
                import shutil
                shutil.rmtree(url, ignore_errors=True)
            args = ["master_simulation.py", *where, "--scenario", "chain-100", "--stores", str(stores),
                    "--weeks", weeks, "--workers", str(k), "--reset"]
            sec, rss, out = run(args)
            rentals, rows = _lake_counts(url) if engine == "parquet" else counts(url)
            worker = _peak_worker_mb(out)
            note = f"{rentals / sec / CEILING_RENTALS_S:.1%} of the ceiling; largest worker " + \
                (f"{worker:,.0f} MB" if worker is not None else "n/a")
            report(f"scale {stores} stores {years:g}y K={k}", engine, sec, rss, rentals, rows, note)


def _lake_counts(path: str) -> tuple[int, int]:
    """(rentals, rows of the Sakila tables) of a lake."""
    import pyarrow.dataset as ds
    n = {t.name: ds.dataset(f"{path}/{t.name}", format="parquet", partitioning="hive").count_rows()
         for t in SAKILA_TABLES if Path(path, t.name).exists()}
    return n["rental"], sum(n.values())


BENCHES = {"generator": bench_generator, "master": bench_master, "incremental": bench_incremental,
           "validate": bench_validate, "late": bench_late, "etl": bench_etl, "sakila": bench_sakila,
           "scale": bench_scale}

if __name__ == "__main__":
    main()
