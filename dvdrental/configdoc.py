"""Writes docs/config.md from the config dataclasses: `python -m dvdrental.configdoc [--check]`.

The reference is generated, so every key, default, range and meaning in it is the code's own.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import typing

from .config import Config, opt  # noqa: F401  (opt documents where metadata comes from)
from .paths import PROJECT_ROOT

TARGET = PROJECT_ROOT / "docs" / "config.md"

HEADER = """# Configuration reference

Generated from `dvdrental/config.py` by `python -m dvdrental.configdoc`; do not edit by hand.

`shared/configs/config.json` holds every key with its default. A file given with `--config` may be
partial: it is merged onto the defaults, then command-line flags override it. Unknown keys, wrong
types and out-of-range values are errors that name the key (exit status 2); so are `NaN` and
`Infinity` (which Python's JSON reader accepts) and a NUL byte in a string. Every simulated date, from
the oldest film of the initial catalogue to the last day of a run, lies within 1901-01-01 ..
2155-12-31 (the years MySQL's YEAR type holds), and one run covers at most 5,200 weeks. Scenario presets in
`shared/configs/scenarios/` are partial files of the same shape (`--scenario NAME`).

Some rules tie keys together. Late and lost copies follow one policy: a late return comes back at
most `min(returns.max_late_days, returns.lost_grace_days - 1)` days after its due day, so a copy written
off as lost is never returned, and one late fee never exceeds the film's replacement cost in force at
the return (which also keeps it within `payment.amount`, Sakila's DECIMAL(5,2)).
With `catalog.staff_per_store` 1 no payment correction can happen (it moves a rental to another clerk
of the store), whatever `late_changes.payment_corrections` says.

Levels switch features off rather than on: at level 1-2 the film releases and the inventory schedule
do nothing; below level 4 seasonality is flat and no copy is lost.
"""


def _default(f: dataclasses.Field) -> str:
    value = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
    from .config import _to_json
    return "`" + json.dumps(_to_json(value)) + "`"


def _num(v: float) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _range(meta: dict) -> str:
    parts = []
    if meta.get("min") is not None:
        parts.append(f">= {_num(meta['min'])}")
    if meta.get("max") is not None:
        parts.append(f"<= {_num(meta['max'])}")
    if meta.get("choices"):
        parts.append("one of " + ", ".join(f"`{c}`" for c in meta["choices"] if c))
    if meta.get("length"):
        parts.append(f"{meta['length']} values")
    return "; ".join(parts)


def _rows(cls: type, prefix: str) -> list[str]:
    out = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        inner = typing.get_args(tp)[0] if typing.get_origin(tp) is tuple else tp
        if dataclasses.is_dataclass(tp):
            out += _rows(tp, f"{prefix}{f.name}.")
            continue
        doc = f.metadata.get("doc", "")
        if dataclasses.is_dataclass(inner):
            keys = ", ".join(f"`{g.name}` ({g.metadata.get('doc', '')})" for g in dataclasses.fields(inner))
            doc += f" Each entry has {keys}"
        out.append(f"| `{prefix}{f.name}` | {_default(f)} | {_range(f.metadata)} | {doc} |")
    return out


def render() -> str:
    lines = [HEADER]
    for f in dataclasses.fields(Config):
        lines += [f"## `{f.name}`", "", f.metadata.get("doc", ""), "",
                  "| key | default | allowed | meaning |", "| --- | --- | --- | --- |"]
        lines += _rows(f.type if dataclasses.is_dataclass(f.type) else typing.get_type_hints(Config)[f.name],
                       f"{f.name}.")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if TARGET.exists() and TARGET.read_text() == text else 1)
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text(text)
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
