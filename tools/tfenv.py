"""How every terraform run in the project is set up (Makefile, tests, bootstrap).

- With ``TF_PROVIDER_MIRROR`` naming a filesystem mirror (a folder holding
  ``registry.terraform.io``), a CLI config installs providers only from there;
  an unpacked mirror is symlinked, so no 700 MB copy per working directory.
- Without it, providers come from the registry through a shared plugin cache.
- Working data (``TF_DATA_DIR``) lives under ``.parley/tf/<root>`` so that
  several checkouts or test runs never share one ``.terraform`` folder.
- For the local environment, AWS calls go to the emulator with fake keys, and
  any real-account credentials in the caller's environment are dropped; the
  functions are told where the emulator and the local runtime answer.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENVS_DIR = ROOT / "envs"
EMULATOR_REGION = "us-east-1"
_REAL_CREDENTIAL_VARS = (
    "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
)  # fmt: skip


class ToolError(Exception):
    """A problem the user can fix; printed as one line with what to do."""


def home() -> Path:
    """Where run-time files live (.parley/ by default; PARLEY_HOME overrides)."""
    return Path(os.environ.get("PARLEY_HOME") or ROOT / ".parley").resolve()


def terraform_binary() -> str:
    found = shutil.which(os.environ.get("TERRAFORM", "terraform"))
    if not found:
        raise ToolError(
            "terraform not found: install Terraform >= 1.11 (https://developer.hashicorp.com/terraform/install)"
        )
    return found


def envs() -> list[str]:
    """Environment folders: a root (main.tf, linked to envs/shared) with its own terraform.tfvars."""
    return sorted(
        p.name for p in ENVS_DIR.iterdir() if (p / "main.tf").is_file() and (p / "terraform.tfvars").is_file()
    )


def check_env(name: str) -> None:
    known = envs()
    if name not in known:
        raise ToolError(f"unknown ENV '{name}': use one of {', '.join(known)} (ENV=local needs no AWS account)")


def cli_config(base: Path) -> dict[str, str]:
    """Provider installation settings for terraform: mirror when given, else a shared cache."""
    mirror = os.environ.get("TF_PROVIDER_MIRROR", "").strip()
    if not mirror:
        cache = Path(os.environ.get("TF_PLUGIN_CACHE_DIR") or base / "plugin-cache")
        cache.mkdir(parents=True, exist_ok=True)
        return {"TF_PLUGIN_CACHE_DIR": str(cache)}
    path = Path(mirror).expanduser().resolve()
    if not (path / "registry.terraform.io").is_dir():
        raise ToolError(
            f"TF_PROVIDER_MIRROR={mirror} is not a provider mirror (no registry.terraform.io folder inside)"
        )
    config = base / "terraformrc"
    text = (
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{path}"\n    include = ["registry.terraform.io/*/*"]\n  }}\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n'
        "}\n"
    )
    base.mkdir(parents=True, exist_ok=True)
    if not config.is_file() or config.read_text() != text:
        tmp = config.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(config)
    return {"TF_CLI_CONFIG_FILE": str(config)}


def emulator_environment(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": EMULATOR_REGION,
        "AWS_DEFAULT_REGION": EMULATOR_REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def terraform_env(
    data_dir: str | None, endpoint: str | None = None, base: Path | None = None, gateway: str | None = None
) -> dict[str, str]:
    """The environment for one terraform run.

    ``data_dir`` names the working-data folder under ``<home>/tf`` (None keeps
    terraform's default); ``endpoint`` targets the emulator; ``gateway`` is the
    local runtime's root URL the functions reach it at.
    """
    base = base or home()
    environ = dict(os.environ)
    environ.update(TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1")
    environ.update(cli_config(base))
    if data_dir is not None:
        environ["TF_DATA_DIR"] = str(base / "tf" / data_dir)
    if endpoint is not None:
        for name in _REAL_CREDENTIAL_VARS:
            environ.pop(name, None)
        environ.update(emulator_environment(endpoint))
        environ["TF_VAR_emulator_endpoint"] = endpoint
    if gateway is not None:
        environ["TF_VAR_local_gateway_endpoint"] = gateway
    return environ


def _input_files(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
        return
    for item in sorted(path.rglob("*")):
        skipped = ".terraform" in item.parts or "__pycache__" in item.parts or item.name.startswith("test_")
        if item.is_file() and not skipped and ".tfstate" not in item.name:
            yield item


def inputs_digest(paths: Iterable[Path], *facts: str) -> str:
    """One digest of what a Terraform run reads: the files under ``paths`` (not .terraform folders, state or
    test_* files), the terraform binary, the provider mirror, the ``TF_VAR_*`` settings and ``facts``."""
    digest = hashlib.sha256()
    for path in paths:
        for item in _input_files(path):
            digest.update(f"{item.relative_to(ROOT) if item.is_relative_to(ROOT) else item}\0".encode())
            digest.update(item.read_bytes() + b"\0")
    binary = Path(terraform_binary()).resolve()
    mirror = os.environ.get("TF_PROVIDER_MIRROR", "")
    providers = sorted(f"{p}:{p.stat().st_size}" for p in Path(mirror).rglob("terraform-provider-*")) if mirror else []
    settings = sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("TF_VAR_"))
    binary_facts = [str(binary), str(binary.stat().st_size), str(binary.stat().st_mtime_ns)]
    digest.update("\n".join([*binary_facts, *providers, *settings, *facts]).encode())
    return digest.hexdigest()


def backend_settings(env_name: str, envs_dir: Path = ENVS_DIR) -> dict[str, str]:
    """The simple ``key = "value"`` settings of envs/<env>/backend.hcl (of another tree's envs_dir if given).

    State is locked with a DynamoDB table (``dynamodb_table``), with S3 lock
    files (``use_lockfile = true``), or both; one of them is required.
    """
    path = envs_dir / env_name / "backend.hcl"
    if not path.is_file():
        raise ToolError(f"{path} is missing: copy it from envs/dev and edit the names")
    settings = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            settings[key.strip()] = value.split("#", 1)[0].strip().strip('"')
    for required in ("bucket", "key", "region"):
        if required not in settings:
            raise ToolError(f"{path} has no '{required}' setting")
    if settings.get("use_lockfile", "false") not in ("true", "false"):
        raise ToolError(f"{path}: use_lockfile must be true or false, not '{settings['use_lockfile']}'")
    if "dynamodb_table" not in settings and settings.get("use_lockfile") != "true":
        raise ToolError(
            f"{path} locks state with nothing: set dynamodb_table (a DynamoDB lock table) or use_lockfile = true "
            "(S3 lock files)"
        )
    return settings
