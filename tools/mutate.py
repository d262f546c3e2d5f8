"""make mutate: mutation testing of lambda_src/parley/domain and adapters with mutmut, outside make test.

    python -m tools.mutate                        # a fresh run over every mutant, then the report
    python -m tools.mutate 'parley.domain.keys*'  # re-run the matching mutants (after a full run), report them
    python -m tools.mutate --survivors            # re-run the mutants the last run left alive, report all
    python -m tools.mutate --resume               # continue a stopped run: only the mutants with no result yet
    python -m tools.mutate --report               # the report of the last run, running nothing

mutmut works in ``build/mutate``: the sources, the unit tests and the table
schema are linked in, and mutmut copies them into ``build/mutate/mutants``
before mutating, so the source tree is never written. The tests that can run
are the files of ``tests/unit`` whose imports reach the mutated packages;
mutmut runs, against each mutant, only the tests that executed its function,
bounded by ``tools/mutate_select.py``. The report counts killed, timed-out,
surviving, untested and equivalent mutants (``tools/mutate_equivalent.toml``,
each with its reason), lists every live mutant as ``file:line`` with the line
before and after the mutation, and exits 1 when the kill ratio is below the
minimum.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from tools.mutate_select import MAX_TESTS_VARIABLE, SKIPPED_FILES_VARIABLE, imported_modules
from tools.tfenv import ROOT, ToolError

WORK = ROOT / "build" / "mutate"
MUTANTS = WORK / "mutants"
SOURCE = ROOT / "lambda_src"
PACKAGES = ("parley.domain", "parley.adapters")
EQUIVALENT_FILE = ROOT / "tools" / "mutate_equivalent.toml"
MUTMUT = ROOT / ".venv-mutate" / "bin" / "mutmut"
# build/mutate/<link> -> the repository's folder or file; mutmut copies what it needs from them (the unit
# tests read the app presets of apps/ and the tables of README.md and docs/).
LINKS = {
    "src": "lambda_src",
    "tests": "tests",
    "tools": "tools",
    "modules": "modules",
    "apps": "apps",
    "docs": "docs",
    "README.md": "README.md",
}

# mutmut's exit codes per mutant (mutmut/stats.py) -> the report's classes.
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "untested", 33: "untested", 34: "skipped"}
STATUS.update(dict.fromkeys((36, 24, -24, 152, 255), "timeout"))
STATUS.update(dict.fromkeys((-9, -11), "crashed"))
DETECTED = ("killed", "timeout", "crashed")
LIVE = ("survived", "untested")


@dataclass(frozen=True)
class Mutation:
    """Where a mutant changes the source and how."""

    file: str  # repository-relative
    line: int
    function: str  # Class.method or function
    was: str
    now: str


@dataclass(frozen=True)
class Mutant:
    name: str
    status: str
    mutation: Mutation


@dataclass(frozen=True)
class Equivalent:
    file: str
    function: str
    was: str
    now: str
    reason: str

    def matches(self, mutation: Mutation) -> bool:
        return (self.file, self.function, self.was, self.now) == (
            mutation.file,
            mutation.function,
            mutation.was,
            mutation.now,
        )


# --- which tests, which mutants -------------------------------------------------------------------


def module_file(name: str) -> Path | None:
    """The file of a first-party module (parley.* under lambda_src, tests.*), or None."""
    base = SOURCE if name.split(".", maxsplit=1)[0] == "parley" else ROOT
    path = base.joinpath(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def reaches(path: Path, packages: tuple[str, ...], seen: set[Path] | None = None) -> bool:
    """Whether a file's imports lead, through first-party modules, to a module of ``packages``."""
    seen = set() if seen is None else seen
    seen.add(path)
    for name in imported_modules(path.read_text()):
        if any(name == p or name.startswith(p + ".") for p in packages) and module_file(name):
            return True
        found = module_file(name) if name.split(".")[0] in ("parley", "tests") else None
        if found and found not in seen and reaches(found, packages, seen):
            return True
    return False


# Tests that render Terraform modules and start real servers (coturn): they need the repository's modules/ folder,
# which the mutant workspace does not hold, and take seconds per run; the unit tests of the same code stay in.
NEEDS_REPOSITORY = ("tests.module_render",)


def unreachable_test_files(tests: Path) -> list[str]:
    """The test files of <tests>/unit that cannot kill a mutant here: their imports do not reach the mutated
    packages, or they need the whole repository (NEEDS_REPOSITORY)."""
    files = sorted((tests / "unit").glob("test_*.py"))
    return [
        f"tests/unit/{path.name}"
        for path in files
        if not reaches(path, PACKAGES) or set(imported_modules(path.read_text())) & set(NEEDS_REPOSITORY)
    ]


def toml_value(value: Any) -> str:
    """A string, number, bool or list of them as TOML (JSON's syntax is TOML's for these)."""
    return json.dumps(value, ensure_ascii=False)


def workspace_config() -> str:
    """build/mutate/pyproject.toml: the repository's pytest settings, and mutmut's."""
    pytest_ini = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    pytest_settings = {
        "pythonpath": ["src" if p == "lambda_src" else p for p in pytest_ini["pythonpath"]],
        "markers": pytest_ini.get("markers", []),
        "filterwarnings": pytest_ini.get("filterwarnings", []),
        "addopts": "-p no:cacheprovider -p no:xdist",
    }
    mutmut_settings = {
        "source_paths": ["src/parley"],
        "only_mutate": [f"src/{p.replace('.', '/')}/*" for p in PACKAGES],
        # src/parley is copied (and mutated) by mutmut itself; copying all of src again would overwrite the
        # mutants with their sources and make every run generate them anew.
        "also_copy": [
            "src/functions.toml",
            "src/requirements.txt",
            "tools",
            "modules/dynamodb",
            "apps",
            "docs",
            "README.md",
        ],
        # The plugins left out only report on a run (unraisable exceptions, thread errors): they cost a full
        # garbage collection per run and judge no mutant.
        "pytest_add_cli_args": [
            *("-p", "tools.mutate_select", "-p", "no:unraisableexception", "-p", "no:threadexception"),
        ],
        # The folder, not a list of files: a test file added later joins the next run without resetting it.
        "pytest_add_cli_args_test_selection": ["tests/unit"],
        # Test set-up (moto) is not in mutmut's per-test durations: leave it room before calling a timeout.
        "timeout_constant": 10.0,
        "use_git_change_detection": False,
        "on_dependency_change": "ignore",
    }
    lines = ["# Written by tools/mutate.py for each run.", "[tool.pytest.ini_options]"]
    lines += [f"{key} = {toml_value(value)}" for key, value in pytest_settings.items()]
    lines += ["", "[tool.mutmut]"]
    lines += [f"{key} = {toml_value(value)}" for key, value in mutmut_settings.items()]
    return "\n".join(lines) + "\n"


def prepare(fresh: bool, tests: Path) -> None:
    """build/mutate with its links (``tests`` to ``tests``, another revision's tests for a comparison)."""
    if not (tests / "unit" / "conftest.py").is_file():
        raise ToolError(f"{tests} has no unit/conftest.py: --tests names a copy of the tests folder")
    if fresh and MUTANTS.exists():
        shutil.rmtree(MUTANTS)
    WORK.mkdir(parents=True, exist_ok=True)
    targets = {link: ROOT / folder for link, folder in LINKS.items()} | {"tests": tests}
    for link, target in targets.items():
        path = WORK / link
        if path.is_symlink() and path.resolve() != target.resolve():
            path.unlink()
        if not path.is_symlink():
            path.symlink_to(target.resolve(), target_is_directory=target.is_dir())
    (WORK / "pyproject.toml").write_text(workspace_config())


def run_mutmut(patterns: list[str], max_children: int, max_tests: int) -> None:
    if not MUTMUT.is_file():
        raise ToolError("mutmut is not installed: run 'make mutate' (it creates .venv-mutate)")
    log = WORK / "mutmut.log"
    print(f"mutate: mutmut over {', '.join(PACKAGES)} with {max_children} workers (log: {log.relative_to(ROOT)})")
    # The test files that cannot kill a mutant are left out by tools/mutate_select.py, not by pytest options in
    # the config: mutmut resets every result when those change, and a new test file would change them.
    unreachable = os.pathsep.join(unreachable_test_files(ROOT / "tests"))
    environment = {**os.environ, MAX_TESTS_VARIABLE: str(max_tests), SKIPPED_FILES_VARIABLE: unreachable}
    command = [str(MUTMUT), "run", "--max-children", str(max_children), *patterns]
    with log.open("w") as out:
        code = subprocess.run(command, cwd=WORK, env=environment, stdout=out, stderr=subprocess.STDOUT, check=False)
    if code.returncode != 0:
        tail = log.read_text(errors="replace").replace("\r", "\n").strip().splitlines()[-1:]
        raise ToolError(f"mutmut failed ({tail[0] if tail else 'no output'}); see {log.relative_to(ROOT)}")


# --- reading the results ----------------------------------------------------------------------------


def functions_of(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Top-level functions and methods by name (methods under ``Class.method``)."""
    found: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    found[f"{node.name}.{item.name}"] = item
    return found


def body_lines(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """A function's lines from its ``def`` (decorators excluded), without its name line."""
    return lines[node.lineno : node.end_lineno]


def source_function(mangled: str) -> str:
    if mangled.startswith("xǁ"):
        cls, method = mangled[2:].split("ǁ", 1)
        return f"{cls}.{method}"
    return mangled[2:]


def describe(source_file: str, mutated_file: Path, names: list[str]) -> dict[str, Mutation]:
    """Mutation of each mutant name of one file: the first line where the mutant differs from the original."""
    relative = source_file.replace("src/", "lambda_src/", 1)
    original_lines = (ROOT / relative).read_text().splitlines()
    originals = functions_of(ast.parse("\n".join(original_lines)))
    mutated_text = mutated_file.read_text()
    mutated_lines = mutated_text.splitlines()
    generated: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for node in functions_of(ast.parse(mutated_text)).values():
        generated[node.name] = node
    described: dict[str, Mutation] = {}
    for name in names:
        short = name.rpartition(".")[2]
        mangled = short.partition("__mutmut_")[0]
        function = source_function(mangled)
        original, mutated = generated.get(f"{mangled}__mutmut_orig"), generated.get(short)
        if original is None or mutated is None or function not in originals:
            raise ToolError(
                f"the mutants of {relative} do not match its source (changed since the run, or being made again by "
                "a run in progress): run 'make mutate MUTATE_ARGS=--resume'"
            )
        offset, was, now = first_difference(body_lines(mutated_lines, original), body_lines(mutated_lines, mutated))
        line = originals[function].lineno + 1 + offset
        described[name] = Mutation(relative, line, function, was, now)
    return described


def first_difference(before: list[str], after: list[str]) -> tuple[int, str, str]:
    """(offset of the first changed line, that line before, after); a removed line reads as empty after."""
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            was = " ".join(line.strip() for line in before[i1:i2])
            now = " ".join(line.strip() for line in after[j1:j2])
            return i1, was, now
    return 0, "", ""


def read_results() -> list[Mutant]:
    if not MUTANTS.is_dir():
        raise ToolError("no mutation results yet: run 'make mutate'")
    mutants: list[Mutant] = []
    for meta in sorted(MUTANTS.joinpath("src").rglob("*.py.meta")):
        codes: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
        if not codes:
            continue
        mutated_file = meta.with_suffix("")
        source_file = mutated_file.relative_to(MUTANTS).as_posix()
        mutations = describe(source_file, mutated_file, sorted(codes))
        for name, code in codes.items():
            status = "not run" if code is None else STATUS.get(code, "suspicious")
            mutants.append(Mutant(name, status, mutations[name]))
    return mutants


def load_equivalents(path: Path = EQUIVALENT_FILE) -> list[Equivalent]:
    entries = tomllib.loads(path.read_text()).get("equivalent", []) if path.is_file() else []
    equivalents = []
    for entry in entries:
        missing = [k for k in ("file", "function", "was", "now", "reason") if not str(entry.get(k, "")).strip()]
        if missing and set(missing) != {"now"}:
            raise ToolError(f"{path.relative_to(ROOT)}: an entry misses {', '.join(missing)}")
        equivalents.append(Equivalent(entry["file"], entry["function"], entry["was"], entry["now"], entry["reason"]))
    return equivalents


# --- the report -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    counts: Counter[str]
    live: list[Mutant]
    stale: list[Equivalent]

    @property
    def considered(self) -> int:
        return sum(n for status, n in self.counts.items() if status not in ("equivalent", "skipped", "not run"))

    @property
    def ratio(self) -> float:
        detected = sum(self.counts[s] for s in DETECTED)
        return 100.0 * detected / self.considered if self.considered else 0.0


def classify(mutants: list[Mutant], equivalents: list[Equivalent], check_stale: bool) -> Report:
    counts: Counter[str] = Counter()
    used: set[Equivalent] = set()
    live: list[Mutant] = []
    for mutant in mutants:
        match = next((e for e in equivalents if e.matches(mutant.mutation)), None)
        if match is not None:
            used.add(match)
            counts["equivalent"] += 1
            continue
        counts[mutant.status] += 1
        if mutant.status in LIVE or mutant.status == "suspicious":
            live.append(mutant)
    stale = [e for e in equivalents if e not in used] if check_stale else []
    return Report(counts, live, stale)


def render(report: Report, minimum: float) -> list[str]:
    c = report.counts
    lines = [
        "",
        f"mutate: {sum(c.values())} mutants: {c['killed']} killed, {c['timeout']} timed out, "
        f"{c['crashed']} crashed, {c['survived']} survived, {c['untested']} untested, "
        f"{c['suspicious']} suspicious, {c['equivalent']} equivalent (excluded), {c['not run']} not run",
        f"mutate: kill ratio {report.ratio:.1f}% (killed + timed out + crashed of {report.considered}; "
        f"minimum {minimum:.0f}%)",
    ]
    if report.live:
        lines.append(f"mutate: {len(report.live)} live mutants (file:line  function  before -> after):")
        for m in sorted(report.live, key=lambda m: (m.mutation.file, m.mutation.line, m.name)):
            mu = m.mutation
            lines.append(f"  {mu.file}:{mu.line}  {mu.function}  [{m.status}]  {mu.was}  ->  {mu.now or '(removed)'}")
    for e in report.stale:
        lines.append(f"mutate: stale equivalent entry ({e.file} {e.function}: {e.was} -> {e.now}): no such mutant")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make mutate", description=__doc__.splitlines()[0])
    parser.add_argument("patterns", nargs="*", help="re-run only the mutants matching these names (fnmatch)")
    parser.add_argument("--survivors", action="store_true", help="re-run the mutants the last run left alive")
    parser.add_argument("--report", action="store_true", help="print the last run's report, run nothing")
    parser.add_argument(
        "--resume", action="store_true", help="continue a stopped run: run only the mutants with no result yet"
    )
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutant runs (default 2)")
    parser.add_argument("--max-tests", type=int, default=8, help="tests run against one mutant (default 8)")
    parser.add_argument("--tests", type=Path, default=ROOT / "tests", help="the tests folder to run (default tests/)")
    parser.add_argument("--min-ratio", type=float, default=90.0, help="exit 1 below this kill ratio (default 90)")
    args = parser.parse_args(argv)
    try:
        if args.max_children < 1 or args.max_tests < 1:
            raise ToolError("--max-children and --max-tests must be at least 1")
        equivalents = load_equivalents()
        patterns: list[str] = list(args.patterns)
        if args.resume and (args.patterns or args.survivors or args.report):
            raise ToolError("--resume continues a whole run: give it no names, --survivors or --report")
        if args.resume and not MUTANTS.is_dir():
            raise ToolError("no stopped run to resume: run 'make mutate' first")
        full = not (args.patterns or args.survivors or args.report)
        if args.survivors:
            patterns = [m.name for m in read_results() if m.status in (*LIVE, "suspicious", "not run")]
            if not patterns:
                print("mutate: the last run left no live mutant")
        if not args.report and (full or patterns):
            prepare(fresh=full and not args.resume, tests=args.tests)
            run_mutmut(patterns, args.max_children, args.max_tests)
        mutants = read_results()
        if args.patterns:
            names = set(patterns)
            mutants = [m for m in mutants if m.name in names or any(fnmatchcase(m.name, p) for p in patterns)]
        report = classify(mutants, equivalents, check_stale=not args.patterns)
    except ToolError as error:
        print(f"mutate: {error}", file=sys.stderr)
        return 1
    print("\n".join(render(report, args.min_ratio)))
    return 0 if report.ratio >= args.min_ratio and not report.stale else 1


if __name__ == "__main__":
    sys.exit(main())
