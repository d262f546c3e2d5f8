"""App entities as data: the declaration (``apps/<app>/app.json``), request bodies checked against it, and the
items and keys it describes.

Terraform reads the same file (``modules/app_entities``) to generate the routes and passes it to the
functions as the ``APP_ENTITIES`` setting (gzip + base64 JSON). :func:`parse` checks a declaration as strictly as
the stack's validations do, so a malformed one fails at plan time and, if it ever reached a function, at its first
use, never as a request's 500. :meth:`Declaration.route_keys` lists the routes it generates.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from parley.domain import keys
from parley.domain.clock import iso
from parley.domain.reminders.rules import parse_time
from parley.domain.validation import plain
from parley.errors import BadRequest

FIELD_TYPES = frozenset({"string", "integer", "number", "boolean", "enum", "datetime", "upload"})
OWNER_RULES = frozenset({"owner", "room_members"})
PATH = re.compile(r"[a-z][a-z0-9-]{0,39}")
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
PREFIX = re.compile(r"[A-Z][A-Z0-9_]{0,19}")
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# Attributes every item carries; a declared field may not take their names.
RESERVED_FIELDS = frozenset(
    {"id", "entity", "owner_id", "parent_id", "room_id", "created_at", "updated_at", "deleting"}
)
# First path segments of the built-in HTTP routes (modules/stack/api.tf): an entity may not take them.
BUILTIN_PATHS = frozenset(
    {"me", "rooms", "uploads", "export", "reminders", "notifications", "devices", "public", "health", "auth"}
)
# Key prefixes the built-in records use (docs/architecture.md, "The table").
BUILTIN_PREFIXES = frozenset(
    {"USER", "ROOM", "CONN", "RELAY", "RELAYCODE", "SESSION", "SPENT", "EMAIL", "POOL", "DUE", "WAIT"}
    | {"META", "MEMBER", "MSG", "NOTIF", "REMINDER", "DEVICE", "PROFILE", "SETTINGS", "TICKET", "PEER", "DATA"}
)
SUGGESTIONS = "reminder-suggestions"
STRING_MAX_DEFAULT = 1000
MAX_FIELDS = 40
MAX_SUGGESTIONS = 20
MAX_TTL_DAYS = 3650
MAX_OFFSET_HOURS = 24 * 366
UPLOAD_KEY = re.compile(r"users/([A-Za-z0-9_-]{1,128})/[0-9a-f]{32}/[A-Za-z0-9._-]{1,100}")


class DeclarationError(ValueError):
    """The declaration breaks a rule; the message names the entity and the rule (one line)."""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    required: bool = False
    max_length: int = STRING_MAX_DEFAULT
    min: float | None = None
    max: float | None = None
    values: tuple[str, ...] = ()
    default: Any = None

    def check(self, value: Any, caller: str) -> Any:
        """The value as stored, or BadRequest naming the field."""
        name, kind = self.name, self.type
        if kind in {"string", "enum", "datetime", "upload"} and not isinstance(value, str):
            raise BadRequest(f"{name} must be a string", code="invalid_field")
        if kind == "string":
            if len(value) > self.max_length:
                raise BadRequest(f"{name} must be at most {self.max_length} characters", code="invalid_field")
            if any(ord(ch) < 32 and ch not in "\n\t" for ch in value):
                raise BadRequest(f"{name} contains control characters", code="invalid_field")
            return value
        if kind == "enum":
            if value not in self.values:
                raise BadRequest(f"{name} must be one of {', '.join(self.values)}", code="invalid_field")
            return value
        if kind == "datetime":
            if len(value) > 40:
                raise BadRequest(f"{name} must be an ISO 8601 time", code="invalid_field")
            try:
                return iso(parse_time(value))
            except BadRequest:
                raise BadRequest(
                    f"{name} must be an ISO 8601 time with a zone, e.g. 2030-01-31T09:00:00Z", code="invalid_field"
                ) from None
        if kind == "upload":
            found = UPLOAD_KEY.fullmatch(value)
            if found is None or found.group(1) != caller:
                raise BadRequest(f"{name} must be the key of one of your uploads (POST /uploads)", code="invalid_field")
            return value
        if kind == "boolean":
            if not isinstance(value, bool):
                raise BadRequest(f"{name} must be a boolean", code="invalid_field")
            return value
        return self._number(value)

    def _number(self, value: Any) -> Any:
        name = self.name
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BadRequest(
                f"{name} must be a{'n integer' if self.type == 'integer' else ' number'}", code="invalid_field"
            )
        if self.type == "integer" and not isinstance(value, int):
            raise BadRequest(f"{name} must be an integer", code="invalid_field")
        if isinstance(value, float) and not math.isfinite(value):
            raise BadRequest(f"{name} must be a finite number", code="invalid_field")
        if self.min is not None and value < self.min:
            raise BadRequest(f"{name} must be >= {_num(self.min)}", code="invalid_field")
        if self.max is not None and value > self.max:
            raise BadRequest(f"{name} must be <= {_num(self.max)}", code="invalid_field")
        return value if isinstance(value, int) else Decimal(repr(value))


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class Suggestion:
    offset_hours: int
    text: str


@dataclass(frozen=True)
class Entity:
    """One declared entity (or child collection, when ``parent`` is set) and its key patterns."""

    path: str
    prefix: str
    fields: dict[str, FieldSpec]
    pk: str
    sk: str
    gsi1pk: str
    gsi1sk: str
    parent: str | None = None
    owner: str = "owner"
    public_flag: str | None = None
    chat_room: bool = False
    suggestions_from: str | None = None
    suggestions: tuple[Suggestion, ...] = ()
    ttl_days: int | None = None
    children: tuple[str, ...] = field(default=())

    # --- keys ------------------------------------------------------------------

    def item_key(self, item_id: str, created_at: str = "", parent_key: dict[str, str] | None = None) -> dict[str, str]:
        """PK/SK of an item (a child lives in its parent's partition)."""
        values = {"id": item_id, "created_at": created_at}
        if parent_key is not None:
            return {"PK": parent_key["PK"], "SK": fill(self.sk, values)}
        return {"PK": fill(self.pk, values), "SK": fill(self.sk, values)}

    def sort_prefix(self) -> str:
        """The constant start of the sort key a list query reads: SK of a child, GSI1SK of a top-level entity."""
        pattern = self.sk if self.parent else self.gsi1sk
        return pattern.split("{", 1)[0]

    # --- bodies ----------------------------------------------------------------

    def validate(self, body: dict[str, Any], caller: str, *, partial: bool = False) -> dict[str, Any]:
        """The declared fields of a POST (defaults applied) or PATCH body, as stored; BadRequest otherwise."""
        unknown = sorted(set(body) - set(self.fields))
        if unknown:
            raise BadRequest(f"unknown field(s): {', '.join(unknown)}", code="unknown_field")
        result: dict[str, Any] = {}
        for name, spec in self.fields.items():
            value = body.get(name)
            if value is None:
                if partial and name in body and spec.required:
                    raise BadRequest(f"{name} is required", code="missing_field")
                if partial:
                    continue
                if spec.default is not None:
                    result[name] = spec.check(spec.default, caller)
                elif spec.required:
                    raise BadRequest(f"{name} is required", code="missing_field")
                continue
            result[name] = spec.check(value, caller)
        if partial and not result:
            raise BadRequest("no field to change", code="missing_field")
        return result

    def removable(self, body: dict[str, Any]) -> list[str]:
        """Optional fields a PATCH sets to null (removed from the item)."""
        return sorted(n for n, v in body.items() if v is None and n in self.fields and not self.fields[n].required)

    def view(self, item: dict[str, Any], *, public: bool = False) -> dict[str, Any]:
        """What the API answers for an item: its declared fields and attributes, never its keys."""
        hidden = {"PK", "SK", "GSI1PK", "GSI1SK", "TTL", "entity", "deleting"}
        if public:
            hidden |= {"owner_id", "room_id"}
        return {k: plain(v) for k, v in item.items() if k not in hidden}

    def suggested(self, item: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
        """The item's reminder suggestions: each offset from the declared datetime field, future ones only."""
        start = item.get(self.suggestions_from or "")
        if not isinstance(start, str):
            return []
        base = parse_time(start)
        found = []
        for index, suggestion in enumerate(self.suggestions):
            due = base + timedelta(hours=suggestion.offset_hours)
            if due > now:
                found.append({"index": index, "due_at": iso(due), "text": suggestion.text})
        return found


@dataclass(frozen=True)
class Declaration:
    entities: dict[str, Entity]

    def top(self, path: str) -> Entity | None:
        entity = self.entities.get(path)
        return entity if entity is not None and entity.parent is None else None

    def child(self, parent: str, path: str) -> Entity | None:
        entity = self.entities.get(path)
        return entity if entity is not None and entity.parent == parent else None

    def route_keys(self) -> dict[str, bool]:
        """Route key -> signed in (True) or public (False): the routes this declaration generates.

        The same list modules/app_entities computes (a plan test compares them).
        """
        routes: dict[str, bool] = {}
        for entity in self.entities.values():
            if entity.parent is not None:
                base = f"/{entity.parent}/{{id}}/{entity.path}"
                routes |= {f"POST {base}": True, f"GET {base}": True, f"DELETE {base}/{{child_id}}": True}
                continue
            routes |= {f"POST /{entity.path}": True, f"GET /{entity.path}": True}
            routes |= {f"{m} /{entity.path}/{{id}}": True for m in ("GET", "PATCH", "DELETE")}
            if entity.public_flag:
                routes[f"GET /public/{entity.path}/{{id}}"] = False
            if entity.suggestions:
                routes[f"GET /{entity.path}/{{id}}/{SUGGESTIONS}"] = True
                routes[f"POST /{entity.path}/{{id}}/{SUGGESTIONS}/{{index}}"] = True
        return routes


EMPTY = Declaration({})


def fill(pattern: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], pattern)


# --- reading a declaration ------------------------------------------------------------


def _get(raw: dict[str, Any], name: str, default: Any = None) -> Any:
    value = raw.get(name)
    return default if value is None else value


def _expect(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise DeclarationError(f"{where}: {message}")


def _field(where: str, name: str, raw: Any) -> FieldSpec:
    where = f"{where} field '{name}'"
    _expect(
        FIELD_NAME.fullmatch(name) is not None and name not in RESERVED_FIELDS,
        where,
        f"a field name is lower_snake_case and not one of {', '.join(sorted(RESERVED_FIELDS))}",
    )
    _expect(isinstance(raw, dict), where, "must be an object")
    kind = raw.get("type")
    _expect(
        isinstance(kind, str) and kind in FIELD_TYPES,
        where,
        f"unknown type '{kind}' (allowed: {', '.join(sorted(FIELD_TYPES))})",
    )
    values_raw = _get(raw, "values", [])
    _expect(isinstance(values_raw, list), where, "values is a list")
    values = tuple(values_raw)
    if kind == "enum":
        _expect(bool(values) and all(isinstance(v, str) and v for v in values), where, "an enum lists its values")
    max_length = _get(raw, "max_length", STRING_MAX_DEFAULT)
    _expect(isinstance(max_length, int) and 1 <= max_length <= 10_000, where, "max_length is 1-10000")
    bounds = (_get(raw, "min"), _get(raw, "max"))
    _expect(
        all(b is None or (isinstance(b, int | float) and not isinstance(b, bool)) for b in bounds),
        where,
        "min and max are numbers",
    )
    _expect(None in bounds or bounds[0] <= bounds[1], where, "min is at most max")
    spec = FieldSpec(
        name,
        str(kind),
        bool(_get(raw, "required", False)),
        max_length,
        bounds[0],
        bounds[1],
        values,
        raw.get("default"),
    )
    if spec.default is not None:
        try:
            spec.check(spec.default, "")
        except BadRequest as refused:
            raise DeclarationError(f"{where}: default is not valid: {refused.message}") from None
    return spec


def _pattern(where: str, name: str, pattern: Any, allowed: set[str], required: set[str]) -> str:
    _expect(
        isinstance(pattern, str) and re.fullmatch(r"[A-Za-z0-9_#{}]{1,80}", pattern) is not None,
        where,
        f"key pattern {name} must be letters, digits, '_', '#' and {{field}} references",
    )
    used = set(PLACEHOLDER.findall(pattern))
    _expect(
        used <= allowed, where, f"key pattern {name} may use only {', '.join('{' + p + '}' for p in sorted(allowed))}"
    )
    _expect(
        required <= used, where, f"key pattern {name} must contain {', '.join('{' + p + '}' for p in sorted(required))}"
    )
    return str(pattern)


def _entity(raw: Any, index: int) -> Entity:
    _expect(isinstance(raw, dict), f"entities[{index}]", "must be an object")
    path = raw.get("path")
    where = f"entity '{path}'"
    _expect(
        isinstance(path, str) and PATH.fullmatch(path) is not None,
        f"entities[{index}]",
        "path must be 1-40 lowercase letters, digits or '-', starting with a letter",
    )
    _expect(path not in BUILTIN_PATHS and path != SUGGESTIONS, where, f"path collides with a built-in route (/{path})")
    prefix = _get(raw, "prefix", path.replace("-", "_").upper())
    _expect(
        isinstance(prefix, str) and PREFIX.fullmatch(prefix) is not None and prefix not in BUILTIN_PREFIXES,
        where,
        "prefix must be UPPER_SNAKE and not a built-in key prefix",
    )
    fields_raw = _get(raw, "fields", {})
    _expect(
        isinstance(fields_raw, dict) and len(fields_raw) <= MAX_FIELDS,
        where,
        f"fields is an object of at most {MAX_FIELDS}",
    )
    fields = {name: _field(where, name, spec) for name, spec in fields_raw.items()}
    parent = raw.get("parent")
    _expect(parent is None or isinstance(parent, str), where, "parent is the path of a top-level entity")
    key_raw = _get(raw, "keys", {})
    _expect(isinstance(key_raw, dict), where, "keys is an object")
    lead = f"{prefix}#"
    if parent is None:
        pk = _pattern(where, "pk", _get(key_raw, "pk", f"{prefix}#{{id}}"), {"id"}, {"id"})
        sk = _pattern(where, "sk", _get(key_raw, "sk", keys.META), {"id"}, set())
        gsi1pk = _pattern(where, "gsi1pk", _get(key_raw, "gsi1pk", "USER#{owner}"), {"owner"}, {"owner"})
        gsi1sk = _pattern(
            where, "gsi1sk", _get(key_raw, "gsi1sk", f"{prefix}#{{created_at}}#{{id}}"), {"id", "created_at"}, {"id"}
        )
    else:
        pk, gsi1pk, gsi1sk = "", "", ""
        sk = _pattern(
            where,
            "sk",
            _get(key_raw, "sk", f"{prefix}#{{created_at}}#{{id}}"),
            {"id", "created_at"},
            {"id", "created_at"},
        )
        _expect(sk.index("{created_at}") < sk.index("{id}"), where, "a child's sk sorts by {created_at} before {id}")
    for name, pattern in (("pk", pk), ("gsi1sk", gsi1sk), ("sk", sk if parent else "")):
        _expect(not pattern or pattern.startswith(lead), where, f"key pattern {name} must start with {lead}")
    owner = _get(raw, "owner", "owner")
    _expect(
        isinstance(owner, str) and owner in OWNER_RULES, where, f"owner must be one of {', '.join(sorted(OWNER_RULES))}"
    )
    chat_room = _get(raw, "chat_room", False)
    _expect(isinstance(chat_room, bool), where, "chat_room is a boolean")
    _expect(owner != "room_members" or chat_room, where, "owner 'room_members' needs chat_room")
    flag = raw.get("public_flag")
    _expect(
        flag is None or (isinstance(flag, str) and flag in fields and fields[flag].type == "boolean"),
        where,
        "public_flag names a boolean field of the entity",
    )
    suggestions_raw = _get(raw, "reminder_suggestions", {})
    _expect(isinstance(suggestions_raw, dict), where, "reminder_suggestions is an object")
    from_field = suggestions_raw.get("from_field")
    items = _get(suggestions_raw, "items", [])
    _expect(
        from_field is None
        or (isinstance(from_field, str) and from_field in fields and fields[from_field].type == "datetime"),
        where,
        "reminder_suggestions.from_field names a datetime field",
    )
    _expect(
        isinstance(items, list) and len(items) <= MAX_SUGGESTIONS and (from_field is None) == (not items),
        where,
        f"reminder_suggestions has a from_field and 1-{MAX_SUGGESTIONS} items",
    )
    suggestions = []
    for item in items:
        entry: Any = item if isinstance(item, dict) else {}
        offset, text = entry.get("offset_hours"), entry.get("text")
        _expect(
            isinstance(offset, int)
            and not isinstance(offset, bool)
            and abs(offset) <= MAX_OFFSET_HOURS
            and isinstance(text, str)
            and 0 < len(text) <= 500,
            where,
            "a reminder suggestion has an integer offset_hours and a text of 1-500 characters",
        )
        suggestions.append(Suggestion(offset, text))
    ttl_days = raw.get("ttl_days")
    _expect(
        ttl_days is None or (isinstance(ttl_days, int) and 1 <= ttl_days <= MAX_TTL_DAYS),
        where,
        f"ttl_days is 1-{MAX_TTL_DAYS}",
    )
    if parent is not None:
        _expect(
            flag is None and not chat_room and not suggestions,
            where,
            "a child collection has no public_flag, chat_room or reminder_suggestions",
        )
    return Entity(
        path,
        prefix,
        fields,
        pk,
        sk,
        gsi1pk,
        gsi1sk,
        parent,
        owner,
        flag,
        chat_room,
        from_field,
        tuple(suggestions),
        ttl_days,
    )


def parse(raw: Any) -> Declaration:
    """A declaration from its decoded JSON (``{"entities": [...]}``), or DeclarationError naming the first fault."""
    _expect(isinstance(raw, dict) and isinstance(raw.get("entities"), list), "declaration", "needs an entities list")
    entities: dict[str, Entity] = {}
    for index, entry in enumerate(raw["entities"]):
        entity = _entity(entry, index)
        _expect(entity.path not in entities, f"entity '{entity.path}'", "duplicate path")
        entities[entity.path] = entity
    prefixes = [e.prefix for e in entities.values()]
    for entity in entities.values():
        _expect(prefixes.count(entity.prefix) == 1, f"entity '{entity.path}'", f"prefix {entity.prefix} is used twice")
        if entity.parent is not None:
            parent = entities.get(entity.parent)
            _expect(
                parent is not None and parent.parent is None,
                f"entity '{entity.path}'",
                f"parent '{entity.parent}' is not a declared top-level entity",
            )
    children = {p: tuple(e.path for e in entities.values() if e.parent == p) for p in entities}
    for parent_path, names in children.items():
        parent = entities[parent_path]
        clash = [
            n
            for n in names
            if entities[n].sk.split("{", 1)[0] and parent.sk.startswith(entities[n].sk.split("{", 1)[0])
        ]
        _expect(
            not clash and SUGGESTIONS not in names,
            f"entity '{parent_path}'",
            "a child's sort key prefix must differ from the parent's sort key",
        )
    return Declaration({p: _with_children(e, children[p]) for p, e in entities.items()})


def _with_children(entity: Entity, children: tuple[str, ...]) -> Entity:
    return Entity(**{**entity.__dict__, "children": children})


def load_setting(value: str) -> Declaration:
    """APP_ENTITIES: the declaration as Terraform passes it (base64 of gzip of JSON)."""
    try:
        raw = json.loads(gzip.decompress(base64.b64decode(value, validate=True)))
    except (binascii.Error, OSError, EOFError, ValueError):
        raise ValueError("APP_ENTITIES is not base64 gzip JSON") from None
    try:
        return parse(raw)
    except DeclarationError as refused:
        raise ValueError(f"APP_ENTITIES: {refused}") from None


def encode_setting(raw: dict[str, Any]) -> str:
    """The APP_ENTITIES value of a decoded declaration (what Terraform's base64gzip(jsonencode()) makes)."""
    return base64.b64encode(gzip.compress(json.dumps(raw).encode())).decode()


# --- items ------------------------------------------------------------------------------

CHILD_ID = re.compile(r"([0-9]{13})[0-9a-f]{16}")


def iso_ms(ms: int) -> str:
    """Fixed-width UTC ISO time with milliseconds: sorts like the time it names."""
    return datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def child_id(now_ms: int, random_hex: str) -> str:
    """A child's id: its creation time leads, so its sort key can be rebuilt from the id alone."""
    return f"{now_ms:013d}{random_hex[:16]}"


def child_created_at(item_id: str) -> str | None:
    found = CHILD_ID.fullmatch(item_id)
    return iso_ms(int(found.group(1))) if found else None


def new_item(
    entity: Entity,
    fields: dict[str, Any],
    item_id: str,
    owner: str,
    now_ms: int,
    *,
    parent: dict[str, Any] | None = None,
    room_id: str | None = None,
) -> dict[str, Any]:
    """The stored item of a new entity (or of a child, under ``parent``)."""
    created_at = iso_ms(now_ms)
    parent_key = {"PK": str(parent["PK"]), "SK": str(parent["SK"])} if parent is not None else None
    item: dict[str, Any] = {
        **entity.item_key(item_id, created_at, parent_key),
        "entity": entity.path,
        "id": item_id,
        "owner_id": owner,
        "created_at": created_at,
        "updated_at": created_at,
        **fields,
    }
    if parent is None:
        item["GSI1PK"] = fill(entity.gsi1pk, {"owner": owner})
        item["GSI1SK"] = fill(entity.gsi1sk, {"id": item_id, "created_at": created_at})
    else:
        item["parent_id"] = parent["id"]
    if room_id is not None:
        item["room_id"] = room_id
    if entity.ttl_days:
        item["TTL"] = keys.ttl_in(entity.ttl_days * keys.DAY_SECONDS, now_ms / 1000)
    return item
