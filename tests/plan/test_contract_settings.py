"""Contract: every environment variable a handler reads is set by Terraform on that function.

The settings a handler reads are the BaseSettings classes reachable from its
module (and the parley.handlers routers it includes); the variables Terraform
sets are in each environment's plan, matched to the function by its package.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import tomllib
from typing import Any

import pytest

from parley.settings import BaseSettings
from tests.plan.harness import ROOT, PlanSession, index_plan

FUNCTIONS = sorted(tomllib.loads((ROOT / "lambda_src" / "functions.toml").read_text()))


def handler_modules(name: str, seen: set[str] | None = None) -> set[str]:
    """``name`` and every parley.handlers module it imports, directly or through another one."""
    seen = seen if seen is not None else set()
    seen.add(name)
    source = inspect.getsource(importlib.import_module(name))
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        if node.module == "parley.handlers":
            imported = [f"parley.handlers.{alias.name}" for alias in node.names]
        elif node.module.startswith("parley.handlers."):
            imported = [node.module]
        else:
            continue
        for module in imported:
            if module not in seen:
                handler_modules(module, seen)
    return seen


def settings_classes(function: str) -> set[type[BaseSettings]]:
    """BaseSettings classes used by a function's handler and the handler modules (routers) it includes."""
    found: set[type[BaseSettings]] = set()
    for name in handler_modules(f"parley.handlers.{function}"):
        found |= {
            v
            for v in vars(importlib.import_module(name)).values()
            if inspect.isclass(v) and issubclass(v, BaseSettings)
        }
    return found


def read_names(function: str) -> set[str]:
    return {name for cls in settings_classes(function) for name in cls.env_names()}


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
