"""IANA time zones: which names are zones (the only module of the validation layer that reads tzdata)."""

from __future__ import annotations

import zoneinfo
from functools import cache

HINT = "must be an IANA time zone name, e.g. Europe/Berlin"


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(name: object) -> bool:
    """Whether ``name`` is an IANA zone key (a tzdata folder such as ``America`` is not)."""
    return isinstance(name, str) and name in _zone_names()
