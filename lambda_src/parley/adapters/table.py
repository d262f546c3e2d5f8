"""The one persistence core of the single table: reads, conditional writes, transactions and batches.

Feature repositories (``adapters/rooms.py``, ``adapters/calls.py``, ...) describe
their writes as ``Put``/``Update``/``Delete``/``Check`` operations with
conditions built from ``exists``/``absent``/``eq``/...; this module renders
them into DynamoDB expressions once. A refused condition is a typed
:class:`ConditionFailed` naming the refused operation's index, decoded here
and nowhere else (by error code, never by message text). Every read is a key
get or a key-condition query on the table or GSI1: nothing here scans.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from parley.adapters import aws
from parley.domain.pagination import Page

GSI1 = "GSI1"
MAX_TRANSACTION_ITEMS = 100
MAX_BATCH_WRITE = 25

Item = dict[str, Any]


class ConditionFailed(Exception):
    """A conditional write was refused; in a transaction ``index`` names the first refused operation."""

    def __init__(self, index: int | None = None, reasons: Sequence[str] = ()) -> None:
        super().__init__(f"condition failed at {index}")
        self.index = index
        self.reasons = tuple(reasons)

    def failed(self, index: int) -> bool:
        """Whether the operation at ``index`` of the transaction was refused by its condition."""
        return index < len(self.reasons) and self.reasons[index] == "ConditionalCheckFailed"


class TransactionConflict(Exception):
    """A transaction was cancelled for another reason than a condition (a concurrent change, throttling)."""

    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__(f"transaction cancelled: {', '.join(reasons)}")
        self.reasons = tuple(reasons)


# --- conditions ----------------------------------------------------------------------


class _Names:
    """Expression attribute name and value aliases (#n0, :v0) shared by one operation's expressions."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def name(self, attribute: str) -> str:
        for alias, known in self.names.items():
            if known == attribute:
                return alias
        alias = f"#n{len(self.names)}"
        self.names[alias] = attribute
        return alias

    def value(self, value: Any) -> str:
        alias = f":v{len(self.values)}"
        self.values[alias] = value
        return alias


@dataclass(frozen=True)
class Condition:
    """A condition on an item's attributes; combine with ``&`` and ``|``."""

    op: str
    args: tuple[Any, ...]

    def __and__(self, other: Condition) -> Condition:
        return Condition("AND", (self, other))

    def __or__(self, other: Condition) -> Condition:
        return Condition("OR", (self, other))

    def render(self, names: _Names) -> str:
        if self.op in {"AND", "OR"}:
            left, right = (part.render(names) for part in self.args)
            return f"({left} {self.op} {right})"
        attribute = names.name(self.args[0])
        if self.op == "exists":
            return f"attribute_exists({attribute})"
        if self.op == "absent":
            return f"attribute_not_exists({attribute})"
        return f"{attribute} {self.op} {names.value(self.args[1])}"


def exists(attribute: str = "PK") -> Condition:
    return Condition("exists", (attribute,))


def absent(attribute: str = "PK") -> Condition:
    return Condition("absent", (attribute,))


def eq(attribute: str, value: Any) -> Condition:
    return Condition("=", (attribute, value))


def lt(attribute: str, value: Any) -> Condition:
    return Condition("<", (attribute, value))


def le(attribute: str, value: Any) -> Condition:
    return Condition("<=", (attribute, value))


def gt(attribute: str, value: Any) -> Condition:
    return Condition(">", (attribute, value))


def ge(attribute: str, value: Any) -> Condition:
    return Condition(">=", (attribute, value))


# --- operations ----------------------------------------------------------------------


def key(pk: str, sk: str) -> Item:
    return {"PK": pk, "SK": sk}


@dataclass(frozen=True)
class IfAbsent:
    """An update value written only where the attribute is absent."""

    value: Any


@dataclass(frozen=True)
class Increment:
    """An update that adds ``delta`` to a number, counting from ``start`` where it is absent."""

    delta: int
    start: int = 0


@dataclass(frozen=True)
class Put:
    item: Item
    condition: Condition | None = None


@dataclass(frozen=True)
class Delete:
    key: Item
    condition: Condition | None = None


@dataclass(frozen=True)
class Check:
    key: Item
    condition: Condition


@dataclass(frozen=True)
class Update:
    """SET ``set`` (plain values, IfAbsent, Increment), ADD ``add`` (numbers, sets), DELETE ``discard``, REMOVE."""

    key: Item
    set: Mapping[str, Any] = field(default_factory=dict)
    add: Mapping[str, Any] = field(default_factory=dict)
    discard: Mapping[str, Any] = field(default_factory=dict)
    remove: Sequence[str] = ()
    condition: Condition | None = None


Operation = Put | Delete | Check | Update


def _set_clause(names: _Names, attribute: str, value: Any) -> str:
    target = names.name(attribute)
    if isinstance(value, IfAbsent):
        return f"{target} = if_not_exists({target}, {names.value(value.value)})"
    if isinstance(value, Increment):
        return f"{target} = if_not_exists({target}, {names.value(value.start)}) + {names.value(value.delta)}"
    return f"{target} = {names.value(value)}"


def render(operation: Operation) -> tuple[str, dict[str, Any]]:
    """The operation as (TransactWriteItems kind, request body without TableName)."""
    names = _Names()
    body: dict[str, Any]
    if isinstance(operation, Put):
        kind, body = "Put", {"Item": operation.item}
    elif isinstance(operation, Delete):
        kind, body = "Delete", {"Key": operation.key}
    elif isinstance(operation, Check):
        kind, body = "ConditionCheck", {"Key": operation.key}
    else:
        clauses = []
        if operation.set:
            clauses.append("SET " + ", ".join(_set_clause(names, a, v) for a, v in operation.set.items()))
        if operation.add:
            clauses.append("ADD " + ", ".join(f"{names.name(a)} {names.value(v)}" for a, v in operation.add.items()))
        if operation.discard:
            parts = (f"{names.name(a)} {names.value(v)}" for a, v in operation.discard.items())
            clauses.append("DELETE " + ", ".join(parts))
        if operation.remove:
            clauses.append("REMOVE " + ", ".join(names.name(a) for a in operation.remove))
        kind, body = "Update", {"Key": operation.key, "UpdateExpression": " ".join(clauses)}
    if operation.condition is not None:
        body["ConditionExpression"] = operation.condition.render(names)
    if names.names:
        body["ExpressionAttributeNames"] = names.names
    if names.values:
        body["ExpressionAttributeValues"] = names.values
    return kind, body


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


# --- the table ----------------------------------------------------------------------


class Table:
    """The app table (boto3's resource API: plain Python values in and out)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.resource = aws.table(name)

    def get(self, pk: str, sk: str, *, consistent: bool = True) -> Item | None:
        item: Item | None = self.resource.get_item(Key=key(pk, sk), ConsistentRead=consistent).get("Item")
        return item

    def batch_get(self, keys: Iterable[Item]) -> list[Item]:
        """The items that exist among ``keys`` (any order), 100 keys per request, unprocessed keys retried."""
        wanted = list({(k["PK"], k["SK"]): k for k in keys}.values())
        found: list[Item] = []
        client = self.resource.meta.client
        for start in range(0, len(wanted), 100):
            request: dict[str, Any] = {self.name: {"Keys": wanted[start : start + 100], "ConsistentRead": True}}
            while request:
                response = client.batch_get_item(RequestItems=request)
                found += response.get("Responses", {}).get(self.name, [])
                request = response.get("UnprocessedKeys") or {}
        return found

    def write(self, operation: Operation) -> Item:
        """One conditional write; ConditionFailed when refused. An Update returns the new item."""
        kind, body = render(operation)
        calls = {
            "Put": self.resource.put_item,
            "Delete": self.resource.delete_item,
            "Update": self.resource.update_item,
        }
        if kind == "Update":
            body["ReturnValues"] = "ALL_NEW"
        try:
            response = calls[kind](**body)
        except ClientError as error:
            if _error_code(error) == "ConditionalCheckFailedException":
                raise ConditionFailed(0) from None
            raise
        attributes: Item = response.get("Attributes", {})
        return attributes

    def transact(self, operations: Sequence[Operation]) -> None:
        """All operations or none.

        ConditionFailed (``index``: the first refused operation, ``reasons``: one
        code per operation) when a condition refused it; TransactionConflict when
        it was cancelled for another reason.
        """
        if not 0 < len(operations) <= MAX_TRANSACTION_ITEMS:
            raise ValueError(f"a transaction holds 1-{MAX_TRANSACTION_ITEMS} operations")
        items = []
        for operation in operations:
            kind, body = render(operation)
            items.append({kind: {"TableName": self.name, **body}})
        try:
            self.resource.meta.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if _error_code(error) != "TransactionCanceledException":
                raise
            reasons = [str(r.get("Code") or "None") for r in error.response.get("CancellationReasons") or []]
            refused = [i for i, code in enumerate(reasons) if code == "ConditionalCheckFailed"]
            if refused and all(code in {"None", "ConditionalCheckFailed"} for code in reasons):
                raise ConditionFailed(refused[0], reasons) from None
            raise TransactionConflict(reasons) from None

    def batch_write(self, puts: Iterable[Item] = (), deletes: Iterable[Item] = ()) -> None:
        """Unconditional puts and deletes (by key), 25 per request, unprocessed ones retried by boto3."""
        with self.resource.batch_writer(overwrite_by_pkeys=["PK", "SK"]) as batch:
            for item in puts:
                batch.put_item(Item=item)
            for item_key in deletes:
                batch.delete_item(Key=key(item_key["PK"], item_key["SK"]))

    def query(
        self,
        pk: str,
        *,
        prefix: str | None = None,
        before: str | None = None,
        after: str | None = None,
        index: str | None = None,
        limit: int | None = None,
        start: Item | None = None,
        newest_first: bool = False,
        consistent: bool = False,
    ) -> Page:
        """One page of a partition (of the table, or of GSI1 with ``index``), optionally narrowed on the sort key.

        At most one of ``prefix`` (sort keys starting with it), ``before`` and
        ``after`` (sort keys strictly below or above it).
        """
        bounds = [(op, value) for op, value in (("prefix", prefix), ("<", before), (">", after)) if value is not None]
        if len(bounds) > 1:
            raise ValueError("give at most one of prefix, before and after")
        pk_name, sk_name = ("GSI1PK", "GSI1SK") if index else ("PK", "SK")
        names = _Names()
        condition = f"{names.name(pk_name)} = {names.value(pk)}"
        for op, value in bounds:
            if op == "prefix":
                condition += f" AND begins_with({names.name(sk_name)}, {names.value(value)})"
            else:
                condition += f" AND {names.name(sk_name)} {op} {names.value(value)}"
        args: dict[str, Any] = {
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names.names,
            "ExpressionAttributeValues": names.values,
            "ScanIndexForward": not newest_first,
        }
        if index:
            args["IndexName"] = index
        elif consistent:
            args["ConsistentRead"] = True
        if limit is not None:
            args["Limit"] = limit
        if start:
            args["ExclusiveStartKey"] = start
        response = self.resource.query(**args)
        return response.get("Items", []), response.get("LastEvaluatedKey")

    def query_all(self, pk: str, **kwargs: Any) -> Iterator[Item]:
        """Every item of ``query(pk, **kwargs)``, page after page."""
        start: Item | None = None
        while True:
            items, start = self.query(pk, start=start, **kwargs)
            yield from items
            if not start:
                return
