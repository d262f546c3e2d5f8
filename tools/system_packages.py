"""The Debian packages some checks run for real: coturn (TURN server), shellcheck, caddy and chromium.

``python3 -m tools.system_packages coturn shellcheck caddy chromium`` makes sure their
commands exist. A missing one is installed with apt-get when this process is
root (quiet, non-interactive, without recommends, and without starting the
packages' system services); otherwise it prints one line saying what to install. Nothing is done,
and no root is needed, when the commands are already there. Tests call
``ensure`` the same way and skip with the returned reason (or fail under CI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

# Debian package -> the command the checks run.
COMMANDS = {"caddy": "caddy", "chromium": "chromium", "coturn": "turnserver", "shellcheck": "shellcheck"}
# Packages that bring a system service which must not start on install.
SERVICES = {"caddy": "caddy.service", "coturn": "coturn.service"}

POLICY_RC_D = Path("/usr/sbin/policy-rc.d")
APT_ENV = {"DEBIAN_FRONTEND": "noninteractive", "NEEDRESTART_MODE": "a"}
APT_INSTALL = [
    "apt-get", "install", "-y", "-qq", "--no-install-recommends",
    "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold",
    "-o", "DPkg::Lock::Timeout=300",
]  # fmt: skip


def command(package: str) -> str | None:
    """The full path of the package's command, or None."""
    return shutil.which(COMMANDS[package]) or shutil.which(COMMANDS[package], path="/usr/sbin:/usr/bin:/sbin:/bin")


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env={**os.environ, **APT_ENV}, capture_output=True, text=True, check=False)


def _last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = (result.stderr.strip() or result.stdout.strip() or f"exit {result.returncode}").splitlines()
    return lines[-1]


def _install(packages: list[str]) -> str | None:
    """apt-get install ``packages``; None on success, else why not."""
    # policy-rc.d answering 101 stops maintainer scripts from starting services
    # (invoke-rc.d / deb-systemd-invoke honour it); only a file made here is removed.
    made_policy = not POLICY_RC_D.exists()
    if made_policy:
        POLICY_RC_D.write_text("#!/bin/sh\n# installing packages: start no service\nexit 101\n")
        POLICY_RC_D.chmod(0o755)
    try:
        result = _run([*APT_INSTALL, *packages])
        if result.returncode != 0:
            # A fresh machine has no package lists yet.
            update = _run(["apt-get", "update", "-qq", "-o", "DPkg::Lock::Timeout=300"])
            if update.returncode != 0:
                return f"apt-get update failed: {_last_line(update)}"
            result = _run([*APT_INSTALL, *packages])
        if result.returncode != 0:
            return f"apt-get install {' '.join(packages)} failed: {_last_line(result)}"
    finally:
        if made_policy:
            POLICY_RC_D.unlink(missing_ok=True)
    # On a machine run by systemd the unit would still start at the next boot.
    units = [SERVICES[p] for p in packages if p in SERVICES]
    if units and Path("/run/systemd/system").is_dir() and shutil.which("systemctl"):
        _run(["systemctl", "disable", "--now", "--quiet", *units])
    return None


def ensure(packages: list[str]) -> dict[str, str]:
    """Install what is missing when possible; the reason each package is still missing (empty when none is)."""
    unknown = sorted(set(packages) - set(COMMANDS))
    if unknown:
        raise ValueError(f"unknown package(s): {', '.join(unknown)}; known: {', '.join(sorted(COMMANDS))}")
    missing = [p for p in packages if command(p) is None]
    if not missing:
        return {}
    names = " ".join(missing)
    if not shutil.which("apt-get"):
        reason = f"not installed, and no apt-get here: install the Debian/Ubuntu package(s) {names}"
    elif os.geteuid() != 0:
        reason = f"not installed: run 'sudo apt-get install --no-install-recommends {names}'"
    else:
        reason = _install(missing) or ""
    return {p: reason or f"apt-get installed no '{COMMANDS[p]}' command" for p in missing if command(p) is None}


def main(argv: list[str]) -> int:
    packages = argv or sorted(COMMANDS)
    try:
        problems = ensure(packages)
    except ValueError as error:
        print(f"system_packages: {error}", file=sys.stderr)
        return 2
    for package, reason in problems.items():
        print(f"system_packages: {package}: {reason}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
