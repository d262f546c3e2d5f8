"""Key builders for the single table (DESIGN.md section 4): the one place key formats live."""

from __future__ import annotations

import time

DAY_SECONDS = 86_400
GSI1 = "GSI1"


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


def pool(name: str) -> str:
    return f"POOL#{name}"


def waiting(ts_ms: int) -> str:
    return f"WAIT#{ts_ms:013d}"


PROFILE = "PROFILE"
SETTINGS = "SETTINGS"
META = "META"
TICKET = "TICKET"


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
CONN_PREFIX = "CONN#"
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
