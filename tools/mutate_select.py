"""pytest plugin of ``make mutate``: which tests run against one mutant, and in what order.

mutmut records, in one traced run, which tests executed each function, and runs
those tests against each mutant of the function. A function of the persistence
core is executed by nearly every unit test, so that list alone would make one
surviving mutant cost the whole suite. This plugin, loaded with
``-p tools.mutate_select`` in the mutmut runs only (``tools/mutate.py``), keeps
at most ``PARLEY_MUTATE_MAX_TESTS`` of them: first the tests of the mutated
module's own test files (the files under ``tests/unit`` that import it, directly
or through a helper of that folder), then the rest, each group fastest first.
It trims the test ids of the command line before collection, so a mutant's
process collects only the files of the tests it runs. Outside a mutant run
(stats, clean run) it changes no selection.

It also makes every botocore ``Loader`` of the process share one cache: each
unit test opens a fresh boto3 session (``aws.reset()``), whose new loader would
read the service models from disk again, which costs most of a moto test. The
data read is the same; only the reading happens once per process. In the same
way botocore's check that an event handler takes ``**kwargs`` is answered once
per function, and the test files' imports and the test durations are read once
in mutmut's process, which every mutant's process is forked from.
"""

from __future__ import annotations

import ast
import json
import os
from functools import cache
from pathlib import Path
from types import FunctionType
from typing import Any

import pytest

MAX_TESTS_VARIABLE = "PARLEY_MUTATE_MAX_TESTS"
# The test files (relative to the run's folder, os.pathsep-separated) that cannot kill a mutant here: never collected.
SKIPPED_FILES_VARIABLE = "PARLEY_MUTATE_SKIPPED_FILES"
DEFAULT_MAX_TESTS = 8
UNIT_TESTS = Path("tests") / "unit"
STATS_FILE = Path("mutmut-stats.json")  # written by mutmut into its working folder (the run's cwd)


def mutant_module(mutant: str) -> str | None:
    """``parley.adapters.table.xǁTableǁget__mutmut_3`` -> ``parley.adapters.table``; None outside a mutant."""
    if "__mutmut_" not in mutant:
        return None
    parts = mutant.split(".")
    for index in range(len(parts) - 1, 0, -1):
        if parts[index].startswith(("x_", "xǁ")):
            return ".".join(parts[:index])
    return None


def imported_modules(source: str) -> set[str]:
    """Absolute module names a file imports; ``from a import b`` also names ``a.b`` (b may be a module)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def own_test_files(folder: Path) -> dict[str, set[str]]:
    """module name -> the test files of ``folder`` that import it, directly or through a helper of the folder."""
    package = ".".join(folder.parts)
    imports = {path.stem: imported_modules(path.read_text()) for path in sorted(folder.glob("*.py"))}
    owners: dict[str, set[str]] = {}
    for stem, names in imports.items():
        if not stem.startswith("test_"):
            continue
        reached = set(names)
        for helper, helper_names in imports.items():
            if not helper.startswith("test_") and f"{package}.{helper}" in names:
                reached |= helper_names
        for name in reached:
            owners.setdefault(name, set()).add((folder / f"{stem}.py").as_posix())
    return owners


@cache
def _owners() -> dict[str, set[str]]:
    return own_test_files(UNIT_TESTS)


def _durations() -> dict[str, float]:
    return _durations_as_of(STATS_FILE.stat().st_mtime_ns if STATS_FILE.is_file() else 0)


@cache
def _durations_as_of(stamp: int) -> dict[str, float]:
    """Each test's duration from mutmut's stats file as written at ``stamp`` (0: none written yet)."""
    data = json.loads(STATS_FILE.read_text()) if stamp else {}
    return {str(k): float(v) for k, v in data.get("duration_by_test", {}).items()}


def choose(
    nodeids: list[str], module: str, owners: dict[str, set[str]], durations: dict[str, float], limit: int
) -> list[str]:
    """The ``limit`` tests to run against a mutant of ``module``: own files first; within each group one case of
    every test function before a second case of any (the cases of one parametrised test tend to stop at the same
    check), each round fastest first."""
    own = owners.get(module, set())
    by_speed = sorted(nodeids, key=lambda nodeid: (durations.get(nodeid, 0.0), nodeid))
    seen: dict[str, int] = {}
    round_of: dict[str, int] = {}
    for nodeid in by_speed:
        function = nodeid.split("[", 1)[0]
        round_of[nodeid] = seen.get(function, 0)
        seen[function] = round_of[nodeid] + 1

    def rank(nodeid: str) -> tuple[bool, int, float, str]:
        return (nodeid.split("::", 1)[0] not in own, round_of[nodeid], durations.get(nodeid, 0.0), nodeid)

    return sorted(nodeids, key=rank)[:limit]


def is_test_id(arg: str) -> bool:
    """Whether a pytest argument names one test (``file::name``), not an option or a folder."""
    return "::" in arg and not arg.startswith("-")


def max_tests() -> int:
    raw = os.environ.get(MAX_TESTS_VARIABLE, "")
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) > 0 else DEFAULT_MAX_TESTS


def share_botocore_loader_cache() -> None:
    from botocore import loaders  # noqa: PLC0415 - imported only where boto3 is installed

    if getattr(loaders.Loader, "_parley_shared_cache", None) is not None:
        return
    shared: dict[Any, Any] = {}
    original = loaders.Loader.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self._cache = shared

    loaders.Loader.__init__ = init
    loaders.Loader._parley_shared_cache = shared


def under_test() -> str | None:
    """The module of the mutant this process runs against, or None outside a mutant run."""
    return mutant_module(os.environ.get("MUTANT_UNDER_TEST", ""))


def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    """Before collection: drop the test ids beyond the chosen ones from the command line, so that only the
    files of the tests that run are collected (mutmut passes every test that executed the function)."""
    module = under_test()
    if module is None:
        return
    ids = [arg for arg in args if is_test_id(arg)]
    kept = set(choose(ids, module, _owners(), _durations(), max_tests()))
    args[:] = [arg for arg in args if not is_test_id(arg) or arg in kept]


def share_botocore_handler_checks() -> None:
    """botocore checks, for each handler a new session or client registers, that the function takes ``**kwargs``
    (an ``inspect`` signature each time); the answer of a function never changes, so it is kept per function."""
    from botocore import hooks  # noqa: PLC0415 - imported only where boto3 is installed

    if getattr(hooks, "_parley_known_handlers", None) is not None:
        return
    known: dict[FunctionType, bool] = {}
    original = hooks.accepts_kwargs

    def accepts_kwargs(func: Any) -> bool:
        function = getattr(func, "__func__", func)
        if not isinstance(function, FunctionType):
            return bool(original(func))
        if function not in known:
            known[function] = bool(original(func))
        return known[function]

    hooks.accepts_kwargs = accepts_kwargs
    hooks._parley_known_handlers = known


def skipped_files() -> frozenset[str]:
    return _skipped_files(os.environ.get(SKIPPED_FILES_VARIABLE, ""))


@cache
def _skipped_files(listed: str) -> frozenset[str]:
    """The set of a listing, parsed once (pytest asks for every path it collects)."""
    return frozenset(name for name in listed.split(os.pathsep) if name)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """True for a test file ``tools/mutate.py`` found unable to kill a mutant (None: pytest decides)."""
    try:
        relative = collection_path.relative_to(config.rootpath).as_posix()
    except ValueError:
        return None
    return True if relative in skipped_files() else None


def pytest_configure(config: pytest.Config) -> None:
    share_botocore_loader_cache()
    share_botocore_handler_checks()
    # Read here, in mutmut's own process (the stats and clean runs), so that each mutant's forked process
    # inherits them instead of parsing every test file again.
    _owners()
    _durations()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    module = under_test()
    if module is None:
        return
    kept = set(choose([item.nodeid for item in items], module, _owners(), _durations(), max_tests()))
    dropped = [item for item in items if item.nodeid not in kept]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = [item for item in items if item.nodeid in kept]
