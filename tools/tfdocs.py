"""Inputs and outputs tables of each module README, generated from the HCL.

    python3 -m tools.tfdocs            # rewrite the tables of every modules/<m>/README.md
    python3 -m tools.tfdocs --check    # exit 1 naming each README that is missing or stale

The tables go between ``<!-- BEGIN_TF_DOCS -->`` and ``<!-- END_TF_DOCS -->``;
everything else in the README is written by hand and left alone. Variables and
outputs are read from every ``*.tf`` file of the module and listed by name, so
the result does not depend on which file declares them.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools import hcl
from tools.tfenv import ROOT

MODULES_DIR = ROOT / "modules"
BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    type: str
    default: str | None  # None: required

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class Output:
    name: str
    description: str


def _unquote(text: str) -> str:
    """A name or string literal as python-hcl2 returns it (with its quotes) -> its text."""
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return text[1:-1]
        return value if isinstance(value, str) else text[1:-1]
    return text


def _expression(text: str) -> str:
    return text[2:-1] if text.startswith("${") and text.endswith("}") else text


def render_value(value: Any) -> str:
    """A default value in HCL syntax."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        if value.startswith("${") and value.endswith("}"):
            return _expression(value)
        return json.dumps(_unquote(value))
    if isinstance(value, list):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = [(k, v) for k, v in value.items() if k != "__is_block__"]
        return "{" + ", ".join(f"{_unquote(k)} = {render_value(v)}" for k, v in items) + "}"
    return str(value)


def read_module(folder: Path) -> tuple[list[Variable], list[Output]]:
    variables: dict[str, Variable] = {}
    outputs: dict[str, Output] = {}
    for path in sorted(folder.glob("*.tf")):
        document = hcl.load(path)
        for block in document.get("variable", []):
            for raw_name, body in block.items():
                name = _unquote(raw_name)
                default = render_value(body["default"]) if "default" in body else None
                variables[name] = Variable(
                    name=name,
                    description=_unquote(str(body.get("description", ""))),
                    type=_expression(str(body.get("type", "any"))),
                    default=default,
                )
        for block in document.get("output", []):
            for raw_name, body in block.items():
                name = _unquote(raw_name)
                outputs[name] = Output(name, _unquote(str(body.get("description", ""))))
    return [variables[k] for k in sorted(variables)], [outputs[k] for k in sorted(outputs)]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _prose(text: str) -> str:
    """A description cell: angle brackets shown as text, not taken for HTML."""
    return _cell(text).replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    return f"`{_cell(text)}`"


def render_tables(variables: list[Variable], outputs: list[Output]) -> str:
    lines = ["## Inputs", ""]
    if variables:
        lines += ["| Name | Description | Type | Default | Required |", "|---|---|---|---|:---:|"]
        for v in variables:
            default = "n/a" if v.default is None else _code(v.default)
            required = "yes" if v.required else "no"
            lines.append(f"| {v.name} | {_prose(v.description)} | {_code(v.type)} | {default} | {required} |")
    else:
        lines.append("No inputs.")
    lines += ["", "## Outputs", ""]
    if outputs:
        lines += ["| Name | Description |", "|---|---|"]
        lines += [f"| {o.name} | {_prose(o.description)} |" for o in outputs]
    else:
        lines.append("No outputs.")
    return "\n".join(lines)


class DocsError(Exception):
    """A README the generator cannot update."""


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def updated_readme(folder: Path) -> tuple[str, str]:
    """(current, expected) text of folder/README.md."""
    readme = folder / "README.md"
    if not readme.is_file():
        raise DocsError(f"{shown(readme)} is missing: write its purpose, usage and toggles, then run 'make docs'")
    current = readme.read_text()
    start, end = current.find(BEGIN), current.find(END)
    if start < 0 or end < start:
        raise DocsError(f"{shown(readme)} has no {BEGIN} ... {END} markers: add them at its end")
    tables = render_tables(*read_module(folder))
    expected = current[: start + len(BEGIN)] + "\n" + tables + "\n" + current[end:]
    return current, expected


def module_dirs() -> list[Path]:
    return sorted(p for p in MODULES_DIR.iterdir() if p.is_dir() and any(p.glob("*.tf")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tfdocs", description="write or check the module README tables")
    parser.add_argument("--check", action="store_true", help="change nothing; fail when a README is missing or stale")
    args = parser.parse_args(argv)
    problems = []
    for folder in module_dirs():
        try:
            current, expected = updated_readme(folder)
        except DocsError as exc:
            problems.append(str(exc))
            continue
        if current == expected:
            continue
        readme = shown(folder / "README.md")
        if args.check:
            problems.append(f"{readme} tables are stale: run 'make docs'")
        else:
            (folder / "README.md").write_text(expected)
            print(f"tfdocs: updated {readme}")
    for problem in problems:
        print(f"tfdocs: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
