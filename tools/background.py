"""Detached processes on 127.0.0.1 that `make up` starts and `make down` stops.

Each process has a name, a port and a folder holding ``<name>.pid`` (pid and
port) and ``<name>.log``. Only a process this module started is ever stopped:
the recorded pid must still run a command line holding the expected marker
(the module it runs) and the port.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tools.tfenv import ROOT, ToolError

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Process:
    """Where one background process keeps its pid and log."""

    name: str
    folder: Path
    port: int
    marker: str  # a word of its command line (the module it runs)

    @property
    def pid_file(self) -> Path:
        return self.folder / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.folder / f"{self.name}.log"


def port_setting(variable: str, default: int) -> int:
    """A port from the environment variable ``variable``, checked."""
    raw = os.environ.get(variable, str(default)).strip()
    if not raw.isdigit() or not 1024 <= int(raw) <= 65535:
        raise ToolError(f"{variable}={raw} is not a port between 1024 and 65535")
    return int(raw)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) == 0


def our_pid(process: Process) -> int | None:
    """The recorded pid, if that process still runs our command on the port recorded with it."""
    try:
        pid_text, port_text = process.pid_file.read_text().split()[:2]
        pid = int(pid_text)
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (OSError, ValueError):
        return None
    return pid if process.marker in cmdline and f" {int(port_text)}" in cmdline else None


def launch(
    process: Process,
    command: Sequence[str],
    ready: Callable[[], bool],
    *,
    variable: str,
    environ: dict[str, str] | None = None,
    timeout_seconds: float = 30,
) -> int:
    """Start ``command`` detached, logging to the process's log; wait until ``ready()``; return its pid.

    ``variable`` names the setting that picks another port, for the error when
    the port is taken.
    """
    process.folder.mkdir(parents=True, exist_ok=True)
    if port_in_use(process.port):
        raise ToolError(
            f"port {process.port} is in use by another program: stop it or set {variable} to a free port "
            f"(e.g. {variable}={free_port()}); 'make doctor' checks the ports"
        )
    with process.log_file.open("ab") as log:
        child = subprocess.Popen(
            list(command), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, env=environ or dict(os.environ), cwd=ROOT,
        )  # fmt: skip
    process.pid_file.write_text(f"{child.pid} {process.port}\n")
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if child.poll() is not None:
            process.pid_file.unlink(missing_ok=True)
            raise ToolError(f"the {process.name} exited at start (code {child.returncode}): see {process.log_file}")
        if ready():
            return child.pid
        time.sleep(0.1)
    stop(process)
    raise ToolError(f"the {process.name} did not answer within {timeout_seconds:.0f}s: see {process.log_file}")


def _gone(pid: int) -> bool:
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # not our child: ended when /proc has no live process left
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        return state in {"Z", "X"}
    return finished == pid


def _wait(pid: int, timeout_seconds: float) -> bool:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if _gone(pid):
            return True
        time.sleep(0.05)
    return False


def stop(process: Process, timeout_seconds: float = 20) -> bool:
    """Stop the process this module started (its whole session); True if one was stopped.

    SIGTERM first; SIGKILL when it has not ended within ``timeout_seconds``. It
    returns once the process is gone, so its port is free again.
    """
    pid = our_pid(process)
    process.pid_file.unlink(missing_ok=True)
    if pid is None:
        return False
    os.killpg(pid, signal.SIGTERM)
    if not _wait(pid, timeout_seconds):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        _wait(pid, 10)
    return True
