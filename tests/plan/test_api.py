"""Plan checks of modules/api (the HTTP API)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.plan.harness import ROOT, Case, PlanSession, _diagnostics, render_root, write_fake_artifacts
from tools.tfenv import terraform_env

# Validations that compare two variables run only once every single-variable
# validation of the plan has passed, so their cases get a root of their own.
CROSS_FIXTURES = Path(__file__).resolve().parent / "cross_fixtures" / "api"


@pytest.fixture(scope="module")
def cross_rejections(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    workdir = tmp_path_factory.mktemp("api_cross")
    (workdir / "modules").symlink_to(ROOT / "modules")
    cases = [Case("api", p.stem, p) for p in sorted(CROSS_FIXTURES.glob("reject_*.tfvars"))]
    text, spans = render_root(cases, write_fake_artifacts(workdir / "artifacts"))
    root = workdir / "root"
    root.mkdir()
    (root / "main.tf").write_text(text)
    found: dict[str, str] = {case.name: "" for case in cases}
    for diagnostic in _diagnostics(root, terraform_env(None)):
        line = diagnostic.get("range", {}).get("start", {}).get("line", 0)
        for case in cases:
            first, last = spans[case.label]
            if first <= line <= last:
                found[case.name] += diagnostic.get("detail", "")
    return found


def _routes(plans: PlanSession, case: str) -> dict[str, dict]:  # type: ignore[type-arg]
    return {
        v["values"]["route_key"]: v["values"]
        for v in plans.case("api", case).of_type("aws_apigatewayv2_route").values()
    }


def test_api_routes_follow_the_route_map_and_authorization(plans: PlanSession) -> None:
    # Given three routes, two authorized / Then three routes, JWT only where asked
    routes = _routes(plans, "dev")
    assert set(routes) == {"GET /me", "POST /rooms", "GET /health"}
    assert routes["GET /me"]["authorization_type"] == "JWT"
    assert routes["POST /rooms"]["authorization_type"] == "JWT"
    assert routes["GET /health"]["authorization_type"] == "NONE"


def test_api_one_proxy_integration_and_permission_per_function(plans: PlanSession) -> None:
    case = plans.case("api", "dev")
    integrations = [v["values"] for v in case.of_type("aws_apigatewayv2_integration").values()]
    assert len(integrations) == 2
    assert {i["integration_type"] for i in integrations} == {"AWS_PROXY"}
    assert {i["payload_format_version"] for i in integrations} == {"2.0"}
    assert any(i["integration_uri"].endswith("function:parley-dev-api/invocations") for i in integrations)
    permissions = {v["values"]["function_name"]: v["values"] for v in case.of_type("aws_lambda_permission").values()}
    assert set(permissions) == {"parley-dev-api", "parley-dev-api-public"}
    assert {p["principal"] for p in permissions.values()} == {"apigateway.amazonaws.com"}


def test_api_jwt_authorizer_uses_issuer_and_audience(plans: PlanSession) -> None:
    authorizer = plans.case("api", "dev").one("aws_apigatewayv2_authorizer")
    assert authorizer["authorizer_type"] == "JWT"
    assert authorizer["identity_sources"] == ["$request.header.Authorization"]
    assert authorizer["jwt_configuration"][0]["issuer"] == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc"
    assert authorizer["jwt_configuration"][0]["audience"] == ["client1"]
    # An API with only public routes has no authorizer
    assert plans.case("api", "custom_domain").count("aws_apigatewayv2_authorizer") == 0


def test_api_cors_lists_the_given_origins(plans: PlanSession) -> None:
    api = plans.case("api", "dev").one("aws_apigatewayv2_api")
    cors = api["cors_configuration"][0]
    assert cors["allow_origins"] == ["https://app.example.com"]
    assert "authorization" in cors["allow_headers"]
    assert api["protocol_type"] == "HTTP" and api["name"] == "parley-dev-http"


def test_api_default_stage_throttles_and_writes_json_access_logs(plans: PlanSession) -> None:
    stage = plans.case("api", "dev").one("aws_apigatewayv2_stage")
    assert stage["name"] == "$default" and stage["auto_deploy"] is True
    assert stage["default_route_settings"][0]["throttling_burst_limit"] == 1000
    assert stage["default_route_settings"][0]["throttling_rate_limit"] == 2000
    log_format = json.loads(stage["access_log_settings"][0]["format"])
    assert log_format["status"] == "$context.status" and log_format["routeKey"] == "$context.routeKey"
    log_group = plans.case("api", "dev").one("aws_cloudwatch_log_group")
    assert log_group["retention_in_days"] == 7 and log_group["name"] == "/aws/apigateway/parley-dev-http"
    custom = plans.case("api", "custom_domain").one("aws_apigatewayv2_stage")
    assert custom["default_route_settings"][0]["throttling_burst_limit"] == 50


def test_api_custom_domain_is_optional(plans: PlanSession) -> None:
    dev, custom = plans.case("api", "dev"), plans.case("api", "custom_domain")
    for resource_type in ("aws_apigatewayv2_domain_name", "aws_acm_certificate", "aws_apigatewayv2_api_mapping"):
        assert dev.count(resource_type) == 0
        assert custom.count(resource_type) == 1
    assert custom.one("aws_apigatewayv2_domain_name")["domain_name"] == "api.example.com"
    assert custom.one("aws_acm_certificate")["validation_method"] == "DNS"
    assert custom.count("aws_acm_certificate_validation") == 1
    assert custom.count("aws_route53_record") == 2  # certificate validation + alias


def test_api_rejects_bad_routes_authorizer_and_origins(plans: PlanSession) -> None:
    assert "each route key must be" in plans.rejection("api", "reject_route_key")
    assert "cors.allow_origins entries" in plans.rejection("api", "reject_cors_origin")


def test_api_rejects_routes_to_unknown_functions_and_missing_authorizer(cross_rejections: dict[str, str]) -> None:
    assert "must be a key of functions" in cross_rejections["reject_unknown_function"]
    assert "jwt_authorizer is required" in cross_rejections["reject_no_authorizer"]
