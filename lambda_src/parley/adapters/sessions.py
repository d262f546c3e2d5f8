"""The call sessions repository: a call session as the call token function reads it.

Pairing (``adapters/calls.py``) creates ``SESSION#{id}`` / ``META`` with its two
participants and its expiry.
"""

from __future__ import annotations

from parley.adapters.table import Table
from parley.domain import keys
from parley.domain.calls import CallSession


class Sessions:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, session_id: str) -> CallSession | None:
        item = self.table.get(keys.session(session_id), keys.META, consistent=False)
        if item is None:
            return None
        return CallSession(
            session_id=item["session_id"], participants=tuple(item["participants"]), expires_at=int(item["expires_at"])
        )
