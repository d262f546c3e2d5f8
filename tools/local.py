"""Terraform workflows shared by the Makefile and the tests.

``up``/``down`` bring the local environment up on the emulator with the local
runtime serving it, and take it all away; ``init``/``plan``/``apply``/
``destroy``/``bootstrap`` do the same steps for any environment. Each step
prints one progress line; a failure raises ToolError with terraform's own error
lines.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from tools import emulator as emu
from tools.runtime import daemon
from tools.tfenv import ENVS_DIR, ROOT, ToolError, backend_settings, check_env, home, terraform_binary, terraform_env

BOOTSTRAP_DIR = ROOT / "bootstrap"
# The emulator answers at once, so an apply there may run more operations side by
# side than terraform's default of 10: most of their time is the provider's fixed waits.
EMULATOR_PARALLELISM = 40


def say(message: str) -> None:
    print(f"parley: {message}", flush=True)


def _error_lines(text: str) -> str:
    lines = [line.strip("│ ").rstrip() for line in text.splitlines()]
    errors = [line for line in lines if line.startswith("Error:")]
    return "; ".join(dict.fromkeys(errors)) or (lines[-1] if lines else "no output")


def terraform(
    root: Path, args: Sequence[str], environ: dict[str, str], *, stream: bool = False, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run terraform in ``root``; stream its output or capture it."""
    command = [terraform_binary(), f"-chdir={root}", *args]
    if stream:
        result = subprocess.run(command, env=environ, text=True, check=False, stderr=subprocess.PIPE)
        sys.stderr.write(result.stderr)
    else:
        result = subprocess.run(command, env=environ, text=True, check=False, capture_output=True)
    if check and result.returncode not in (0, 2 if "-detailed-exitcode" in args else 0):
        raise ToolError(f"terraform {args[0]} in {root.relative_to(ROOT)} failed: {_error_lines(result.stderr)}")
    return result


class Workspace:
    """One environment's terraform root with its run-time folders."""

    def __init__(
        self, env_name: str, endpoint: str | None = None, base: Path | None = None, gateway: str | None = None
    ) -> None:
        check_env(env_name)
        self.env = env_name
        self.base = base or home()
        self.root = ENVS_DIR / env_name
        self.endpoint = endpoint
        self.environ = terraform_env(f"env-{env_name}", endpoint, self.base, gateway)
        self.plan_file = self.base / "plans" / f"{env_name}.tfplan"

    def init(self) -> None:
        started = time.monotonic()
        terraform(
            self.root,
            ["init", "-input=false", "-reconfigure", "-lockfile=readonly", "-backend-config=backend.hcl"],
            self.environ,
        )
        say(f"{self.env}: initialised in {time.monotonic() - started:.1f}s")

    def plan(self, *extra: str) -> int:
        """Save a plan; return terraform's detailed exit code (0 no changes, 2 changes)."""
        self.plan_file.parent.mkdir(parents=True, exist_ok=True)
        result = terraform(
            self.root,
            ["plan", "-input=false", "-compact-warnings", "-detailed-exitcode", f"-out={self.plan_file}", *extra],
            self.environ,
            stream=True,
        )
        return result.returncode

    def parallelism(self) -> list[str]:
        """terraform's -parallelism for apply and destroy: wider on the emulator, the default on AWS."""
        return [f"-parallelism={EMULATOR_PARALLELISM}"] if self.endpoint else []

    def apply_args(self) -> list[str]:
        """The arguments that apply the saved plan."""
        return ["apply", "-input=false", "-compact-warnings", *self.parallelism(), str(self.plan_file)]

    def apply(self) -> None:
        if not self.plan_file.is_file():
            raise ToolError(f"no saved plan for ENV={self.env}: run 'make plan ENV={self.env}' first")
        started = time.monotonic()
        try:
            terraform(self.root, self.apply_args(), self.environ, stream=True)
        finally:
            self.plan_file.unlink(missing_ok=True)
        say(f"{self.env}: applied in {time.monotonic() - started:.1f}s")

    def destroy(self) -> None:
        started = time.monotonic()
        terraform(
            self.root,
            ["destroy", "-input=false", "-auto-approve", "-compact-warnings", *self.parallelism()],
            self.environ,
            stream=True,
        )
        say(f"{self.env}: destroyed in {time.monotonic() - started:.1f}s")

    def outputs(self) -> dict[str, object]:
        first = "'make up'" if self.env == "local" else f"'make plan ENV={self.env}' then 'make apply ENV={self.env}'"
        result = terraform(self.root, ["output", "-json"], self.environ, check=False)
        if result.returncode != 0:
            raise ToolError(
                f"ENV={self.env} has no state to read yet: run {first} first ({_error_lines(result.stderr)})"
            )
        raw = json.loads(result.stdout or "{}")
        if not raw:
            raise ToolError(f"ENV={self.env} has no outputs yet: run {first} first")
        return {name: value["value"] for name, value in raw.items() if not value.get("sensitive")}


def bootstrap(env_name: str, endpoint: str | None = None, base: Path | None = None) -> None:
    """Create the state bucket and lock table named in envs/<env>/backend.hcl."""
    check_env(env_name)
    base = base or home()
    settings = backend_settings(env_name)
    environ = terraform_env(f"bootstrap-{env_name}", endpoint, base)
    state = base / "bootstrap" / f"{env_name}.tfstate"
    state.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    terraform(
        BOOTSTRAP_DIR,
        ["init", "-input=false", "-reconfigure", "-lockfile=readonly", f"-backend-config=path={state}"],
        environ,
    )
    variables = {
        "env": env_name,
        "region": settings["region"],
        "state_bucket_name": settings["bucket"],
        "lock_table_name": settings["dynamodb_table"],
        "emulator": "true" if endpoint else "false",
    }
    var_args = [f"-var={key}={value}" for key, value in variables.items()]
    # Optional per-env bootstrap settings (GitHub Actions deploy role).
    extra = ENVS_DIR / env_name / "bootstrap.tfvars"
    if extra.is_file():
        var_args.append(f"-var-file={extra}")
    terraform(BOOTSTRAP_DIR, ["apply", "-input=false", "-auto-approve", *var_args], environ)
    say(
        f"{env_name}: state bucket {settings['bucket']} and lock table {settings['dynamodb_table']} ready "
        f"in {time.monotonic() - started:.1f}s (bootstrap state: {state})"
    )
    if not extra.is_file():
        return
    role = json.loads(terraform(BOOTSTRAP_DIR, ["output", "-json"], environ).stdout or "{}").get("deploy_role_arn", {})
    if role.get("value"):
        say(f"{env_name}: GitHub Actions deploy role {role['value']}: set it as AWS_ROLE_ARN (see docs/delivery.md)")


def backend_ready(emulator: emu.Emulator, base: Path) -> bool:
    """The running emulator still holds the state bucket this run-time folder's bootstrap made (a second `up`
    then skips the bootstrap)."""
    if not (base / "bootstrap" / "local.tfstate").is_file():
        return False
    url = f"{emulator.endpoint}/{backend_settings('local')['bucket']}"
    bucket = urllib.request.Request(url, method="HEAD")  # noqa: S310 - our http://127.0.0.1 URL
    try:
        with urllib.request.urlopen(bucket, timeout=5) as response:  # noqa: S310 - our http://127.0.0.1 URL
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def print_outputs(outputs: dict[str, object]) -> None:
    rows = []
    for name, value in sorted(outputs.items()):
        if isinstance(value, dict):
            rows += [(f"{name}.{key}", str(item)) for key, item in sorted(value.items())]
        else:
            rows.append((name, str(value)))
    width = max((len(name) for name, _ in rows), default=0)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


def write_env_file(env_name: str, outputs: dict[str, object]) -> Path:
    """Scalar outputs as KEY=value lines in build/<env>.env, for clients."""
    path = ROOT / "build" / f"{env_name}.env"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        f"PARLEY_{name.upper()}={value}"
        for name, value in sorted(outputs.items())
        if isinstance(value, str | int | float)
    ]
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(path)
    return path


def local_runtime(base: Path, emulator: emu.Emulator, port: int | None = None) -> daemon.LocalRuntime:
    return daemon.LocalRuntime(base, port or daemon.configured_port(), emulator.endpoint)


def runtime_urls(runtime: daemon.LocalRuntime) -> dict[str, str]:
    """``http_api_url`` and ``websocket_url`` of the running runtime."""
    health = daemon.health(runtime)
    if not health or not health.get("websocket_url"):
        raise ToolError(f"the local runtime does not answer at {runtime.endpoint}: run 'make up' first")
    return {"http_api_url": str(health["http_api_url"]), "websocket_url": str(health["websocket_url"])}


def up(
    base: Path | None = None, port: int | None = None, env_file: bool = True, gateway_port: int | None = None
) -> Workspace:
    """Start the emulator, bootstrap its state backend, apply envs/local, start (or refresh) the runtime."""
    base = base or home()
    emulator = emu.Emulator(base, port or emu.configured_port())
    runtime = local_runtime(base, emulator, gateway_port)
    started = time.monotonic()
    state = emu.start(emulator)
    say(f"emulator {state} at {emulator.endpoint} (log: {emulator.log_file})")
    if backend_ready(emulator, base):
        say("local: state bucket already there")
    else:
        bootstrap("local", emulator.endpoint, base)
    workspace = Workspace("local", emulator.endpoint, base, runtime.endpoint)
    workspace.init()
    if workspace.plan() == 0:
        workspace.plan_file.unlink(missing_ok=True)
        say("local: no changes")
    else:
        workspace.apply()
    say(f"runtime {daemon.start(runtime)} at {runtime.endpoint} (log: {runtime.process.log_file})")
    urls = runtime_urls(runtime)
    # Clients use the runtime's URLs, under the names a real environment's outputs have.
    outputs = workspace.outputs() | urls
    where = f" (also in {write_env_file('local', outputs).relative_to(ROOT)})" if env_file else ""
    say(f"local stack up in {time.monotonic() - started:.1f}s; outputs{where}:")
    print_outputs(outputs)
    say(f"HTTP API:      {urls['http_api_url']}")
    say(f"WebSocket API: {urls['websocket_url']}")
    return workspace


def down(
    base: Path | None = None, port: int | None = None, env_file: bool = True, gateway_port: int | None = None
) -> None:
    """Stop the runtime and the emulator this project started, remove local state.

    The emulator keeps every resource in memory, the state bucket included: stopping it discards the whole local
    stack, so no terraform destroy runs first (it would only sit through the provider's deletion checks)."""
    base = base or home()
    emulator = emu.Emulator(base, port or emu.configured_port())
    runtime = local_runtime(base, emulator, gateway_port)
    if daemon.stop(runtime):
        say("runtime stopped")
    if emu.status(emulator) != "stopped":
        emu.stop(emulator)
        say("emulator stopped: the local stack went with it")
    else:
        say("emulator not running; removing local state only")
    for leftover in (base / "bootstrap" / "local.tfstate", base / "bootstrap" / "local.tfstate.backup"):
        leftover.unlink(missing_ok=True)
    for folder in (base / "tf" / "env-local", base / "tf" / "bootstrap-local"):
        shutil.rmtree(folder, ignore_errors=True)
    (base / "plans" / "local.tfplan").unlink(missing_ok=True)
    if env_file:
        (ROOT / "build" / "local.env").unlink(missing_ok=True)
