"""The HTTP API through the runtime: routes, rooms and history, uploads, CORS, and bad input at the gateway."""

from __future__ import annotations

import json

import httpx

from tests.e2e.conftest import Deployed, Session


def test_http_api_routes_point_at_the_right_functions(deployed: Deployed) -> None:
    apigw = deployed.client("apigatewayv2")
    (api,) = [a for a in apigw.get_apis()["Items"] if a["ProtocolType"] == "HTTP"]
    integrations = {
        i["IntegrationId"]: i["IntegrationUri"] for i in apigw.get_integrations(ApiId=api["ApiId"])["Items"]
    }
    routes = {r["RouteKey"]: r for r in apigw.get_routes(ApiId=api["ApiId"])["Items"]}
    functions = deployed.outputs["function_names"]
    expected = {
        "GET /health": ("api_public", "NONE"),
        "POST /auth/login": ("api_public", "NONE"),
        "GET /me": ("api", "JWT"),
        "GET /rooms/{id}/messages": ("api", "JWT"),
        "POST /match/join": ("match", "JWT"),
        "POST /calls/{sessionId}/token": ("call_token", "JWT"),
    }
    for route_key, (function, authorization) in expected.items():
        route = routes[route_key]
        assert route["AuthorizationType"] == authorization, route_key
        uri = integrations[route["Target"].removeprefix("integrations/")]
        assert f":function:{functions[function]}/" in uri or uri.endswith(f":function:{functions[function]}"), route_key


def test_http_api_health_answers_with_the_deployed_settings(deployed: Deployed) -> None:
    response = deployed.http.get("/health")
    assert response.status_code == 200 and response.json()["stage"] == "parley-local"


def test_http_api_room_member_and_history(deployed: Deployed, alice: Session, bob: Session) -> None:
    created = deployed.http.post("/rooms", json={"name": "e2e room"}, headers=alice.headers)
    assert created.status_code == 201, created.text
    room = created.json()["id"]
    added = deployed.http.post(f"/rooms/{room}/members", json={"user_id": bob.user_id}, headers=alice.headers)
    assert added.status_code == 201, added.text
    again = deployed.http.post(f"/rooms/{room}/members", json={"user_id": bob.user_id}, headers=alice.headers)
    assert again.status_code == 409 and again.json()["error"]
    listed = deployed.http.get("/rooms", headers=bob.headers).json()
    assert room in [r["id"] for r in listed["items"]]
    detail = deployed.http.get(f"/rooms/{room}", headers=bob.headers).json()
    assert {m["user_id"] for m in detail["members"]} == {alice.user_id, bob.user_id}
    history = deployed.http.get(f"/rooms/{room}/messages", params={"limit": "5"}, headers=bob.headers)
    assert history.status_code == 200 and history.json()["items"] == []


def test_http_api_upload_url_accepts_a_put_on_the_emulator(deployed: Deployed, alice: Session) -> None:
    content = b"\x89PNG\r\n\x1a\n" + b"0" * 120
    requested = deployed.http.post(
        "/uploads", json={"filename": "a.png", "content_type": "image/png", "size_bytes": len(content)},
        headers=alice.headers,
    )  # fmt: skip
    assert requested.status_code == 201, requested.text
    upload = requested.json()
    put = httpx.put(upload["upload_url"], content=content, headers=upload["headers"], timeout=30)
    assert put.status_code == 200, put.text
    stored = deployed.client("s3").get_object(Bucket=deployed.outputs["uploads_bucket_name"], Key=upload["key"])
    assert stored["Body"].read() == content


def test_http_api_cors_preflight_follows_the_deployed_configuration(deployed: Deployed) -> None:
    apigw = deployed.client("apigatewayv2")
    (api,) = [a for a in apigw.get_apis()["Items"] if a["ProtocolType"] == "HTTP"]
    cors = api["CorsConfiguration"]
    origin = cors["AllowOrigins"][0]
    preflight = deployed.http.options(
        "/me", headers={"Origin": origin, "Access-Control-Request-Method": "GET",
                        "Access-Control-Request-Headers": "authorization"},
    )  # fmt: skip
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == origin
    assert set(preflight.headers["access-control-allow-methods"].split(",")) == set(cors["AllowMethods"])
    assert set(preflight.headers["access-control-allow-headers"].split(",")) == set(cors["AllowHeaders"])
    assert preflight.headers["access-control-max-age"] == str(cors["MaxAge"])
    stranger = deployed.http.options(
        "/me", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert stranger.status_code == 204 and "access-control-allow-origin" not in stranger.headers
    # Actual responses carry the allowed origin too, even an error from the authorizer.
    simple = deployed.http.get("/health", headers={"Origin": origin})
    assert simple.headers["access-control-allow-origin"] == origin
    refused = deployed.http.get("/me", headers={"Origin": origin})
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == origin


def test_http_api_unknown_route_is_not_found_as_on_aws(deployed: Deployed, alice: Session) -> None:
    for method, path in (("GET", "/no/such/route"), ("DELETE", "/health"), ("GET", "/rooms/a/b/c/d")):
        response = deployed.http.request(method, path, headers=alice.headers)
        assert response.status_code == 404 and response.json() == {"message": "Not Found"}, (method, path)


def test_http_api_body_over_10_mb_is_refused_with_413(deployed: Deployed) -> None:
    response = deployed.http.post("/auth/login", content=b"x" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert deployed.http.get("/health").status_code == 200


def test_http_api_binary_body_reaches_the_function_base64_encoded(deployed: Deployed) -> None:
    # Not UTF-8: the function gets it base64-encoded, decodes it and answers with its own 4xx error shape.
    response = deployed.http.post("/auth/login", content=b"\xff\xfe\x00{", headers={"Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
    assert set(response.json()) == {"error", "message"}
    # A JSON body that is valid UTF-8 arrives as text and is answered as usual.
    answer = deployed.http.post("/auth/login", content=json.dumps({"email": "not-an-email"}))
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_email"
