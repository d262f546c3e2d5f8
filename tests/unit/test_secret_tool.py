"""`make secret`: an app secret's value goes from stdin to Secrets Manager, never through an argument."""

from __future__ import annotations

import io
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tools import secret
from tools.tfenv import ToolError


@pytest.fixture
def secrets_manager(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-east-1")


def test_secret_tool_names_the_secret_the_stack_creates() -> None:
    # modules/stack/main.tf names it "<app>-<env>/app/<name>"; the envs declare the PlyDojo keys
    for env in ("dev", "staging", "prod"):
        for name in ("openai_api_key", "jwt_secret", "stripe_api_key"):
            assert secret.secret_id(env, name) == f"parley-{env}/app/{name}"


def test_secret_tool_sets_the_value_read_from_stdin(secrets_manager: Any, capsys: pytest.CaptureFixture[str]) -> None:
    # Given the declared, still empty slot of an applied env
    secrets_manager.create_secret(Name="parley-dev/app/jwt_secret")
    # When the value arrives on stdin
    code = secret.main(["dev", "jwt_secret"], stdin=io.StringIO("s3cret value\n"))
    # Then it is the secret's value, without the trailing newline, and not echoed
    assert code == 0
    stored = secrets_manager.get_secret_value(SecretId="parley-dev/app/jwt_secret")["SecretString"]
    assert stored == "s3cret value"
    out = capsys.readouterr()
    assert "parley-dev/app/jwt_secret set" in out.out and "s3cret" not in out.out + out.err


@pytest.mark.parametrize(
    ("case", "code", "message"),
    [
        (("dev", "maps_api_key", "v"), 1, "no app secret 'maps_api_key' (declared: jwt_secret, openai_api_key"),
        (
            ("local", "jwt_secret", "v"),
            1,
            "envs/local/terraform.tfvars declares no app secret 'jwt_secret' (declared: none)",
        ),
        (("nowhere", "jwt_secret", "v"), 1, "unknown ENV 'nowhere'"),
        (("dev", "jwt_secret", "\n"), 1, "no value on stdin"),
        (("dev", "stripe_api_key", "v"), 1, "secret parley-dev/app/stripe_api_key does not exist yet"),
        (("dev", "jwt_secret", "the-value", ""), 2, "usage: make secret ENV=<env> NAME=<app secret name>"),
        (("dev", "", ""), 2, "usage: make secret"),
    ],
)
def test_secret_tool_refuses_bad_input_in_one_line(
    secrets_manager: Any, capsys: pytest.CaptureFixture[str], case: tuple[str, ...], code: int, message: str
) -> None:
    # case: the arguments, then what arrives on stdin
    *argv, stdin = case
    assert secret.main(argv, stdin=io.StringIO(stdin)) == code
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_secret_tool_refuses_a_value_beyond_the_service_limit() -> None:
    with pytest.raises(ToolError, match="larger than Secrets Manager's 65536 bytes"):
        secret.read_value(io.StringIO("x" * 65537))
