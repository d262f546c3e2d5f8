"""`make doctor`: is this machine ready for `make up` and `make test`? One table, a fix for each failing line.

    python3 -m tools.doctor [ENV]

It runs with the system Python (no .venv needed) and changes nothing: the
port checks bind 127.0.0.1 only and release the port at once. It exits 1
when something required is missing (FAIL); WARN and INFO lines never fail.
ENV=dev or prod adds the AWS credentials line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tools import background
from tools import emulator as emu
from tools.runtime import daemon
from tools.system_packages import COMMANDS as TEST_PACKAGES
from tools.tfenv import ENVS_DIR, ROOT, ToolError, check_env, home

MIN_PYTHON = (3, 11)
MIN_TERRAFORM = (1, 11)
REGISTRY_URL = "https://registry.terraform.io/.well-known/terraform.json"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
VENV = ROOT / ".venv"
VENV_INPUTS = (ROOT / "requirements-dev.txt", ROOT / "lambda_src" / "requirements.txt")

OK, FAIL, WARN, INFO = "ok", "FAIL", "warn", "info"


@dataclass(frozen=True)
class Row:
    check: str
    status: str
    detail: str


# Checks: each turns what a probe found into one row ------------------------------------------------


def python_row(version: Sequence[int]) -> Row:
    text = ".".join(str(n) for n in version[:3])
    if tuple(version[:2]) >= MIN_PYTHON:
        return Row("Python", OK, f"{text} ({sys.executable})")
    return Row("Python", FAIL, f"{text} is too old: install Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or later")


def terraform_row(version: str | None) -> Row:
    install = "install Terraform >= 1.11 (https://developer.hashicorp.com/terraform/install)"
    if version is None:
        return Row("Terraform", FAIL, f"not found on PATH: {install}")
    numbers = tuple(int(n) for n in re.findall(r"\d+", version)[:2])
    if numbers >= MIN_TERRAFORM:
        return Row("Terraform", OK, version)
    return Row("Terraform", FAIL, f"{version} is too old: {install}")


def provider_row(mirror: str, version: str, cached: bool, registry_error: Callable[[], str | None]) -> Row:
    """Whether terraform can get hashicorp/aws ``version``: mirror, plugin cache or registry."""
    name = f"hashicorp/aws {version}"
    if mirror:
        folder = Path(mirror).expanduser() / "registry.terraform.io" / "hashicorp" / "aws"
        if (folder / version).is_dir() or any(folder.glob(f"terraform-provider-aws_{version}_*.zip")):
            return Row("Provider", OK, f"{name} in TF_PROVIDER_MIRROR={mirror}")
        return Row("Provider", FAIL, f"{name} is not in TF_PROVIDER_MIRROR={mirror}: point it at a mirror holding it")
    if cached:
        return Row("Provider", OK, f"{name} in the plugin cache ({home() / 'plugin-cache'})")
    error = registry_error()
    if error is None:
        return Row("Provider", OK, f"{name} from registry.terraform.io (reachable)")
    return Row(
        "Provider",
        FAIL,
        f"registry.terraform.io is unreachable ({error}): set TF_PROVIDER_MIRROR to a provider mirror "
        "(a folder holding registry.terraform.io) or allow access to the registry",
    )


def port_row(what: str, variable: str, port: int, owner: str | None, free: Callable[[], int]) -> Row:
    """``owner``: None when the port is free, "parley" when our own process holds it, else "other"."""
    check = f"Port {port}"
    if owner is None:
        return Row(check, OK, f"free for the {what} ({variable})")
    if owner == "parley":
        return Row(check, OK, f"held by parley's {what} ('make down' frees it)")
    return Row(check, FAIL, f"taken by another program: stop it, or set {variable}={free()} (a free port)")


def venv_row(folder: Path, inputs: Sequence[Path]) -> Row:
    marker = folder / ".installed"
    if not marker.is_file():
        return Row(".venv", WARN, "not created yet: 'make setup' creates it ('make up' and 'make test' do too)")
    stale = [p.name for p in inputs if p.is_file() and p.stat().st_mtime > marker.stat().st_mtime]
    if stale:
        return Row(".venv", WARN, f"older than {', '.join(stale)}: 'make setup' updates it")
    return Row(".venv", OK, "current")


def stack_row(emulator_status: str, runtime_status: str) -> Row:
    if emulator_status == "stopped":
        return Row("Local stack", INFO, "not up: 'make up' starts it")
    return Row("Local stack", INFO, f"up: emulator {emulator_status}; runtime {runtime_status}")


def browser_row(found: str | None) -> Row:
    if found:
        return Row("Browser", OK, f"{found} (browser tests of the web client)")
    return Row("Browser", WARN, "no chromium: browser tests cannot run; install it (e.g. 'apt-get install chromium')")


def test_packages_row(missing: Sequence[str]) -> Row:
    if not missing:
        return Row("Test packages", OK, ", ".join(sorted(TEST_PACKAGES)))
    return Row(
        "Test packages",
        WARN,
        f"missing {', '.join(missing)} (a few checks of 'make test'): "
        f"'sudo python3 -m tools.system_packages {' '.join(missing)}'",
    )


def credentials_row(env: str, check: Callable[[str], None]) -> Row:
    try:
        check(env)
    except ToolError as exc:
        return Row(f"AWS ({env})", FAIL, str(exc))
    source = "AWS_PROFILE=" + os.environ["AWS_PROFILE"] if os.environ.get("AWS_PROFILE") else "the default chain"
    return Row(f"AWS ({env})", OK, f"credentials found ({source})")


# Probes: what is actually on this machine -------------------------------------------------------


def terraform_version() -> str | None:
    binary = shutil.which(os.environ.get("TERRAFORM", "terraform"))
    if not binary:
        return None
    try:
        result = subprocess.run([binary, "version", "-json"], capture_output=True, text=True, timeout=30, check=False)
        return str(json.loads(result.stdout)["terraform_version"])
    except (OSError, ValueError, KeyError, subprocess.TimeoutExpired):
        return None


def locked_provider_version(lock_file: Path = ENVS_DIR / "local" / ".terraform.lock.hcl") -> str:
    match = re.search(
        r'provider "registry.terraform.io/hashicorp/aws" \{\s*version\s*=\s*"([^"]+)"', lock_file.read_text()
    )
    if not match:
        raise ToolError(f"{lock_file} pins no hashicorp/aws version")
    return match.group(1)


def registry_error(url: str = REGISTRY_URL, timeout: float = 5) -> str | None:
    """None when the registry answers; else why not, in a few words."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - a fixed https URL
            return None if response.status == 200 else f"HTTP {response.status}"
    except urllib.error.URLError as exc:
        return str(exc.reason)
    except OSError as exc:
        return str(exc)


def port_taken(port: int) -> bool:
    """Whether ``port`` on 127.0.0.1 cannot be bound; the test socket is closed at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((background.HOST, port))
        except OSError:
            return True
    return False


def port_owner(port: int, ours: background.Process) -> str | None:
    if not port_taken(port):
        return None
    return "parley" if background.our_pid(ours) is not None else "other"


def rows(env: str) -> list[Row]:
    """Every check of this machine, in the table's order."""
    base = home()
    emulator = emu.Emulator(base, emu.configured_port())
    runtime = daemon.LocalRuntime(base, daemon.configured_port(), emulator.endpoint)
    version = locked_provider_version()
    cache = Path(os.environ.get("TF_PLUGIN_CACHE_DIR") or base / "plugin-cache")
    table = [
        python_row((sys.version_info.major, sys.version_info.minor, sys.version_info.micro)),
        terraform_row(terraform_version()),
        provider_row(
            os.environ.get("TF_PROVIDER_MIRROR", "").strip(),
            version,
            (cache / "registry.terraform.io" / "hashicorp" / "aws" / version).is_dir(),
            registry_error,
        ),
        port_row(
            "emulator", emu.PORT_VARIABLE, emulator.port, port_owner(emulator.port, emulator.process),
            background.free_port,
        ),
        port_row(
            "local runtime", daemon.PORT_VARIABLE, runtime.port, port_owner(runtime.port, runtime.process),
            background.free_port,
        ),
        venv_row(VENV, VENV_INPUTS),
        stack_row(emu.status(emulator), daemon.status(runtime)),
        browser_row(next((found for name in BROWSERS if (found := shutil.which(name))), None)),
        test_packages_row([package for package, command in sorted(TEST_PACKAGES.items()) if not shutil.which(command)]),
    ]  # fmt: skip
    if env != "local":
        from tools.parley import check_credentials  # noqa: PLC0415 - only for dev and prod

        table.append(credentials_row(env, check_credentials))
    return table


def render(table: Sequence[Row]) -> str:
    width = max(len(row.check) for row in table)
    lines = [f"  {'check':<{width}}  status  detail / fix"]
    lines += [f"  {row.check:<{width}}  {row.status:<6}  {row.detail}" for row in table]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None, probe: Callable[[str], list[Row]] = rows) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    env = args[0] if args else "local"
    try:
        check_env(env)
        table = probe(env)
    except ToolError as exc:
        print(f"doctor: {exc}", file=sys.stderr)
        return 1
    print(render(table))
    failed = [row.check for row in table if row.status == FAIL]
    if failed:
        print(f"doctor: {len(failed)} required check(s) failed ({', '.join(failed)}): see the fixes above")
        return 1
    print(f"doctor: ready for 'make up'{'' if env == 'local' else f' and ENV={env}'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
