"""Load-testing machinery for `bench.server_load`: the server process, the httpx client loops, the figures.

The httpx loops drive the paced and the submission scenarios; the
closed-loop GET scenarios are driven by wrk (`bench.wrk`), whose figures
fill the same `Measurement`. Only 127.0.0.1 is ever used, every loop is
bounded in count and in time, and the server subprocess is always stopped
(by its own pid) on the way out.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import httpx

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # the benchmark never listens on, nor connects to, any other address
MAX_REQUESTS_PER_PHASE = 500_000  # with the duration, bounds every load loop
HTTPX = f"httpx {httpx.__version__}"  # the generator's name in the figures
RequestFn = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


@dataclass
class Measurement:
    """One scenario's figures."""

    name: str
    what: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    rate: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    server_cpu: float  # share of one core the server process used
    server_cpu_ms: float  # server CPU time per request: unlike wall time, barely moved by other load on the machine
    client_cpu: float  # share of one core the load generator used: this process (httpx) or the wrk process
    first_error: str | None = None
    generator: str = HTTPX  # what sent the requests: "httpx 0.28.1", "wrk 4.1.0"
    extra: dict[str, Any] = field(default_factory=dict)


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list (0 when empty)."""
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, max(0, round(share * len(sorted_values)) - 1))]


def cpu_pressure() -> float | None:
    """Share of the last 10 s in which some runnable task waited for a CPU (Linux PSI), or None."""
    try:
        fields = Path("/proc/pressure/cpu").read_text().split()
    except OSError:
        return None
    return float(fields[1].split("=")[1]) / 100  # "some avg10=12.34 ..."


def wait_for_quiet(limit: float, *, threshold: float = 0.2) -> float:
    """Wait, at most `limit` seconds, until other processes leave the CPUs mostly free; the seconds waited.

    On a shared machine the figures mean little while a test suite runs beside
    the benchmark: the wait (and the pressure recorded in the JSON) says so.
    """
    started = time.monotonic()
    while time.monotonic() - started < limit:
        pressure = cpu_pressure()
        if pressure is None or pressure < threshold:
            break
        time.sleep(5)
    return time.monotonic() - started


class ServerProcess:
    """`python -m server.cli serve` (what `no1window-server serve` runs) in a subprocess on a free local port."""

    def __init__(self, data_dir: Path, *, extra_env: dict[str, str] | None = None, workers: int = 1) -> None:
        self.data_dir = data_dir
        self.workers = workers
        self.extra_env = extra_env or {}
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            self.port = int(probe.getsockname()[1])
        self.base_url = f"http://{HOST}:{self.port}"
        self.log_path = data_dir / "server.log"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
            "NO1WINDOW_DATA_DIR": str(self.data_dir),
            "NO1WINDOW_DATABASE_URL": "",
            "NO1WINDOW_ENVIRONMENT": "development",
            "NO1WINDOW_PUBLIC_BASE_URL": self.base_url,
            **self.extra_env,
        }
        command = [
            sys.executable,
            "-m",
            "server.cli",
            "serve",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        # cwd is the temporary directory, so no developer's .env changes the server under test.
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(command, cwd=self.data_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the server exited at start:\n{self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.base_url}/api/v1/ping", timeout=2).status_code == 200 and self._all_listening():
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("the server did not answer within 60 s")

    def _all_listening(self) -> bool:
        # With several workers each joins the port when ready; one that started late would take no connections.
        if self.workers == 1:
            return True
        return len(re.findall(r"worker \d+ listening", self.log_path.read_text(errors="replace"))) >= self.workers

    def __exit__(self, *_exc: object) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()  # uvicorn shuts down gracefully on SIGTERM
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)

    def cpu_seconds(self) -> float:
        """User + system CPU time the server has used so far (Linux /proc), its worker processes included."""
        assert self._process is not None
        return sum(_process_cpu_seconds(pid) for pid in _process_tree(self._process.pid))


def _process_tree(pid: int) -> list[int]:
    """`pid` and its descendants: with --workers N, uvicorn serves from child processes."""
    found = [pid]
    for candidate in found:
        try:
            children = Path(f"/proc/{candidate}/task/{candidate}/children").read_text().split()
        except OSError:
            continue
        found.extend(int(child) for child in children)
    return found


def _process_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0  # a worker that has just exited
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Run:
    """Collects one scenario's latencies and errors, and the CPU both processes used meanwhile."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self._server_cpu, self._client_cpu, self._started = (
            server.cpu_seconds(),
            time.process_time(),
            time.perf_counter(),
        )

    def add(self, started: float, problem: str | None) -> None:
        """One request (or application) that began at perf_counter() `started`; `problem` when it failed."""
        self.latencies.append((time.perf_counter() - started) * 1000)
        if problem is not None:
            self.errors.append(problem)

    def finish(self, name: str, what: str, concurrency: int, *, extra: dict[str, Any] | None = None) -> Measurement:
        seconds = time.perf_counter() - self._started
        server_used = self.server.cpu_seconds() - self._server_cpu
        count, latencies = len(self.latencies), sorted(self.latencies)
        return Measurement(
            name=name, what=what, concurrency=concurrency, requests=count, errors=len(self.errors),
            seconds=round(seconds, 3), rate=round(count / seconds, 2),
            p50_ms=round(percentile(latencies, 0.50), 2), p95_ms=round(percentile(latencies, 0.95), 2),
            p99_ms=round(percentile(latencies, 0.99), 2),
            server_cpu=round(server_used / seconds, 2), server_cpu_ms=round(server_used * 1000 / max(1, count), 2),
            client_cpu=round((time.process_time() - self._client_cpu) / seconds, 2),
            first_error=self.errors[0] if self.errors else None, extra=extra or {},
        )  # fmt: skip


async def drive(
    client: httpx.AsyncClient,
    request: RequestFn,
    *,
    concurrency: int,
    duration: float,
    server: ServerProcess,
    name: str = "",
    what: str = "",
    interval: float = 0.0,
) -> Measurement:
    """`concurrency` clients sending `request` for `duration` seconds; any answer but 200 is an error.

    With `interval` 0 each client sends the next request as soon as the last
    is answered (a closed loop: the server is saturated, and by Little's law
    latency = concurrency / throughput). With an interval each client sends
    one request every `interval` seconds, like a desktop refreshing its queue:
    the latency then shows what a clerk waits at that load.
    """
    run = Run(server)
    counter = iter(range(MAX_REQUESTS_PER_PHASE))
    begin = time.perf_counter()
    stop_at = begin + duration

    async def client_loop(number: int) -> None:
        # Paced clients start spread over one interval, so their requests do not arrive in bursts.
        next_at = begin + interval * number / concurrency
        for index in counter:  # shared by the clients: the cap counts them all together
            if interval:
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                next_at += interval
            if time.perf_counter() >= stop_at:
                return
            started = time.perf_counter()
            try:
                response = await request(client, index)
                problem = None if response.status_code == 200 else f"HTTP {response.status_code}: {response.text[:200]}"
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            run.add(started, problem)

    await asyncio.gather(*(client_loop(number) for number in range(concurrency)))
    return run.finish(name, what, concurrency, extra={"interval_s": interval} if interval else None)


async def measure(
    client: httpx.AsyncClient,
    server: ServerProcess,
    name: str,
    what: str,
    request: RequestFn,
    *,
    concurrency: int,
    duration: float,
    warmup: float,
    interval: float = 0.0,
) -> Measurement:
    """A warm-up (discarded: connections, caches, the server's first compilations), then the measured run."""
    await drive(client, request, concurrency=concurrency, duration=warmup, server=server)
    result = await drive(
        client,
        request,
        concurrency=concurrency,
        duration=duration,
        server=server,
        name=name,
        what=what,
        interval=interval,
    )
    print(f"  {name}: {result.rate:,.0f} req/s, p95 {result.p95_ms:.1f} ms ({result.generator})", flush=True)
    return result


def get(path: str, headers: dict[str, str] | None = None, *, terms: tuple[str, ...] = ("",)) -> RequestFn:
    """A request function that GETs `path`, a format string over the request index `i` and a rotating `term`."""

    async def send(client: httpx.AsyncClient, index: int) -> httpx.Response:
        return await client.get(path.format(i=index, term=terms[index % len(terms)]), headers=headers)

    return send
