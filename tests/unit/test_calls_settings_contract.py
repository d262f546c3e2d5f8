"""The environment Terraform gives the call functions matches what their settings read."""

from __future__ import annotations

import hcl2
import pytest

from parley.handlers.call_token import CallTokenSettings
from parley.handlers.match import MatchSettings
from parley.settings import BaseSettings
from tests.conftest import ROOT

CALLS = hcl2.loads((ROOT / "modules" / "stack" / "calls.tf").read_text())
COMMON = {"TABLE_NAME", "APP_STAGE", "LOG_LEVEL"}  # local.common_environment (modules/stack/main.tf)


def _environment_keys(function: str) -> set[str]:
    """The settings of ``function``'s entry in the calls feature's function map."""
    entries = next(block["calls_functions"] for block in CALLS["locals"] if "calls_functions" in block)
    assert function in entries, f"no {function} in local.calls_functions"
    return set(entries[function]["environment"]) | COMMON


@pytest.mark.parametrize(("function", "settings"), [("match", MatchSettings), ("call_token", CallTokenSettings)])
def test_calls_settings_contract_terraform_sets_every_variable_the_function_reads(
    function: str, settings: type[BaseSettings]
) -> None:
    given = _environment_keys(function)
    read = settings.env_names()
    assert {name for name, required in read.items() if required} <= given
    assert given <= set(read), f"set but never read: {sorted(given - set(read))}"
