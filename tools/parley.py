"""parley's command line, called by the Makefile: one line of error, non-zero exit.

python3 -m tools.parley up | down | dev | logs
python3 -m tools.parley emulator start|stop|status
python3 -m tools.parley bootstrap|init|plan|apply|destroy|outputs|seed ENV
python3 -m tools.parley unlock ENV --lock-id ID
python3 -m tools.parley deploy-site ENV [--dir SITE_DIR] [--prune]  (default: clients/web + config.json)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tools import boundary, local, seed, tfout
from tools import emulator as emu
from tools import site as static_site
from tools.runtime import daemon
from tools.tfenv import ROOT, ToolError, check_env, home, terraform_binary


def check_credentials(env_name: str) -> None:
    """Fail fast, before terraform's long retry loop, when no AWS credentials are found."""
    if env_name == "local":
        return
    try:
        import botocore.session  # noqa: PLC0415 - optional: only present once `make setup` ran
    except ImportError:
        if not any(
            os.environ.get(v) for v in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_WEB_IDENTITY_TOKEN_FILE")
        ) and not (
            os.path.isfile(os.path.expanduser("~/.aws/credentials"))
            or os.path.isfile(os.path.expanduser("~/.aws/config"))
        ):
            raise ToolError(f"no AWS credentials for ENV={env_name}: {tfout.CREDENTIALS_FIX}") from None
        return
    os.environ.setdefault("AWS_METADATA_SERVICE_TIMEOUT", "1")
    os.environ.setdefault("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "1")
    try:
        credentials = botocore.session.get_session().get_credentials()
    except Exception as exc:  # noqa: BLE001 - any failure to resolve means "no usable credentials"
        raise ToolError(
            f"AWS credentials for ENV={env_name} could not be loaded ({exc}): {tfout.CREDENTIALS_FIX}"
        ) from None
    if credentials is None:
        raise ToolError(f"no AWS credentials for ENV={env_name}: {tfout.CREDENTIALS_FIX}")


def running_emulator() -> emu.Emulator:
    emulator = emu.Emulator(home(), emu.configured_port())
    if emu.status(emulator) == "stopped":
        raise ToolError("the local emulator is not running: run 'make up' first")
    return emulator


def dev() -> None:
    """The runtime in the foreground (replacing the background one), until Ctrl-C."""
    port = daemon.configured_port()
    runtime = local.local_runtime(home(), running_emulator(), port)
    if daemon.stop(runtime):
        local.say("stopped the background runtime ('make up' starts it again)")
    local.say(f"runtime in the foreground at {runtime.endpoint}; Ctrl-C stops it")
    os.chdir(ROOT)
    command = runtime.command()
    os.execv(command[0], command)  # noqa: S606 - this process becomes the runtime


def follow_log() -> None:
    log = local.local_runtime(home(), emu.Emulator(home(), emu.configured_port())).process.log_file
    if not log.is_file():
        raise ToolError(f"no runtime log at {log}: run 'make up' first")
    os.execvp("tail", ["tail", "-n", "50", "-F", str(log)])  # noqa: S606 - this process becomes tail


def workspace(env_name: str) -> local.Workspace:
    check_env(env_name)
    if env_name == "local":
        emulator = running_emulator()
        return local.Workspace(env_name, emulator.endpoint, gateway=local.local_runtime(home(), emulator).endpoint)
    check_credentials(env_name)
    return local.Workspace(env_name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="parley", description="parley's Terraform and emulator workflows")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="start the emulator and apply envs/local")
    commands.add_parser("down", help="stop the runtime and the emulator (the local stack lives in its memory)")
    commands.add_parser("dev", help="run the local runtime in the foreground")
    commands.add_parser("logs", help="follow the background runtime's log")
    emulator_parser = commands.add_parser("emulator", help="start, stop or show the emulator")
    emulator_parser.add_argument("action", choices=["start", "stop", "status"])
    for name in ("preflight", "bootstrap", "init", "plan", "apply", "destroy", "outputs", "seed"):
        sub = commands.add_parser(name)
        sub.add_argument("env")
        if name == "destroy":
            sub.add_argument("--confirm", default="", help="must equal ENV for prod")
    unlock_parser = commands.add_parser("unlock", help="release ENV's state lock left by a run that ended")
    unlock_parser.add_argument("env")
    unlock_parser.add_argument("--lock-id", default="", help="the ID terraform printed with the lock")
    deploy_parser = commands.add_parser("deploy-site", help="sync a built web client to ENV's site and invalidate it")
    deploy_parser.add_argument("env")
    deploy_parser.add_argument(
        "--dir", default="", help="a built client (a folder with index.html); default: clients/web with config.json"
    )
    deploy_parser.add_argument("--prune", action="store_true", help="also delete objects the build no longer has")
    args = parser.parse_args(argv)

    try:
        terraform_binary()
        if args.command == "up":
            local.up()
        elif args.command == "down":
            local.down()
        elif args.command == "dev":
            dev()
        elif args.command == "logs":
            follow_log()
        elif args.command == "emulator":
            emulator = emu.Emulator(home(), emu.configured_port())
            if args.action == "start":
                local.say(f"emulator {emu.start(emulator)} at {emulator.endpoint}")
            elif args.action == "stop":
                local.say("emulator stopped" if emu.stop(emulator) else "no emulator of ours was running")
            else:
                local.say(f"emulator {emu.status(emulator)}")
        elif args.command == "preflight":
            check_env(args.env)
            check_credentials(args.env)
        elif args.command == "bootstrap":
            check_env(args.env)
            if args.env == "local":
                emulator = emu.Emulator(home(), emu.configured_port())
                emu.start(emulator)
                local.bootstrap("local", emulator.endpoint)
            else:
                check_credentials(args.env)
                local.bootstrap(args.env)
        elif args.command == "init":
            workspace(args.env).init()
        elif args.command == "plan":
            ws = workspace(args.env)
            if args.env != "local":
                ws.environ.update(boundary.environment(args.env))
            ws.init()
            code = ws.plan(show=True)
            outcome = "no changes" if code == 0 else "plan saved"
            local.say(f"{args.env}: {outcome} ({ws.plan_file}); 'make apply ENV={args.env}' applies it")
        elif args.command == "apply":
            if args.env == "prod" and os.environ.get("CI") != "true" and os.environ.get("CONFIRM") != "prod":
                raise ToolError("applying prod outside CI needs CONFIRM=prod")
            workspace(args.env).apply()
        elif args.command == "destroy":
            if args.env == "prod" and args.confirm != "prod":
                raise ToolError(
                    "refusing to destroy prod: run 'make destroy ENV=prod CONFIRM=prod' if you really mean it"
                )
            if args.env == "local":
                local.down()
            else:
                ws = workspace(args.env)
                ws.init()
                ws.destroy()
        elif args.command == "unlock":
            if not args.lock_id:
                raise ToolError(f"LOCK_ID is not set: run 'make unlock ENV={args.env} LOCK_ID=<the ID of the lock>'")
            ws = workspace(args.env)
            ws.init()
            ws.unlock(args.lock_id)
            local.say(f"{args.env}: state lock {args.lock_id} released")
        elif args.command == "deploy-site":
            site_dir = Path(args.dir).expanduser().resolve() if args.dir else None
            if site_dir is not None:
                static_site.local_files(site_dir)  # fail on a missing build before touching AWS
            ws = workspace(args.env)
            outputs = ws.outputs()
            if args.env == "local":
                outputs |= local.runtime_urls(local.local_runtime(home(), running_emulator()))
            bucket, distribution, url = static_site.site_targets(args.env, outputs)
            if site_dir is None:
                # The reference client (clients/web) with this environment's config.json.
                site_dir = static_site.stage_web_client(args.env, outputs)
            s3, cloudfront = static_site.clients(str(outputs.get("region", "us-east-1")), ws.endpoint)
            report = static_site.publish(s3, cloudfront, bucket, distribution, site_dir, prune=args.prune)
            local.say(
                f"{args.env}: {len(report.uploaded)} uploaded, {len(report.unchanged)} unchanged, "
                f"{len(report.deleted)} deleted in s3://{bucket}"
            )
            if report.invalidation_id:
                paths = ", ".join(report.invalidated_paths)
                local.say(f"{args.env}: CloudFront invalidation {report.invalidation_id} for {paths}")
            local.say(f"{args.env}: site at {url}")
        elif args.command == "outputs":
            ws = workspace(args.env)
            outputs = ws.outputs()
            if args.env == "local":
                outputs |= local.runtime_urls(local.local_runtime(home(), running_emulator()))
            path = local.write_env_file(args.env, outputs)
            local.print_outputs(outputs)
            local.say(f"written to {path}")
        elif args.command == "seed":
            if args.env not in seed.SEEDABLE_ENVS:
                raise ToolError(f"refusing to seed ENV={args.env}: development data goes only to local or dev")
            ws = workspace(args.env)
            seeded = seed.run(args.env, ws.outputs(), ws.endpoint)
            local.say(f"{args.env}: seeded {seeded.created} new item(s), {seeded.existing} already there")
    except ToolError as exc:
        print(f"parley: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("parley: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
