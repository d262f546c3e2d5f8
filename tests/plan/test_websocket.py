"""Plan checks of modules/websocket and its wiring in the stack: routes, authorizer, stage, IAM scope."""

from __future__ import annotations

import json
from typing import Any

from tests.plan.harness import ROOT, ModulePlan, PlanSession, index_plan
from tools import hcl

DEFAULT_ROUTES = {
    "$connect",
    "$disconnect",
    "$default",
    "ping",
    "join",
    "leave",
    "send",
    "typing",
    "relay.open",
    "relay.join",
    "relay.send",
}


def _routes(case: ModulePlan) -> dict[str, dict[str, Any]]:
    return {v["values"]["route_key"]: v for v in case.of_type("aws_apigatewayv2_route").values()}


def test_websocket_routes_on_the_action_field(plans: PlanSession) -> None:
    api = plans.case("websocket", "defaults").one("aws_apigatewayv2_api")
    assert api["protocol_type"] == "WEBSOCKET"
    assert api["route_selection_expression"] == "$request.body.action"
    assert api["name"] == "parley-dev-ws"


def test_websocket_has_the_dollar_routes_and_one_route_per_action(plans: PlanSession) -> None:
    assert set(_routes(plans.case("websocket", "defaults"))) == DEFAULT_ROUTES
    assert set(_routes(plans.case("websocket", "custom"))) == {"$connect", "$disconnect", "$default", "ping", "send"}


def test_websocket_only_connect_is_authorized_by_the_token_authorizer(plans: PlanSession) -> None:
    routes = _routes(plans.case("websocket", "defaults"))
    connect = routes.pop("$connect")
    assert connect["values"]["authorization_type"] == "CUSTOM"
    assert connect["after_unknown"].get("authorizer_id") is True  # the authorizer's id, known after apply
    for key, route in routes.items():
        assert route["values"]["authorization_type"] == "NONE", key
        assert route["values"].get("authorizer_id") is None, key
        assert route["after_unknown"].get("target") is True, key  # integrations/<id>


def test_websocket_authorizer_reads_the_token_query_parameter(plans: PlanSession) -> None:
    authorizer = plans.case("websocket", "defaults").one("aws_apigatewayv2_authorizer")
    assert authorizer["authorizer_type"] == "REQUEST"
    assert authorizer["identity_sources"] == ["route.request.querystring.token"]
    assert authorizer["authorizer_uri"].endswith("function:parley-dev-ws-authorizer/invocations")
    anonymous = plans.case("websocket", "custom").one("aws_apigatewayv2_authorizer")
    assert not anonymous.get("identity_sources")


def test_websocket_integrates_every_route_with_the_handler(plans: PlanSession) -> None:
    integration = plans.case("websocket", "defaults").one("aws_apigatewayv2_integration")
    assert integration["integration_type"] == "AWS_PROXY"
    assert integration["integration_uri"].endswith("function:parley-dev-ws/invocations")


def test_websocket_stage_throttles_and_writes_json_access_logs(plans: PlanSession) -> None:
    case = plans.case("websocket", "defaults")
    stage = case.one("aws_apigatewayv2_stage")
    assert stage["name"] == "live" and stage["auto_deploy"] is True
    (settings,) = stage["default_route_settings"]
    assert settings["throttling_rate_limit"] == 500 and settings["throttling_burst_limit"] == 1000
    (logs,) = stage["access_log_settings"]
    fields = json.loads(logs["format"])
    assert {"requestId", "routeKey", "connectionId", "status", "authorizerError"} <= set(fields)
    log_group = case.one("aws_cloudwatch_log_group")
    assert log_group["name"] == "/aws/apigateway/parley-dev-ws" and log_group["retention_in_days"] == 14
    custom = plans.case("websocket", "custom").one("aws_apigatewayv2_stage")
    assert custom["name"] == "v1" and custom["default_route_settings"][0]["throttling_rate_limit"] == 50


def test_websocket_account_log_role_follows_the_toggle(plans: PlanSession) -> None:
    assert plans.case("websocket", "defaults").count("aws_api_gateway_account") == 0
    custom = plans.case("websocket", "custom")
    assert custom.count("aws_api_gateway_account") == 1
    assert custom.one("aws_iam_role_policy_attachment")["policy_arn"].endswith(
        "service-role/AmazonAPIGatewayPushToCloudWatchLogs"
    )


def test_websocket_lets_only_api_gateway_invoke_the_functions_from_this_api(plans: PlanSession) -> None:
    permissions = {
        v["values"]["function_name"]: v
        for v in plans.case("websocket", "defaults").of_type("aws_lambda_permission").values()
    }
    assert set(permissions) == {"parley-dev-ws", "parley-dev-ws-authorizer"}
    for permission in permissions.values():
        assert permission["values"]["principal"] == "apigateway.amazonaws.com"
        assert permission["after_unknown"].get("source_arn") is True  # scoped to this API's execution ARN


def test_websocket_manage_connections_is_scoped_to_this_api_stage() -> None:
    # The ARN is only known after apply, so check the expressions that build it.
    module = hcl.load(ROOT / "modules" / "websocket" / "main.tf")
    locals_ = {k: v.strip('"') for block in module["locals"] for k, v in block.items() if isinstance(v, str)}
    assert (
        locals_["manage_connections_arn"]
        == "${aws_apigatewayv2_api.this.execution_arn}/${var.stage.name}/*/@connections/*"
    )
    stack = hcl.load(ROOT / "modules" / "stack" / "websocket.tf")
    stack_locals = {k: v for block in stack["locals"] for k, v in block.items()}
    statement = stack_locals["ws_manage_connections"]
    assert [a.strip('"') for a in statement["actions"]] == ["execute-api:ManageConnections"]
    assert [r.strip('"') for r in statement["resources"]] == ["${module.websocket.manage_connections_arn}"]


def test_websocket_rejects_bad_actions_stage_throttling_and_retention(plans: PlanSession) -> None:
    assert "actions must be 1-64 lowercase" in plans.rejection("websocket", "reject_action")
    assert "stage.name must be 1-64" in plans.rejection("websocket", "reject_stage")
    assert "throttling_rate_limit must be > 0" in plans.rejection("websocket", "reject_throttling")
    assert "logging.retention_days must be a value CloudWatch accepts" in plans.rejection(
        "websocket", "reject_retention"
    )


def _queues(case: ModulePlan) -> dict[str, dict[str, Any]]:
    return {v["values"]["name"]: v["values"] for v in case.of_type("aws_sqs_queue").values()}


def test_websocket_fanout_queue_is_standard_encrypted_with_a_dead_letter_queue(plans: PlanSession) -> None:
    case = plans.case("websocket", "defaults")
    queues = _queues(case)
    assert set(queues) == {"parley-dev-fanout", "parley-dev-fanout-dlq"}
    assert all(not q.get("fifo_queue") and q["sqs_managed_sse_enabled"] is True for q in queues.values())
    queue, dlq = queues["parley-dev-fanout"], queues["parley-dev-fanout-dlq"]
    assert (queue["visibility_timeout_seconds"], queue["message_retention_seconds"]) == (180, 3600)
    assert dlq["message_retention_seconds"] == 1209600
    # The redrive policy names the DLQ's ARN and the policy the queue's, both known only after apply.
    address = next(a for a, v in case.of_type("aws_sqs_queue").items() if v["values"]["name"] == "parley-dev-fanout")
    assert {"redrive_policy", "policy"} <= set(case.resources[address]["after_unknown"])
    custom = _queues(plans.case("websocket", "custom"))["parley-prod-fanout"]
    assert custom["visibility_timeout_seconds"] == 300
    assert custom["kms_master_key_id"].startswith("arn:aws:kms:") and not custom.get("sqs_managed_sse_enabled")


def test_websocket_fanout_worker_reports_batch_item_failures(plans: PlanSession) -> None:
    mapping = plans.case("websocket", "defaults").one("aws_lambda_event_source_mapping")
    assert mapping["function_name"] == "parley-dev-fanout"
    assert mapping["function_response_types"] == ["ReportBatchItemFailures"]
    assert mapping["batch_size"] == 10
    assert plans.case("websocket", "custom").one("aws_lambda_event_source_mapping")["batch_size"] == 2


def test_websocket_rejects_bad_fanout_queue_settings(plans: PlanSession) -> None:
    rejection = plans.rejection("websocket", "reject_fanout_queue")
    assert "fanout_queue.batch_size must be between 1 and 10" in rejection
    assert "fanout_queue.max_receive_count must be between 1 and 1000" in rejection


# Stack wiring ---------------------------------------------------------------------------


def _functions(case: ModulePlan) -> dict[str, dict[str, Any]]:
    return {v["values"]["function_name"]: v["values"] for v in case.of_type("aws_lambda_function").values()}


def test_stack_deploys_the_websocket_functions_with_their_settings(plans: PlanSession) -> None:
    # The authorizer's settings hold the pool's ids (known after apply); tests/static/test_settings_contract.py
    # checks their names from the configuration.
    functions = _functions(plans.case("stack", "dev"))
    assert functions["parley-dev-ws-authorizer"]["s3_key"] == "lambda/ws_authorizer.zip"
    assert functions["parley-dev-ws"]["s3_key"] == "lambda/ws.zip"
    # On AWS the management endpoint is the API's own (known after apply); on the emulator it is set.
    ws = _functions(plans.case("stack", "emulator"))["parley-local-ws"]["environment"][0]["variables"]
    assert ws["WS_FANOUT_CONCURRENCY"] == "64" and ws["WS_RELAY_CACHE_TTL_SECONDS"] == "3600"
    assert ws["APP_STAGE"] == "parley-local"


def test_stack_points_the_ws_function_at_the_emulator_management_endpoint(plans: PlanSession) -> None:
    ws = _functions(plans.case("stack", "emulator"))["parley-local-ws"]["environment"][0]["variables"]
    assert ws["WS_MANAGEMENT_ENDPOINT"] == "http://127.0.0.1:4566"
    assert plans.case("stack", "emulator").count("aws_api_gateway_account") == 0
    assert plans.case("stack", "dev").count("aws_api_gateway_account") == 1


def test_stack_grants_the_ws_function_manage_connections(plans: PlanSession) -> None:
    policies = {v["values"]["name"]: v for v in plans.case("stack", "dev").of_type("aws_iam_role_policy").values()}
    assert "parley-dev-ws-policy" in policies
    assert "parley-dev-ws-authorizer-policy" not in policies  # the authorizer touches no AWS resource


def test_stack_deploys_the_fanout_worker_on_the_websocket_queue(plans: PlanSession) -> None:
    case = plans.case("stack", "emulator")
    functions = _functions(case)
    worker = functions["parley-local-fanout"]
    assert worker["s3_key"] == "lambda/fanout.zip" and worker["timeout"] == 30
    settings = worker["environment"][0]["variables"]
    assert settings["WS_MANAGEMENT_ENDPOINT"] == "http://127.0.0.1:4566"
    assert settings["WS_FANOUT_CONCURRENCY"] == "64"
    assert (settings["WS_FANOUT_QUEUE"], settings["WS_FANOUT_DLQ"]) == (
        "parley-local-fanout",
        "parley-local-fanout-dlq",
    )
    ws = functions["parley-local-ws"]["environment"][0]["variables"]
    assert (ws["WS_FANOUT_BATCH_SIZE"], ws["WS_FANOUT_QUEUE"]) == ("500", "parley-local-fanout")
    mapping = case.within("websocket").one("aws_lambda_event_source_mapping")
    assert mapping["function_name"] == "parley-local-fanout"
    assert mapping["function_response_types"] == ["ReportBatchItemFailures"]
    queues = _queues(case.within("websocket"))
    assert queues["parley-local-fanout"]["visibility_timeout_seconds"] == 180  # six times the worker's timeout
    policies = {v["values"]["name"] for v in case.of_type("aws_iam_role_policy").values()}
    assert "parley-local-fanout-policy" in policies


def test_stack_watches_the_fanout_queue_and_its_dead_letter_queue(plans: PlanSession) -> None:
    alarms = {
        v["values"]["alarm_name"]: v["values"]
        for v in plans.case("stack", "monitored_site").of_type("aws_cloudwatch_metric_alarm").values()
    }
    dlq = alarms["parley-prod-dlq-visible-fanout"]
    assert (dlq["metric_name"], dlq["dimensions"]) == (
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": "parley-prod-fanout-dlq"},
    )
    age = alarms["parley-prod-queue-oldest-age-fanout"]
    assert (age["dimensions"], age["threshold"]) == ({"QueueName": "parley-prod-fanout"}, 60)
    assert "parley-prod-lambda-errors-fanout" in alarms


def _statements(function: str) -> dict[str, dict[str, list[str]]]:
    """A function's IAM statements as written in modules/stack/websocket.tf (their ARNs are known after apply)."""
    stack = hcl.load(ROOT / "modules" / "stack" / "websocket.tf")
    spec = next(block["websocket_functions"] for block in stack["locals"] if "websocket_functions" in block)
    statements = spec[function]["statements"]
    stack_locals = {k: v for block in stack["locals"] for k, v in block.items()}
    found = {}
    for key, written in statements.items():
        value = written
        if isinstance(written, str) and written.startswith("${local."):
            value = stack_locals[written.removeprefix("${local.").removesuffix("}")]
        found[key] = {
            "actions": sorted(a.strip('"') for a in value["actions"]),
            "resources": [r.strip('"') for r in value["resources"]],
        }
    return found


def test_stack_scopes_the_fanout_worker_to_its_queue_the_connections_and_their_deletion() -> None:
    stack = hcl.load(ROOT / "modules" / "stack" / "websocket.tf")
    spec = next(block["websocket_functions"] for block in stack["locals"] if "websocket_functions" in block)
    # The ws function may only send batches to the queue (its statements are a merge of maps).
    ws_statements = spec["ws"]["statements"]
    assert (
        'queue_fanout_batches = {actions = ["sqs:GetQueueUrl", "sqs:SendMessage"], '
        "resources = [module.websocket.fanout_queue_arn]}"
    ) in ws_statements
    assert _statements("fanout") == {
        "manage_connections": {
            "actions": ["execute-api:ManageConnections"],
            "resources": ["${module.websocket.manage_connections_arn}"],
        },
        "prune_connections": {
            "actions": ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:GetItem"],
            "resources": ["${module.table.table_arn}"],
        },
        "consume_batches": {
            "actions": [
                "sqs:ChangeMessageVisibility",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ReceiveMessage",
            ],
            "resources": ["${module.websocket.fanout_queue_arn}"],
        },
        "requeue_batches": {
            "actions": ["sqs:GetQueueUrl", "sqs:SendMessage"],
            "resources": ["${module.websocket.fanout_queue_arn}", "${module.websocket.fanout_dlq_arn}"],
        },
    }


def test_stack_rejects_bad_websocket_settings(plans: PlanSession) -> None:
    rejection = plans.rejection("stack", "reject_ws_settings")
    assert "websocket.management_endpoint must be null" in rejection
    assert "websocket.fanout_concurrency must be between 1 and 128" in rejection
    assert "websocket.fanout_batch_size must be a whole number of connections between 1 and 10000" in rejection
    assert "local_gateway_endpoint must be null or a local root URL" in rejection


def test_envs_output_the_websocket_url_and_local_posts_to_the_runtime(plans: PlanSession) -> None:
    for env in ("local", "dev", "prod"):
        assert "websocket_url" in plans.envs[env]["planned_values"]["outputs"], env
    local = index_plan(plans.envs["local"])
    ws = next(
        v["values"]
        for v in local.values()
        if v["type"] == "aws_lambda_function" and v["values"]["function_name"] == "parley-local-ws"
    )
    # The local runtime's @connections API at the stage path (tools/runtime/websocket_gateway.py).
    assert ws["environment"][0]["variables"]["WS_MANAGEMENT_ENDPOINT"] == "http://127.0.0.1:4580/live"
