"""domain/realtime.py: client frames parsed or refused with the code and message the client sees."""

from __future__ import annotations

import binascii
import itertools
import json
from typing import Any

import pytest

from parley.domain import realtime
from parley.domain.realtime import Frame
from parley.errors import AppError, BadRequest


def refusal(call: Any, *args: Any) -> tuple[str, str]:
    with pytest.raises(AppError) as refused:
        call(*args)
    return refused.value.code, refused.value.message


def frame(**fields: Any) -> Frame:
    return Frame(action="send", fields=fields)


def test_realtime_parse_keeps_action_fields_and_ref() -> None:
    parsed = realtime.parse_frame('{"action":"send","room":"r1","ref":"m1"}')
    assert parsed == Frame("send", {"action": "send", "room": "r1", "ref": "m1"}, "m1")
    assert realtime.parse_frame(b'{"action":"ping"}') == Frame("ping", {"action": "ping"}, None)
    assert realtime.parse_frame(json.dumps({"action": "ping", "ref": "r" * 64})).ref == "r" * 64


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (None, "invalid_json", "a frame is a JSON object"),
        ("   ", "invalid_json", "a frame is a JSON object"),
        ("{nope", "invalid_json", "the frame is not valid JSON"),
        ("[1]", "invalid_json", "a frame is a JSON object"),
        ('{"room":"r1"}', "missing_field", "the frame has no action"),
        ('{"action":null}', "missing_field", "the frame has no action"),
        ('{"action":"fly"}', "unknown_action", "unknown action"),
        ('{"action":["send"]}', "unknown_action", "unknown action"),
        ('{"action":"send","ref":""}', "invalid_field", "ref must be a string of 1-64 characters"),
        ('{"action":"send","ref":5}', "invalid_field", "ref must be a string of 1-64 characters"),
        (json.dumps({"action": "send", "ref": "r" * 65}), "invalid_field", "ref must be a string of 1-64 characters"),
    ],
)
def test_realtime_parse_refuses_bad_frames(body: Any, code: str, message: str) -> None:
    assert refusal(realtime.parse_frame, body) == (code, message)


def test_realtime_frame_size_limit_is_inclusive() -> None:
    body = json.dumps({"action": "ping", "pad": ""})
    padded = body[:-2] + "x" * (100 - len(body)) + '"}'
    assert len(padded) == 100 and realtime.parse_frame(padded, max_bytes=100).action == "ping"
    assert refusal(realtime.parse_frame, padded + " ", 100) == ("frame_too_large", "frames are limited to 100 bytes")
    assert refusal(realtime.parse_frame, "x" * (100 * 1024 + 1)) == (
        "frame_too_large",
        "frames are limited to 102400 bytes",
    )


def test_realtime_identifier_is_one_to_64_id_characters() -> None:
    assert realtime.identifier(frame(room="r-1_" + "x" * 60), "room") == "r-1_" + "x" * 60
    bad = ("invalid_field", "'room' must be 1-64 letters, digits, '-' or '_'")
    for value in ("", "x" * 65, "r 1", 5, "r1\n"):
        assert refusal(realtime.identifier, frame(room=value), "room") == bad
    assert refusal(realtime.identifier, frame(), "room") == ("missing_field", "send needs 'room'")
    assert refusal(realtime.identifier, frame(room=None), "room") == ("missing_field", "send needs 'room'")


def test_realtime_text_is_one_to_4000_characters_not_only_whitespace() -> None:
    assert realtime.text(frame(text=" hi ")) == " hi "
    assert realtime.text(frame(text="x" * 4000)) == "x" * 4000
    bad = ("invalid_field", "'text' must be 1-4000 characters")
    for value in ("", " \n\t", "x" * 4001, 7):
        assert refusal(realtime.text, frame(text=value)) == bad


def test_realtime_pairing_code_ignores_case_spaces_and_dashes() -> None:
    assert realtime.pairing_code(frame(code=" abcd-2345\t")) == "ABCD2345"
    bad = ("invalid_field", "'code' must be a 8-character pairing code")
    for value in ("ABCD234", "ABCD23456", "ABCD2340", "ABCDI345", "ABCD_345"):
        assert refusal(realtime.pairing_code, frame(code=value)) == bad
    assert refusal(realtime.pairing_code, frame(code=12345678)) == ("invalid_field", "'code' must be a string")


def test_realtime_new_pairing_codes_use_the_unambiguous_alphabet() -> None:
    codes = [realtime.new_pairing_code() for _ in range(50)]
    assert all(len(c) == 8 and set(c) <= set("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for c in codes)
    assert len(set(codes)) == 50
    assert realtime.format_code("ABCD2345") == "ABCD-2345"


def test_realtime_relay_data_is_standard_base64_within_its_limit() -> None:
    assert realtime.relay_data(frame(data="aGk=")) == "aGk="
    assert realtime.relay_data(frame(data="a" * 8), max_bytes=8) == "a" * 8
    assert refusal(realtime.relay_data, frame(data="a" * 12), "data", 8) == (
        "payload_too_large",
        "'data' is limited to 8 bytes",
    )
    for value in ("", 5):
        assert refusal(realtime.relay_data, frame(data=value)) == ("invalid_field", "'data' must be a base64 string")
    for value in ("aGk", "aG-_", "a===", "aGk=\n", "=aGk"):
        assert refusal(realtime.relay_data, frame(data=value)) == ("invalid_field", "'data' must be standard base64")


def strictly_base64(value: str) -> bool:
    """The standard library's decoder in strict mode, whose output encodes back to the same length (its strict
    mode still lets padding follow a whole quad, as in "aaaa=")."""
    try:
        decoded = binascii.a2b_base64(value, strict_mode=True)
    except binascii.Error:
        return False
    return len(binascii.b2a_base64(decoded, newline=False)) == len(value)


def test_realtime_relay_data_accepts_exactly_what_decodes_as_standard_base64() -> None:
    # Independent expectation: strictly_base64, over every string of up to 5 characters drawn from letters,
    # both extra characters, padding and near misses.
    for length in range(1, 6):
        for characters in itertools.product("aZ+/=-\n", repeat=length):
            value = "".join(characters)
            try:
                accepted = realtime.relay_data(frame(data=value)) == value
            except BadRequest:
                accepted = False
            assert accepted == strictly_base64(value), value


def test_realtime_unknown_connection_and_error_frames() -> None:
    error = realtime.unknown_connection()
    assert (error.code, error.message) == ("unknown_connection", "this connection is not registered")
    assert realtime.error_frame("c", "m") == {"type": "error", "error": "c", "message": "m"}
    assert realtime.error_frame("c", "m", "r1") == {"type": "error", "error": "c", "message": "m", "ref": "r1"}
