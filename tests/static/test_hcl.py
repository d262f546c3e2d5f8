"""Static checks of the Terraform code, parsed with python-hcl2 (no terraform run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2
import pytest

from tests.conftest import ROOT

MODULES = sorted(p for p in (ROOT / "modules").iterdir() if (p / "main.tf").is_file())
ROOTS = [*MODULES, *sorted(p for p in (ROOT / "envs").iterdir() if p.is_dir()), ROOT / "bootstrap"]
# Data sources that are computed locally by the provider: safe in offline plans.
OFFLINE_DATA_SOURCES = {"aws_partition", "aws_iam_policy_document"}


def _parse(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    return [(path, hcl2.loads(path.read_text())) for path in sorted(folder.glob("*.tf"))]


def _name(key: str) -> str:
    return key.strip('"')


def _blocks(folder: Path, kind: str) -> list[tuple[Path, str, dict[str, Any]]]:
    found = []
    for path, parsed in _parse(folder):
        for block in parsed.get(kind, []):
            for name, body in block.items():
                found.append((path, _name(name), body))
    return found


@pytest.mark.parametrize("folder", ROOTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_hcl_every_variable_is_typed_and_described(folder: Path) -> None:
    problems = [
        f"{path.name}: variable {name} lacks {attr}"
        for path, name, body in _blocks(folder, "variable")
        for attr in ("type", "description")
        if not str(body.get(attr, "")).strip('" ')
    ]
    problems += [
        f"{path.name}: variable {name} is typed any"
        for path, name, body in _blocks(folder, "variable")
        if "any" in str(body.get("type"))
    ]
    assert problems == []


@pytest.mark.parametrize("folder", ROOTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_hcl_every_output_is_described(folder: Path) -> None:
    missing = [
        f"{path.name}: output {name}"
        for path, name, body in _blocks(folder, "output")
        if not str(body.get("description", "")).strip('" ')
    ]
    assert missing == []


@pytest.mark.parametrize("folder", MODULES, ids=lambda p: p.name)
def test_hcl_modules_have_no_provider_backend_or_credential_data_sources(folder: Path) -> None:
    assert _blocks(folder, "provider") == []
    backends = [
        path.name for path, parsed in _parse(folder) for block in parsed.get("terraform", []) if "backend" in block
    ]
    assert backends == []
    data_types = {_name(kind) for path, parsed in _parse(folder) for block in parsed.get("data", []) for kind in block}
    assert data_types <= OFFLINE_DATA_SOURCES, (
        f"data sources that need credentials: {sorted(data_types - OFFLINE_DATA_SOURCES)}"
    )


@pytest.mark.parametrize("name", ["main.tf", "variables.tf", "outputs.tf", "versions.tf"])
def test_hcl_envs_share_identical_files(name: str) -> None:
    envs = sorted(p for p in (ROOT / "envs").iterdir() if p.is_dir())
    texts = {env.name: (env / name).read_text() for env in envs}
    reference = texts["dev"]
    assert [env for env, text in texts.items() if text != reference] == []


def test_hcl_envs_link_the_one_backend_block() -> None:
    for env in (ROOT / "envs").iterdir():
        link = env / "backend.tf"
        assert link.is_symlink() and link.resolve() == ROOT / "backend.tf", (
            f"{env.name}/backend.tf must link to ../../backend.tf"
        )
        assert (env / "backend.hcl").is_file() and (env / ".terraform.lock.hcl").is_file()


def test_hcl_lock_files_cover_linux_and_macos() -> None:
    for lock in [*(ROOT / "envs").glob("*/.terraform.lock.hcl"), ROOT / "bootstrap" / ".terraform.lock.hcl"]:
        text = lock.read_text()
        assert "h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=" in text  # linux_amd64
        assert "h1:Ijt7pOlB7Tr7maGQIqtsLFbl7pSMIj06TVdkoSBcYOw=" in text  # darwin_arm64
        assert text.count('"zh:') >= 14, f"{lock} lacks the registry's per-platform hashes"
