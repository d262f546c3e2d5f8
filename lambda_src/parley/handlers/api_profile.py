"""api routes of the profile area: GET/PATCH /me, GET/PUT /me/settings."""

from __future__ import annotations

from typing import Any

from parley.adapters import files as s3files
from parley.adapters.users import Users
from parley.domain import clock, files, profile, user_settings
from parley.domain.validation import public_item
from parley.handlers.api_common import settings, table
from parley.handlers.http import caller_id, json_body, new_router

router = new_router()


@router.get("/me")
def get_me() -> dict[str, Any]:
    user_id = caller_id(router)
    item = Users(table()).profile(user_id) or {}
    claims = router.current_event.request_context.authorizer.jwt_claim or {}
    # Access tokens carry no email claim: the profile's address comes first.
    return {**public_item(item), "id": user_id, "email": item.get("email") or claims.get("email")}


@router.patch("/me")
def patch_me() -> dict[str, Any]:
    user_id = caller_id(router)
    changes = profile.profile_changes(json_body(router), user_id)
    if "avatar_key" in changes:
        config = settings()
        found = s3files.head(config.uploads_bucket, changes["avatar_key"])
        files.check_uploaded("avatar_key", found, config.upload_max_bytes)
    stamp = clock.now_iso()
    item = Users(table()).update_profile(
        user_id, {**changes, "updated_at": stamp}, created={"id": user_id, "created_at": stamp}
    )
    return {"id": user_id, **public_item(item, hide=frozenset({"email"}))}


@router.get("/me/settings")
def get_settings() -> dict[str, Any]:
    item = Users(table()).settings(caller_id(router)) or {}
    stored = public_item(item, hide=frozenset({"updated_at"}))
    return {**user_settings.DEFAULT_SETTINGS, **{k: v for k, v in stored.items() if k in user_settings.SETTINGS_FIELDS}}


@router.put("/me/settings")
def put_settings() -> dict[str, Any]:
    user_id = caller_id(router)
    document = user_settings.settings_document(json_body(router))
    Users(table()).put_settings(user_id, {**document, "updated_at": clock.now_iso()})
    return document
