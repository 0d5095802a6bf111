"""The desktop queue benchmark's figures: judged against the targets, and as Markdown for the terminal and the docs.

The Markdown goes into docs/performance.md between two markers in its own
section (`write_docs`), so that a rerun replaces the figures it wrote before.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
from datetime import datetime
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[1] / "docs" / "performance.md"
SECTION = "## Desktop queue at 50,000 cases"
BEGIN, END = "<!-- bench.desktop_queue: figures -->", "<!-- /bench.desktop_queue -->"
TARGET_FIRST_ROWS_S, TARGET_FILTER_MS, TARGET_MEMORY_MB = 1.0, 200.0, 300.0


def judge(result: dict[str, Any]) -> dict[str, bool]:
    """Each target, met or not (filters: every tab's and search's median)."""
    slowest = max(f["median"] for f in result["filters_ms"].values())
    return {
        "first_rows": result["first_rows_s"] is not None and result["first_rows_s"] < TARGET_FIRST_ROWS_S,
        "filter": slowest < TARGET_FILTER_MS,
        "memory": result["memory_mb"]["peak"] < TARGET_MEMORY_MB,
    }


def report_lines(result: dict[str, Any], met: dict[str, bool], args: argparse.Namespace) -> list[str]:
    """The figures as Markdown: for the terminal and for docs/performance.md alike."""
    ok = {True: "met", False: "**missed**"}
    miles, filters, memory = result["milestones_s"], result["filters_ms"], result["memory_mb"]
    slowest = max(filters, key=lambda name: filters[name]["median"])
    cpu = next((line.split(":", 1)[1].strip() for line in _cpuinfo() if line.startswith("model name")), "?")
    pressure = result["cpu_pressure"]
    busy = f"{pressure:.0%} of the last minute with a runnable task waiting for a CPU" if pressure is not None else "?"
    return [
        (
            f"Measured {datetime.now():%Y-%m-%d} on {os.cpu_count()} cores ({cpu}), {platform.system()}, "
            f"Python {platform.python_version()}, PySide6 {result['qt']}, `QT_QPA_PLATFORM=offscreen`; "
            f"{result['rows_loaded']:,} cases in the {args.scope}'s scope, {args.rounds} rounds; "
            f"CPU pressure at the end (PSI): {busy}."
        ),
        "",
        "| figure | measured | target | |",
        "| --- | ---: | ---: | --- |",
        f"| login → first rows painted | {result['first_rows_s'] * 1000:,.0f} ms | < 1,000 ms | {ok[met['first_rows']]} |",
        (
            f"| slowest tab or search, median ({slowest}) | {filters[slowest]['median']:,.0f} ms "
            f"(GUI thread CPU {filters[slowest]['cpu_median']:,.0f} ms) | < 200 ms | {ok[met['filter']]} |"
        ),
        f"| peak memory (ru_maxrss) | {memory['peak']} MB | < 300 MB | {ok[met['memory']]} |",
        "",
        (
            f"On the way to the first rows: the login answered after {miles['logged_in'] * 1000:,.0f} ms (argon2 on "
            f"the server), the first page in the model after {miles['first_page_merged'] * 1000:,.0f} ms, rows painted "
            f"{(result['first_rows_s'] - miles['logged_in']) * 1000:,.0f} ms after the login answered. Whole queue "
            f"loaded after {miles['loaded']:,.1f} s. Memory: {memory['before_login']} MB with the empty window, "
            f"{memory['loaded']} MB once loaded, {memory['peak']} MB at the end."
        ),
        "",
        "| tab / search | rows shown | median | max | GUI thread CPU (median) |",
        "| --- | ---: | ---: | ---: | ---: |",
        *(
            f"| {name} | {f['rows']:,} | {f['median']:,.1f} ms | {f['max']:,.1f} ms | {f['cpu_median']:,.1f} ms |"
            for name, f in filters.items()
        ),
    ]


def _cpuinfo() -> list[str]:
    try:
        return Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return []


def write_docs(lines: list[str]) -> None:
    """Replace the figures between the markers in our section; add the section at the end when it is missing."""
    block = "\n".join([BEGIN, *lines, END])
    text = DOCS.read_text() if DOCS.exists() else "# Performance\n\nMeasured figures and how to reproduce them.\n"
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: block, text, count=1, flags=re.DOTALL)
    else:
        rerun = "Rerun: `.venv/bin/python -m bench.desktop_queue [--cases 50000]` (see its docstring for the method)."
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{rerun}\n\n{block}\n"
    DOCS.write_text(text)
