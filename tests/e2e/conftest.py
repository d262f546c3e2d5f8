"""e2e tier: envs/local applied once to a private emulator, shared by every e2e test.

The emulator binds 127.0.0.1 on a free port with its own run-time folder, so a
developer's `make up` stack is never touched; everything started is stopped.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from parley import settings
from parley.adapters import aws, secrets
from tools import emulator as emu
from tools import local
from tools.tfenv import backend_settings, terraform_binary


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent.name == "e2e":
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))


@dataclass
class Deployed:
    endpoint: str
    base: Path
    workspace: local.Workspace
    outputs: dict[str, Any]
    lock_seen: bool
    contender: subprocess.CompletedProcess[str]
    emulator: emu.Emulator

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip

    def function_environment(self, function_name: str) -> dict[str, str]:
        """The environment Terraform set on a deployed function, to run its handler in-process."""
        config = self.client("lambda").get_function_configuration(FunctionName=function_name)
        return dict(config.get("Environment", {}).get("Variables", {}))

    @contextmanager
    def running_as(self, monkeypatch: pytest.MonkeyPatch, *function_names: str) -> Iterator[Any]:
        """Run handlers in-process with these deployed functions' settings, against the emulator; yields the table."""
        for name in function_names:
            for key, value in self.function_environment(name).items():
                monkeypatch.setenv(key, value)
        monkeypatch.setenv("AWS_ENDPOINT_URL", self.endpoint)
        settings.load.cache_clear()
        aws.reset()
        secrets.reset()
        try:
            yield aws.table(self.outputs["table_name"])
        finally:
            settings.load.cache_clear()
            aws.reset()
            secrets.reset()


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
    emulator = emu.Emulator(base, emu.free_port())
    emu.start(emulator)
    try:
        local.bootstrap("local", emulator.endpoint, base)
        workspace = local.Workspace("local", emulator.endpoint, base)
        workspace.init()
        assert workspace.plan() == 2, "a fresh emulator must need changes"
        settings = backend_settings("local")
        # Given an apply that holds the state lock ...
        apply = subprocess.Popen(
            [terraform_binary(), f"-chdir={workspace.root}", "apply", "-input=false", str(workspace.plan_file)],
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
        yield Deployed(emulator.endpoint, base, workspace, workspace.outputs(), lock_seen, contender, emulator)
    finally:
        os.environ.pop("AWS_ENDPOINT_URL", None)
        if emu.status(emulator) != "stopped":
            local.down(base, emulator.port, env_file=False)
