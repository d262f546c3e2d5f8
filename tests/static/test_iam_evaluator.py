"""The IAM evaluator the plan tests judge the deploy role and the boundary with (tests/plan/iam.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.plan.iam import Policy, Request


def _policy(*statements: dict[str, Any]) -> Policy:
    return Policy.of({"Version": "2012-10-17", "Statement": list(statements)})


ALLOW_TABLES = {"Sid": "A", "Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:*:*:table/p-*"}


def test_iam_evaluator_matches_actions_without_case_and_resources_with_it() -> None:
    policy = _policy(ALLOW_TABLES)
    assert policy.allows(Request("DynamoDB:PutItem", "arn:aws:dynamodb:us-east-1:1:table/p-main"))
    assert not policy.allows(Request("dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:1:table/P-main"))
    assert not policy.allows(Request("s3:GetObject", "arn:aws:dynamodb:us-east-1:1:table/p-main"))
    assert not policy.allows(Request("dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:1:table/q-main"))


def test_iam_evaluator_lets_a_deny_win() -> None:
    deny = {"Sid": "D", "Effect": "Deny", "Action": "dynamodb:DeleteTable", "Resource": "*"}
    policy = _policy(ALLOW_TABLES, deny)
    request = Request("dynamodb:DeleteTable", "arn:aws:dynamodb:us-east-1:1:table/p-main")
    assert policy.allowing(request) == ["A"] and policy.denying(request) == ["D"]
    assert not policy.allows(request)


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        ({"StringEquals": {"aws:ResourceTag/Env": "dev"}}, {"aws:ResourceTag/Env": "dev"}, True),
        ({"StringEquals": {"aws:ResourceTag/Env": "dev"}}, {"aws:ResourceTag/Env": "prod"}, False),
        ({"StringEquals": {"aws:ResourceTag/Env": "dev"}}, {}, False),
        ({"StringNotEquals": {"aws:ResourceTag/Env": "dev"}}, {}, True),
        ({"StringNotEquals": {"aws:ResourceTag/Env": "dev"}}, {"aws:ResourceTag/Env": "dev"}, False),
        ({"Null": {"aws:ResourceTag/Env": "true"}}, {}, True),
        ({"Null": {"aws:ResourceTag/Env": "false"}}, {}, False),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["App", "Env"]}}, {"aws:TagKeys": ["App"]}, True),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["App", "Env"]}}, {"aws:TagKeys": ["App", "X"]}, False),
        ({"ForAllValues:StringEquals": {"aws:TagKeys": ["App"]}}, {}, True),
        ({"ForAnyValue:StringLike": {"kms:ResourceAliases": "alias/p-*"}}, {"kms:ResourceAliases": ["alias/q"]}, False),
        ({"StringEqualsIfExists": {"aws:RequestTag/Env": "dev"}}, {}, True),
        ({"ArnLike": {"lambda:FunctionArn": "arn:aws:lambda:*:*:function:p-*"}},
         {"lambda:FunctionArn": "arn:aws:lambda:us-east-1:1:function:p-api"}, True),
        ({"StringEquals": {"iam:PermissionsBoundary": "arn:aws:iam::${aws:PrincipalAccount}:policy/b"}},
         {"aws:PrincipalAccount": "1", "iam:PermissionsBoundary": "arn:aws:iam::1:policy/b"}, True),
        ({"StringEquals": {"iam:PermissionsBoundary": "arn:aws:iam::${aws:PrincipalAccount}:policy/b"}},
         {"aws:PrincipalAccount": "1", "iam:PermissionsBoundary": "arn:aws:iam::2:policy/b"}, False),
    ],
)  # fmt: skip
def test_iam_evaluator_conditions(condition: dict[str, Any], context: dict[str, Any], expected: bool) -> None:
    policy = _policy({**ALLOW_TABLES, "Resource": "*", "Condition": condition})
    assert policy.allows(Request("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:1:table/x", context)) is expected


def test_iam_evaluator_requires_every_condition_of_a_statement() -> None:
    condition = {"StringEquals": {"aws:ResourceTag/App": "p", "aws:ResourceTag/Env": "dev"}}
    policy = _policy({**ALLOW_TABLES, "Resource": "*", "Condition": condition})
    both = {"aws:ResourceTag/App": "p", "aws:ResourceTag/Env": "dev"}
    assert policy.allows(Request("dynamodb:GetItem", "x", both))
    assert not policy.allows(Request("dynamodb:GetItem", "x", {"aws:ResourceTag/App": "p"}))


def test_iam_evaluator_refuses_operators_it_does_not_model() -> None:
    policy = _policy({**ALLOW_TABLES, "Resource": "*", "Condition": {"NumericLessThan": {"s3:max-keys": "10"}}})
    with pytest.raises(ValueError, match="not modelled"):
        policy.allows(Request("dynamodb:GetItem", "x", {"s3:max-keys": "5"}))
