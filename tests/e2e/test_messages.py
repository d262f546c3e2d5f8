"""Richer messages through the runtime: an uploaded image sent over WebSocket reaches the room, the history and
the sender's CSV export, and members read it through its presigned URL; an avatar must be an existing upload;
last_seen when the last connection closes."""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

import httpx

from tests.e2e.conftest import Deployed, Session, eventually, frames_until
from tests.plan.iam import Policy, Request


def _upload(deployed: Deployed, user: Session, name: str, content: bytes) -> str:
    """The key of an object the user uploaded with the presigned PUT the API gave them."""
    requested = deployed.http.post(
        "/uploads", json={"filename": name, "content_type": "image/png", "size_bytes": len(content)},
        headers=user.headers,
    )  # fmt: skip
    assert requested.status_code == 201, requested.text
    upload = requested.json()
    put = httpx.put(upload["upload_url"], content=content, headers=upload["headers"], timeout=30)
    assert put.status_code == 200, put.text
    return str(upload["key"])


def without_url(attachments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The attachments as stored: without the read URL and its expiry that a reader gets."""
    return [{k: v for k, v in a.items() if k not in {"url", "url_expires_at"}} for a in attachments]


def test_messages_image_with_attachment_reaches_room_history_and_export(deployed: Deployed) -> None:
    sender, reader = deployed.sign_in("rich-a@example.com"), deployed.sign_in("rich-b@example.com")
    room = deployed.http.post("/rooms", json={"name": "photos"}, headers=sender.headers).json()["id"]
    added = deployed.http.post(f"/rooms/{room}/members", json={"user_id": reader.user_id}, headers=sender.headers)
    assert added.is_success
    content = b"\x89PNG\r\n\x1a\n" + b"1" * 200
    key = _upload(deployed, sender, "cat.png", content)
    attachment = {"key": key, "size_bytes": len(content), "content_type": "image/png"}

    with deployed.connect(sender) as a, deployed.connect(reader) as b:
        for socket in (a, b):
            socket.send(json.dumps({"action": "join", "room": room}))
            frames_until(socket, lambda f: f.get("type") == "joined")
        # A client may not claim to be the server, nor attach someone else's or a missing upload
        a.send(json.dumps({"action": "send", "room": room, "type": "system", "text": "x", "ref": "s1"}))
        refused = frames_until(a, lambda f: f.get("ref") == "s1")[-1]
        assert (refused["type"], refused["error"]) == ("error", "invalid_field")
        missing = key.rsplit("/", 1)[0] + "/other.png"
        a.send(json.dumps({"action": "send", "room": room, "type": "image", "attachments": [missing], "ref": "s2"}))
        assert frames_until(a, lambda f: f.get("ref") == "s2")[-1]["error"] == "upload_not_found"
        # When the sender posts the image with a caption
        image = {"action": "send", "room": room, "type": "image", "text": "Grüße", "attachments": [key], "ref": "m1"}
        a.send(json.dumps(image))
        sent = frames_until(a, lambda f: f.get("ref") == "m1")[-1]
        assert sent["type"] == "sent" and sent["delivered"] == 1
        received = frames_until(b, lambda f: f.get("type") == "message")[-1]
    # Then the reader got it with its type and attachment, and the history returns it the same way
    assert (received["type"], received["message_type"], received["text"]) == ("message", "image", "Grüße")
    assert without_url(received["attachments"]) == [attachment] and sent["attachments"] == received["attachments"]
    (stored,) = deployed.http.get(f"/rooms/{room}/messages", headers=reader.headers).json()["items"]
    assert (stored["type"], without_url(stored["attachments"]), stored["message_id"]) == (
        "image", [attachment], sent["id"]
    )  # fmt: skip
    # And both read URLs give the reader the uploaded bytes as the uploaded type, for the next 10 minutes
    for readable in (received["attachments"][0], stored["attachments"][0]):
        assert time.time() * 1000 + 540_000 < readable["url_expires_at"] <= time.time() * 1000 + 600_000
        fetched = httpx.get(readable["url"], timeout=30)
        assert (fetched.status_code, fetched.content) == (200, content)
        assert fetched.headers["content-type"] == "image/png"
    # A signed-in user who is not a member gets no history, so no URL
    outsider = deployed.sign_in("rich-c@example.com")
    refused = deployed.http.get(f"/rooms/{room}/messages", headers=outsider.headers)
    assert refused.status_code == 404 and "X-Amz-Signature" not in refused.text

    # And the sender's export has the message (text as text); the reader's has none of the sender's messages
    export = deployed.http.get("/export", headers=sender.headers)
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = [r for r in csv.DictReader(io.StringIO(export.text)) if r["record_type"] == "message"]
    assert [r["id"] for r in rows] == [sent["id"]] and '"text":"Grüße"' in rows[0]["details"]
    theirs = deployed.http.get("/export", headers=reader.headers).text
    assert sent["id"] not in theirs


def test_messages_avatar_must_be_an_existing_upload_and_last_seen_is_kept(deployed: Deployed) -> None:
    user = deployed.sign_in("avatar@example.com")
    key = _upload(deployed, user, "me.png", b"\x89PNG\r\n\x1a\n" + b"2" * 64)
    for bad, code in ((key.rsplit("/", 1)[0] + "/none.png", "upload_not_found"), (key + "/../x.png", "invalid_field")):
        refused = deployed.http.patch("/me", json={"avatar_key": bad}, headers=user.headers)
        assert refused.status_code == 400 and refused.json()["error"] == code, refused.text
    kept = deployed.http.patch("/me", json={"avatar_key": key}, headers=user.headers)
    assert kept.status_code == 200 and kept.json()["avatar_key"] == key

    assert "last_seen" not in deployed.http.get("/me", headers=user.headers).json()
    with deployed.connect(user) as socket:
        socket.send(json.dumps({"action": "ping"}))
        frames_until(socket, lambda f: f.get("type") == "pong")

    def seen() -> Any:
        return deployed.http.get("/me", headers=user.headers).json().get("last_seen")

    assert eventually(seen, timeout=20)


def test_messages_functions_that_sign_attachment_urls_may_read_users_uploads_only(deployed: Deployed) -> None:
    # The read URLs the api (history) and ws (frames) functions sign can do what their roles may: read users/
    bucket = f"arn:aws:s3:::{deployed.outputs['uploads_bucket_name']}"
    iam = deployed.client("iam")
    for function in ("api", "ws"):
        role = f"{deployed.outputs['function_names'][function]}-role"
        policy = Policy.of(
            *(
                iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
                for name in iam.list_role_policies(RoleName=role)["PolicyNames"]
            )
        )
        upload = f"{bucket}/users/u-1/{'0' * 32}/cat.png"
        assert policy.allows(Request("s3:GetObject", upload)), function
        artifacts = f"arn:aws:s3:::{deployed.outputs['artifacts_bucket_name']}/lambda/{function}.zip"
        assert not policy.allows(Request("s3:GetObject", artifacts)), function
        assert not policy.allows(Request("s3:GetObject", f"{bucket}/site/index.html")), function
    assert not policy.allows(Request("s3:PutObject", upload))  # the ws function never writes an upload
