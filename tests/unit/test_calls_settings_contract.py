"""The environment Terraform gives the call functions matches what their settings read."""

from __future__ import annotations

import re

import pytest

from parley.handlers.call_token import CallTokenSettings
from parley.handlers.match import MatchSettings
from parley.settings import BaseSettings
from tests.conftest import ROOT

CALLS_TF = (ROOT / "modules" / "stack" / "calls.tf").read_text()
COMMON = {"TABLE_NAME", "APP_STAGE", "LOG_LEVEL"}  # local.common_environment


def _environment_keys(module: str) -> set[str]:
    block = re.search(rf'module "{module}" {{\n(.*?)\n}}\n', CALLS_TF, re.S)
    assert block, f"no module {module} in calls.tf"
    environment = re.search(r"environment = merge\(local\.common_environment, \{\n(.*?)\n  \}\)", block.group(1), re.S)
    assert environment, f"{module} sets no environment"
    return set(re.findall(r"^\s+([A-Z][A-Z0-9_]*)\s+=", environment.group(1), re.M)) | COMMON


@pytest.mark.parametrize(
    ("module", "settings"), [("match_function", MatchSettings), ("call_token_function", CallTokenSettings)]
)
def test_calls_settings_contract_terraform_sets_every_variable_the_function_reads(
    module: str, settings: type[BaseSettings]
) -> None:
    given = _environment_keys(module)
    read = settings.env_names()
    assert {name for name, required in read.items() if required} <= given
    assert given <= set(read), f"set but never read: {sorted(given - set(read))}"
