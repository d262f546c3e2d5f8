"""Set the value of an app secret an environment declares, read from standard input.

    python3 -m tools.secret ENV NAME < value-file     (make secret ENV=dev NAME=openai_api_key)

The value is never an argument (it would land in shell history and process
lists): it is read from stdin, or typed without echo when stdin is a terminal.
NAME must be declared in envs/<env>/terraform.tfvars (``app_secrets``) and the
env applied, so the secret ``<app>-<env>/app/<name>`` exists; one trailing
newline is dropped.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any, TextIO

from tools import emulator as emu
from tools import hcl
from tools.tfenv import ENVS_DIR, ToolError, check_env, emulator_environment, home

MAX_SECRET_BYTES = 65536  # the largest SecretString Secrets Manager stores


def _tfvars(env_name: str) -> dict[str, Any]:
    values: dict[str, Any] = hcl.load(ENVS_DIR / env_name / "terraform.tfvars")
    return values


def _text(value: Any) -> str:
    """A string as python-hcl2 returns it, without its HCL quotes."""
    return str(value).removeprefix('"').removesuffix('"')


def _default(variable: str) -> str:
    """The default of one of the env's own variables (envs/shared/variables.tf)."""
    parsed = hcl.load(ENVS_DIR / "shared" / "variables.tf")
    for block in parsed["variable"]:
        for label, body in block.items():
            if label.strip('"') == variable:
                return _text(body["default"])
    raise ToolError(f"envs/shared/variables.tf declares no variable {variable}")


def secret_id(env_name: str, name: str) -> str:
    """The Secrets Manager name of app secret ``name`` of ``env_name`` (modules/stack/main.tf names it)."""
    check_env(env_name)
    tfvars = _tfvars(env_name)
    declared = sorted(tfvars.get("app_secrets") or {})
    if name not in declared:
        listed = ", ".join(declared) if declared else "none"
        raise ToolError(
            f"envs/{env_name}/terraform.tfvars declares no app secret '{name}' (declared: {listed}); "
            "add it to app_secrets and apply first"
        )
    app = _text(tfvars["app"]) if "app" in tfvars else _default("app")
    return f"{app}-{env_name}/app/{name}"


def read_value(stream: TextIO) -> str:
    """The secret value from stdin (no echo on a terminal), without one trailing newline."""
    text = getpass.getpass("secret value (not echoed): ") if stream.isatty() else stream.read()
    value = text[:-1] if text.endswith("\n") else text
    if not value.strip():
        raise ToolError("no value on stdin: run 'make secret ENV=<env> NAME=<name> < file' (or type it when asked)")
    if len(value.encode()) > MAX_SECRET_BYTES:
        raise ToolError(f"the value is larger than Secrets Manager's {MAX_SECRET_BYTES} bytes")
    return value


def _client(env_name: str) -> Any:
    import boto3  # noqa: PLC0415 - present once `make setup` ran; `make help` needs no boto3
    from botocore.config import Config  # noqa: PLC0415

    tfvars = _tfvars(env_name)
    region = _text(tfvars["region"]) if "region" in tfvars else _default("region")
    config = Config(retries={"max_attempts": 3}, connect_timeout=5, read_timeout=20)
    if env_name != "local":
        return boto3.client("secretsmanager", region_name=region, config=config)
    emulator = emu.Emulator(home(), emu.configured_port())
    if not emu.answers(emulator.endpoint):
        raise ToolError("the local emulator is not running: run 'make up' first")
    settings = emulator_environment(emulator.endpoint)
    return boto3.client(
        "secretsmanager",
        endpoint_url=settings["AWS_ENDPOINT_URL"],
        region_name=settings["AWS_REGION"],
        aws_access_key_id=settings["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=settings["AWS_SECRET_ACCESS_KEY"],
        config=config,
    )


def put(client: Any, secret: str, value: str) -> str:
    """Store ``value`` as the secret's current version; returns the version id."""
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    try:
        response = client.put_secret_value(SecretId=secret, SecretString=value)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "error")
        if code == "ResourceNotFoundException":
            raise ToolError(f"secret {secret} does not exist yet: apply the env first ('make apply')") from None
        raise ToolError(f"could not set {secret}: {code}") from None
    except BotoCoreError as exc:
        raise ToolError(f"could not set {secret}: {exc}") from None
    return str(response["VersionId"])


def main(argv: list[str] | None = None, stdin: TextIO | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or not args[1]:
        print("usage: make secret ENV=<env> NAME=<app secret name> < value-file", file=sys.stderr)
        return 2
    env_name, name = args
    try:
        secret = secret_id(env_name, name)
        value = read_value(stdin or sys.stdin)
        if env_name != "local":
            from tools.parley import check_credentials  # noqa: PLC0415 - the CLI's own credential check

            check_credentials(env_name)
        version = put(_client(env_name), secret, value)
    except ToolError as exc:
        print(f"parley: {exc}", file=sys.stderr)
        return 1
    print(f"parley: {secret} set (version {version}); functions read it within 5 minutes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
