"""The policy scan of every Terraform folder: checkov with .checkov.yaml.

    python3 -m tools.policy_scan [extra checkov arguments]

checkov lives in its own virtualenv (``.venv-checkov``, made by ``make lint``
from requirements-checkov.txt) because its pinned dependencies clash with the
project's tools; ``CHECKOV`` names another binary. Exits with checkov's code:
0 only when no check failed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from tools.tfenv import ROOT, ToolError

CONFIG = ROOT / ".checkov.yaml"
VENV_BINARY = ROOT / ".venv-checkov" / "bin" / "checkov"


def checkov_binary() -> str:
    for candidate in (os.environ.get("CHECKOV", ""), str(VENV_BINARY), shutil.which("checkov") or ""):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise ToolError("checkov not found: run 'make lint' (installs it into .venv-checkov) or set CHECKOV")


def scan(extra: list[str]) -> subprocess.CompletedProcess[str]:
    """Run checkov from the repository root; its report is captured."""
    environ = dict(os.environ, BC_SKIP_MAPPING="TRUE", CHECKOV_RUN_SCA_PACKAGE_SCAN_V2="false")
    command = [checkov_binary(), "--config-file", str(CONFIG), *extra]
    return subprocess.run(command, cwd=ROOT, env=environ, text=True, capture_output=True, check=False)


def main(argv: list[str] | None = None) -> int:
    try:
        result = scan(list(sys.argv[1:] if argv is None else argv))
    except ToolError as exc:
        print(f"policy_scan: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode != 0:
        print(
            "policy_scan: failed checks above: fix them, or skip one inline with '#checkov:skip=ID:reason'",
            file=sys.stderr,
        )
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
