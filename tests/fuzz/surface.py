"""The deployed surface, read from the Terraform that deploys it: HTTP routes, WebSocket actions, Cognito triggers.

The fuzz suites iterate over these, so a route added to the stack's route map
without a strategy in tests/fuzz/strategies.py fails the suite instead of
going unfuzzed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tests.conftest import ROOT

STACK = ROOT / "modules" / "stack"
_ROUTE = re.compile(r'"((?:GET|POST|PUT|PATCH|DELETE) /[^"]*)"')
_FUNCTION_KEY = re.compile(r"^    ([a-z][a-z0-9_]*) = \{$", re.MULTILINE)  # a key of a *_functions map (terraform fmt)
# Locals holding a function's routes beside the function map (api.tf, auth.tf), and that function.
ROUTE_LOCALS = {"api_builtin_routes": "api", "auth_public_routes": "api_public"}
_ROUTE_LOCAL = re.compile(
    r"^  (" + "|".join(ROUTE_LOCALS) + r") = (?:\[|merge\()(.*?)^  [\])]", re.MULTILINE | re.DOTALL
)


@dataclass(frozen=True)
class Route:
    key: str  # "METHOD /path/{param}"
    function: str  # the function key of lambda_src/functions.toml serving it

    @property
    def method(self) -> str:
        return self.key.split(" ", 1)[0]

    @property
    def path(self) -> str:
        return self.key.split(" ", 1)[1]

    @property
    def params(self) -> list[str]:
        return re.findall(r"\{([A-Za-z]+)\}", self.path)


@cache
def http_routes() -> tuple[Route, ...]:
    """Every route key of the stack's function map, with the function that declares it."""
    found: dict[str, Route] = {}
    for tf in sorted(STACK.glob("*.tf")):
        text = tf.read_text()
        for listed in _ROUTE_LOCAL.finditer(text):
            for route in _ROUTE.findall(listed.group(2)):
                found[route] = Route(route, ROUTE_LOCALS[listed.group(1)])
            text = text.replace(listed.group(0), "")
        for match in _ROUTE.finditer(text):
            owners = [m.group(1) for m in _FUNCTION_KEY.finditer(text, 0, match.start())]
            assert owners, f"{tf.name}: route {match.group(1)} outside a function's declaration"
            found[match.group(1)] = Route(match.group(1), owners[-1])
    return tuple(found[key] for key in sorted(found))


@cache
def websocket_actions() -> tuple[str, ...]:
    """The action routes of the WebSocket API (modules/websocket's ``actions`` default, which the stack uses)."""
    text = (ROOT / "modules" / "websocket" / "variables.tf").read_text()
    block = re.search(r'variable "actions" \{.*?default\s*=\s*\[(.*?)\]', text, re.DOTALL)
    assert block, "modules/websocket/variables.tf: no actions default"
    return tuple(re.findall(r'"([^"]+)"', block.group(1)))


@cache
def cognito_triggers() -> tuple[str, ...]:
    """The function keys of the Cognito triggers (``auth_trigger_of`` in modules/stack/auth.tf)."""
    text = (STACK / "auth.tf").read_text()
    block = re.search(r"auth_trigger_of = \{(.*?)\n  \}", text, re.DOTALL)
    assert block, "modules/stack/auth.tf: no auth_trigger_of map"
    return tuple(re.findall(r"^\s+([a-z_]+)\s+=", block.group(1), re.MULTILINE))
