"""The worked example of docs/entities.md (adding recipes to Kefir in one file change), as the tests apply it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.conftest import ROOT

MARKER = "<!-- recipes example -->"


def recipes_entity() -> dict[str, Any]:
    """The JSON block that follows the marker in docs/entities.md."""
    text = (ROOT / "docs" / "entities.md").read_text()
    found = re.search(re.escape(MARKER) + r"\s*```json\n(.*?)```", text, re.S)
    assert found, "docs/entities.md has no recipes example"
    return json.loads(found.group(1))  # type: ignore[no-any-return]


def kefir_with_recipes() -> dict[str, Any]:
    """apps/kefir/app.json with the example added to its entities, as a team would edit it."""
    declaration = json.loads((ROOT / "apps" / "kefir" / "app.json").read_text())
    declaration["entities"].append(recipes_entity())
    return declaration  # type: ignore[no-any-return]


def write_kefir_with_recipes(folder: Path) -> Path:
    path = folder / "app.json"
    path.write_text(json.dumps(kefir_with_recipes(), indent=2))
    return path
