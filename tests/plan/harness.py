"""Batched plans for the plan tier.

Every ``tests/plan/fixtures/<module>/<case>.tfvars`` becomes one module block in
a generated root (tfvars syntax is module-argument syntax), so all accepted
cases share ONE plan and all ``reject_*`` cases share another: Terraform reports
every failed validation of a plan, each pointing at the caller's line, which
maps it back to its case. A validation that reads more than its variable (a
local, another variable) runs only once every input passed its own checks, so
``reject_at_plan_*`` cases share a third plan. Environments and bootstrap/ are
planned offline from copies with a local backend and fake credentials. Plans run
concurrently.

A plan validates its whole configuration first, so every folder a plan reaches
(``planned_folders``) needs no separate ``terraform validate``
(tests/static/test_terraform_validate.py validates only the others).

The plans' results are kept in ``build/plans/<digest>.json``, the digest taken
over every file a plan reads (modules/, envs/, bootstrap/, apps/, tests/plan/
but its test files, functions.toml, tools/tfenv.py), the terraform binary, the provider mirror and the
``TF_VAR_*`` settings: a run whose inputs did not change reads them instead of
planning again, and any change plans afresh. ``PARLEY_PLAN_CACHE=0`` turns it off.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tftest

from tests.plan.iam import ACCOUNT
from tools.tfenv import inputs_digest, terraform_binary, terraform_env

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ARTIFACTS_TOKEN = "@ARTIFACTS_DIR@"
ROOT_TOKEN = "@ROOT@"  # the repository, for fixtures that read its files (app declarations)
ENVS = ["local", "dev", "staging", "prod"]
# bootstrap/ as a CI pipeline's env bootstraps it: with the GitHub Actions deploy role.
BOOTSTRAP_VARIABLES = [
    "env=dev",
    "region=eu-west-1",
    "state_bucket_name=acme-dev-tfstate",
    "lock_table_name=acme-dev-tflock",
    'github={ repository = "acme/parley", app = "acme", pull_request_plans_enabled = true, hosted_zone_id = "Z0ACME" }',
]
LOCAL_SOURCE = re.compile(r'^\s*source\s*=\s*"(\.\.?/[^"]+)"', re.M)
LOCAL_EMULATOR = "http://127.0.0.1:4566"
LOCAL_GATEWAY = "http://127.0.0.1:4580"

OFFLINE_PROVIDER = """
terraform {
  required_providers {
    aws = {
      source                = "hashicorp/aws"
      version               = "~> 5.100"
      configuration_aliases = [aws.us_east_1]
    }
  }
}

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

provider "aws" {
  alias                       = "us_east_1"
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
"""

_BACKEND_OVERRIDE = """
terraform {
  backend "local" {}
}
"""

_PROVIDER_OVERRIDE = """
provider "aws" {{
{alias}  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}}
"""


def offline_override(folder: Path) -> str:
    """An override file for a root: local backend, fake keys for its provider and each alias it declares."""
    config = "\n".join(path.read_text() for path in folder.glob("*.tf") if not path.name.startswith("zz_"))
    aliases = sorted(set(re.findall(r'^\s*alias\s*=\s*"([a-z0-9_]+)"', config, re.M)))
    blocks = [_PROVIDER_OVERRIDE.format(alias="")]
    blocks += [_PROVIDER_OVERRIDE.format(alias=f'  alias                       = "{alias}"\n') for alias in aliases]
    return _BACKEND_OVERRIDE + "".join(blocks)


@dataclass(frozen=True)
class Case:
    module: str
    name: str
    path: Path

    @property
    def label(self) -> str:
        return f"{self.module}__{self.name}"

    @property
    def rejected(self) -> bool:
        return self.name.startswith("reject_")

    @property
    def root(self) -> str:
        """The generated root the case is planned in."""
        if not self.rejected:
            return "accepted"
        return "rejected_at_plan" if self.name.startswith("reject_at_plan_") else "rejected"


def all_cases() -> list[Case]:
    return [
        Case(module_dir.name, tfvars.stem, tfvars)
        for module_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir())
        for tfvars in sorted(module_dir.glob("*.tfvars"))
    ]


def planned_folders() -> set[Path]:
    """Every folder the plan tier plans: each module with an accepted case, each env, bootstrap/, and every local
    module they call (followed through ``source = "../..."``)."""
    pending = [ROOT / "modules" / case.module for case in all_cases() if not case.rejected]
    pending += [ROOT / "envs" / name for name in ENVS] + [ROOT / "bootstrap"]
    seen: set[Path] = set()
    while pending:
        folder = pending.pop().resolve()
        if folder not in seen:
            seen.add(folder)
            sources = [source for tf in folder.glob("*.tf") for source in LOCAL_SOURCE.findall(tf.read_text())]
            pending += [folder / source for source in sources]
    return seen


def write_fake_artifacts(folder: Path) -> Path:
    """A manifest naming every function of functions.toml, with fake hashes: plans need no zips."""
    folder.mkdir(parents=True, exist_ok=True)
    functions = tomllib.loads((ROOT / "lambda_src" / "functions.toml").read_text())
    manifest = {
        name: {
            "handler": spec.get("handler", f"parley.handlers.{name}.handler"),
            "inputs": "0" * 64,
            "path": f"{name}.zip",
            "sha256": "47DEQpj8HBSa+/TEmW+YUrrWVqL4dKxrB3qH1i5tLq8=",
            "size": 1,
        }
        for name, spec in functions.items()
    }
    (folder / "manifest.json").write_text(json.dumps({"format": 1, "functions": manifest}))
    return folder


def render_root(cases: list[Case], artifacts: Path) -> tuple[str, dict[str, tuple[int, int]]]:
    """main.tf with one module block per case, and each case's line range."""
    lines = OFFLINE_PROVIDER.splitlines()
    spans: dict[str, tuple[int, int]] = {}
    for case in cases:
        first = len(lines) + 1
        body = case.path.read_text().replace(ARTIFACTS_TOKEN, str(artifacts)).replace(ROOT_TOKEN, str(ROOT))
        providers = "  providers = { aws = aws, aws.us_east_1 = aws.us_east_1 }" if _needs_alias(case.module) else ""
        lines += [f'module "{case.label}" {{', f'  source = "../modules/{case.module}"']
        lines += ([providers] if providers else []) + body.splitlines() + ["}", ""]
        spans[case.label] = (first, len(lines))
    return "\n".join(lines) + "\n", spans


def _needs_alias(module: str) -> bool:
    versions = (ROOT / "modules" / module / "versions.tf").read_text()
    return "configuration_aliases" in versions


@dataclass
class ModulePlan:
    """The planned resources of one case."""

    label: str
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {a: v for a, v in self.resources.items() if v["type"] == resource_type}

    def one(self, resource_type: str) -> dict[str, Any]:
        found = self.of_type(resource_type)
        assert len(found) == 1, f"{self.label}: expected one {resource_type}, found {sorted(found)}"
        return next(iter(found.values()))["values"]

    def within(self, module: str) -> ModulePlan:
        """The resources of one child module (e.g. ``case.within("matchmaking")``)."""
        marker = f".module.{module}."
        return ModulePlan(
            f"{self.label}.{module}", {a: v for a, v in self.resources.items() if marker in a}, self.outputs
        )

    def count(self, resource_type: str) -> int:
        return len(self.of_type(resource_type))


def _walk(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _walk(child)


def index_plan(raw: dict[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    """address -> {type, values, after_unknown}, for every planned resource."""
    unknown = {c["address"]: c["change"].get("after_unknown", {}) for c in raw.get("resource_changes", [])}
    return {
        r["address"]: {"type": r["type"], "values": r.get("values", {}), "after_unknown": unknown.get(r["address"], {})}
        for r in _walk(raw.get("planned_values", {}).get("root_module", {}))
        if r["address"].startswith(prefix)
    }


def _plan_json(folder: Path, environ: dict[str, str], extra: list[str]) -> dict[str, Any]:
    test = tftest.TerraformTest(str(folder), binary=terraform_binary(), env=environ)
    test.setup(upgrade=False)
    return test.plan(
        output=True, refresh=False, **({"tf_vars": dict(a.split("=", 1) for a in extra)} if extra else {})
    )._raw  # type: ignore[no-any-return]


def _diagnostics(folder: Path, environ: dict[str, str]) -> list[dict[str, Any]]:
    binary = terraform_binary()
    subprocess.run(
        [binary, f"-chdir={folder}", "init", "-input=false", "-backend=false"],
        env=environ,
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [binary, f"-chdir={folder}", "plan", "-input=false", "-refresh=false", "-json"],
        env=environ, capture_output=True, text=True, check=False,
    )  # fmt: skip
    messages = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return [
        m["diagnostic"] for m in messages if m.get("type") == "diagnostic" and m["diagnostic"]["severity"] == "error"
    ]


@dataclass
class PlanSession:
    accepted: dict[str, ModulePlan]
    rejections: dict[str, list[str]]
    envs: dict[str, dict[str, Any]]
    bootstrap: dict[str, Any]
    unattributed_errors: list[str]

    def case(self, module: str, name: str) -> ModulePlan:
        label = f"{module}__{name}"
        assert label in self.accepted, f"no accepted plan case {label}"
        return self.accepted[label]

    def rejection(self, module: str, name: str) -> str:
        label = f"{module}__{name}"
        return "\n".join(self.rejections.get(label, []))


def copy_root(folder: Path, workdir: Path) -> Path:
    """A copy of a root (envs/<env> or bootstrap/) planned offline: local backend, fake keys."""
    target = workdir / folder.relative_to(ROOT)
    target.mkdir(parents=True)
    for item in folder.iterdir():
        if item.is_file() and (item.suffix in {".tf", ".tfvars"} or item.name == ".terraform.lock.hcl"):
            shutil.copyfile(item, target / item.name)  # follows the backend.tf link
    (target / "zz_offline_override.tf").write_text(offline_override(target))
    return target


def _env_vars(env_name: str, artifacts: Path) -> list[str]:
    """The variables the tooling passes: the artifacts, for local the emulator's and the runtime's URLs
    (as `make up` does), elsewhere the permissions boundary of a bootstrap with a deploy role (tools/boundary.py)."""
    extra = [f"artifacts_dir={artifacts}"]
    if env_name == "local":
        extra += [f"emulator_endpoint={LOCAL_EMULATOR}", f"local_gateway_endpoint={LOCAL_GATEWAY}"]
    else:
        extra += [f"permissions_boundary_arn={boundary_arn(env_name)}"]
    return extra


def boundary_arn(env_name: str) -> str:
    """The boundary bootstrap's deploy role requires in the test account (modules/github_oidc)."""
    return f"arn:aws:iam::{ACCOUNT}:policy/parley-boundary-{env_name}"


PLAN_CACHE = ROOT / "build" / "plans"
# tests/plan holds the fixtures, the declarations they name and this file; its test_*.py files plan nothing.
PLAN_INPUTS = ("modules", "envs", "bootstrap", "apps", "tests/plan", "lambda_src/functions.toml", "tools/tfenv.py")


def _plan_everything(workdir: Path, texts: dict[str, str], env_names: list[str]) -> dict[str, Any]:
    """Every plan of the session, run concurrently: the raw JSON plans and the rejected roots' diagnostics."""
    artifacts = write_fake_artifacts(workdir / "artifacts")
    environ = terraform_env(None)
    (workdir / "modules").symlink_to(ROOT / "modules")
    (workdir / "apps").symlink_to(ROOT / "apps")  # envs/<env> name their app declarations as ../../apps/...
    roots = {}
    for name, text in texts.items():
        folder = workdir / name
        folder.mkdir(parents=True)
        (folder / "main.tf").write_text(text)
        roots[name] = folder
    env_dirs = {name: copy_root(ROOT / "envs" / name, workdir) for name in env_names}
    bootstrap_dir = copy_root(ROOT / "bootstrap", workdir)

    with ThreadPoolExecutor(max_workers=4 + len(env_dirs)) as pool:
        accepted_future = pool.submit(_plan_json, roots["accepted"], environ, [])
        bootstrap_future = pool.submit(_plan_json, bootstrap_dir, environ, BOOTSTRAP_VARIABLES)
        rejected_futures = {
            name: pool.submit(_diagnostics, roots[name], environ) for name in ("rejected", "rejected_at_plan")
        }
        env_futures = {
            name: pool.submit(_plan_json, folder, environ, _env_vars(name, artifacts))
            for name, folder in env_dirs.items()
        }
        return {
            "accepted": accepted_future.result(),
            "diagnostics": [[name, d] for name, future in rejected_futures.items() for d in future.result()],
            "envs": {name: future.result() for name, future in env_futures.items()},
            "bootstrap": bootstrap_future.result(),
        }


def _plans(workdir: Path, texts: dict[str, str], env_names: list[str]) -> dict[str, Any]:
    """The session's plans: read from the cache when their inputs are unchanged, else planned and stored."""
    if os.environ.get("PARLEY_PLAN_CACHE", "1") == "0":
        return _plan_everything(workdir, texts, env_names)
    entry = PLAN_CACHE / f"{inputs_digest([ROOT / name for name in PLAN_INPUTS], *env_names)}.json"
    if entry.is_file():
        cached: dict[str, Any] = json.loads(entry.read_text())
        return cached
    planned = _plan_everything(workdir, texts, env_names)
    PLAN_CACHE.mkdir(parents=True, exist_ok=True)
    for stale in PLAN_CACHE.glob("*.json"):  # one entry: the cache never grows
        stale.unlink()
    partial = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(planned))
    partial.replace(entry)
    return planned


def run_all(workdir: Path, env_names: list[str] = ENVS) -> PlanSession:
    cases = all_cases()
    # Each generated root rendered once: its text is planned, its cases' line spans attribute the diagnostics.
    rendered = {
        name: render_root([c for c in cases if c.root == name], workdir / "artifacts")
        for name in ("accepted", "rejected", "rejected_at_plan")
    }
    planned = _plans(workdir, {name: text for name, (text, _) in rendered.items()}, env_names)
    accepted_raw, env_raw, bootstrap_raw = planned["accepted"], planned["envs"], planned["bootstrap"]

    outputs = accepted_raw.get("planned_values", {}).get("outputs", {})
    accepted = {
        case.label: ModulePlan(case.label, index_plan(accepted_raw, f"module.{case.label}."), outputs)
        for case in cases
        if not case.rejected
    }

    rejections: dict[str, list[str]] = {}
    unattributed = []
    for root, diagnostic in planned["diagnostics"]:
        text = f"{diagnostic['summary']}: {diagnostic.get('detail', '')}"
        line = diagnostic.get("range", {}).get("start", {}).get("line")
        spans = rendered[root][1]
        owner = next((label for label, (a, b) in spans.items() if line is not None and a <= line <= b), None)
        if owner is None or diagnostic.get("range", {}).get("filename") != "main.tf":
            unattributed.append(text)
        else:
            rejections.setdefault(owner, []).append(re.sub(r"\s+", " ", text))
    return PlanSession(accepted, rejections, env_raw, bootstrap_raw, unattributed)
