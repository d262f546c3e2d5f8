"""Plan checks of modules/eventbridge."""

from __future__ import annotations

import json

from tests.plan.harness import PlanSession

REMINDERS_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:parley-dev-reminders"
POINTS_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:parley-dev-points-reset"


def _schedules(plans: PlanSession, case: str) -> dict[str, dict]:  # type: ignore[type-arg]
    found = plans.case("eventbridge", case).of_type("aws_scheduler_schedule")
    return {v["values"]["name"]: v["values"] for v in found.values()}


def test_eventbridge_schedules_are_data_in_one_group(plans: PlanSession) -> None:
    case = plans.case("eventbridge", "schedules")
    assert case.one("aws_scheduler_schedule_group")["name"] == "parley-dev-schedules"
    schedules = _schedules(plans, "schedules")
    assert set(schedules) == {"parley-dev-reminders", "parley-dev-points-reset"}
    reminders, points = schedules["parley-dev-reminders"], schedules["parley-dev-points-reset"]
    assert reminders["group_name"] == "parley-dev-schedules"
    assert (reminders["schedule_expression"], reminders["schedule_expression_timezone"]) == ("rate(5 minutes)", "UTC")
    assert reminders["state"] == "ENABLED" and points["state"] == "DISABLED"
    assert (points["schedule_expression"], points["schedule_expression_timezone"]) == (
        "cron(0 0 * * ? *)",
        "Europe/Berlin",
    )
    assert reminders["target"][0]["arn"] == REMINDERS_ARN and points["target"][0]["arn"] == POINTS_ARN
    assert json.loads(reminders["target"][0]["input"]) == {"job": "reminders"}
    assert json.loads(points["target"][0]["input"]) == {}


def test_eventbridge_flexible_time_window_is_off_by_default(plans: PlanSession) -> None:
    window = _schedules(plans, "schedules")["parley-dev-reminders"]["flexible_time_window"][0]
    assert window["mode"] == "OFF" and window.get("maximum_window_in_minutes") is None
    custom = _schedules(plans, "custom")["parley-prod-reminders"]["flexible_time_window"][0]
    assert (custom["mode"], custom["maximum_window_in_minutes"]) == ("FLEXIBLE", 10)


def test_eventbridge_retry_policy_and_dead_letter_queue(plans: PlanSession) -> None:
    case = plans.case("eventbridge", "schedules")
    queue = case.one("aws_sqs_queue")
    assert queue["name"] == "parley-dev-schedules-dlq"
    assert queue["sqs_managed_sse_enabled"] is True and queue["message_retention_seconds"] == 1209600
    target = _schedules(plans, "schedules")["parley-dev-reminders"]["target"][0]
    assert target["retry_policy"] == [{"maximum_retry_attempts": 3, "maximum_event_age_in_seconds": 3600}]
    assert len(target["dead_letter_config"]) == 1  # the queue's ARN is known after apply
    custom = _schedules(plans, "custom")["parley-prod-reminders"]["target"][0]
    assert custom["retry_policy"] == [{"maximum_retry_attempts": 5, "maximum_event_age_in_seconds": 900}]
    assert plans.case("eventbridge", "custom").one("aws_sqs_queue")["message_retention_seconds"] == 345600


def test_eventbridge_role_invokes_only_the_scheduled_functions(plans: PlanSession) -> None:
    case = plans.case("eventbridge", "schedules")
    trust = json.loads(case.one("aws_iam_role")["assume_role_policy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"]["ArnLike"]["aws:SourceArn"].endswith(":schedule-group/parley-dev-schedules")
    policies = {v["values"]["name"]: v for v in case.of_type("aws_iam_role_policy").values()}
    assert set(policies) == {"parley-dev-scheduler-invoke", "parley-dev-scheduler-dead-letter"}
    invoke = json.loads(policies["parley-dev-scheduler-invoke"]["values"]["policy"])["Statement"]
    assert [s["Action"] for s in invoke] == ["lambda:InvokeFunction"]
    assert invoke[0]["Resource"] == [POINTS_ARN, REMINDERS_ARN]  # not the unscheduled function
    assert "policy" in policies["parley-dev-scheduler-dead-letter"]["after_unknown"]  # the queue's ARN


def test_eventbridge_function_failures_go_to_the_queue_unless_disabled(plans: PlanSession) -> None:
    configs = plans.case("eventbridge", "schedules").of_type("aws_lambda_function_event_invoke_config")
    by_fn = {v["values"]["function_name"]: v for v in configs.values()}
    assert set(by_fn) == {REMINDERS_ARN, POINTS_ARN}  # not the untargeted function
    config = by_fn[REMINDERS_ARN]
    assert config["values"]["maximum_retry_attempts"] == 2
    assert config["values"]["maximum_event_age_in_seconds"] == 3600
    assert config["after_unknown"]["destination_config"][0]["on_failure"] == [{"destination": True}]
    custom = plans.case("eventbridge", "custom").of_type("aws_lambda_function_event_invoke_config")
    assert all(v["values"]["destination_config"] == [] for v in custom.values())
    assert {v["values"]["maximum_retry_attempts"] for v in custom.values()} == {1}


def test_eventbridge_rules_share_retry_and_dead_letter(plans: PlanSession) -> None:
    case = plans.case("eventbridge", "custom")
    rule = case.one("aws_cloudwatch_event_rule")
    assert rule["name"] == "parley-prod-room-created" and rule["event_bus_name"] == "default"
    assert json.loads(rule["event_pattern"]) == {"source": ["parley.app"], "detail-type": ["RoomCreated"]}
    target = case.one("aws_cloudwatch_event_target")
    assert target["arn"] == "arn:aws:lambda:eu-west-1:123456789012:function:parley-prod-audit"
    assert target["retry_policy"] == [{"maximum_retry_attempts": 5, "maximum_event_age_in_seconds": 900}]
    assert len(target["dead_letter_config"]) == 1
    permission = case.one("aws_lambda_permission")
    assert permission["principal"] == "events.amazonaws.com"
    assert case.count("aws_sqs_queue_policy") == 1  # events.amazonaws.com may dead-letter
    assert plans.case("eventbridge", "schedules").count("aws_sqs_queue_policy") == 0


def test_eventbridge_rules_only_needs_no_scheduler_role(plans: PlanSession) -> None:
    case = plans.case("eventbridge", "rules_only")
    assert case.count("aws_iam_role") == 0 and case.count("aws_scheduler_schedule") == 0
    assert case.count("aws_cloudwatch_event_target") == 1


def test_eventbridge_dead_letter_alarm_follows_the_toggle(plans: PlanSession) -> None:
    assert plans.case("eventbridge", "schedules").count("aws_cloudwatch_metric_alarm") == 0
    alarm = plans.case("eventbridge", "custom").one("aws_cloudwatch_metric_alarm")
    assert alarm["metric_name"] == "ApproximateNumberOfMessagesVisible" and alarm["threshold"] == 1
    assert alarm["alarm_actions"] == ["arn:aws:sns:eu-west-1:123456789012:parley-prod-alarms"]


def test_eventbridge_rejects_bad_input(plans: PlanSession) -> None:
    assert "schedule expressions must be rate(" in plans.rejection("eventbridge", "reject_expression")
    assert "must be a JSON object" in plans.rejection("eventbridge", "reject_input")
    retry = plans.rejection("eventbridge", "reject_retry")
    assert "0 to 185" in retry and "between 60 and 21600" in retry
    assert "non-empty JSON object" in plans.rejection("eventbridge", "reject_pattern")
    assert "alarm_actions needs at least one ARN" in plans.rejection("eventbridge", "reject_alarm_without_actions")
    assert "IANA name" in plans.rejection("eventbridge", "reject_timezone")


def test_eventbridge_rejects_a_schedule_naming_an_unknown_function(plans: PlanSession) -> None:
    rejection = plans.rejection("eventbridge", "reject_at_plan_unknown_function")
    assert "every schedule's function must be a key of functions" in rejection


def test_eventbridge_rules_only_grant_invoke_through_resource_policies(plans: PlanSession) -> None:
    case = plans.case("eventbridge", "rules_only")
    permission = case.one("aws_lambda_permission")
    assert permission["function_name"] == "arn:aws:lambda:eu-west-1:123456789012:function:parley-dev-audit"
    assert permission["action"] == "lambda:InvokeFunction" and permission["principal"] == "events.amazonaws.com"
    assert "source_arn" in next(iter(case.of_type("aws_lambda_permission").values()))["after_unknown"]
