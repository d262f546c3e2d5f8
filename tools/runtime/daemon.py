"""The runtime as a background process: `make up` starts (or keeps) it, `make down` stops it.

Its pid and log are ``.parley/runtime.pid`` / ``.parley/runtime.log``
(tools/background.py); ``runtime.json`` records how it was started. A second
start keeps a runtime started the same way from the same runtime code and
makes it read the stack again; any difference restarts it cleanly.
"""

from __future__ import annotations

import hashlib
import json
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools import background
from tools.background import HOST
from tools.tfenv import ROOT, ToolError

DEFAULT_PORT = 4580
PORT_VARIABLE = "PARLEY_GATEWAY_PORT"
DEFAULT_SITE_PORT = 4581
SITE_PORT_VARIABLE = "PARLEY_SITE_PORT"
RUNTIME_CODE = Path(__file__).resolve().parent


def configured_port() -> int:
    return background.port_setting(PORT_VARIABLE, DEFAULT_PORT)


def configured_site_port() -> int:
    return background.port_setting(SITE_PORT_VARIABLE, DEFAULT_SITE_PORT)


def code_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(RUNTIME_CODE.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class LocalRuntime:
    folder: Path
    port: int
    emulator: str
    source: Path = ROOT / "lambda_src"
    queue_retry_seconds: int | None = None
    site_port: int | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def process(self) -> background.Process:
        return background.Process("runtime", self.folder, self.port, "tools.runtime")

    @property
    def state_file(self) -> Path:
        return self.folder / "runtime.json"

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "tools.runtime", "--emulator", self.emulator, "--port", str(self.port),
                   "--source", str(self.source)]  # fmt: skip
        if self.queue_retry_seconds is not None:
            command += ["--queue-retry-seconds", str(self.queue_retry_seconds)]
        if self.site_port is not None:
            command += ["--site-port", str(self.site_port)]
        return command

    def state(self) -> dict[str, Any]:
        return {"command": self.command(), "code": code_version()}


def _request(url: str, method: str = "GET", timeout: float = 2) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=timeout) as response:  # noqa: S310 - our http://127.0.0.1 URL
            document = json.loads(response.read() or b"{}")
    except (OSError, urllib.error.URLError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def health(runtime: LocalRuntime) -> dict[str, Any] | None:
    """The running runtime's /_local/health, or None."""
    return _request(f"{runtime.endpoint}/_local/health", timeout=1)


def start(runtime: LocalRuntime, timeout_seconds: float = 60) -> str:
    """Start the runtime, or keep the one running; 'started', 'restarted' or 'running'."""
    running = background.our_pid(runtime.process) is not None and health(runtime) is not None
    if running:
        try:
            recorded = json.loads(runtime.state_file.read_text())
        except (OSError, ValueError):
            recorded = None
        if recorded == runtime.state():
            _request(f"{runtime.endpoint}/_local/reload", method="POST", timeout=60)
            return "running"
        stop(runtime)
    if runtime.site_port is not None and background.port_in_use(runtime.site_port):
        raise ToolError(
            f"port {runtime.site_port} is in use by another program: stop it or set {SITE_PORT_VARIABLE} to a free port"
        )
    background.launch(
        runtime.process, runtime.command(), lambda: health(runtime) is not None,
        variable=PORT_VARIABLE, timeout_seconds=timeout_seconds,
    )  # fmt: skip
    runtime.state_file.write_text(json.dumps(runtime.state()))
    return "restarted" if running else "started"


def stop(runtime: LocalRuntime) -> bool:
    runtime.state_file.unlink(missing_ok=True)
    return background.stop(runtime.process)


def status(runtime: LocalRuntime) -> str:
    pid = background.our_pid(runtime.process)
    if pid and health(runtime) is not None:
        return f"running (pid {pid}) at {runtime.endpoint}"
    return "stopped"
