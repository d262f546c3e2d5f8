"""S3-native state locking (backend.hcl `use_lockfile = true`, no lock table) on the emulator.

The DynamoDB lock is proven by the shared stack's own apply (tests/e2e/conftest.py).
This one uses a tiny root with the same S3 backend, on the same emulator and
state bucket: its apply holds the lock until the test releases it, so the lock
is observed for as long as needed and no second stack is applied.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.exceptions import ClientError

from tests.e2e.conftest import Deployed
from tools.tfenv import backend_settings, terraform_binary, terraform_env

ROOT_TF = """
terraform {
  backend "s3" {}
}

variable "release_file" {
  type = string
}

# Holds the state lock (the apply is running) until the file exists.
resource "terraform_data" "hold" {
  provisioner "local-exec" {
    command = "for i in $(seq 600); do [ -e '${var.release_file}' ] && exit 0; sleep 0.1; done; exit 1"
  }
}
"""

BACKEND = """\
bucket                      = "{bucket}"
key                         = "lockfile-check/terraform.tfstate"
region                      = "us-east-1"
use_lockfile                = true # S3 lock files, no DynamoDB table
use_path_style              = true
access_key                  = "test"
secret_key                  = "test"
skip_credentials_validation = true
skip_requesting_account_id  = true
skip_metadata_api_check     = true
"""


@dataclass(frozen=True)
class Contention:
    lock_object_seen: bool
    contender: subprocess.CompletedProcess[str]
    holder_returncode: int
    holder_stderr: str
    lock_object_left: bool


def _lock_object_exists(s3: object, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)  # type: ignore[attr-defined]
    except ClientError:
        return False
    return True


def lockfile_contention(endpoint: str, base: Path, workdir: Path, state_bucket: str) -> Contention:
    """Apply the tiny root (holding its lock file), run a second plan against it, then release the apply."""
    envs = workdir / "envs"
    root = envs / "lockfile"
    root.mkdir(parents=True)
    (root / "main.tf").write_text(ROOT_TF)
    (root / "terraform.tfvars").write_text("")
    (root / "backend.hcl").write_text(BACKEND.format(bucket=state_bucket))
    settings = backend_settings("lockfile", envs)  # the tooling's reading of a table-less backend
    lock_key = f"{settings['key']}.tflock"
    release = workdir / "release"
    environ = terraform_env("lockfile-check", endpoint, base)
    environ["TF_VAR_release_file"] = str(release)
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip

    def terraform(*args: str) -> list[str]:
        return [terraform_binary(), f"-chdir={root}", *args, "-input=false", "-no-color"]

    init = subprocess.run(terraform("init", "-backend-config=backend.hcl"), env=environ,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert init.returncode == 0, init.stderr[-2000:]
    holder = subprocess.Popen(terraform("apply", "-auto-approve"), env=environ,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        seen = False
        while not seen and time.monotonic() < deadline and holder.poll() is None:
            seen = _lock_object_exists(s3, settings["bucket"], lock_key)
            time.sleep(0.05)
        contender = subprocess.run(terraform("plan", "-lock-timeout=0s"), env=environ,
                                   capture_output=True, text=True, check=False)  # fmt: skip
    finally:
        release.touch()
        _, holder_err = holder.communicate(timeout=120)
    left = _lock_object_exists(s3, settings["bucket"], lock_key)
    s3.delete_object(Bucket=settings["bucket"], Key=settings["key"])
    return Contention(seen, contender, holder.returncode, holder_err, left)


def test_state_lockfile_refuses_a_second_run_while_the_lock_file_exists(deployed: Deployed, tmp_path: Path) -> None:
    # Given an S3 backend that locks with lock files only, on the shared stack's emulator and state bucket
    bucket = backend_settings("local")["bucket"]
    outcome = lockfile_contention(deployed.endpoint, deployed.base, tmp_path, bucket)
    # Then the running apply held <key>.tflock, a second run was refused, and the lock went with the apply
    assert outcome.lock_object_seen, "the apply never wrote its lock file"
    assert outcome.contender.returncode == 1
    assert "Error acquiring the state lock" in outcome.contender.stderr
    assert outcome.holder_returncode == 0, outcome.holder_stderr[-2000:]
    assert not outcome.lock_object_left
