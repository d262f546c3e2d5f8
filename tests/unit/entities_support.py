"""Helpers for the declared-entity tests: the presets' declarations and the api / api_public environment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from parley import settings
from parley.domain import entities
from parley.handlers import api_public
from tests.conftest import ROOT, FakeLambdaContext
from tests.unit.api_helpers import set_api_env
from tests.unit.conftest import http_event, response_json

PRESETS = ("plydojo", "kefir")


def preset(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "apps" / name / "app.json").read_text())  # type: ignore[no-any-return]


def merged(*paths: Path) -> dict[str, Any]:
    """Declarations merged as modules/app_entities merges them (entities lists concatenated)."""
    return {"entities": [e for p in paths for e in json.loads(p.read_text())["entities"]]}


def both_presets() -> dict[str, Any]:
    return merged(*(ROOT / "apps" / name / "app.json" for name in PRESETS))


def set_entities_env(monkeypatch: pytest.MonkeyPatch, declaration: dict[str, Any]) -> entities.Declaration:
    """The api function's environment with APP_ENTITIES as Terraform sets it; the parsed declaration."""
    set_api_env(monkeypatch)
    monkeypatch.setenv("APP_ENTITIES", entities.encode_setting(declaration))
    settings.load.cache_clear()
    return entities.parse(declaration)


def call_public(method: str, path: str) -> tuple[int, Any]:
    """Invoke the api_public function without a caller."""
    event = http_event(method, path)
    event["routeKey"] = "$default"
    response = api_public.handler(event, FakeLambdaContext())
    return response["statusCode"], response_json(response)
