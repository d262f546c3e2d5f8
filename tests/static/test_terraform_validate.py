"""terraform fmt -check and terraform validate for every module and root, in parallel."""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tools.tfenv import envs, terraform_binary, terraform_env

FOLDERS = [
    *sorted(p for p in (ROOT / "modules").iterdir() if (p / "main.tf").is_file()),
    *(ROOT / "envs" / name for name in envs()),  # envs/shared is validated through each of them
    ROOT / "bootstrap",
]


# A module that takes aliased providers (configuration_aliases) is validated as
# a root, which must then configure those aliases itself.
ALIAS_PROVIDERS = """
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}
"""


def _validate(folder: Path, copy: Path) -> tuple[str, str]:
    """Validate a copy of ``folder`` (init writes lock files; the repo stays untouched)."""
    label = str(folder.relative_to(ROOT))
    versions = copy / "versions.tf"
    if versions.is_file() and "configuration_aliases" in versions.read_text():
        # A sibling copy, so callers of the module (the envs) still see it without provider blocks.
        root = copy.with_name(f"{copy.name}-as-root")
        shutil.copytree(copy, root)
        (root / "zz_validate_providers.tf").write_text(ALIAS_PROVIDERS)
        copy = root
    environ = terraform_env(f"validate-{label.replace('/', '-')}")
    binary = terraform_binary()
    for args in (["init", "-backend=false", "-input=false"], ["validate", "-no-color"]):
        result = subprocess.run(
            [binary, f"-chdir={copy}", *args], env=environ, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            return label, f"terraform {args[0]}: {result.stderr.strip() or result.stdout.strip()}"
    return label, ""


@pytest.fixture(scope="module")
def validation(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("validate")
    for tree in ("modules", "envs", "bootstrap"):
        shutil.copytree(ROOT / tree, work / tree, symlinks=False, ignore=shutil.ignore_patterns(".terraform"))
    copies = [work / folder.relative_to(ROOT) for folder in FOLDERS]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(_validate, FOLDERS, copies))


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_terraform_validate_passes(validation: dict[str, str], folder: Path) -> None:
    assert validation[str(folder.relative_to(ROOT))] == ""


def test_terraform_fmt_is_clean() -> None:
    result = subprocess.run(
        [terraform_binary(), "fmt", "-check", "-recursive", "-list=true", "modules", "envs", "bootstrap"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.stdout.split() == [], "run 'make fmt'"
