"""Development data for ENV=local or dev: a test user, two rooms with messages, a reminder; and when the stack
serves the Kefir preset (apps/kefir/app.json), Kefir's own: the user test@example.com, one ``active`` and one
``in_fridge`` batch, events for each and sample reminders.

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

from parley.domain import entities, keys, rooms
from parley.domain.reminders import rules

SEED_EMAIL = "seed.user@example.com"
SEED_USER_ID = "seed-user"
ROOM_IDS = {"seed-general": "General", "seed-random": "Random"}
REMINDER_ID = "seed-reminder"
MESSAGES_PER_ROOM = 3
# Fixed timestamps keep the message keys identical from one run to the next.
SEED_EPOCH_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
SEEDABLE_ENVS = ("local", "dev")
KEFIR_EMAIL = "test@example.com"
KEFIR_USER_ID = "test123"  # without a user pool
KEFIR_BATCHES = {
    "kefir-active": {"name": "Morning kefir", "status": "active", "milk": "whole", "volume_ml": 500,
                     "temperature_c": 22, "notes": "2 tbsp grains", "is_public": True},
    "kefir-in-fridge": {"name": "Weekend batch", "status": "in_fridge", "milk": "oat", "volume_ml": 750,
                        "temperature_c": 4},
}  # fmt: skip
KEFIR_EVENTS: dict[str, list[dict[str, Any]]] = {
    "kefir-active": [{"kind": "feed", "note": "Fresh milk on the grains"}, {"kind": "taste", "rating": 3}],
    "kefir-in-fridge": [{"kind": "strain", "note": "Strained, grains to a new jar"},
                        {"kind": "status", "note": "Moved to the fridge"}],
}  # fmt: skip


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


def kefir_items(
    declaration: entities.Declaration, user_id: str, email: str, now: datetime, reminder_shards: int = 4
) -> list[dict[str, Any]]:
    """Kefir's development data, built with the declared entities' own rules (ValidationError if they changed)."""
    batches, events = declaration.top("batches"), declaration.child("batches", "events")
    if batches is None or events is None:
        raise ToolError("the stack does not serve the Kefir preset's batches and events")
    items: list[dict[str, Any]] = [
        {
            "PK": keys.user(user_id), "SK": keys.PROFILE, "GSI1PK": keys.email(email), "GSI1SK": keys.user(user_id),
            "id": user_id, "email": email, "display_name": "Kefir Tester", "created_at": "2026-01-01T00:00:00Z",
        },
    ]  # fmt: skip
    started = (now - timedelta(hours=6)).replace(minute=0, second=0, microsecond=0)
    for n, (batch_id, fields) in enumerate(KEFIR_BATCHES.items()):
        body = {**fields, "started_at": (started - timedelta(days=2 * n)).strftime("%Y-%m-%dT%H:%M:%SZ")}
        batch = entities.new_item(batches, batches.validate(body, user_id), batch_id, user_id, SEED_EPOCH_MS + n)
        items.append(batch)
        for m, event in enumerate(KEFIR_EVENTS[batch_id]):
            at_ms = SEED_EPOCH_MS + n * 1000 + m
            event_id = entities.child_id(at_ms, f"{n:08x}{m:08x}")
            items.append(entities.new_item(events, events.validate(event, user_id), event_id, user_id, at_ms,
                                           parent=batch))  # fmt: skip
    for n, text in enumerate(("Strain the grains and start a new batch", "Move the strained kefir to the fridge")):
        due = (now + timedelta(days=1, hours=n)).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {"due_at": due, "text": text}
        items.append(rules.new_reminder(body, user_id, f"kefir-reminder-{n + 1}", now, reminder_shards))
    return items


def seed_table(
    table: Any,
    user_id: str,
    *,
    email: str = SEED_EMAIL,
    now: datetime | None = None,
    reminder_shards: int = 4,
    kefir: tuple[entities.Declaration, str] | None = None,
) -> SeedReport:
    """Write the development data once; ``kefir`` (the declaration, the Kefir user's id) adds Kefir's."""
    report = SeedReport()
    now = now or datetime.now(UTC)
    items = seed_items(user_id, email, now, reminder_shards)
    if kefir is not None:
        items += kefir_items(kefir[0], kefir[1], KEFIR_EMAIL, now, reminder_shards)
    for item in items:
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


def api_environment(lambda_client: Any, outputs: dict[str, object]) -> dict[str, str]:
    """The deployed api function's settings (none when it is not deployed)."""
    names = outputs.get("function_names")
    if not isinstance(names, dict) or not isinstance(names.get("api"), str):
        return {}
    config = lambda_client.get_function_configuration(FunctionName=names["api"])
    return dict(config.get("Environment", {}).get("Variables", {}))


def reminder_shard_count(environment: dict[str, str]) -> int:
    """The shard count the deployed api function places reminders with (4 when unknown)."""
    return int(environment.get("REMINDER_SHARD_COUNT", 4))


def served_kefir(environment: dict[str, str]) -> entities.Declaration | None:
    """The deployed declaration when it serves Kefir's batches and events (apps/kefir/app.json), else None."""
    if not environment.get("APP_ENTITIES"):
        return None
    try:
        declaration = entities.load_setting(environment["APP_ENTITIES"])
    except ValueError as exc:
        raise ToolError(f"the api function's APP_ENTITIES cannot be read: {exc}") from None
    return declaration if declaration.child("batches", "events") is not None else None


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
    environment = api_environment(session.client("lambda", endpoint_url=endpoint), outputs)
    declaration = served_kefir(environment)
    user_id, kefir_user_id = SEED_USER_ID, KEFIR_USER_ID
    pool = outputs.get("user_pool_id")
    if isinstance(pool, str) and pool:
        cognito = session.client("cognito-idp", endpoint_url=endpoint)
        user_id = ensure_user(cognito, pool)
        if declaration is not None:
            kefir_user_id = ensure_user(cognito, pool, KEFIR_EMAIL)
    table = session.resource("dynamodb", endpoint_url=endpoint).Table(table_name)
    kefir = (declaration, kefir_user_id) if declaration is not None else None
    return seed_table(table, user_id, reminder_shards=reminder_shard_count(environment), kefir=kefir)
