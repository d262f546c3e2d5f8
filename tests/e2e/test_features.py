"""Each feature on the emulator: what `make up` deployed, and flows run with the deployed names and settings.

The emulator cannot run Lambda code, so handlers run in-process with the
environment Terraform set on the deployed function, against the deployed
table, queues and management endpoint.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from parley.domain import keys
from tests.e2e.conftest import Deployed
from tests.unit.conftest import http_event, response_json
from tests.unit.ws_support import ws_event

# Sign-in ---------------------------------------------------------------------------------------


def test_features_user_pool_client_and_triggers_are_deployed(deployed: Deployed) -> None:
    idp = deployed.client("cognito-idp")
    pool = idp.describe_user_pool(UserPoolId=deployed.outputs["user_pool_id"])["UserPool"]
    assert pool["UsernameAttributes"] == ["email"] and pool["AutoVerifiedAttributes"] == ["email"]
    triggers = pool["LambdaConfig"]
    names = deployed.outputs["auth_function_names"]
    for key, trigger in (
        ("DefineAuthChallenge", "auth_define"),
        ("CreateAuthChallenge", "auth_create"),
        ("VerifyAuthChallengeResponse", "auth_verify"),
        ("PostConfirmation", "auth_post_confirmation"),
    ):
        assert triggers[key].endswith(f":function:{names[trigger]}"), key
    client = idp.describe_user_pool_client(
        UserPoolId=deployed.outputs["user_pool_id"], ClientId=deployed.outputs["user_pool_client_id"]
    )["UserPoolClient"]
    assert "ClientSecret" not in client
    assert {"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"} <= set(client["ExplicitAuthFlows"])
    identity = deployed.client("cognito-identity").describe_identity_pool(
        IdentityPoolId=deployed.outputs["identity_pool_id"]
    )
    assert identity["AllowUnauthenticatedIdentities"] is False


# HTTP API ----------------------------------------------------------------------------------------


def test_features_http_routes_point_at_the_right_functions(deployed: Deployed) -> None:
    apigw = deployed.client("apigatewayv2")
    (api,) = [a for a in apigw.get_apis()["Items"] if a["ProtocolType"] == "HTTP"]
    integrations = {
        i["IntegrationId"]: i["IntegrationUri"] for i in apigw.get_integrations(ApiId=api["ApiId"])["Items"]
    }
    routes = {r["RouteKey"]: r for r in apigw.get_routes(ApiId=api["ApiId"])["Items"]}
    functions = {
        **deployed.outputs["function_names"],
        **deployed.outputs["api_function_names"],
        **deployed.outputs["calls_function_names"],
    }
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


def test_features_api_creates_a_room_and_lists_it_with_the_deployed_settings(
    deployed: Deployed, monkeypatch: pytest.MonkeyPatch, lambda_context: Any
) -> None:
    from parley.handlers import api

    with deployed.running_as(monkeypatch, deployed.outputs["api_function_names"]["api"]) as table:
        table.put_item(Item={"PK": keys.user("e2e-owner"), "SK": keys.PROFILE, "email": "owner@example.com"})
        created = api.handler(http_event("POST", "/rooms", {"name": "e2e room"}, sub="e2e-owner"), lambda_context)
        assert created["statusCode"] == 201, created
        listed = response_json(api.handler(http_event("GET", "/rooms", sub="e2e-owner"), lambda_context))
        assert [room["name"] for room in listed["items"]] == ["e2e room"]


# WebSocket ----------------------------------------------------------------------------------------


def test_features_websocket_api_routes_and_connect_authorizer(deployed: Deployed) -> None:
    apigw = deployed.client("apigatewayv2")
    (api,) = [a for a in apigw.get_apis()["Items"] if a["ProtocolType"] == "WEBSOCKET"]
    assert api["RouteSelectionExpression"] == "$request.body.action"
    routes = {r["RouteKey"]: r for r in apigw.get_routes(ApiId=api["ApiId"])["Items"]}
    assert {"$connect", "$disconnect", "$default", "join", "send", "relay.send"} <= set(routes)
    assert routes["$connect"]["AuthorizationType"] == "CUSTOM"
    authorizer = apigw.get_authorizer(ApiId=api["ApiId"], AuthorizerId=routes["$connect"]["AuthorizerId"])
    assert authorizer["AuthorizerType"] == "REQUEST"
    assert authorizer["IdentitySource"] == ["route.request.querystring.token"]


def test_features_websocket_connect_join_send_disconnect_with_the_deployed_table(
    deployed: Deployed, monkeypatch: pytest.MonkeyPatch, lambda_context: Any
) -> None:
    from parley.handlers import ws

    with deployed.running_as(monkeypatch, deployed.outputs["function_names"]["ws"]) as table:
        assert (
            deployed.function_environment(deployed.outputs["function_names"]["ws"])["WS_MANAGEMENT_ENDPOINT"]
            == deployed.endpoint
        )
        table.put_item(
            Item={
                "PK": keys.room("e2e-r"),
                "SK": keys.member("e2e-ws"),
                "GSI1PK": keys.user("e2e-ws"),
                "GSI1SK": keys.room("e2e-r"),
            }
        )
        assert ws.handler(ws_event("$connect", "e2e-conn", sub="e2e-ws"), lambda_context)["statusCode"] == 200
        assert table.get_item(Key={"PK": keys.conn("e2e-conn"), "SK": keys.META}).get("Item")
        ws.handler(ws_event("join", "e2e-conn", sub="e2e-ws", body={"action": "join", "room": "e2e-r"}), lambda_context)
        ws.handler(
            ws_event("send", "e2e-conn", sub="e2e-ws", body={"action": "send", "room": "e2e-r", "text": "hello"}),
            lambda_context,
        )
        history = table.query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :msg)",
            ExpressionAttributeValues={":pk": keys.room("e2e-r"), ":msg": "MSG#"},
        )["Items"]
        assert [m["text"] for m in history] == ["hello"]
        ws.handler(ws_event("$disconnect", "e2e-conn", sub="e2e-ws"), lambda_context)
        assert not table.get_item(Key={"PK": keys.conn("e2e-conn"), "SK": keys.META}).get("Item")


# Schedules ----------------------------------------------------------------------------------------


def test_features_schedules_and_their_dead_letter_queue_exist(deployed: Deployed) -> None:
    scheduler = deployed.client("scheduler")
    group = deployed.outputs["schedule_group_name"]
    for name, expression in (("reminders", "rate(5 minutes)"), ("points-reset", "cron(0 0 * * ? *)")):
        schedule = scheduler.get_schedule(Name=f"parley-local-{name}", GroupName=group)
        assert schedule["ScheduleExpression"] == expression
        assert schedule["Target"]["DeadLetterConfig"]["Arn"].endswith("-schedules-dlq")
    attributes = deployed.client("sqs").get_queue_attributes(
        QueueUrl=deployed.outputs["schedules_dead_letter_queue_url"], AttributeNames=["QueueArn"]
    )
    assert attributes["Attributes"]["QueueArn"].endswith("-schedules-dlq")


def test_features_reminders_run_delivers_a_due_reminder_as_a_notification(
    deployed: Deployed, monkeypatch: pytest.MonkeyPatch, lambda_context: Any
) -> None:
    from parley.domain.reminders.rules import new_reminder
    from parley.handlers import reminders

    name = deployed.outputs["function_names"]["reminders"]
    function = deployed.function_environment(name)
    with deployed.running_as(monkeypatch, name) as table:
        table.put_item(Item={"PK": keys.user("e2e-rem"), "SK": keys.PROFILE, "email": "rem@example.com"})
        created = datetime.now(UTC) - timedelta(minutes=10)
        item = new_reminder(
            {"text": "stand up", "due_at": (created + timedelta(minutes=5)).isoformat()},
            "e2e-rem",
            "e2e-reminder",
            created,
            int(function["REMINDER_SHARD_COUNT"]),
        )
        table.put_item(Item=item)
        reminders.handler({}, lambda_context)
        stored = table.get_item(Key={"PK": item["PK"], "SK": item["SK"]})["Item"]
        assert stored["status"] == "sent", stored
        notifications = table.query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :n)",
            ExpressionAttributeValues={":pk": keys.user("e2e-rem"), ":n": "NOTIF#"},
        )["Items"]
        assert len(notifications) == 1


# Monitoring -----------------------------------------------------------------------------------------


def test_features_alert_topic_and_dashboard_exist(deployed: Deployed) -> None:
    topic = deployed.client("sns").get_topic_attributes(TopicArn=deployed.outputs["alert_topic_arn"])["Attributes"]
    assert topic["KmsMasterKeyId"]
    dashboard = deployed.client("cloudwatch").get_dashboard(DashboardName=deployed.outputs["dashboard_name"])
    body = json.loads(dashboard["DashboardBody"])
    metrics = json.dumps(body)
    assert "AWS/Lambda" in metrics and deployed.outputs["table_name"] in metrics


def test_features_site_bucket_is_private_and_served_by_the_distribution(deployed: Deployed) -> None:
    bucket = deployed.outputs["site_bucket_name"]
    block = deployed.client("s3").get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    distribution = deployed.client("cloudfront").get_distribution(Id=deployed.outputs["site_distribution_id"])
    config = distribution["Distribution"]["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] in {"redirect-to-https", "https-only"}
    assert config["DefaultRootObject"] == "index.html"
    assert any(bucket in origin["DomainName"] for origin in config["Origins"]["Items"])
