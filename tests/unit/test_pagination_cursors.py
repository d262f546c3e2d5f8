"""domain/pagination.py: cursors round-trip exactly, forged or mangled ones are a 400, limits are bounded."""

from __future__ import annotations

import base64
import json

import pytest

from parley.domain.pagination import DEFAULT_LIMIT, GSI1_KEYS, PRIMARY_KEYS, decode, encode, limit
from parley.errors import BadRequest

LAST_KEY = {"SK": "MSG#0000000000001#m1", "PK": "ROOM#r1"}


def forge(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def refused(cursor: str, partition: tuple[str, str] = ("PK", "ROOM#r1")) -> tuple[str, str]:
    with pytest.raises(BadRequest) as error:
        decode(cursor, key_names=PRIMARY_KEYS, partition=partition)
    return error.value.code, error.value.message


def test_pagination_cursor_is_unpadded_base64url_of_compact_sorted_json() -> None:
    # Given a LastEvaluatedKey / When encoded / Then its text is the sorted compact JSON, base64url without '='
    cursor = encode(LAST_KEY)
    assert cursor is not None and "=" not in cursor
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    assert raw == '{"PK":"ROOM#r1","SK":"MSG#0000000000001#m1"}'
    # And it decodes back to the same key within its partition
    assert decode(cursor, key_names=PRIMARY_KEYS, partition=("PK", "ROOM#r1")) == LAST_KEY


def test_pagination_no_last_key_is_no_cursor_and_no_cursor_is_the_first_page() -> None:
    assert encode(None) is None and encode({}) is None
    assert decode(None, key_names=PRIMARY_KEYS, partition=("PK", "x")) is None
    assert decode("", key_names=PRIMARY_KEYS, partition=("PK", "x")) is None


def test_pagination_index_cursor_needs_all_four_keys() -> None:
    key = {"PK": "ROOM#r1", "SK": "MEMBER#u1", "GSI1PK": "USER#u1", "GSI1SK": "ROOM#r1"}
    cursor = encode(key)
    assert cursor is not None
    assert decode(cursor, key_names=GSI1_KEYS, partition=("GSI1PK", "USER#u1")) == key
    with pytest.raises(BadRequest, match=r"^cursor is not valid$"):
        decode(cursor, key_names=PRIMARY_KEYS, partition=("PK", "ROOM#r1"))


@pytest.mark.parametrize(
    "cursor",
    [
        forge({"PK": "ROOM#r2", "SK": "MSG#1"}),  # another partition
        forge({"PK": "ROOM#r1"}),  # a key missing
        forge({"PK": "ROOM#r1", "SK": "MSG#1", "X": "1"}),  # a key too many
        forge({"PK": "ROOM#r1", "SK": ""}),  # an empty value
        forge({"PK": "ROOM#r1", "SK": 1}),  # not a string
        forge(["PK", "SK"]),  # not an object
        "%%%",  # not base64
        forge("x")[:-1] + "!",  # broken base64 text
        base64.urlsafe_b64encode(b"not json").decode(),  # not JSON
    ],
)
def test_pagination_forged_or_mangled_cursors_are_refused(cursor: str) -> None:
    assert refused(cursor) == ("invalid_cursor", "cursor is not valid")


def test_pagination_cursor_length_is_bounded() -> None:
    # Given a valid cursor padded to exactly 1024 characters, and one character more
    exact = forge({"PK": "ROOM#r1", "SK": "x" * 2000})[:1024]
    assert refused(exact)[1] == "cursor is not valid"  # cut JSON, but not refused for its length
    assert refused(exact + "a") == ("invalid_cursor", "cursor is too long")


def test_pagination_limit_defaults_to_20_and_allows_1_to_100() -> None:
    assert limit(None) == DEFAULT_LIMIT == 20
    assert limit("") == 20
    assert (limit("1"), limit("100"), limit("7")) == (1, 100, 7)


@pytest.mark.parametrize("raw", ["0", "101", "-1", "ten", "1.5", "١٢", " 5"])
def test_pagination_limit_outside_1_to_100_is_refused(raw: str) -> None:
    with pytest.raises(BadRequest) as error:
        limit(raw)
    assert (error.value.code, error.value.message) == ("invalid_limit", "limit must be an integer between 1 and 100")
