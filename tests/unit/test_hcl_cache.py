"""tools/hcl.py: parsed Terraform files are cached by content, never stale, and handed out as copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import hcl


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setattr(hcl, "CACHE", folder)
    monkeypatch.setattr(hcl, "_texts", {})
    return folder


def test_hcl_cache_parses_once_and_reads_the_entry_afterwards(cache: Path, tmp_path: Path) -> None:
    # Given a Terraform file parsed once
    source = tmp_path / "main.tf"
    source.write_text('variable "name" {\n  type = string\n}\n')
    first = hcl.load(source)
    # Then one cache entry holds the parse, and a new process (no memory cache) reads that entry
    (entry,) = cache.glob("*.json")
    entry.write_text('{"variable": [{"from": "the cache"}]}')
    hcl._texts.clear()
    assert hcl.load(source) == {"variable": [{"from": "the cache"}]}
    assert first["variable"][0]['"name"']["type"] == "string"


def test_hcl_cache_parses_a_changed_file_again(cache: Path, tmp_path: Path) -> None:
    source = tmp_path / "main.tf"
    source.write_text("locals {\n  a = 1\n}\n")
    assert hcl.load(source)["locals"][0]["a"] == 1
    source.write_text("locals {\n  a = 2\n}\n")
    assert hcl.load(source)["locals"][0]["a"] == 2
    assert len(list(cache.glob("*.json"))) == 2


def test_hcl_cache_hands_out_copies(cache: Path) -> None:
    first = hcl.loads("locals {\n  a = 1\n}\n")
    first["locals"][0]["a"] = 99
    assert hcl.loads("locals {\n  a = 1\n}\n")["locals"][0]["a"] == 1
