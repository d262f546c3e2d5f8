"""envs/local on the emulator: what was deployed, the state lock, a clean re-plan, and teardown."""

from __future__ import annotations

import json

from parley.handlers import api_public
from tests.e2e.conftest import Deployed
from tools import emulator as emu
from tools import local


def test_local_stack_concurrent_apply_is_refused_by_the_state_lock(deployed: Deployed) -> None:
    assert deployed.lock_seen, "the apply never held the lock"
    assert deployed.contender.returncode != 0
    assert "Error acquiring the state lock" in deployed.contender.stderr


def test_local_stack_state_lives_in_the_emulated_backend(deployed: Deployed) -> None:
    s3 = deployed.client("s3")
    state = json.loads(s3.get_object(Bucket="parley-local-tfstate", Key="parley/local.tfstate")["Body"].read())
    assert any(r["type"] == "aws_lambda_function" for r in state["resources"])
    assert s3.get_bucket_versioning(Bucket="parley-local-tfstate")["Status"] == "Enabled"


def test_local_stack_table_matches_the_design(deployed: Deployed) -> None:
    dynamodb = deployed.client("dynamodb")
    table = dynamodb.describe_table(TableName=deployed.outputs["table_name"])["Table"]
    assert {k["AttributeName"] for k in table["KeySchema"]} == {"PK", "SK"}
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["GSI1"]
    assert table["StreamSpecification"]["StreamEnabled"] is True
    ttl = dynamodb.describe_time_to_live(TableName=deployed.outputs["table_name"])["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "TTL"


def test_local_stack_functions_run_arm64_python312_from_the_artifacts_bucket(deployed: Deployed) -> None:
    lambda_ = deployed.client("lambda")
    for name in deployed.outputs["function_names"].values():
        config = lambda_.get_function_configuration(FunctionName=name)
        assert config["Runtime"] == "python3.12" and config["Architectures"] == ["arm64"]
        assert config["Environment"]["Variables"]["TABLE_NAME"] == deployed.outputs["table_name"]
    keys = {
        o["Key"]
        for o in deployed.client("s3").list_objects_v2(Bucket=deployed.outputs["artifacts_bucket_name"])["Contents"]
    }
    assert {f"lambda/{fn}.zip" for fn in deployed.outputs["function_names"]} <= keys


def test_local_stack_health_answers_with_the_deployed_settings(deployed: Deployed, monkeypatch, lambda_context) -> None:  # type: ignore[no-untyped-def]
    from tests.unit.conftest import http_event, response_json

    with deployed.running_as(monkeypatch, deployed.outputs["function_names"]["api_public"]):
        response = api_public.handler(http_event("GET", "/health"), lambda_context)
    assert response["statusCode"] == 200 and response_json(response)["stage"] == "parley-local"


def test_local_stack_second_plan_has_no_changes(deployed: Deployed) -> None:
    assert deployed.workspace.plan() == 0
    deployed.workspace.plan_file.unlink(missing_ok=True)


def test_local_stack_down_leaves_no_process_and_no_state(deployed: Deployed) -> None:
    # Runs last in this file: tears the shared stack down and checks what is left.
    local.down(deployed.base, deployed.emulator.port, env_file=False)
    assert emu.status(deployed.emulator) == "stopped"
    assert not (deployed.base / "bootstrap" / "local.tfstate").exists()
    assert not (deployed.base / "tf" / "env-local").exists()
    assert not deployed.emulator.pid_file.exists()
