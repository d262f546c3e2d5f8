"""Public read-only view of declared entities with a public flag (no sign-in): GET /public/<entities>/{id}."""

from __future__ import annotations

from typing import Any

from parley.adapters.entities import Entities
from parley.adapters.table import Table
from parley.domain.validation import path_id
from parley.errors import NotFound
from parley.handlers.entities_common import EntitySettings, declaration, top_entity
from parley.handlers.http import new_router
from parley.settings import load

RECENT_CHILDREN = 20

router = new_router()


@router.get("/public/<path>/<item_id>")
def public_item(path: str, item_id: str) -> dict[str, Any]:
    entity = top_entity(path)
    if entity.public_flag is None:
        raise NotFound("no such route")
    store = Entities(Table(load(EntitySettings).table_name))
    item = store.get(entity, path_id(item_id, f"{entity.path} item"))
    # An item not flagged public and a missing one look the same.
    if item is None or item.get(entity.public_flag) is not True or item.get("deleting"):
        raise NotFound(f"no such {entity.path} item")
    view = entity.view(item, public=True)
    for name in entity.children:
        child = declaration().entities[name]
        children, _ = store.children(item, child, RECENT_CHILDREN)
        view[name] = [child.view(c, public=True) for c in children]
    return view
