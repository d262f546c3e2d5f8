"""Expo push API client (https://docs.expo.dev/push-notifications/sending-notifications/).

The endpoint is a setting, so tests and self-hosted relays can stand in for
Expo; the receipts endpoint is its sibling ``getReceipts``, as Expo lays them
out. Standard library only: one POST per batch of at most 100 messages (send)
or 1000 ids (receipts), with ``Authorization: Bearer`` when the project uses
an Expo access token (enhanced push security).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urljoin, urlsplit

from parley.domain.reminders.ports import PushReceipt, PushRejected, PushServerError, PushTicket, PushUnavailable

MAX_BATCH = 100
MAX_RECEIPT_IDS = 1000


def receipts_endpoint(send_endpoint: str) -> str:
    """``.../push/send`` -> ``.../push/getReceipts``."""
    return urljoin(send_endpoint, "getReceipts")


def send(
    endpoint: str, messages: list[dict[str, Any]], timeout_seconds: float = 5.0, access_token: str | None = None
) -> list[PushTicket]:
    """One ticket per message, in order; raises PushUnavailable (retry later) or PushRejected."""
    tickets: list[PushTicket] = []
    for start in range(0, len(messages), MAX_BATCH):
        data = _post(endpoint, messages[start : start + MAX_BATCH], timeout_seconds, access_token)
        if not isinstance(data, list):
            raise PushUnavailable("push service answered without tickets")
        tickets += [_ticket(entry) for entry in data]
    return tickets


def receipts(
    endpoint: str, ticket_ids: list[str], timeout_seconds: float = 5.0, access_token: str | None = None
) -> dict[str, PushReceipt]:
    """The receipts Expo has for ``ticket_ids`` (an id it has no receipt for yet is absent)."""
    found: dict[str, PushReceipt] = {}
    for start in range(0, len(ticket_ids), MAX_RECEIPT_IDS):
        body = {"ids": ticket_ids[start : start + MAX_RECEIPT_IDS]}
        data = _post(endpoint, body, timeout_seconds, access_token)
        if not isinstance(data, dict):
            raise PushUnavailable("push service answered without receipts")
        for ticket_id, entry in data.items():
            ok = isinstance(entry, dict) and entry.get("status") == "ok"
            found[str(ticket_id)] = PushReceipt(ok=ok, error="" if ok else _error_code(entry))
    return found


def _ticket(entry: Any) -> PushTicket:
    if isinstance(entry, dict) and entry.get("status") == "ok":
        return PushTicket(ok=True, ticket_id=str(entry.get("id") or ""))
    return PushTicket(ok=False, error=_error_code(entry))


def _error_code(entry: Any) -> str:
    details = entry.get("details") if isinstance(entry, dict) else None
    code = details.get("error") if isinstance(details, dict) else None
    return str(code or "Unknown")


def _post(endpoint: str, body: Any, timeout_seconds: float, access_token: str | None) -> Any:
    """The ``data`` of Expo's answer; a request-level ``errors`` array is a PushServerError, even with HTTP 200."""
    if urlsplit(endpoint).scheme not in {"http", "https"}:
        raise PushRejected("push endpoint must be an http(s) URL")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if access_token:
        headers["Authorization"] = f"Bearer {access_token}"
    request = urllib.request.Request(endpoint, data=json.dumps(body).encode(), method="POST", headers=headers)  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=timeout_seconds) as response:  # noqa: S310 - scheme checked above
            payload = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        if exc.code == 429 or exc.code >= 500:
            raise PushUnavailable(f"push service answered {exc.code}") from None
        raise PushRejected(f"push service answered {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError):
        raise PushUnavailable("push service unreachable or answered garbage") from None
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if errors:
        codes = sorted({str(e.get("code", "UNKNOWN")) if isinstance(e, dict) else "UNKNOWN" for e in errors})
        raise PushServerError(codes)
    return payload.get("data") if isinstance(payload, dict) else None
