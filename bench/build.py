"""Benchmark of build.py: cold build, warm no-op, and a determinism check.

    python3 bench/build.py

Cold = empty artifact folder and empty dependency cache (pip installs the arm64
wheels); warm = the same command again (nothing changed); determinism = two
builds from copies that differ in mtimes, modes, umask and path, compared by
SHA-256. Prints figures; never fails a test run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def copy(target: Path, mode: int, mtime: float) -> Path:
    target.mkdir(parents=True)
    shutil.copy2(ROOT / "build.py", target / "build.py")
    shutil.copytree(ROOT / "lambda_src", target / "lambda_src", ignore=shutil.ignore_patterns("__pycache__"))
    for dirpath, _, names in os.walk(target / "lambda_src"):
        for name in names:
            path = Path(dirpath) / name
            path.chmod(mode)
            os.utime(path, (mtime, mtime))
    return target


def timed(repo: Path, cache: Path, umask: int = 0o022) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "build.py", "--cache", str(cache)], cwd=repo, check=True,
        stdout=subprocess.DEVNULL, preexec_fn=lambda: os.umask(umask),
    )  # fmt: skip
    return time.perf_counter() - started


def digests(repo: Path) -> dict[str, str]:
    out = repo / "build" / "lambda"
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.iterdir())
        if p.suffix in {".zip", ".json"}
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        a = copy(work / "a", 0o644, 1_000_000_000)
        b = copy(work / "deep" / "other" / "b", 0o755, 1_700_000_000)
        cold = timed(a, work / "cache-a")
        warm = timed(a, work / "cache-a")
        second = timed(b, work / "cache-b", umask=0o077)
        same = digests(a) == digests(b)
        total = sum((a / "build/lambda" / n).stat().st_size for n in digests(a) if n.endswith(".zip"))
        print(f"functions          {len(digests(a)) - 1}")
        print(f"total zip size     {total / 1e6:.2f} MB")
        print(f"cold build         {cold:.2f} s (empty cache: installs arm64 wheels)")
        print(f"warm no-op         {warm:.2f} s")
        print(f"second checkout    {second:.2f} s (own empty cache, umask 077, modes 0755)")
        print(f"byte-identical     {'yes' if same else 'NO'} ({len(digests(a))} files compared by SHA-256)")


if __name__ == "__main__":
    main()
