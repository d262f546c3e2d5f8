"""The GitHub Actions workflows call the same make targets as developers and CI, and deploy safely."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def _workflow(name: str) -> dict[str, Any]:
    return _load(GITHUB / "workflows" / name)


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    """A job's steps with local composite actions expanded in place."""
    expanded = []
    for step in job.get("steps", []):
        uses = step.get("uses", "")
        if uses.startswith("./.github/actions/"):
            action = _load(ROOT / uses / "action.yml")
            expanded += [{**inner, "from_action": uses} for inner in action["runs"]["steps"]]
        expanded.append(step)
    return expanded


def _commands(job: dict[str, Any]) -> list[str]:
    """Every shell line a job runs; a job that calls a local reusable workflow runs all of that one's jobs."""
    uses = job.get("uses", "")
    if uses.startswith("./.github/workflows/"):
        called = _load(ROOT / uses)
        return [line for inner in called["jobs"].values() for line in _commands(inner)]
    return [line.strip() for step in _steps(job) for line in str(step.get("run", "")).splitlines() if line.strip()]


def _make_calls(commands: list[str]) -> list[list[str]]:
    """The argument lists of every `make ...` command."""
    calls = []
    for command in commands:
        words = shlex.split(command.split(">>")[0].split("|")[0])
        if words and words[0] == "make":
            calls.append(words[1:])
    return calls


def _targets(call: list[str]) -> list[str]:
    return [word for word in call if "=" not in word and not word.startswith("-")]


def _makefile_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-zA-Z_-]*):", (ROOT / "Makefile").read_text(), re.M))


def _ci_targets() -> set[str]:
    commands = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    return {t for call in _make_calls([c for c in commands if c.startswith("make ")]) for t in _targets(call)}


def test_workflows_parse_and_every_make_target_exists() -> None:
    assert {p.name for p in WORKFLOWS} >= {"checks.yml", "pull-request.yml", "deploy.yml"}
    known = _makefile_targets()
    for path in WORKFLOWS:
        for name, job in _load(path)["jobs"].items():
            for call in _make_calls(_commands(job)):
                unknown = set(_targets(call)) - known
                assert not unknown, f"{path.name}:{name} calls make targets the Makefile lacks: {unknown}"


def test_workflows_checks_run_the_same_targets_as_ci_and_the_issue_names() -> None:
    (job,) = _workflow("checks.yml")["jobs"].values()
    targets = [t for call in _make_calls(_commands(job)) for t in _targets(call)]
    assert [t for t in targets if t in ("lint", "validate", "test")] == ["lint", "validate", "test"]
    assert _ci_targets() <= set(targets), "the checks job must run every make target .ci/run runs"


def test_workflows_pull_request_checks_then_plans_dev_with_summary_and_artifact() -> None:
    workflow = _workflow("pull-request.yml")
    assert "pull_request" in workflow["on"]
    jobs = workflow["jobs"]
    assert jobs["checks"]["uses"] == "./.github/workflows/checks.yml"
    plan = jobs["plan-dev"]
    assert plan["needs"] == "checks"
    assert plan["permissions"]["id-token"] == "write" and plan["permissions"]["pull-requests"] == "write"
    calls = _make_calls(_commands(plan))
    assert calls.index(["plan", "ENV=dev"]) < calls.index(["summary", "ENV=dev"])
    assert not any("apply" in _targets(call) for call in calls), "a pull request must never apply"
    steps = _steps(plan)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert ".parley/plans/dev.tfplan" in upload["with"]["path"]
    assert upload["with"]["include-hidden-files"] is True, "upload-artifact skips .parley/ unless told otherwise"
    assert any("$GITHUB_STEP_SUMMARY" in str(s.get("run", "")) for s in steps)
    comment = next(s for s in steps if s.get("uses", "").startswith("actions/github-script@"))
    assert "createComment" in comment["with"]["script"] and "updateComment" in comment["with"]["script"]


def test_workflows_push_to_main_applies_dev_from_a_fresh_plan() -> None:
    workflow = _workflow("deploy.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    job = workflow["jobs"]["apply-dev"]
    assert job["needs"] == "checks" and job["environment"] == "dev"
    assert "push" in job["if"]
    calls = _make_calls(_commands(job))
    assert calls.index(["plan", "ENV=dev"]) < calls.index(["apply", "ENV=dev"])


def test_workflows_prod_only_by_hand_from_main_through_its_environment() -> None:
    workflow = _workflow("deploy.yml")
    assert "workflow_dispatch" in workflow["on"]
    job = workflow["jobs"]["apply-prod"]
    assert job["environment"] == "prod"
    assert "workflow_dispatch" in job["if"] and "refs/heads/main" in job["if"]
    calls = _make_calls(_commands(job))
    assert calls.index(["plan", "ENV=prod"]) < calls.index(["apply", "ENV=prod"])
    for name, other in workflow["jobs"].items():
        if name != "apply-prod":
            assert ["apply", "ENV=prod"] not in _make_calls(_commands(other)), f"{name} must not apply prod"


def test_workflows_applies_to_one_env_never_overlap_and_plan_first() -> None:
    applied = set()
    for path in WORKFLOWS:
        for name, job in _load(path)["jobs"].items():
            calls = _make_calls(_commands(job))
            for call in calls:
                if "apply" not in _targets(call):
                    continue
                (env,) = [word.split("=", 1)[1] for word in call if word.startswith("ENV=")]
                applied.add(env)
                assert job["concurrency"] == {"group": f"terraform-{env}", "cancel-in-progress": False}, name
                assert job["environment"] == env, f"{path.name}:{name} applies {env} outside its GitHub environment"
                assert ["plan", f"ENV={env}"] in calls[: calls.index(call)], (
                    f"{name} applies {env} without a fresh plan"
                )
    assert applied >= {"dev", "prod"}


def test_workflows_reach_aws_only_through_oidc_role_assumption() -> None:
    for path in [*WORKFLOWS, *GITHUB.glob("actions/*/action.yml")]:
        text = path.read_text()
        assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text, path.name
    aws = _load(GITHUB / "actions" / "aws" / "action.yml")
    configure = next(
        s for s in aws["runs"]["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
    )
    assert configure["with"]["role-to-assume"] == "${{ inputs.role-arn }}"
    for path in WORKFLOWS:
        for name, job in _load(path)["jobs"].items():
            calls = _make_calls(_commands(job))
            if any(t in ("plan", "apply") for call in calls for t in _targets(call)):
                uses = [s.get("uses") for s in job["steps"]]
                assert "./.github/actions/aws" in uses, f"{path.name}:{name} plans without the OIDC role"
                assert job["permissions"]["id-token"] == "write", f"{path.name}:{name} cannot get an OIDC token"
                aws_step = next(s for s in job["steps"] if s.get("uses") == "./.github/actions/aws")
                assert aws_step["with"] == {"role-arn": "${{ vars.AWS_ROLE_ARN }}", "region": "${{ vars.AWS_REGION }}"}


def _variables_check() -> str:
    aws = _load(GITHUB / "actions" / "aws" / "action.yml")
    return str(next(s for s in aws["runs"]["steps"] if "ROLE_ARN" in s.get("env", {}))["run"])


@pytest.mark.parametrize(
    ("role", "region", "expected"),
    [
        ("", "", ["AWS_ROLE_ARN", "AWS_REGION"]),
        ("arn:aws:iam::123456789012:role/parley-deploy-dev", "", ["AWS_REGION"]),
        ("", "eu-west-1", ["AWS_ROLE_ARN"]),
        ("parley-deploy-dev", "eu-west-1", ["must be an IAM role ARN"]),
    ],
)
def test_workflows_fail_clearly_when_variables_are_missing(role: str, region: str, expected: list[str]) -> None:
    environ = dict(os.environ, ROLE_ARN=role, REGION=region)
    result = subprocess.run(
        ["bash", "-c", _variables_check()], env=environ, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert errors and all(any(e in line for line in errors) for e in expected)


def test_workflows_variables_check_passes_with_both_set() -> None:
    environ = dict(os.environ, ROLE_ARN="arn:aws:iam::123456789012:role/parley-deploy-dev", REGION="eu-west-1")
    result = subprocess.run(
        ["bash", "-c", _variables_check()], env=environ, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout


def test_workflows_provider_cache_is_keyed_on_the_lock_files() -> None:
    setup = _load(GITHUB / "actions" / "setup" / "action.yml")
    cache = next(s for s in setup["runs"]["steps"] if s.get("uses", "").startswith("actions/cache@"))
    assert "hashFiles('**/.terraform.lock.hcl')" in cache["with"]["key"]
    assert any("TF_PLUGIN_CACHE_DIR" in str(s.get("run", "")) for s in setup["runs"]["steps"])
    assert list(ROOT.glob("envs/*/.terraform.lock.hcl")), "no lock files to key the cache on"


def _signature(command: str) -> set[str]:
    """A command's program, subcommands and flags, without the paths it is given."""
    for prefix in ("$(VENV)/bin/", ".venv/bin/", "$(PY) -m ", "python -m "):
        command = command.replace(prefix, "")
    return {w for w in command.split() if not (ROOT / w).exists() and w != "--quiet"}


def test_workflows_pre_commit_runs_the_same_checks_as_make_lint() -> None:
    recipe = re.search(r"^lint:.*?\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)
    assert recipe
    lint = [line.strip().lstrip("@") for line in recipe.group(1).splitlines() if "$(need" not in line]
    assert len(lint) >= 6
    repos = _load(ROOT / ".pre-commit-config.yaml")["repos"]
    hooks = [_signature(h["entry"]) for repo in repos if repo["repo"] == "local" for h in repo["hooks"]]
    for command in lint:
        assert any(_signature(command) <= hook for hook in hooks), f"no pre-commit hook runs: {command}"
    hygiene = {h["id"] for repo in repos if repo["repo"] != "local" for h in repo["hooks"]}
    assert {"trailing-whitespace", "end-of-file-fixer", "check-merge-conflict"} <= hygiene


def test_workflows_apply_prod_outside_ci_needs_confirm(tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k not in ("CI", "CONFIRM")}
    environ["PARLEY_HOME"] = str(tmp_path)
    command = [sys.executable, "-m", "tools.parley", "apply", "prod"]
    refused = subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True, check=False)
    assert refused.returncode == 1 and "CONFIRM=prod" in refused.stderr
    confirmed = subprocess.run(
        command, cwd=ROOT, env={**environ, "CONFIRM": "prod"}, capture_output=True, text=True, check=False
    )
    assert "CONFIRM=prod" not in confirmed.stderr
