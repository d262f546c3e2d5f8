"""The permissions boundary of a real environment's roles (TF_VAR_permissions_boundary_arn).

When envs/<env>/bootstrap.tfvars sets ``github``, ``make bootstrap`` created the
policy ``<app>-boundary-<env>`` and the env's deploy role may only create roles
that carry it (modules/github_oidc). ``make plan ENV=<env>`` then sets the
stack's ``permissions_boundary_arn`` to that policy: the account comes from STS
with the caller's credentials, the same for a laptop and for CI. Without
``github`` no boundary exists and none is set; an explicit
``TF_VAR_permissions_boundary_arn`` always wins.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tools.tfenv import ENVS_DIR, ToolError, backend_settings

VARIABLE = "TF_VAR_permissions_boundary_arn"
DEFAULT_APP = "parley"  # bootstrap/variables.tf: github.app


def bootstrap_app(env_name: str, envs_dir: Path = ENVS_DIR) -> str | None:
    """The app name of the env's deploy role, or None when its bootstrap made no boundary."""
    path = envs_dir / env_name / "bootstrap.tfvars"
    if not path.is_file():
        return None
    from tools import hcl  # noqa: PLC0415 - python-hcl2 is part of .venv, needed only for real environments

    try:
        github = hcl.load(path).get("github")
    except Exception as exc:  # noqa: BLE001 - any parse failure is the file's fault
        raise ToolError(f"{path} is not valid HCL: {str(exc).splitlines()[0]}") from None
    if github is None:
        return None
    if not isinstance(github, dict):
        raise ToolError(f'{path}: github must be an object like {{ repository = "my-org/parley" }}')
    return str(github.get("app", DEFAULT_APP)).strip('"')


def boundary_arn(env_name: str, app: str, sts: Any) -> str:
    """The ARN of the env's boundary in the caller's account (``sts``: a boto3 STS client)."""
    try:
        identity = sts.get_caller_identity()
    except Exception as exc:  # noqa: BLE001 - botocore raises many kinds; all mean "no account"
        raise ToolError(f"could not read the AWS account for ENV={env_name} from STS: {exc}") from None
    partition = identity["Arn"].split(":")[1]
    return f"arn:{partition}:iam::{identity['Account']}:policy/{app}-boundary-{env_name}"


def environment(env_name: str, envs_dir: Path = ENVS_DIR) -> dict[str, str]:
    """The terraform variable to add for a real env's plan (empty when none applies or it is set already)."""
    if os.environ.get(VARIABLE) is not None:
        return {}
    app = bootstrap_app(env_name, envs_dir)
    if app is None:
        return {}
    import boto3  # noqa: PLC0415 - part of .venv, needed only for real environments

    sts = boto3.client("sts", region_name=backend_settings(env_name, envs_dir)["region"])
    return {VARIABLE: boundary_arn(env_name, app, sts)}
