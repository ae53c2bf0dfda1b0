"""Printing results (per scenario and a closing summary) and writing the JSON file."""

from __future__ import annotations

import json
import math
import os
import platform
from collections.abc import Mapping, Sequence
from pathlib import Path

from bench.common import ScenarioResult

BUSY_LOAD = 0.5  # 1-minute load average above which other work is likely skewing the figures


def machine() -> str:
    """nproc, CPU model, RAM and Python: the context every figure needs."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")),
        platform.processor() or "unknown CPU",
    )
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else "MemTotal: 0 kB"
    ram_gb = int(meminfo.split("MemTotal:", 1)[1].split()[0]) / 1024 / 1024
    return (
        f"{os.cpu_count()} CPUs ({model}), {ram_gb:.0f} GB RAM, "
        f"Python {platform.python_version()} on {platform.system()} {platform.release()}"
    )


def load_line(when: str) -> str:
    """The 1/5/15-minute load averages, with a warning when the machine is not idle."""
    one, five, fifteen = os.getloadavg()
    warning = "  ← busy: other processes are competing for the CPUs" if one > BUSY_LOAD else ""
    return f"load average {when}: {one:.2f} {five:.2f} {fifteen:.2f}{warning}"


def scenario_block(result: ScenarioResult) -> str:
    """One scenario's figures, targets and method notes, printed as soon as it finishes."""
    width = max([len(label) for label, _ in result.rows] + [len(c.what) for c in result.checks] + [20])
    lines = [f"== {result.title} =="]
    lines += [f"  {label:<{width}}  {value}" for label, value in result.rows]
    lines += [
        f"  {'target: ' + check.what:<{width}}  {'MET' if check.ok else 'MISSED'}" for check in result.checks
    ]
    lines += [f"  note: {note}" for note in result.notes]
    return "\n".join(lines)


def summary_table(results: Sequence[ScenarioResult], failed: Mapping[str, str]) -> str:
    """Every JSON figure in one table, then the targets: what CI logs and BENCHMARKS.md show."""
    rows = [(f"{r.name}.{key}", _number(value)) for r in results for key, value in r.metrics.items()]
    width = max([len(key) for key, _ in rows] + [10])
    lines = ["", "== Summary ==", f"  {'metric':<{width}}  value", f"  {'-' * width}  {'-' * 12}"]
    lines += [f"  {key:<{width}}  {value:>12}" for key, value in rows]
    checks = [(r.name, c) for r in results for c in r.checks]
    if checks:
        lines.append("")
        lines += [f"  [{'MET' if c.ok else 'MISSED':>6}] {name}: {c.what}" for name, c in checks]
    lines += [f"  [FAILED] {name}: {why}" for name, why in failed.items()]
    return "\n".join(lines)


def write_json(results: Sequence[ScenarioResult], path: Path) -> None:
    """`{"scenario": {"figure": number}}`, nothing else, so dashboards can rely on the keys.  A
    scenario run on several engines is one entry (its PostgreSQL keys carry the suffix)."""
    payload: dict[str, dict[str, float | int | None]] = {}
    for r in results:
        payload.setdefault(r.name, {}).update((key, _json_number(value)) for key, value in r.metrics.items())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n")


def _number(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3f}"


def _json_number(value: float) -> float | int | None:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return int(value) if isinstance(value, int) else value
