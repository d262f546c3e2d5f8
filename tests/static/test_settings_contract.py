"""Every setting a handler reads is set by Terraform on that function, and nothing it sets goes unread.

Read from the stack's HCL rather than a plan: a function's environment often
holds values known only after apply (pool ids, API endpoints), and a plan then
hides the whole map. The keys, though, are in the configuration: each function's
entry of its feature's function map (modules/stack/*.tf, merged in main.tf).
"""

from __future__ import annotations

import importlib
import inspect
import re
import tomllib
from functools import cache
from typing import Any

import pytest

from parley.settings import BaseSettings
from tests.conftest import ROOT
from tools import hcl

STACK = ROOT / "modules" / "stack"
KEY = re.compile(r"\b([A-Z][A-Z0-9_]+)\s*=")
LOCAL_REF = re.compile(r"local\.([a-z0-9_]+)")
# Set by the lambda_function module itself, read by Powertools.
MODULE_SET = {"POWERTOOLS_SERVICE_NAME"}


@cache
def _stack() -> list[dict[str, Any]]:
    return [hcl.load(path) for path in sorted(STACK.glob("*.tf"))]


@cache
def _locals() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for parsed in _stack():
        for block in parsed.get("locals", []):
            found.update(block)
    return found


def _keys(expression: Any, seen: frozenset[str] = frozenset()) -> set[str]:
    """Environment variable names an expression can produce, following local.* maps."""
    if isinstance(expression, dict):
        return {k for k in expression if re.fullmatch(r"[A-Z][A-Z0-9_]+", k)} | {
            key for value in expression.values() if isinstance(value, dict | list) for key in _keys(value, seen)
        }
    text = str(expression)
    keys = set(KEY.findall(text))
    for name in set(LOCAL_REF.findall(text)) - seen:
        if name in _locals() and isinstance(_locals()[name], dict | str):
            keys |= _keys(_locals()[name], seen | {name})
    return keys


def _is_function_map(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(v, dict) and "description" in v for v in value.values())
    )


def function_specs() -> dict[str, dict[str, Any]]:
    """function name (functions.toml) -> its entry in a feature's function map (local.function_specs merges them)."""
    specs: dict[str, dict[str, Any]] = {}
    for feature in LOCAL_REF.findall(str(_locals()["function_specs"])):
        value = _locals()[feature]
        if not _is_function_map(value):  # built by a for expression from a map of entries
            (value,) = [_locals()[n] for n in LOCAL_REF.findall(str(value)) if _is_function_map(_locals()[n])]
        specs.update(value)
    return specs


@cache
def _function_settings() -> tuple[dict[str, set[str]], set[str]]:
    """function name -> the settings Terraform always sets on it, and the settings set only on some functions."""
    common = _keys(_locals()["common_environment"])
    always = {name: common | _keys(spec.get("environment", {})) for name, spec in function_specs().items()}
    # Set by the hub (main.tf) on some functions only, e.g. APP_SECRETS on an app secret's readers.
    conditional = set(KEY.findall(str(_locals()["functions"])))
    return always, conditional


def _function_modules() -> dict[str, set[str]]:
    return _function_settings()[0]


def _settings_classes(handler: str) -> set[type[BaseSettings]]:
    """Settings classes defined in the handler's module and in the parley.handlers modules it imports."""
    module_name = handler.rpartition(".")[0]
    module = importlib.import_module(module_name)
    names = {module_name} | set(
        re.findall(r"^from (parley\.handlers\.[a-z0-9_]+) import", inspect.getsource(module), re.M)
    )
    classes: set[type[BaseSettings]] = set()
    for name in names:
        for value in vars(importlib.import_module(name)).values():
            if inspect.isclass(value) and issubclass(value, BaseSettings) and value is not BaseSettings:
                classes.add(value)
    return classes or {BaseSettings}


def _handlers() -> dict[str, str]:
    spec = tomllib.loads((ROOT / "lambda_src" / "functions.toml").read_text())
    return {name: body.get("handler", f"parley.handlers.{name}.handler") for name, body in spec.items()}


DEPLOYED = sorted(_function_modules())


def test_settings_contract_every_packaged_function_is_deployed() -> None:
    # edge_auth runs at CloudFront and takes its settings from its package, not a Lambda module here.
    assert set(_handlers()) - {"edge_auth"} <= set(_function_modules()) | {"edge_auth"}
    assert set(_function_modules()) <= set(_handlers())


@pytest.mark.parametrize("function", DEPLOYED)
def test_settings_contract_required_settings_are_set(function: str) -> None:
    given = _function_modules()[function]
    required = {
        name for cls in _settings_classes(_handlers()[function]) for name, needed in cls.env_names().items() if needed
    }
    assert required - given == set(), f"{function} reads settings Terraform does not always set"


@pytest.mark.parametrize("function", DEPLOYED)
def test_settings_contract_nothing_set_goes_unread(function: str) -> None:
    given = (_function_modules()[function] | _function_settings()[1]) - MODULE_SET
    known = {name for cls in _settings_classes(_handlers()[function]) for name in cls.env_names()}
    assert given - known == set(), f"{function} is given settings nothing reads"


def test_settings_contract_settings_set_on_some_functions_are_optional_for_all() -> None:
    """A setting only some functions get (APP_SECRETS on an app secret's readers) is optional in BaseSettings."""
    conditional = _function_settings()[1]
    assert conditional == {"APP_SECRETS"}
    assert {name: BaseSettings.env_names().get(name) for name in conditional} == dict.fromkeys(conditional, False)
    for function in DEPLOYED:
        assert not conditional & _function_modules()[function], f"{function} always gets {conditional}"
