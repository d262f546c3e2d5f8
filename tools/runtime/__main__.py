"""python -m tools.runtime --emulator URL --port N [--source DIR] ...: serve the deployed stack in the foreground.

`make up` runs it in the background (tools/runtime/daemon.py), `make dev` in
the foreground. A problem at start is one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import sys
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from tools import emulator as emu
from tools.runtime import log
from tools.runtime.daemon import PORT_VARIABLE, SITE_PORT_VARIABLE
from tools.runtime.server import Runtime, Settings
from tools.tfenv import ROOT


def parse(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(prog="python -m tools.runtime", description="parley's local runtime")
    parser.add_argument("--emulator", required=True, help="the emulator's root URL")
    parser.add_argument("--port", type=int, required=True, help="port on 127.0.0.1 for HTTP and WebSocket")
    parser.add_argument("--source", type=Path, default=ROOT / "lambda_src", help="the functions' code folder")
    parser.add_argument("--pool-size", type=int, default=4, help="worker processes per function at most")
    parser.add_argument("--reload-seconds", type=float, default=10.0, help="how often the stack is read again")
    parser.add_argument(
        "--queue-retry-seconds",
        type=int,
        default=None,
        help="failed queue records come back after this many seconds (default: the queue's visibility timeout)",
    )
    parser.add_argument("--site-port", type=int, default=None, help="port on 127.0.0.1 for the web client's site")
    args = parser.parse_args(argv)
    return Settings(
        emulator=args.emulator.rstrip("/"),
        port=args.port,
        source=args.source.resolve(),
        pool_size=max(1, args.pool_size),
        reload_seconds=max(1.0, args.reload_seconds),
        queue_retry_seconds=args.queue_retry_seconds,
        site_port=args.site_port,
    )


def main(argv: list[str] | None = None) -> int:
    settings = parse(argv)
    if not (settings.source / "parley").is_dir():
        print(f"parley runtime: {settings.source} holds no function code (no parley/ folder)", file=sys.stderr)
        return 1
    if not emu.answers(settings.emulator):
        print(
            f"parley runtime: the emulator at {settings.emulator} is not running: run 'make up' first", file=sys.stderr
        )
        return 1
    log.setup()
    try:
        asyncio.run(Runtime(settings).serve())
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            site = settings.site_port is not None
            ports = f"port {settings.port}" + (f" or {settings.site_port}" if site else "")
            variables = PORT_VARIABLE + (f" / {SITE_PORT_VARIABLE}" if site else "")
            print(
                f"parley runtime: {ports} is in use by another program: stop it or set {variables} to a free port",
                file=sys.stderr,
            )
        else:
            print(f"parley runtime: {error}", file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError) as error:
        print(
            f"parley runtime: could not read the stack from the emulator ({error}): run 'make up' first",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
