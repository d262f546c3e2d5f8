"""DynamoDB access for calls: profiles' daily points, match tickets and call sessions.

Pairing is one transaction per pair: both tickets must still be the same
waiting tickets, both profiles must have a point left, and the session must be
new. A redelivered or concurrent batch can therefore never pair a user twice.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from parley.adapters import aws
from parley.domain import keys, points
from parley.domain.calls import CallSession
from parley.domain.matchmaking import POINTS_ATTRIBUTE, POINTS_PER_CALL, Ticket, TicketStatus


class PutResult(enum.Enum):
    CREATED = "created"
    TAKEN = "taken"  # another live ticket holds the user's place


@dataclass(frozen=True)
class PairResult:
    paired: bool
    stale: frozenset[str] = field(default_factory=frozenset)  # ticket ids no longer waiting
    out_of_points: frozenset[str] = field(default_factory=frozenset)  # ticket ids whose user has no point left


def _condition_failed(error: ClientError) -> bool:
    return bool(error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")


def _ticket(item: dict[str, Any]) -> Ticket:
    return Ticket(
        ticket_id=item["ticket_id"],
        user_id=item["user_id"],
        pool=item["pool"],
        status=TicketStatus(item["status"]),
        created_ms=int(item["created_ms"]),
        expires_at=int(item["expires_at"]),
        session_id=item.get("session_id"),
        peer_id=item.get("peer_id"),
        reason=item.get("reason"),
    )


class CallsStore:
    def __init__(self, table_name: str) -> None:
        self.table_name = table_name
        self.table = aws.table(table_name)

    # --- profiles ---------------------------------------------------------

    def profile_points(self, user_id: str, default: int) -> int | None:
        """The user's points left today (``default`` if never set), or None without a profile."""
        item = self.table.get_item(
            Key={"PK": keys.user(user_id), "SK": keys.PROFILE},
            ProjectionExpression="PK, #points",
            ExpressionAttributeNames={"#points": POINTS_ATTRIBUTE},
        ).get("Item")
        if item is None:
            return None
        return int(item.get(POINTS_ATTRIBUTE, default))

    # --- tickets ----------------------------------------------------------

    def get_ticket(self, user_id: str) -> Ticket | None:
        item = self.table.get_item(Key={"PK": keys.user(user_id), "SK": keys.TICKET}, ConsistentRead=True).get("Item")
        return None if item is None else _ticket(item)

    def put_ticket(self, ticket: Ticket, now: float) -> PutResult:
        """Write a waiting ticket unless the user already holds a live one."""
        item = {
            "PK": keys.user(ticket.user_id),
            "SK": keys.TICKET,
            "GSI1PK": keys.pool(ticket.pool),
            "GSI1SK": keys.waiting(ticket.created_ms),
            "TTL": ticket.expires_at,
            "ticket_id": ticket.ticket_id,
            "user_id": ticket.user_id,
            "pool": ticket.pool,
            "status": str(ticket.status),
            "created_ms": ticket.created_ms,
            "expires_at": ticket.expires_at,
        }
        try:
            self.table.put_item(
                Item=item,
                ConditionExpression=Attr("PK").not_exists()
                | Attr("expires_at").lte(int(now))
                | Attr("status").eq(str(TicketStatus.EXPIRED)),
            )
        except ClientError as error:
            if _condition_failed(error):
                return PutResult.TAKEN
            raise
        return PutResult.CREATED

    def delete_ticket(self, user_id: str, ticket_id: str | None = None) -> bool:
        """Remove the user's ticket (only ``ticket_id`` when given); False if there was none."""
        condition = Attr("PK").exists() if ticket_id is None else Attr("ticket_id").eq(ticket_id)
        try:
            self.table.delete_item(Key={"PK": keys.user(user_id), "SK": keys.TICKET}, ConditionExpression=condition)
        except ClientError as error:
            if _condition_failed(error):
                return False
            raise
        return True

    def waiting_tickets(self, pool: str, now: float, limit: int = 50) -> list[Ticket]:
        """Live waiting tickets of a pool, oldest first."""
        response = self.table.query(
            IndexName=keys.GSI1,
            KeyConditionExpression=Key("GSI1PK").eq(keys.pool(pool)) & Key("GSI1SK").begins_with(keys.WAIT_PREFIX),
            FilterExpression=Attr("status").eq(str(TicketStatus.WAITING)) & Attr("expires_at").gt(int(now)),
            ScanIndexForward=True,
            Limit=limit,
        )
        return [_ticket(item) for item in response.get("Items", [])]

    def expire_ticket(self, ticket: Ticket, reason: str) -> None:
        """Take a waiting ticket out of its pool, keeping it readable as expired."""
        try:
            self.table.update_item(
                Key={"PK": keys.user(ticket.user_id), "SK": keys.TICKET},
                UpdateExpression="SET #s = :expired, reason = :reason REMOVE GSI1PK, GSI1SK",
                ConditionExpression="#s = :waiting AND ticket_id = :tid",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":expired": str(TicketStatus.EXPIRED),
                    ":waiting": str(TicketStatus.WAITING),
                    ":reason": reason,
                    ":tid": ticket.ticket_id,
                },
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise

    # --- pairing ----------------------------------------------------------

    def spend_point(self, user_id: str, default_points: int, day: str) -> list[dict[str, Any]]:
        """Transaction entries deducting one point (fails when none is left) and recording the spend for the reset."""
        return points.spend_updates(self.table_name, user_id, POINTS_PER_CALL, allowance=default_points, day=day)

    def pair(
        self,
        a: Ticket,
        b: Ticket,
        *,
        session_id: str,
        now: float,
        session_ttl_seconds: int,
        default_points: int,
        points_day: str,
    ) -> PairResult:
        """Match two waiting tickets, create their session and deduct a point from each, atomically."""
        expires_at = int(now) + session_ttl_seconds

        def ticket_update(ticket: Ticket, peer: Ticket) -> dict[str, Any]:
            return {
                "Update": {
                    "TableName": self.table_name,
                    "Key": {"PK": keys.user(ticket.user_id), "SK": keys.TICKET},
                    "UpdateExpression": (
                        "SET #s = :matched, session_id = :sid, peer_id = :peer, matched_at = :now,"
                        " expires_at = :exp, #ttl = :exp REMOVE GSI1PK, GSI1SK"
                    ),
                    "ConditionExpression": "#s = :waiting AND ticket_id = :tid AND expires_at > :now",
                    "ExpressionAttributeNames": {"#s": "status", "#ttl": "TTL"},
                    "ExpressionAttributeValues": {
                        ":matched": str(TicketStatus.MATCHED),
                        ":waiting": str(TicketStatus.WAITING),
                        ":sid": session_id,
                        ":peer": peer.user_id,
                        ":tid": ticket.ticket_id,
                        ":now": int(now),
                        ":exp": expires_at,
                    },
                }
            }

        def put(item: dict[str, Any]) -> dict[str, Any]:
            return {
                "Put": {"TableName": self.table_name, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}
            }

        session_item = {
            "PK": keys.session(session_id),
            "SK": keys.META,
            "session_id": session_id,
            "pool": a.pool,
            "participants": [a.user_id, b.user_id],
            "tickets": [a.ticket_id, b.ticket_id],
            "created_at": int(now),
            "expires_at": expires_at,
            "TTL": expires_at,
        }
        member_items = [
            {
                "PK": keys.session(session_id),
                "SK": keys.user(t.user_id),
                "GSI1PK": keys.user(t.user_id),
                "GSI1SK": keys.session(session_id),
                "TTL": expires_at,
            }
            for t in (a, b)
        ]
        # Each entry is tagged with what its failed condition means, so the
        # cancellation reasons (in entry order) say which ticket to drop.
        entries: list[tuple[str, Ticket | None, dict[str, Any]]] = [
            ("ticket", a, ticket_update(a, b)),
            ("ticket", b, ticket_update(b, a)),
            *(("points", a, e) for e in self.spend_point(a.user_id, default_points, points_day)),
            *(("points", b, e) for e in self.spend_point(b.user_id, default_points, points_day)),
            ("session", None, put(session_item)),
            *(("session", None, put(m)) for m in member_items),
        ]
        try:
            # The resource's client takes plain Python values, like the Table API.
            self.table.meta.client.transact_write_items(TransactItems=[entry for _, _, entry in entries])
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = [r.get("Code", "None") for r in error.response.get("CancellationReasons", [])]
            if len(reasons) != len(entries) or any(code not in ("None", "ConditionalCheckFailed") for code in reasons):
                raise  # a conflict or throttle: let the record be retried
            failed = [(role, t) for (role, t, _), code in zip(entries, reasons, strict=True) if code != "None"]
            stale = frozenset(t.ticket_id for role, t in failed if role == "ticket" and t is not None)
            broke = frozenset(t.ticket_id for role, t in failed if role == "points" and t is not None) - stale
            if not stale and not broke:
                raise  # only the session id collided: retry with a new one
            return PairResult(paired=False, stale=stale, out_of_points=broke)
        return PairResult(paired=True)

    # --- sessions and connections ------------------------------------------

    def get_session(self, session_id: str) -> CallSession | None:
        item = self.table.get_item(Key={"PK": keys.session(session_id), "SK": keys.META}).get("Item")
        if item is None:
            return None
        return CallSession(
            session_id=item["session_id"], participants=tuple(item["participants"]), expires_at=int(item["expires_at"])
        )
