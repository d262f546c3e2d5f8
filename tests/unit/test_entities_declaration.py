"""parley.domain.entities: reading a declaration, its rules, the routes it generates and the setting."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from parley.domain import entities
from parley.domain.clock import iso
from parley.errors import BadRequest
from parley.handlers.entities_common import EntitySettings
from parley.settings import SettingsError
from tests.docs_tables import code, table
from tests.unit.entities_support import both_presets, preset

KEFIR_ROUTES = {
    "POST /batches": True, "GET /batches": True, "GET /batches/{id}": True, "PATCH /batches/{id}": True,
    "DELETE /batches/{id}": True, "GET /public/batches/{id}": False,
    "GET /batches/{id}/reminder-suggestions": True, "POST /batches/{id}/reminder-suggestions/{index}": True,
    "POST /batches/{id}/events": True, "GET /batches/{id}/events": True,
    "DELETE /batches/{id}/events/{child_id}": True,
}  # fmt: skip
PLYDOJO_ROUTES = {
    "POST /games": True, "GET /games": True, "GET /games/{id}": True, "PATCH /games/{id}": True,
    "DELETE /games/{id}": True,
}  # fmt: skip


def test_entities_presets_generate_their_routes() -> None:
    assert entities.parse(preset("kefir")).route_keys() == KEFIR_ROUTES
    assert entities.parse(preset("plydojo")).route_keys() == PLYDOJO_ROUTES
    assert entities.parse(both_presets()).route_keys() == KEFIR_ROUTES | PLYDOJO_ROUTES


def test_entities_presets_keep_their_key_patterns() -> None:
    games = entities.parse(preset("plydojo")).entities["games"]
    assert (games.pk, games.sk, games.gsi1pk, games.gsi1sk) == ("GAME#{id}", "METADATA", "USER#{owner}", "GAME#{id}")
    kefir = entities.parse(preset("kefir"))
    batches, events = kefir.entities["batches"], kefir.entities["events"]
    assert (batches.pk, batches.sk, batches.gsi1sk) == ("BATCH#{id}", "META", "BATCH#{created_at}#{id}")
    assert events.sk == "EVENT#{created_at}#{id}" and batches.children == ("events",)


def _with(change: dict[str, Any], index: int = 0) -> dict[str, Any]:
    raw = copy.deepcopy(preset("kefir"))
    raw["entities"][index].update(change)
    return raw


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"entities": "no"}, "needs an entities list"),
        (_with({"fields": {"body": {"type": "text"}}}), "unknown type 'text'"),
        (_with({"keys": {"pk": "BATCH#ALL"}}), "pk must contain {id}"),
        (_with({"keys": {"gsi1pk": "USER#x"}}), "gsi1pk must contain {owner}"),
        (_with({"keys": {"pk": "NOTE#{id}"}}), "pk must start with BATCH#"),
        (_with({"keys": {"sk": "EVENT#{id}"}}, 1), "sk must contain {created_at}"),
        (_with({"path": "batches"}, 1), "duplicate path"),
        (_with({"parent": "posts"}, 1), "parent 'posts' is not a declared top-level entity"),
        (_with({"path": "rooms"}), "collides with a built-in route"),
        (_with({"path": "Batches"}), "path must be"),
        (_with({"prefix": "ROOM"}), "not a built-in key prefix"),
        (_with({"prefix": "BATCH"}, 1), "prefix BATCH is used twice"),
        (_with({"public_flag": "name"}), "public_flag names a boolean field"),
        (_with({"owner": "room_members"}), "needs chat_room"),
        (_with({"owner": "anyone"}), "owner must be one of"),
        (
            _with({"reminder_suggestions": {"from_field": "name", "items": [{"offset_hours": 1, "text": "x"}]}}),
            "from_field names a datetime field",
        ),
        (
            _with(
                {"reminder_suggestions": {"from_field": "started_at", "items": [{"offset_hours": 1.5, "text": "x"}]}}
            ),
            "integer offset_hours",
        ),
        (_with({"ttl_days": 0}), "ttl_days is 1-3650"),
        (_with({"fields": {"id": {"type": "string"}}}), "not one of"),
        (_with({"fields": {"kind": {"type": "enum"}}}), "lists its values"),
        (_with({"fields": {"n": {"type": "integer", "min": 5, "max": 1}}}), "min is at most max"),
        (_with({"fields": {"n": {"type": "integer", "max": 3, "default": 4}}}), "default is not valid"),
        (_with({"chat_room": True}, 1), "a child collection has no"),
    ],
)
def test_entities_malformed_declarations_are_refused_with_the_rule(raw: dict[str, Any], fragment: str) -> None:
    with pytest.raises(entities.DeclarationError, match=fragment.replace("{", r"\{").replace("}", r"\}")):
        entities.parse(raw)


def test_entities_ttl_is_set_from_the_declaration() -> None:
    declaration = entities.parse(_with({"ttl_days": 2}))
    item = entities.new_item(declaration.entities["batches"], {}, "b1", "alice", 1_000_000)
    assert item["TTL"] == 1000 + 2 * 86_400


def test_entities_child_ids_carry_their_creation_time() -> None:
    child_id = entities.child_id(1_767_225_600_123, "ab" * 16)
    assert entities.child_created_at(child_id) == "2026-01-01T00:00:00.123Z"
    assert entities.child_created_at("1767225600123") is None


def test_entities_setting_round_trips_and_a_bad_one_fails_the_settings() -> None:
    raw = both_presets()
    assert entities.load_setting(entities.encode_setting(raw)) == entities.parse(raw)
    environ = {"TABLE_NAME": "t", "APP_ENTITIES": "bm90IGd6aXA="}
    with pytest.raises(SettingsError, match="APP_ENTITIES is not base64 gzip JSON"):
        EntitySettings.from_env(environ)
    bad = entities.encode_setting({"entities": [{"path": "rooms"}]})
    with pytest.raises(SettingsError, match="collides with a built-in route"):
        EntitySettings.from_env({"TABLE_NAME": "t", "APP_ENTITIES": bad})
    assert EntitySettings.from_env({"TABLE_NAME": "t"}).app_entities == entities.EMPTY


def test_entities_readme_lists_every_route_a_declaration_generates() -> None:
    """README's "Declared route" table, against the routes of an entity that declares every option."""
    full = {
        "entities": [
            {"path": "e", "fields": {"at": {"type": "datetime"}, "shown": {"type": "boolean"}}, "public_flag": "shown",
             "reminder_suggestions": {"from_field": "at", "items": [{"offset_hours": 1, "text": "t"}]}},
            {"path": "c", "parent": "e", "fields": {}},
        ]
    }  # fmt: skip
    generated = {
        (key.replace("/e", "/<e>").replace("/c", "/<c>"), "JWT" if signed_in else "none")
        for key, signed_in in entities.parse(full).route_keys().items()
    }
    documented = {(code(row[0]), row[1]) for row in table("README.md", "Declared route", "Auth")}
    assert documented == generated


def test_entities_suggestions_are_future_offsets_of_the_declared_time() -> None:
    # Given kefir's batches, whose suggestions are offsets from started_at
    batches = entities.parse(preset("kefir")).entities["batches"]
    offsets = [s.offset_hours for s in batches.suggestions]
    started = datetime(2030, 1, 1, tzinfo=UTC)
    item = {"started_at": "2030-01-01T00:00:00Z"}
    # When it is exactly the second one's due time, Then only the later ones are offered, with their index and text
    now = started + timedelta(hours=offsets[1])
    assert batches.suggested(item, now) == [
        {"index": i, "due_at": iso(started + timedelta(hours=offsets[i])), "text": batches.suggestions[i].text}
        for i in range(2, len(offsets))
    ]
    assert len(batches.suggested(item, started)) == len(offsets)
    assert batches.suggested({}, started) == []


def test_entities_number_bounds_are_named_as_written() -> None:
    whole = entities.FieldSpec("n", "number", min=2.0, max=5)
    half = entities.FieldSpec("n", "number", min=0.5, max=2.5)
    for spec, value, message in (
        (whole, 1, "n must be >= 2"),
        (whole, 6, "n must be <= 5"),
        (half, 3, "n must be <= 2.5"),
    ):
        with pytest.raises(BadRequest) as refused:
            spec.check(value, "alice")
        assert refused.value.message == message


# --- every declaration rule, with its whole message ----------------------------------------

NOTES = {
    "path": "notes",
    "fields": {"title": {"type": "string"}, "at": {"type": "datetime"}, "shown": {"type": "boolean"}},
}
COMMENTS = {"path": "comments", "parent": "notes"}
SUGGEST_ONE = {"from_field": "at", "items": [{"offset_hours": 1, "text": "x"}]}
N, C = "entity 'notes'", "entity 'comments'"
RESERVED = "created_at, deleting, entity, id, owner_id, parent_id, room_id, updated_at"
TYPES = "boolean, datetime, enum, integer, number, string, upload"
NAME_RULE = f"a field name is lower_snake_case and not one of {RESERVED}"
PATH_RULE = "path must be 1-40 lowercase letters, digits or '-', starting with a letter"
PREFIX_RULE = "prefix must be UPPER_SNAKE and not a built-in key prefix"
FIELDS_RULE = "fields is an object of at most 40"
CHARS = "letters, digits, '_', '#' and {field} references"
SORTS_RULE = "a child's sk sorts by {created_at} before {id}"
FROM_RULE = "reminder_suggestions.from_field names a datetime field"
ITEMS_RULE = "reminder_suggestions has a from_field and 1-20 items"
SUGGESTION_RULE = "a reminder suggestion has an integer offset_hours and a text of 1-500 characters"
CHILD_RULE = "a child collection has no public_flag, chat_room or reminder_suggestions"
SORT_RULE = "a child's sort key prefix must differ from the parent's sort key"
NOT_TOP = "is not a declared top-level entity"
TOO_LONG = "title must be at most 2 characters"
NOT_YOURS = "file must be the key of one of your uploads (POST /uploads)"
HEX = "0123456789abcdef" * 2


def _decl(*entries: Any) -> dict[str, Any]:
    return {"entities": list(entries)}


def _notes(**change: Any) -> dict[str, Any]:
    return _decl({**NOTES, **change})


def _comments(**change: Any) -> dict[str, Any]:
    return _decl(NOTES, {**COMMENTS, **change})


def _suggesting(*items: Any) -> dict[str, Any]:
    return _notes(reminder_suggestions={"from_field": "at", "items": list(items)})


def _refusal(raw: Any) -> str:
    with pytest.raises(entities.DeclarationError) as refused:
        entities.parse(raw)
    assert type(refused.value) is entities.DeclarationError
    return str(refused.value)


@pytest.mark.parametrize(
    ("raw", "where", "rule"),
    [
        ([], "declaration", "needs an entities list"),
        ({}, "declaration", "needs an entities list"),
        ({"entities": {}}, "declaration", "needs an entities list"),
        (_decl(NOTES, NOTES), N, "duplicate path"),
        (_decl(NOTES, {"path": "memos", "prefix": "NOTES"}), N, "prefix NOTES is used twice"),
        (_decl(NOTES, {**COMMENTS, "parent": "posts"}), C, f"parent 'posts' {NOT_TOP}"),
        (_decl(NOTES, COMMENTS, {"path": "re", "parent": "comments"}), "entity 're'", f"parent 'comments' {NOT_TOP}"),
        (_decl({**NOTES, "keys": {"sk": "COMMENTS#META"}}, COMMENTS), N, SORT_RULE),
        (_decl({**NOTES, "keys": {"sk": "COMMENTS#{id}"}}, COMMENTS), N, SORT_RULE),
    ],
)  # fmt: skip
def test_entities_parse_refuses_a_declaration_with_the_rule(raw: Any, where: str, rule: str) -> None:
    assert _refusal(raw) == f"{where}: {rule}"


@pytest.mark.parametrize(
    ("raw", "where", "rule"),
    [
        (_decl("notes"), "entities[0]", "must be an object"),
        (_decl(NOTES, None), "entities[1]", "must be an object"),
        (_notes(path="Notes"), "entities[0]", PATH_RULE),
        (_notes(path="1notes"), "entities[0]", PATH_RULE),
        (_notes(path="no_tes"), "entities[0]", PATH_RULE),
        (_notes(path="n" * 41), "entities[0]", PATH_RULE),
        (_decl(NOTES, {"fields": {}}), "entities[1]", PATH_RULE),
        (_notes(path="rooms"), "entity 'rooms'", "path collides with a built-in route (/rooms)"),
        (_notes(path="health"), "entity 'health'", "path collides with a built-in route (/health)"),
        (
            _notes(path="reminder-suggestions"),
            "entity 'reminder-suggestions'",
            "path collides with a built-in route (/reminder-suggestions)",
        ),
        (_notes(prefix="ROOM"), N, PREFIX_RULE),
        (_notes(prefix="Notes"), N, PREFIX_RULE),
        (_notes(prefix="N" * 21), N, PREFIX_RULE),
        (_notes(prefix=5), N, PREFIX_RULE),
        (_notes(path="room", prefix=None), "entity 'room'", PREFIX_RULE),
        (_notes(fields=[]), N, FIELDS_RULE),
        (_notes(fields={f"f{i}": {"type": "boolean"} for i in range(41)}), N, FIELDS_RULE),
        (_notes(keys=[]), N, "keys is an object"),
        (_notes(parent=["notes"]), N, "parent is the path of a top-level entity"),
        (_comments(keys={"sk": "COMMENTS#{id}#{created_at}"}), C, SORTS_RULE),
        (_comments(keys={"sk": "COMMENTS#{id}#{created_at}#{id}"}), C, SORTS_RULE),
        (_notes(keys={"pk": "NOTE#{id}"}), N, "key pattern pk must start with NOTES#"),
        (_notes(keys={"gsi1sk": "NOTE#{id}"}), N, "key pattern gsi1sk must start with NOTES#"),
        (_comments(keys={"sk": "COMMENT#{created_at}#{id}"}), C, "key pattern sk must start with COMMENTS#"),
        (_notes(owner="anyone"), N, "owner must be one of owner, room_members"),
        (_notes(owner=["owner"]), N, "owner must be one of owner, room_members"),
        (_notes(chat_room="yes"), N, "chat_room is a boolean"),
        (_notes(chat_room=1), N, "chat_room is a boolean"),
        (_notes(owner="room_members"), N, "owner 'room_members' needs chat_room"),
        (_notes(owner="room_members", chat_room=False), N, "owner 'room_members' needs chat_room"),
        (_notes(public_flag="title"), N, "public_flag names a boolean field of the entity"),
        (_notes(public_flag="hidden"), N, "public_flag names a boolean field of the entity"),
        (_notes(public_flag=["shown"]), N, "public_flag names a boolean field of the entity"),
        (_notes(reminder_suggestions=[]), N, "reminder_suggestions is an object"),
        (_notes(reminder_suggestions="at"), N, "reminder_suggestions is an object"),
        (_notes(reminder_suggestions={**SUGGEST_ONE, "from_field": "title"}), N, FROM_RULE),
        (_notes(reminder_suggestions={**SUGGEST_ONE, "from_field": "when"}), N, FROM_RULE),
        (_notes(reminder_suggestions={**SUGGEST_ONE, "from_field": ["at"]}), N, FROM_RULE),
        (_notes(reminder_suggestions={"items": SUGGEST_ONE["items"]}), N, ITEMS_RULE),
        (_notes(reminder_suggestions={"from_field": "at"}), N, ITEMS_RULE),
        (_notes(reminder_suggestions={"from_field": "at", "items": "x"}), N, ITEMS_RULE),
        (_suggesting(), N, ITEMS_RULE),
        (_suggesting(*[{"offset_hours": i, "text": "x"} for i in range(21)]), N, ITEMS_RULE),
        (_suggesting({"offset_hours": 1.5, "text": "x"}), N, SUGGESTION_RULE),
        (_suggesting({"offset_hours": True, "text": "x"}), N, SUGGESTION_RULE),
        (_suggesting({"offset_hours": "1", "text": "x"}), N, SUGGESTION_RULE),
        (_suggesting({"text": "x"}), N, SUGGESTION_RULE),
        (_suggesting({"offset_hours": 8785, "text": "x"}), N, SUGGESTION_RULE),
        (_suggesting({"offset_hours": -8785, "text": "x"}), N, SUGGESTION_RULE),
        (_suggesting({"offset_hours": 1, "text": ""}), N, SUGGESTION_RULE),
        (_suggesting({"offset_hours": 1, "text": "x" * 501}), N, SUGGESTION_RULE),
        (_suggesting({"offset_hours": 1, "text": 5}), N, SUGGESTION_RULE),
        (_suggesting({"offset_hours": 1}), N, SUGGESTION_RULE),
        (_suggesting(1), N, SUGGESTION_RULE),
        (_notes(ttl_days=0), N, "ttl_days is 1-3650"),
        (_notes(ttl_days=3651), N, "ttl_days is 1-3650"),
        (_notes(ttl_days="7"), N, "ttl_days is 1-3650"),
        (_notes(ttl_days=1.5), N, "ttl_days is 1-3650"),
        (_comments(fields={"shown": {"type": "boolean"}}, public_flag="shown"), C, CHILD_RULE),
        (_comments(chat_room=True), C, CHILD_RULE),
        (_comments(fields={"at": {"type": "datetime"}}, reminder_suggestions=SUGGEST_ONE), C, CHILD_RULE),
    ],
)  # fmt: skip
def test_entities_entity_refusals_name_the_entity_and_the_rule(raw: Any, where: str, rule: str) -> None:
    assert _refusal(raw) == f"{where}: {rule}"


@pytest.mark.parametrize(
    ("raw", "where", "rule"),
    [
        (_notes(keys={"pk": "NOTES #{id}"}), N, f"key pattern pk must be {CHARS}"),
        (_notes(keys={"pk": ""}), N, f"key pattern pk must be {CHARS}"),
        (_notes(keys={"pk": "NOTES#{id}" + "X" * 71}), N, f"key pattern pk must be {CHARS}"),
        (_notes(keys={"sk": 5}), N, f"key pattern sk must be {CHARS}"),
        (_notes(keys={"pk": "NOTES#{id}#{owner}"}), N, "key pattern pk may use only {id}"),
        (_notes(keys={"sk": "META#{created_at}"}), N, "key pattern sk may use only {id}"),
        (_notes(keys={"gsi1pk": "USER#{id}"}), N, "key pattern gsi1pk may use only {owner}"),
        (_notes(keys={"gsi1sk": "NOTES#{owner}#{id}"}), N, "key pattern gsi1sk may use only {created_at}, {id}"),
        (_notes(keys={"pk": "NOTES#ALL"}), N, "key pattern pk must contain {id}"),
        (_notes(keys={"gsi1pk": "USERS"}), N, "key pattern gsi1pk must contain {owner}"),
        (_notes(keys={"gsi1sk": "NOTES#{created_at}"}), N, "key pattern gsi1sk must contain {id}"),
        (_comments(keys={"sk": "COMMENTS#{id}"}), C, "key pattern sk must contain {created_at}, {id}"),
        (_comments(keys={"sk": "COMMENTS#{x}{created_at}{id}"}), C, "key pattern sk may use only {created_at}, {id}"),
    ],
)  # fmt: skip
def test_entities_key_pattern_refusals_name_the_key_and_the_rule(raw: Any, where: str, rule: str) -> None:
    assert _refusal(raw) == f"{where}: {rule}"


@pytest.mark.parametrize(
    ("name", "spec", "rule"),
    [
        ("Title", {"type": "string"}, NAME_RULE),
        ("owner_id", {"type": "string"}, NAME_RULE),
        ("t" * 41, {"type": "string"}, NAME_RULE),
        ("title", "string", "must be an object"),
        ("title", {"type": "text"}, f"unknown type 'text' (allowed: {TYPES})"),
        ("title", {}, f"unknown type 'None' (allowed: {TYPES})"),
        ("title", {"type": ["string"]}, f"unknown type '['string']' (allowed: {TYPES})"),
        ("kind", {"type": "enum", "values": 5}, "values is a list"),
        ("kind", {"type": "enum", "values": "ab"}, "values is a list"),
        ("kind", {"type": "enum"}, "an enum lists its values"),
        ("kind", {"type": "enum", "values": []}, "an enum lists its values"),
        ("kind", {"type": "enum", "values": ["a", ""]}, "an enum lists its values"),
        ("kind", {"type": "enum", "values": ["a", 1]}, "an enum lists its values"),
        ("title", {"type": "string", "max_length": 0}, "max_length is 1-10000"),
        ("title", {"type": "string", "max_length": 10_001}, "max_length is 1-10000"),
        ("title", {"type": "string", "max_length": "5"}, "max_length is 1-10000"),
        ("title", {"type": "string", "max_length": 2.5}, "max_length is 1-10000"),
        ("n", {"type": "number", "min": "1"}, "min and max are numbers"),
        ("n", {"type": "number", "max": True}, "min and max are numbers"),
        ("n", {"type": "number", "min": 2, "max": 1}, "min is at most max"),
        ("n", {"type": "number", "min": 0.5, "max": 0.25}, "min is at most max"),
        ("n", {"type": "integer", "max": 3, "default": 4}, "default is not valid: n must be <= 3"),
        ("title", {"type": "string", "max_length": 2, "default": "abc"}, f"default is not valid: {TOO_LONG}"),
        ("file", {"type": "upload", "default": f"users/XXXX/{HEX}/a.png"}, f"default is not valid: {NOT_YOURS}"),
    ],
)  # fmt: skip
def test_entities_field_declaration_refusals_name_the_field_and_the_rule(name: str, spec: Any, rule: str) -> None:
    assert _refusal(_notes(fields={name: spec})) == f"entity 'notes' field '{name}': {rule}"


# --- what a declaration reads as: defaults, every option and the boundaries it accepts ---------


def test_entities_declaration_defaults_fill_every_option() -> None:
    parsed = entities.parse(_decl({"path": "my-notes"}, {"path": "comments", "parent": "my-notes"}))
    assert parsed.entities == {
        "my-notes": entities.Entity(
            "my-notes", "MY_NOTES", {}, "MY_NOTES#{id}", "META", "USER#{owner}", "MY_NOTES#{created_at}#{id}",
            None, "owner", None, False, None, (), None, ("comments",),
        ),
        "comments": entities.Entity(
            "comments", "COMMENTS", {}, "", "COMMENTS#{created_at}#{id}", "", "", "my-notes", "owner", None, False,
            None, (), None, (),
        ),
    }  # fmt: skip


def test_entities_declaration_reads_every_option() -> None:
    fields = {
        "title": {"type": "string", "required": True, "max_length": 10_000},
        "short": {"type": "string", "max_length": 1, "required": None},
        "n": {"type": "number", "min": -1.5, "max": -1.5},
        "i": {"type": "integer", "min": 1},
        "kind": {"type": "enum", "values": ["a", "b"], "default": "a"},
        "at": {"type": "datetime"},
        "shown": {"type": "boolean", "required": False},
        "file": {"type": "upload"},
    }
    raw = {
        "path": "events", "prefix": "EV", "fields": fields, "owner": "room_members", "chat_room": True,
        "keys": {"pk": "EV#{id}", "sk": "DETAIL#{id}", "gsi1pk": "OWNER#{owner}", "gsi1sk": "EV#{id}"},
        "public_flag": "shown", "ttl_days": 3650,
        "reminder_suggestions": {
            "from_field": "at",
            "items": [{"offset_hours": -8784, "text": "x"}, {"offset_hours": 8784, "text": "y" * 500}],
        },
    }  # fmt: skip
    child = {"path": "notes", "parent": "events", "keys": {"sk": "NOTES#{created_at}{id}"}, "ttl_days": 1}
    parsed = entities.parse(_decl(raw, child))
    FieldSpec = entities.FieldSpec
    assert parsed.entities["events"] == entities.Entity(
        "events", "EV",
        {
            "title": FieldSpec("title", "string", True, 10_000, None, None, (), None),
            "short": FieldSpec("short", "string", False, 1, None, None, (), None),
            "n": FieldSpec("n", "number", False, 1000, -1.5, -1.5, (), None),
            "i": FieldSpec("i", "integer", False, 1000, 1, None, (), None),
            "kind": FieldSpec("kind", "enum", False, 1000, None, None, ("a", "b"), "a"),
            "at": FieldSpec("at", "datetime", False, 1000, None, None, (), None),
            "shown": FieldSpec("shown", "boolean", False, 1000, None, None, (), None),
            "file": FieldSpec("file", "upload", False, 1000, None, None, (), None),
        },
        "EV#{id}", "DETAIL#{id}", "OWNER#{owner}", "EV#{id}", None, "room_members", "shown", True, "at",
        (entities.Suggestion(-8784, "x"), entities.Suggestion(8784, "y" * 500)), 3650, ("notes",),
    )  # fmt: skip
    assert parsed.entities["notes"] == entities.Entity(
        "notes", "NOTES", {}, "", "NOTES#{created_at}{id}", "", "", "events", "owner", None, False, None, (), 1, ()
    )


@pytest.mark.parametrize(
    "raw",
    [
        _notes(path="n" * 40, prefix="LONG"),
        _notes(prefix="N" * 20),
        _notes(fields={f"f{i}": {"type": "boolean"} for i in range(40)}),
        _notes(fields={"t" * 40: {"type": "string", "max_length": 1}}),
        _notes(keys={"pk": "NOTES#{id}" + "X" * 70}),
        _notes(keys={"sk": "ANY#{id}"}),
        _notes(fields={"n": {"type": "number", "min": 2, "max": 2}}),
        _notes(fields={"n": {"type": "integer", "max": 3, "default": 3}}),
        _suggesting(*[{"offset_hours": i, "text": "x"} for i in range(20)]),
        _notes(owner="room_members", chat_room=True),
        _decl({**NOTES, "keys": {"sk": "COMMENTS"}}, COMMENTS),
        _decl({**NOTES, "keys": {"sk": "COMMENT#{id}"}}, COMMENTS),
        _comments(keys={"sk": "COMMENTS#{created_at}#{id}#{created_at}"}),
    ],
)
def test_entities_declaration_accepts_values_at_the_limits(raw: dict[str, Any]) -> None:
    entry = raw["entities"][0]
    assert entities.parse(raw).entities[entry["path"]].path == entry["path"]
