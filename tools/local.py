"""Terraform workflows shared by the Makefile and the tests.

``up``/``down`` bring the local environment up on the emulator with the local
runtime serving it, and take it all away; ``init``/``plan``/``apply``/
``destroy``/``bootstrap`` do the same steps for any environment. Each step
prints one line (apply and destroy a count of resources done), terraform's
full output goes to ``<home>/logs/<env>-<step>.log`` (VERBOSE=1 streams it),
and a failure raises ToolError with terraform's own errors and, for known
failures, a fix (tools/tfout.py). ``up`` ends with a short summary.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from tools import background, tfout
from tools import emulator as emu
from tools import site as static_site
from tools.runtime import daemon
from tools.tfenv import (
    ENVS_DIR,
    ROOT,
    ToolError,
    backend_settings,
    check_env,
    home,
    inputs_digest,
    terraform_binary,
    terraform_env,
)

BOOTSTRAP_DIR = ROOT / "bootstrap"
# The emulator answers at once, so an apply there may run more operations side by
# side than terraform's default of 10: most of their time is the provider's fixed waits.
EMULATOR_PARALLELISM = 40


def say(message: str) -> None:
    print(f"parley: {message}", flush=True)


def verbose() -> bool:
    """VERBOSE=1 streams terraform's whole output instead of a progress count."""
    return os.environ.get("VERBOSE", "").strip() not in ("", "0")


def _run_logged(
    command: list[str], environ: dict[str, str], log: Path, progress: tfout.Progress | None, echo: bool
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` writing all it prints to ``log``; its stdout also goes to the terminal or ``progress``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    with log.open("w", buffering=1) as record, tempfile.TemporaryFile("w+") as captured:
        record.write(f"$ {' '.join(command)}\n")
        with subprocess.Popen(command, env=environ, text=True, stdout=subprocess.PIPE, stderr=captured) as child:
            for line in child.stdout or ():
                lines.append(line)
                record.write(line)
                if echo:
                    sys.stdout.write(line)
                elif progress is not None:
                    progress.feed(line)
        captured.seek(0)
        stderr = captured.read()
        record.write(stderr)
    if progress is not None:
        progress.finish()
    if echo:
        sys.stderr.write(stderr)
    return subprocess.CompletedProcess(command, child.returncode, "".join(lines), stderr)


def terraform(
    root: Path,
    args: Sequence[str],
    environ: dict[str, str],
    *,
    check: bool = True,
    log: Path | None = None,
    show: bool = False,
    progress: str | None = None,
    planned: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run terraform in ``root`` and return what it printed.

    Without ``log`` its output is captured. With ``log`` it goes there in full
    and, as it comes, to the terminal when ``show`` or VERBOSE is set, else to
    a one-line count of resources done (labelled ``progress``) against
    ``planned``. Colour is kept only for output shown on a terminal.
    """
    echo = log is not None and (show or verbose())
    command = [terraform_binary(), f"-chdir={root}", *tfout.no_color(args, echo and sys.stdout.isatty())]
    if log is None:
        result = subprocess.run(command, env=environ, text=True, check=False, capture_output=True)
    else:
        counter = None
        if progress is not None and not echo:
            counter = tfout.Progress(progress, planned, sys.stdout, terminal=sys.stdout.isatty())
        result = _run_logged(command, environ, log, counter, echo)
    if check and result.returncode not in (0, 2 if "-detailed-exitcode" in args else 0):
        raise ToolError(
            tfout.failure(
                f"terraform {args[0]} in {root.relative_to(ROOT)}",
                result.stderr,
                emulator=environ.get("TF_VAR_emulator_endpoint"),
                env=root.name if root.parent == ENVS_DIR else None,
                mirror=environ.get("TF_PROVIDER_MIRROR"),
                log=str(log) if log else None,
            )
        )
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

    def log_file(self, step: str) -> Path:
        """Where the full output of ``step`` (plan, apply, destroy) goes."""
        return self.base / "logs" / f"{self.env}-{step}.log"

    def plan(self, *extra: str, show: bool = False) -> int:
        """Save a plan; return terraform's detailed exit code (0 no changes, 2 changes).

        The plan is shown in full when ``show`` (or VERBOSE) is set, else summed
        up in one line; the number of changes is kept for apply's progress count.
        """
        self.plan_file.parent.mkdir(parents=True, exist_ok=True)
        result = terraform(
            self.root,
            ["plan", "-input=false", "-compact-warnings", "-detailed-exitcode", f"-out={self.plan_file}", *extra],
            self.environ,
            log=self.log_file("plan"),
            show=show,
        )
        changes = tfout.planned(result.stdout)
        self.changes_file.write_text(f"{changes}\n" if changes is not None else "")
        if not show:
            line = next((ln for ln in result.stdout.splitlines() if ln.startswith("Plan:")), "No changes.")
            say(f"{self.env}: {line} (full plan: {self.log_file('plan')})")
        return result.returncode

    @property
    def changes_file(self) -> Path:
        """The saved plan's number of changes, for the progress count of its apply."""
        return self.plan_file.with_suffix(".changes")

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
        recorded = self.changes_file.read_text().strip() if self.changes_file.is_file() else ""
        try:
            terraform(
                self.root,
                self.apply_args(),
                self.environ,
                log=self.log_file("apply"),
                progress=f"{self.env}: applying",
                planned=int(recorded) if recorded.isdigit() else None,
            )
        finally:
            self.plan_file.unlink(missing_ok=True)
            self.changes_file.unlink(missing_ok=True)
        say(f"{self.env}: applied in {time.monotonic() - started:.1f}s")

    def destroy(self) -> None:
        started = time.monotonic()
        terraform(
            self.root,
            ["destroy", "-input=false", "-auto-approve", "-compact-warnings", *self.parallelism()],
            self.environ,
            log=self.log_file("destroy"),
            progress=f"{self.env}: destroying",
        )
        say(f"{self.env}: destroyed in {time.monotonic() - started:.1f}s")

    def unlock(self, lock_id: str) -> None:
        """Release a state lock whose run has ended without releasing it."""
        terraform(self.root, ["force-unlock", "-force", lock_id], self.environ)

    def outputs(self) -> dict[str, object]:
        first = "'make up'" if self.env == "local" else f"'make plan ENV={self.env}' then 'make apply ENV={self.env}'"
        result = terraform(self.root, ["output", "-json"], self.environ, check=False)
        if result.returncode != 0:
            raise ToolError(
                f"ENV={self.env} has no state to read yet: run {first} first ({tfout.error_text(result.stderr)})"
            )
        raw = json.loads(result.stdout or "{}")
        if not raw:
            raise ToolError(f"ENV={self.env} has no outputs yet: run {first} first")
        return {name: value["value"] for name, value in raw.items() if not value.get("sensitive")}


def bootstrap(env_name: str, endpoint: str | None = None, base: Path | None = None) -> None:
    """Create the state bucket and lock table (none with S3 lock files only) named in envs/<env>/backend.hcl."""
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
        "emulator": "true" if endpoint else "false",
    }
    if "dynamodb_table" in settings:
        variables["lock_table_name"] = settings["dynamodb_table"]
    var_args = [f"-var={key}={value}" for key, value in variables.items()]
    # Optional per-env bootstrap settings (GitHub Actions deploy role).
    extra = ENVS_DIR / env_name / "bootstrap.tfvars"
    if extra.is_file():
        var_args.append(f"-var-file={extra}")
    terraform(BOOTSTRAP_DIR, ["apply", "-input=false", "-auto-approve", *var_args], environ)
    lock = f"lock table {settings['dynamodb_table']}" if "dynamodb_table" in settings else "S3 lock files"
    say(
        f"{env_name}: state bucket {settings['bucket']} and {lock} ready "
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
    return daemon.LocalRuntime(
        base, port or daemon.configured_port(), emulator.endpoint, site_port=daemon.configured_site_port()
    )


def publish_web_client(workspace: Workspace, outputs: dict[str, object]) -> None:
    """Publish clients/web, with the runtime's URLs in its config.json, to the local site bucket."""
    bucket, distribution, _ = static_site.site_targets(workspace.env, outputs)
    s3, cloudfront = static_site.clients(str(outputs.get("region", "us-east-1")), workspace.endpoint)
    # The emulator's media servers are addresses only: locally the page shows the call token and ICE servers.
    staged = static_site.stage_web_client(workspace.env, outputs | {"calls": {}})
    report = static_site.publish(s3, cloudfront, bucket, distribution, staged)
    say(f"web client: {len(report.uploaded)} file(s) published to s3://{bucket}, {len(report.unchanged)} unchanged")


def runtime_urls(runtime: daemon.LocalRuntime) -> dict[str, str]:
    """``http_api_url``, ``websocket_url`` and (when it serves one) ``site_url`` of the running runtime."""
    health = daemon.health(runtime)
    if not health or not health.get("websocket_url"):
        raise ToolError(f"the local runtime does not answer at {runtime.endpoint}: run 'make up' first")
    urls = {"http_api_url": str(health["http_api_url"]), "websocket_url": str(health["websocket_url"])}
    return urls | ({"site_url": str(health["site_url"])} if health.get("site_url") else {})


def summary(
    outputs: dict[str, object], runtime: str, emulator: str, seconds: float, web_client: str | None = None
) -> list[str]:
    """What `make up` ends with: what runs where, how to sign in, what to try next.

    ``outputs`` carry the runtime's URLs; ``web_client`` is where the runtime
    serves the web client, when it does.
    """
    rows = [
        ("HTTP API", f"{outputs['http_api_url']}"),
        ("WebSocket", f"{outputs['websocket_url']}?token=<access token>"),
        *([("Web client", web_client)] if web_client else []),
        ("Mailbox", f"{runtime}/_local/mail  (sign-in codes and every mail sent)"),
        ("Emulator", f"{emulator}  (AWS_ENDPOINT_URL for boto3 and the AWS CLI, keys test/test)"),
    ]
    return [
        f"parley: local stack up in {seconds:.0f}s",
        *(f"  {name:<11} {value}" for name, value in rows),
        'Sign in: POST /auth/login {"email": "you@example.com"}, take the 6-digit code from the mailbox,',
        "         POST /auth/verify with it (README.md, 'Try it', has the curl lines).",
        "Next:    make seed     add a test user, rooms, messages and a reminder",
        "         make outputs  every output, also written to build/local.env",
        "         make logs     follow the runtime's log (one line per invocation)",
        "         make down     stop everything and remove the local state",
    ]


def local_inputs_digest(emulator: emu.Emulator, gateway: str) -> str:
    """What envs/local's plan reads, and the emulator process that holds the stack applied from it: an equal
    digest on the next `up` means a plan would find nothing to change."""
    pid = background.our_pid(emulator.process)
    started = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19] if pid else "none"
    manifest = ROOT / "build" / "lambda" / "manifest.json"  # envs/shared/variables.tf's artifacts_dir
    folders = [ENVS_DIR / "local", ENVS_DIR / "shared", ROOT / "modules", ROOT / "apps", manifest]
    return inputs_digest(folders, f"emulator {pid} {started}", emulator.endpoint, gateway)


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
    applied = base / "plans" / "local.applied"
    inputs = local_inputs_digest(emulator, runtime.endpoint)
    initialised = Path(workspace.environ["TF_DATA_DIR"]).is_dir()
    unchanged = state == "running" and initialised and applied.is_file() and applied.read_text() == inputs
    if unchanged and not os.environ.get("REPLAN"):
        say("local: nothing changed since the last apply on this emulator, no plan needed (REPLAN=1 plans anyway)")
    else:
        applied.unlink(missing_ok=True)  # a failed apply leaves no record to skip by
        workspace.init()
        if workspace.plan() == 0:
            workspace.plan_file.unlink(missing_ok=True)
            workspace.changes_file.unlink(missing_ok=True)
        else:
            workspace.apply()
        applied.write_text(inputs)
    say(f"runtime {daemon.start(runtime)} at {runtime.endpoint} (log: {runtime.process.log_file})")
    # Clients use the runtime's URLs, under the names a real environment's outputs have.
    urls = runtime_urls(runtime)
    outputs = workspace.outputs() | urls
    if env_file:
        write_env_file("local", outputs)
    publish_web_client(workspace, outputs)
    lines = summary(outputs, runtime.endpoint, emulator.endpoint, time.monotonic() - started, urls.get("site_url"))
    print("\n".join(lines), flush=True)
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
    for plan in ("local.tfplan", "local.changes"):
        (base / "plans" / plan).unlink(missing_ok=True)
    if env_file:
        (ROOT / "build" / "local.env").unlink(missing_ok=True)
