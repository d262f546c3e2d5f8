"""The public HTTP function: health and the shared error shape."""

from __future__ import annotations

from parley.handlers import api_public
from tests.unit.conftest import http_event, response_json


def test_api_public_health_reports_ok_and_stage(app_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    # Given a deployed public function / When GET /health
    response = api_public.handler(http_event("GET", "/health"), lambda_context)
    # Then it answers 200 with its stage
    assert response["statusCode"] == 200
    assert response_json(response) == {"status": "ok", "stage": "parley-test", "version": "0.1.0"}


def test_api_public_unknown_route_is_a_json_404(app_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    response = api_public.handler(http_event("GET", "/nope"), lambda_context)
    assert response["statusCode"] == 404
    assert response_json(response)["error"] == "not_found"
