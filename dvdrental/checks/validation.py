"""validate.py: the schema check, the invariants of SPEC section 6 and the realism report, as one verdict."""

from __future__ import annotations

import time
from dataclasses import asdict

from .behaviour import report as behaviour_report
from .identity import report as identity_report
from .invariants import CHECKS, context_for
from .realism import report as realism_report
from .shop import report as shop_report
from .stores import report as stores_report
from ..sim.calendar import day_text
from ..storage import Database
from ..storage.tables import SIM_TABLES

EXAMPLES = 5


def validate(db: Database, realism: bool = True) -> dict:
    """Everything validate.py reports, as plain data; `ok` is the verdict.

    Every read happens in one consistent read: a run committing days meanwhile (validate.py takes no
    lock) must not make sim_state and the tables disagree, which would report a violation that is
    only a race."""
    started = time.perf_counter()
    with db.consistent_read():
        out = _validate(db, realism)
    out["seconds"] = round(time.perf_counter() - started, 2)
    return out


def _validate(db: Database, realism: bool) -> dict:
    st = db.require_sim_state()
    missing = db.missing_sakila() + [t.name for t in SIM_TABLES if t.name not in db.table_names()]
    out: dict = {"database": db.url.display(), "last_day": day_text(st["last_day"]),
                 "schema": {"status": "fail" if missing else "pass", "missing": missing},
                 "invariants": [], "realism": []}
    if not missing:
        ctx = context_for(db, st)
        for check in CHECKS:
            t = time.perf_counter()
            found = check.run(db, ctx)
            out["invariants"].append({"name": check.name, "description": check.description,
                                      "status": "fail" if found else "pass", "violations": len(found),
                                      "examples": found[:EXAMPLES], "seconds": round(time.perf_counter() - t, 3)})
        if realism:
            out["realism"] = [asdict(r) for r in realism_report(db, st) + identity_report(db, st)
                              + behaviour_report(db, st) + shop_report(db, st) + stores_report(db, st)]
    failed = [c["name"] for c in out["invariants"] + out["realism"] if c["status"] == "fail"]
    out["failed"] = (["schema"] if missing else []) + failed
    out["ok"] = not out["failed"]
    return out
