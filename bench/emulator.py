"""Emulator cost per call: CPU time the emulator (tools/moto_server.py) and the calling client spend on one DynamoDB
call, the figure behind every local-runtime latency (bench/local.py). Prints a table; not a test.

    .venv/bin/python bench/emulator.py [--calls 300]

CPU time is read from /proc for the emulator and from the process clock for the client, so the figures hold on a busy
machine where wall time does not. The emulator is started on a free 127.0.0.1 port and stopped by its pid.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parents[1]
TABLE = "bench"
KEY = {"PK": {"S": "ROOM#1"}, "SK": {"S": "META"}}
QUERY = {"KeyConditionExpression": "PK = :pk", "ExpressionAttributeValues": {":pk": KEY["PK"]}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_ready(client: Any, deadline: float) -> None:
    while True:
        try:
            client.list_tables()
            return
        except Exception:  # noqa: BLE001 - not listening yet
            if time.monotonic() > deadline:
                raise SystemExit("bench: the emulator did not start within 30 s") from None
            time.sleep(0.2)


def measure(name: str, call: Callable[[], Any], pid: int, calls: int) -> tuple[str, float, float, float]:
    for _ in range(10):
        call()
    emulator, client, wall = cpu_seconds(pid), time.process_time(), time.perf_counter()
    for _ in range(calls):
        call()
    per_call = 1000 / calls
    return (
        name,
        (cpu_seconds(pid) - emulator) * per_call,
        (time.process_time() - client) * per_call,
        (time.perf_counter() - wall) * per_call,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300, help="calls per operation (default 300)")
    calls = parser.parse_args().calls
    if not 1 <= calls <= 100_000:
        raise SystemExit("bench: --calls must be between 1 and 100000")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tools.moto_server", "-H", "127.0.0.1", "-p", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        db = boto3.client(
            "dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
            aws_access_key_id="test", aws_secret_access_key="test",
        )  # fmt: skip
        wait_ready(db, time.monotonic() + 30)
        db.create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("PK", "SK")],
        )  # fmt: skip
        item = {**KEY, "name": {"S": "x" * 200}}
        rows = [
            measure("PutItem", lambda: db.put_item(TableName=TABLE, Item=item), server.pid, calls),
            measure("GetItem", lambda: db.get_item(TableName=TABLE, Key=KEY), server.pid, calls),
            measure("Query", lambda: db.query(TableName=TABLE, **QUERY), server.pid, calls),
        ]
    finally:
        server.kill()
        server.wait()
    print(f"{'call':<10}{'emulator CPU':>14}{'client CPU':>12}{'wall':>10}   ({calls} calls each, per call)")
    for name, emulator, client, wall in rows:
        print(f"{name:<10}{emulator:>11.2f} ms{client:>9.2f} ms{wall:>7.2f} ms")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
