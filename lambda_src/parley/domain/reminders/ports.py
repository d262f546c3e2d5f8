"""What a delivery run needs from the world: the ports adapters implement (``adapters/reminders.py``)."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from parley.domain.pagination import Page


class EmailStatus(enum.Enum):
    SENT = "sent"
    TRANSIENT = "transient"
    REJECTED = "rejected"


class WsStatus(enum.Enum):
    SENT = "sent"
    GONE = "gone"
    OTHER = "other"


@dataclasses.dataclass(frozen=True)
class PushTicket:
    """Expo's answer for one message: ok (with the id of its later receipt), or an error code
    (DeviceNotRegistered, MessageRateExceeded, ...)."""

    ok: bool
    error: str = ""
    ticket_id: str = ""


@dataclasses.dataclass(frozen=True)
class PushReceipt:
    """Expo's receipt for a ticket: delivered to the platform's push service, or an error code."""

    ok: bool
    error: str = ""


@dataclasses.dataclass(frozen=True)
class PendingReceipt:
    """A ticket whose receipt is still to be read, and the device it went to."""

    ticket_id: str
    user_id: str
    device_id: str
    key: dict[str, Any]  # where it is stored, to forget it once read


class PushUnavailable(Exception):
    """The push service did not take the request (network, 429, 5xx): try later."""


class PushRejected(Exception):
    """The push service refused the whole request (4xx): retrying the same request will not help."""


class PushServerError(PushRejected):
    """The push service answered with a request-level ``errors`` array (even with HTTP 200): not retried."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(f"push service answered errors: {', '.join(codes)}")
        self.codes = tuple(codes)


class ReminderPorts(Protocol):
    def due(self, shard: int, now_iso: str, limit: int, cursor: dict[str, Any] | None) -> Page: ...
    def claim(
        self, item: Mapping[str, Any], token: str, now_iso: str, lease_until_iso: str
    ) -> dict[str, Any] | None: ...
    def finish(
        self, item: Mapping[str, Any], token: str, set_fields: dict[str, Any], remove: Iterable[str]
    ) -> bool: ...
    def profile(self, user_id: str) -> dict[str, Any] | None: ...
    def connections(self, user_id: str) -> list[str]: ...
    def post(self, connection_id: str, frame: dict[str, Any]) -> WsStatus: ...
    def drop_connection(self, connection_id: str) -> None: ...
    def put_notification(self, item: dict[str, Any]) -> None: ...
    def send_email(self, to: str, subject: str, text: str) -> EmailStatus: ...
    def devices(self, user_id: str) -> list[tuple[str, str]]: ...
    def push(self, messages: list[dict[str, Any]]) -> list[PushTicket]: ...
    def drop_device(self, user_id: str, device_id: str) -> None: ...
    def keep_receipts(self, shard: int, sent: list[tuple[str, str, str]], now_iso: str) -> None: ...
    def pending_receipts(self, shard: int, limit: int) -> list[PendingReceipt]: ...
    def receipts(self, ticket_ids: list[str]) -> dict[str, PushReceipt]: ...
    def forget_receipts(self, pending: Iterable[PendingReceipt]) -> None: ...
