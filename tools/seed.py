"""Development data for ENV=local or dev: a test user, two rooms with messages, a reminder.

Every item has a fixed key and is written only when absent, so seeding twice
changes nothing. The test user is created in the user pool when the stack has
one (its ``sub`` becomes the user id), otherwise a fixed id is used.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tools.tfenv import ROOT, ToolError, emulator_environment

sys.path.insert(0, str(ROOT / "lambda_src"))

from parley.domain import keys, rooms
from parley.domain.reminders import rules

SEED_EMAIL = "seed.user@example.com"
SEED_USER_ID = "seed-user"
ROOM_IDS = {"seed-general": "General", "seed-random": "Random"}
REMINDER_ID = "seed-reminder"
MESSAGES_PER_ROOM = 3
# Fixed timestamps keep the message keys identical from one run to the next.
SEED_EPOCH_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
SEEDABLE_ENVS = ("local", "dev")


@dataclass
class SeedReport:
    created: int = 0
    existing: int = 0


def put_once(table: Any, item: dict[str, Any], report: SeedReport) -> None:
    """Write ``item`` unless an item with its key exists."""
    try:
        table.put_item(Item=item, ConditionExpression="attribute_not_exists(PK)")
    except table.meta.client.exceptions.ConditionalCheckFailedException:
        report.existing += 1
    else:
        report.created += 1


def seed_items(user_id: str, email: str, now: datetime, reminder_shards: int = 4) -> list[dict[str, Any]]:
    """Every item of the development data set, built with the app's own rules."""
    stamp = "2026-01-01T00:00:00Z"
    items: list[dict[str, Any]] = [
        {
            "PK": keys.user(user_id), "SK": keys.PROFILE, "GSI1PK": keys.email(email), "GSI1SK": keys.user(user_id),
            "id": user_id, "email": email, "display_name": "Seed User", "created_at": stamp,
        },
        {"PK": keys.user(user_id), "SK": keys.SETTINGS, "theme": "system", "language": "en", "time_zone": "UTC",
         "notifications_enabled": True, "email_reminders": False},
    ]  # fmt: skip
    for index, (room_id, name) in enumerate(ROOM_IDS.items()):
        meta, member = rooms.new_room({"name": name, "public": index == 0}, room_id, user_id, stamp)
        items += [meta, member]
        for n in range(MESSAGES_PER_ROOM):
            message_id = f"seed-{index}-{n}"
            items.append(
                {
                    "PK": keys.room(room_id), "SK": keys.message(SEED_EPOCH_MS + n * 60_000, message_id),
                    "id": message_id, "room_id": room_id, "user_id": user_id, "text": f"{name} message {n + 1}",
                    "created_at": stamp,
                }
            )  # fmt: skip
    due = (now + timedelta(days=1)).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    items.append(rules.new_reminder({"due_at": due, "text": "Try parley"}, user_id, REMINDER_ID, now, reminder_shards))
    return items


def seed_table(
    table: Any, user_id: str, email: str = SEED_EMAIL, now: datetime | None = None, reminder_shards: int = 4
) -> SeedReport:
    report = SeedReport()
    for item in seed_items(user_id, email, now or datetime.now(UTC), reminder_shards):
        put_once(table, item, report)
    return report


def ensure_user(cognito: Any, user_pool_id: str, email: str = SEED_EMAIL) -> str:
    """The test user's ``sub``, creating the user (no invitation e-mail) if needed."""
    try:
        user = cognito.admin_get_user(UserPoolId=user_pool_id, Username=email)
    except cognito.exceptions.UserNotFoundException:
        user = cognito.admin_create_user(
            UserPoolId=user_pool_id,
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",
        )["User"]
        attributes = user["Attributes"]
    else:
        attributes = user["UserAttributes"]
    sub = next((a["Value"] for a in attributes if a["Name"] == "sub"), None)
    if not sub:
        raise ToolError(f"user {email} in {user_pool_id} has no sub")
    return str(sub)


def reminder_shard_count(lambda_client: Any, outputs: dict[str, object]) -> int:
    """The shard count the deployed api function places reminders with (4 when unknown)."""
    names = outputs.get("function_names")
    if not isinstance(names, dict) or not isinstance(names.get("api"), str):
        return 4
    config = lambda_client.get_function_configuration(FunctionName=names["api"])
    return int(config.get("Environment", {}).get("Variables", {}).get("REMINDER_SHARD_COUNT", 4))


def run(env_name: str, outputs: dict[str, object], endpoint: str | None) -> SeedReport:
    """Seed the deployed stack of ``env_name`` whose outputs are given."""
    if env_name not in SEEDABLE_ENVS:
        raise ToolError(f"refusing to seed ENV={env_name}: development data goes only to {' or '.join(SEEDABLE_ENVS)}")
    table_name = outputs.get("table_name")
    if not isinstance(table_name, str):
        raise ToolError(f"ENV={env_name} has no table_name output: apply the stack first")
    import boto3  # noqa: PLC0415 - only present once `make setup` ran

    region = str(outputs.get("region") or "us-east-1")
    if endpoint is not None:
        settings = emulator_environment(endpoint)
        session = boto3.session.Session(
            aws_access_key_id=settings["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=settings["AWS_SECRET_ACCESS_KEY"],
            region_name=region,
        )
    else:
        session = boto3.session.Session(region_name=region)
    user_id = SEED_USER_ID
    pool = outputs.get("user_pool_id")
    if isinstance(pool, str) and pool:
        user_id = ensure_user(session.client("cognito-idp", endpoint_url=endpoint), pool)
    table = session.resource("dynamodb", endpoint_url=endpoint).Table(table_name)
    shards = reminder_shard_count(session.client("lambda", endpoint_url=endpoint), outputs)
    return seed_table(table, user_id, reminder_shards=shards)
