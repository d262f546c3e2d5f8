"""DynamoDB access for the HTTP API: key reads, queries, conditional and transactional writes.

Condition failures become typed errors (checked by error code, never by text),
so a refused write is a 404/409 and never a partial one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from parley.adapters import aws
from parley.domain import keys
from parley.errors import Conflict

PRIMARY_KEYS = frozenset({"PK", "SK"})
GSI1_KEYS = frozenset({"PK", "SK", "GSI1PK", "GSI1SK"})


class ConditionFailed(Exception):
    """A conditional write (or one item of a transaction) was refused; ``index`` names the item."""

    def __init__(self, index: int | None = None) -> None:
        super().__init__(f"condition failed at {index}")
        self.index = index


class Store:
    def __init__(self, table_name: str) -> None:
        self.name = table_name
        self.table = aws.table(table_name)

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self.table.get_item(Key={"PK": pk, "SK": sk}, ConsistentRead=True).get("Item")
        return item

    def put(self, item: dict[str, Any], *, only_new: bool = False) -> None:
        extra: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(PK)"} if only_new else {}
        self._conditional(self.table.put_item, Item=item, **extra)

    def delete(self, pk: str, sk: str) -> None:
        """Delete an existing item; ConditionFailed when there is none."""
        self._conditional(self.table.delete_item, Key={"PK": pk, "SK": sk}, ConditionExpression="attribute_exists(PK)")

    def update(
        self,
        pk: str,
        sk: str,
        values: dict[str, Any],
        *,
        must_exist: bool = False,
        create: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """SET ``values`` (and ``create`` only where absent); returns the new item."""
        names: dict[str, str] = {}
        exprs: dict[str, Any] = {}
        parts: list[str] = []
        for i, (name, value) in enumerate(values.items()):
            names[f"#f{i}"] = name
            exprs[f":v{i}"] = value
            parts.append(f"#f{i} = :v{i}")
        for i, (name, value) in enumerate((create or {}).items()):
            names[f"#c{i}"] = name
            exprs[f":c{i}"] = value
            parts.append(f"#c{i} = if_not_exists(#c{i}, :c{i})")
        extra: dict[str, Any] = {"ConditionExpression": "attribute_exists(PK)"} if must_exist else {}
        response = self._conditional(
            self.table.update_item,
            Key={"PK": pk, "SK": sk},
            UpdateExpression="SET " + ", ".join(parts),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=exprs,
            ReturnValues="ALL_NEW",
            **extra,
        )
        attributes: dict[str, Any] = response["Attributes"]
        return attributes

    def query(
        self, pk: str, prefix: str, *, limit: int, start: dict[str, Any] | None = None, newest_first: bool = False
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        args: dict[str, Any] = {
            "KeyConditionExpression": Key("PK").eq(pk) & Key("SK").begins_with(prefix),
            "Limit": limit,
            "ScanIndexForward": not newest_first,
        }
        if start:
            args["ExclusiveStartKey"] = start
        response = self.table.query(**args)
        return response.get("Items", []), response.get("LastEvaluatedKey")

    def query_gsi1(
        self, pk: str, prefix: str, *, limit: int, start: dict[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        args: dict[str, Any] = {
            "IndexName": keys.GSI1,
            "KeyConditionExpression": Key("GSI1PK").eq(pk) & Key("GSI1SK").begins_with(prefix),
            "Limit": limit,
        }
        if start:
            args["ExclusiveStartKey"] = start
        response = self.table.query(**args)
        return response.get("Items", []), response.get("LastEvaluatedKey")

    def query_all(self, pk: str, prefix: str, *, gsi1: bool = False) -> Iterator[dict[str, Any]]:
        """Every item of a key range, page by page."""
        start: dict[str, Any] | None = None
        while True:
            if gsi1:
                items, start = self.query_gsi1(pk, prefix, limit=100, start=start)
            else:
                items, start = self.query(pk, prefix, limit=100, start=start)
            yield from items
            if not start:
                return

    def transact(self, operations: list[dict[str, Any]]) -> None:
        """One all-or-nothing write; ConditionFailed names the first refused operation."""
        for op in operations:
            for body in op.values():
                body["TableName"] = self.name
        try:
            aws.resource("dynamodb").meta.client.transact_write_items(TransactItems=operations)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = exc.response.get("CancellationReasons") or []
            failed = next((i for i, r in enumerate(reasons) if r.get("Code") == "ConditionalCheckFailed"), None)
            if failed is None and reasons:
                raise Conflict("the change conflicted with another one; try again") from None
            raise ConditionFailed(failed) from None

    @staticmethod
    def _conditional(call: Any, **kwargs: Any) -> Any:
        try:
            return call(**kwargs)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise ConditionFailed() from None
            raise
