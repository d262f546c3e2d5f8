"""Scale simulation on the local runtime: rooms of 10, 100 and 1,000 live connections and a burst of match joins,
with the management API as the local runtime answers it and with AWS's latency injected. Prints tables; not a test.

    .venv/bin/python bench/scale.py [--users 6] [--messages 3] [--burst 6] [--delay-ms 20] [--rate 10000]
    .venv/bin/python bench/scale.py --emulator http://127.0.0.1:4566 --gateway http://127.0.0.1:4580   # a running stack

Without ``--gateway`` it brings up its own stack (`make up`'s steps, tools/local.py) on free 127.0.0.1 ports with
its own PARLEY_HOME, and stops the runtime and the emulator by their recorded pids at the end; `make build` must
have run. The simulation itself (sign-in to the last message) is bounded by ``--budget`` seconds.

- ``--users`` users sign in by e-mail code, one after another (each runs three sign-in triggers through the
  emulator), and are members of three rooms.
- Match burst first, twice (the first starts the worker): each user holds one WebSocket, all join the default
  pool at once; latency is join -> match.found on the user's socket; then everyone hangs up.
- Then 1,000 more WebSockets, round-robin over the users (a user may hold many connections; fan-out costs one post
  per connection). Presence items are written straight into the table as the ``join`` action writes them, without
  the presence frames 1,000 joins would fan out to each other, and deleted before the sockets close.
- One sender posts ``--messages`` messages to each room, one at a time, first through the injected management API,
  then through the runtime's own; latency is send -> each receiver's frame.
- Injected (simulated): a stub management API on 127.0.0.1 answers each post after ``--delay-ms`` and at most
  ``--rate`` posts/s (429 beyond, as API Gateway throttles; 10,000/s is the account's quota shared by every API and
  the callback API); a second process forwards the frames to the runtime. The ws function posts through it for the
  first pass.
  Its "posting s" is first post to last answer of one message; the model's floor is ceil(N / pool) x delay.
- Not reproduced and not injected: the 500/s connect quota, DynamoDB's per-partition throughput, Lambda
  concurrency, FIFO throughput; docs/scale.md has their arithmetic.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import queue
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import httpx
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "lambda_src")]

from bench.local import percentile, sign_in  # noqa: E402
from bench.suite import free_port  # noqa: E402
from parley.adapters.connections import CONNECTION_TTL_SECONDS, Connections  # noqa: E402
from parley.adapters.table import Table  # noqa: E402
from parley.domain import keys  # noqa: E402
from tools import local  # noqa: E402
from tools.runtime import daemon  # noqa: E402

ROOM_SIZES = (10, 100, 1000)
WS_FUNCTION = "parley-local-ws"
CONNECT_CONCURRENCY = 32


class Budget:
    """The simulation's time limit: every wait is cut to what is left of it, and measurements stop when it is spent
    (what was measured is still printed, the rest says it was skipped)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def left(self, cap: float) -> float:
        return max(0.0, min(cap, self.deadline - time.monotonic()))

    @property
    def spent(self) -> bool:
        return time.monotonic() >= self.deadline

    def used(self) -> float:
        return self.seconds - (self.deadline - time.monotonic())


@dataclass
class Client:
    user: str
    socket: ClientConnection
    # message text -> perf_counter times its frame arrived, shared by every client of a run
    arrivals: dict[str, list[float]]
    matched_at: float | None = None


@dataclass
class Stack:
    emulator: str
    gateway: str
    websocket: str


# --- the stack ------------------------------------------------------------------


def raise_fd_limit(sockets: int) -> None:
    """Enough descriptors for ``sockets`` client sockets and the runtime's side of them, within the hard limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2 * sockets + 512
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


@contextlib.contextmanager
def own_stack() -> Iterator[Stack]:
    """`make up` on free ports with a private PARLEY_HOME; runtime and emulator stopped by pid afterwards."""
    if not (ROOT / "build" / "lambda" / "manifest.json").is_file():
        raise SystemExit("bench: no build/lambda/manifest.json: run 'make build' first")
    with tempfile.TemporaryDirectory(prefix="parley-scale-") as home:
        base, emulator_port, gateway_port = Path(home), free_port(), free_port()
        os.environ[daemon.SITE_PORT_VARIABLE] = str(free_port())
        started = time.monotonic()
        try:
            local.up(base, emulator_port, env_file=False, gateway_port=gateway_port)
            print(f"own stack up in {time.monotonic() - started:.0f} s", flush=True)
            gateway = f"http://127.0.0.1:{gateway_port}"
            yield Stack(f"http://127.0.0.1:{emulator_port}", gateway, f"ws://127.0.0.1:{gateway_port}/live")
        finally:
            local.down(base, emulator_port, env_file=False, gateway_port=gateway_port)


def aws_client(service: str, emulator: str) -> Any:
    return boto3.client(
        service, endpoint_url=emulator, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )


def ws_environment(emulator: str) -> dict[str, str]:
    config = aws_client("lambda", emulator).get_function_configuration(FunctionName=WS_FUNCTION)
    return dict(config["Environment"]["Variables"])


def set_ws_environment(stack: Stack, variables: dict[str, str]) -> None:
    aws_client("lambda", stack.emulator).update_function_configuration(
        FunctionName=WS_FUNCTION, Environment={"Variables": variables}
    )
    httpx.post(f"{stack.gateway}/_local/reload", timeout=60).raise_for_status()


# --- the injected management API ------------------------------------------------------


async def _relay(delay: float, rate: float, outbox: Any, events: Any) -> None:
    """POST {path}: answer 200 after ``delay``, at most ``rate`` posts/s (429 beyond), and hand the frame to the
    forwarding process through ``outbox``. Every connection is live here, so no post would answer 410.

    Puts the port on ``events`` first, then one (message text or None, started, answered, status) per post.
    """
    tokens, last = rate, time.monotonic()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal tokens, last
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                request_line, *headers = head.decode("latin-1").split("\r\n")
                length = next((int(h.split(":", 1)[1]) for h in headers if h.lower().startswith("content-length:")), 0)
                body = await reader.readexactly(length)
                started, now = time.time(), time.monotonic()
                tokens, last = min(rate, tokens + (now - last) * rate), now
                status = 429 if tokens < 1 else 200
                if status == 200:
                    tokens -= 1
                    outbox.put((request_line.split(" ")[1], body))
                    await asyncio.sleep(delay)
                writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n".encode())
                await writer.drain()
                events.put((json.loads(body or b"{}").get("text"), started, time.time(), status))
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, backlog=1024)
    events.put(server.sockets[0].getsockname()[1])
    await server.serve_forever()


async def _forward(target: str, outbox: Any) -> None:
    """Post every frame of ``outbox`` to the runtime's management API, 64 at a time."""
    gate = asyncio.Semaphore(64)
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(base_url=target, timeout=30, limits=httpx.Limits(max_connections=64)) as client:

        async def post(path: str, body: bytes) -> None:
            async with gate:
                with contextlib.suppress(httpx.HTTPError):
                    await client.post(path, content=body)

        pending: set[asyncio.Task[None]] = set()
        while True:
            path, body = await loop.run_in_executor(None, outbox.get)
            task = asyncio.create_task(post(path, body))
            pending.add(task)
            task.add_done_callback(pending.discard)


def _serve_relay(delay: float, rate: float, outbox: Any, events: Any) -> None:
    asyncio.run(_relay(delay, rate, outbox, events))


def _serve_forward(target: str, outbox: Any) -> None:
    asyncio.run(_forward(target, outbox))


@dataclass
class Posts:
    """What the injected management API saw: per message text, its posts' first start and last answer."""

    events: Any
    delay: float
    spans: dict[str, tuple[float, float]]
    throttled: int = 0
    forwarded: int = 0

    def drain(self) -> None:
        while True:
            try:
                text, started, answered, status = self.events.get(timeout=0.5)
            except queue.Empty:
                return
            self.throttled += status == 429
            self.forwarded += status != 429
            if text is not None:
                first, end = self.spans.get(text, (started, answered))
                self.spans[text] = (min(first, started), max(end, answered))


@contextlib.contextmanager
def injected_management_api(stack: Stack, delay: float, rate: float) -> Iterator[Posts]:
    """The ws function posts through the stub for the duration; its own endpoint is restored afterwards."""
    original = ws_environment(stack.emulator)
    events: Any = multiprocessing.Queue()
    outbox: Any = multiprocessing.Queue()
    # Answering and forwarding run in processes of their own, so the forwarding never delays an answer.
    stub = multiprocessing.Process(target=_serve_relay, args=(delay, rate, outbox, events), daemon=True)
    forwarder = multiprocessing.Process(target=_serve_forward, args=(stack.gateway, outbox), daemon=True)
    stub.start()
    forwarder.start()
    try:
        port = events.get(timeout=30)
        path = urlsplit(original["WS_MANAGEMENT_ENDPOINT"]).path
        set_ws_environment(stack, original | {"WS_MANAGEMENT_ENDPOINT": f"http://127.0.0.1:{port}{path}"})
        yield Posts(events, delay, {})
    finally:
        set_ws_environment(stack, original)
        for process in (stub, forwarder):
            process.terminate()
            process.join()


# --- clients ----------------------------------------------------------------------


async def read_frames(client: Client) -> None:
    """Keep each message's arrival time, and the first match.found."""
    with contextlib.suppress(Exception):
        async for raw in client.socket:
            frame = json.loads(raw)
            if frame.get("type") == "message":
                client.arrivals[str(frame.get("text"))].append(time.perf_counter())
            elif frame.get("type") == "match.found" and client.matched_at is None:
                client.matched_at = time.perf_counter()


@contextlib.asynccontextmanager
async def connected(
    ws_url: str, owners: list[dict[str, Any]], arrivals: dict[str, list[float]], budget: Budget
) -> AsyncIterator[list[Client]]:
    """One open, read WebSocket per entry of ``owners`` (a user's tokens), at most CONNECT_CONCURRENCY opening."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(user: dict[str, Any]) -> Client:
        async with gate:
            socket = await connect(f"{ws_url}?token={user['access_token']}", open_timeout=60)
        return Client(user["user_id"], socket, arrivals)

    opened = await asyncio.gather(*(one(user) for user in owners), return_exceptions=True)
    clients = [client for client in opened if isinstance(client, Client)]
    readers = [asyncio.ensure_future(read_frames(client)) for client in clients]
    try:
        failed = next((error for error in opened if isinstance(error, BaseException)), None)
        if failed is not None:
            raise SystemExit(f"bench: a WebSocket did not open: {failed!r}")
        yield clients
    finally:
        await asyncio.gather(*(client.socket.close() for client in clients), return_exceptions=True)
        for reader in readers:
            reader.cancel()


def connection_ids(table: str, users: list[dict[str, Any]]) -> dict[str, list[str]]:
    """user id -> live connection ids (GSI1 ``USER#{id}`` / ``CONN#``), read through the repository."""
    connections = Connections(Table(table))
    return {user["user_id"]: connections.of_user(user["user_id"]) for user in users}


def place(table: str, assignments: list[tuple[str, str, str]], *, leave: bool = False) -> None:
    """Write (or delete) the presence items of (room, connection, user), 25 per batch request.

    The items are the ones ``Rooms.join`` writes (domain/keys.py); the join's membership check and the
    connection's room set are left out: every user here is a member, and presence is deleted before the
    sockets close, so no disconnect has rooms to announce to.
    """
    now = time.time()
    items = [
        {
            "PK": keys.room(room),
            "SK": keys.presence(connection),
            "user_id": user,
            "joined_at": int(now),
            "TTL": keys.ttl_in(CONNECTION_TTL_SECONDS, now),
        }
        for room, connection, user in assignments
    ]
    if leave:
        Table(table).batch_write(deletes=items)
    else:
        Table(table).batch_write(puts=items)


async def add_member(http: httpx.AsyncClient, room: str, user_id: str, owner: dict[str, str]) -> None:
    """POST /rooms/{id}/members; a conflicting transaction (409, not "already a member") is tried again, twice."""
    for _ in range(3):
        added = await http.post(f"/rooms/{room}/members", json={"user_id": user_id}, headers=owner)
        if added.status_code == 201 or "already a member" in added.text:
            return
    added.raise_for_status()


# --- measurements ------------------------------------------------------------------


@dataclass
class RoomRun:
    size: int
    latencies: list[float]
    completions: list[float]
    deliveries: int
    expected: int
    texts: list[str]


async def room_messages(sender: Client, room: str, size: int, count: int, *, tag: str, budget: Budget) -> RoomRun:
    """``count`` messages from ``sender``, one at a time: arrival times at the ``size`` other live connections."""
    latencies: list[float] = []
    completions: list[float] = []
    deliveries = 0
    texts = [f"{tag}-{size}-{index}" for index in range(count)]
    for text in texts:
        if budget.spent:
            break
        started = time.perf_counter()
        await sender.socket.send(json.dumps({"action": "send", "room": room, "text": text}))
        limit = time.monotonic() + budget.left(60)
        while len(sender.arrivals[text]) < size and time.monotonic() < limit:
            await asyncio.sleep(0.002)
        arrivals = [arrival - started for arrival in sender.arrivals[text]]
        deliveries += len(arrivals)
        latencies += [a * 1000 for a in arrivals]
        if arrivals:
            completions.append(max(arrivals))
    return RoomRun(size, latencies, completions, deliveries, size * count, texts)


async def match_burst(
    http: httpx.AsyncClient, users: list[dict[str, Any]], clients: list[Client], budget: Budget
) -> tuple[list[int], list[float], float]:
    """Every user joins the default pool at once; seconds from each join to the user's first match.found."""
    watched = {user["user_id"]: next(c for c in clients if c.user == user["user_id"]) for user in users}
    for client in watched.values():
        client.matched_at = None
    started: dict[str, float] = {}

    async def join(user: dict[str, Any]) -> int:
        started[user["user_id"]] = time.perf_counter()
        response = await http.post("/match/join", json={}, headers={"Authorization": f"Bearer {user['access_token']}"})
        return response.status_code

    statuses = await asyncio.gather(*(join(user) for user in users))
    first = min(started.values())
    limit = time.monotonic() + budget.left(60)
    while any(c.matched_at is None for c in watched.values()) and time.monotonic() < limit:
        await asyncio.sleep(0.01)
    waits = [(c.matched_at - started[u]) * 1000 for u, c in watched.items() if c.matched_at is not None]
    last = max((c.matched_at for c in watched.values() if c.matched_at is not None), default=first)
    # Everyone hangs up (DELETE /match/ticket), so the users may join again.
    for user in users:
        await http.delete("/match/ticket", headers={"Authorization": f"Bearer {user['access_token']}"})
    return statuses, waits, last - first


# --- report ------------------------------------------------------------------------


def room_table(title: str, runs: list[RoomRun], pool: int, posts: Posts | None = None) -> None:
    """One row per room size; with ``posts`` (injected run) the fan-out as the management API saw it, against
    the model's floor ceil(N / pool) x delay."""
    print(f"\n{title}\n")
    model = " posting s | model floor s | pool utilisation |" if posts else ""
    print(f"| live connections | messages | delivered | p50 ms | p99 ms | send -> last s | deliveries/s |{model}")
    print("|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|---:|" if posts else ""))
    for run in runs:
        if not run.latencies:
            print(f"| {run.size:,} | {len(run.completions)} | 0/{run.expected} | skipped: time budget spent |")
            continue
        mean = statistics.fmean(run.completions)
        row = (
            f"| {run.size:,} | {len(run.completions)} | {run.deliveries}/{run.expected} |"
            f" {statistics.median(run.latencies):.0f} | {percentile(run.latencies, 0.99):.0f} |"
            f" {mean:.2f} | {run.size / mean:,.0f} |"
        )
        if posts:
            spans = [posts.spans[text] for text in run.texts if text in posts.spans]
            posting = statistics.fmean(end - first for first, end in spans) if spans else float("nan")
            floor = math.ceil(run.size / pool) * posts.delay
            row += f" {posting:.2f} | {floor:.2f} | {floor / posting:.0%} |"
        print(row)


async def simulate(stack: Stack, args: argparse.Namespace) -> None:
    budget = Budget(args.budget)
    # The repositories (presence, connections) talk to the stack's emulator.
    os.environ.update(AWS_ENDPOINT_URL=stack.emulator, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    environment = ws_environment(stack.emulator)
    table, pool = environment["TABLE_NAME"], int(environment.get("WS_FANOUT_CONCURRENCY", "64"))
    sizes = [size for size in ROOM_SIZES if size <= args.connections]
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=60) as http:
        (await http.get("/_local/health")).raise_for_status()
        clock = time.perf_counter()
        run = int(time.time())  # fresh addresses on a reused stack
        gate = asyncio.Semaphore(1)  # one at a time: a sign-in runs three triggers through the emulator

        async def signed_in(index: int) -> dict[str, Any]:
            async with gate:
                return await sign_in(http, f"scale-{run}-{index:03d}@example.com")

        users = list(await asyncio.gather(*(signed_in(i) for i in range(args.users))))
        owner = {"Authorization": f"Bearer {users[0]['access_token']}"}
        rooms: dict[int, str] = {}
        for size in sizes:
            created = await http.post("/rooms", json={"name": f"scale {size}"}, headers=owner)
            created.raise_for_status()
            rooms[size] = created.json()["id"]
            for user in users[1:]:
                await add_member(http, rooms[size], user["user_id"], owner)
        print(f"{args.users} users signed in, {len(rooms)} rooms in {time.perf_counter() - clock:.1f} s", flush=True)

        arrivals: dict[str, list[float]] = defaultdict(list)
        async with contextlib.AsyncExitStack() as sockets:
            # One socket per user first: the match burst's, and the sender's (the first user's).
            homes = await sockets.enter_async_context(connected(stack.websocket, users, arrivals, budget))
            home_ids = {cid for found in connection_ids(table, users).values() for cid in found}
            sender = homes[0]
            (sender_id,) = connection_ids(table, users[:1])[sender.user]
            burst = users[: args.burst]
            rounds = [await match_burst(http, burst, homes, budget) for _ in range(2)]
            match_table(burst, rounds)

            clock = time.perf_counter()
            owners = [users[i % len(users)] for i in range(args.connections)]
            clients = await sockets.enter_async_context(connected(stack.websocket, owners, arrivals, budget))
            opened = time.perf_counter() - clock
            print(f"\n{len(clients)} WebSockets open in {opened:.1f} s ({len(clients) / opened:.0f}/s)", flush=True)
            others = [
                (user, cid)
                for user, found in connection_ids(table, users).items()
                for cid in found
                if cid not in home_ids
            ]
            assignments = [(rooms[size], sender_id, sender.user) for size in sizes]
            assignments += [(rooms[size], cid, user) for size in sizes for user, cid in others[:size]]
            clock = time.perf_counter()
            await asyncio.to_thread(place, table, assignments)
            print(f"{len(assignments)} presence items written in {time.perf_counter() - clock:.1f} s", flush=True)
            try:

                async def rooms_pass(tag: str) -> list[RoomRun]:
                    # One unmeasured message first: the function's workers start (again, after a reload).
                    await room_messages(sender, rooms[sizes[0]], sizes[0], 1, tag=f"warm-{tag}", budget=budget)
                    return [
                        await room_messages(sender, rooms[s], s, args.messages, tag=tag, budget=budget) for s in sizes
                    ]

                # The injected pass first: its figures are the ones the model is about.
                with injected_management_api(stack, args.delay_ms / 1000, args.rate) as posts:
                    injected = await rooms_pass("aws")
                    posts.drain()
                room_table(
                    f"management API injected: {args.delay_ms:.0f} ms per post, at most {args.rate:,.0f} posts/s"
                    f" (simulated; {posts.forwarded:,} posts answered, {posts.throttled:,} throttled), pool of {pool}",
                    injected,
                    pool,
                    posts,
                )
                room_table(
                    "local runtime, management API as served locally (measured)", await rooms_pass("plain"), pool
                )
            finally:
                await asyncio.to_thread(place, table, assignments, leave=True)
    print(f"\nsimulation took {budget.used():.0f} s (budget {budget.seconds:.0f} s)")


def match_table(burst: list[dict[str, Any]], rounds: list[tuple[list[int], list[float], float]]) -> None:
    print("\nmatch burst: every user joins the default pool at once, twice (measured; one connection each)\n")
    print("| round | joins | accepted | matched | p50 join -> match.found ms | p99 ms | pairs/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, (statuses, waits, span) in zip(("first (worker starts)", "second"), rounds, strict=True):
        accepted = sum(status == 202 for status in statuses)
        if waits:
            print(
                f"| {label} | {len(burst)} | {accepted} | {len(waits)} | {statistics.median(waits):.0f} |"
                f" {percentile(waits, 0.99):.0f} | {len(waits) / 2 / max(span, 1e-3):.1f} |"
            )
        else:
            print(f"| {label} | {len(burst)} | {accepted} | 0 | - | - | - |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=6, help="users signed in (members of every room)")
    parser.add_argument("--connections", type=int, default=1000, help="receiving WebSockets (the largest room)")
    parser.add_argument("--messages", type=int, default=3, help="messages sent to each room per pass")
    parser.add_argument("--burst", type=int, default=6, help="users joining matchmaking at once")
    parser.add_argument("--delay-ms", type=float, default=20.0, help="injected latency of one management API post")
    parser.add_argument("--rate", type=float, default=10_000.0, help="injected management API posts/s")
    parser.add_argument("--budget", type=float, default=110.0, help="seconds the simulation may take")
    parser.add_argument("--emulator", help="emulator URL of a running stack (with --gateway)")
    parser.add_argument("--gateway", help="runtime URL of a running stack, e.g. http://127.0.0.1:4580")
    args = parser.parse_args()
    if bool(args.emulator) != bool(args.gateway):
        parser.error("--emulator and --gateway go together")
    for name in ("users", "connections", "messages", "burst"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.burst > args.users or args.burst % 2:
        parser.error("--burst must be an even number no larger than --users")
    raise_fd_limit(args.connections + 1)
    print(f"parley scale bench: {os.cpu_count()} CPUs, load {'/'.join(f'{v:.1f}' for v in os.getloadavg())}")
    if args.gateway:
        stack = Stack(
            args.emulator, args.gateway.rstrip("/"), args.gateway.rstrip("/").replace("http", "ws", 1) + "/live"
        )
        asyncio.run(simulate(stack, args))
    else:
        with own_stack() as stack:
            asyncio.run(simulate(stack, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
