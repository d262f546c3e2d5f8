"""Each feature on the emulator: what `make up` deployed (the flows through the runtime are in the other files)."""

from __future__ import annotations

import json

from tests.e2e.conftest import Deployed

# Sign-in ---------------------------------------------------------------------------------------


def test_features_user_pool_client_and_triggers_are_deployed(deployed: Deployed) -> None:
    idp = deployed.client("cognito-idp")
    pool = idp.describe_user_pool(UserPoolId=deployed.outputs["user_pool_id"])["UserPool"]
    assert pool["UsernameAttributes"] == ["email"] and pool["AutoVerifiedAttributes"] == ["email"]
    triggers = pool["LambdaConfig"]
    names = deployed.outputs["function_names"]
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
