"""Test-suite and local-stack benchmark: where `make test` and `make up` spend their time. Prints tables; not a test.

    .venv/bin/python bench/suite.py [--tiers static,unit,fuzz,plan,e2e,validate] [--full] [--no-up] [--cold]
                                       [--repo DIR]
    make bench-suite

- Each tier runs alone (pytest with the project's settings), timed in wall and CPU seconds (user + sys of every
  process it started, terraform, the emulator and the local runtime included).
- ``--full`` also runs the whole suite at once, as `make test` does.
- Python runs as under `make test` (compiled modules kept under build/pycache), and the plan tier reads its cached
  plans when their inputs did not change (tests/plan/harness.py). ``--cold`` measures a fresh clone instead: no
  cached plans, and compiled Python kept only for the run.
- The ten slowest setups and calls come from pytest's ``--durations`` of the tier runs.
- `make up` is timed on a fresh copy of the tree (no build/, no run-time folder; the venv linked in): the cold
  package build, the first `up`, a second `up` and `down`, on free private ports with their own PARLEY_HOME, so a
  developer's running stack is never touched.

The load average is printed with every run: other work on the machine inflates wall times far more than CPU times.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIERS = {
    "static": ["tests/static", "--ignore=tests/static/test_terraform_validate.py"],
    "unit": ["tests/unit"],
    "fuzz": ["tests/fuzz"],
    "plan": ["tests/plan"],
    "e2e": ["tests/e2e"],
    "validate": ["tests/static/test_terraform_validate.py"],
}
DURATION = re.compile(r"^\s*([\d.]+)s (setup|call|teardown)\s+(\S.*)$")
SUMMARY = re.compile(r"=+ (.*?) in [\d.]+s")
PR_SET_CHILD_SUBREAPER = 36


@dataclass
class Run:
    name: str
    wall: float
    cpu: float
    result: str
    load: str


def load_average() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def adopt_orphans() -> None:
    """Become the subreaper of everything started below, so detached servers' CPU time is counted when reaped."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(name: str, command: list[str], cwd: Path, environ: dict[str, str]) -> tuple[Run, str]:
    """Run ``command``; its wall and CPU seconds, a one-line result, and its output."""
    load = load_average()
    cpu, started = children_cpu(), time.monotonic()
    result = subprocess.run(command, cwd=cwd, env=environ, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    reap()
    output = result.stdout + result.stderr
    found = SUMMARY.findall(output)
    summary = found[-1] if found else (output.strip().splitlines() or ["no output"])[-1]
    status = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
    return Run(name, wall, children_cpu() - cpu, f"{status}: {summary}"[:90], load), output


def durations(output: str) -> list[tuple[float, str, str]]:
    return [(float(m[1]), m[2], m[3].strip()) for m in map(DURATION.match, output.splitlines()) if m]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def fresh_copy(repo: Path) -> Iterator[Path]:
    """The repository's files (tracked and new, not ignored) in a temporary folder, its venv linked in."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=repo, capture_output=True, check=True
    ).stdout.decode()
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as folder:
        copy = Path(folder) / "parley"
        for name in filter(None, listed.split("\0")):
            source = repo / name
            if source.is_file() or source.is_symlink():
                (copy / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, copy / name, follow_symlinks=False)
        (copy / ".venv").symlink_to(repo / ".venv")
        yield copy


def stack_runs(repo: Path, python: str) -> list[Run]:
    """Cold build, first `make up`, second `make up`, `make down` on a fresh copy with private ports and home."""
    runs: list[Run] = []
    with fresh_copy(repo) as copy:
        environ = {
            **os.environ,
            "PARLEY_HOME": str(copy / ".parley"),
            "PARLEY_EMULATOR_PORT": str(free_port()),
            "PARLEY_GATEWAY_PORT": str(free_port()),
        }
        # `make up` is `make setup build` then `parley up`; the venv exists, so setup has nothing to do.
        steps = [
            ("build (cold)", [python, "build.py"]),
            ("make up (fresh)", [python, "-m", "tools.parley", "up"]),
            ("make up (second)", [python, "-m", "tools.parley", "up"]),
            ("make down", [python, "-m", "tools.parley", "down"]),
        ]
        try:
            for name, command in steps:
                run, output = timed(name, command, copy, environ)
                runs.append(row(run))
                if not run.result.startswith("ok"):
                    print(output[-2000:], file=sys.stderr)
                    break
        finally:
            if not runs or runs[-1].name != "make down" or not runs[-1].result.startswith("ok"):
                timed("cleanup", [python, "-m", "tools.parley", "down"], copy, environ)
    return runs


def heading(title: str) -> None:
    print(f"\n{title}\n\n| step | wall s | CPU s | load (1/5/15) | result |\n|---|---:|---:|---|---|", flush=True)


def row(run: Run) -> Run:
    print(f"| {run.name} | {run.wall:.1f} | {run.cpu:.1f} | {run.load} | {run.result} |", flush=True)
    return run


def slowest(samples: list[tuple[float, str, str]], when: str, count: int = 10) -> None:
    print(f"\nten slowest {when}s\n")
    print("| s | test |\n|---:|---|")
    for seconds, _, test in sorted((s for s in samples if s[1] == when), reverse=True)[:count]:
        print(f"| {seconds:.1f} | {test} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiers", default=",".join(TIERS), help="comma-separated tiers to run alone (or 'none')")
    parser.add_argument("--full", action="store_true", help="also run the whole suite at once, as `make test`")
    parser.add_argument("--no-up", action="store_true", help="skip the make up / make down timings")
    parser.add_argument("--repo", type=Path, default=ROOT, help="tree to measure (default: this one)")
    parser.add_argument(
        "--cold", action="store_true", help="as a fresh clone runs: no cached plans, no compiled Python kept"
    )
    args = parser.parse_args()
    tiers = [] if args.tiers == "none" else args.tiers.split(",")
    unknown = sorted(set(tiers) - set(TIERS))
    if unknown:
        parser.error(f"unknown tier(s) {', '.join(unknown)}: use {', '.join(TIERS)}")
    repo = args.repo.resolve()
    python = str(repo / ".venv" / "bin" / "python")
    if not Path(python).is_file():
        parser.error(f"{python} is missing: run 'make setup' first")
    adopt_orphans()
    environ = dict(os.environ)
    # As the Makefile sets them for `make test`: compiled Python kept under build/pycache.
    environ.update(PYTHONPYCACHEPREFIX=str(repo / "build" / "pycache"), PYTHONDONTWRITEBYTECODE="")
    cold = tempfile.TemporaryDirectory(prefix="parley-bench-pycache-") if args.cold else None
    if cold is not None:
        environ.update(PYTHONPYCACHEPREFIX=cold.name, PARLEY_PLAN_CACHE="0")
    print(f"parley bench: {os.cpu_count()} CPUs, load {load_average()}, {'cold' if cold else 'warm'} caches")

    heading("tiers (each alone)")
    row(timed("build", [python, "build.py"], repo, environ)[0])
    samples: list[tuple[float, str, str]] = []
    for tier in tiers:
        run, output = timed(tier, [python, "-m", "pytest", *TIERS[tier], "--durations=0"], repo, environ)
        row(run)
        samples += durations(output)
    if args.full:
        row(timed("make test (all tiers)", [python, "-m", "pytest"], repo, environ)[0])
    if samples:
        slowest(samples, "setup")
        slowest(samples, "call")
    if not args.no_up:
        heading("local stack (fresh copy, private ports and PARLEY_HOME)")
        stack_runs(repo, python)
    if cold is not None:
        cold.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
