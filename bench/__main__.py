"""Run the benchmarks: `python -m bench` (or `make bench`) runs all of them, in this order.

    python -m bench                   every benchmark with its defaults
    python -m bench server_load       only the named ones

Each benchmark prints its table and writes its JSON under var/bench/; the
exit status is 1 when any of them missed its target or failed.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

# Quick first: the page weight takes seconds, the statistics their seeding (20-60 s) and some
# seconds more, the desktop and the server under load minutes each.
# Imported one at a time when run, so that e.g. the server's benchmark never loads Qt; a benchmark
# whose module is not (yet) in this checkout is left out rather than failing the others.
BENCHMARKS = tuple(
    name
    for name in ("citizen_pages", "stats_report", "desktop_queue", "server_load")
    if (Path(__file__).resolve().parent / f"{name}.py").is_file()
)


def main(argv: list[str] | None = None) -> int:
    names = list(sys.argv[1:] if argv is None else argv) or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        print(f"\n==> bench.{name}", flush=True)
        module = importlib.import_module(f"bench.{name}")
        # An empty list, not None: each benchmark's own parser must not read our arguments.
        if module.main([]) != 0:
            failed.append(name)
    if failed:
        print(f"\nmissed a target or failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
