"""make seed: development data, written once."""

from __future__ import annotations

from typing import Any

import pytest

from parley.adapters import aws
from tools import seed
from tools.tfenv import ToolError


def count(table: Any) -> int:
    return len(table.scan()["Items"])  # test-only: the app never scans


def test_seed_writes_user_rooms_messages_and_a_reminder_once(table: Any) -> None:
    # Given an empty table / When seeding twice
    first = seed.seed_table(table, "u-1")
    items_after_first = count(table)
    second = seed.seed_table(table, "u-1")
    # Then the second run finds everything in place and writes nothing
    assert first.created == items_after_first and first.existing == 0
    assert second.created == 0 and second.existing == items_after_first
    assert count(table) == items_after_first
    kinds = [i["SK"].split("#")[0] for i in table.scan()["Items"]]
    assert kinds.count("MSG") == 6 and kinds.count("META") == 2 and kinds.count("REMINDER") == 1


def test_seed_uses_the_pool_users_sub(aws_mock: Any) -> None:
    cognito = aws.client("cognito-idp")
    pool = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
    sub = seed.ensure_user(cognito, pool)
    assert sub and seed.ensure_user(cognito, pool) == sub


def test_seed_refuses_prod() -> None:
    with pytest.raises(ToolError, match="refusing to seed ENV=prod"):
        seed.run("prod", {"table_name": "t"}, None)


def test_seed_places_the_reminder_in_the_deployed_shards(table: Any) -> None:
    # Given a stack with one reminder shard / When seeding / Then the reminder is in DUE#0
    seed.seed_table(table, "u-2", reminder_shards=1)
    reminders = [i for i in table.scan()["Items"] if i["SK"].startswith("REMINDER#")]
    assert [r["GSI1PK"] for r in reminders] == ["DUE#0"]
    assert (
        seed.reminder_shard_count(seed.api_environment(None, {"table_name": "t"})) == 4
    )  # no api function: the default
