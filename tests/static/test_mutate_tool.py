"""make mutate's own logic (tools/mutate.py, tools/mutate_select.py): the report, the selection of tests, and
the refusals, without running mutmut."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from tools import mutate, mutate_select
from tools.mutate import Equivalent, Mutant, Mutation
from tools.mutate_select import choose, mutant_module


def _mutant(name: str, status: str, was: str = "a < b", now: str = "a <= b") -> Mutant:
    return Mutant(name, status, Mutation("lambda_src/parley/domain/x.py", 7, "f", was, now))


def test_mutate_ratio_counts_detected_over_all_but_equivalent_and_lists_the_live_ones() -> None:
    mutants = [
        *(_mutant(f"parley.domain.x.x_f__mutmut_{i}", "killed") for i in range(6)),
        _mutant("parley.domain.x.x_f__mutmut_6", "timeout"),
        _mutant("parley.domain.x.x_f__mutmut_7", "survived", now="a > b"),
        _mutant("parley.domain.x.x_f__mutmut_8", "untested", now="a == b"),
        _mutant("parley.domain.x.x_f__mutmut_9", "survived", now="a != b"),
    ]
    equivalent = Equivalent("lambda_src/parley/domain/x.py", "f", "a < b", "a != b", "b is never below a")
    stale = Equivalent("lambda_src/parley/domain/x.py", "g", "1", "2", "no such mutant")

    report = mutate.classify(mutants, [equivalent, stale], check_stale=True)

    assert report.counts == Counter(killed=6, timeout=1, survived=1, untested=1, equivalent=1)
    assert report.considered == 9
    assert report.ratio == pytest.approx(700 / 9)
    assert [m.name for m in report.live] == ["parley.domain.x.x_f__mutmut_7", "parley.domain.x.x_f__mutmut_8"]
    assert report.stale == [stale]
    lines = mutate.render(report, 90.0)
    assert "mutate: kill ratio 77.8% (killed + timed out + crashed of 9; minimum 90%)" in lines
    assert "  lambda_src/parley/domain/x.py:7  f  [survived]  a < b  ->  a > b" in lines
    assert any(line.startswith("mutate: stale equivalent entry") and "g: 1 -> 2" in line for line in lines)


def test_mutate_first_difference_names_the_changed_line_or_a_removal() -> None:
    assert mutate.first_difference(["x = 1", "y = 2"], ["x = 1", "y = 3"]) == (1, "y = 2", "y = 3")
    assert mutate.first_difference(["x = 1", "y = 2"], ["x = 1"]) == (1, "y = 2", "")
    assert mutate.first_difference(["x = 1"], ["x = 1"]) == (0, "", "")


def test_mutate_select_runs_the_modules_own_tests_first_then_the_fastest() -> None:
    assert mutant_module("parley.adapters.table.xǁTableǁget__mutmut_3") == "parley.adapters.table"
    assert mutant_module("parley.domain.otp.x_answer_matches__mutmut_1") == "parley.domain.otp"
    assert mutant_module("") is None
    ids = [
        "tests/unit/a.py::slow",
        "tests/unit/b.py::fast",
        "tests/unit/a.py::quick",
        "tests/unit/c.py::x",
        *(f"tests/unit/a.py::cases[{i}]" for i in range(3)),
    ]
    owners = {"parley.domain.otp": {"tests/unit/a.py"}}
    durations = {
        "tests/unit/a.py::slow": 2.0,
        "tests/unit/a.py::quick": 0.1,
        "tests/unit/b.py::fast": 0.01,
        **{f"tests/unit/a.py::cases[{i}]": 0.001 * i for i in range(3)},
    }

    # Own file first; one case of each test function (fastest first) before the second case of any.
    assert choose(ids, "parley.domain.otp", owners, durations, 5) == [
        "tests/unit/a.py::cases[0]",
        "tests/unit/a.py::quick",
        "tests/unit/a.py::slow",
        "tests/unit/a.py::cases[1]",
        "tests/unit/a.py::cases[2]",
    ]
    assert choose(ids, "parley.domain.otp", owners, durations, 7)[5:] == ["tests/unit/c.py::x", "tests/unit/b.py::fast"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--resume", "--survivors"],
            "mutate: --resume continues a whole run: give it no names, --survivors or --report",
        ),
        (["--resume", "parley.domain.otp*"], "mutate: --resume continues a whole run"),
        (["--resume"], "mutate: no stopped run to resume: run 'make mutate' first"),
        (["--max-tests", "0"], "mutate: --max-children and --max-tests must be at least 1"),
        (["--report"], "mutate: no mutation results yet: run 'make mutate'"),
    ],
)
def test_mutate_refuses_what_it_cannot_do_in_one_line(
    argv: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(mutate, "MUTANTS", tmp_path / "no-mutants")

    assert mutate.main(argv) == 1

    out, err = capsys.readouterr()
    assert err.startswith(message) and err.count("\n") == 1 and out == ""


def test_mutate_leaves_out_the_unreachable_test_files_without_changing_mutmuts_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # mutmut resets every result when its pytest options change: the files are left out by the plugin instead.
    assert "--ignore" not in mutate.workspace_config()
    monkeypatch.setenv(mutate_select.SKIPPED_FILES_VARIABLE, os.pathsep.join(["tests/unit/a.py", "tests/unit/b.py"]))
    config = SimpleNamespace(rootpath=tmp_path)
    ignored = {
        name: mutate_select.pytest_ignore_collect(tmp_path / name, config)  # type: ignore[arg-type]
        for name in ("tests/unit/a.py", "tests/unit/b.py", "tests/unit/c.py", "tests/unit")
    }
    assert ignored == {"tests/unit/a.py": True, "tests/unit/b.py": True, "tests/unit/c.py": None, "tests/unit": None}
    assert mutate_select.pytest_ignore_collect(Path("/elsewhere/a.py"), config) is None  # type: ignore[arg-type]
    assert "tests/unit/test_build.py" in mutate.unreachable_test_files(mutate.ROOT / "tests")


def test_mutate_report_of_mutants_that_no_longer_match_the_source_is_one_line(tmp_path: Path) -> None:
    mutated = tmp_path / "otp.py"
    mutated.write_text("def x_other__mutmut_orig():\n    return 1\n")
    with pytest.raises(
        mutate.ToolError, match=r"^the mutants of lambda_src/parley/domain/otp.py do not match its source"
    ):
        mutate.describe("src/parley/domain/otp.py", mutated, ["parley.domain.otp.x_answer_matches__mutmut_1"])
