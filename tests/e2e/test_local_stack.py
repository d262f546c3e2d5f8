"""envs/local on the emulator: what was deployed, the state lock, a clean re-plan, and teardown."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import Deployed
from tools import background, local, tfout
from tools import emulator as emu
from tools.runtime import daemon


def test_local_stack_concurrent_apply_is_refused_by_the_state_lock(deployed: Deployed) -> None:
    assert deployed.lock_seen, "the apply never held the lock"
    assert deployed.contender.returncode != 0
    assert "Error acquiring the state lock" in deployed.contender.stderr
    # The S3 backend's lock (a DynamoDB item) is explained like any other: who, since when, how to release it
    fix = tfout.hint(deployed.contender.stderr, env="local")
    assert fix and re.search(r"^the state is locked by \S+@\S+ since \d{4}-\d\d-\d\d .* \(apply\)", fix), fix
    assert re.search(r"'make unlock ENV=local LOCK_ID=[0-9a-f-]{36}' releases the lock$", fix), fix


def test_local_stack_outputs_give_each_value_under_one_output(deployed: Deployed) -> None:
    # 'make outputs' lists every output: a function name appears once (function_names), not again in a subset
    holders: dict[str, set[str]] = {}
    for name, value in deployed.outputs.items():
        for item in value.values() if isinstance(value, dict) else [value]:
            if isinstance(item, str):
                holders.setdefault(item, set()).add(name)
    assert {value: names for value, names in holders.items() if len(names) > 1} == {}
    assert len(deployed.outputs["function_names"]) >= 10


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


def test_local_stack_second_up_skips_the_bootstrap_only_while_the_backend_is_there(
    deployed: Deployed, tmp_path: Path
) -> None:
    assert local.backend_ready(deployed.emulator, deployed.base)
    # Another run-time folder has no bootstrap state; an emulator elsewhere has no bucket.
    assert not local.backend_ready(deployed.emulator, tmp_path)
    elsewhere = emu.Emulator(deployed.base, emu.free_port())
    assert not local.backend_ready(elsewhere, deployed.base)


def test_local_stack_up_again_plans_no_change_then_runs_no_terraform_until_an_input_changes(
    deployed: Deployed, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def terraform_ran(*_: object) -> None:
        raise AssertionError("terraform ran")

    def up() -> None:
        local.up(deployed.base, deployed.emulator.port, env_file=False, gateway_port=deployed.runtime.port)

    # Given the applied stack brought up again (keeping the shared runtime as it was started): its plan has no
    # changes, so nothing is applied
    monkeypatch.setattr(local, "local_runtime", lambda *_: deployed.runtime)
    monkeypatch.setattr(local.Workspace, "apply", terraform_ran)
    up()
    assert not deployed.workspace.plan_file.exists()
    # When it is brought up once more with nothing changed
    monkeypatch.setattr(local.Workspace, "init", terraform_ran)
    monkeypatch.setattr(local.Workspace, "plan", terraform_ran)
    capsys.readouterr()
    up()
    # Then no terraform runs, and the summary still gives the stack's URLs
    out = capsys.readouterr().out
    assert "local: nothing changed since the last apply on this emulator, no plan needed" in out
    assert deployed.runtime.endpoint in out
    # And any changed input (here a TF_VAR_ setting) plans again
    monkeypatch.setenv("TF_VAR_parley_test_marker", "1")
    with pytest.raises(AssertionError, match="terraform ran"):
        up()


@pytest.mark.teardown
def test_local_stack_down_leaves_no_process_and_no_state(deployed: Deployed) -> None:
    # Runs last (conftest orders it): tears the shared stack down and checks what is left.
    runtime_pid = background.our_pid(deployed.runtime.process)
    assert runtime_pid is not None
    workers = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(p) == runtime_pid]
    assert workers, "the runtime ran its functions in worker processes"
    local.down(deployed.base, deployed.emulator.port, env_file=False, gateway_port=deployed.runtime.port)
    assert emu.status(deployed.emulator) == "stopped" and daemon.status(deployed.runtime) == "stopped"
    for pid in [runtime_pid, *(int(p.name) for p in workers)]:
        assert not Path(f"/proc/{pid}").exists() or "Z" in _state(pid), pid
    assert not (deployed.base / "bootstrap" / "local.tfstate").exists()
    assert not (deployed.base / "tf" / "env-local").exists()
    assert not deployed.emulator.pid_file.exists() and not deployed.runtime.process.pid_file.exists()


def _parent(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "gone"
