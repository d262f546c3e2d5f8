"""Calls on the emulator: the matchmaking transport, the media servers and secrets kept out of state
(the flow through the runtime is in test_matchmaking.py)."""

from __future__ import annotations

import json

from tests.e2e.conftest import Deployed


def test_calls_queue_redrives_to_a_fifo_dlq_and_the_worker_is_mapped(deployed: Deployed) -> None:
    calls = deployed.outputs["calls"]
    sqs = deployed.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=calls["queue_url"], AttributeNames=["All"])["Attributes"]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"].endswith("-match-dlq.fifo") and int(redrive["maxReceiveCount"]) == 5
    policy = json.loads(attributes["Policy"])
    assert policy["Statement"][0]["Condition"]["ArnEquals"]["aws:SourceArn"] == calls["topic_arn"]
    mappings = deployed.client("lambda").list_event_source_mappings(
        FunctionName=deployed.outputs["function_names"]["match"]
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
