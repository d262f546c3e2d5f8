"""Contract: every environment variable a handler reads is set by Terraform on that function.

The settings a handler reads are the BaseSettings classes reachable from its
module (and the parley.handlers routers it includes); the variables Terraform
sets are in each environment's plan, matched to the function by its package.
"""

from __future__ import annotations

import importlib
import inspect
import tomllib
from types import ModuleType
from typing import Any

import pytest

from parley.settings import BaseSettings
from tests.plan.harness import ROOT, PlanSession, index_plan

FUNCTIONS = sorted(tomllib.loads((ROOT / "lambda_src" / "functions.toml").read_text()))


def settings_classes(module: ModuleType, seen: set[str] | None = None) -> set[type[BaseSettings]]:
    """BaseSettings classes a handler module uses, following the handler modules it imports."""
    seen = seen if seen is not None else set()
    seen.add(module.__name__)
    found: set[type[BaseSettings]] = set()
    for value in vars(module).values():
        if inspect.isclass(value) and issubclass(value, BaseSettings):
            found.add(value)
        elif inspect.ismodule(value) and value.__name__.startswith("parley.handlers.") and value.__name__ not in seen:
            found |= settings_classes(value, seen)
    return found


def read_names(function: str) -> set[str]:
    module = importlib.import_module(f"parley.handlers.{function}")
    return {name for cls in settings_classes(module) for name in cls.env_names()}


def deployed_environments(raw: dict[str, Any]) -> dict[str, set[str]]:
    """Function key (from its package key lambda/<key>.zip) -> environment variable names set."""
    found: dict[str, set[str]] = {}
    for resource in index_plan(raw).values():
        if resource["type"] != "aws_lambda_function":
            continue
        key = resource["values"]["s3_key"].removeprefix("lambda/").removesuffix(".zip")
        # Variables whose value is known only after apply are absent from values
        # and listed in after_unknown.
        variables = (resource["values"].get("environment") or [{}])[0].get("variables") or {}
        unknown = (resource["after_unknown"].get("environment") or [{}])[0]
        unknown_names = unknown.get("variables") if isinstance(unknown, dict) else None
        found[key] = set(variables) | (set(unknown_names) if isinstance(unknown_names, dict) else set())
    return found


def test_contract_finds_the_settings_of_the_api_functions() -> None:
    assert {"UPLOADS_BUCKET", "UPLOAD_MAX_BYTES", "TABLE_NAME", "APP_SECRETS"} <= read_names("api")
    assert "TABLE_NAME" in read_names("api_public")


@pytest.mark.parametrize("env", ["local", "dev", "prod"])
def test_contract_every_env_var_a_handler_reads_is_set_by_terraform(plans: PlanSession, env: str) -> None:
    deployed = deployed_environments(plans.envs[env])
    assert {"api", "api_public"} <= set(deployed)
    missing = {
        function: sorted(read_names(function) - deployed[function]) for function in FUNCTIONS if function in deployed
    }
    assert {f: names for f, names in missing.items() if names} == {}
