"""Every module has a README with a purpose, a usage example, toggle notes and fresh generated tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools import tfdocs

MODULES = tfdocs.module_dirs()


def _hand_written(folder: Path) -> str:
    text = (folder / "README.md").read_text()
    return text.split(tfdocs.BEGIN)[0]


def _has_toggles(folder: Path) -> bool:
    variables, _ = tfdocs.read_module(folder)
    sources = "\n".join(p.read_text() for p in folder.glob("*.tf"))
    return any("bool" in v.type for v in variables) or re.search(r"^\s*count\s*=", sources, re.M) is not None


@pytest.mark.parametrize("folder", MODULES, ids=[m.name for m in MODULES])
def test_module_docs_readme_tables_are_fresh(folder: Path) -> None:
    current, expected = tfdocs.updated_readme(folder)
    assert current == expected, f"modules/{folder.name}/README.md tables are stale: run 'make docs'"


@pytest.mark.parametrize("folder", MODULES, ids=[m.name for m in MODULES])
def test_module_docs_readme_has_purpose_usage_and_toggle_notes(folder: Path) -> None:
    text = _hand_written(folder)
    paragraphs = [p for p in text.split("\n\n") if p.strip() and not p.lstrip().startswith(("#", "```", "-", "|"))]
    assert paragraphs, f"modules/{folder.name}/README.md has no purpose paragraph"
    usage = re.search(r"```hcl\n(.*?)```", text, re.S)
    assert usage and 'module "' in usage.group(1) and "source" in usage.group(1), f"{folder.name}: no usage example"
    if _has_toggles(folder):
        assert re.search(r"^#+ .*(toggle|notes)", text, re.I | re.M), f"{folder.name}: has toggles but no toggle notes"


def test_module_docs_generator_notices_a_new_variable(tmp_path: Path) -> None:
    # Given a module whose README tables are fresh
    (tmp_path / "variables.tf").write_text(
        'variable "size_gb" {\n  description = "Disk size | in GB."\n  type = number\n}\n'
    )
    (tmp_path / "outputs.tf").write_text('output "id" {\n  description = "The <id>."\n  value = 1\n}\n')
    (tmp_path / "README.md").write_text(f"# m\n\nPurpose.\n\n{tfdocs.BEGIN}\n{tfdocs.END}\n")
    _, expected = tfdocs.updated_readme(tmp_path)
    (tmp_path / "README.md").write_text(expected)
    assert "| size_gb | Disk size \\| in GB. | `number` | n/a | yes |" in expected
    assert "| id | The &lt;id&gt;. |" in expected
    # When a variable with a default is added
    with (tmp_path / "variables.tf").open("a") as handle:
        handle.write('variable "tags_enabled" {\n  description = "Tag it."\n  type = bool\n  default = false\n}\n')
    # Then the README is stale, and regenerating lists the new input
    current, expected = tfdocs.updated_readme(tmp_path)
    assert current != expected
    assert "| tags_enabled | Tag it. | `bool` | `false` | no |" in expected
    assert expected.startswith("# m\n\nPurpose.\n\n")


def test_module_docs_generator_refuses_a_readme_without_markers(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text("")
    (tmp_path / "README.md").write_text("# m\n")
    with pytest.raises(tfdocs.DocsError, match="markers"):
        tfdocs.updated_readme(tmp_path)
    (tmp_path / "README.md").unlink()
    with pytest.raises(tfdocs.DocsError, match="missing"):
        tfdocs.updated_readme(tmp_path)
