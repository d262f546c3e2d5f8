"""The api and api_public functions serving the declared entities of both presets (apps/plydojo, apps/kefir)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from parley.adapters.entities import CASCADE_BATCH, Entities
from parley.adapters.rooms import Rooms
from parley.adapters.table import Table
from parley.domain import entities
from parley.errors import NotFound
from parley.handlers import api_entities
from tests.unit.api_helpers import add_profile, call
from tests.unit.conftest import TABLE_NAME
from tests.unit.entities_support import both_presets, call_public, set_entities_env

UPLOAD = "users/alice/" + "a" * 32 + "/photo.jpg"


@pytest.fixture(autouse=True)
def declaration(monkeypatch: pytest.MonkeyPatch, table: Any) -> entities.Declaration:
    return set_entities_env(monkeypatch, both_presets())


def iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_batch(**fields: Any) -> dict[str, Any]:
    status, body, _ = call("POST", "/batches", {"name": "Batch", "started_at": iso(timedelta(hours=-1)), **fields})
    assert status == 201, body
    return body  # type: ignore[no-any-return]


def partition(table: Any, pk: str) -> list[dict[str, Any]]:
    return table.query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": pk})["Items"]  # type: ignore[no-any-return]


# --- create, read, defaults and keys ---------------------------------------------------


def test_api_entities_batch_is_stored_under_its_declared_keys_with_defaults(table: Any) -> None:
    body = new_batch(volume_ml=500, temperature_c=21.5, photo_key=UPLOAD)
    assert body["status"] == "active" and body["is_public"] is False  # declared defaults
    assert body["owner_id"] == "alice" and body["temperature_c"] == 21.5 and "PK" not in body
    item = table.get_item(Key={"PK": f"BATCH#{body['id']}", "SK": "META"})["Item"]
    assert item["GSI1PK"] == "USER#alice" and item["GSI1SK"] == f"BATCH#{body['created_at']}#{body['id']}"
    status, got, _ = call("GET", f"/batches/{body['id']}")
    assert status == 200 and got == body


def test_api_entities_game_uses_the_seed_keys_and_creates_its_chat_room(table: Any) -> None:
    status, game, _ = call("POST", "/games", {"title": "Sicilian practice"})
    assert status == 201 and game["status"] == "waiting" and game["mode"] == "tutor"
    item = table.get_item(Key={"PK": f"GAME#{game['id']}", "SK": "METADATA"})["Item"]
    assert item["GSI1PK"] == "USER#alice" and item["GSI1SK"] == f"GAME#{game['id']}"
    room = Rooms(Table(TABLE_NAME))
    assert room.meta(game["room_id"])["owner_id"] == "alice"
    assert room.is_member(game["room_id"], "alice")


@pytest.mark.parametrize(
    ("fields", "error", "fragment"),
    [
        ({"name": None}, "missing_field", "name is required"),
        ({"name": "x" * 81}, "invalid_field", "at most 80"),
        ({"name": "bad\x00name"}, "invalid_field", "control characters"),
        ({"name": 5}, "invalid_field", "name must be a string"),
        ({"status": "sour"}, "invalid_field", "one of active, in_fridge, bottled, done"),
        ({"started_at": "yesterday"}, "invalid_field", "ISO 8601"),
        ({"started_at": "2030-01-01T09:00:00"}, "invalid_field", "with a zone"),
        ({"volume_ml": 10}, "invalid_field", ">= 50"),
        ({"volume_ml": 20001}, "invalid_field", "<= 20000"),
        ({"volume_ml": 500.5}, "invalid_field", "must be an integer"),
        ({"volume_ml": True}, "invalid_field", "must be an integer"),
        ({"volume_ml": "500"}, "invalid_field", "must be an integer"),
        ({"temperature_c": 41}, "invalid_field", "<= 40"),
        ({"temperature_c": "warm"}, "invalid_field", "must be a number"),
        ({"is_public": "true"}, "invalid_field", "must be a boolean"),
        ({"photo_key": "users/bob/" + "a" * 32 + "/x.jpg"}, "invalid_field", "one of your uploads"),
        ({"photo_key": "../etc/passwd"}, "invalid_field", "one of your uploads"),
        ({"colour": "white"}, "unknown_field", "colour"),
    ],
)
def test_api_entities_create_refuses_each_bad_field(fields: dict[str, Any], error: str, fragment: str) -> None:
    body = {"name": "Batch", "started_at": "2030-01-01T09:00:00Z", **fields}
    status, answer, _ = call("POST", "/batches", body)
    assert status == 400 and answer["error"] == error and fragment in answer["message"], answer


@pytest.mark.parametrize(
    "raw", ['{"name": "B", "started_at": "2030-01-01T09:00:00Z", "temperature_c": NaN}', "[1]", "{", ""]
)
def test_api_entities_create_refuses_malformed_bodies(raw: str) -> None:
    status, answer, _ = call("POST", "/batches", raw)
    assert status == 400 and set(answer) == {"error", "message"}


def test_api_entities_datetime_is_stored_in_utc() -> None:
    body = new_batch(started_at="2030-01-01T10:00:00+02:00")
    assert body["started_at"] == "2030-01-01T08:00:00Z"


def test_api_entities_undeclared_paths_are_unknown_routes() -> None:
    assert call("GET", "/recipes")[:2] == (404, {"error": "not_found", "message": "no such route"})
    batch = new_batch()
    assert call("GET", f"/batches/{batch['id']}/comments")[0] == 404
    _, game, _ = call("POST", "/games", {"title": "g"})
    assert call("POST", f"/games/{game['id']}/events", {"kind": "note"})[0] == 404  # events belong to batches


# --- update ------------------------------------------------------------------------------


def test_api_entities_patch_changes_validates_and_removes_fields() -> None:
    batch = new_batch(notes="first")
    status, changed, _ = call("PATCH", f"/batches/{batch['id']}", {"status": "in_fridge", "notes": None})
    assert status == 200 and changed["status"] == "in_fridge" and "notes" not in changed
    assert changed["updated_at"] >= batch["updated_at"]
    assert call("PATCH", f"/batches/{batch['id']}", {"status": "sour"})[0] == 400
    assert call("PATCH", f"/batches/{batch['id']}", {"name": None})[1]["error"] == "missing_field"
    assert call("PATCH", f"/batches/{batch['id']}", {})[1]["error"] == "missing_field"
    assert call("GET", f"/batches/{batch['id']}")[1]["status"] == "in_fridge"


# --- two users ------------------------------------------------------------------------------


def _fill(route: str, ids: dict[str, str]) -> tuple[str, str]:
    method, path = route.split(" ", 1)
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    return method, path


BODIES = {"/batches": {"name": "B", "started_at": "2030-01-01T09:00:00Z"}, "/events": {"kind": "note"}}


def test_api_entities_another_user_reaches_nothing_on_any_generated_route(
    table: Any, declaration: entities.Declaration
) -> None:
    batch = new_batch(is_public=False)
    _, event, _ = call("POST", f"/batches/{batch['id']}/events", {"kind": "taste", "rating": 4})
    _, game, _ = call("POST", "/games", {"title": "g"})
    before = {pk: partition(table, pk) for pk in (f"BATCH#{batch['id']}", f"GAME#{game['id']}")}
    signed_in = [r for r, auth in declaration.route_keys().items() if auth]
    assert len(signed_in) == 15
    for route in signed_in:
        parent = game["id"] if "/games" in route else batch["id"]
        method, path = _fill(route, {"id": parent, "child_id": event["id"], "index": "1"})
        body = next((b for suffix, b in BODIES.items() if path.endswith(suffix)), {"title": "t"})
        status, answer, _ = call(method, path, body if method in {"POST", "PATCH"} else None, sub="bob")
        if path in {"/batches", "/games"}:
            # Bob's own list or a new item of his own: never Alice's.
            assert status in {200, 201}
            items = [answer] if method == "POST" else answer["items"]
            assert all(i["owner_id"] == "bob" for i in items)
        else:
            assert status == 404 and answer["error"] == "not_found", (route, answer)
    after = {pk: partition(table, pk) for pk in before}
    assert after == before  # nothing of Alice's changed
    assert call_public("GET", f"/public/batches/{batch['id']}")[0] == 404  # not flagged public


def test_api_entities_room_members_read_a_game_but_only_its_owner_changes_it() -> None:
    _, game, _ = call("POST", "/games", {"title": "g"})
    add_profile(Table(TABLE_NAME).resource, "bob")
    assert call("POST", f"/rooms/{game['room_id']}/members", {"user_id": "bob"})[0] == 201
    assert call("GET", f"/games/{game['id']}", sub="bob")[:2] == (200, game)
    status, answer, _ = call("PATCH", f"/games/{game['id']}", {"status": "active"}, sub="bob")
    assert status == 403 and answer["error"] == "forbidden"
    assert call("DELETE", f"/games/{game['id']}", sub="bob")[0] == 403
    assert call("GET", "/games", sub="bob")[1]["items"] == []  # the list is the caller's own games
    assert call("DELETE", f"/rooms/{game['room_id']}/members/me", sub="bob")[0] == 204
    assert call("GET", f"/games/{game['id']}", sub="bob")[0] == 404


def test_api_entities_batches_are_owner_only_even_for_room_members() -> None:
    batch = new_batch()
    _, room, _ = call("POST", "/rooms", {"name": "r"})
    add_profile(Table(TABLE_NAME).resource, "bob")
    call("POST", f"/rooms/{room['id']}/members", {"user_id": "bob"})
    assert call("GET", f"/batches/{batch['id']}", sub="bob")[0] == 404


# --- children, cascade, pagination -------------------------------------------------------


def test_api_entities_events_are_a_timeline_newest_first_and_one_can_be_deleted(table: Any) -> None:
    batch = new_batch()
    made = [call("POST", f"/batches/{batch['id']}/events", {"kind": "note", "note": str(i)})[1] for i in range(3)]
    status, page, _ = call("GET", f"/batches/{batch['id']}/events")
    assert status == 200 and [e["note"] for e in page["items"]] == ["2", "1", "0"]
    assert page["items"][0]["parent_id"] == batch["id"] and page["next_cursor"] is None
    assert call("DELETE", f"/batches/{batch['id']}/events/{made[1]['id']}")[0] == 204
    assert call("DELETE", f"/batches/{batch['id']}/events/{made[1]['id']}")[0] == 404
    assert call("DELETE", f"/batches/{batch['id']}/events/not-an-event")[0] == 404
    assert [e["note"] for e in call("GET", f"/batches/{batch['id']}/events")[1]["items"]] == ["2", "0"]


def test_api_entities_delete_cascades_over_more_children_than_one_batch(table: Any) -> None:
    batch = new_batch()
    count = CASCADE_BATCH * 2 + 3
    for i in range(count):
        assert call("POST", f"/batches/{batch['id']}/events", {"kind": "note", "note": str(i)})[0] == 201
    assert len(partition(table, f"BATCH#{batch['id']}")) == count + 1
    assert call("DELETE", f"/batches/{batch['id']}")[0] == 204
    assert partition(table, f"BATCH#{batch['id']}") == []
    assert call("GET", f"/batches/{batch['id']}")[0] == 404
    assert call("POST", f"/batches/{batch['id']}/events", {"kind": "note"})[0] == 404


def test_api_entities_delete_removes_the_linked_room_with_its_history(table: Any) -> None:
    _, game, _ = call("POST", "/games", {"title": "g"})
    rooms = Rooms(Table(TABLE_NAME))
    for i in range(CASCADE_BATCH + 5):
        rooms.add_message(game["room_id"], "alice", f"move {i}")
    assert call("DELETE", f"/games/{game['id']}")[0] == 204
    assert partition(table, f"ROOM#{game['room_id']}") == []
    assert partition(table, f"GAME#{game['id']}") == []
    assert call("GET", "/rooms")[1]["items"] == []


def test_api_entities_an_interrupted_delete_leaves_the_item_to_delete_again(table: Any) -> None:
    batch = new_batch()
    call("POST", f"/batches/{batch['id']}/events", {"kind": "note"})
    table.update_item(
        Key={"PK": f"BATCH#{batch['id']}", "SK": "META"},
        UpdateExpression="SET deleting = :t",
        ExpressionAttributeValues={":t": True},
    )  # as a delete cut short after its first step leaves it
    assert call("GET", f"/batches/{batch['id']}")[0] == 404
    assert call("POST", f"/batches/{batch['id']}/events", {"kind": "note"})[0] == 404
    assert call("GET", "/batches")[1]["items"][0]["id"] == batch["id"]  # still listed, so it can be deleted again
    assert call("DELETE", f"/batches/{batch['id']}", sub="bob")[0] == 404
    assert call("DELETE", f"/batches/{batch['id']}")[0] == 204
    assert partition(table, f"BATCH#{batch['id']}") == []


def test_api_entities_lists_page_through_gsi1_and_the_timeline() -> None:
    made = [new_batch(name=f"b{i}")["id"] for i in range(7)]
    seen, cursor, sizes = [], None, []
    while True:
        status, page, _ = call("GET", "/batches", query={"limit": "3", **({"cursor": cursor} if cursor else {})})
        assert status == 200
        sizes.append(len(page["items"]))
        seen += [b["id"] for b in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(made) and len(seen) == 7 and sizes[:2] == [3, 3]
    events_batch = made[0]
    for i in range(5):
        call("POST", f"/batches/{events_batch}/events", {"kind": "note", "note": str(i)})
    _, first, _ = call("GET", f"/batches/{events_batch}/events", query={"limit": "2"})
    _, second, _ = call("GET", f"/batches/{events_batch}/events", query={"limit": "2", "cursor": first["next_cursor"]})
    assert [e["note"] for e in first["items"] + second["items"]] == ["4", "3", "2", "1"]
    # A cursor of another partition or list is refused.
    assert call("GET", f"/batches/{made[1]}/events", query={"cursor": first["next_cursor"]})[1]["error"] == (
        "invalid_cursor"
    )
    _, games, _ = call("GET", "/batches", query={"limit": "1"})
    assert call("GET", "/games", query={"cursor": games["next_cursor"]})[1]["error"] == "invalid_cursor"
    assert call("GET", "/batches", query={"limit": "0"})[1]["error"] == "invalid_limit"


# --- public view, reminder suggestions, export ---------------------------------------------------


def test_api_entities_public_view_shows_flagged_batches_with_latest_events() -> None:
    batch = new_batch(is_public=True)
    for i in range(3):
        call("POST", f"/batches/{batch['id']}/events", {"kind": "note", "note": str(i)})
    status, view = call_public("GET", f"/public/batches/{batch['id']}")
    assert status == 200 and view["name"] == "Batch" and "owner_id" not in view
    assert [e["note"] for e in view["events"]] == ["2", "1", "0"] and "owner_id" not in view["events"][0]
    call("PATCH", f"/batches/{batch['id']}", {"is_public": False})
    assert call_public("GET", f"/public/batches/{batch['id']}")[0] == 404
    _, game, _ = call("POST", "/games", {"title": "g"})
    assert call_public("GET", f"/public/games/{game['id']}")[0] == 404  # games declare no public flag
    assert call_public("GET", "/public/batches/..%2F")[0] == 404


def test_api_entities_reminder_suggestions_are_offsets_and_become_real_reminders() -> None:
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=13)
    batch = new_batch(started_at=started.strftime("%Y-%m-%dT%H:%M:%SZ"))
    status, offered, _ = call("GET", f"/batches/{batch['id']}/reminder-suggestions")
    assert status == 200
    # The 12 h suggestion is past; the 24 h and 48 h ones are offered.
    expected = [(1, started + timedelta(hours=24)), (2, started + timedelta(hours=48))]
    assert [(s["index"], s["due_at"]) for s in offered["items"]] == [
        (i, t.strftime("%Y-%m-%dT%H:%M:%SZ")) for i, t in expected
    ]
    status, reminder, _ = call("POST", f"/batches/{batch['id']}/reminder-suggestions/1")
    assert status == 201 and reminder["text"] == offered["items"][0]["text"] and reminder["status"] == "pending"
    assert [r["reminder_id"] for r in call("GET", "/reminders")[1]["items"]] == [reminder["reminder_id"]]
    assert call("POST", f"/batches/{batch['id']}/reminder-suggestions/0")[0] == 404  # past
    assert call("POST", f"/batches/{batch['id']}/reminder-suggestions/x")[0] == 404
    _, game, _ = call("POST", "/games", {"title": "g"})
    assert call("GET", f"/games/{game['id']}/reminder-suggestions")[0] == 404  # none declared


def test_api_entities_export_includes_items_and_their_children() -> None:
    batch = new_batch()
    _, event, _ = call("POST", f"/batches/{batch['id']}/events", {"kind": "taste", "rating": 5})
    _, game, _ = call("POST", "/games", {"title": "g"})
    new_batch(name="other")  # another of Alice's batches
    call("POST", "/batches", {"name": "bob's", "started_at": "2030-01-01T09:00:00Z"}, sub="bob")
    status, text, _ = call("GET", "/export")
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(text)))
    by_type: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_type.setdefault(row["record_type"], []).append(row)
    assert len(by_type["batches"]) == 2 and {r["id"] for r in by_type["games"]} == {game["id"]}
    assert [r["id"] for r in by_type["events"]] == [event["id"]]
    assert json.loads(by_type["events"][0]["details"])["rating"] == 5
    assert "bob's" not in text


def test_api_entities_a_child_is_found_by_its_id_however_the_clock_moves(monkeypatch: pytest.MonkeyPatch) -> None:
    batch = new_batch()
    ticks = iter(range(1_767_225_600_000, 1_767_225_700_000, 7))
    monkeypatch.setattr(api_entities, "_now_ms", lambda: next(ticks))
    _, event, _ = call("POST", f"/batches/{batch['id']}/events", {"kind": "note"})
    assert call("DELETE", f"/batches/{batch['id']}/events/{event['id']}")[0] == 204


def test_api_entities_change_or_delete_of_an_item_removed_meanwhile_is_not_found(table: Any) -> None:
    # Given a batch read by a request and deleted by another before the first one writes
    declaration = entities.parse(both_presets())
    batches = declaration.entities["batches"]
    item = entities.new_item(batches, {"name": "rye"}, "b-gone", "alice", 1_767_225_600_000)
    store = Entities(Table(TABLE_NAME))
    # When the first request changes or deletes it, Then it is a 404 naming the entity, and nothing is written
    for attempt in (
        lambda: store.update(batches, item, {"name": "wheat"}, [], "2026-01-01T00:00:01.000Z"),
        lambda: store.delete(declaration, batches, item),
    ):
        with pytest.raises(NotFound) as refused:
            attempt()
        assert (refused.value.code, refused.value.message) == ("not_found", "no such batches item")
    assert table.scan()["Items"] == []
