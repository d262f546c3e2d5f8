"""The route and action tables of the docs, and the alarm count of docs/cost.md, against the planned stacks.

Read from the env plans (what the stack really deploys), so they hold whatever
shape the stack's Terraform takes.
"""

from __future__ import annotations

import re

import pytest

from tests.docs_tables import code, table
from tests.plan.harness import ROOT, PlanSession, index_plan

AUTH = {"JWT": "JWT", "NONE": "none"}


def _routes(plans: PlanSession, env: str) -> dict[str, list[dict[str, str]]]:
    """Planned route keys of each API, by API (the HTTP API's keys are 'METHOD /path')."""
    found: dict[str, list[dict[str, str]]] = {}
    for address, entry in index_plan(plans.envs[env]).items():
        if entry["type"] == "aws_apigatewayv2_route":
            api = address.rsplit(".aws_apigatewayv2_route", 1)[0]
            found.setdefault(api, []).append(entry["values"])
    return found


def _http_routes(plans: PlanSession, env: str) -> set[tuple[str, str, str]]:
    (routes,) = [r for r in _routes(plans, env).values() if all(" /" in v["route_key"] for v in r)]
    return {(*v["route_key"].split(" ", 1), AUTH[v["authorization_type"]]) for v in routes}


def _documented_routes(path: str) -> set[tuple[str, str, str]]:
    rows = table(path, "method", "path", "auth")
    assert len(rows) == len({(r[0], r[1]) for r in rows}), f"{path}: a route is listed twice"
    return {(r[0], code(r[1]), r[2]) for r in rows}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_docs_drift_readme_routes_are_the_planned_http_routes(plans: PlanSession, env: str) -> None:
    planned = _http_routes(plans, env)
    assert ("GET", "/health", "none") in planned and ("GET", "/me", "JWT") in planned
    documented = _documented_routes("README.md")
    assert documented == planned, (
        f"README route table: undocumented {sorted(planned - documented)}, not planned {sorted(documented - planned)}"
    )


def test_docs_drift_http_api_doc_routes_are_planned_with_their_auth(plans: PlanSession) -> None:
    documented = _documented_routes("docs/http-api.md")
    assert documented <= _http_routes(plans, "dev"), sorted(documented - _http_routes(plans, "dev"))


@pytest.mark.parametrize("path", ["README.md", "docs/websocket.md"])
def test_docs_drift_websocket_actions_are_the_planned_routes(plans: PlanSession, path: str) -> None:
    (routes,) = [r for r in _routes(plans, "dev").values() if any(v["route_key"] == "$connect" for v in r)]
    planned = {v["route_key"] for v in routes if not v["route_key"].startswith("$")}
    assert {code(row[0]) for row in table(path, "action", "fields")} == planned


def test_docs_drift_cost_counts_the_alarms_prod_plans(plans: PlanSession) -> None:
    text = (ROOT / "docs" / "cost.md").read_text()
    found = re.search(r"prod has (\d+) alarms \(alarms\s+are off in dev\)", text)
    assert found, "docs/cost.md no longer states prod's and dev's alarms"
    count = {
        env: sum(1 for v in index_plan(plans.envs[env]).values() if v["type"] == "aws_cloudwatch_metric_alarm")
        for env in ("dev", "prod")
    }
    assert count == {"dev": 0, "prod": int(found.group(1))}
