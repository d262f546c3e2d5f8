"""Fan-out benchmark: post one frame to N connections through the real adapter.

A stub management API on 127.0.0.1 sleeps 20 ms per post (about what a post to
API Gateway costs), so the figures show what the bounded pool buys over posting
one after another. Prints a table; not a test.

    .venv/bin/python bench/fanout.py [--concurrency 32] [--delay-ms 20] [--sizes 10,100,1000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lambda_src"))

from parley.adapters import websocket


class StubManagementApi(ThreadingHTTPServer):
    """Answers POST /@connections/{id} with 200 after ``delay`` seconds."""

    daemon_threads = True
    request_queue_size = 512

    def __init__(self, delay: float) -> None:
        self.delay = delay
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as boto3's pool expects
    server: StubManagementApi

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        time.sleep(self.server.delay)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def _serve(delay: float, ports: Any) -> None:
    server = StubManagementApi(delay)
    ports.put(server.server_address[1])
    server.serve_forever()


def measure(endpoint: str, size: int, concurrency: int) -> tuple[float, int]:
    targets = [f"conn-{i:05d}" for i in range(size)]
    frame = {"type": "message", "room": "bench", "text": "hello", "id": "m1", "ts": 0}
    started = time.perf_counter()
    result = websocket.fan_out(endpoint, targets, frame, concurrency)
    return time.perf_counter() - started, result.delivered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=websocket.DEFAULT_CONCURRENCY)
    parser.add_argument("--delay-ms", type=float, default=20.0)
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument(
        "--sequential-up-to", type=int, default=100, help="measure one-at-a-time posting up to this size"
    )
    args = parser.parse_args(argv)
    for name, value in {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ.setdefault(name, value)
    os.environ.pop("AWS_ENDPOINT_URL", None)

    # The stub runs in its own process so it does not compete with the client for the GIL.
    ports: Any = multiprocessing.Queue()
    stub = multiprocessing.Process(target=_serve, args=(args.delay_ms / 1000, ports), daemon=True)
    stub.start()
    endpoint = f"http://127.0.0.1:{ports.get(timeout=30)}"
    try:
        measure(endpoint, min(args.concurrency, 32), args.concurrency)  # warm the clients and their pools
        measure(endpoint, 2, 1)
        print(f"fan-out, {args.delay_ms:.0f} ms per post, pool of {args.concurrency} (stub at {endpoint})")
        print(f"{'connections':>11}  {'pooled s':>9}  {'posts/s':>8}  {'sequential s':>12}  {'speed-up':>8}")
        for size in (int(s) for s in args.sizes.split(",")):
            pooled, delivered = measure(endpoint, size, args.concurrency)
            if delivered != size:
                print(f"{size:>11}  only {delivered} delivered", file=sys.stderr)
                return 1
            if size <= args.sequential_up_to:
                sequential, _ = measure(endpoint, size, 1)
                note = f"{sequential:>12.3f}"
            else:
                sequential = size * args.delay_ms / 1000
                note = f"{'~' + format(sequential, '.1f'):>12}"
            print(f"{size:>11}  {pooled:>9.3f}  {size / pooled:>8.0f}  {note}  {sequential / pooled:>7.1f}x")
    finally:
        stub.terminate()
        stub.join()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
