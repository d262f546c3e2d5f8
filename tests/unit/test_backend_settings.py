"""backend.hcl as the tooling reads it: a DynamoDB lock table, S3 lock files, or both; never no lock."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.tfenv import ToolError, backend_settings

BASE = 'bucket = "acme-qa-tfstate"\nkey = "acme/qa.tfstate"\nregion = "eu-west-1"\n'


def _envs(tmp_path: Path, text: str) -> Path:
    (tmp_path / "qa").mkdir()
    (tmp_path / "qa" / "backend.hcl").write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("lock", "table"),
    [
        ('dynamodb_table = "acme-qa-tflock"\n', "acme-qa-tflock"),
        ("use_lockfile = true # S3 lock files\n", None),
        ('dynamodb_table = "acme-qa-tflock"\nuse_lockfile   = true\n', "acme-qa-tflock"),
    ],
)
def test_backend_settings_accept_a_lock_table_lock_files_or_both(tmp_path: Path, lock: str, table: str | None) -> None:
    settings = backend_settings("qa", _envs(tmp_path, BASE + lock))
    assert (settings["bucket"], settings["key"], settings["region"]) == (
        "acme-qa-tfstate",
        "acme/qa.tfstate",
        "eu-west-1",
    )
    assert settings.get("dynamodb_table") == table


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BASE, "locks state with nothing: set dynamodb_table (a DynamoDB lock table) or use_lockfile = true"),
        (BASE + "use_lockfile = false\n", "locks state with nothing"),
        (BASE + 'use_lockfile = "yes"\n', "use_lockfile must be true or false, not 'yes'"),
        ('key = "acme/qa.tfstate"\nregion = "eu-west-1"\nuse_lockfile = true\n', "has no 'bucket' setting"),
    ],
)
def test_backend_settings_refuse_a_backend_without_a_lock(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ToolError, match=message.replace("(", r"\(").replace(")", r"\)")):
        backend_settings("qa", _envs(tmp_path, text))


def test_backend_settings_of_every_shipped_env_lock_with_a_table() -> None:
    for env in ("local", "dev", "staging", "prod"):
        assert backend_settings(env)["dynamodb_table"] == f"parley-{env}-tflock"
