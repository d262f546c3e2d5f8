"""The recipes example of docs/entities.md: one added entry gives routes, validation, authorization and export."""

from __future__ import annotations

from typing import Any

import pytest

from tests.entities_example import kefir_with_recipes
from tests.unit.api_helpers import call
from tests.unit.entities_support import call_public, set_entities_env


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, table: Any) -> None:
    routes = set_entities_env(monkeypatch, kefir_with_recipes()).route_keys()
    assert {k: v for k, v in routes.items() if "recipes" in k} == {
        "POST /recipes": True,
        "GET /recipes": True,
        "GET /recipes/{id}": True,
        "PATCH /recipes/{id}": True,
        "DELETE /recipes/{id}": True,
        "GET /public/recipes/{id}": False,
    }


def test_entities_example_recipes_are_created_read_and_kept_private(table: Any) -> None:
    status, recipe, _ = call("POST", "/recipes", {"title": "Classic", "ferment_hours": 30})
    assert status == 201 and recipe["milk"] == "whole" and recipe["shared"] is False
    stored = table.get_item(Key={"PK": f"RECIPE#{recipe['id']}", "SK": "META"})["Item"]
    assert stored["GSI1SK"] == f"RECIPE#{recipe['created_at']}#{recipe['id']}"
    assert call("GET", f"/recipes/{recipe['id']}")[:2] == (200, recipe)
    assert call("GET", "/recipes")[1]["items"] == [recipe]
    status, refused, _ = call("POST", "/recipes", {"title": "Long", "ferment_hours": 80})
    assert status == 400 and refused["error"] == "invalid_field" and "ferment_hours" in refused["message"]
    assert call("GET", f"/recipes/{recipe['id']}", sub="bob")[0] == 404
    assert call_public("GET", f"/public/recipes/{recipe['id']}")[0] == 404
    call("PATCH", f"/recipes/{recipe['id']}", {"shared": True})
    assert call_public("GET", f"/public/recipes/{recipe['id']}")[1]["title"] == "Classic"
    assert "recipes," in call("GET", "/export")[1]
