"""Key builders for the single table (docs/architecture.md, "The table"): the one place key formats live.

Also the stable ids derived from values (a reminder's shard, a push token's device id).
"""

from __future__ import annotations

import hashlib
import time
import zlib

DAY_SECONDS = 86_400


def user(user_id: str) -> str:
    return f"USER#{user_id}"


def room(room_id: str) -> str:
    return f"ROOM#{room_id}"


def conn(connection_id: str) -> str:
    return f"CONN#{connection_id}"


def relay(relay_id: str) -> str:
    return f"RELAY#{relay_id}"


def session(session_id: str) -> str:
    return f"SESSION#{session_id}"


def email(address: str) -> str:
    return f"EMAIL#{address.strip().lower()}"


def member(user_id: str) -> str:
    return f"MEMBER#{user_id}"


def message(ts_ms: int, message_id: str) -> str:
    return f"MSG#{ts_ms:013d}#{message_id}"


def notification(ts_ms: int, notification_id: str) -> str:
    return f"NOTIF#{ts_ms:013d}#{notification_id}"


def reminder(reminder_id: str) -> str:
    return f"REMINDER#{reminder_id}"


def due_shard(shard: int) -> str:
    return f"DUE#{shard}"


def due_sort(due_iso: str, reminder_id: str) -> str:
    """GSI1SK of a pending reminder: sorts by due time (fixed-width UTC ISO), then id."""
    return f"{due_iso}#{reminder_id}"


def due_upper_bound(now_iso: str) -> str:
    """Exclusive upper bound matching every ``due_sort`` due at or before ``now_iso`` ('$' follows '#')."""
    return f"{now_iso}$"


def device(device_id: str) -> str:
    return f"DEVICE#{device_id}"


def push_receipts(shard: int) -> str:
    """Partition of the push tickets whose receipts the reminders run of ``shard`` reads next."""
    return f"RECEIPTS#{shard}"


def push_receipt(sent_iso: str, ticket_id: str) -> str:
    return f"{sent_iso}#{ticket_id}"


def spent(day: str) -> str:
    """Partition listing the users who spent points on ``day`` (YYYY-MM-DD in the reset time zone)."""
    return f"SPENT#{day}"


def pool(name: str) -> str:
    return f"POOL#{name}"


def waiting(ts_ms: int) -> str:
    return f"WAIT#{ts_ms:013d}"


PROFILE = "PROFILE"
SETTINGS = "SETTINGS"
META = "META"
TICKET = "TICKET"
# Sort-key (and GSI1 sort-key) prefixes the queries read by.
REMINDER_PREFIX = "REMINDER#"
DEVICE_PREFIX = "DEVICE#"
CONN_PREFIX = "CONN#"
NOTIFICATION_PREFIX = "NOTIF#"
MESSAGE_PREFIX = "MSG#"
MEMBER_PREFIX = "MEMBER#"
ROOM_PREFIX = "ROOM#"
OTP_SENDS = "OTP_SENDS"  # per-user count of sign-in codes mailed in the current window


def ttl_in(seconds: int, now: float | None = None) -> int:
    """The TTL attribute value (epoch seconds) ``seconds`` from now."""
    return int((time.time() if now is None else now) + seconds)


def strip(key: str) -> str:
    """The id part of a key: ``strip("USER#u1") == "u1"``."""
    return key.split("#", 1)[1] if "#" in key else key


# Real-time (WebSocket) items: live presence is ROOM#{id} / CONN#{conn}; a relay
# session is RELAY#{id} / META with one PEER#{conn} item per live peer and one
# DATA#... item per payload cached for a late peer; RELAYCODE#{code} / META
# finds a relay by its pairing code.
PEER_PREFIX = "PEER#"
DATA_PREFIX = "DATA#"


def presence(connection_id: str) -> str:
    return conn(connection_id)


def relay_peer(connection_id: str) -> str:
    return f"{PEER_PREFIX}{connection_id}"


def relay_code(code: str) -> str:
    return f"RELAYCODE#{code}"


def relay_data(ts_ms: int, item_id: str) -> str:
    return f"{DATA_PREFIX}{ts_ms:013d}#{item_id}"


# Calls: a waiting match ticket is indexed POOL#{pool} / WAIT#{ts}; a call session's
# participants are SESSION#{id} / USER#{user}, each indexed USER#{user} / CALL#{start}#{id}
# (the user's call history, newest last).
SESSION_PREFIX = "SESSION#"
WAIT_PREFIX = "WAIT#"
CALL_PREFIX = "CALL#"


def call(started_at: int, session_id: str) -> str:
    """GSI1SK of a call participant: sorts by the call's start (epoch seconds), then session id."""
    return f"{CALL_PREFIX}{started_at:010d}#{session_id}"


# Sign-in limits (domain/limits.py): a fixed-window counter LIMIT#{scope}#{digest} / WINDOW#{start}
# per address or source IP (the digest keeps addresses out of keys), and NEW_ACCOUNTS#{day} / COUNT.


def limit(scope: str, value: str) -> str:
    return f"LIMIT#{scope}#{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def limit_window(start: int) -> str:
    return f"WINDOW#{start}"


def new_accounts(day: str) -> str:
    return f"NEW_ACCOUNTS#{day}"


COUNT = "COUNT"


def shard_of(item_id: str, shard_count: int) -> int:
    """A stable shard for an id, so the item always lives in one ``DUE#`` partition."""
    return zlib.crc32(item_id.encode()) % shard_count


def device_id(token: str) -> str:
    """A stable id for a push token (the token itself never appears in a URL)."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]
