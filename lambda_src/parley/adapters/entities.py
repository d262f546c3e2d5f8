"""The repository of declared app entities (parley.domain.entities): items, their child timelines and linked rooms.

A top-level item has its own partition (its ``pk`` pattern holds ``{id}``) and a GSI1 entry under its owner;
its children share that partition, sorted by creation time; a linked chat room is an ordinary room
(``ROOM#{id}``). Deleting an item first marks it ``deleting`` (no child can be added after that), then removes
its children and its room page by page (``CASCADE_BATCH`` keys per batch write), and the item last, so an
interrupted delete leaves the item in place to be deleted again: nothing is ever orphaned. No scans.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from parley.adapters.table import (
    GSI1,
    Check,
    ConditionFailed,
    Delete,
    Item,
    Put,
    Table,
    Update,
    absent,
    eq,
    exists,
    key,
)
from parley.domain import keys
from parley.domain.entities import Declaration, Entity, fill
from parley.domain.pagination import Page
from parley.errors import Conflict, NotFound

CASCADE_BATCH = 25  # one BatchWriteItem


def _gone(entity: Entity) -> NotFound:
    return NotFound(f"no such {entity.path} item")


class Entities:
    def __init__(self, table: Table) -> None:
        self.table = table

    def create(self, item: Item, room: tuple[Item, Item] | None = None) -> None:
        """Write a new item (and its linked room's META and owner membership) together."""
        operations = [Put(item, absent())] + ([Put(room[0], absent()), Put(room[1], absent())] if room else [])
        try:
            self.table.transact(operations)
        except ConditionFailed:
            raise Conflict("id collision; try again") from None

    def get(self, entity: Entity, item_id: str) -> Item | None:
        item_key = entity.item_key(item_id)
        found = self.table.get(item_key["PK"], item_key["SK"])
        return found if found is not None and found.get("entity") == entity.path else None

    def of_owner(self, entity: Entity, owner: str, limit: int, start: Item | None) -> Page:
        """One page of the owner's items, newest first (GSI1)."""
        return self.table.query(
            fill(entity.gsi1pk, {"owner": owner}),
            prefix=entity.sort_prefix(),
            index=GSI1,
            limit=limit,
            start=start,
            newest_first=True,
        )

    def update(self, entity: Entity, item: Item, changes: dict[str, Any], removed: list[str], now: str) -> Item:
        """Set ``changes`` and remove ``removed`` on an item still owned by its owner and not being deleted."""
        condition = exists() & eq("owner_id", item["owner_id"]) & absent("deleting")
        try:
            return self.table.write(
                Update(
                    key(item["PK"], item["SK"]), set={**changes, "updated_at": now}, remove=removed, condition=condition
                )
            )
        except ConditionFailed:
            raise _gone(entity) from None

    def delete(self, declaration: Declaration, entity: Entity, item: Item) -> None:
        """Delete an item with its children and its linked room, in bounded batches; the item goes last."""
        item_key = key(item["PK"], item["SK"])
        try:
            self.table.write(Update(item_key, set={"deleting": True}, condition=exists() & eq("id", item["id"])))
        except ConditionFailed:
            raise _gone(entity) from None
        for child in entity.children:
            self._delete_all(str(item["PK"]), declaration.entities[child].sort_prefix())
        if item.get("room_id"):
            self._delete_all(keys.room(str(item["room_id"])), None)
        self.table.batch_write(deletes=[item_key])

    def _delete_all(self, pk: str, prefix: str | None) -> None:
        while True:
            page, _ = self.table.query(pk, prefix=prefix, limit=CASCADE_BATCH, consistent=True)
            if not page:
                return
            self.table.batch_write(deletes=page)

    def add_child(self, parent: Item, child: Item) -> None:
        """Write a child while its parent exists, is not being deleted and keeps its owner."""
        parent_ok = exists() & absent("deleting") & eq("owner_id", parent["owner_id"])
        try:
            self.table.transact([Check(key(parent["PK"], parent["SK"]), parent_ok), Put(child, absent())])
        except ConditionFailed as refused:
            if refused.index == 0:
                raise NotFound("no such item") from None
            raise Conflict("id collision; try again") from None

    def children(self, parent: Item, child: Entity, limit: int, start: Item | None = None) -> Page:
        """One page of a parent's child timeline, newest first."""
        return self.table.query(
            str(parent["PK"]), prefix=child.sort_prefix(), limit=limit, start=start, newest_first=True
        )

    def remove_child(self, child_key: dict[str, str], parent_id: str) -> None:
        try:
            self.table.write(Delete(child_key, exists() & eq("parent_id", parent_id)))
        except ConditionFailed:
            raise NotFound("no such child item") from None

    def records(self, declaration: Declaration, owner: str) -> Iterator[tuple[str, Item]]:
        """The owner's items and their children, as (entity path, item): rows of GET /export."""
        for entity in declaration.entities.values():
            if entity.parent is not None:
                continue
            for item in self.table.query_all(
                fill(entity.gsi1pk, {"owner": owner}), prefix=entity.sort_prefix(), index=GSI1, limit=100
            ):
                yield entity.path, item
                for child in entity.children:
                    prefix = declaration.entities[child].sort_prefix()
                    for found in self.table.query_all(str(item["PK"]), prefix=prefix, limit=100):
                        yield child, found
