"""Plan checks of modules/app_entities and its wiring in modules/stack: the routes a declaration generates, the
setting the functions get, and the declarations Terraform refuses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import tftest

from parley.domain import entities
from tests.entities_example import kefir_with_recipes, write_kefir_with_recipes
from tests.plan.harness import ROOT, PlanSession, index_plan
from tools.tfenv import terraform_binary, terraform_env

PRESETS = [ROOT / "apps" / name / "app.json" for name in ("plydojo", "kefir")]


def _declared(*paths: Path) -> entities.Declaration:
    return entities.parse({"entities": [e for p in paths for e in json.loads(p.read_text())["entities"]]})


def _routes(resources: dict[str, dict[str, Any]]) -> dict[str, str]:
    """route key -> authorization type, of every planned HTTP API route."""
    return {
        v["values"]["route_key"]: v["values"]["authorization_type"]
        for v in resources.values()
        if v["type"] == "aws_apigatewayv2_route" and " /" in v["values"]["route_key"]
    }


def _generated(declaration: entities.Declaration) -> dict[str, str]:
    return {key: "JWT" if signed_in else "NONE" for key, signed_in in declaration.route_keys().items()}


def test_app_entities_stack_routes_both_presets_with_their_auth(plans: PlanSession) -> None:
    planned = _routes(plans.case("stack", "entities").resources)
    generated = _generated(_declared(*PRESETS))
    assert len(generated) == 16
    assert {k: planned.get(k) for k in generated} == generated
    assert planned["GET /public/batches/{id}"] == "NONE" and planned["DELETE /games/{id}"] == "JWT"
    # The built-in routes stay, and nothing else is added.
    dev = _routes(plans.case("stack", "dev").resources)
    assert set(planned) == set(dev) | set(generated)


def test_app_entities_api_function_gets_the_declaration_as_its_setting(plans: PlanSession) -> None:
    functions = {
        v["values"]["function_name"]: v["values"]
        for v in plans.case("stack", "entities").of_type("aws_lambda_function").values()
    }
    setting = functions["parley-dev-api"]["environment"][0]["variables"]["APP_ENTITIES"]
    assert entities.load_setting(setting) == _declared(*PRESETS)
    assert len(setting) < 2048  # Lambda allows 4 KB for a function's whole environment


def test_app_entities_local_env_serves_both_presets_and_dev_none(plans: PlanSession) -> None:
    generated = _generated(_declared(*PRESETS))
    local = _routes(index_plan(plans.envs["local"]))
    assert {k: local.get(k) for k in generated} == generated
    dev = _routes(index_plan(plans.envs["dev"]))
    assert not any(key.split(" ", 1)[1].startswith(("/batches", "/games", "/public/batches")) for key in dev)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            "reject_unknown_type",
            "field of unknown type (allowed: string, integer, number, boolean, enum, datetime, "
            "upload): notes.body (text)",
        ),
        ("reject_key_without_id", "key pattern without {id}"),
        ("reject_duplicate_path", "a path is declared twice: notes"),
        (
            "reject_unknown_parent",
            "unknown parent (parent must be a declared top-level entity): comments (parent posts)",
        ),
        ("reject_at_plan_builtin_collision", "collides with a built-in route: /rooms"),
        ("reject_unreadable", "must be a readable JSON file"),
    ],
)
def test_app_entities_malformed_declarations_are_refused_at_plan(plans: PlanSession, case: str, message: str) -> None:
    assert message in plans.rejection("app_entities", case)


def test_app_entities_python_refuses_what_terraform_refuses() -> None:
    for name in ("unknown_type", "key_without_id", "duplicate_path", "unknown_parent", "builtin_collision"):
        raw = json.loads((ROOT / "tests" / "plan" / "declarations" / f"{name}.json").read_text())
        with pytest.raises(entities.DeclarationError):
            entities.parse(raw)


def test_app_entities_recipes_example_plans_its_routes(tmp_path: Path) -> None:
    """docs/entities.md: adding recipes to a copy of Kefir's declaration is the whole change."""
    declaration = write_kefir_with_recipes(tmp_path)
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(
        f"""
module "entities" {{
  source         = "{ROOT / "modules" / "app_entities"}"
  declarations   = ["{declaration}"]
  reserved_paths = ["me", "rooms", "public"]
}}

output "routes" {{
  value = module.entities.routes
}}
"""
    )
    test = tftest.TerraformTest(str(root), binary=terraform_binary(), env=terraform_env(None))
    test.setup(upgrade=False)
    planned = test.plan(output=True, refresh=False)._raw["planned_values"]["outputs"]["routes"]["value"]
    assert planned == entities.parse(kefir_with_recipes()).route_keys()
    assert planned["GET /public/recipes/{id}"] is False and planned["PATCH /recipes/{id}"] is True
