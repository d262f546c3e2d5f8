"""The call sessions repository: a call session, hanging up, and a user's call history.

Pairing (``adapters/calls.py``) creates ``SESSION#{id}`` / ``META`` with its
expiry and one participant item ``SESSION#{id}`` / ``USER#{user}`` per user,
indexed ``USER#{user}`` / ``CALL#{start}#{id}``: the user's call history, read
newest first from GSI1. Ending a call stamps the end on the session and on both
participant items in one transaction, once.
"""

from __future__ import annotations

import dataclasses

from parley.adapters.table import GSI1, ConditionFailed, Item, Table, Update, absent, exists, key
from parley.domain import keys
from parley.domain.calls import CallSession, call_ended
from parley.domain.pagination import Page


def _session(item: Item) -> CallSession:
    ended = item.get("ended_at")
    return CallSession(
        session_id=item["session_id"],
        participants=tuple(item["participants"]),
        expires_at=int(item["expires_at"]),
        started_at=int(item.get("created_at", 0)),
        ended_at=None if ended is None else int(ended),
    )


class Sessions:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, session_id: str, *, consistent: bool = False) -> CallSession | None:
        item = self.table.get(keys.session(session_id), keys.META, consistent=consistent)
        return None if item is None else _session(item)

    def end(self, session: CallSession, user_id: str, now: int) -> CallSession:
        """Record the end of a live call for both participants; Conflict ``call_ended`` when it already ended."""
        ended = dataclasses.replace(session, ended_at=max(session.started_at, min(now, session.expires_at)))
        stamp = {"ended_at": ended.ended_at, "ended_by": user_id}
        participants = [
            Update(
                key(keys.session(session.session_id), keys.user(p)),
                set={**stamp, "duration_seconds": ended.duration_seconds},
                condition=exists(),
            )
            for p in session.participants
        ]
        meta = Update(
            key(keys.session(session.session_id), keys.META), set=stamp, condition=exists() & absent("ended_at")
        )
        try:
            self.table.transact([meta, *participants])
        except ConditionFailed:
            raise call_ended() from None
        return ended

    def history(self, user_id: str, limit: int, start: Item | None) -> Page:
        """One page of the user's calls, newest first (GSI1 ``USER#{user}`` / ``CALL#...``)."""
        return self.table.query(
            keys.user(user_id), prefix=keys.CALL_PREFIX, index=GSI1, limit=limit, start=start, newest_first=True
        )
