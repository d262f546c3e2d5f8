"""The daily reset's table access: one day's spenders, page by page, and the give-back transaction."""

from __future__ import annotations

import json
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from parley.adapters import aws
from parley.domain import keys
from parley.domain.reminders import Page


class DynamoPointsStore:
    def __init__(self, table_name: str) -> None:
        self.table_name = table_name
        self.table = aws.table(table_name)

    def spenders(self, day: str, limit: int, cursor: dict[str, Any] | None) -> Page:
        args: dict[str, Any] = {
            "KeyConditionExpression": Key("PK").eq(keys.spent(day)),
            "Limit": limit,
            "ConsistentRead": True,
        }
        if cursor:
            args["ExclusiveStartKey"] = cursor
        page = self.table.query(**args)
        return page.get("Items", []), page.get("LastEvaluatedKey")

    def give_back(self, marker: dict[str, Any]) -> str:
        """Return the day's spend to the user and delete the marker, atomically.

        ``"reset"``; ``"no_user"`` (profile gone: marker deleted); ``"changed"``
        (the marker moved meanwhile: read it again next page or run).
        """
        user_key = {"PK": marker["SK"], "SK": keys.PROFILE}
        marker_key = {"PK": marker["PK"], "SK": marker["SK"]}
        spent = marker.get("spent", 0)
        client = self.table.meta.client
        try:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": user_key,
                            "UpdateExpression": "ADD points :spent",
                            "ConditionExpression": "attribute_exists(PK) AND attribute_exists(points)",
                            "ExpressionAttributeValues": {":spent": spent},
                        }
                    },
                    {
                        "Delete": {
                            "TableName": self.table_name,
                            "Key": marker_key,
                            "ConditionExpression": "spent = :spent",
                            "ExpressionAttributeValues": {":spent": spent},
                        }
                    },
                ]
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if len(reasons) == 2 and reasons[1] == "ConditionalCheckFailed":
                return "changed"
            if reasons and reasons[0] == "ConditionalCheckFailed":
                try:
                    self.table.delete_item(
                        Key=marker_key,
                        ConditionExpression="spent = :spent",
                        ExpressionAttributeValues={":spent": spent},
                    )
                except ClientError as inner:
                    if inner.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                        return "changed"
                    raise
                return "no_user"
            raise
        return "reset"


def continue_later(function_arn: str, payload: dict[str, Any]) -> None:
    """Invoke the reset again, asynchronously, to finish what a bounded run left."""
    aws.client("lambda").invoke(FunctionName=function_arn, InvocationType="Event", Payload=json.dumps(payload).encode())
