"""The signed-in HTTP API: profile, settings, rooms, members, messages, uploads,
export, reminders, notifications and push devices.

API Gateway's JWT authorizer has checked the token; the caller is its ``sub``.
Each route validates its input, calls the domain rules and the store, and
answers JSON (errors as ``{"error", "message"}`` via parley.handlers.http).
"""

from __future__ import annotations

import io
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, cast

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from parley.adapters import files as s3files
from parley.adapters.store import GSI1_KEYS, PRIMARY_KEYS, ConditionFailed, Store
from parley.domain import device_requests, files, keys, pagination, profile, reminder_requests, rooms
from parley.domain.validation import path_id, public_item, validate
from parley.errors import BadRequest, Conflict, NotFound, Unauthorized
from parley.handlers.http import json_body, logger, make_resolver
from parley.settings import BaseSettings, env, load, settings_class


@settings_class
class ApiSettings(BaseSettings):
    uploads_bucket: str = env("UPLOADS_BUCKET")
    upload_max_bytes: int = env("UPLOAD_MAX_BYTES", parse=int)
    reminder_shard_count: int = env("REMINDER_SHARD_COUNT", parse=int)


app = make_resolver()


def settings() -> ApiSettings:
    return cast(ApiSettings, load(ApiSettings))


def store() -> Store:
    return Store(settings().table_name)


def caller() -> str:
    """The signed-in user's id (the JWT ``sub``)."""
    claims = (
        (app.current_event.request_context.authorizer.jwt_claim or {})
        if app.current_event.request_context.authorizer
        else {}
    )
    sub = claims.get("sub")
    if not isinstance(sub, str) or not rooms.USER_ID_PATTERN.fullmatch(sub):
        raise Unauthorized("sign in first")
    return sub


def now() -> datetime:
    return datetime.now(UTC)


def now_iso() -> str:
    return now().strftime("%Y-%m-%dT%H:%M:%SZ")


def query_value(name: str) -> str | None:
    return app.current_event.get_query_string_value(name)


def page(items: list[dict[str, Any]], last_key: dict[str, Any] | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": pagination.encode(last_key)}


# --- profile and settings ---------------------------------------------------


@app.get("/me")
def get_me() -> dict[str, Any]:
    user_id = caller()
    item = store().get(keys.user(user_id), keys.PROFILE) or {}
    claims = app.current_event.request_context.authorizer.jwt_claim or {}
    # Access tokens carry no email claim: the profile's address comes first.
    return {**public_item(item), "id": user_id, "email": item.get("email") or claims.get("email")}


@app.patch("/me")
def patch_me() -> dict[str, Any]:
    user_id = caller()
    changes = profile.profile_changes(json_body(app), user_id)
    item = store().update(
        keys.user(user_id),
        keys.PROFILE,
        {**changes, "updated_at": now_iso()},
        create={"id": user_id, "created_at": now_iso()},
    )
    return {"id": user_id, **public_item(item, hide=frozenset({"email"}))}


@app.get("/me/settings")
def get_settings() -> dict[str, Any]:
    item = store().get(keys.user(caller()), keys.SETTINGS) or {}
    stored = public_item(item, hide=frozenset({"updated_at"}))
    return {**profile.DEFAULT_SETTINGS, **{k: v for k, v in stored.items() if k in profile.SETTINGS_FIELDS}}


@app.put("/me/settings")
def put_settings() -> dict[str, Any]:
    user_id = caller()
    document = profile.settings_document(json_body(app))
    store().put({"PK": keys.user(user_id), "SK": keys.SETTINGS, **document, "updated_at": now_iso()})
    return document


# --- rooms and members --------------------------------------------------------


def membership_of(room_id: str, user_id: str) -> dict[str, Any]:
    """The caller's membership; a room they are not in does not exist for them."""
    item = store().get(keys.room(room_id), keys.member(user_id))
    if item is None:
        raise NotFound("no such room")
    return item


@app.post("/rooms")
def create_room() -> tuple[dict[str, Any], int]:
    user_id = caller()
    room_id = uuid.uuid4().hex
    meta, member = rooms.new_room(json_body(app), room_id, user_id, now_iso())
    try:
        store().transact(
            [
                {"Put": {"Item": meta, "ConditionExpression": "attribute_not_exists(PK)"}},
                {"Put": {"Item": member, "ConditionExpression": "attribute_not_exists(PK)"}},
            ]
        )
    except ConditionFailed:
        raise Conflict("room id collision; try again") from None
    return rooms.room_view(meta), 201


@app.get("/rooms")
def list_rooms() -> dict[str, Any]:
    user_id = caller()
    start = pagination.decode(query_value("cursor"), key_names=GSI1_KEYS, partition=("GSI1PK", keys.user(user_id)))
    if start is not None and not start["GSI1SK"].startswith("ROOM#"):
        raise BadRequest("cursor is not valid", code="invalid_cursor")
    items, last = store().query_gsi1(
        keys.user(user_id), "ROOM#", limit=pagination.limit(query_value("limit")), start=start
    )
    return page([rooms.my_room_view(i) for i in items], last)


@app.get("/rooms/<room_id>")
def get_room(room_id: str) -> dict[str, Any]:
    room_id = path_id(room_id, "room")
    membership_of(room_id, caller())
    meta = store().get(keys.room(room_id), keys.META)
    if meta is None:
        raise NotFound("no such room")
    members, _ = store().query(keys.room(room_id), "MEMBER#", limit=100)
    return {**rooms.room_view(meta), "members": [rooms.member_view(m) for m in members]}


@app.post("/rooms/<room_id>/members")
def add_member(room_id: str) -> tuple[dict[str, Any], int]:
    user_id = caller()
    room_id = path_id(room_id, "room")
    mine = membership_of(room_id, user_id)
    target = validate(json_body(app), rooms.MEMBER_FIELDS)["user_id"]
    if store().get(keys.user(target), keys.PROFILE) is None:
        raise NotFound("no such user")
    member = rooms.membership(room_id, target, mine.get("room_name", ""), rooms.MEMBER, now_iso())
    try:
        store().transact(
            [
                {"Put": {"Item": member, "ConditionExpression": "attribute_not_exists(PK)"}},
                {
                    "Update": {
                        "Key": {"PK": keys.room(room_id), "SK": keys.META},
                        "UpdateExpression": "ADD member_count :one",
                        "ConditionExpression": "attribute_exists(PK)",
                        "ExpressionAttributeValues": {":one": 1},
                    }
                },
                {
                    "ConditionCheck": {
                        "Key": {"PK": keys.room(room_id), "SK": keys.member(user_id)},
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
            ]
        )
    except ConditionFailed as failed:
        if failed.index == 0:
            raise Conflict("already a member") from None
        raise NotFound("no such room") from None
    return rooms.member_view(member), 201


@app.delete("/rooms/<room_id>/members/me")
def leave_room(room_id: str) -> Response[Any]:
    user_id = caller()
    room_id = path_id(room_id, "room")
    try:
        store().transact(
            [
                {
                    "Delete": {
                        "Key": {"PK": keys.room(room_id), "SK": keys.member(user_id)},
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
                {
                    "Update": {
                        "Key": {"PK": keys.room(room_id), "SK": keys.META},
                        "UpdateExpression": "ADD member_count :minus",
                        "ConditionExpression": "attribute_exists(PK)",
                        "ExpressionAttributeValues": {":minus": -1},
                    }
                },
            ]
        )
    except ConditionFailed:
        raise NotFound("no such room") from None
    return Response(status_code=204)


@app.get("/rooms/<room_id>/messages")
def room_messages(room_id: str) -> dict[str, Any]:
    room_id = path_id(room_id, "room")
    membership_of(room_id, caller())
    start = pagination.decode(query_value("cursor"), key_names=PRIMARY_KEYS, partition=("PK", keys.room(room_id)))
    if start is not None and not start["SK"].startswith("MSG#"):
        raise BadRequest("cursor is not valid", code="invalid_cursor")
    items, last = store().query(
        keys.room(room_id), "MSG#", limit=pagination.limit(query_value("limit")), start=start, newest_first=True
    )
    return page([rooms.message_view(i) for i in items], last)


# --- uploads and export ---------------------------------------------------------


@app.post("/uploads")
def create_upload() -> tuple[dict[str, Any], int]:
    user_id = caller()
    config = settings()
    request = files.upload_request(json_body(app), user_id, uuid.uuid4().hex, config.upload_max_bytes)
    url = s3files.presigned_put(
        config.uploads_bucket, request["key"], request["content_type"], request["size_bytes"], files.UPLOAD_URL_SECONDS
    )
    headers = {"Content-Type": request["content_type"], "Content-Length": str(request["size_bytes"])}
    return {
        "upload_url": url,
        "method": "PUT",
        "key": request["key"],
        "headers": headers,
        "expires_in": files.UPLOAD_URL_SECONDS,
    }, 201


def export_records(user_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
    db = store()
    for record_type, sk in (("profile", keys.PROFILE), ("settings", keys.SETTINGS)):
        item = db.get(keys.user(user_id), sk)
        if item is not None:
            yield record_type, item
    for item in db.query_all(keys.user(user_id), "ROOM#", gsi1=True):
        yield "room", item
    for record_type, prefix in (("reminder", "REMINDER#"), ("notification", "NOTIF#"), ("device", "DEVICE#")):
        for item in db.query_all(keys.user(user_id), prefix):
            yield record_type, public_item(item, hide=frozenset({"token"})) if record_type == "device" else item


@app.get("/export")
def export() -> Response[Any] | dict[str, Any]:
    user_id = caller()
    config = settings()
    with tempfile.SpooledTemporaryFile(max_size=files.EXPORT_INLINE_MAX_BYTES, mode="w+b") as spool:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        files.write_export(text, export_records(user_id))
        text.flush()
        text.detach()  # the spool stays open for reading
        size = spool.tell()
        spool.seek(0)
        if size <= files.EXPORT_INLINE_MAX_BYTES:
            return Response(
                status_code=200,
                content_type="text/csv; charset=utf-8",
                body=spool.read().decode(),
                headers={"Content-Disposition": 'attachment; filename="parley-export.csv"'},
            )
        key = f"exports/{user_id}/{int(time.time())}-{uuid.uuid4().hex[:8]}.csv"
        s3files.upload_stream(config.uploads_bucket, key, spool, "text/csv")
    url = s3files.presigned_get(config.uploads_bucket, key, files.UPLOAD_URL_SECONDS)
    return {"download_url": url, "expires_in": files.UPLOAD_URL_SECONDS, "size_bytes": size}


# --- reminders, notifications, devices --------------------------------------------


@app.post("/reminders")
def create_reminder() -> tuple[dict[str, Any], int]:
    user_id = caller()
    item = reminder_requests.new_reminder(
        json_body(app), user_id, uuid.uuid4().hex, now(), settings().reminder_shard_count
    )
    store().put(item, only_new=True)
    return public_item(item), 201


@app.get("/reminders")
def list_reminders() -> dict[str, Any]:
    user_id = caller()
    start = pagination.decode(query_value("cursor"), key_names=PRIMARY_KEYS, partition=("PK", keys.user(user_id)))
    if start is not None and not start["SK"].startswith("REMINDER#"):
        raise BadRequest("cursor is not valid", code="invalid_cursor")
    items, last = store().query(
        keys.user(user_id), "REMINDER#", limit=pagination.limit(query_value("limit")), start=start
    )
    return page([public_item(i) for i in items], last)


@app.delete("/reminders/<reminder_id>")
def delete_reminder(reminder_id: str) -> Response[Any]:
    user_id = caller()
    try:
        store().delete(keys.user(user_id), keys.reminder(path_id(reminder_id, "reminder")))
    except ConditionFailed:
        raise NotFound("no such reminder") from None
    return Response(status_code=204)


@app.get("/notifications")
def list_notifications() -> dict[str, Any]:
    user_id = caller()
    start = pagination.decode(query_value("cursor"), key_names=PRIMARY_KEYS, partition=("PK", keys.user(user_id)))
    if start is not None and not start["SK"].startswith("NOTIF#"):
        raise BadRequest("cursor is not valid", code="invalid_cursor")
    items, last = store().query(
        keys.user(user_id), "NOTIF#", limit=pagination.limit(query_value("limit")), start=start, newest_first=True
    )
    return page([{**public_item(i), "id": device_requests.notification_id(i["SK"])} for i in items], last)


@app.post("/notifications/<notification_id>/read")
def read_notification(notification_id: str) -> dict[str, Any]:
    user_id = caller()
    sort_key = device_requests.notification_sort_key(notification_id)
    try:
        item = store().update(keys.user(user_id), sort_key, {"read": True, "read_at": now_iso()}, must_exist=True)
    except ConditionFailed:
        raise NotFound("no such notification") from None
    return {**public_item(item), "id": notification_id}


@app.post("/devices")
def register_device() -> tuple[dict[str, Any], int]:
    user_id = caller()
    item = device_requests.new_device(json_body(app), user_id, now_iso())
    store().put(item)  # the same token always rewrites the same item
    return {"id": item["device_id"], "platform": item["platform"]}, 201


@app.delete("/devices/<device_id>")
def delete_device(device_id: str) -> Response[Any]:
    user_id = caller()
    try:
        store().delete(keys.user(user_id), keys.device(path_id(device_id, "device")))
    except ConditionFailed:
        raise NotFound("no such device") from None
    return Response(status_code=204)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
