"""The policy scan of every Terraform folder: checkov with .checkov.yaml.

    python3 -m tools.policy_scan [extra checkov arguments]

checkov lives in its own virtualenv (``.venv-checkov``, made by ``make lint``
from requirements-checkov.txt) because its pinned dependencies clash with the
project's tools; ``CHECKOV`` names another binary. Exits with checkov's code:
0 only when no check failed. Then it prints how many inline skips
(``#checkov:skip=ID:reason``) each check id has, so a new skip shows in review
(tests/static/test_policy_scan.py pins the counts).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter

from tools.tfenv import ROOT, ToolError

CONFIG = ROOT / ".checkov.yaml"
VENV_BINARY = ROOT / ".venv-checkov" / "bin" / "checkov"
FOLDERS = ("modules", "envs", "bootstrap")  # .checkov.yaml's directories
SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+):(.*)$")
PARSING_ERRORS = re.compile(r"Parsing errors: (\d+)")


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


def inline_skips() -> list[tuple[str, str, str]]:
    """Every inline skip of the scanned folders: (file:line, check id, reason)."""
    return [
        (f"{path.relative_to(ROOT)}:{number}", match[1], match[2].strip())
        for folder in FOLDERS
        for path in sorted((ROOT / folder).rglob("*.tf"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if (match := SKIP.search(line))
    ]


def skip_counts() -> dict[str, int]:
    """How many inline skips each check id has."""
    return dict(sorted(Counter(check for _, check, _ in inline_skips()).items()))


def main(argv: list[str] | None = None) -> int:
    try:
        result = scan(list(sys.argv[1:] if argv is None else argv))
    except ToolError as exc:
        print(f"policy_scan: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    counts = skip_counts()
    listed = ", ".join(f"{check} {count}" for check, count in counts.items())
    print(f"policy_scan: {sum(counts.values())} inline skips: {listed}")
    if result.returncode != 0:
        print(
            "policy_scan: failed checks above: fix them, or skip one inline with '#checkov:skip=ID:reason'",
            file=sys.stderr,
        )
        return result.returncode
    # A file checkov cannot parse is not scanned at all: its resources would pass unseen.
    if unparsed := max((int(n) for n in PARSING_ERRORS.findall(result.stdout)), default=0):
        print(
            f"policy_scan: checkov could not parse {unparsed} file(s), so their checks did not run "
            "(LOG_LEVEL=DEBUG names them; nested quoted templates inside ${...} are a known cause)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
