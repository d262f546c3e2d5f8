"""A small IAM policy evaluator for plan tests: does a policy allow one request?

It follows the IAM rules the deploy role and the boundary rely on: an explicit
Deny wins, then any matching Allow; actions match case-insensitively with ``*``
and ``?``; resources match case-sensitively; every condition of a statement
must hold; a negated operator holds when its key is absent; ``Null`` tests
presence; ``ForAllValues`` holds for an absent or empty key; ``...IfExists``
holds when the key is absent; policy variables (``${aws:PrincipalAccount}``)
are replaced from the request context before matching.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

ACCOUNT = "123456789012"


@dataclass(frozen=True)
class Request:
    """One API call: its IAM action, the resource it names and its condition context."""

    action: str
    resource: str
    context: dict[str, Any] = field(default_factory=dict)

    def values(self, key: str) -> list[str] | None:
        """The context values of a key (keys are case-insensitive), or None when absent."""
        for name, value in self.context.items():
            if name.lower() == key.lower():
                return [str(v) for v in value] if isinstance(value, list) else [str(value)]
        return None


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _glob(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    pattern = pattern.replace("[", "[[]")
    if not case_sensitive:
        pattern, value = pattern.lower(), value.lower()
    return fnmatchcase(value, pattern)


def _substitute(text: str, request: Request) -> str:
    def variable(match: re.Match[str]) -> str:
        found = request.values(match.group(1))
        return found[0] if found else match.group(0)

    return re.sub(r"\$\{([A-Za-z0-9:/_-]+)\}", variable, text)


def _compare(operator: str, expected: str, actual: str) -> bool:
    base = operator.removesuffix("IfExists").removeprefix("ForAllValues:").removeprefix("ForAnyValue:")
    if base in ("StringEquals", "ArnEquals"):
        return actual == expected
    if base == "StringEqualsIgnoreCase":
        return actual.lower() == expected.lower()
    if base in ("StringLike", "ArnLike"):
        return _glob(expected, actual)
    if base == "Bool":
        return actual.lower() == expected.lower()
    raise ValueError(f"condition operator {operator} is not modelled")


def _condition_holds(operator: str, key: str, expected: list[str], request: Request) -> bool:
    actual = request.values(key)
    if operator == "Null":
        return (actual is None) == (expected[0].lower() == "true")
    negated = "Not" in operator
    positive = operator.replace("Not", "")
    if actual is None:
        if operator.startswith("ForAllValues:") or operator.endswith("IfExists"):
            return True
        return negated
    matches = [any(_compare(positive, e, a) for e in expected) for a in actual]
    if operator.startswith("ForAllValues:"):
        return all(not m for m in matches) if negated else all(matches)
    if operator.startswith("ForAnyValue:"):
        return any(not m for m in matches) if negated else any(matches)
    return not any(matches) if negated else any(matches)


def statement_matches(statement: dict[str, Any], request: Request) -> bool:
    """True when the statement applies to the request (action, resource and every condition)."""
    actions = _as_list(statement.get("Action", []))
    if not any(_glob(a, request.action, case_sensitive=False) for a in actions):
        return False
    resources = [_substitute(r, request) for r in _as_list(statement.get("Resource", []))]
    if not any(_glob(r, request.resource) for r in resources):
        return False
    for operator, keys in statement.get("Condition", {}).items():
        for key, expected in keys.items():
            values = [_substitute(v, request) for v in _as_list(expected)]
            if not _condition_holds(operator, key, values, request):
                return False
    return True


@dataclass(frozen=True)
class Policy:
    """One or more policy documents evaluated together (the policies attached to one role)."""

    statements: tuple[dict[str, Any], ...]

    @classmethod
    def of(cls, *documents: str | dict[str, Any]) -> Policy:
        statements: list[dict[str, Any]] = []
        for document in documents:
            parsed = json.loads(document) if isinstance(document, str) else document
            found = parsed["Statement"]
            statements += [found] if isinstance(found, dict) else found
        return cls(tuple(statements))

    def allowing(self, request: Request) -> list[str]:
        """Sids of the Allow statements that apply to the request."""
        return [str(s.get("Sid")) for s in self.statements if s["Effect"] == "Allow" and statement_matches(s, request)]

    def denying(self, request: Request) -> list[str]:
        return [str(s.get("Sid")) for s in self.statements if s["Effect"] == "Deny" and statement_matches(s, request)]

    def allows(self, request: Request) -> bool:
        return bool(self.allowing(request)) and not self.denying(request)

    def sid(self, sid: str) -> dict[str, Any]:
        (found,) = [s for s in self.statements if s.get("Sid") == sid]
        return found
