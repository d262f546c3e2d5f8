"""Relays: pairing by code, two peers at most, opaque payloads to the other peer only, cache for a late peer."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest

from parley.domain.realtime import MAX_RELAY_DATA_BYTES
from parley.handlers import ws
from tests.unit.ws_support import FakeManagementApi, all_items, install_management, ws_event

CIPHERTEXT = base64.b64encode(b"\x00\x01sealed-box\xff").decode()


@pytest.fixture
def relay_env(table: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, FakeManagementApi]:
    management = install_management(monkeypatch)
    monkeypatch.setenv("WS_MANAGEMENT_ENDPOINT", "http://127.0.0.1:4566")
    ws.load.cache_clear()
    return table, management


def call(ctx: Any, connection_id: str, body: Any, sub: str = "u-alice") -> dict[str, Any]:
    return ws.handler(
        ws_event(
            str(body.get("action", "$default")) if isinstance(body, dict) else "$default", connection_id, body, sub=sub
        ),
        ctx,
    )


def connect(ctx: Any, connection_id: str, sub: str = "u-alice") -> None:
    ws.handler(ws_event("$connect", connection_id, sub=sub), ctx)


def open_relay(ctx: Any, api: FakeManagementApi, connection_id: str = "cli") -> tuple[str, str]:
    connect(ctx, connection_id)
    call(ctx, connection_id, {"action": "relay.open"})
    opened = api.last(connection_id)
    assert opened["type"] == "relay.opened"
    return opened["relay"], opened["code"]


def test_ws_relay_open_gives_a_short_code_and_a_24h_session(relay_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = relay_env
    before = int(time.time())
    relay_id, code = open_relay(lambda_context, api)
    after = int(time.time())
    assert len(code) == 9 and code[4] == "-"
    meta = table.get_item(Key={"PK": f"RELAY#{relay_id}", "SK": "META"})["Item"]
    assert meta["peer_count"] == 1 and meta["GSI1PK"] == "USER#u-alice" and meta["GSI1SK"] == f"RELAY#{relay_id}"
    # A relay session lives 24 hours: the expiry the client is told is the item's TTL
    expires_at = api.last("cli")["expires_at"]
    assert before + 86_400 <= expires_at <= after + 86_400 and int(meta["TTL"]) == expires_at
    assert "Item" in table.get_item(Key={"PK": f"RELAY#{relay_id}", "SK": "PEER#cli"})


def test_ws_relay_pairs_two_peers_and_delivers_to_the_other_only(relay_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    _, api = relay_env
    relay_id, code = open_relay(lambda_context, api)
    connect(lambda_context, "web")
    # When the web client joins by the code as typed (lower case, no dash)
    call(lambda_context, "web", {"action": "relay.join", "code": code.replace("-", "").lower()})
    assert api.last("web") == {"type": "relay.joined", "relay": relay_id}
    assert api.last("cli") == {"type": "relay.peer_joined", "relay": relay_id}
    # And the CLI sends a payload
    call(lambda_context, "cli", {"action": "relay.send", "relay": relay_id, "data": CIPHERTEXT})
    # Then the web client gets it unchanged and the CLI never receives its own frame
    assert api.last("web") == {"type": "relay.data", "relay": relay_id, "data": CIPHERTEXT}
    assert api.of_type("cli", "relay.data") == []
    assert api.last("cli") == {"type": "relay.sent", "relay": relay_id, "delivered": True}


def test_ws_relay_refuses_a_third_peer(relay_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = relay_env
    relay_id, code = open_relay(lambda_context, api)
    connect(lambda_context, "web")
    call(lambda_context, "web", {"action": "relay.join", "code": code})
    connect(lambda_context, "eve", sub="u-eve")
    before = all_items(table)
    call(lambda_context, "eve", {"action": "relay.join", "code": code}, sub="u-eve")
    assert api.last("eve")["error"] == "relay_full"
    assert all_items(table) == before
    # And eve cannot send into it either, nor receive what the peers send
    call(lambda_context, "eve", {"action": "relay.send", "relay": relay_id, "data": CIPHERTEXT}, sub="u-eve")
    assert api.last("eve")["error"] == "not_a_peer"
    call(lambda_context, "cli", {"action": "relay.send", "relay": relay_id, "data": CIPHERTEXT})
    assert api.of_type("eve", "relay.data") == []


def test_ws_relay_send_to_a_relay_not_joined_is_refused(relay_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = relay_env
    relay_id, _ = open_relay(lambda_context, api)
    connect(lambda_context, "other")
    before = all_items(table)
    call(lambda_context, "other", {"action": "relay.send", "relay": relay_id, "data": CIPHERTEXT})
    assert api.last("other")["error"] == "not_a_peer"
    assert all_items(table) == before


def test_ws_relay_caches_for_a_late_peer_and_delivers_once(relay_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = relay_env
    relay_id, code = open_relay(lambda_context, api)
    # Given the CLI sends before anyone joined
    call(lambda_context, "cli", {"action": "relay.send", "relay": relay_id, "data": CIPHERTEXT})
    assert api.last("cli") == {"type": "relay.sent", "relay": relay_id, "delivered": False}
    cached = [i for i in all_items(table) if i["SK"].startswith("DATA#")]
    assert len(cached) == 1 and cached[0]["data"] == CIPHERTEXT and "TTL" in cached[0]
    # When the web client joins
    connect(lambda_context, "web")
    call(lambda_context, "web", {"action": "relay.join", "code": code})
    # Then it gets what it missed, and the cache is emptied
    assert api.of_type("web", "relay.data") == [
        {"type": "relay.data", "relay": relay_id, "data": CIPHERTEXT, "cached": True}
    ]
    assert [i for i in all_items(table) if i["SK"].startswith("DATA#")] == []


def test_ws_relay_disconnect_frees_the_slot_and_tells_the_peer(relay_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = relay_env
    relay_id, code = open_relay(lambda_context, api)
    connect(lambda_context, "web")
    call(lambda_context, "web", {"action": "relay.join", "code": code})
    ws.handler(ws_event("$disconnect", "web"), lambda_context)
    assert api.last("cli") == {"type": "relay.peer_left", "relay": relay_id}
    assert table.get_item(Key={"PK": f"RELAY#{relay_id}", "SK": "META"})["Item"]["peer_count"] == 1
    connect(lambda_context, "web2")
    call(lambda_context, "web2", {"action": "relay.join", "code": code})
    assert api.last("web2") == {"type": "relay.joined", "relay": relay_id}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ("not base64!", "invalid_field"),
        ("abc", "invalid_field"),
        (12, "invalid_field"),
        ("A" * (MAX_RELAY_DATA_BYTES + 4), "payload_too_large"),
    ],
    ids=["not-base64", "bad-padding", "not-a-string", "over-96KB"],
)
def test_ws_relay_send_rejects_bad_payloads_without_state_change(relay_env, lambda_context, data, code) -> None:  # type: ignore[no-untyped-def]
    table, api = relay_env
    relay_id, _ = open_relay(lambda_context, api)
    before = all_items(table)
    call(lambda_context, "cli", {"action": "relay.send", "relay": relay_id, "data": data})
    assert api.last("cli")["error"] == code
    assert all_items(table) == before


def test_ws_relay_accepts_a_payload_of_exactly_96kb(relay_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    _, api = relay_env
    relay_id, _ = open_relay(lambda_context, api)
    data = "A" * MAX_RELAY_DATA_BYTES
    call(lambda_context, "cli", {"action": "relay.send", "relay": relay_id, "data": data})
    assert api.last("cli")["type"] == "relay.sent"


def test_ws_relay_join_with_an_unknown_code_is_refused(relay_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = relay_env
    connect(lambda_context, "web")
    before = all_items(table)
    call(lambda_context, "web", {"action": "relay.join", "code": "ABCD-EFGH"})
    assert api.last("web")["error"] == "relay_not_found"
    assert all_items(table) == before


def test_ws_relay_join_twice_from_one_connection_is_refused(relay_env, lambda_context) -> None:  # type: ignore[no-untyped-def]
    table, api = relay_env
    _, code = open_relay(lambda_context, api)
    before = all_items(table)
    call(lambda_context, "cli", {"action": "relay.join", "code": code})
    assert api.last("cli")["error"] == "already_joined"
    assert all_items(table) == before
