"""The shape of modules/stack: one function map, feature files without cycles, and an upgrade path.

Read from the HCL (python-hcl2), no terraform run. `make upgrade-check` proves the
upgrade path for real: it applies an earlier tree to the emulator and plans this one.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tools import hcl

MODULES = ROOT / "modules"
STACK = MODULES / "stack"
# Files every feature may read: the hub (shared resources and the function module) and the renamed addresses.
HUB = {"main.tf", "moved.tf"}
SPEC_KEYS = {"description", "runtime", "environment", "statements", "routes", "invoke_permissions"}
REFERENCE = re.compile(r"\b(local|module)\.([a-z0-9_]+)|\b(aws_[a-z0-9_]+)\.([a-z0-9_]+)\b")


@cache
def _parsed(path: Path) -> dict[str, Any]:
    return hcl.load(path)


def _declared(path: Path) -> set[str]:
    """What a file declares, as references to it are spelled (local.x, module.x, aws_type.name)."""
    parsed = _parsed(path)
    names = {f"local.{name}" for block in parsed.get("locals", []) for name in block if name != "__is_block__"}
    names |= {f"module.{name.strip(chr(34))}" for block in parsed.get("module", []) for name in block}
    for block in parsed.get("resource", []) + parsed.get("ephemeral", []):
        for kind, bodies in block.items():
            names |= {f"{kind.strip(chr(34))}.{name.strip(chr(34))}" for name in bodies}
    return names


def _referenced(path: Path) -> set[str]:
    text = path.read_text()
    return {f"{m[0]}.{m[1]}" if m[0] else f"{m[2]}.{m[3]}" for m in REFERENCE.findall(text)}


def _features() -> list[Path]:
    return sorted(
        p
        for p in STACK.glob("*.tf")
        if p.name not in HUB and not p.name.startswith(("variables", "outputs", "versions"))
    )


def test_stack_layout_feature_files_have_no_reference_cycles() -> None:
    owners = {name: path.name for path in STACK.glob("*.tf") for name in _declared(path)}
    graph = {
        path.name: {owners[r] for r in _referenced(path) if owners.get(r) not in (None, path.name, *HUB)}
        for path in _features()
    }
    assert {"auth.tf", "api.tf", "websocket.tf", "calls.tf", "schedules.tf"} <= set(graph)
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        pytest.fail(f"feature files reference each other in a cycle: {exc.args[1]}")
    assert order.index("auth.tf") < order.index("api.tf")  # api_public serves the sign-in contract of auth.tf


def test_stack_layout_variables_and_outputs_live_in_their_files() -> None:
    misplaced = [
        f"{path.name}: {kind}"
        for path in STACK.glob("*.tf")
        for kind, prefix in (("variable", "variables"), ("output", "outputs"))
        if _parsed(path).get(kind) and not path.name.startswith(prefix)
    ]
    assert misplaced == []


def _function_maps() -> dict[str, dict[str, Any]]:
    """Every feature's function map entry by function key, as written in the HCL."""
    locals_ = {
        name: value for path in STACK.glob("*.tf") for b in _parsed(path).get("locals", []) for name, value in b.items()
    }
    merged = re.findall(r"local\.([a-z0-9_]+)", str(locals_["function_specs"]))
    entries: dict[str, dict[str, Any]] = {}
    for name in merged:
        value = locals_[name]
        if isinstance(value, str):  # a for expression over the feature's entries
            (value,) = [
                locals_[n]
                for n in re.findall(r"local\.([a-z0-9_]+)", value)
                if isinstance(locals_.get(n), dict) and all(isinstance(v, dict) for v in locals_[n].values())
            ]
        entries.update(value)
    return entries


def test_stack_layout_every_function_is_one_entry_of_the_function_map() -> None:
    entries = _function_maps()
    functions = set(tomllib.loads((ROOT / "lambda_src" / "functions.toml").read_text())) - {"edge_auth"}
    assert set(entries) == functions
    unknown = {key: sorted(set(entry) - SPEC_KEYS) for key, entry in entries.items() if set(entry) - SPEC_KEYS}
    assert unknown == {}, "function map entries may only hold " + ", ".join(sorted(SPEC_KEYS))
    lambda_modules = [
        name
        for path in STACK.glob("*.tf")
        for block in _parsed(path).get("module", [])
        for name, body in block.items()
        if str(body.get("source")).strip('"') == "../lambda_function"
    ]
    assert lambda_modules == ['"function"']


def test_stack_layout_api_reads_only_exports_back_and_heads_uploads() -> None:
    """Uploads are written with presigned PUTs and only checked to exist (HeadObject, for an avatar); only CSV
    exports are read back (a presigned GET)."""
    statements = _function_maps()["api"]["statements"]
    grants = re.findall(r"actions = \[([^\]]*)\], resources = \[([^\]]*)\]", str(statements))
    assert len(grants) == 3  # uploads_write, uploads_read and the optional uploads_key
    reads = [resources for actions, resources in grants if "s3:GetObject" in actions]
    assert reads == ['"${module.uploads.bucket_arn}/exports/*", "${module.uploads.bucket_arn}/users/*"']
    handlers = sorted((ROOT / "lambda_src" / "parley" / "handlers").glob("*.py"))
    readers = {path.name: path.read_text().count("presigned_get(") for path in handlers}
    assert {name: count for name, count in readers.items() if count} == {"api_files.py": 1}


# Every address of the stack and its bucket modules before they were built from maps and
# modules/private_bucket: each must still exist, or have a moved block leading to one that does.
# The functions of that stack (those added later never had an address of their own).
CUSTOM_AUTH = {"auth_define", "auth_create", "auth_verify"}
MAPPED_FUNCTIONS = {"api", "api_public", "ws", "ws_authorizer", "match", "call_token", "reminders", "points_reset"}
OLD_FUNCTIONS = {
    f"module.{key}_function{'[0]' if key in CUSTOM_AUTH else ''}": f'module.function["{key}"]'
    for key in sorted(MAPPED_FUNCTIONS | CUSTOM_AUTH | {"auth_post_confirmation"})
}
BUCKET_PARTS = ["public_access_block", "ownership_controls", "server_side_encryption_configuration", "policy"]
OLD_BUCKETS = {
    "stack": [
        "aws_s3_bucket.artifacts",
        *(f"aws_s3_bucket_{p}.artifacts" for p in BUCKET_PARTS if p != "ownership_controls"),
    ],
    "storage": [
        "aws_s3_bucket.this",
        "aws_s3_bucket_versioning.this",
        *(f"aws_s3_bucket_{p}.this" for p in BUCKET_PARTS),
    ],
    "state_backend": [
        "aws_s3_bucket.this",
        "aws_s3_bucket_versioning.this",
        *(f"aws_s3_bucket_{p}.this" for p in BUCKET_PARTS),
    ],
    "static_site": [
        "aws_s3_bucket.this",
        *(f"aws_s3_bucket_{p}.this" for p in BUCKET_PARTS),
        "aws_s3_bucket.logs[0]",
        *(f"aws_s3_bucket_{p}.logs[0]" for p in BUCKET_PARTS if p != "policy"),
    ],
}
OLD_ALARMS = {
    "monitoring": ["aws_cloudwatch_metric_alarm.this"],
    "eventbridge": ["aws_cloudwatch_metric_alarm.dead_letter"],
}


def _moves(module: str) -> dict[str, str]:
    return {
        m["from"].strip("${}"): m["to"].strip("${}")
        for path in (MODULES / module).glob("*.tf")
        for m in _parsed(path).get("moved", [])
    }


def _exists(module: str, address: str) -> bool:
    """Whether ``address`` (resource or module instance) is declared in modules/<module>."""
    address = re.sub(r"\[[^\]]*\]", "", address)
    head, _, rest = address.partition(".")
    if head == "module":
        call, _, inner = rest.partition(".")
        sources = {
            name.strip('"'): body["source"].strip('"').removeprefix("../")
            for path in (MODULES / module).glob("*.tf")
            for block in _parsed(path).get("module", [])
            for name, body in block.items()
        }
        return call in sources and (not inner or _exists(sources[call], inner))
    return any(address in _declared(path) for path in (MODULES / module).glob("*.tf"))


@pytest.mark.parametrize(
    ("module", "address"),
    [("stack", a) for a in OLD_FUNCTIONS]
    + [(m, a) for m, addresses in {**OLD_BUCKETS, **OLD_ALARMS}.items() for a in addresses],
)
def test_stack_layout_every_old_address_still_exists_or_is_moved(module: str, address: str) -> None:
    moves = _moves(module)
    target = moves.get(address, moves.get(re.sub(r"\[0\]$", "", address)))
    if target is None:
        assert _exists(module, address), f"{address} of modules/{module} is gone without a moved block"
    else:
        assert _exists(module, target), f"modules/{module} moves {address} to {target}, which is not declared"
    if address in OLD_FUNCTIONS:
        assert target == OLD_FUNCTIONS[address]
