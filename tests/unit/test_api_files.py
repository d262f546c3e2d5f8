"""The api function: presigned uploads and the CSV export."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from parley.adapters import aws
from parley.adapters.rooms import Rooms
from parley.adapters.table import Table
from parley.domain import files, keys
from tests.unit.api_helpers import BUCKET, add_profile, call, create_bucket, set_api_env
from tests.unit.conftest import TABLE_NAME


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, table: Any) -> None:
    set_api_env(monkeypatch)
    create_bucket()
    add_profile(table, "alice")


def upload(**overrides: Any) -> tuple[int, Any]:
    body = {"filename": "photo.png", "content_type": "image/png", "size_bytes": 2048, **overrides}
    status, out, _ = call("POST", "/uploads", body)
    return status, out


def test_api_upload_url_is_a_5_minute_put_under_the_users_prefix(table: Any) -> None:
    status, body = upload()
    assert status == 201
    assert body["key"].startswith("users/alice/") and body["key"].endswith("/photo.png")
    assert body["expires_in"] == 300 and body["method"] == "PUT"
    url = urlparse(body["upload_url"])
    query = parse_qs(url.query)
    assert BUCKET in url.netloc + url.path
    assert query["X-Amz-Expires"] == ["300"]
    # The signature covers the type and the exact length: S3 refuses anything else
    assert set(query["X-Amz-SignedHeaders"][0].split(";")) >= {"content-type", "content-length"}
    assert body["headers"] == {"Content-Type": "image/png", "Content-Length": "2048"}


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"filename": "../../etc/passwd"}, 400, "invalid_filename"),
        ({"filename": "a/b.png"}, 400, "invalid_filename"),
        ({"filename": "a\\b.png"}, 400, "invalid_filename"),
        ({"filename": ".hidden"}, 400, "invalid_filename"),
        ({"filename": "x..png"}, 400, "invalid_filename"),
        ({"content_type": "application/x-msdownload"}, 415, "unsupported_media_type"),
        ({"size_bytes": 1024 * 1024 + 1}, 413, "payload_too_large"),
        ({"size_bytes": 0}, 400, "invalid_field"),
        ({"size_bytes": "12"}, 400, "invalid_field"),
        ({"size_bytes": True}, 400, "invalid_field"),
        ({"path": "users/bob/"}, 400, "unknown_field"),
    ],
)
def test_api_upload_refuses_bad_requests(table: Any, overrides: dict[str, Any], status: int, code: str) -> None:
    got, body = upload(**overrides)
    assert (got, body["error"]) == (status, code)


def test_api_export_small_is_inline_csv_of_my_data_only(table: Any) -> None:
    call("POST", "/rooms", {"name": "Mine"})
    call("POST", "/rooms", {"name": "Theirs"}, sub="bob")
    call("POST", "/devices", {"token": "ExponentPushToken[secretsecret]", "platform": "ios"})
    status, body, response = call("GET", "/export")
    assert status == 200 and response["headers"]["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body)))
    types = [r["record_type"] for r in rows]
    assert types.count("profile") == 1 and types.count("room") == 1 and types.count("device") == 1
    assert "Theirs" not in body
    assert "secret" not in body  # push tokens are not exported


def test_api_export_large_goes_to_s3_with_a_download_url(table: Any) -> None:
    # Given more data than fits inline
    for i in range(400):
        table.put_item(
            Item={"PK": keys.user("alice"), "SK": keys.notification(1_700_000_000_000 + i, f"n{i}"), "text": "x" * 900}
        )
    # When exporting
    status, body, _ = call("GET", "/export")
    # Then the CSV is an S3 object under exports/alice/ and a presigned URL comes back
    assert status == 200 and body["size_bytes"] > files.EXPORT_INLINE_MAX_BYTES
    listed = aws.client("s3").list_objects_v2(Bucket=BUCKET, Prefix="exports/alice/")["Contents"]
    assert len(listed) == 1
    data = aws.client("s3").get_object(Bucket=BUCKET, Key=listed[0]["Key"])["Body"].read().decode()
    assert data.count("\nnotification,") == 400
    assert listed[0]["Key"] in body["download_url"]


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_export_cells_never_start_a_formula(lead: str) -> None:
    # Given stored values that a spreadsheet would run as formulas, in every column
    out = io.StringIO()
    item = {"id": f"{lead}HYPERLINK(1)", "created_at": f"{lead}1+1", "display_name": "=cmd"}
    files.write_export(out, [(f"{lead}profile", item)])
    row = next(iter(csv.DictReader(io.StringIO(out.getvalue(), newline=""))))  # a quoted cell may hold a CR
    # Then each such cell is escaped with a leading quote, and the details keep the value as stored
    assert row["record_type"] == f"'{lead}profile"
    assert row["id"] == f"'{lead}HYPERLINK(1)"
    assert row["created_at"] == f"'{lead}1+1"
    assert row["details"] == '{"display_name":"=cmd"}'


def test_api_export_neutralises_a_formula_in_a_real_export(table: Any) -> None:
    # Given a user whose id (a valid sub) starts with '-', and a notification id starting with '+'
    add_profile(table, "-mallory")
    table.put_item(Item={"PK": keys.user("-mallory"), "SK": keys.notification(1, "+1"), "notification_id": "+1"})
    # When they export their data
    status, body, _ = call("GET", "/export", sub="-mallory")
    # Then those cells reach the spreadsheet as text
    rows = {r["record_type"]: r for r in csv.DictReader(io.StringIO(body))}
    assert status == 200 and rows["profile"]["id"] == "'-mallory" and rows["notification"]["id"] == "'+1"


def test_api_export_names_notifications_by_their_own_id_and_keeps_text_as_text(table: Any) -> None:
    # Given a notification left by reminder r1, about a text with non-ASCII letters
    table.put_item(
        Item={
            "PK": keys.user("alice"), "SK": keys.notification(1_700_000_000_000, "n1"), "notification_id": "n1",
            "reminder_id": "r1", "kind": "reminder", "text": "Grüße, 日本", "created_at": "2026-01-01T00:00:00Z",
        }
    )  # fmt: skip
    status, body, response = call("GET", "/export")
    (row,) = [r for r in csv.DictReader(io.StringIO(body)) if r["record_type"] == "notification"]
    # Then the id column holds the notification's id, the reminder id stays in the details, and text is text
    assert status == 200 and response["headers"]["Content-Type"] == "text/csv; charset=utf-8"
    assert row["id"] == "n1" and row["created_at"] == "2026-01-01T00:00:00Z"
    assert row["details"] == '{"kind":"reminder","reminder_id":"r1","text":"Grüße, 日本"}'
    assert "\\u" not in body


def test_api_export_includes_the_messages_i_sent_and_my_calls(table: Any) -> None:
    # Given messages alice and bob sent in a room they share, and a call of alice's
    store = Rooms(Table(TABLE_NAME))
    mine = store.add_message("r1", "alice", "Hallö", now=1_700_000_000)
    store.add_message("r1", "bob", "not alice's", now=1_700_000_001)
    table.put_item(
        Item={
            "PK": keys.session("s1"), "SK": keys.user("alice"), "GSI1PK": keys.user("alice"),
            "GSI1SK": keys.call(1_700_000_100, "s1"), "session_id": "s1", "user_id": "alice", "peer_id": "bob",
            "started_at": 1_700_000_100,
        }
    )  # fmt: skip
    status, body, _ = call("GET", "/export")
    rows = list(csv.DictReader(io.StringIO(body)))
    messages = [r for r in rows if r["record_type"] == "message"]
    # Then exactly alice's message is there, by id, with its text as sent; and her call with its peer
    assert status == 200 and [r["id"] for r in messages] == [mine["id"]]
    assert messages[0]["created_at"] == "1700000000000"
    assert '"text":"Hallö"' in messages[0]["details"] and "not alice's" not in body
    (call_row,) = [r for r in rows if r["record_type"] == "call"]
    assert (call_row["id"], call_row["created_at"]) == ("s1", "1700000100") and '"peer_id":"bob"' in call_row["details"]


def test_export_plain_cells_are_left_as_they_are() -> None:
    out = io.StringIO()
    files.write_export(out, [("room", {"room_id": "r1", "joined_at": "2026-01-01T00:00:00Z", "role": "owner"})])
    row = next(iter(csv.DictReader(io.StringIO(out.getvalue()))))
    expected = {"record_type": "room", "id": "r1", "created_at": "2026-01-01T00:00:00Z", "details": '{"role":"owner"}'}
    assert row == expected
