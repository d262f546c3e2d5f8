"""Local runtime benchmark against the stack `make up` serves: latency of GET /me, a WebSocket message from one
client to another, and requests per second of GET /health with concurrent clients. Prints a table; not a test.

    make up
    .venv/bin/python bench/local.py [--requests 200] [--messages 100] [--clients 20] [--seconds 5] [--warmup 3]

The URLs come from build/local.env (written by `make up` / `make outputs ENV=local`), else from
PARLEY_GATEWAY_PORT (default 4580). Two users sign in by e-mail code read from the local mailbox.
Every loop is bounded in count and time and talks only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r"\b(\d{6})\b")


def urls() -> tuple[str, str]:
    """(HTTP API URL, WebSocket URL) of the local stack."""
    env_file = ROOT / "build" / "local.env"
    values = dict(
        line.split("=", 1) for line in (env_file.read_text().splitlines() if env_file.is_file() else []) if "=" in line
    )
    http = values.get("PARLEY_HTTP_API_URL", "")
    ws = values.get("PARLEY_WEBSOCKET_URL", "")
    if not http.startswith("http://127.0.0.1") or not ws:
        port = os.environ.get("PARLEY_GATEWAY_PORT", "4580")
        http, ws = f"http://127.0.0.1:{port}/", f"ws://127.0.0.1:{port}/live"
    return http.rstrip("/"), ws


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def sign_in(http: httpx.AsyncClient, email: str) -> dict[str, Any]:
    login = await http.post("/auth/login", json={"email": email})
    login.raise_for_status()
    mail = (await http.get("/_local/mail", params={"to": email})).json()[0]
    code = CODE.search(mail["text"])
    if not code:
        raise SystemExit(f"bench: no code in the mail to {email}")
    verified = await http.post(
        "/auth/verify", json={"email": email, "session": login.json()["session"], "code": code.group(1)}
    )
    verified.raise_for_status()
    tokens: dict[str, Any] = verified.json()
    me = await http.get("/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    tokens["user_id"] = me.json()["id"]
    return tokens


async def me_latency(http: httpx.AsyncClient, token: str, count: int) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(5):  # warm the worker
        await http.get("/me", headers=headers)
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        response = await http.get("/me", headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return samples


async def websocket_latency(
    http: httpx.AsyncClient, ws_url: str, a: dict[str, Any], b: dict[str, Any], count: int
) -> list[float]:
    """Client A sends to a room, client B receives: milliseconds from send to B's frame."""
    room = (
        await http.post("/rooms", json={"name": "bench"}, headers={"Authorization": f"Bearer {a['access_token']}"})
    ).json()["id"]
    await http.post(f"/rooms/{room}/members", json={"user_id": b["user_id"]},
                    headers={"Authorization": f"Bearer {a['access_token']}"})  # fmt: skip
    async with (
        connect(f"{ws_url}?token={a['access_token']}") as sender,
        connect(f"{ws_url}?token={b['access_token']}") as receiver,
    ):
        for socket in (sender, receiver):
            await socket.send(json.dumps({"action": "join", "room": room}))
            await _until(socket, "joined")
        samples = []
        for index in range(count + 5):
            started = time.perf_counter()
            await sender.send(json.dumps({"action": "send", "room": room, "text": f"m{index}"}))
            await _until(receiver, "message")
            if index >= 5:  # the first ones warm the workers
                samples.append((time.perf_counter() - started) * 1000)
            await _until(sender, "sent")
        return samples


async def _until(socket: Any, kind: str, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        frame: dict[str, Any] = json.loads(
            await asyncio.wait_for(socket.recv(), max(0.01, deadline - time.monotonic()))
        )
        if frame.get("type") == kind:
            return frame


async def health_throughput(base: str, clients: int, seconds: float, warmup: float) -> tuple[float, int]:
    """Requests per second of GET /health with ``clients`` concurrent clients for ``seconds``,
    after ``warmup`` seconds of the same load (which starts the function's worker pool)."""

    async def run(duration: float) -> tuple[float, int]:
        done = 0
        stop = time.monotonic() + duration

        async def client() -> None:
            nonlocal done
            async with httpx.AsyncClient(base_url=base, timeout=60) as http:
                while time.monotonic() < stop:
                    (await http.get("/health")).raise_for_status()
                    done += 1

        started = time.monotonic()
        await asyncio.gather(*(client() for _ in range(clients)))
        return done / (time.monotonic() - started), done

    await run(warmup)
    return await run(seconds)


async def main(args: argparse.Namespace) -> None:
    base, ws_url = urls()
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        try:
            (await http.get("/_local/health")).raise_for_status()
        except httpx.HTTPError:
            raise SystemExit(f"bench: no local runtime at {base}: run 'make up' first") from None
        a = await sign_in(http, "bench-a@example.com")
        b = await sign_in(http, "bench-b@example.com")
        me = await me_latency(http, a["access_token"], args.requests)
        ws = await websocket_latency(http, ws_url, a, b, args.messages)
    rps, total = await health_throughput(base, args.clients, args.seconds, args.warmup)
    print(f"local runtime at {base} (WebSocket {ws_url})")
    print(f"{'measure':<44} {'p50':>9} {'p99':>9} {'n':>6}")
    for label, samples in (("GET /me (JWT authorizer + api function)", me), ("WebSocket send -> other client", ws)):
        p50, p99 = statistics.median(samples), percentile(samples, 0.99)
        print(f"{label:<44} {p50:>7.1f}ms {p99:>7.1f}ms {len(samples):>6}")
    print(f"{f'GET /health, {args.clients} concurrent clients':<44} {rps:>8.0f}/s {'':>9} {total:>6}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="GET /me samples")
    parser.add_argument("--messages", type=int, default=100, help="WebSocket messages")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients for GET /health")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of the GET /health run")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of the same load before the GET /health run")
    try:
        asyncio.run(main(parser.parse_args()))
    except KeyboardInterrupt:
        sys.exit(130)
