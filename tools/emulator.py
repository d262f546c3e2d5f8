"""The embedded AWS emulator (moto server) on 127.0.0.1.

The process is started detached, with its pid, port and log under the run-time
folder (tools/background.py), and only a process this module started (recorded
pid whose command line is moto's) is ever stopped.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tools import background
from tools.background import HOST, free_port

__all__ = ["DEFAULT_PORT", "HOST", "Emulator", "answers", "configured_port", "free_port", "start", "status", "stop"]

DEFAULT_PORT = 4566
PORT_VARIABLE = "PARLEY_EMULATOR_PORT"


@dataclass(frozen=True)
class Emulator:
    folder: Path
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def process(self) -> background.Process:
        return background.Process("emulator", self.folder, self.port, "tools.moto_server")

    @property
    def pid_file(self) -> Path:
        return self.process.pid_file

    @property
    def log_file(self) -> Path:
        return self.process.log_file


def configured_port() -> int:
    return background.port_setting(PORT_VARIABLE, DEFAULT_PORT)


def answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1) as response:  # noqa: S310 - our http://127.0.0.1 URL
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def start(emulator: Emulator, timeout_seconds: float = 30) -> str:
    """Start (or reuse) the emulator; return 'started' or 'running'."""
    if background.our_pid(emulator.process) and answers(emulator.endpoint):
        return "running"
    # AWS managed IAM policies (e.g. AmazonSSMManagedInstanceCore) exist only when moto loads them.
    environ = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
    background.launch(
        emulator.process,
        [sys.executable, "-m", "tools.moto_server", "-H", HOST, "-p", str(emulator.port)],
        lambda: answers(emulator.endpoint),
        variable=PORT_VARIABLE,
        environ=environ,
        timeout_seconds=timeout_seconds,
    )
    return "started"


def stop(emulator: Emulator, timeout_seconds: float = 20) -> bool:
    """Stop the emulator this module started; True if one was stopped."""
    return background.stop(emulator.process, timeout_seconds)


def status(emulator: Emulator) -> str:
    pid = background.our_pid(emulator.process)
    if pid and answers(emulator.endpoint):
        return f"running (pid {pid}) at {emulator.endpoint}"
    return "stopped"
