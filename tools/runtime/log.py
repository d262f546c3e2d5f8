"""The runtime's log: one line per invocation, the functions' own output, mail and lifecycle lines.

Background runs write to .parley/runtime.log (`make logs`); `make dev` writes
to the terminal.
"""

from __future__ import annotations

import logging
import sys

logger = logging.getLogger("parley.runtime")


def setup() -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s.%(msecs)03d %(message)s", datefmt="%H:%M:%S"))
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def info(message: str) -> None:
    logger.info(message)


def warning(message: str) -> None:
    logger.warning("warning: %s", message)


def invocation(function: str, what: str, status: str | int, duration_ms: float) -> None:
    """The line every invocation writes: function, route or trigger, status, duration."""
    logger.info("%-34s %-32s %-5s %7.1f ms", function, what, status, duration_ms)


def output(function: str, line: str) -> None:
    """A line a function printed or logged."""
    logger.info("  %s | %s", function, line)
