"""Fan-out benchmark: post one frame to N connections through the real adapter.

A stub management API on 127.0.0.1 sleeps 20 ms per post (about what a post to
API Gateway costs), so the figures show what the bounded pool buys over posting
one after another, and the client's own CPU per post (the part that grows with
load on a shared machine). Prints a table and the load average; not a test.

    .venv/bin/python bench/fanout.py [--concurrency 64] [--delay-ms 20] [--sizes 10,100,1000]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import multiprocessing
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lambda_src"))

from parley.adapters import websocket


async def _answer(delay: float, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers each POST /@connections/{id} on a kept-alive connection with 200 after ``delay`` seconds."""
    try:
        while head := await reader.readuntil(b"\r\n\r\n"):
            length = 0
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            await asyncio.sleep(delay)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def _serve(delay: float, ports: Any) -> None:
    """The stub management API: asyncio, so that it answers far faster than the client under test posts."""

    async def run() -> None:
        server = await asyncio.start_server(functools.partial(_answer, delay), "127.0.0.1", 0, backlog=512)
        ports.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(run())


def measure(endpoint: str, size: int, concurrency: int) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of this process, connections delivered) of one fan-out."""
    targets = [f"conn-{i:05d}" for i in range(size)]
    frame = {"type": "message", "room": "bench", "text": "hello", "id": "m1", "ts": 0}
    started, cpu = time.perf_counter(), time.process_time()
    result = websocket.fan_out(endpoint, targets, frame, concurrency)
    return time.perf_counter() - started, time.process_time() - cpu, result.delivered


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
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        header = f"{'connections':>11}  {'pooled s':>9}  {'posts/s':>8}  {'cpu ms/post':>11}  {'sequential s':>12}"
        print(f"{header}  {'speed-up':>8}")
        for size in (int(s) for s in args.sizes.split(",")):
            pooled, cpu, delivered = measure(endpoint, size, args.concurrency)
            if delivered != size:
                print(f"{size:>11}  only {delivered} delivered", file=sys.stderr)
                return 1
            if size <= args.sequential_up_to:
                sequential, _, _ = measure(endpoint, size, 1)
                note = f"{sequential:>12.3f}"
            else:
                sequential = size * args.delay_ms / 1000
                note = f"{'~' + format(sequential, '.1f'):>12}"
            row = f"{size:>11}  {pooled:>9.3f}  {size / pooled:>8.0f}  {cpu * 1000 / size:>11.2f}  {note}"
            print(f"{row}  {sequential / pooled:>7.1f}x")
    finally:
        stub.terminate()
        stub.join()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
