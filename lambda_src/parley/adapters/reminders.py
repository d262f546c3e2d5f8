"""The reminders run's ports: the table, WebSocket management API, SES and Expo."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from parley.adapters import aws, email, push, websocket
from parley.domain import keys
from parley.domain.reminders import PENDING, SENDING, EmailStatus, Page, PushTicket, WsStatus


def _conditional_failed(exc: ClientError) -> bool:
    return bool(exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")


class DynamoReminderPorts:
    def __init__(
        self, table_name: str, ws_endpoint: str, email_from: str, push_endpoint: str, push_timeout_seconds: float
    ) -> None:
        self.table = aws.table(table_name)
        self.ws_endpoint = ws_endpoint
        self.email_from = email_from
        self.push_endpoint = push_endpoint
        self.push_timeout_seconds = push_timeout_seconds

    def due(self, shard: int, now_iso: str, limit: int, cursor: dict[str, Any] | None) -> Page:
        args: dict[str, Any] = {
            "IndexName": keys.GSI1,
            "KeyConditionExpression": Key("GSI1PK").eq(keys.due_shard(shard))
            & Key("GSI1SK").lt(keys.due_upper_bound(now_iso)),
            "Limit": limit,
        }
        if cursor:
            args["ExclusiveStartKey"] = cursor
        page = self.table.query(**args)
        return page.get("Items", []), page.get("LastEvaluatedKey")

    def claim(self, item: Mapping[str, Any], token: str, now_iso: str, lease_until_iso: str) -> dict[str, Any] | None:
        try:
            result = self.table.update_item(
                Key={"PK": item["PK"], "SK": item["SK"]},
                UpdateExpression="SET #s = :sending, claim_token = :token, claim_expires_at = :lease, "
                "attempts = if_not_exists(attempts, :zero) + :one, updated_at = :now",
                ConditionExpression="attribute_exists(PK) AND attribute_exists(GSI1PK) AND "
                "(#s = :pending OR (#s = :sending AND claim_expires_at < :now))",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":sending": SENDING,
                    ":pending": PENDING,
                    ":token": token,
                    ":lease": lease_until_iso,
                    ":now": now_iso,
                    ":zero": 0,
                    ":one": 1,
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if _conditional_failed(exc):
                return None
            raise
        attributes: dict[str, Any] = result["Attributes"]
        return attributes

    def finish(self, item: Mapping[str, Any], token: str, set_fields: dict[str, Any], remove: Iterable[str]) -> bool:
        names = {f"#f{i}": name for i, name in enumerate(set_fields)}
        values = {f":v{i}": value for i, value in enumerate(set_fields.values())}
        removed = {f"#r{i}": name for i, name in enumerate(remove)}
        expression = "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(set_fields)))
        if removed:
            expression += " REMOVE " + ", ".join(removed)
        try:
            self.table.update_item(
                Key={"PK": item["PK"], "SK": item["SK"]},
                UpdateExpression=expression,
                ConditionExpression="claim_token = :token",
                ExpressionAttributeNames=names | removed,
                ExpressionAttributeValues=values | {":token": token},
            )
        except ClientError as exc:
            if _conditional_failed(exc):
                return False
            raise
        return True

    def profile(self, user_id: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.table.get_item(Key={"PK": keys.user(user_id), "SK": keys.PROFILE}).get(
            "Item"
        )
        return found

    def connections(self, user_id: str) -> list[str]:
        page = self.table.query(
            IndexName=keys.GSI1,
            KeyConditionExpression=Key("GSI1PK").eq(keys.user(user_id)) & Key("GSI1SK").begins_with(keys.CONN_PREFIX),
        )
        return [keys.strip(str(item["GSI1SK"])) for item in page.get("Items", [])]

    def post(self, connection_id: str, frame: dict[str, Any]) -> WsStatus:
        delivery = websocket.post(self.ws_endpoint, connection_id, frame)
        if delivery is websocket.Delivery.SENT:
            return WsStatus.SENT
        if delivery is websocket.Delivery.GONE:
            return WsStatus.GONE
        return WsStatus.OTHER

    def drop_connection(self, connection_id: str) -> None:
        self.table.delete_item(Key={"PK": keys.conn(connection_id), "SK": keys.META})

    def put_notification(self, item: dict[str, Any]) -> None:
        self.table.put_item(Item=item)

    def send_email(self, to: str, subject: str, text: str) -> EmailStatus:
        if not self.email_from:
            return EmailStatus.REJECTED  # no sender configured: no retry can help
        return email.send_text(self.email_from, to, subject, text)

    def devices(self, user_id: str) -> list[tuple[str, str]]:
        page = self.table.query(
            KeyConditionExpression=Key("PK").eq(keys.user(user_id)) & Key("SK").begins_with(keys.DEVICE_PREFIX)
        )
        return [
            (keys.strip(str(item["SK"])), str(item["token"])) for item in page.get("Items", []) if item.get("token")
        ]

    def push(self, messages: list[dict[str, Any]]) -> list[PushTicket]:
        return push.send(self.push_endpoint, messages, self.push_timeout_seconds)

    def drop_device(self, user_id: str, device_id: str) -> None:
        self.table.delete_item(Key={"PK": keys.user(user_id), "SK": keys.device(device_id)})
