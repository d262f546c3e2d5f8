"""domain/files.py: what may be uploaded and where, and the exact CSV an export writes."""

from __future__ import annotations

import io
from typing import Any

import pytest

from parley.adapters import files as s3_files
from parley.domain import files
from parley.errors import AppError

PLAIN_NAME = "filename must be a plain file name (letters, digits, space, '.', '_', '-', '(', ')')"
UPLOAD = {"filename": "Holiday (1).png", "content_type": "image/png", "size_bytes": 10}


def test_files_upload_goes_under_the_users_prefix_with_its_exact_type_and_size() -> None:
    assert files.upload_request(UPLOAD, "u-1", "up1", max_bytes=10) == {
        "key": "users/u-1/up1/Holiday (1).png",
        "content_type": "image/png",
        "size_bytes": 10,
    }


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        (
            {"filename": "a/b.png"},
            "invalid_filename",
            PLAIN_NAME,
        ),
        ({"filename": "a\\b.png"}, "invalid_filename", PLAIN_NAME),
        ({"filename": "a..png"}, "invalid_filename", PLAIN_NAME),
        ({"filename": ".hidden"}, "invalid_filename", PLAIN_NAME),
        ({"filename": "a*b.png"}, "invalid_filename", PLAIN_NAME),
        (
            {"content_type": "application/x-sh"},
            "unsupported_media_type",
            "content_type must be one of " + ", ".join(sorted(files.CONTENT_TYPES)),
        ),
        ({"size_bytes": 11}, "payload_too_large", "size_bytes must be at most 10"),
        ({"size_bytes": 0}, "invalid_field", "size_bytes must be >= 1"),
    ],
)
def test_files_upload_refusals(changes: dict[str, Any], code: str, message: str) -> None:
    with pytest.raises(AppError) as refused:
        files.upload_request({**UPLOAD, **changes}, "u-1", "up1", max_bytes=10)
    assert (refused.value.code, refused.value.message) == (code, message)


def test_files_export_writes_a_header_and_one_row_per_record() -> None:
    out = io.StringIO()
    records = [
        ("profile", {"PK": "USER#u-1", "SK": "PROFILE", "user_id": "u-1", "created_at": "t0", "bio": "a,b"}),
        ("reminder", {"reminder_id": "r1", "id": "first-id-wins", "registered_at": "t1", "created_at": "t2", "n": 1}),
        ("device", {"device_id": "d1"}),
        ("other", {}),
    ]
    assert files.write_export(out, records) == 4
    # The record's own id (<type>_id) fills the id column; rows end in CRLF (RFC 4180).
    assert out.getvalue() == (
        "record_type,id,created_at,details\r\n"
        'profile,u-1,t0,"{""bio"":""a,b""}"\r\n'
        'reminder,r1,t2,"{""id"":""first-id-wins"",""n"":1,""registered_at"":""t1""}"\r\n'
        "device,d1,,{}\r\n"
        "other,,,{}\r\n"
    )


OWN = "users/u-1/0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("attachment", "expected"),
    [
        (
            {"key": f"{OWN}/Holiday (1).png", "size_bytes": 10, "content_type": "image/png"},
            files.Download(f"{OWN}/Holiday (1).png", "image/png", 'inline; filename="Holiday (1).png"'),
        ),
        (
            {"key": f"{OWN}/cat.webp", "content_type": "image/webp"},
            files.Download(f"{OWN}/cat.webp", "image/webp", 'inline; filename="cat.webp"'),
        ),
        (
            {"key": f"{OWN}/notes.txt", "content_type": "text/plain"},
            files.Download(f"{OWN}/notes.txt", "text/plain", 'attachment; filename="notes.txt"'),
        ),
        (
            {"key": f"{OWN}/page.html", "content_type": "text/html"},
            files.Download(f"{OWN}/page.html", "application/octet-stream", 'attachment; filename="page.html"'),
        ),
        (
            {"key": f"{OWN}/x.svg"},
            files.Download(f"{OWN}/x.svg", "application/octet-stream", 'attachment; filename="x.svg"'),
        ),
        ({"key": "users/u-2/0123456789abcdef0123456789abcdef/cat.png", "content_type": "image/png"}, None),
        ({"key": f"{OWN}/../../u-2/cat.png", "content_type": "image/png"}, None),
        ({"key": "exports/u-1/1-abcdef12.csv", "content_type": "image/png"}, None),
        ({"content_type": "image/png"}, None),
        (f"{OWN}/cat.png", None),
    ],
)
def test_files_attachment_download_only_for_the_senders_uploads(attachment: Any, expected: Any) -> None:
    assert files.attachment_download(attachment, "u-1") == expected


def test_files_upload_url_is_signed_for_a_put_of_the_exact_object(aws_mock: None) -> None:
    """The URL is the one S3's own signer makes for put_object (whose method is PUT) with the same values."""
    params = {"Bucket": "b", "Key": "users/u-1/up1/a.png", "ContentType": "image/png", "ContentLength": 10}
    for _ in range(3):  # the signature carries the second it was made in: retry when the clock ticks meanwhile
        before = s3_files.signer().generate_presigned_url("put_object", Params=params, ExpiresIn=300)
        url = s3_files.presigned_put("b", "users/u-1/up1/a.png", "image/png", 10, 300)
        if before == s3_files.signer().generate_presigned_url("put_object", Params=params, ExpiresIn=300):
            break
    assert url == before
