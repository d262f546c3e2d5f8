"""The embedded AWS emulator (moto server) on 127.0.0.1.

The process is started detached, with its pid, port and log under the run-time
folder, and only a process this module started (recorded pid whose command line
is moto's) is ever stopped.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tools.tfenv import ROOT, ToolError

HOST = "127.0.0.1"
DEFAULT_PORT = 4566


@dataclass(frozen=True)
class Emulator:
    folder: Path
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.folder / "emulator.pid"

    @property
    def log_file(self) -> Path:
        return self.folder / "emulator.log"


def configured_port() -> int:
    raw = os.environ.get("PARLEY_EMULATOR_PORT", str(DEFAULT_PORT))
    if not raw.isdigit() or not 1024 <= int(raw) <= 65535:
        raise ToolError(f"PARLEY_EMULATOR_PORT={raw} is not a port between 1024 and 65535")
    return int(raw)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1) as response:  # noqa: S310 - our http://127.0.0.1 URL
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def _port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) == 0


def _our_pid(emulator: Emulator) -> int | None:
    """The recorded pid, if that process is still a moto server we started."""
    try:
        pid = int(emulator.pid_file.read_text().split()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (OSError, ValueError, IndexError):
        return None
    return pid if "moto" in cmdline and str(emulator.port) in cmdline else None


def start(emulator: Emulator, timeout_seconds: float = 30) -> str:
    """Start (or reuse) the emulator; return 'started' or 'running'."""
    emulator.folder.mkdir(parents=True, exist_ok=True)
    if _our_pid(emulator) and _answers(emulator.endpoint):
        return "running"
    if _port_in_use(emulator.port):
        raise ToolError(
            f"port {emulator.port} is in use by another program: stop it or set PARLEY_EMULATOR_PORT to a free port"
        )
    log = emulator.log_file.open("ab")
    # AWS managed IAM policies (e.g. AmazonSSMManagedInstanceCore) exist only when moto loads them.
    environ = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tools.moto_server", "-H", HOST, "-p", str(emulator.port)],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, env=environ, cwd=ROOT,
    )  # fmt: skip
    emulator.pid_file.write_text(f"{process.pid} {emulator.port}\n")
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ToolError(f"the emulator exited at start (code {process.returncode}): see {emulator.log_file}")
        if _answers(emulator.endpoint):
            return "started"
        time.sleep(0.2)
    stop(emulator)
    raise ToolError(f"the emulator did not answer within {timeout_seconds:.0f}s: see {emulator.log_file}")


def stop(emulator: Emulator, timeout_seconds: float = 10) -> bool:
    """Stop the emulator this module started; True if one was stopped."""
    pid = _our_pid(emulator)
    emulator.pid_file.unlink(missing_ok=True)
    if pid is None:
        return False
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        try:
            finished, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # not our child: poll /proc instead
            finished = 0 if Path(f"/proc/{pid}").exists() else pid
        if finished:
            return True
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)
    return True


def status(emulator: Emulator) -> str:
    pid = _our_pid(emulator)
    if pid and _answers(emulator.endpoint):
        return f"running (pid {pid}) at {emulator.endpoint}"
    return "stopped"
