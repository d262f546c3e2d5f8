"""Plan checks of the monitoring and static-site wiring of modules/stack and the environments."""

from __future__ import annotations

from typing import Any

from tests.plan.harness import PlanSession, index_plan


def _alarm_names(resources: dict[str, dict[str, Any]]) -> set[str]:
    return {v["values"]["alarm_name"] for v in resources.values() if v["type"] == "aws_cloudwatch_metric_alarm"}


def test_stack_monitoring_watches_the_deployed_function_and_table(plans: PlanSession) -> None:
    case = plans.case("stack", "monitored_site")
    names = _alarm_names(case.resources)
    assert {"parley-prod-lambda-errors-api_public", "parley-prod-dynamodb-write-throttles-main"} <= names
    assert {"parley-prod-lambda-errors-ws", "parley-prod-websocket-integration-errors-ws"} <= names
    assert "parley-prod-log-errors-api_public" in names
    filters = {v["values"]["log_group_name"] for v in case.of_type("aws_cloudwatch_log_metric_filter").values()}
    assert "/aws/lambda/parley-prod-api-public" in filters and "/aws/lambda/parley-prod-ws" in filters
    assert case.within("monitoring").one("aws_sns_topic_subscription")["endpoint"] == "oncall@example.com"


def test_stack_monitoring_is_off_by_default_but_topic_and_dashboard_exist(plans: PlanSession) -> None:
    case = plans.case("stack", "dev")
    assert case.count("aws_cloudwatch_metric_alarm") == 0
    assert case.within("monitoring").one("aws_sns_topic")["name"] == "parley-dev-alerts"
    assert case.one("aws_cloudwatch_dashboard")["dashboard_name"] == "parley-dev"


def test_stack_site_is_optional_and_wired_with_domain_and_logs(plans: PlanSession) -> None:
    assert plans.case("stack", "dev").count("aws_cloudfront_distribution") == 0
    case = plans.case("stack", "monitored_site")
    dist = case.one("aws_cloudfront_distribution")
    assert dist["aliases"] == ["app.example.com"]
    assert len(dist["logging_config"]) == 1
    assert case.count("aws_cloudfront_response_headers_policy") == 1


def test_stack_site_on_the_emulator_has_no_headers_policy(plans: PlanSession) -> None:
    case = plans.case("stack", "emulator_site")
    assert case.count("aws_cloudfront_distribution") == 1
    assert case.count("aws_cloudfront_response_headers_policy") == 0
    buckets = {v["values"]["bucket"] for v in case.of_type("aws_s3_bucket").values()}
    assert "parley-local-site" in buckets


def _env(plans: PlanSession, env: str) -> dict[str, dict[str, Any]]:
    return index_plan(plans.envs[env])


def test_envs_alarms_on_in_prod_only(plans: PlanSession) -> None:
    assert _alarm_names(_env(plans, "prod"))
    assert not _alarm_names(_env(plans, "dev"))
    assert not _alarm_names(_env(plans, "local"))
    for env in ("local", "dev", "prod"):
        topics = [v["values"]["name"] for v in _env(plans, env).values() if v["type"] == "aws_sns_topic"]
        assert f"parley-{env}-alerts" in topics


def test_envs_site_everywhere_with_the_headers_policy_only_on_aws(plans: PlanSession) -> None:
    for env, headers in (("dev", 1), ("prod", 1), ("local", 0)):
        resources = _env(plans, env).values()
        assert len([v for v in resources if v["type"] == "aws_cloudfront_distribution"]) == 1, env
        policies = [v for v in resources if v["type"] == "aws_cloudfront_response_headers_policy"]
        assert len(policies) == headers, env  # the emulator has no response headers policies
    outputs = plans.envs["prod"]["planned_values"]["outputs"]
    assert {"site_url", "site_bucket_name", "site_distribution_id", "alert_topic_arn", "dashboard_name"} <= set(outputs)


def test_stack_monitoring_refuses_alarms_with_nobody_to_alert(plans: PlanSession) -> None:
    assert "monitoring.alarms_enabled needs someone to alert" in plans.rejection(
        "stack", "reject_alarms_without_recipients"
    )
    # With an address (or a subscription) the same alarms plan
    case = plans.case("stack", "monitored_site")
    assert case.count("aws_cloudwatch_metric_alarm") > 0
    alerts = [v["values"] for a, v in case.of_type("aws_sns_topic_subscription").items() if ".module.monitoring." in a]
    assert [(s["protocol"], s["endpoint"]) for s in alerts] == [("email", "oncall@example.com")]
