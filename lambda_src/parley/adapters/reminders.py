"""The reminders repository, and the ports a delivery run uses: the table, WebSocket, SES and Expo."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from parley.adapters import mailer, push, websocket
from parley.adapters.connections import Connections
from parley.adapters.devices import Devices, Notifications
from parley.adapters.table import (
    GSI1,
    ConditionFailed,
    Delete,
    Increment,
    Item,
    Put,
    Table,
    Update,
    absent,
    eq,
    exists,
    key,
    lt,
)
from parley.adapters.users import Users
from parley.domain import keys
from parley.domain.pagination import Page
from parley.domain.reminders.ports import EmailStatus, PendingReceipt, PushReceipt, PushTicket, WsStatus
from parley.domain.reminders.rules import PENDING, SENDING
from parley.errors import NotFound


class Reminders:
    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, item: Item) -> None:
        self.table.write(Put(item, absent()))

    def page(self, user_id: str, limit: int, start: Item | None) -> Page:
        return self.table.query(keys.user(user_id), prefix=keys.REMINDER_PREFIX, limit=limit, start=start)

    def remove(self, user_id: str, reminder_id: str) -> None:
        """Cancel a reminder; NotFound when the user has no such reminder."""
        try:
            self.table.write(Delete(key(keys.user(user_id), keys.reminder(reminder_id)), exists()))
        except ConditionFailed:
            raise NotFound("no such reminder") from None

    def due(self, shard: int, now_iso: str, limit: int, cursor: Item | None) -> Page:
        """One page of the shard's reminders due at or before ``now_iso`` (GSI1 ``DUE#{shard}``)."""
        return self.table.query(
            keys.due_shard(shard), before=keys.due_upper_bound(now_iso), index=GSI1, limit=limit, start=cursor
        )

    def claim(self, item: Mapping[str, Any], token: str, now_iso: str, lease_until_iso: str) -> Item | None:
        """Take a due reminder for this run (pending, or its previous claim expired); None when another run has it."""
        claimable = (
            exists()
            & exists("GSI1PK")
            & (eq("status", PENDING) | (eq("status", SENDING) & lt("claim_expires_at", now_iso)))
        )
        update = Update(
            key(item["PK"], item["SK"]),
            set={
                "status": SENDING,
                "claim_token": token,
                "claim_expires_at": lease_until_iso,
                "attempts": Increment(1),
                "updated_at": now_iso,
            },
            condition=claimable,
        )
        try:
            return self.table.write(update)
        except ConditionFailed:
            return None

    def finish(self, item: Mapping[str, Any], token: str, set_fields: dict[str, Any], remove: Iterable[str]) -> bool:
        """Record the outcome if this run still holds the claim; False when another run took over."""
        update = Update(
            key(item["PK"], item["SK"]), set=set_fields, remove=tuple(remove), condition=eq("claim_token", token)
        )
        try:
            self.table.write(update)
        except ConditionFailed:
            return False
        return True


RECEIPT_TTL_SECONDS = keys.DAY_SECONDS  # Expo keeps a receipt for a day


class DeliveryPorts(Reminders):
    """``ReminderPorts`` (parley.domain.reminders.ports) on the table, the management API, SES and Expo."""

    def __init__(
        self,
        table: Table,
        ws_endpoint: str,
        email_from: str,
        push_endpoint: str,
        push_timeout_seconds: float,
        *,
        push_access_token: str | None = None,
    ) -> None:
        super().__init__(table)
        self.ws_endpoint = ws_endpoint
        self.email_from = email_from
        self.push_endpoint = push_endpoint
        self.push_timeout_seconds = push_timeout_seconds
        self.push_access_token = push_access_token

    def profile(self, user_id: str) -> Item | None:
        return Users(self.table).profile(user_id)

    def connections(self, user_id: str) -> list[str]:
        return Connections(self.table).of_user(user_id)

    def post(self, connection_id: str, frame: dict[str, Any]) -> WsStatus:
        delivery = websocket.post(self.ws_endpoint, connection_id, frame)
        if delivery is websocket.Delivery.SENT:
            return WsStatus.SENT
        if delivery is websocket.Delivery.GONE:
            return WsStatus.GONE
        return WsStatus.OTHER

    def drop_connection(self, connection_id: str) -> None:
        Connections(self.table).drop(connection_id)

    def put_notification(self, item: dict[str, Any]) -> None:
        Notifications(self.table).put(item)

    def send_email(self, to: str, subject: str, text: str) -> EmailStatus:
        if not self.email_from:
            return EmailStatus.REJECTED  # no sender configured: no retry can help
        try:
            mailer.send_text(self.email_from, to, subject, text)
        except mailer.MailRejected:
            return EmailStatus.REJECTED
        except mailer.MailUnavailable:
            return EmailStatus.TRANSIENT
        return EmailStatus.SENT

    def devices(self, user_id: str) -> list[tuple[str, str]]:
        return Devices(self.table).tokens(user_id)

    def push(self, messages: list[dict[str, Any]]) -> list[PushTicket]:
        return push.send(self.push_endpoint, messages, self.push_timeout_seconds, self.push_access_token)

    def keep_receipts(self, shard: int, sent: list[tuple[str, str, str]], now_iso: str) -> None:
        expires = keys.ttl_in(RECEIPT_TTL_SECONDS)
        items = [
            {
                "PK": keys.push_receipts(shard),
                "SK": keys.push_receipt(now_iso, ticket_id),
                "ticket_id": ticket_id,
                "user_id": user_id,
                "device_id": device_id,
                "TTL": expires,
            }
            for ticket_id, user_id, device_id in sent
        ]
        self.table.batch_write(puts=items)

    def pending_receipts(self, shard: int, limit: int) -> list[PendingReceipt]:
        items, _ = self.table.query(keys.push_receipts(shard), limit=limit)
        return [
            PendingReceipt(str(i["ticket_id"]), str(i["user_id"]), str(i["device_id"]), key(i["PK"], i["SK"]))
            for i in items
        ]

    def receipts(self, ticket_ids: list[str]) -> dict[str, PushReceipt]:
        endpoint = push.receipts_endpoint(self.push_endpoint)
        return push.receipts(endpoint, ticket_ids, self.push_timeout_seconds, self.push_access_token)

    def forget_receipts(self, pending: Iterable[PendingReceipt]) -> None:
        self.table.batch_write(deletes=[p.key for p in pending])

    def drop_device(self, user_id: str, device_id: str) -> None:
        Devices(self.table).forget(user_id, device_id)
