"""Plan checks of the stack's scheduling wiring (modules/stack/schedules.tf)."""

from __future__ import annotations

import json
from typing import Any

from parley.handlers.points_reset import PointsResetSettings
from parley.handlers.reminders import RemindersSettings
from tests.plan.harness import PlanSession, index_plan


def _by(case_resources: dict[str, dict[str, Any]], resource_type: str, key: str) -> dict[str, dict[str, Any]]:
    return {v["values"][key]: v for v in case_resources.values() if v["type"] == resource_type}


def test_stack_schedules_defaults_every_five_minutes_and_daily_at_midnight_utc(plans: PlanSession) -> None:
    case = plans.case("stack", "dev")
    schedules = _by(case.resources, "aws_scheduler_schedule", "name")
    reminders, points = schedules["parley-dev-reminders"]["values"], schedules["parley-dev-points-reset"]["values"]
    assert reminders["schedule_expression"] == "rate(5 minutes)" and reminders["state"] == "ENABLED"
    assert (points["schedule_expression"], points["schedule_expression_timezone"]) == ("cron(0 0 * * ? *)", "UTC")
    assert reminders["group_name"] == "parley-dev-schedules"
    assert case.count("aws_cloudwatch_metric_alarm") == 0
    # The reminders run is told where it came from, with Scheduler's scheduled-time context attribute.
    assert json.loads(reminders["target"][0]["input"]) == {
        "source": "parley.schedules",
        "schedule": "parley-dev-reminders",
        "scheduled_time": "<aws.scheduler.scheduled-time>",
    }
    # Scheduler replaces the attribute as written: literal angle brackets, not jsonencode's \u003c escapes.
    assert '"<aws.scheduler.scheduled-time>"' in reminders["target"][0]["input"]


def test_stack_schedules_reminders_function_gets_shards_endpoint_and_scoped_rights(plans: PlanSession) -> None:
    case = plans.case("stack", "schedules_defaults")
    functions = _by(case.resources, "aws_lambda_function", "function_name")
    fn = functions["parley-dev-reminders"]["values"]
    env = fn["environment"][0]["variables"]
    assert env["REMINDER_SHARD_COUNT"] == "4" and env["REMINDER_MAX_ATTEMPTS"] == "3"
    assert env["WS_MANAGEMENT_ENDPOINT"] and env["PUSH_ENDPOINT"] == "https://exp.host/--/api/v2/push/send"
    assert env["REMINDER_CLAIM_LEASE_SECONDS"] == str(fn["timeout"] + 60)
    assert env["REMINDER_EMAIL_FROM"] == ""
    policies = _by(case.resources, "aws_iam_role_policy", "name")
    assert "policy" in policies["parley-dev-reminders-policy"]["after_unknown"]  # names the table and queue ARNs
    points_env = functions["parley-dev-points-reset"]["values"]["environment"][0]["variables"]
    assert (points_env["POINTS_TIMEZONE"], points_env["POINTS_LOOKBACK_DAYS"]) == ("UTC", "7")


def test_stack_schedules_inputs_reach_schedules_functions_and_retry(plans: PlanSession) -> None:
    case = plans.case("stack", "schedules")
    schedules = _by(case.resources, "aws_scheduler_schedule", "name")
    points = schedules["parley-dev-points-reset"]["values"]
    assert (points["schedule_expression"], points["schedule_expression_timezone"]) == (
        "cron(0 3 * * ? *)",
        "Europe/Berlin",
    )
    assert points["target"][0]["retry_policy"][0]["maximum_retry_attempts"] == 2
    functions = _by(case.resources, "aws_lambda_function", "function_name")
    reminders = functions["parley-dev-reminders"]["values"]
    env = reminders["environment"][0]["variables"]
    assert (env["REMINDER_SHARD_COUNT"], env["REMINDER_MAX_ATTEMPTS"], env["PUSH_ENDPOINT"]) == (
        "8",
        "5",
        "https://push.example.com/send",
    )
    assert (reminders["timeout"], env["REMINDER_CLAIM_LEASE_SECONDS"]) == (60, "120")
    assert (
        functions["parley-dev-points-reset"]["values"]["environment"][0]["variables"]["POINTS_TIMEZONE"]
        == "Europe/Berlin"
    )
    assert case.one("aws_cloudwatch_metric_alarm")["alarm_actions"] == [
        "arn:aws:sns:eu-west-1:123456789012:parley-dev-alarms"
    ]


def test_stack_schedules_rejects_bad_shard_count_and_plain_http_push(plans: PlanSession) -> None:
    assert "shard_count must be a whole number from 1 to 64" in plans.rejection("stack", "reject_reminder_shards")
    assert "push_endpoint must be an https:// URL" in plans.rejection("stack", "reject_push_endpoint")


def test_stack_schedules_every_env_deploys_both_schedules_and_a_dead_letter_queue(plans: PlanSession) -> None:
    for env in ("local", "dev", "prod"):
        resources = index_plan(plans.envs[env])
        names = {v["values"]["name"] for v in resources.values() if v["type"] == "aws_scheduler_schedule"}
        assert names == {f"parley-{env}-reminders", f"parley-{env}-points-reset"}
        queues = {v["values"]["name"] for v in resources.values() if v["type"] == "aws_sqs_queue"}
        assert f"parley-{env}-schedules-dlq" in queues
        configs = [v for v in resources.values() if v["type"] == "aws_lambda_function_event_invoke_config"]
        assert len(configs) == 2


def test_stack_schedules_functions_get_every_setting_their_handlers_read(plans: PlanSession) -> None:
    functions = _by(plans.case("stack", "schedules_defaults").resources, "aws_lambda_function", "function_name")
    for name, settings in (
        ("parley-dev-reminders", RemindersSettings),
        ("parley-dev-points-reset", PointsResetSettings),
    ):
        env = set(functions[name]["values"]["environment"][0]["variables"])
        names = settings.env_names()
        assert {n for n, required in names.items() if required} <= env, name
        assert env - {"POWERTOOLS_SERVICE_NAME"} <= set(names), f"{name} sets settings nothing reads"
