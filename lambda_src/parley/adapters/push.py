"""Expo push API client (https://docs.expo.dev/push-notifications/sending-notifications/).

The endpoint is a setting, so tests and self-hosted relays can stand in for
Expo. Standard library only: one POST per batch of at most 100 messages.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from parley.domain.reminders.ports import PushRejected, PushTicket, PushUnavailable

MAX_BATCH = 100


def send(endpoint: str, messages: list[dict[str, Any]], timeout_seconds: float = 5.0) -> list[PushTicket]:
    """One ticket per message, in order; raises PushUnavailable (retry later) or PushRejected."""
    if urlsplit(endpoint).scheme not in {"http", "https"}:
        raise PushRejected("push endpoint must be an http(s) URL")
    tickets: list[PushTicket] = []
    for start in range(0, len(messages), MAX_BATCH):
        tickets += _send_batch(endpoint, messages[start : start + MAX_BATCH], timeout_seconds)
    return tickets


def _send_batch(endpoint: str, batch: list[dict[str, Any]], timeout_seconds: float) -> list[PushTicket]:
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        endpoint,
        data=json.dumps(batch).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_seconds) as response:  # noqa: S310 - scheme checked above
            payload = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        if exc.code == 429 or exc.code >= 500:
            raise PushUnavailable(f"push service answered {exc.code}") from None
        raise PushRejected(f"push service answered {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError):
        raise PushUnavailable("push service unreachable or answered garbage") from None
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list):
        raise PushUnavailable("push service answered without tickets")
    tickets = []
    for entry in data:
        if isinstance(entry, dict) and entry.get("status") == "ok":
            tickets.append(PushTicket(ok=True))
        else:
            details = entry.get("details") if isinstance(entry, dict) else None
            code = details.get("error") if isinstance(details, dict) else None
            tickets.append(PushTicket(ok=False, error=str(code or "Unknown")))
    return tickets
