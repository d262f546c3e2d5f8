"""api routes of the declared app entities (parley.domain.entities): CRUD, child timelines, reminder suggestions.

The paths are generic here and resolved against the declaration; API Gateway only sends the route keys
modules/app_entities generates from the same file, and an undeclared path is a 404 here too. The
``owner`` rule lets only the owner see an item; ``room_members`` also lets members of its linked room read it.
Whoever may not read an item is told it does not exist; a reader who may not write gets 403.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from aws_lambda_powertools.event_handler import Response

from parley.adapters.entities import Entities
from parley.adapters.reminders import Reminders
from parley.adapters.rooms import Rooms
from parley.domain import clock, entities, rooms
from parley.domain.reminders import rules
from parley.domain.validation import path_id, public_item
from parley.errors import Forbidden, NotFound
from parley.handlers.api_common import settings, table
from parley.handlers.entities_common import declaration, no_route, top_entity
from parley.handlers.http import caller_id, json_body, new_router, page, page_request

router = new_router()


def _now_ms() -> int:
    return int(time.time() * 1000)


def _readable(
    store: Entities, entity: entities.Entity, raw_id: str, user_id: str, *, deleting: bool = False
) -> dict[str, Any]:
    """The item if the caller may read it, else NotFound; one being deleted only when ``deleting``."""
    item = store.get(entity, path_id(raw_id, f"{entity.path} item"))
    if item is not None and (deleting or not item.get("deleting")):
        if item.get("owner_id") == user_id:
            return item
        room_id = item.get("room_id") if entity.owner == "room_members" else None
        if room_id and Rooms(store.table).is_member(str(room_id), user_id):
            return item
    raise NotFound(f"no such {entity.path} item")


def _writable(
    store: Entities, entity: entities.Entity, raw_id: str, user_id: str, *, deleting: bool = False
) -> dict[str, Any]:
    item = _readable(store, entity, raw_id, user_id, deleting=deleting)
    if item.get("owner_id") != user_id:
        raise Forbidden(f"only the owner may change this {entity.path} item")
    return item


@router.post("/<path>")
def create_item(path: str) -> tuple[dict[str, Any], int]:
    entity = top_entity(path)
    user_id = caller_id(router)
    fields = entity.validate(json_body(router), user_id)
    item_id, now_ms = uuid.uuid4().hex, _now_ms()
    room = None
    if entity.chat_room:
        room_id = uuid.uuid4().hex
        room = rooms.new_room({"name": f"{entity.path} {item_id}"}, room_id, user_id, clock.now_iso())
    item = entities.new_item(entity, fields, item_id, user_id, now_ms, room_id=room[0]["id"] if room else None)
    Entities(table()).create(item, room)
    return entity.view(item), 201


@router.get("/<path>")
def list_items(path: str) -> dict[str, Any]:
    entity = top_entity(path)
    user_id = caller_id(router)
    limit, start = page_request(
        router, ("GSI1PK", entities.fill(entity.gsi1pk, {"owner": user_id})), entity.sort_prefix()
    )
    items, last = Entities(table()).of_owner(entity, user_id, limit, start)
    return page([entity.view(i) for i in items], last)


@router.get("/<path>/<item_id>")
def get_item(path: str, item_id: str) -> dict[str, Any]:
    entity = top_entity(path)
    return entity.view(_readable(Entities(table()), entity, item_id, caller_id(router)))


@router.patch("/<path>/<item_id>")
def update_item(path: str, item_id: str) -> dict[str, Any]:
    entity = top_entity(path)
    user_id = caller_id(router)
    store = Entities(table())
    item = _writable(store, entity, item_id, user_id)
    body = json_body(router)
    removed = entity.removable(body)
    rest = {k: v for k, v in body.items() if k not in removed}
    changes = entity.validate(rest, user_id, partial=True) if rest or not removed else {}
    return entity.view(store.update(entity, item, changes, removed, entities.iso_ms(_now_ms())))


@router.delete("/<path>/<item_id>")
def delete_item(path: str, item_id: str) -> Response[Any]:
    entity = top_entity(path)
    store = Entities(table())
    # A delete cut short left the item marked: deleting it again finishes the job.
    item = _writable(store, entity, item_id, caller_id(router), deleting=True)
    store.delete(declaration(), entity, item)
    return Response(status_code=204)


@router.post("/<path>/<item_id>/<child_path>")
def add_child(path: str, item_id: str, child_path: str) -> tuple[dict[str, Any], int]:
    entity = top_entity(path)
    child = declaration().child(path, child_path)
    if child is None:
        raise no_route()
    user_id = caller_id(router)
    store = Entities(table())
    parent = _writable(store, entity, item_id, user_id)
    fields = child.validate(json_body(router), user_id)
    now_ms = _now_ms()  # the child's id carries its creation time (its sort key is rebuilt from it)
    item = entities.new_item(child, fields, entities.child_id(now_ms, uuid.uuid4().hex), user_id, now_ms, parent=parent)
    store.add_child(parent, item)
    return child.view(item), 201


@router.get("/<path>/<item_id>/<child_path>")
def list_children(path: str, item_id: str, child_path: str) -> dict[str, Any] | list[dict[str, Any]]:
    entity = top_entity(path)
    user_id = caller_id(router)
    store = Entities(table())
    if child_path == entities.SUGGESTIONS and entity.suggestions:
        item = _readable(store, entity, item_id, user_id)
        return {"items": entity.suggested(item, clock.now())}
    child = declaration().child(path, child_path)
    if child is None:
        raise no_route()
    parent = _readable(store, entity, item_id, user_id)
    limit, start = page_request(router, ("PK", str(parent["PK"])), child.sort_prefix())
    items, last = store.children(parent, child, limit, start)
    return page([child.view(i) for i in items], last)


@router.delete("/<path>/<item_id>/<child_path>/<child_id>")
def delete_child(path: str, item_id: str, child_path: str, child_id: str) -> Response[Any]:
    entity = top_entity(path)
    child = declaration().child(path, child_path)
    if child is None:
        raise no_route()
    store = Entities(table())
    parent = _writable(store, entity, item_id, caller_id(router))
    created_at = entities.child_created_at(child_id)
    if created_at is None:
        raise NotFound("no such child item")
    parent_key = {"PK": str(parent["PK"]), "SK": str(parent["SK"])}
    store.remove_child(child.item_key(child_id, created_at, parent_key), str(parent["id"]))
    return Response(status_code=204)


@router.post("/<path>/<item_id>/reminder-suggestions/<index>")
def accept_suggestion(path: str, item_id: str, index: str) -> tuple[dict[str, Any], int]:
    entity = top_entity(path)
    if not entity.suggestions:
        raise no_route()
    user_id = caller_id(router)
    item = _readable(Entities(table()), entity, item_id, user_id)
    offered = {str(s["index"]): s for s in entity.suggested(item, clock.now())}
    if index not in offered:
        raise NotFound("no such reminder suggestion (it may be past)")
    body = {"due_at": offered[index]["due_at"], "text": offered[index]["text"]}
    reminder = rules.new_reminder(body, user_id, uuid.uuid4().hex, clock.now(), settings().reminder_shard_count)
    Reminders(table()).add(reminder)
    return public_item(reminder), 201
