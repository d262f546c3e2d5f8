"""The WebSocket tables and the cost arithmetic of the docs cannot drift from the code.

Actions and error codes are read from ``lambda_src`` with ``ast``: the action
table of the ws handler, and every error code the ws function's code can raise
(``code=`` of a typed error, a typed error's default code, ``error_frame``'s
code) in the functions it can reach through its ``parley`` imports. The totals of docs/cost.md are
recomputed from the rows they sum. (Routes, which the stack defines, are
checked against the planned stack in tests/plan/test_docs_drift.py.)
"""

from __future__ import annotations

import ast
import re
from decimal import Decimal

import pytest

from tests.conftest import ROOT
from tests.docs_tables import code, table
from tests.static.test_function_packages import _module_file, code_of

WS_DOCS = ["README.md", "docs/websocket.md"]


def _tree(module: str) -> ast.Module:
    path = _module_file(module)
    assert path
    return ast.parse(path.read_text(), str(path))


def _default_codes() -> dict[str, str]:
    """Typed error class -> its default code (parley.errors)."""
    found = {}
    for node in _tree("parley.errors").body:
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and getattr(statement.targets[0], "id", "") == "code":
                    found[node.name] = ast.literal_eval(statement.value)
    return found


def _raised_codes(node: ast.AST, defaults: dict[str, str]) -> set[str]:
    codes = set()
    for inner in ast.walk(node):
        if not isinstance(inner, ast.Call):
            continue
        name = inner.func.id if isinstance(inner.func, ast.Name) else getattr(inner.func, "attr", "")
        keywords = {k.arg: k.value for k in inner.keywords}
        if name in defaults:
            given = keywords.get("code")
            codes.add(ast.literal_eval(given) if isinstance(given, ast.Constant) else defaults[name])
        elif name == "error_frame" and inner.args and isinstance(inner.args[0], ast.Constant):
            codes.add(inner.args[0].value)
    return codes


Target = tuple[str, str]  # (module, function) for a module-level function, ("", name) for a method


class _Module:
    """One parley module's functions and what its names refer to."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.tree = _tree(name)
        self.functions: dict[Target, ast.AST] = {}
        self.aliases: dict[str, str] = {}  # local name -> module
        self.imported: dict[str, Target] = {}  # local name -> (module, function)
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions[(name, node.name)] = node
            elif isinstance(node, ast.ClassDef):
                for member in node.body:
                    if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
                        self.functions[("", member.name)] = member
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    self.aliases[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if _module_file(full):
                        self.aliases[alias.asname or alias.name] = full
                    else:
                        self.imported[alias.asname or alias.name] = (node.module, alias.name)

    def targets(self, node: ast.AST) -> set[Target]:
        """The functions a piece of this module's code calls or passes on."""
        found: set[Target] = set()
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name):
                if (self.name, inner.id) in self.functions:
                    found.add((self.name, inner.id))
                elif inner.id in self.imported:
                    found.add(self.imported[inner.id])
            elif isinstance(inner, ast.Attribute):
                base = inner.value.id if isinstance(inner.value, ast.Name) else None
                if base in self.aliases:
                    found.add((self.aliases[base], inner.attr))
                else:
                    found.add(("", inner.attr))
        return found


def ws_error_codes() -> set[str]:
    """Codes raised by the functions the ws handler can reach, across the parley modules it imports.

    Reachability is by function, not by module: a repository shared with the HTTP API raises codes in
    functions the WebSocket code never calls. Method calls on objects match every method of that name.
    """
    defaults = _default_codes()
    modules = {
        m: _Module(m) for m in sorted(code_of("parley.handlers.ws")) if m.startswith("parley") and _module_file(m)
    }
    functions: dict[Target, list[tuple[_Module, ast.AST]]] = {}
    for module in modules.values():
        for target, node in module.functions.items():
            functions.setdefault(target, []).append((module, node))
    entry = modules["parley.handlers.ws"]
    codes = _raised_codes(entry.tree, defaults)
    reached: set[Target] = set()
    pending = list(entry.targets(entry.tree))
    while pending:
        target = pending.pop()
        if target in reached or target not in functions:
            continue
        reached.add(target)
        for module, node in functions[target]:
            codes |= _raised_codes(node, defaults)
            pending += module.targets(node)
    return codes


def ws_actions() -> set[str]:
    """The keys of the ws handler's ACTIONS table."""
    for node in _tree("parley.handlers.ws").body:
        target = (
            node.target
            if isinstance(node, ast.AnnAssign)
            else (node.targets[0] if isinstance(node, ast.Assign) else None)
        )
        if getattr(target, "id", "") == "ACTIONS" and isinstance(node.value, ast.Dict):
            return {ast.literal_eval(k) for k in node.value.keys if k is not None}
    raise AssertionError("parley.handlers.ws has no ACTIONS table of action -> function")


def test_docs_drift_reads_the_ws_code() -> None:
    assert {"invalid_json", "not_a_member", "try_again", "internal"} <= ws_error_codes()
    assert {"ping", "join", "relay.open"} <= ws_actions()


@pytest.mark.parametrize("path", WS_DOCS)
def test_docs_drift_websocket_actions_are_the_handler_actions(path: str) -> None:
    documented = [code(row[0]) for row in table(path, "action", "fields")]
    assert len(documented) == len(set(documented))
    assert set(documented) == ws_actions(), f"{path}: action table differs from parley.handlers.ws ACTIONS"


@pytest.mark.parametrize("path", WS_DOCS)
def test_docs_drift_websocket_errors_are_the_codes_the_code_raises(path: str) -> None:
    documented = [code(row[0]) for row in table(path, "error", "when")]
    assert len(documented) == len(set(documented))
    missing, extra = ws_error_codes() - set(documented), set(documented) - ws_error_codes()
    assert not missing and not extra, f"{path}: undocumented {sorted(missing)}, never raised {sorted(extra)}"


def _money(cell: str) -> Decimal:
    match = re.search(r"\$(\d+(?:\.\d+)?)", cell.replace(",", ""))
    assert match, f"no amount in {cell!r}"
    return Decimal(match.group(1))


def _is_total(row: list[str]) -> bool:
    return row[0].startswith("**")


def test_docs_drift_cost_media_total_is_the_sum_of_its_rows() -> None:
    rows = table("docs/cost.md", "item", "monthly")
    (total,) = [r for r in rows if _is_total(r)]
    assert _money(total[1]) == sum(_money(r[1]) for r in rows if not _is_total(r))
    # Each hourly line is its price over 730 hours, for one or two of them, to the cent.
    for item, monthly in [(r[0], r[1]) for r in rows if "/h" in r[0]]:
        count = 2 if item.startswith("2 ") else 1
        assert (_money(item) * 730 * count).quantize(Decimal("0.01")) == _money(monthly), item


def test_docs_drift_cost_serverless_totals_are_the_sums_of_their_rows() -> None:
    rows = table("docs/cost.md", "item", "price", "dev", "prod")
    (total,) = [r for r in rows if _is_total(r)]
    for column in (2, 3):
        assert _money(total[column]) == sum(_money(r[column]) for r in rows if not _is_total(r)), column


def test_docs_drift_cost_per_environment_adds_the_media_servers() -> None:
    media = _money(next(r for r in table("docs/cost.md", "item", "monthly") if _is_total(r))[1])
    serverless = next(r for r in table("docs/cost.md", "item", "price", "dev", "prod") if _is_total(r))
    per_env = {(r[0], r[1].split(" ")[0]): _money(r[2]) for r in table("docs/cost.md", "env", "media servers")}
    for env, column in (("dev", 2), ("prod", 3)):
        assert per_env[(env, "off")] == _money(serverless[column])
        assert per_env[(env, "on")] == _money(serverless[column]) + media


def test_docs_drift_cost_lines_follow_the_stated_volumes() -> None:
    rows = {r[0]: r for r in table("docs/cost.md", "item", "price", "dev", "prod")}
    text = (ROOT / "docs" / "cost.md").read_text()
    # Lambda: 1.5M requests are 0.5M beyond the free million; 112,500 GB-s stay within 400,000.
    assert Decimal("1.5") * Decimal("0.15") * Decimal("0.5") * 1_000_000 == Decimal("112500") < 400_000
    assert _money(rows["Lambda (arm64)"][3]) == (Decimal("1.5") - 1) * Decimal("0.20")
    # CloudWatch in prod: the alarms beyond the free ten, at $0.10 each.
    found = re.search(r"prod has (\d+) alarms", text)
    assert found, "docs/cost.md no longer states prod's alarm count"
    alarms = int(found.group(1))
    assert f"prod: {alarms} - 10 = {alarms - 10}" in rows["CloudWatch"][1]
    assert _money(rows["CloudWatch"][3]) == (alarms - 10) * Decimal("0.10")
    # Cognito Plus in prod: every one of the 500 users, at $0.02.
    assert _money(rows["Cognito"][3]) == 500 * Decimal("0.02")
