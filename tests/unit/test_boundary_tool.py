"""`make plan ENV=<real env>` gives the stack the permissions boundary its env's bootstrap created."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from tools import boundary, local, parley
from tools.tfenv import ENVS_DIR, ToolError

BACKEND = 'bucket = "b"\nkey = "k"\nregion = "eu-west-1"\ndynamodb_table = "t"\n'


def _envs(tmp_path: Path, env: str, bootstrap: str | None) -> Path:
    folder = tmp_path / env
    folder.mkdir()
    (folder / "backend.hcl").write_text(BACKEND)
    if bootstrap is not None:
        (folder / "bootstrap.tfvars").write_text(bootstrap)
    return tmp_path


@pytest.fixture(autouse=True)
def _no_preset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(boundary.VARIABLE, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def test_boundary_tool_names_the_env_boundary_in_the_caller_account(tmp_path: Path) -> None:
    # Given a bootstrap that created prod's deploy role (and so its boundary)
    envs = _envs(tmp_path, "prod", 'github = {\n  repository = "my-org/parley"\n}\n')
    # When the tooling prepares prod's plan with credentials of account 123456789012 (moto's)
    with mock_aws():
        variables = boundary.environment("prod", envs)
    # Then the stack's roles get that account's parley-boundary-prod
    assert variables == {boundary.VARIABLE: "arn:aws:iam::123456789012:policy/parley-boundary-prod"}


def test_boundary_tool_follows_the_bootstrap_app_name(tmp_path: Path) -> None:
    envs = _envs(tmp_path, "staging", 'github = {\n  repository = "my-org/chat"\n  app = "chat"\n}\n')
    with mock_aws():
        variables = boundary.environment("staging", envs)
    assert variables == {boundary.VARIABLE: "arn:aws:iam::123456789012:policy/chat-boundary-staging"}


@pytest.mark.parametrize(
    "bootstrap",
    [None, "", '# github = {\n#   repository = "my-org/parley"\n# }\n'],
    ids=["no-file", "empty", "commented"],
)
def test_boundary_tool_sets_nothing_without_a_deploy_role(tmp_path: Path, bootstrap: str | None) -> None:
    # No STS call is made: mock_aws is not active, and none is needed.
    assert boundary.environment("dev", _envs(tmp_path, "dev", bootstrap)) == {}


def test_boundary_tool_keeps_an_explicit_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(boundary.VARIABLE, "arn:aws:iam::111122223333:policy/custom")
    envs = _envs(tmp_path, "prod", 'github = {\n  repository = "my-org/parley"\n}\n')
    assert boundary.environment("prod", envs) == {}


def test_boundary_tool_the_repository_envs_have_no_deploy_role_yet() -> None:
    # envs/<env>/bootstrap.tfvars ship with `github` commented out.
    for env in ("dev", "prod"):
        assert (ENVS_DIR / env / "bootstrap.tfvars").is_file()
        assert boundary.bootstrap_app(env) is None


def test_boundary_tool_bad_settings_and_sts_failures_are_one_line_errors(tmp_path: Path) -> None:
    envs = _envs(tmp_path, "prod", "github = {\n  repository = \n")
    with pytest.raises(ToolError, match=r"bootstrap.tfvars is not valid HCL") as error:
        boundary.environment("prod", envs)
    assert "\n" not in str(error.value)

    class FailingSts:
        def get_caller_identity(self) -> dict[str, Any]:
            raise RuntimeError("ExpiredToken: the security token included in the request is expired")

    with pytest.raises(ToolError, match=r"could not read the AWS account for ENV=prod from STS: ExpiredToken"):
        boundary.boundary_arn("prod", "parley", FailingSts())


def test_boundary_tool_make_plan_passes_the_boundary_to_terraform(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given prod's bootstrap made a deploy role (stood in for by the lookup) and credentials exist
    seen: dict[str, str] = {}
    monkeypatch.setattr(parley, "check_credentials", lambda env: None)
    monkeypatch.setattr(parley, "terraform_binary", lambda: "terraform")
    monkeypatch.setattr(
        boundary, "environment", lambda env: {boundary.VARIABLE: f"arn:aws:iam::1:policy/p-boundary-{env}"}
    )
    monkeypatch.setattr(local.Workspace, "init", lambda self: None)

    def plan(self: local.Workspace, **_: Any) -> int:
        seen.update(self.environ)
        return 0

    monkeypatch.setattr(local.Workspace, "plan", plan)
    # When prod is planned
    assert parley.main(["plan", "prod"]) == 0
    # Then terraform runs with the stack's boundary set
    assert seen[boundary.VARIABLE] == "arn:aws:iam::1:policy/p-boundary-prod"
