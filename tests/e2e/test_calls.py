"""Calls on the emulator: the matchmaking transport, the media servers, secrets kept out of state, and the flow."""

from __future__ import annotations

import json
from typing import Any

import jwt

from parley.domain import keys
from tests.e2e.conftest import Deployed


def _receive(deployed: Deployed, queue_url: str, attempts: int = 5) -> list[dict[str, Any]]:
    sqs = deployed.client("sqs")
    for _ in range(attempts):
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]).get(
            "Messages"
        )
        if messages:
            return list(messages)
    return []


def test_calls_sns_fifo_delivers_raw_to_the_sqs_fifo_queue(deployed: Deployed) -> None:
    calls = deployed.outputs["calls"]
    body = json.dumps({"ticket_id": "e2e-t1", "user_id": "e2e-u1", "pool": "default"})
    deployed.client("sns").publish(
        TopicArn=calls["topic_arn"], Message=body, MessageGroupId="default", MessageDeduplicationId="e2e-t1"
    )
    messages = _receive(deployed, calls["queue_url"])
    assert [m["Body"] for m in messages] == [body]  # raw: no SNS envelope
    assert messages[0]["Attributes"]["MessageGroupId"] == "default"
    for message in messages:
        deployed.client("sqs").delete_message(QueueUrl=calls["queue_url"], ReceiptHandle=message["ReceiptHandle"])


def test_calls_queue_redrives_to_a_fifo_dlq_and_the_worker_is_mapped(deployed: Deployed) -> None:
    calls = deployed.outputs["calls"]
    sqs = deployed.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=calls["queue_url"], AttributeNames=["All"])["Attributes"]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"].endswith("-match-dlq.fifo") and int(redrive["maxReceiveCount"]) == 5
    policy = json.loads(attributes["Policy"])
    assert policy["Statement"][0]["Condition"]["ArnEquals"]["aws:SourceArn"] == calls["topic_arn"]
    mappings = deployed.client("lambda").list_event_source_mappings(
        FunctionName=deployed.outputs["calls_function_names"]["match"]
    )
    assert [m["FunctionResponseTypes"] for m in mappings["EventSourceMappings"]] == [["ReportBatchItemFailures"]]


def test_calls_media_servers_instances_eips_and_security_groups_exist(deployed: Deployed) -> None:
    ec2 = deployed.client("ec2")
    for server in ("livekit", "turn"):
        name = f"parley-local-{server}"
        reservations = ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": [name]}])["Reservations"]
        instances = [i for r in reservations for i in r["Instances"] if i["State"]["Name"] != "terminated"]
        assert len(instances) == 1, name
        versions = ec2.describe_launch_template_versions(LaunchTemplateName=name)["LaunchTemplateVersions"]
        assert versions[-1]["LaunchTemplateData"]["MetadataOptions"]["HttpTokens"] == "required"
        addresses = ec2.describe_addresses(Filters=[{"Name": "tag:Name", "Values": [f"{name}-eip"]}])["Addresses"]
        assert len(addresses) == 1
        (group,) = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [name]}])["SecurityGroups"]
        ports = {(p["IpProtocol"], p["FromPort"], p["ToPort"]) for p in group["IpPermissions"]}
        assert all(not (lo <= 22 <= hi) for _, lo, hi in ports)
    turn = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["parley-local-turn"]}])
    turn_ports = {(p["IpProtocol"], p["FromPort"], p["ToPort"]) for p in turn["SecurityGroups"][0]["IpPermissions"]}
    assert turn_ports == {("udp", 3478, 3478), ("tcp", 3478, 3478), ("tcp", 5349, 5349), ("udp", 49152, 65535)}


def test_calls_secret_values_never_enter_the_state(deployed: Deployed) -> None:
    calls = deployed.outputs["calls"]
    manager = deployed.client("secretsmanager")
    livekit = json.loads(manager.get_secret_value(SecretId=calls["livekit_secret_arn"])["SecretString"])
    turn = manager.get_secret_value(SecretId=calls["turn_secret_arn"])["SecretString"]
    assert len(livekit["api_secret"]) == 48 and len(turn) == 48
    state = deployed.client("s3").get_object(Bucket="parley-local-tfstate", Key="parley/local.tfstate")["Body"].read()
    for value in (livekit["api_key"], livekit["api_secret"], turn):
        assert value.encode() not in state


def test_calls_flow_join_match_token_turn_with_the_deployed_names(
    deployed: Deployed, monkeypatch, lambda_context
) -> None:  # type: ignore[no-untyped-def]
    from parley.handlers import call_token, match
    from tests.unit.conftest import http_event, response_json

    names = deployed.outputs["calls_function_names"]
    livekit_secret_arn = deployed.function_environment(names["call_token"])["LIVEKIT_SECRET_ARN"]
    with deployed.running_as(monkeypatch, names["match"], names["call_token"]) as table:
        monkeypatch.setenv("WS_MANAGEMENT_ENDPOINT", "")  # nobody is connected
        for user in ("e2e-a", "e2e-b"):
            table.put_item(Item={"PK": keys.user(user), "SK": keys.PROFILE, "email": f"{user}@example.com"})
            joined = match.handler(http_event("POST", "/match/join", {}, sub=user), lambda_context)
            assert joined["statusCode"] == 202, joined
        # The worker drains what the topic delivered, as Lambda would
        messages = _receive(deployed, deployed.outputs["calls"]["queue_url"])
        assert len(messages) == 2
        records = [
            {"messageId": m["MessageId"], "body": m["Body"], "attributes": m["Attributes"], "eventSource": "aws:sqs"}
            for m in messages
        ]
        assert match.handler({"Records": records}, lambda_context) == {"batchItemFailures": []}
        status = response_json(match.handler(http_event("GET", "/match/status", sub="e2e-a"), lambda_context))
        assert status["status"] == "matched" and status["peer_id"] == "e2e-b"
        event = http_event("POST", f"/calls/{status['session_id']}/token", sub="e2e-a")
        event["pathParameters"] = {"sessionId": status["session_id"]}
        token = response_json(call_token.handler(event, lambda_context))
        livekit = json.loads(deployed.client("secretsmanager").get_secret_value(
            SecretId=livekit_secret_arn)["SecretString"])  # fmt: skip
        claims = jwt.decode(token["livekit"]["token"], livekit["api_secret"], algorithms=["HS256"])
        assert claims["video"]["room"] == status["session_id"] and claims["sub"] == "e2e-a"
        assert token["turn"]["username"].endswith(":e2e-a")
        assert token["ice_servers"][1]["urls"][0].startswith("turn:")
