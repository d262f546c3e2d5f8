"""domain/validation.py: every refusal names the field, its limit and a stable code; values come back JSON-friendly."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from parley.domain.validation import Field, path_id, plain, public_item, validate
from parley.errors import AppError, BadRequest, NotFound


def refusal(body: dict[str, Any], schema: dict[str, Field], *, partial: bool = False) -> tuple[str, str]:
    with pytest.raises(BadRequest) as refused:
        validate(body, schema, partial=partial)
    return refused.value.code, refused.value.message


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (Field(int), True, "v must be an integer"),
        (Field(int), "1", "v must be an integer"),
        (Field(str), 1, "v must be a string"),
        (Field(bool), "yes", "v must be a boolean"),
        (Field(dict), [], "v must be a object"),
        (Field(list), {}, "v must be a list"),
        (Field(float), "1.5", "v must be a float"),
        (Field(str, min_length=2), "a", "v must be at least 2 characters"),
        (Field(str, max_length=3), "abcd", "v must be at most 3 characters"),
        (Field(str, nonblank=True), " \t ", "v must not be blank"),
        (Field(str), "a\x1fb", "v contains control characters"),
        (Field(str), "a\x00", "v contains control characters"),
        (Field(str, choices=frozenset({"light", "dark"})), "blue", "v must be one of dark, light"),
        (Field(str, pattern=re.compile(r"[a-z]{2}")), "abc", "v has an invalid format"),
        (Field(str, pattern=re.compile(r"[a-z]{2}")), "1ab", "v has an invalid format"),
        (Field(int, minimum=1), 0, "v must be >= 1"),
        (Field(int, maximum=5), 6, "v must be <= 5"),
    ],
)
def test_validation_refuses_a_bad_value_naming_the_field_and_its_limit(field: Field, value: Any, message: str) -> None:
    # Given a one-field schema / When the value breaks it / Then a 400 names the field and the limit
    assert refusal({"v": value}, {"v": field}) == ("invalid_field", message)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (Field(str, min_length=2, max_length=3), "ab"),
        (Field(str, min_length=2, max_length=3), "abc"),
        (Field(str, nonblank=True), " a "),
        (Field(str), "line one\nline\ttwo"),
        (Field(str), " "),
        (Field(str, choices=frozenset({"light", "dark"})), "dark"),
        (Field(str, pattern=re.compile(r"[a-z]{2}")), "ab"),
        (Field(int, minimum=1, maximum=5), 1),
        (Field(int, minimum=1, maximum=5), 5),
        (Field(bool), False),
        (Field(dict), {"a": 1}),
    ],
)
def test_validation_accepts_values_on_the_limits(field: Field, value: Any) -> None:
    # Given a value exactly on a limit (or a newline or tab in text) / When validated / Then it comes back unchanged
    assert validate({"v": value}, {"v": field}) == {"v": value}


def test_validation_refuses_unknown_fields_listed_in_order() -> None:
    assert refusal({"b": 1, "a": 2, "k": 3}, {"k": Field(int)}) == ("unknown_field", "unknown field(s): a, b")


def test_validation_requires_fields_and_treats_null_as_missing() -> None:
    schema = {"name": Field(str), "bio": Field(str, required=False)}
    assert refusal({}, schema) == ("missing_field", "name is required")
    assert refusal({"name": None}, schema) == ("missing_field", "name is required")
    # An optional field may be absent or null, and is then left out
    assert validate({"name": "n", "bio": None}, schema) == {"name": "n"}


def test_validation_partial_makes_fields_optional_but_needs_one() -> None:
    schema = {"name": Field(str), "bio": Field(str)}
    assert validate({"bio": "b"}, schema, partial=True) == {"bio": "b"}
    assert refusal({}, schema, partial=True) == ("missing_field", "no field to change")
    assert refusal({"name": None}, schema, partial=True) == ("missing_field", "no field to change")


def test_validation_path_id_allows_64_id_characters_and_hides_the_rest_as_not_found() -> None:
    assert path_id("A-z_09" + "x" * 58) == "A-z_09" + "x" * 58
    for bad, what, message in [("x" * 65, "room", "no such room"), ("a/b", "reminder", "no such reminder")]:
        with pytest.raises(NotFound) as missing:
            path_id(bad, what)
        assert (missing.value.code, missing.value.message) == ("not_found", message)
    with pytest.raises(NotFound, match=r"^no such resource$"):
        path_id("")
    with pytest.raises(AppError):
        path_id("ok\n")


def test_validation_plain_turns_dynamodb_values_into_json_values() -> None:
    # Given what boto3 reads back: Decimals, sets, nested lists and maps
    item = {"n": Decimal("3"), "f": Decimal("1.5"), "s": {"b", "a"}, "l": (Decimal("2"), [Decimal("0.25")])}
    # When made plain / Then whole numbers are ints, others floats, sets sorted lists
    value = plain({"m": item})
    assert value == {"m": {"n": 3, "f": 1.5, "s": ["a", "b"], "l": [2, [0.25]]}}
    assert type(value["m"]["n"]) is int and type(value["m"]["f"]) is float
    assert plain(frozenset({Decimal("2"), Decimal("1")})) == [1, 2]
    assert plain("text") == "text"


def test_validation_public_item_drops_table_keys_and_hidden_fields() -> None:
    item = {"PK": "A", "SK": "B", "GSI1PK": "C", "GSI1SK": "D", "TTL": 1, "name": "n", "secret": "s", "n": Decimal(4)}
    assert public_item(item) == {"name": "n", "secret": "s", "n": 4}
    assert public_item(item, hide=frozenset({"secret"})) == {"name": "n", "n": 4}
