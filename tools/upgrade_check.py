"""Prove that an applied stack upgrades in place: no stateful resource destroyed or replaced.

    python3 -m tools.upgrade_check [--from REV] [--keep]

Exports REV (default: the merge base of HEAD and main) with ``git archive``,
applies its bootstrap and envs/local to a private emulator on a free port with
its own PARLEY_HOME, then plans this working tree's bootstrap and envs/local
against the same state. Prints one line per stateful resource the plans would
destroy or replace and exits 1 if there is any; otherwise one summary line per
plan. Both trees use this tree's build/lambda ('make build' first), so code
changes do not show as changes. Everything it starts is stopped, and its
folder removed unless --keep.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools import emulator as emu
from tools import tfout
from tools.tfenv import ROOT, ToolError, backend_settings, terraform_binary, terraform_env

ARTIFACTS = ROOT / "build" / "lambda"
# Resources that must survive an upgrade: they hold data, or an identity clients
# and other resources depend on (a function replaced by a rename loses both).
STATEFUL_TYPES = frozenset({
    "aws_dynamodb_table", "aws_s3_bucket", "aws_s3_bucket_versioning", "aws_cognito_user_pool",
    "aws_cognito_user_pool_client", "aws_cognito_identity_pool", "aws_secretsmanager_secret",
    "aws_secretsmanager_secret_version", "aws_cloudwatch_log_group", "aws_sqs_queue", "aws_sns_topic",
    "aws_kms_key", "aws_eip", "aws_lambda_function", "aws_apigatewayv2_api",
})  # fmt: skip


@dataclass(frozen=True)
class Root:
    """One terraform root of one tree, run against the private emulator."""

    label: str
    folder: Path
    data_dir: str


def say(message: str) -> None:
    print(f"upgrade-check: {message}", flush=True)


def merge_base() -> str:
    result = subprocess.run(
        ["git", "merge-base", "HEAD", "main"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise ToolError("no merge base with main: pass FROM=<git rev> (e.g. make upgrade-check FROM=HEAD~3)")
    return result.stdout.strip()


def export(rev: str, target: Path) -> None:
    """The tree of ``rev`` (symlinks included) extracted into ``target``."""
    result = subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT, capture_output=True, check=False)
    if result.returncode != 0:
        raise ToolError(f"git archive {rev} failed: {result.stderr.decode().strip() or 'unknown revision'}")
    target.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(result.stdout)) as archive:
        archive.extractall(target, filter="data")


def terraform(root: Root, args: Sequence[str], environ: dict[str, str]) -> str:
    result = subprocess.run(
        [terraform_binary(), f"-chdir={root.folder}", *tfout.no_color(args, terminal=False)],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ToolError(f"terraform {args[0]} of {root.label} failed: {tfout.error_text(result.stderr)}")
    return result.stdout


def bootstrap_variables(envs_dir: Path) -> list[str]:
    settings = backend_settings("local", envs_dir)
    variables = {
        "env": "local",
        "region": settings["region"],
        "state_bucket_name": settings["bucket"],
        "emulator": "true",
    }
    if "dynamodb_table" in settings:
        variables["lock_table_name"] = settings["dynamodb_table"]
    return [f"-var={key}={value}" for key, value in variables.items()]


def init(root: Root, environ: dict[str, str], state: Path | None) -> None:
    backend = f"-backend-config=path={state}" if state else "-backend-config=backend.hcl"
    terraform(root, ["init", "-input=false", "-reconfigure", backend], environ)


def apply_old(tree: Path, base: Path, endpoint: str) -> None:
    state = base / "bootstrap.tfstate"
    bootstrap = Root("bootstrap (old)", tree / "bootstrap", "old-bootstrap")
    environ = terraform_env(bootstrap.data_dir, endpoint, base)
    init(bootstrap, environ, state)
    terraform(bootstrap, ["apply", "-input=false", "-auto-approve", *bootstrap_variables(tree / "envs")], environ)
    stack = Root("envs/local (old)", tree / "envs" / "local", "old-local")
    environ = terraform_env(stack.data_dir, endpoint, base)
    init(stack, environ, None)
    terraform(stack, ["apply", "-input=false", "-auto-approve", f"-var=artifacts_dir={ARTIFACTS}"], environ)


def plan(root: Root, base: Path, endpoint: str, state: Path | None, extra: Sequence[str]) -> dict[str, Any]:
    environ = terraform_env(root.data_dir, endpoint, base)
    init(root, environ, state)
    plan_file = base / f"{root.data_dir}.tfplan"
    terraform(root, ["plan", "-input=false", f"-out={plan_file}", *extra], environ)
    return json.loads(terraform(root, ["show", "-json", str(plan_file)], environ))  # type: ignore[no-any-return]


def findings(label: str, planned: dict[str, Any]) -> tuple[list[str], str]:
    """Lines for stateful resources destroyed or replaced, and a one-line summary of the plan."""
    problems, counts = [], Counter[str]()
    for change in planned.get("resource_changes", []):
        actions = change["change"]["actions"]
        kind = (
            "replace"
            if {"create", "delete"} <= set(actions)
            else actions[0]
            if len(actions) == 1
            else "-".join(actions)
        )
        counts[kind] += 1
        if change.get("previous_address"):
            counts["moved"] += 1
        if "delete" in actions and change["type"] in STATEFUL_TYPES:
            verb = "replaced" if kind == "replace" else "destroyed"
            problems.append(f"{label}: {change['address']} ({change['type']}) would be {verb}")
    shown = ", ".join(
        f"{counts[k]} {k}" for k in ("no-op", "update", "create", "delete", "replace", "moved") if counts[k]
    )
    return problems, f"{label}: {shown or 'nothing planned'}"


def check(rev: str, keep: bool) -> int:
    if not (ARTIFACTS / "manifest.json").is_file():
        raise ToolError("no build/lambda/manifest.json: run 'make build' first")
    work = Path(tempfile.mkdtemp(prefix="parley-upgrade-"))
    base, tree = work / "home", work / "old"
    emulator = emu.Emulator(base, emu.free_port())
    started = time.monotonic()
    try:
        export(rev, tree)
        say(f"exported {rev[:12]} to {tree}; emulator {emu.start(emulator)} at {emulator.endpoint}")
        apply_old(tree, base, emulator.endpoint)
        say(f"applied the old bootstrap and envs/local in {time.monotonic() - started:.0f}s")
        plans = {
            "bootstrap": plan(
                Root("bootstrap", ROOT / "bootstrap", "new-bootstrap"),
                base,
                emulator.endpoint,
                base / "bootstrap.tfstate",
                bootstrap_variables(ROOT / "envs"),
            ),
            "envs/local": plan(
                Root("envs/local", ROOT / "envs" / "local", "new-local"),
                base,
                emulator.endpoint,
                None,
                [f"-var=artifacts_dir={ARTIFACTS}"],
            ),
        }
    finally:
        emu.stop(emulator)
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    problems = []
    for label, planned in plans.items():
        found, summary = findings(label, planned)
        problems += found
        say(summary)
    for line in problems:
        print(line)
    say(
        f"{len(problems)} stateful resource(s) destroyed or replaced from {rev[:12]}"
        if problems
        else f"no stateful resource destroyed or replaced from {rev[:12]} ({time.monotonic() - started:.0f}s)"
    )
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="upgrade_check", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--from", dest="rev", default="", help="git revision to upgrade from (default: merge base with main)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the exported tree and state for inspection")
    args = parser.parse_args(argv)
    try:
        return check(args.rev or merge_base(), args.keep)
    except ToolError as exc:
        print(f"upgrade-check: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
