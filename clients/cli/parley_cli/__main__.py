"""python -m parley_cli relay open | relay join CODE: an end-to-end-encrypted relay peer.

Sign-in is by e-mail OTP (``/auth/login`` then ``/auth/verify``): the code
from the mail is typed (or piped) as the first line. Then every line of stdin
is encrypted and sent to the other peer, and every payload from it is
decrypted to stdout. With ``--command CMD`` the peer's lines go to that
command's stdin and its output goes back (a remote shell with ``sh -i``).
Status lines go to stderr: ``code ABCD-2345``, ``confirm 123 456`` (compare
it with the other side's), ``rejected: ...`` for a payload that fails.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from parley_cli.crypto import JOINER, OPENER, Channel, RelayCryptoError, normalize_code


class CliError(Exception):
    """One line for the user, and exit status 1."""


def status(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def env_file_settings(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def settings(args: argparse.Namespace) -> tuple[str, str]:
    """(HTTP API URL, WebSocket URL) from the flags, the environment, or the env file `make outputs` writes."""
    from_file = env_file_settings(Path(args.env_file))
    api = args.api or os.environ.get("PARLEY_HTTP_API_URL") or from_file.get("PARLEY_HTTP_API_URL")
    ws = args.ws or os.environ.get("PARLEY_WEBSOCKET_URL") or from_file.get("PARLEY_WEBSOCKET_URL")
    if not api or not ws:
        raise CliError(f"no API URLs: pass --api and --ws, or run 'make outputs' to write {args.env_file}")
    return api.rstrip("/"), ws


async def lines(stream: Any) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, stream.readline)
        if not line:
            return
        yield line.rstrip("\n")


def error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    return str(body.get("message") or body.get("error") or f"HTTP {response.status_code}")


async def sign_in(api: str, email: str, read_line: Callable[[], Any]) -> str:
    """The access token, after the user types the code from the mail."""
    async with httpx.AsyncClient(base_url=api, timeout=30) as http:
        try:
            login = await http.post("/auth/login", json={"email": email})
        except httpx.HTTPError as error:
            raise CliError(f"cannot reach the HTTP API at {api}: {error}") from None
        if login.status_code != 200:
            raise CliError(f"sign-in refused: {error_text(login)}")
        status(f"a code was sent to {email}: type it and press Enter")
        code = (await read_line() or "").strip()
        verified = await http.post(
            "/auth/verify", json={"email": email, "session": login.json()["session"], "code": code}
        )
        if verified.status_code != 200:
            raise CliError(f"sign-in refused: {error_text(verified)}")
        return str(verified.json()["access_token"])


class Peer:
    def __init__(self, socket: ClientConnection, channel: Channel | None, write: Callable[[str], Any]) -> None:
        self.socket = socket
        self.channel = channel
        self.relay: str | None = None
        self.write = write
        self.ready = asyncio.Event()

    async def frame(self, action: str, **fields: Any) -> None:
        await self.socket.send(json.dumps({"action": action, **fields}))

    async def send_payload(self, payload: bytes) -> None:
        await self.frame("relay.send", relay=self.relay, data=base64.b64encode(payload).decode())

    async def send_text(self, text: str) -> None:
        await self.ready.wait()
        assert self.channel is not None
        await self.send_payload(self.channel.encrypt(text.encode()))

    async def handle(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "error":
            raise CliError(f"relay refused: {frame.get('message') or frame.get('error')}")
        if kind == "relay.opened":
            self.relay = frame["relay"]
            self.channel = Channel(OPENER, frame["code"])
            status(f"code {frame['code']}")
        elif kind == "relay.joined":
            self.relay = frame["relay"]
            assert self.channel is not None
            await self.send_payload(self.channel.hello())
        elif kind == "relay.peer_joined" and self.channel is not None and self.channel.role == OPENER:
            self.ready.clear()
            await self.send_payload(self.channel.hello())
        elif kind == "relay.peer_left":
            self.ready.clear()
            status("peer left")
        elif kind == "relay.data" and self.channel is not None:
            await self.receive(base64.b64decode(frame["data"]))

    async def receive(self, payload: bytes) -> None:
        assert self.channel is not None
        try:
            if payload[:2] == b"\x01\x01":
                status(f"confirm {self.channel.accept_hello(payload)}")
                self.ready.set()
            else:
                await self.write(self.channel.decrypt(payload).decode(errors="replace"))
        except RelayCryptoError as error:
            status(f"rejected: {error}")


async def run(args: argparse.Namespace) -> None:
    channel = None
    if args.action == "join":
        try:
            channel = Channel(JOINER, normalize_code(args.code))
        except RelayCryptoError as error:
            raise CliError(str(error)) from None
    api, ws = settings(args)
    stdin = lines(sys.stdin)

    async def read_line() -> str | None:
        return await anext(stdin, None)

    token = await sign_in(api, args.email, read_line)
    process: asyncio.subprocess.Process | None = None
    if args.command:
        process = await asyncio.create_subprocess_shell(
            args.command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )

    async def write(text: str) -> None:
        if process is not None and process.stdin is not None:
            process.stdin.write(text.encode() + b"\n")
            await process.stdin.drain()
        else:
            print(text, flush=True)

    try:
        async with connect(f"{ws}?token={token}", open_timeout=30) as socket:
            peer = Peer(socket, channel, write)
            if channel is None:
                await peer.frame("relay.open")
            else:
                await peer.frame("relay.join", code=args.code)

            async def outgoing() -> None:
                if process is not None and process.stdout is not None:
                    while chunk := await process.stdout.read(4096):
                        await peer.send_text(chunk.decode(errors="replace"))
                else:
                    async for line in stdin:
                        await peer.send_text(line)
                # Nothing more to send: keep receiving until the relay closes.
                await asyncio.Future()

            sender = asyncio.create_task(outgoing())
            try:
                async for raw in socket:
                    await peer.handle(json.loads(raw))
                    if sender.done() and sender.exception():
                        raise sender.exception()  # type: ignore[misc]
            finally:
                sender.cancel()
    except (OSError, WebSocketException) as error:
        raise CliError(f"cannot reach the WebSocket API at {ws}: {error}") from None
    finally:
        if process is not None and process.returncode is None:
            process.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m parley_cli", description="parley's end-to-end-encrypted relay peer"
    )
    parser.add_argument("--email", default=os.environ.get("PARLEY_EMAIL"), help="who signs in (or PARLEY_EMAIL)")
    parser.add_argument("--api", help="the HTTP API URL (or PARLEY_HTTP_API_URL)")
    parser.add_argument("--ws", help="the WebSocket URL (or PARLEY_WEBSOCKET_URL)")
    parser.add_argument("--env-file", default="build/local.env", help="settings written by 'make outputs'")
    parser.add_argument("--command", help="relay this command's stdin/stdout instead of ours (e.g. 'sh -i')")
    commands = parser.add_subparsers(dest="group", required=True)
    relay = commands.add_parser("relay", help="open a relay, or join one with its code")
    relay_actions = relay.add_subparsers(dest="action", required=True)
    relay_actions.add_parser("open", help="open a relay and print its pairing code")
    join = relay_actions.add_parser("join", help="join the relay with this pairing code")
    join.add_argument("code")
    args = parser.parse_args(argv)
    try:
        if not args.email:
            raise CliError("no e-mail: pass --email or set PARLEY_EMAIL")
        asyncio.run(run(args))
    except CliError as error:
        print(f"parley_cli: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
