"""The local runtime's API Gateway rules as pure functions: route matching, payload 2.0 events, response
mapping, CORS, the WebSocket route selection and authorizer policies, SQS partial batches, captured mail."""

from __future__ import annotations

import asyncio
import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from multidict import CIMultiDict

from tools.runtime.config import Cors, HttpApi, HttpRoute, JwtAuthorizer, WebSocketApi, WsRoute, function_name
from tools.runtime.http_gateway import (
    BadResponse,
    JwtVerifier,
    Request,
    Unauthorized,
    allowed_origin,
    apply_cors,
    bearer,
    build_event,
    claim_text,
    jwks_url,
    map_response,
    match_route,
    preflight,
)
from tools.runtime.mailbox import from_ses_form, from_sesv2
from tools.runtime.queues import failed_ids, record
from tools.runtime.websocket_gateway import policy_allows, select_route

JWT = JwtAuthorizer("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc", ("client",), "authorization")


def route(key: str, function: str = "fn", authorized: bool = False) -> HttpRoute:
    method, _, path = key.partition(" ")
    segments = tuple(path.strip("/").split("/")) if path.strip("/") else ()
    return HttpRoute(key, "" if key == "$default" else method, segments, function, JWT if authorized else None, ())


def api(*keys: str) -> HttpApi:
    return HttpApi("api1", tuple(route(k) for k in keys), None)


# -- routing -------------------------------------------------------------------------------------


def test_match_route_prefers_literal_then_variables_then_greedy_then_any_then_default() -> None:
    routes = api("GET /pets/dog", "GET /pets/{id}", "GET /pets/{proxy+}", "ANY /pets/{id}", "$default")
    assert match_route(routes, "GET", "/pets/dog") == (routes.routes[0], {})
    assert match_route(routes, "GET", "/pets/cat") == (routes.routes[1], {"id": "cat"})
    assert match_route(routes, "GET", "/pets/cat/toys/1") == (routes.routes[2], {"proxy": "cat/toys/1"})
    assert match_route(routes, "POST", "/pets/cat") == (routes.routes[3], {"id": "cat"})
    assert match_route(routes, "POST", "/other") == (routes.routes[4], {})


def test_match_route_without_default_finds_nothing_for_unknown_paths_and_methods() -> None:
    routes = api("GET /health", "GET /rooms/{id}/messages")
    assert match_route(routes, "GET", "/rooms/r1/messages") == (routes.routes[1], {"id": "r1"})
    assert match_route(routes, "DELETE", "/health") is None
    assert match_route(routes, "GET", "/rooms/r1") is None
    assert match_route(routes, "GET", "/") is None


def test_function_name_from_arns_and_integration_uris() -> None:
    uri = (
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:us-east-1:1:function:app-api/invocations"
    )
    assert function_name(uri) == "app-api"
    assert function_name("arn:aws:lambda:us-east-1:1:function:app-ws:live") == "app-ws"
    assert function_name("arn:aws:sqs:us-east-1:1:queue") is None


# -- events ----------------------------------------------------------------------------------------


def test_build_event_has_payload_2_0_fields_cookies_query_and_claims() -> None:
    request = Request(
        method="POST", raw_path="/rooms/r%201/members", raw_query="a=1&a=2&b=",
        headers=[("Content-Type", "application/json"), ("Cookie", "s=1; t=2"), ("X-Multi", "a"), ("x-multi", "b")],
        body=b'{"user_id": "u"}', source_ip="127.0.0.1", host="127.0.0.1:4580",
    )  # fmt: skip
    claims = {"sub": "u1", "email_verified": True, "exp": 17, "cognito:groups": ["a", "b"], "scope": "x y"}
    event = build_event(api(), route("POST /rooms/{id}/members"), request, {"id": "r 1"}, claims)
    assert event["version"] == "2.0" and event["routeKey"] == "POST /rooms/{id}/members"
    assert event["rawPath"] == "/rooms/r%201/members" and event["rawQueryString"] == "a=1&a=2&b="
    assert event["cookies"] == ["s=1", "t=2"] and "cookie" not in event["headers"]
    assert event["headers"]["x-multi"] == "a,b" and event["headers"]["content-type"] == "application/json"
    assert event["queryStringParameters"] == {"a": "1,2", "b": ""}
    assert event["pathParameters"] == {"id": "r 1"}
    context = event["requestContext"]
    assert context["http"] == {"method": "POST", "path": "/rooms/r 1/members", "protocol": "HTTP/1.1",
                               "sourceIp": "127.0.0.1", "userAgent": ""}  # fmt: skip
    assert context["stage"] == "$default" and context["apiId"] == "api1" and context["domainName"] == "127.0.0.1:4580"
    assert context["authorizer"]["jwt"]["claims"] == {
        "sub": "u1", "email_verified": "true", "exp": "17", "cognito:groups": "[a b]", "scope": "x y",
    }  # fmt: skip
    assert context["authorizer"]["jwt"]["scopes"] == ["x", "y"]
    assert event["body"] == '{"user_id": "u"}' and event["isBase64Encoded"] is False


def test_build_event_base64_encodes_binary_and_non_utf8_bodies() -> None:
    for content_type, body in (("application/json", b"\xff\xfe{"), ("image/png", b"\x89PNG")):
        request = Request("PUT", "/x", "", [("Content-Type", content_type)], body, "127.0.0.1", "h")
        event = build_event(api(), route("PUT /x"), request, {}, None)
        assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == body
        assert "authorizer" not in event["requestContext"] and "pathParameters" not in event
    empty = build_event(api(), route("GET /x"), Request("GET", "/x", "", [], b"", "127.0.0.1", "h"), {}, None)
    assert "body" not in empty and "queryStringParameters" not in empty and "cookies" not in empty


def test_claims_and_bearer_tokens_as_api_gateway_reads_them() -> None:
    assert [claim_text(v) for v in ("s", 3, False, ["a", 1], {"k": 1})] == ["s", "3", "false", "[a 1]", '{"k":1}']
    assert bearer("Bearer abc") == bearer("bearer abc") == bearer("abc") == "abc"
    assert bearer(None) == bearer("Bearer ") == ""


# -- responses -------------------------------------------------------------------------------------


def test_map_response_structured_form_with_headers_cookies_and_base64() -> None:
    status, headers, body = map_response(
        {"statusCode": 201, "headers": {"X-A": "1", "X-N": 2}, "cookies": ["a=1", "b=2; Secure"],
         "body": base64.b64encode(b"\x00\x01").decode(), "isBase64Encoded": True}
    )  # fmt: skip
    assert status == 201 and body == b"\x00\x01"
    assert headers["X-A"] == "1" and headers["X-N"] == "2" and headers.getall("Set-Cookie") == ["a=1", "b=2; Secure"]
    assert map_response({"statusCode": 204}) == (204, CIMultiDict(), b"")


def test_map_response_simple_form_is_a_200_json_body() -> None:
    for result, body in (({"ok": True}, b'{"ok": true}'), ("text", b"text"), (None, b"null"), ([1], b"[1]")):
        status, headers, payload = map_response(result)
        assert (status, headers["Content-Type"], payload) == (200, "application/json", body)


@pytest.mark.parametrize(
    "result",
    [{"statusCode": "abc"}, {"statusCode": 99}, {"statusCode": True}, {"statusCode": 200, "headers": {"a": None}},
     {"statusCode": 200, "cookies": "a=1"}, {"statusCode": 200, "body": {"x": 1}},
     {"statusCode": 200, "body": "***", "isBase64Encoded": True}],
)  # fmt: skip
def test_map_response_refuses_what_api_gateway_cannot_map(result: object) -> None:
    with pytest.raises(BadResponse):
        map_response(result)


# -- CORS ------------------------------------------------------------------------------------------

CORS = Cors(("http://localhost:3000",), ("authorization", "content-type"), ("GET", "POST"), ("x-id",), True, 600)


def test_preflight_answers_allowed_origins_only() -> None:
    allowed = preflight(CORS, "http://localhost:3000")
    assert allowed.status == 204
    assert dict(allowed.headers) == {
        "Access-Control-Allow-Origin": "http://localhost:3000", "Access-Control-Allow-Methods": "GET,POST",
        "Access-Control-Allow-Headers": "authorization,content-type", "Access-Control-Max-Age": "600",
        "Access-Control-Allow-Credentials": "true",
    }  # fmt: skip
    refused = preflight(CORS, "https://evil.example")
    assert refused.status == 204 and "Access-Control-Allow-Origin" not in refused.headers
    anyone = Cors(("*",), (), (), (), False, None)
    assert allowed_origin(anyone, "https://x.example") == "*" and allowed_origin(anyone, None) is None


def test_apply_cors_replaces_the_integrations_cors_headers() -> None:
    headers: CIMultiDict[str] = CIMultiDict({"Access-Control-Allow-Origin": "*", "X-Keep": "1"})
    apply_cors(CORS, "http://localhost:3000", headers)
    assert headers.getall("Access-Control-Allow-Origin") == ["http://localhost:3000"]
    assert headers["Access-Control-Expose-Headers"] == "x-id" and headers["X-Keep"] == "1"
    stranger: CIMultiDict[str] = CIMultiDict({"Access-Control-Allow-Origin": "*"})
    apply_cors(CORS, "https://evil.example", stranger)
    assert "Access-Control-Allow-Origin" not in stranger


# -- WebSocket -------------------------------------------------------------------------------------


def test_select_route_on_the_action_with_default_and_without() -> None:
    routes = {k: WsRoute(k, "ws", False) for k in ("$connect", "$default", "join", "relay.send")}
    ws = WebSocketApi("w1", "live", "$request.body.action", routes, None)
    assert select_route(ws, '{"action": "join"}') == "join"
    assert select_route(ws, '{"action": "relay.send"}') == "relay.send"
    for body in ('{"action": "dance"}', "hello?", "[1]", '{"action": {"x": 1}}', '{"action": true}', ""):
        assert select_route(ws, body) == "$default", body
    del routes["$default"]
    assert select_route(WebSocketApi("w1", "live", "$request.body.action", routes, None), "hello?") is None


def test_policy_allows_needs_a_matching_allow_and_no_deny() -> None:
    arn = "arn:aws:execute-api:us-east-1:1:w1/live/$connect"

    def policy(*statements: dict[str, object]) -> dict[str, object]:
        return {"principalId": "u", "policyDocument": {"Version": "2012-10-17", "Statement": list(statements)}}

    allow = {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": arn}
    assert policy_allows(policy(allow), arn)
    assert policy_allows(policy({**allow, "Resource": "arn:aws:execute-api:us-east-1:1:w1/*"}), arn)
    assert not policy_allows(policy({**allow, "Resource": "arn:aws:execute-api:us-east-1:1:other/*"}), arn)
    assert not policy_allows(policy(allow, {**allow, "Effect": "Deny", "Resource": "*"}), arn)
    assert not policy_allows(policy({**allow, "Action": "s3:GetObject"}), arn)
    assert not policy_allows({"principalId": "u"}, arn) and not policy_allows("Allow", arn)


# -- queues ----------------------------------------------------------------------------------------


def test_sqs_records_and_partial_batch_failures() -> None:
    message = {"MessageId": "m1", "ReceiptHandle": "r1", "Body": "b", "MD5OfBody": "x",
               "Attributes": {"MessageGroupId": "g", "ApproximateReceiveCount": "1"},
               "MessageAttributes": {"k": {"DataType": "Binary", "BinaryValue": b"\x01"}}}  # fmt: skip
    made = record(message, "arn:aws:sqs:us-east-1:1:q.fifo")
    assert (
        made["messageId"] == "m1" and made["eventSource"] == "aws:sqs" and made["attributes"]["MessageGroupId"] == "g"
    )
    assert made["messageAttributes"]["k"] == {"stringValue": None, "binaryValue": "AQ==", "stringListValues": [],
                                              "binaryListValues": [], "dataType": "Binary"}  # fmt: skip
    batch = ["m1", "m2", "m3"]
    assert failed_ids({"batchItemFailures": []}, batch) == set()
    assert failed_ids(None, batch) == set() and failed_ids({"other": 1}, batch) == set()
    assert failed_ids({"batchItemFailures": [{"itemIdentifier": "m2"}]}, batch) == {"m2"}
    # A malformed answer fails the whole batch, as Lambda does.
    for bad in ({"batchItemFailures": "m2"}, {"batchItemFailures": [{"itemIdentifier": "nope"}]},
                {"batchItemFailures": [{"itemIdentifier": ""}]}, {"batchItemFailures": [{}]}):  # fmt: skip
        assert failed_ids(bad, batch) == set(batch), bad


# -- mail ------------------------------------------------------------------------------------------


def test_captured_mail_from_ses_v1_v2_and_raw_messages() -> None:
    form = {"Action": ["SendEmail"], "Source": ["a@x.example"], "Destination.ToAddresses.member.1": ["b@y.example"],
            "Message.Subject.Data": ["Hi"], "Message.Body.Text.Data": ["code 123456"]}  # fmt: skip
    assert from_ses_form(form) == ("a@x.example", ["b@y.example"], "Hi", "code 123456")
    raw = b"From: a@x.example\r\nTo: c@y.example\r\nSubject: Raw\r\nContent-Type: text/plain\r\n\r\nbody text\r\n"
    assert from_ses_form({"Action": ["SendRawEmail"], "RawMessage.Data": [base64.b64encode(raw).decode()]}) == (
        "",
        ["c@y.example"],
        "Raw",
        "body text\n",
    )
    assert from_ses_form({"Action": ["GetSendQuota"]}) is None
    v2 = {"FromEmailAddress": "a@x.example", "Destination": {"ToAddresses": ["d@y.example"]},
          "Content": {"Simple": {"Subject": {"Data": "S"}, "Body": {"Text": {"Data": "T"}}}}}  # fmt: skip
    assert from_sesv2(v2) == ("a@x.example", ["d@y.example"], "S", "T")
    assert from_sesv2(json.loads('"not an object"')) is None


# -- JWT authorizer --------------------------------------------------------------------------------


def test_jwt_authorizer_accepts_only_pool_tokens_for_its_issuer_and_audience() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    verifier = JwtVerifier(stack=None)  # type: ignore[arg-type]  # keys are given: nothing is fetched
    verifier._keys[JWT.issuer] = {"k1": key.public_key()}
    verifier._fetched[JWT.issuer] = time.monotonic()
    now = int(time.time())

    def token(kid: str = "k1", algorithm: str = "RS256", secret: object = key, **claims: object) -> str:
        body = {"sub": "u1", "iss": JWT.issuer, "aud": "client", "token_use": "id", "exp": now + 60, **claims}
        return jwt.encode(body, secret, algorithm=algorithm, headers={"kid": kid})  # type: ignore[arg-type]

    def claims(value: str) -> dict[str, object]:
        return asyncio.run(verifier.claims(value, JWT))

    assert claims(token())["sub"] == "u1"
    access = token(aud=None, client_id="client", token_use="access")
    assert claims(access)["token_use"] == "access"  # access tokens name the client in client_id
    for bad in (
        token(exp=now - 5),  # expired
        token(aud="another-client"),
        token(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"),
        token(kid="unknown"),
        token(algorithm="HS256", secret="a-shared-secret-of-32-bytes-long!!"),
        "not.a.token",
        "",
    ):
        with pytest.raises(Unauthorized):
            claims(bad)
    assert jwks_url("http://127.0.0.1:4566", JWT.issuer) == "http://127.0.0.1:4566/us-east-1_abc/.well-known/jwks.json"
    with pytest.raises(Unauthorized, match="not a user pool"):
        jwks_url("http://127.0.0.1:4566", "https://accounts.example.com")
