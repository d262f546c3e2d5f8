"""The api function: presigned uploads and the CSV export."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from parley.adapters import aws
from parley.domain import files, keys
from tests.unit.api_helpers import BUCKET, add_profile, call, create_bucket, set_api_env


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


@pytest.mark.parametrize("lead", ["=", "+", "-", "@"])
def test_export_cells_never_start_a_formula(lead: str) -> None:
    # Given stored values that a spreadsheet would run as formulas
    out = io.StringIO()
    item = {"id": f"{lead}HYPERLINK(1)", "created_at": f"{lead}1+1", "display_name": "=cmd"}
    files.write_export(out, [("profile", item)])
    row = next(iter(csv.DictReader(io.StringIO(out.getvalue()))))
    # Then each such cell is escaped with a leading quote, and the details keep the value as stored
    assert row["id"] == f"'{lead}HYPERLINK(1)"
    assert row["created_at"] == f"'{lead}1+1"
    assert row["details"] == '{"display_name":"=cmd"}'


def test_export_plain_cells_are_left_as_they_are() -> None:
    out = io.StringIO()
    files.write_export(out, [("room", {"room_id": "r1", "joined_at": "2026-01-01T00:00:00Z", "role": "owner"})])
    row = next(iter(csv.DictReader(io.StringIO(out.getvalue()))))
    expected = {"record_type": "room", "id": "r1", "created_at": "2026-01-01T00:00:00Z", "details": '{"role":"owner"}'}
    assert row == expected
