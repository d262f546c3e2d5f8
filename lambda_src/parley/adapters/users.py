"""Table access for sign-in: profiles (created once) and the per-user code send window."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from parley.adapters import aws
from parley.domain import keys
from parley.domain.otp import SEND_WINDOW_SECONDS, SendWindow, next_send_window


def create_profile(table_name: str, item: dict[str, Any]) -> bool:
    """Put the profile unless it exists; True when this call created it."""
    try:
        aws.table(table_name).put_item(Item=item, ConditionExpression="attribute_not_exists(PK)")
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True


def reserve_send(table_name: str, user_id: str, now: int) -> bool:
    """Count one more code mail for the user; False when the send limit is reached.

    Optimistic concurrency: the window is written only if nobody changed it
    since it was read, so two parallel sends cannot both take the last slot.
    """
    table = aws.table(table_name)
    key = {"PK": keys.user(user_id), "SK": keys.OTP_SENDS}
    item = table.get_item(Key=key, ConsistentRead=True).get("Item")
    current = SendWindow(int(item["started_at"]), int(item["sends"])) if item else None
    following = next_send_window(current, now)
    if following is None:
        return False
    condition: dict[str, Any]
    if current is None:
        condition = {"ConditionExpression": "attribute_not_exists(PK)"}
    else:
        condition = {
            "ConditionExpression": "started_at = :started AND sends = :sends",
            "ExpressionAttributeValues": {":started": current.started_at, ":sends": current.sends},
        }
    try:
        table.put_item(
            Item={
                **key,
                "started_at": following.started_at,
                "sends": following.sends,
                "TTL": keys.ttl_in(SEND_WINDOW_SECONDS, now),
            },
            **condition,
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True
