"""Sign-in abuse limits: fixed-window counters per address and per source IP, and a daily new-account cap.

``POST /auth/login`` creates a Cognito user for any unknown address, so it is
limited before anything else happens, the same way for every address: the
answer never tells a known address from an unknown one. A counter is one item
per (scope, value, window), incremented atomically under the condition that it
is below the limit, and removed by TTL when its window is over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from parley.errors import TooManyRequests

ADDRESS = "address"
SOURCE_IP = "ip"


@dataclass(frozen=True)
class Limit:
    """At most ``max_hits`` requests per ``window_seconds`` for one value of ``scope``."""

    scope: str
    max_hits: int
    window_seconds: int

    def window_start(self, now: int) -> int:
        return now - now % self.window_seconds

    def retry_after(self, now: int) -> int:
        """Seconds until the current window ends (at least 1)."""
        return max(1, self.window_start(now) + self.window_seconds - now)


def refused(limit: Limit, now: int) -> TooManyRequests:
    """The answer to a request over ``limit``: 429 ``rate_limited`` with the seconds to wait."""
    return TooManyRequests(
        "too many sign-in requests; try again later", code="rate_limited", retry_after_seconds=limit.retry_after(now)
    )


def day_of(now: int) -> str:
    """The UTC day the new-account cap counts in."""
    return datetime.fromtimestamp(now, UTC).date().isoformat()
