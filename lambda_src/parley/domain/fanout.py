"""Batches of a big room's fan-out: the messages of the fan-out queue, and how failures come back.

A room whose audience is larger than the batch size gets its first batch posted
by the ``ws`` function itself and the rest as queue messages of at most that
many connections each (handlers/ws.py). The ``fanout`` function posts each
batch (handlers/fanout.py). Connections whose post failed after the in-call
retries are sent again as a new, smaller batch carrying only them, after a
growing delay; after ``MAX_ATTEMPTS`` the rest goes to the dead-letter queue.
So a connection that was sent the frame is never sent it again by a retry of
its batch, unless the worker itself fails mid-batch (the whole message is then
retried: at least once per connection).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from parley.errors import BadRequest

MAX_ATTEMPTS = 5
RETRY_DELAY_SECONDS = 2  # before attempt 2; doubled for each later one
MAX_DELAY_SECONDS = 900  # SQS's longest message delay
MAX_MESSAGE_BYTES = 256 * 1024  # one SQS message, and one SendMessageBatch call
MAX_BATCH_ENTRIES = 10  # messages per SendMessageBatch call


@dataclass(frozen=True)
class Batch:
    """One queue message: the frame (its JSON text, posted as is) and the connections still to post it to."""

    frame: str
    targets: tuple[str, ...]
    attempt: int = 1

    def to_json(self) -> str:
        body = {"frame": self.frame, "targets": list(self.targets), "attempt": self.attempt}
        return json.dumps(body, separators=(",", ":"))

    def retry(self, targets: list[str]) -> Batch:
        return Batch(self.frame, tuple(targets), self.attempt + 1)

    @property
    def delay_seconds(self) -> int:
        """How long the queue holds this batch before it is posted (0 for a first attempt)."""
        if self.attempt <= 1:
            return 0
        return int(min(MAX_DELAY_SECONDS, RETRY_DELAY_SECONDS * 2 ** (self.attempt - 2)))


def parse_batch(body: str) -> Batch:
    """A queued batch, or BadRequest for a malformed one (it goes to the dead-letter queue after retries)."""
    try:
        data = json.loads(body)
    except ValueError:
        raise BadRequest("batch is not JSON", code="invalid_batch") from None
    if not isinstance(data, dict):
        raise BadRequest("batch is not an object", code="invalid_batch")
    frame, targets, attempt = data.get("frame"), data.get("targets"), data.get("attempt")
    if not isinstance(frame, str) or not frame:
        raise BadRequest("batch needs a frame (JSON text)", code="invalid_batch")
    if not isinstance(targets, list) or not targets or not all(isinstance(t, str) and t for t in targets):
        raise BadRequest("batch needs targets: a list of connection ids", code="invalid_batch")
    if not isinstance(attempt, int) or isinstance(attempt, bool) or not 1 <= attempt <= MAX_ATTEMPTS:
        raise BadRequest(f"batch attempt must be 1-{MAX_ATTEMPTS}", code="invalid_batch")
    return Batch(frame, tuple(targets), attempt)


def split(frame: str, targets: list[str], size: int, attempt: int = 1) -> list[Batch]:
    """``targets`` in batches of at most ``size``, each a message SQS takes (halved until it fits).

    A single connection whose message would still be too large cannot be queued: ValueError."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    batches: list[Batch] = []
    pending = [targets[i : i + size] for i in range(0, len(targets), size)]
    while pending:
        chunk = pending.pop(0)
        batch = Batch(frame, tuple(chunk), attempt)
        if len(batch.to_json().encode()) <= MAX_MESSAGE_BYTES:
            batches.append(batch)
        elif len(chunk) == 1:
            raise ValueError(f"a batch of one connection is larger than {MAX_MESSAGE_BYTES} bytes")
        else:
            half = len(chunk) // 2
            pending[:0] = [chunk[:half], chunk[half:]]
    return batches


def calls(batches: list[Batch]) -> Iterator[list[Batch]]:
    """Batches grouped into SendMessageBatch calls: at most 10 messages and 256 KB in all per call."""
    group: list[Batch] = []
    size = 0
    for batch in batches:
        length = len(batch.to_json().encode())
        if group and (len(group) == MAX_BATCH_ENTRIES or size + length > MAX_MESSAGE_BYTES):
            yield group
            group, size = [], 0
        group.append(batch)
        size += length
    if group:
        yield group
