"""domain/device_requests.py: a push device item from a registration, and notification ids in both directions."""

from __future__ import annotations

import pytest

from parley.domain import device_requests
from parley.errors import BadRequest, NotFound

TOKEN = "ExponentPushToken[abc]"


def test_device_requests_new_device_is_keyed_by_the_tokens_hash() -> None:
    token = "ExpoPushToken[abcdefghij]"
    item = device_requests.new_device({"token": token, "platform": "ios"}, "u-1", "2030-01-01T00:00:00Z")
    ident = item["device_id"]
    assert len(ident) == 32 and item == {
        "PK": "USER#u-1",
        "SK": f"DEVICE#{ident}",
        "type": "device",
        "device_id": ident,
        "token": token,
        "platform": "ios",
        "registered_at": "2030-01-01T00:00:00Z",
    }


@pytest.mark.parametrize(
    "body",
    [
        {"token": "PushToken[abcdefghij]", "platform": "ios"},
        {"token": "ExpoPushToken[short]", "platform": "ios"},
        {"token": "ExpoPushToken[abcdefghij]", "platform": "symbian"},
    ],
)
def test_device_requests_refuse_foreign_tokens_and_platforms(body: dict[str, str]) -> None:
    with pytest.raises(BadRequest):
        device_requests.new_device(body, "u-1", "t")


def test_device_requests_notification_ids_round_trip() -> None:
    assert device_requests.notification_id("NOTIF#0000000000042#n#1") == "0000000000042-n#1"
    assert device_requests.notification_sort_key("0000000000042-n1") == "NOTIF#0000000000042#n1"


@pytest.mark.parametrize("api_id", ["42-n1", "0000000000042-", "0000000000042-n/1", "0000000000042_n1", "x"])
def test_device_requests_malformed_notification_ids_are_not_found(api_id: str) -> None:
    with pytest.raises(NotFound) as missing:
        device_requests.notification_sort_key(api_id)
    assert missing.value.message == "no such notification"
