"""parley.domain.entities: request bodies checked against a declaration, items made from them and their views."""

from __future__ import annotations

import base64
import math
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from parley.domain import entities
from parley.domain.entities import FieldSpec
from parley.errors import BadRequest

KEY = "users/alice/0123456789abcdef0123456789abcdef/photo.png"
BOBS_KEY = "users/bob/0123456789abcdef0123456789abcdef/photo.png"
NOT_YOURS = "file must be the key of one of your uploads (POST /uploads)"
TITLE = FieldSpec("title", "string", max_length=5)
KIND = FieldSpec("kind", "enum", values=("a", "b"))
AT = FieldSpec("at", "datetime")
FILE = FieldSpec("file", "upload")
SHOWN = FieldSpec("shown", "boolean")
NUMBER = FieldSpec("n", "number", min=-1.5, max=2)
WHOLE = FieldSpec("i", "integer", min=1, max=3)


def _refusal(spec: FieldSpec, value: Any) -> tuple[str, str]:
    with pytest.raises(BadRequest) as refused:
        spec.check(value, "alice")
    assert type(refused.value) is BadRequest
    return refused.value.message, refused.value.code


# --- FieldSpec.check / FieldSpec._number: refusals ---------------------------------------


@pytest.mark.parametrize(
    ("spec", "value", "message"),
    [
        (TITLE, 5, "title must be a string"),
        (KIND, 1, "kind must be a string"),
        (AT, 1, "at must be a string"),
        (FILE, None, "file must be a string"),
        (TITLE, "abcdef", "title must be at most 5 characters"),
        (TITLE, "a\x00b", "title contains control characters"),
        (TITLE, "\x1f", "title contains control characters"),
        (TITLE, "a\rb", "title contains control characters"),
        (KIND, "c", "kind must be one of a, b"),
        (KIND, "A", "kind must be one of a, b"),
        (AT, " " * 21 + "2030-01-31T09:00:00Z", "at must be an ISO 8601 time"),
        (AT, "2030-01-31T09:00:00", "at must be an ISO 8601 time with a zone, e.g. 2030-01-31T09:00:00Z"),
        (AT, "tomorrow", "at must be an ISO 8601 time with a zone, e.g. 2030-01-31T09:00:00Z"),
        (FILE, BOBS_KEY, NOT_YOURS),
        (FILE, "photo.png", NOT_YOURS),
        (FILE, KEY + "/x", NOT_YOURS),
        (SHOWN, 1, "shown must be a boolean"),
        (SHOWN, "true", "shown must be a boolean"),
        (NUMBER, "1", "n must be a number"),
        (NUMBER, True, "n must be a number"),
        (NUMBER, None, "n must be a number"),
        (WHOLE, "1", "i must be an integer"),
        (WHOLE, False, "i must be an integer"),
        (WHOLE, 2.0, "i must be an integer"),
        (NUMBER, math.nan, "n must be a finite number"),
        (NUMBER, math.inf, "n must be a finite number"),
        (NUMBER, -math.inf, "n must be a finite number"),
        (NUMBER, -1.6, "n must be >= -1.5"),
        (NUMBER, 2.01, "n must be <= 2"),
        (WHOLE, 0, "i must be >= 1"),
        (WHOLE, 4, "i must be <= 3"),
    ],
)  # fmt: skip
def test_entities_field_refusals_name_the_field_and_rule(spec: FieldSpec, value: Any, message: str) -> None:
    assert _refusal(spec, value) == (message, "invalid_field")


# --- FieldSpec.check / FieldSpec._number: accepted values, as stored ---------------------


@pytest.mark.parametrize(
    ("spec", "value", "stored"),
    [
        (TITLE, "abcde", "abcde"),
        (TITLE, "", ""),
        (TITLE, "a\nb\tc", "a\nb\tc"),
        (TITLE, " ~\x7f", " ~\x7f"),
        (KIND, "b", "b"),
        (AT, " " * 20 + "2030-01-31T09:00:00Z", "2030-01-31T09:00:00Z"),
        (AT, "2030-01-31T10:30:00+01:00", "2030-01-31T09:30:00Z"),
        (FILE, KEY, KEY),
        (SHOWN, False, False),
        (SHOWN, True, True),
        (NUMBER, -1.5, Decimal("-1.5")),
        (NUMBER, 2, 2),
        (NUMBER, 0.25, Decimal("0.25")),
        (WHOLE, 1, 1),
        (WHOLE, 3, 3),
        (FieldSpec("u", "number"), -(10**30), -(10**30)),
    ],
)  # fmt: skip
def test_entities_field_accepts_values_within_the_rules(spec: FieldSpec, value: Any, stored: Any) -> None:
    result = spec.check(value, "alice")
    assert result == stored
    assert type(result) is type(stored)


# --- Entity.validate ----------------------------------------------------------------------

NOTES = entities.parse(
    {
        "entities": [
            {
                "path": "notes",
                "fields": {
                    "title": {"type": "string", "required": True, "max_length": 5},
                    "kind": {"type": "enum", "values": ["a", "b"], "default": "b"},
                    "n": {"type": "integer"},
                },
            }
        ]
    }
).entities["notes"]


@pytest.mark.parametrize(
    ("body", "partial", "message", "code"),
    [
        ({"zz": 1, "aa": 2, "title": "t"}, False, "unknown field(s): aa, zz", "unknown_field"),
        ({"zz": 1}, True, "unknown field(s): zz", "unknown_field"),
        ({"n": 1}, False, "title is required", "missing_field"),
        ({"title": None}, False, "title is required", "missing_field"),
        ({"title": None}, True, "title is required", "missing_field"),
        ({}, True, "no field to change", "missing_field"),
        ({"n": None}, True, "no field to change", "missing_field"),
        ({"title": "toolong"}, True, "title must be at most 5 characters", "invalid_field"),
        ({"title": "t", "kind": "c"}, False, "kind must be one of a, b", "invalid_field"),
    ],
)
def test_entities_bodies_are_refused_with_the_rule(
    body: dict[str, Any], partial: bool, message: str, code: str
) -> None:
    with pytest.raises(BadRequest) as refused:
        NOTES.validate(body, "alice", partial=partial)
    assert (type(refused.value), refused.value.message, refused.value.code) == (BadRequest, message, code)


@pytest.mark.parametrize(
    ("body", "partial", "stored"),
    [
        ({"title": "t"}, False, {"title": "t", "kind": "b"}),
        ({"title": "t", "kind": None, "n": None}, False, {"title": "t", "kind": "b"}),
        ({"title": "t", "kind": "a", "n": 2}, False, {"title": "t", "kind": "a", "n": 2}),
        ({"n": 3}, True, {"n": 3}),
        ({"kind": None, "n": 3}, True, {"n": 3}),
    ],
)
def test_entities_bodies_are_stored_with_defaults(body: dict[str, Any], partial: bool, stored: dict[str, Any]) -> None:
    assert NOTES.validate(body, "alice", partial=partial) == stored


def test_entities_patch_nulls_remove_only_optional_declared_fields() -> None:
    assert NOTES.removable({"title": None, "n": None, "kind": None, "zz": None, "x": 1}) == ["kind", "n"]


# --- Entity.view --------------------------------------------------------------------------

STORED = {
    "PK": "NOTES#n1", "SK": "META", "GSI1PK": "USER#alice", "GSI1SK": "NOTES#t#n1", "TTL": 5,
    "entity": "notes", "deleting": True, "id": "n1", "owner_id": "alice", "room_id": "r1",
    "parent_id": "p1", "created_at": "t", "n": Decimal("2"), "ratio": Decimal("0.5"), "title": "x",
}  # fmt: skip


def test_entities_view_shows_fields_and_attributes_but_never_keys() -> None:
    assert NOTES.view(STORED) == {
        "id": "n1", "owner_id": "alice", "room_id": "r1", "parent_id": "p1", "created_at": "t",
        "n": 2, "ratio": 0.5, "title": "x",
    }  # fmt: skip


def test_entities_public_view_also_hides_the_owner_and_room() -> None:
    assert NOTES.view(STORED, public=True) == {
        "id": "n1", "parent_id": "p1", "created_at": "t", "n": 2, "ratio": 0.5, "title": "x",
    }  # fmt: skip


# --- keys and items -----------------------------------------------------------------------

DECLARATION = entities.parse(
    {
        "entities": [
            {
                "path": "notes",
                "keys": {"pk": "NOTES#{id}", "sk": "ITEM#{id}", "gsi1sk": "NOTES#{created_at}#{id}"},
                "ttl_days": 3,
            },
            {"path": "comments", "parent": "notes"},
        ]
    }
)
TOP, CHILD = DECLARATION.entities["notes"], DECLARATION.entities["comments"]


def test_entities_item_keys_fill_the_patterns() -> None:
    assert TOP.item_key("n1", "t0") == {"PK": "NOTES#n1", "SK": "ITEM#n1"}
    parent_key = {"PK": "NOTES#n1", "SK": "ITEM#n1"}
    assert CHILD.item_key("c1", "t0", parent_key) == {"PK": "NOTES#n1", "SK": "COMMENTS#t0#c1"}


def test_entities_sort_prefix_is_the_constant_start_of_the_list_sort_key() -> None:
    assert TOP.sort_prefix() == "NOTES#"
    assert CHILD.sort_prefix() == "COMMENTS#"


def test_entities_top_and_child_find_only_their_kind() -> None:
    assert DECLARATION.top("notes") is TOP
    assert DECLARATION.top("comments") is None
    assert DECLARATION.top("nothing") is None
    assert DECLARATION.child("notes", "comments") is CHILD
    assert DECLARATION.child("other", "comments") is None
    assert DECLARATION.child("notes", "notes") is None


def test_entities_new_item_carries_keys_attributes_fields_and_ttl() -> None:
    # 2026-01-01T00:00:00.123Z
    item = entities.new_item(TOP, {"title": "x"}, "n1", "alice", 1_767_225_600_123, room_id="r1")
    assert item == {
        "PK": "NOTES#n1", "SK": "ITEM#n1", "entity": "notes", "id": "n1", "owner_id": "alice",
        "created_at": "2026-01-01T00:00:00.123Z", "updated_at": "2026-01-01T00:00:00.123Z", "title": "x",
        "GSI1PK": "USER#alice", "GSI1SK": "NOTES#2026-01-01T00:00:00.123Z#n1", "room_id": "r1",
        "TTL": 1_767_225_600 + 3 * 86_400,
    }  # fmt: skip


def test_entities_new_child_item_lives_in_its_parents_partition() -> None:
    parent = {"PK": "NOTES#n1", "SK": "ITEM#n1", "id": "n1"}
    item = entities.new_item(CHILD, {}, "c1", "bob", 1_767_225_600_007, parent=parent)
    assert item == {
        "PK": "NOTES#n1", "SK": "COMMENTS#2026-01-01T00:00:00.007Z#c1", "entity": "comments", "id": "c1",
        "owner_id": "bob", "created_at": "2026-01-01T00:00:00.007Z", "updated_at": "2026-01-01T00:00:00.007Z",
        "parent_id": "n1",
    }  # fmt: skip


@pytest.fixture
def _new_york_time() -> Iterator[None]:
    """The process's local zone away from UTC, so a time that leaned on it would show."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    mp.undo()
    time.tzset()


@pytest.mark.usefixtures("_new_york_time")
@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (0, "1970-01-01T00:00:00.000Z"),
        (1_767_225_599_999, "2025-12-31T23:59:59.999Z"),
        (1_767_225_600_050, "2026-01-01T00:00:00.050Z"),
    ],
)
def test_entities_iso_ms_is_utc_with_milliseconds(ms: int, text: str) -> None:
    assert entities.iso_ms(ms) == text


# --- load_setting -------------------------------------------------------------------------


def test_entities_setting_with_characters_outside_base64_is_refused() -> None:
    value = entities.encode_setting({"entities": []})
    assert entities.load_setting(value) == entities.EMPTY
    with pytest.raises(ValueError, match=r"^APP_ENTITIES is not base64 gzip JSON$"):
        entities.load_setting(value[:4] + "!" + value[4:])
    with pytest.raises(ValueError, match=r"^APP_ENTITIES is not base64 gzip JSON$"):
        entities.load_setting(base64.b64encode(b"not gzip").decode())


def test_entities_setting_with_a_bad_declaration_names_the_rule() -> None:
    with pytest.raises(ValueError) as refused:
        entities.load_setting(entities.encode_setting({"entities": [{"path": "rooms"}]}))
    assert type(refused.value) is ValueError
    assert str(refused.value) == "APP_ENTITIES: entity 'rooms': path collides with a built-in route (/rooms)"
