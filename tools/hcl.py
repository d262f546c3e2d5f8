"""Terraform files parsed with python-hcl2, cached by content.

Parsing costs about 45 ms of CPU per file, and the static and plan checks, the
module docs and the tools read the same files many times over, in several
processes. Each parse is kept in ``build/hcl/<sha256 of the text>.json``:
a changed file has a new digest, so a stale entry is never read, and a run
after the first parses nothing. Every call returns a fresh copy, so a caller
may change what it gets.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import hcl2

from tools.tfenv import ROOT

CACHE = ROOT / "build" / "hcl"
# Part of every digest: a new parser version never reads an old parser's results.
_PARSER = getattr(hcl2, "__version__", "hcl2").encode()
_texts: dict[str, str] = {}


def loads(text: str) -> dict[str, Any]:
    """The parsed document of Terraform ``text``."""
    digest = hashlib.sha256(_PARSER + b"\0" + text.encode()).hexdigest()
    if (cached := _texts.get(digest)) is None:
        entry = CACHE / f"{digest}.json"
        try:
            cached = entry.read_text()
        except FileNotFoundError:
            cached = json.dumps(hcl2.loads(text))
            CACHE.mkdir(parents=True, exist_ok=True)
            partial = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
            partial.write_text(cached)
            partial.replace(entry)  # atomic: a concurrent reader sees all of it or nothing
        _texts[digest] = cached
    document: dict[str, Any] = json.loads(cached)
    return document


def load(path: Path) -> dict[str, Any]:
    """The parsed document of the Terraform file at ``path``."""
    return loads(path.read_text())
