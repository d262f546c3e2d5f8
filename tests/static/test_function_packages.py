"""Each deployed function ships the third-party packages its own code needs.

A function's code is its handler module and every ``parley`` module that module
imports, directly or through others (read with ``ast``, imports inside
functions included). Lambda's Python runtime has no IANA time zone files, so a
function whose code imports ``zoneinfo`` must ship ``tzdata``
(``lambda_src/functions.toml``), and only such a function needs it.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

SRC = ROOT / "lambda_src"
FUNCTIONS = tomllib.loads((SRC / "functions.toml").read_text())


def _module_file(name: str) -> Path | None:
    base = SRC.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(name: str) -> set[str]:
    """Top-level names of the modules one module imports (parley ones fully qualified)."""
    path = _module_file(name)
    assert path, f"no module {name} under lambda_src"
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            # `from parley.domain import realtime` imports the module parley.domain.realtime.
            found |= {f"{base}.{alias.name}" for alias in node.names if _module_file(f"{base}.{alias.name}")}
    return found


def code_of(handler_module: str) -> set[str]:
    """Every module a function's handler module brings in: parley ones followed, others by name."""
    seen: set[str] = set()
    pending = [handler_module]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        parents = [".".join(parts[:i]) for i in range(1, len(parts))]
        for imported in [*_imports(name), *parents] if name.startswith("parley") else []:
            if imported.startswith("parley") and _module_file(imported):
                pending.append(imported)
            else:
                seen.add(imported)
    return seen


def _handler_module(name: str) -> str:
    handler = FUNCTIONS[name].get("handler", f"parley.handlers.{name}.handler")
    return str(handler).rsplit(".", 1)[0]


def test_function_packages_code_reaches_the_known_time_zone_users() -> None:
    # The derivation follows imports across layers: points_reset imports zoneinfo itself,
    # api reaches it through domain.reminder_requests.
    assert "zoneinfo" in code_of("parley.handlers.points_reset")
    assert "zoneinfo" in code_of("parley.handlers.api")
    assert "parley.domain.realtime" in code_of("parley.handlers.ws")
    assert "zoneinfo" not in code_of("parley.handlers.ws_authorizer")


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_function_packages_ship_tzdata_exactly_when_their_code_uses_zoneinfo(function: str) -> None:
    needs = "zoneinfo" in code_of(_handler_module(function))
    ships = "tzdata" in FUNCTIONS[function].get("requirements", [])
    assert ships == needs, (
        f"{function}: its code {'imports' if needs else 'does not import'} zoneinfo, so "
        f"lambda_src/functions.toml must {'list' if needs else 'not list'} tzdata in its requirements"
    )
