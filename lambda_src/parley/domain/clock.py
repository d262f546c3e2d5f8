"""Time as the items store it: fixed-width UTC ISO text with whole seconds, which sorts like the time it names."""

from __future__ import annotations

from datetime import UTC, datetime

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(ISO_FORMAT)


def now() -> datetime:
    return datetime.now(UTC)


def now_iso() -> str:
    return iso(now())
