"""Markdown tables of README.md and docs/, as the drift tests read them."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def tables(path: str) -> list[list[list[str]]]:
    """Every table of a Markdown file: rows of cells (header row first, separator dropped)."""
    found: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*(ROOT / path).read_text().splitlines(), ""]:
        if line.startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                current.append(cells)
        elif current:
            found.append(current)
            current = []
    return found


def table(path: str, *header: str) -> list[list[str]]:
    """The body rows of the one table whose header starts with these cells."""
    (rows,) = [t for t in tables(path) if [c.lower() for c in t[0][: len(header)]] == [h.lower() for h in header]]
    return rows[1:]


def code(cell: str) -> str:
    """The text of a cell that holds one `code` span."""
    match = re.fullmatch(r"`([^`]+)`", cell)
    assert match, f"expected one code span, found {cell!r}"
    return match.group(1)
