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
