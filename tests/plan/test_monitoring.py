"""Plan checks of modules/monitoring: alarms, topic, dashboard, metric filters."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.plan.harness import ModulePlan, PlanSession


def _alarms(case: ModulePlan) -> dict[str, dict[str, Any]]:
    return {v["values"]["alarm_name"]: v for v in case.of_type("aws_cloudwatch_metric_alarm").values()}


# name suffix -> (namespace, metric, statistic, period, evaluations, threshold, treat_missing_data)
EXPECTED = {
    "lambda-errors-api": ("AWS/Lambda", "Errors", "Sum", 60, 1, 10, "notBreaching"),
    "lambda-throttles-api": ("AWS/Lambda", "Throttles", "Sum", 60, 1, 5, "notBreaching"),
    "lambda-duration-p95-api": ("AWS/Lambda", "Duration", "p95", 300, 1, 10000, "notBreaching"),
    "http-5xx-http": ("AWS/ApiGateway", "5xx", "Sum", 60, 1, 10, "notBreaching"),
    "http-4xx-http": ("AWS/ApiGateway", "4xx", "Sum", 300, 1, 100, "notBreaching"),
    "websocket-integration-errors-ws": ("AWS/ApiGateway", "IntegrationError", "Sum", 300, 1, 5, "notBreaching"),
    "dynamodb-read-throttles-main": ("AWS/DynamoDB", "ReadThrottleEvents", "Sum", 60, 1, 5, "notBreaching"),
    "dynamodb-write-throttles-main": ("AWS/DynamoDB", "WriteThrottleEvents", "Sum", 60, 1, 5, "notBreaching"),
    "dlq-visible-match": ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", 300, 1, 0, "notBreaching"),
    "dlq-visible-scheduler": ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", 300, 1, 0, "notBreaching"),
    "queue-oldest-age-match": ("AWS/SQS", "ApproximateAgeOfOldestMessage", "Maximum", 300, 1, 120, "notBreaching"),
    "ec2-cpu-livekit": ("AWS/EC2", "CPUUtilization", "Average", 300, 2, 80, "missing"),
    "ec2-status-check-turn": ("AWS/EC2", "StatusCheckFailed", "Maximum", 60, 2, 0, "breaching"),
    "log-errors-ws": ("parley-prod/Logs", "ErrorLines-ws", "Sum", 300, 1, 10, "notBreaching"),
}


@pytest.mark.parametrize("suffix", sorted(EXPECTED))
def test_monitoring_alarm_has_seed_threshold_period_and_missing_data_rule(plans: PlanSession, suffix: str) -> None:
    alarms = _alarms(plans.case("monitoring", "full"))
    assert f"parley-prod-{suffix}" in alarms, sorted(alarms)
    alarm = alarms[f"parley-prod-{suffix}"]["values"]
    namespace, metric, stat, period, evaluations, threshold, missing = EXPECTED[suffix]
    assert (alarm["namespace"], alarm["metric_name"]) == (namespace, metric)
    assert (alarm["extended_statistic"] if stat.startswith("p") else alarm["statistic"]) == stat
    assert (alarm["period"], alarm["evaluation_periods"], alarm["threshold"]) == (period, evaluations, threshold)
    assert alarm["comparison_operator"] == "GreaterThanThreshold"
    assert alarm["treat_missing_data"] == missing


def test_monitoring_every_alarm_notifies_the_topic_on_alarm_and_ok(plans: PlanSession) -> None:
    alarms = _alarms(plans.case("monitoring", "full"))
    assert (
        len(alarms) == 2 * 3 + 2 + 1 + 2 + 2 + 1 + 2 * 2 + 2
    )  # functions, http, ws, table, dlqs, queue, instances, logs
    for name, alarm in alarms.items():
        # The topic ARN is known after apply: both action lists hold exactly it.
        assert alarm["after_unknown"]["alarm_actions"] in (True, [True]), name
        assert alarm["after_unknown"]["ok_actions"] in (True, [True]), name


def test_monitoring_alarm_dimensions_name_the_watched_resources(plans: PlanSession) -> None:
    alarms = _alarms(plans.case("monitoring", "full"))
    assert alarms["parley-prod-lambda-errors-ws"]["values"]["dimensions"] == {"FunctionName": "parley-prod-ws"}
    assert alarms["parley-prod-http-5xx-http"]["values"]["dimensions"] == {"ApiId": "a1b2c3d4e5"}
    assert alarms["parley-prod-queue-oldest-age-match"]["values"]["dimensions"] == {
        "QueueName": "parley-prod-match.fifo"
    }
    assert alarms["parley-prod-ec2-cpu-turn"]["values"]["dimensions"] == {"InstanceId": "i-0fedcba9876543210"}


def test_monitoring_topic_is_encrypted_with_its_own_key_and_emails_subscribe(plans: PlanSession) -> None:
    case = plans.case("monitoring", "full")
    topic = case.one("aws_sns_topic")
    assert topic["name"] == "parley-prod-alerts"
    assert case.of_type("aws_sns_topic").popitem()[1]["after_unknown"]["kms_master_key_id"] is True
    assert case.one("aws_kms_key")["enable_key_rotation"] is True
    subs = sorted(v["values"]["endpoint"] for v in case.of_type("aws_sns_topic_subscription").values())
    assert subs == ["oncall@example.com", "ops@example.com"]
    assert all(v["values"]["protocol"] == "email" for v in case.of_type("aws_sns_topic_subscription").values())


def test_monitoring_other_subscribers_subscribe_by_name(plans: PlanSession) -> None:
    subs = {
        address.split('"')[1]: (v["values"]["protocol"], v["values"]["endpoint"])
        for address, v in plans.case("monitoring", "subscriptions").of_type("aws_sns_topic_subscription").items()
    }
    assert subs == {
        "chat": ("https", "https://global.sns-api.chatbot.amazonaws.com"),
        "pager": ("https", "https://events.pagerduty.com/integration/abc123/enqueue"),
        "triage": ("sqs", "arn:aws:sqs:eu-west-1:123456789012:alert-triage"),
    }


def test_monitoring_alarms_off_when_disabled_but_topic_and_dashboard_stay(plans: PlanSession) -> None:
    case = plans.case("monitoring", "disabled")
    assert case.count("aws_cloudwatch_metric_alarm") == 0
    assert case.count("aws_sns_topic") == 1
    assert case.count("aws_cloudwatch_dashboard") == 1
    assert case.count("aws_cloudwatch_log_metric_filter") == 0


def test_monitoring_thresholds_can_be_overridden(plans: PlanSession) -> None:
    alarms = _alarms(plans.case("monitoring", "custom_thresholds"))
    assert alarms["parley-stg-lambda-errors-api"]["values"]["threshold"] == 3
    assert alarms["parley-stg-http-4xx-http"]["values"]["threshold"] == 500
    assert alarms["parley-stg-lambda-throttles-api"]["values"]["threshold"] == 5


def test_monitoring_error_metric_filters_count_error_lines_per_function(plans: PlanSession) -> None:
    filters = {
        v["values"]["log_group_name"]: v["values"]
        for v in plans.case("monitoring", "full").of_type("aws_cloudwatch_log_metric_filter").values()
    }
    assert sorted(filters) == ["/aws/lambda/parley-prod-api", "/aws/lambda/parley-prod-ws"]
    assert filters["/aws/lambda/parley-prod-api"]["pattern"] == "ERROR"
    assert filters["/aws/lambda/parley-prod-api"]["metric_transformation"][0]["name"] == "ErrorLines-api"


def _dashboard_metrics(case: ModulePlan) -> tuple[dict[str, Any], set[tuple[str, ...]]]:
    body = json.loads(case.one("aws_cloudwatch_dashboard")["dashboard_body"])
    found = set()
    for widget in body["widgets"]:
        for metric in widget["properties"].get("metrics", []):
            found.add(tuple(part for part in metric if isinstance(part, str)))
    return body, found


def test_monitoring_dashboard_is_valid_json_naming_real_metrics_of_the_watched_resources(plans: PlanSession) -> None:
    body, metrics = _dashboard_metrics(plans.case("monitoring", "full"))
    titles = {w["properties"].get("title") for w in body["widgets"]}
    expected_titles = [
        "HTTP API requests and errors", "HTTP API latency (p95, ms)", "WebSocket connections and messages",
        "Lambda invocations", "Lambda errors and throttles", "Lambda duration (p95, ms)", "DynamoDB latency (ms)",
        "DynamoDB throttles", "Queue depth", "Queue oldest message age (s)", "EC2 CPU (%)",
    ]  # fmt: skip
    for title in expected_titles:
        assert title in titles
    for expected in [
        ("AWS/ApiGateway", "Count", "ApiId", "a1b2c3d4e5"),
        ("AWS/ApiGateway", "Latency", "ApiId", "a1b2c3d4e5"),
        ("AWS/ApiGateway", "ConnectCount", "ApiId", "f6g7h8i9j0"),
        ("AWS/ApiGateway", "MessageCount", "ApiId", "f6g7h8i9j0"),
        ("AWS/Lambda", "Invocations", "FunctionName", "parley-prod-api"),
        ("AWS/Lambda", "Duration", "FunctionName", "parley-prod-ws"),
        ("AWS/DynamoDB", "SuccessfulRequestLatency", "TableName", "parley-prod-main", "Operation", "Query"),
        ("AWS/DynamoDB", "WriteThrottleEvents", "TableName", "parley-prod-main"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "parley-prod-scheduler-dlq"),
        ("AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", "parley-prod-match.fifo"),
        ("AWS/EC2", "CPUUtilization", "InstanceId", "i-0123456789abcdef0"),
    ]:
        assert expected in metrics, expected
    for widget in body["widgets"]:
        if widget["type"] == "metric":
            assert widget["properties"]["region"] == "eu-west-1"
            assert widget["properties"]["metrics"], widget["properties"]["title"]


def test_monitoring_dashboard_leaves_out_graphs_with_nothing_to_watch(plans: PlanSession) -> None:
    body, metrics = _dashboard_metrics(plans.case("monitoring", "disabled"))
    titles = {w["properties"].get("title") for w in body["widgets"]}
    assert "EC2 CPU (%)" not in titles and "Queue depth" not in titles
    assert ("AWS/Lambda", "Errors", "FunctionName", "parley-dev-api") in metrics


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("reject_empty_email", "alert_emails must be non-empty e-mail addresses"),
        ("reject_subscription_protocol", 'alert_subscriptions protocol must be "https", "lambda" or "sqs"'),
        ("reject_subscription_endpoint", "alert_subscriptions endpoint must be an https:// URL"),
        ("reject_negative_threshold", "thresholds must be whole numbers >= 0"),
        ("reject_cpu_percent", "ec2_cpu_percent must be a percentage"),
        ("reject_queue_age", "max_age_seconds must be between 60 and 1209600"),
    ],
)
def test_monitoring_rejects_bad_input(plans: PlanSession, case: str, message: str) -> None:
    assert message in plans.rejection("monitoring", case)
