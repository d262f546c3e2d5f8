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
    """Expo's answer for one message: ok, or an error code (DeviceNotRegistered, MessageRateExceeded, ...)."""

    ok: bool
    error: str = ""


class PushUnavailable(Exception):
    """The push service did not take the request (network, 429, 5xx): try later."""


class PushRejected(Exception):
    """The push service refused the whole request (4xx): retrying the same request will not help."""


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
