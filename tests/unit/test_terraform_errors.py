"""Terraform's real error output (captured once into fixtures/terraform/) comes out readable, with a fix."""

from __future__ import annotations

import io
import re

import pytest

from tests.conftest import ROOT
from tools import tfout

FIXTURES = ROOT / "tests" / "unit" / "fixtures" / "terraform"
EMULATOR = "http://127.0.0.1:4735"


def _captured(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_terraform_errors_are_read_without_colour_codes_or_boxes() -> None:
    # Given the same failure printed with colour and boxes, and with -no-color
    coloured = _captured("provider_registry_unreachable_color.txt")
    plain = _captured("provider_registry_unreachable.txt")
    assert "\x1b[" in coloured and "│" in coloured  # the fixture really is terraform's coloured output
    # When their errors are extracted, Then both give the one error, summary and detail, with no escape codes
    expected = tfout.Diagnostic(
        "Error",
        "Failed to query available provider packages",
        "Could not retrieve the list of available versions for provider hashicorp/aws: could not connect to "
        'registry.terraform.io: failed to request discovery document: Get "https://registry.terraform.io/'
        '.well-known/terraform.json": dial tcp: lookup registry.terraform.io on 10.255.255.53:53: no such host',
    )
    assert tfout.errors(coloured) == [expected]
    assert tfout.errors(plain) == [expected]


def test_terraform_errors_skip_warnings_and_the_source_context() -> None:
    lock = tfout.diagnostics(_captured("state_lock.txt"))
    assert [(d.severity, d.summary) for d in lock] == [
        ("Warning", "Unable to open CLI configuration file"),
        ("Error", "Error acquiring the state lock"),
    ]
    credentials = tfout.errors(_captured("credentials_none.txt"))
    assert [e.summary for e in credentials] == [
        "No valid credential sources found",
        "failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, "
        'access disabled to EC2 IMDS via client option, or "AWS_EC2_METADATA_DISABLED" environment variable',
    ]
    # "with provider[...]", "on main.tf line 9" and the quoted source line are not part of the detail
    assert credentials[0].detail == (
        "Please see https://registry.terraform.io/providers/hashicorp/aws for more information about providing "
        "credentials."
    )


def test_terraform_errors_leave_out_the_values_of_the_failing_expression() -> None:
    # A validation rule's error quotes the variable's value under a "├────" rule before its own message
    assert tfout.error_text(_captured("variable_validation.txt")) == (
        "Invalid value for variable: No manifest.json in artifacts_dir: run 'make build' first."
    )


def test_terraform_failure_names_the_mirror_or_the_registry_when_the_provider_cannot_be_had() -> None:
    unreachable = tfout.failure("terraform init in envs/local", _captured("provider_registry_unreachable_color.txt"))
    assert unreachable.splitlines()[0].startswith(
        "terraform init in envs/local failed: Failed to query available provider packages: Could not retrieve"
    )
    assert unreachable.splitlines()[-1] == (
        "  fix: terraform cannot download the hashicorp/aws provider: set TF_PROVIDER_MIRROR to a provider mirror "
        "(a folder holding registry.terraform.io) or allow access to registry.terraform.io; 'make doctor' checks it"
    )
    missing = tfout.failure("terraform init", _captured("provider_not_in_mirror.txt"), mirror="/srv/mirror")
    assert "the provider is missing from TF_PROVIDER_MIRROR=/srv/mirror" in missing.splitlines()[-1]


def test_terraform_failure_says_who_holds_the_state_lock_since_when_and_how_to_unlock() -> None:
    message = tfout.failure("terraform apply in envs/local", _captured("state_lock.txt"), env="local")
    assert message.splitlines()[0].startswith(
        "terraform apply in envs/local failed: Error acquiring the state lock: "
        "Error message: resource temporarily unavailable Lock Info: ID: 2c54aeb2-ad41-bba4-e93b-08dd8ff1a121"
    )
    assert message.splitlines()[-1] == (
        "  fix: the state is locked by root@vm since 2026-11-30 14:39:24.205422972 +0000 UTC (apply): wait for that "
        "run to finish; if none is running any more, "
        "'make unlock ENV=local LOCK_ID=2c54aeb2-ad41-bba4-e93b-08dd8ff1a121' releases the lock"
    )
    # Outside an environment (bootstrap's local state) there is nothing to unlock by hand
    assert tfout.hint(_captured("state_lock.txt")) == (
        "the state is locked by root@vm since 2026-11-30 14:39:24.205422972 +0000 UTC (apply): wait for that run "
        "to finish"
    )


@pytest.mark.parametrize(
    ("fixture", "fix"),
    [
        (
            "emulator_port_taken.txt",
            "another program answers on port 4735, not the emulator: stop it, or set PARLEY_EMULATOR_PORT to a free "
            "port ('make doctor' lists the ports)",
        ),
        (
            "emulator_not_answering.txt",
            "nothing answers at http://127.0.0.1:4735: the emulator has stopped; run 'make up' again "
            "('make doctor' checks)",
        ),
    ],
)
def test_terraform_failure_explains_an_emulator_port_that_is_taken_or_dead(fixture: str, fix: str) -> None:
    text = _captured(fixture)
    assert tfout.hint(text, emulator=EMULATOR) == fix
    # Against a real account the same words are no emulator problem
    assert tfout.hint(text) is None
    assert "Failed to get existing workspaces" in tfout.failure("terraform init", text, emulator=EMULATOR)


def test_terraform_failure_says_how_to_give_credentials_for_dev_or_prod() -> None:
    profile = tfout.hint(_captured("credentials_profile_missing.txt"), env="dev")
    assert profile == f"AWS_PROFILE=nowhere is not in ~/.aws/config for ENV=dev: {tfout.CREDENTIALS_FIX}"
    none = tfout.hint(_captured("credentials_none.txt"), env="prod")
    assert none == f"no AWS credentials found for ENV=prod: {tfout.CREDENTIALS_FIX}"


def test_terraform_failure_without_error_lines_keeps_the_last_line_and_the_log() -> None:
    message = tfout.failure("terraform plan in envs/dev", "\x1b[0mpanic: boom\n\n", log=".parley/logs/dev-plan.log")
    assert message == "terraform plan in envs/dev failed: panic: boom\n  full log: .parley/logs/dev-plan.log"
    assert tfout.error_text("") == "no error output"


def test_terraform_no_color_is_added_unless_a_terminal_shows_the_output() -> None:
    assert tfout.no_color(["apply", "-input=false", "x.tfplan"], terminal=False) == [
        "apply", "-no-color", "-input=false", "x.tfplan",
    ]  # fmt: skip
    assert tfout.no_color(["apply", "x.tfplan"], terminal=True) == ["apply", "x.tfplan"]
    assert tfout.no_color(["force-unlock", "-force", "id"], terminal=False) == ["force-unlock", "-force", "id"]


# Progress ---------------------------------------------------------------------------------------------------

DESTROY_STREAM = [
    "aws_sqs_queue.a: Refreshing state... [id=a]\n",
    "Plan: 0 to add, 0 to change, 3 to destroy.\n",
    "aws_sqs_queue.a: Destroying... [id=a]\n",
    "aws_sqs_queue.a: Destruction complete after 1s\n",
    "aws_sqs_queue.b: Destruction complete after 2s\n",
    "aws_sqs_queue.c: Still destroying... [10s elapsed]\n",
    "aws_sqs_queue.c: Destruction complete after 12s\n",
    "Destroy complete! Resources: 3 destroyed.\n",
]


def test_progress_on_a_terminal_rewrites_one_line_with_the_planned_count() -> None:
    out = io.StringIO()
    progress = tfout.Progress("local: destroying", None, out, terminal=True)
    for line in DESTROY_STREAM:
        progress.feed(line)
    progress.finish()
    assert out.getvalue() == (
        "\rparley: local: destroying 1/3 resources\rparley: local: destroying 2/3 resources"
        "\rparley: local: destroying 3/3 resources\rparley: local: destroying 3/3 resources\n"
    )


def test_progress_in_a_log_prints_occasional_plain_lines() -> None:
    # Given a clock that moves 10 s per line read, and a line at most every 15 s
    ticks = iter(range(0, 1000, 10))
    out = io.StringIO()
    progress = tfout.Progress("local: applying", 5, out, terminal=False, clock=lambda: next(ticks))
    for n in range(5):
        progress.feed(f"aws_sqs_queue.q{n}: Creation complete after 1s [id=q{n}]\n")
    progress.finish()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert lines == [
        "parley: local: applying 2/5 resources",
        "parley: local: applying 4/5 resources",
        "parley: local: applying 5/5 resources",
    ]


def test_planned_counts_every_change_of_the_plan_line() -> None:
    assert tfout.planned("...\nPlan: 203 to add, 1 to change, 2 to destroy.\n") == 206
    assert tfout.planned("No changes. Your infrastructure matches the configuration.") == 0
    assert tfout.planned("Refreshing state...") is None
    assert re.fullmatch(r"parley: x 0/\? resources", tfout.Progress("x", None, io.StringIO(), terminal=True).text())
