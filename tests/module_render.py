"""What Terraform renders inside a module, for checks that run the result for real.

``module_locals`` evaluates a module's own locals (its ``templatefile()`` calls
included) with ``terraform console``, given one plan fixture of the module as
its variables. The module's files are used as they are, less ``versions.tf``
and ``outputs.tf``; its child modules (``source = "../<name>"``) are replaced by
their variables with null outputs. So no provider is loaded and a render takes
well under a second, while the validations of the module's and the children's
variables still run.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import ROOT
from tools.tfenv import terraform_binary, terraform_env

MODULES = ROOT / "modules"
FIXTURES = ROOT / "tests" / "plan" / "fixtures"
_CHILD_SOURCE = re.compile(r'^\s*source\s*=\s*"\.\./([a-z0-9_]+)"', re.M)
_OUTPUT = re.compile(r'^output\s+"([a-z0-9_]+)"', re.M)


class RenderError(Exception):
    """terraform could not evaluate the module with the fixture."""


def _stub_child(name: str, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MODULES / name / "variables.tf", target / "variables.tf")
    outputs = _OUTPUT.findall((MODULES / name / "outputs.tf").read_text())
    (target / "outputs.tf").write_text("".join(f'output "{o}" {{\n  value = null\n}}\n' for o in outputs))


def prepare(module: str, workdir: Path) -> Path:
    """A copy of ``modules/<module>`` that terraform console can evaluate without providers (init done)."""
    copy = workdir / "modules" / module
    if (copy / ".terraform").is_dir():
        return copy
    shutil.copytree(
        MODULES / module, copy, ignore=shutil.ignore_patterns("versions.tf", "outputs.tf", "README.md", ".terraform*")
    )
    main = "\n".join(p.read_text() for p in copy.glob("*.tf"))
    for child in sorted(set(_CHILD_SOURCE.findall(main))):
        _stub_child(child, workdir / "modules" / child)
    result = subprocess.run(
        [terraform_binary(), f"-chdir={copy}", "init", "-backend=false", "-input=false", "-no-color"],
        env=terraform_env(None, base=workdir / "tf"), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RenderError(f"terraform init of {module}: {result.stderr.strip() or result.stdout.strip()}")
    return copy


def module_locals(module: str, case: str, names: list[str], workdir: Path) -> dict[str, Any]:
    """The module's locals ``names`` as terraform evaluates them for fixture ``<module>/<case>.tfvars``."""
    copy = prepare(module, workdir)
    fixture = FIXTURES / module / f"{case}.tfvars"
    # One base64 line: console prints strings in HCL syntax, which would escape ${ and %{.
    expression = "base64encode(jsonencode({" + ", ".join(f"{n} = local.{n}" for n in names) + "}))"
    result = subprocess.run(
        [terraform_binary(), f"-chdir={copy}", "console", "-no-color", f"-var-file={fixture}"],
        input=expression + "\n", env=terraform_env(None, base=workdir / "tf"),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RenderError(f"terraform console of {module}/{case}: {result.stderr.strip() or result.stdout.strip()}")
    value: dict[str, Any] = json.loads(base64.b64decode(result.stdout.strip().strip('"')))
    return value


def cloud_init(module: str, case: str, workdir: Path) -> str:
    """The boot script (``local.user_data``) the module renders for one of its plan fixtures."""
    script: str = module_locals(module, case, ["user_data"], workdir)["user_data"]
    return script


def heredoc(script: str, path: str) -> str:
    """The body of the heredoc the script writes to ``path`` (``cat > path <<END`` or ``<<'END'``)."""
    found = re.search(rf"^cat > {re.escape(path)} <<'?([A-Z]+)'?\n(.*?)^\1$", script, re.M | re.S)
    if not found:
        raise RenderError(f"the script writes no {path} from a heredoc")
    return found.group(2)


def accepted_cases(module: str) -> list[str]:
    """The module's plan fixtures that plan successfully (not ``reject_*``)."""
    return sorted(p.stem for p in (FIXTURES / module).glob("*.tfvars") if not p.stem.startswith("reject_"))
