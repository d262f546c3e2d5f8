"""e2e tier: envs/local applied once to a private emulator, served by the local runtime, shared by every e2e test.

The emulator and the runtime bind 127.0.0.1 on free ports with their own
run-time folder, so a developer's `make up` stack is never touched; the
runtime runs the functions from a copy of lambda_src (the hot-reload tests edit
it). Tests talk to the runtime as clients do: httpx for HTTP, the websockets
package for WebSocket; boto3 only inspects what was deployed or stored.
Everything started is stopped; tests marked ``teardown`` run last.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tools import emulator as emu
from tools import local
from tools.runtime import daemon
from tools.tfenv import ROOT, backend_settings, terraform_binary

CODE = re.compile(r"\b(\d{6})\b")


# tryfirst: xdist reads the group marks in its own hook, which must see them.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent.name == "e2e":
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))
    # The shared stack's teardown checks go last, whatever their file.
    items.sort(key=lambda item: item.get_closest_marker("teardown") is not None)


@dataclass
class Session:
    """A signed-in user: the tokens /auth/verify returned and the profile id."""

    email: str
    tokens: dict[str, Any]
    user_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}


@dataclass
class Deployed:
    endpoint: str
    base: Path
    workspace: local.Workspace
    outputs: dict[str, Any]
    lock_seen: bool
    contender: subprocess.CompletedProcess[str]
    emulator: emu.Emulator
    runtime: daemon.LocalRuntime
    http: httpx.Client

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip

    @property
    def source(self) -> Path:
        return self.runtime.source

    @property
    def websocket_url(self) -> str:
        return f"ws://127.0.0.1:{self.runtime.port}/live"

    def mail(self, to: str) -> list[dict[str, Any]]:
        response = self.http.get("/_local/mail", params={"to": to})
        assert response.status_code == 200, response.text
        return list(response.json())

    def start_sign_in(self, email: str) -> tuple[str, str]:
        """(session, code): POST /auth/login, then the code from the newest mail to ``email``."""
        before = len(self.mail(email))
        login = self.http.post("/auth/login", json={"email": email})
        assert login.status_code == 200, login.text
        mails = self.mail(email)
        assert len(mails) == before + 1, mails
        found = CODE.search(mails[0]["text"])
        assert found, mails[0]
        return login.json()["session"], found.group(1)

    def sign_in(self, email: str) -> Session:
        session, code = self.start_sign_in(email)
        verified = self.http.post("/auth/verify", json={"email": email, "session": session, "code": code})
        assert verified.status_code == 200, verified.text
        tokens = verified.json()
        me = self.http.get("/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert me.status_code == 200, me.text
        return Session(email, tokens, me.json()["id"])

    def connect(self, user: Session, **kwargs: Any) -> ClientConnection:
        return connect(f"{self.websocket_url}?token={user.tokens['access_token']}", open_timeout=30, **kwargs)

    def reload(self) -> None:
        """Make the runtime read the stack now (it also does every few seconds)."""
        assert self.http.post("/_local/reload").status_code == 200


def frames_until(
    socket: ClientConnection, wanted: Callable[[dict[str, Any]], bool], timeout: float = 10
) -> list[dict[str, Any]]:
    """Every frame received up to and including the first one ``wanted`` accepts."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no wanted frame within {timeout}s; got {seen}")
        frame = json.loads(socket.recv(timeout=left))
        seen.append(frame)
        if wanted(frame):
            return seen


def eventually(check: Callable[[], Any], timeout: float = 20, interval: float = 0.2) -> Any:
    """The first truthy result of ``check`` within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout}s")


def _wait_for_lock(
    endpoint: str, lock_id: str, table: str, process: subprocess.Popen[str], timeout: float = 60
) -> bool:
    dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if "Item" in dynamodb.get_item(TableName=table, Key={"LockID": {"S": lock_id}}):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="session")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    base = tmp_path_factory.mktemp("parley-home")
    source = tmp_path_factory.mktemp("lambda-src") / "lambda_src"
    shutil.copytree(ROOT / "lambda_src", source, ignore=shutil.ignore_patterns("__pycache__"))
    emulator = emu.Emulator(base, emu.free_port())
    # Failed queue records come back after 1 s instead of the queue's 3-minute visibility timeout.
    runtime = daemon.LocalRuntime(
        base, emu.free_port(), emulator.endpoint, source, queue_retry_seconds=1, site_port=emu.free_port()
    )
    emu.start(emulator)
    try:
        local.bootstrap("local", emulator.endpoint, base)
        workspace = local.Workspace("local", emulator.endpoint, base, runtime.endpoint)
        workspace.init()
        assert workspace.plan() == 2, "a fresh emulator must need changes"
        settings = backend_settings("local")
        # Given an apply that holds the state lock ...
        apply = subprocess.Popen(
            [terraform_binary(), f"-chdir={workspace.root}", *workspace.apply_args()],
            env=workspace.environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        lock_seen = _wait_for_lock(
            emulator.endpoint, f"{settings['bucket']}/{settings['key']}", settings["dynamodb_table"], apply
        )
        # ... a second run must be refused, not interleaved
        contender = subprocess.run(
            [terraform_binary(), f"-chdir={workspace.root}", "plan", "-input=false", "-lock-timeout=0s", "-no-color"],
            env=workspace.environ, capture_output=True, text=True, check=False,
        )  # fmt: skip
        _, err = apply.communicate(timeout=600)
        assert apply.returncode == 0, err[-3000:]
        assert daemon.start(runtime) == "started"
        with httpx.Client(base_url=runtime.endpoint, timeout=60) as http:
            yield Deployed(
                emulator.endpoint, base, workspace, workspace.outputs(), lock_seen, contender, emulator, runtime, http
            )
    finally:
        os.environ.pop("AWS_ENDPOINT_URL", None)
        daemon.stop(runtime)
        if emu.status(emulator) != "stopped":
            local.down(base, emulator.port, env_file=False, gateway_port=runtime.port)


@pytest.fixture(scope="session")
def alice(deployed: Deployed) -> Session:
    return deployed.sign_in("alice@example.com")


@pytest.fixture(scope="session")
def bob(deployed: Deployed) -> Session:
    return deployed.sign_in("bob@example.com")
