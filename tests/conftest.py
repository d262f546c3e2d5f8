"""Shared test settings: the repository root and the fake AWS environment."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tools.system_packages import command, ensure

ROOT = Path(__file__).resolve().parent.parent

# No test may reach a real account: fake keys, a fixed region, no metadata service.
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(_name, None)
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_REGION="us-east-1",
    AWS_EC2_METADATA_DISABLED="true",
)


# tryfirst: xdist reads the group marks in its own hook, which must see them.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests of a unit or static module that share a module-scoped fixture (two package builds, a TURN
    server, RSA keys) run on one xdist worker, so the fixture is made once rather than on every worker that
    receives one of them. (The plan and e2e tiers have one group each: tests/plan/conftest.py,
    tests/e2e/conftest.py.)"""
    if not config.pluginmanager.hasplugin("xdist"):  # -p no:xdist (make mutate): the mark would be unknown
        return
    for item in items:
        if Path(str(item.fspath)).parent.name not in {"unit", "static"}:
            continue
        definitions = getattr(item, "_fixtureinfo", None)
        if definitions is not None and any(
            definition.scope == "module" for chain in definitions.name2fixturedefs.values() for definition in chain
        ):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[ThreadingHTTPServer]:
    """An HTTP server on 127.0.0.1 (a free port) answering with ``handler`` in a thread, stopped on exit. Its loop
    checks for the stop every 20 ms (the standard library's default is 500 ms, which each stop would wait)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@dataclass
class FakeLambdaContext:
    function_name: str = "parley-test-fn"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:parley-test-fn"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


def system_command(package: str) -> str:
    """The command of a Debian package a check runs for real (installed first where possible, see
    tools/system_packages.py); skips with the reason when it cannot be had, except under CI where it fails."""
    reason = ensure([package]).get(package)
    found = command(package)
    if found is None:
        message = f"{package} is needed for this check: {reason}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found
