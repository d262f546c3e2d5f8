"""build.py --config: settings baked into a function's package (Lambda@Edge has no environment)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

CACHE = ROOT / "build" / "cache"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("checkout")
    shutil.copy2(ROOT / "build.py", target / "build.py")
    shutil.copytree(ROOT / "lambda_src", target / "lambda_src", ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _build(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "build.py", "--cache", str(CACHE), "--only", "edge_auth", *args],
        cwd=repo, capture_output=True, text=True, check=False,
    )  # fmt: skip


def _manifest(repo: Path) -> dict[str, dict[str, object]]:
    return json.loads((repo / "build/lambda/manifest.json").read_text())["functions"]  # type: ignore[no-any-return]


def test_build_bakes_canonical_config_into_the_edge_package(repo: Path, tmp_path: Path) -> None:
    # Given the same settings written twice with different key order and spacing
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text('{"region": "eu-west-1", "client_id": "abc"}')
    second.write_text('{\n  "client_id": "abc",\n  "region": "eu-west-1"\n}\n')
    # When the edge package is built with each
    assert _build(repo, "--config", f"edge_auth={first}").returncode == 0
    zip_a = (repo / "build/lambda/edge_auth.zip").read_bytes()
    entry_a = _manifest(repo)["edge_auth"]
    assert _build(repo, "--config", f"edge_auth={second}").returncode == 0
    # Then the packages are byte-identical and carry the canonical JSON
    assert (repo / "build/lambda/edge_auth.zip").read_bytes() == zip_a
    with zipfile.ZipFile(repo / "build/lambda/edge_auth.zip") as archive:
        assert json.loads(archive.read("parley/baked_config.json")) == {"client_id": "abc", "region": "eu-west-1"}
        assert not any(name.startswith("aws_lambda_powertools/") for name in archive.namelist())
    assert isinstance(entry_a["config_sha256"], str) and len(entry_a["config_sha256"]) == 64


def test_build_without_config_records_none_and_changes_the_package(repo: Path, tmp_path: Path) -> None:
    config = tmp_path / "c.json"
    config.write_text('{"region": "eu-west-1"}')
    assert _build(repo, "--config", f"edge_auth={config}").returncode == 0
    baked = _manifest(repo)["edge_auth"]
    assert _build(repo).returncode == 0
    plain = _manifest(repo)["edge_auth"]
    assert "config_sha256" not in plain
    assert plain["sha256"] != baked["sha256"]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("api_public=x.json", "expected NAME=FILE with NAME one of edge_auth"),
        ("edge_auth", "expected NAME=FILE"),
        ("edge_auth=/nonexistent/edge.json", "cannot read /nonexistent/edge.json as JSON"),
    ],
)
def test_build_refuses_bad_config_options(repo: Path, option: str, message: str) -> None:
    result = _build(repo, "--config", option)
    assert result.returncode == 1
    assert message in result.stderr


def test_build_refuses_a_config_that_is_not_an_object(repo: Path, tmp_path: Path) -> None:
    config = tmp_path / "list.json"
    config.write_text("[1, 2]")
    result = _build(repo, "--config", f"edge_auth={config}")
    assert result.returncode == 1 and "must hold a JSON object" in result.stderr
