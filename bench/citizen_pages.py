"""How many bytes a phone downloads to show the citizen login page the first time (empty cache).

Starts the real app under uvicorn on 127.0.0.1 (temporary SQLite database),
then fetches /m/login and every stylesheet and script it references, the way
a browser with an empty cache does: one HTTP/1.1 request each with
`Accept-Encoding: gzip`. Every byte read from the socket counts (status line,
headers and the compressed body), so the figure is what crosses the network,
not just what the page weighs.

    python -m bench.citizen_pages [--out var/bench/citizen_pages.json]

Prints a table and writes the figures as JSON. The budget is 60 KB.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import socket
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import uvicorn

from server.app import build_context, create_app
from server.db import Database
from server.pool import seed_pool
from server.schema import upgrade_to_head
from server.settings import Settings

BUDGET_BYTES = 60 * 1024
PAGE = "/m/login"
# Only what the browser must fetch before the page works: stylesheets and scripts.
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="(/[^"]+)"')


@dataclass
class Transfer:
    """One request: what crossed the wire and how big the body is unpacked."""

    path: str
    status: int
    wire_bytes: int
    body_bytes: int
    encoding: str


def fetch(port: int, path: str) -> tuple[Transfer, bytes]:
    """GET `path` over a fresh connection, counting every byte received."""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: gzip, deflate\r\n"
        "User-Agent: no1window-bench\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode("ascii"))
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if headers.get("transfer-encoding") == "chunked":
        body = _unchunk(body)
    encoding = headers.get("content-encoding", "identity")
    plain = gzip.decompress(body) if encoding == "gzip" else body
    status = int(lines[0].split()[1])
    return Transfer(path, status, len(raw), len(plain), encoding), plain


def _unchunk(data: bytes) -> bytes:
    out, rest = b"", data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2 :]
    return out


def serve(data_dir: Path) -> tuple[uvicorn.Server, threading.Thread, int]:
    """The app under uvicorn on a free local port, in a background thread."""
    database = Database(f"sqlite:///{data_dir / 'bench.db'}")
    upgrade_to_head(database)
    ctx = build_context(Settings(_env_file=None, data_dir=data_dir), database=database)  # type: ignore[call-arg]
    with database.write() as session:
        seed_pool(session, ctx.catalog)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    return server, thread, port


def measure(port: int) -> list[Transfer]:
    """The page and its stylesheets and scripts, as a browser's first visit loads them."""
    page, html = fetch(port, PAGE)
    transfers = [page]
    for asset in ASSET.findall(html.decode("utf-8")):
        transfers.append(fetch(port, asset)[0])
    return transfers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("var/bench/citizen_pages.json"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        server, thread, port = serve(Path(tmp))
        try:
            transfers = measure(port)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    total = sum(t.wire_bytes for t in transfers)
    unpacked = sum(t.body_bytes for t in transfers)
    print(f"{'path':<48} {'status':>6} {'on wire':>9} {'unpacked':>9}  encoding")
    for t in transfers:
        print(f"{t.path:<48} {t.status:>6} {t.wire_bytes:>9,} {t.body_bytes:>9,}  {t.encoding}")
    print(f"{'login page first load':<48} {'':>6} {total:>9,} {unpacked:>9,}  (budget {BUDGET_BYTES:,})")
    result = {
        "page": PAGE,
        "requests": len(transfers),
        "wire_bytes": total,
        "unpacked_bytes": unpacked,
        "budget_bytes": BUDGET_BYTES,
        "within_budget": total < BUDGET_BYTES,
        "transfers": [asdict(t) for t in transfers],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.out}")
    return 0 if all(t.status == 200 for t in transfers) and total < BUDGET_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
