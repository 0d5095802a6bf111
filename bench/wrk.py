"""wrk, a load generator written in C, drives `bench.server_load`'s closed-loop GET scenarios.

Why not httpx: an httpx AsyncClient spends ~1.5 ms of CPU on each request, so
on a 2-core machine it saturates at ~650 requests/s while the server could
answer the constant endpoint ~6,000 times a second; its latencies then
measure the client's own queue. wrk spends microseconds per request.

One run: `wrk -t1 -c<connections> -d<seconds>s --timeout 10s -s bench/wrk.lua
<url>`. One thread, because the machine has 2 cores and the server needs
them: one wrk thread keeps 16 connections busy and leaves the rest of the
CPUs to the server (more threads would only compete with it). wrk takes
whole seconds, so a fractional duration is rounded up; the figures use the
duration wrk reports. The token reaches the Lua script through the
environment (BENCH_AUTH), never the command line, which `ps` shows.

wrk's CPU time is the growth of this process's RUSAGE_CHILDREN around the
run: wrk is the only child that exits meanwhile (the server lives on).
"""

from __future__ import annotations

import json
import math
import os
import re
import resource
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.load import Measurement, ServerProcess

SCRIPT = Path(__file__).with_name("wrk.lua")
THREADS = 1  # see the module's docstring
TIMEOUT_S = 10  # generous: a request this slow is an error, not a latency
MISSING = "wrk is not installed (or not on PATH): install Debian's wrk package, e.g. `apt-get install wrk`"
_ENV_NAMES = ("BENCH_AUTH", "BENCH_PATHS")


def wrk_version() -> str | None:
    """ "wrk 4.1.0" (or "wrk" when the version is unreadable); None when wrk is not on PATH."""
    executable = shutil.which("wrk")
    if executable is None:
        return None
    try:
        # `wrk -v` prints "wrk debian/4.1.0-3+b2 [epoll] ..." and the usage, then exits with status 1.
        output = subprocess.run([executable, "-v"], check=False, capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"(\d+\.\d+\.\d+)", output.splitlines()[0] if output else "")
    return f"wrk {found.group(1)}" if found else "wrk"


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(
    base_url: str, paths: list[str], *, auth: str | None, connections: int, seconds: int
) -> tuple[dict[str, Any], float, float]:
    """One wrk run sending `paths` in turn; its JSON report, the wall seconds and wrk's CPU seconds."""
    env = {name: value for name, value in os.environ.items() if name not in _ENV_NAMES}
    if auth:
        env["BENCH_AUTH"] = auth
    if len(paths) > 1:
        env["BENCH_PATHS"] = "\n".join(paths)
    command = [
        "wrk", f"-t{THREADS}", f"-c{connections}", f"-d{seconds}s", f"--timeout={TIMEOUT_S}s",
        f"--script={SCRIPT}", base_url + paths[0],
    ]  # fmt: skip
    cpu_before, started = _children_cpu_seconds(), time.perf_counter()
    # Bounded: wrk stops itself after `seconds`; the timeout only catches a wrk that hangs (it is then killed).
    finished = subprocess.run(command, check=False, env=env, capture_output=True, timeout=seconds + TIMEOUT_S + 30)
    wall, cpu = time.perf_counter() - started, _children_cpu_seconds() - cpu_before
    stdout = finished.stdout.decode(errors="replace")
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if finished.returncode != 0 or not lines:
        stderr = finished.stderr.decode(errors="replace")
        raise RuntimeError(f"wrk failed (exit status {finished.returncode}):\n{stdout[-2000:]}{stderr[-2000:]}")
    return json.loads(lines[-1]), wall, cpu


def measure_wrk(
    server: ServerProcess,
    name: str,
    what: str,
    paths: list[str],
    *,
    auth: str | None,
    concurrency: int,
    duration: float,
    warmup: float,
    generator: str,
) -> Measurement:
    """A warm-up wrk run (discarded), then the measured one, as the figures of `bench.load.measure`.

    Errors are the socket errors (connect, read, write, timeout) plus every
    answer but a 2xx, as the httpx path counts them.
    """
    if warmup > 0:
        run_wrk(server.base_url, paths, auth=auth, connections=concurrency, seconds=math.ceil(warmup))
    server_before = server.cpu_seconds()
    report, wall, client_used = run_wrk(
        server.base_url, paths, auth=auth, connections=concurrency, seconds=math.ceil(duration)
    )
    server_used = server.cpu_seconds() - server_before
    seconds, count, latency = report["duration_us"] / 1e6, report["requests"], report["latency_us"]
    socket_errors = {kind: n for kind, n in report["errors"].items() if kind != "status"}
    errors = sum(socket_errors.values()) + report["non_2xx"]
    first_error = report["first_error"]
    if first_error is None and errors:
        first_error = "wrk socket errors: " + ", ".join(f"{kind} {n}" for kind, n in socket_errors.items() if n)
    result = Measurement(
        name=name, what=what, concurrency=concurrency, requests=count, errors=errors,
        seconds=round(seconds, 3), rate=round(count / seconds, 2) if seconds else 0.0,
        p50_ms=round(latency["p50"] / 1000, 2), p95_ms=round(latency["p95"] / 1000, 2),
        p99_ms=round(latency["p99"] / 1000, 2),
        # The CPU shares over the run's wall time, which both CPU figures were taken around.
        server_cpu=round(server_used / wall, 2), server_cpu_ms=round(server_used * 1000 / max(1, count), 2),
        client_cpu=round(client_used / wall, 2), first_error=first_error, generator=generator,
        extra={
            "wrk": {
                "threads": THREADS, "timeout_s": TIMEOUT_S, "warmup_s": math.ceil(warmup) if warmup > 0 else 0,
                "wall_s": round(wall, 3), "cpu_ms_per_request": round(client_used * 1000 / max(1, count), 3),
                "max_ms": round(latency["max"] / 1000, 2), "mean_ms": round(latency["mean"] / 1000, 2),
                "bytes": report["bytes"], "errors": report["errors"], "non_2xx": report["non_2xx"],
                "paths_rotated": len(paths),
            }
        },
    )  # fmt: skip
    print(f"  {name}: {result.rate:,.0f} req/s, p95 {result.p95_ms:.1f} ms ({generator})", flush=True)
    return result
