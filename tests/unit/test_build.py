"""build.py: deterministic zips, a manifest Terraform can trust, clear one-line failures."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

CACHE = ROOT / "build" / "cache"  # shared dependency cache, keyed by requirement hash


def _copy_repo(target: Path, mode: int, mtime: float) -> Path:
    shutil.copy2(ROOT / "build.py", target / "build.py")
    shutil.copytree(ROOT / "lambda_src", target / "lambda_src", ignore=shutil.ignore_patterns("__pycache__"))
    for dirpath, _, filenames in os.walk(target / "lambda_src"):
        for name in filenames:
            path = Path(dirpath) / name
            path.chmod(mode)
            os.utime(path, (mtime, mtime))
    return target


def _build(repo: Path, *args: str, umask: int = 0o022) -> subprocess.CompletedProcess[str]:
    def _set_umask() -> None:
        os.umask(umask)

    return subprocess.run(
        [sys.executable, "build.py", "--cache", str(CACHE), *args],
        cwd=repo, capture_output=True, text=True, check=False, preexec_fn=_set_umask,
    )  # fmt: skip


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    first = _copy_repo(tmp_path_factory.mktemp("checkout-a"), 0o644, 1_000_000_000)
    second = _copy_repo(tmp_path_factory.mktemp("elsewhere") / ".", 0o755, 1_700_000_000)
    assert _build(first, umask=0o022).returncode == 0
    assert _build(second, umask=0o077).returncode == 0
    return first, second


def test_build_zips_and_manifest_are_identical_across_checkouts(two_builds: tuple[Path, Path]) -> None:
    first, second = two_builds
    manifest_a = (first / "build/lambda/manifest.json").read_bytes()
    assert manifest_a == (second / "build/lambda/manifest.json").read_bytes()
    zips = sorted(p.name for p in (first / "build/lambda").glob("*.zip"))
    assert zips
    for name in zips:
        assert (first / "build/lambda" / name).read_bytes() == (second / "build/lambda" / name).read_bytes(), name


def test_build_zip_entries_are_normalised(two_builds: tuple[Path, Path]) -> None:
    first, _ = two_builds
    with zipfile.ZipFile(first / "build/lambda/api_public.zip") as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert "parley/handlers/api_public.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or n.startswith("bin/")]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_build_second_run_is_a_cached_no_op(two_builds: tuple[Path, Path]) -> None:
    first, _ = two_builds
    result = _build(first)
    assert result.returncode == 0
    assert "built" not in result.stdout and "cached" in result.stdout


def test_build_check_reports_a_stale_manifest(tmp_path: Path, two_builds: tuple[Path, Path]) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(two_builds[0], repo)
    assert _build(repo, "--check").returncode == 0
    (repo / "lambda_src/parley/domain/extra.py").write_text("VALUE = 1\n")
    result = _build(repo, "--check")
    assert result.returncode == 1 and "stale" in result.stderr


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("lambda_src/functions.toml", "\n[ghost]\n"), "handler module parley.handlers.ghost not found"),
        (
            (
                "lambda_src/functions.toml",
                '\n[api_public2]\nhandler = "parley.handlers.api_public.handler"\nrequirements = ["leftpad"]\n',
            ),
            "not pinned",
        ),
        (("lambda_src/requirements.txt", "\nrequests>=2\n"), "is not pinned as name==version"),
    ],
    ids=["missing-handler", "unpinned-requirement", "unpinned-line"],
)
def test_build_failures_are_one_line_and_keep_the_manifest(
    tmp_path: Path, two_builds: tuple[Path, Path], edit: tuple[str, str], message: str
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(two_builds[0], repo)
    before = (repo / "build/lambda/manifest.json").read_bytes()
    path, addition = edit
    with (repo / path).open("a") as handle:
        handle.write(addition)
    result = _build(repo)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert (repo / "build/lambda/manifest.json").read_bytes() == before


def test_build_uninstallable_requirement_fails_in_one_line(tmp_path: Path, two_builds: tuple[Path, Path]) -> None:
    # Given a pin that no index has
    repo = tmp_path / "repo"
    shutil.copytree(two_builds[0], repo)
    before = (repo / "build/lambda/manifest.json").read_bytes()
    pins = repo / "lambda_src/requirements.txt"
    pins.write_text(pins.read_text().replace("aws-lambda-powertools==3.37.0", "aws-lambda-powertools==0.0.0"))
    # When building with an empty dependency cache
    result = subprocess.run(
        [sys.executable, "build.py", "--cache", str(tmp_path / "cache")],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    # Then one line names the function and pip's reason, and the manifest is untouched
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("build.py: api_public: cannot install")
    assert (repo / "build/lambda/manifest.json").read_bytes() == before
    assert not list((tmp_path / "cache" / "deps").iterdir())
