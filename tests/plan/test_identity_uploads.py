"""Identity-pool uploads: the authenticated role's planned policy against requests for one's own prefix and another's.

The API signs uploads under users/<user pool sub>/ (lambda_src/parley/domain/files.py);
the identity pool passes that sub on as the session tag "user". The policy is
checked twice: stored in moto's IAM (which validates the document) and
evaluated by moto's policy engine once the tag is substituted as AWS does at
request time, and by tests/plan/iam.py, which also evaluates conditions.
"""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.iam.access_control import IAMPolicy, PermissionResult

from tests.plan.harness import PlanSession
from tests.plan.iam import Policy, Request

ALICE = "11111111-aaaa-4aaa-8aaa-111111111111"
BOB = "22222222-bbbb-4bbb-8bbb-222222222222"
BUCKET = "arn:aws:s3:::parley-dev-uploads"


def _planned_policy(plans: PlanSession) -> str:
    (policy,) = [
        v["values"]["policy"]
        for v in plans.case("stack", "dev").of_type("aws_iam_role_policy").values()
        if v["values"]["name"] == "parley-dev-identity-uploads"
    ]
    return str(policy)


@pytest.fixture
def stored_policy(plans: PlanSession, monkeypatch: pytest.MonkeyPatch) -> str:
    """The planned policy, put on the authenticated role in moto's IAM and read back."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_role(RoleName="parley-dev-identity-authenticated", AssumeRolePolicyDocument="{}")
        iam.put_role_policy(
            RoleName="parley-dev-identity-authenticated",
            PolicyName="parley-dev-identity-uploads",
            PolicyDocument=_planned_policy(plans),
        )
        stored = iam.get_role_policy(
            RoleName="parley-dev-identity-authenticated", PolicyName="parley-dev-identity-uploads"
        )["PolicyDocument"]
    return json.dumps(stored) if isinstance(stored, dict) else str(stored)


def _for_caller(policy: str, user: str) -> IAMPolicy:
    """The policy as AWS applies it to a session tagged user=<sub>: the variable replaced by the tag's value."""
    return IAMPolicy(re.sub(r"\$\{aws:PrincipalTag/user\}", user, policy))


@pytest.mark.parametrize("action", ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"])
def test_identity_uploads_reach_the_callers_own_prefix_only(stored_policy: str, action: str) -> None:
    alice = _for_caller(stored_policy, ALICE)
    own = f"{BUCKET}/users/{ALICE}/0b7e/avatar.png"
    other = f"{BUCKET}/users/{BOB}/0b7e/avatar.png"
    assert alice.is_action_permitted(action, own) == PermissionResult.PERMITTED
    assert alice.is_action_permitted(action, other) == PermissionResult.NEUTRAL  # no Allow: denied
    assert alice.is_action_permitted(action, f"{BUCKET}/exports/{ALICE}.csv") == PermissionResult.NEUTRAL
    assert alice.is_action_permitted(action, f"{BUCKET}/users/{ALICE}") == PermissionResult.NEUTRAL


def test_identity_uploads_policy_evaluates_the_session_tag_and_the_list_prefix(plans: PlanSession) -> None:
    policy = Policy.of(_planned_policy(plans))
    tag = {"aws:PrincipalTag/user": ALICE}

    def allows(action: str, resource: str, **context: Any) -> bool:
        return policy.allows(Request(action, resource, {**tag, **context}))

    # The same key the API signs (users/<sub>/<upload id>/<name>) is writable
    assert allows("s3:PutObject", f"{BUCKET}/users/{ALICE}/0b7e/notes.pdf")
    assert not allows("s3:PutObject", f"{BUCKET}/users/{BOB}/0b7e/notes.pdf")
    # Listing: only under one's own prefix
    assert allows("s3:ListBucket", BUCKET, **{"s3:prefix": f"users/{ALICE}/"})
    assert not allows("s3:ListBucket", BUCKET, **{"s3:prefix": f"users/{BOB}/"})
    assert not allows("s3:ListBucket", BUCKET, **{"s3:prefix": "users/"})
    # A session without the tag (a pool without the mapping) reaches nobody's prefix
    assert not policy.allows(Request("s3:PutObject", f"{BUCKET}/users/{ALICE}/0b7e/notes.pdf"))
