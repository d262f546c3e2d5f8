"""Static checks of the Terraform code, parsed with python-hcl2 (no terraform run)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tools import hcl
from tools.tfenv import envs

MODULES = sorted(p for p in (ROOT / "modules").iterdir() if (p / "main.tf").is_file())
ROOTS = [*MODULES, *sorted(p for p in (ROOT / "envs").iterdir() if p.is_dir()), ROOT / "bootstrap"]
# Data sources that are computed locally by the provider: safe in offline plans.
OFFLINE_DATA_SOURCES = {"aws_partition", "aws_iam_policy_document", "aws_region"}


def _parse(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    return [(path, hcl.load(path)) for path in sorted(folder.glob("*.tf"))]


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


ENVS = [ROOT / "envs" / name for name in envs()]
SHARED = ROOT / "envs" / "shared"
# What may differ between environments; everything else is a link to the one shared root.
ENV_OWN_FILES = {
    "terraform.tfvars",
    "providers.tf",
    "backend.hcl",
    "bootstrap.tfvars",
    "edge_auth.json",
    ".terraform.lock.hcl",
}
SHARED_FILES = {"main.tf", "variables.tf", "outputs.tf", "versions.tf"}


def test_hcl_envs_are_found_and_shared_is_not_one() -> None:
    assert {env.name for env in ENVS} >= {"local", "dev", "prod"}
    assert "shared" not in {env.name for env in ENVS}


@pytest.mark.parametrize("env", ENVS, ids=lambda p: p.name)
def test_hcl_env_folders_hold_only_what_differs(env: Path) -> None:
    own = {p.name for p in env.iterdir() if not p.is_symlink()}
    assert own <= ENV_OWN_FILES, f"{env.name} holds files of its own beyond {sorted(ENV_OWN_FILES)}"
    assert {"terraform.tfvars", "providers.tf", "backend.hcl", ".terraform.lock.hcl"} <= own
    links = {p.name: p for p in env.iterdir() if p.is_symlink()}
    assert set(links) == SHARED_FILES | {"backend.tf"}
    for name, link in links.items():
        target = ROOT / "backend.tf" if name == "backend.tf" else SHARED / name
        assert link.resolve() == target, f"{env.name}/{name} must link to {target.relative_to(ROOT)}"
        assert not link.readlink().is_absolute(), (
            f"{env.name}/{name} must be a relative link (copies and checkouts move)"
        )


def test_hcl_env_providers_are_the_only_provider_blocks() -> None:
    shared = [_name(k) for _, parsed in _parse(SHARED) for block in parsed.get("provider", []) for k in block]
    assert shared == []
    for env in ENVS:
        own = [p for p in env.glob("*.tf") if not p.is_symlink()]
        assert [p.name for p in own] == ["providers.tf"], env.name


def test_hcl_env_stack_inputs_leave_every_default_to_the_stack() -> None:
    """Each stack input of the shared root has a null or empty default and no optional() default."""
    stack_variables = {name for path, name, _ in _blocks(ROOT / "modules" / "stack", "variable")}
    env_variables = {name: body for path, name, body in _blocks(SHARED, "variable") if path.name == "main.tf"}
    assert set(env_variables) == stack_variables - {"name_prefix", "artifacts_dir"}
    text = (SHARED / "main.tf").read_text()
    for name, body in env_variables.items():
        assert body.get("default") in (None, {}), f"{name} restates a default"
        assert f"{name} = var.{name}" in re.sub(r"\s+", " ", text) or name == "media_servers", f"{name} is not passed"
        assert _optional_defaults(str(body["type"])) == [], f"{name} restates an optional() default"


def _optional_defaults(type_expression: str) -> list[str]:
    """The optional(type, default) attributes of a type expression (a bare optional(type) has none)."""
    found = []
    for match in re.finditer(r"optional\(", type_expression):
        depth, commas, end = 0, 0, match.end() - 1
        for end in range(match.end() - 1, len(type_expression)):
            char = type_expression[end]
            depth += (char in "([{") - (char in ")]}")
            commas += char == "," and depth == 1
            if depth == 0:
                break
        if commas:
            found.append(type_expression[match.start() : end + 1])
    return found


def test_hcl_optional_defaults_are_detected() -> None:
    assert _optional_defaults("object({a = optional(number, 5), b = optional(object({c = optional(string)}))})") == [
        "optional(number, 5)"
    ]
    assert _optional_defaults("object({b = optional(object({c = optional(string)}), {})})") == [
        "optional(object({c = optional(string)}), {})"
    ]
    assert _optional_defaults("object({b = optional(object({c = optional(string), d = string}))})") == []


def test_hcl_lock_files_cover_linux_and_macos() -> None:
    for lock in [*(ROOT / "envs").glob("*/.terraform.lock.hcl"), ROOT / "bootstrap" / ".terraform.lock.hcl"]:
        text = lock.read_text()
        assert "h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=" in text  # linux_amd64
        assert "h1:Ijt7pOlB7Tr7maGQIqtsLFbl7pSMIj06TVdkoSBcYOw=" in text  # darwin_arm64
        assert text.count('"zh:') >= 14, f"{lock} lacks the registry's per-platform hashes"
