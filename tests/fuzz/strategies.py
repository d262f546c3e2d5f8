"""Hypothesis strategies for every client input: HTTP requests per route, WebSocket frames per action,
Cognito trigger events per trigger.

Each strategy mixes well-formed values (so requests get past the first check
and reach storage) with the input classes that once ended in a 500: bad
base64, deep nesting, lone surrogates, non-ASCII and over-long numbers, the
calendar's edges, tzdata folders and unusual addresses. ``KNOWN`` ids are the
seeded items of the two fuzzing users, so authorization is exercised too.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from tests.fuzz.surface import Route

# Seeded by the suites: alice's private room and her other items, bob's room, a call of alice and carol.
ALICE_ROOM, BOB_ROOM, PUBLIC_ROOM = "alice-room", "bob-room", "open-room"
ALICE_REMINDER, ALICE_DEVICE, ALICE_NOTIFICATION = "alice-reminder", "a" * 32, "1700000000000-alicenote"
ALICE_CALL = "alicecall"
SECRET = "alice-secret-7f3a"  # in alice's private items only: bob must never see it
KNOWN_IDS = (ALICE_ROOM, BOB_ROOM, PUBLIC_ROOM, ALICE_REMINDER, ALICE_DEVICE, ALICE_NOTIFICATION, ALICE_CALL, "nope")

# Text of every kind, including lone surrogates (JSON carries them as \\udXXX escapes).
surrogate = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
with_surrogate = st.tuples(st.text(max_size=5), surrogate, st.text(max_size=5)).map("".join)
text = st.one_of(st.text(max_size=40), with_surrogate, st.just(""), st.just(" \n"), st.text(min_size=300, max_size=600))
# What reaches a function in a URL: API Gateway decodes it as UTF-8, so never a lone surrogate.
url_text = st.one_of(st.text(max_size=40), st.text(st.characters(codec="ascii"), min_size=1, max_size=70))
digits = st.one_of(
    st.integers(-5, 200).map(str),
    st.sampled_from(["\u0661\u0662", "\uff15", "1" * 5000, "0" * 30 + "7", "1e3", "+5", " 5", "5\n", ""]),
)
calendar = st.one_of(
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.sampled_from(
        [
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "0001-01-01T00:00:00Z",
            "2099-01-01T00:00:00Z",
            "2030-02-30T00:00:00Z",
            "2030-01-01T00:00:00",
        ]
    ),
    text,
)
zones = st.one_of(
    st.sampled_from(["UTC", "Europe/Berlin", "America", "Etc", "America/Argentina", "zone.tab", "posix/UTC", "UTC/"]),
    text,
)
emails = st.one_of(
    st.emails().map(str),
    st.sampled_from(["a..b@example.com", ".a@example.com", "x" * 65 + "@example.com", "a@b", "a@example.com\n"]),
    text,
)
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text)
json_value = st.recursive(
    json_leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3), max_leaves=8
)


def one_of_or_junk(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the given values, sometimes any JSON value (a wrong type)."""
    return st.one_of(good, good, json_value)


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str  # the route's path with the parameters in place
    query: dict[str, str]
    body: str | None
    base64_encoded: bool = False
    caller: str = "bob"
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RouteStrategy:
    """How to fuzz one route: its path parameters, query parameters and body fields."""

    params: dict[str, st.SearchStrategy[str]] = field(default_factory=dict)
    query: dict[str, st.SearchStrategy[str]] = field(default_factory=dict)
    body: dict[str, st.SearchStrategy[Any]] | None = None  # None: the route reads no body


ids = st.one_of(st.sampled_from(KNOWN_IDS), url_text)
url_digits = digits.filter(lambda d: not any(0xD800 <= ord(c) <= 0xDFFF for c in d))
pages = {
    "limit": url_digits,
    "cursor": st.one_of(url_text, st.binary(max_size=60).map(lambda b: base64.urlsafe_b64encode(b).decode())),
}
STRATEGIES: dict[str, RouteStrategy] = {
    "GET /health": RouteStrategy(),
    "GET /public/rooms/{id}": RouteStrategy(params={"id": ids}),
    "POST /auth/login": RouteStrategy(body={"email": emails}),
    "POST /auth/verify": RouteStrategy(
        body={"email": emails, "session": st.one_of(text, st.just("A" * 40)), "code": st.one_of(digits, text)}
    ),
    "POST /auth/refresh": RouteStrategy(body={"refresh_token": st.one_of(text, st.just("eyJ.a.b"))}),
    "GET /me": RouteStrategy(),
    "PATCH /me": RouteStrategy(
        body={"display_name": text, "bio": text, "avatar_key": st.one_of(text, st.just("users/bob/x/a.png"))}
    ),
    "GET /me/settings": RouteStrategy(),
    "PUT /me/settings": RouteStrategy(
        body={
            "theme": st.sampled_from(["light", "dark", "system", "blue"]),
            "language": st.one_of(st.sampled_from(["en", "fr-FR", "EN"]), text),
            "time_zone": zones,
            "notifications_enabled": st.booleans(),
            "email_reminders": st.booleans(),
        }
    ),
    "POST /rooms": RouteStrategy(body={"name": text, "description": text, "public": st.booleans()}),
    "GET /rooms": RouteStrategy(query=pages),
    "GET /rooms/{id}": RouteStrategy(params={"id": ids}),
    "POST /rooms/{id}/members": RouteStrategy(
        params={"id": ids}, body={"user_id": st.one_of(st.sampled_from(["alice", "bob", "carol"]), text)}
    ),
    "DELETE /rooms/{id}/members/me": RouteStrategy(params={"id": ids}),
    "GET /rooms/{id}/messages": RouteStrategy(params={"id": ids}, query=pages),
    "POST /uploads": RouteStrategy(
        body={
            "filename": st.one_of(st.just("a.png"), text),
            "content_type": st.one_of(st.sampled_from(["image/png", "text/html"]), text),
            "size_bytes": st.one_of(st.integers(-1, 20 * 1024 * 1024), digits),
        }
    ),
    "GET /export": RouteStrategy(),
    "POST /reminders": RouteStrategy(
        body={
            "due_at": calendar,
            "text": text,
            "channel": st.sampled_from(["in_app", "email", "push", "fax"]),
            "recurrence": st.sampled_from(["none", "daily", "weekly", "hourly"]),
            "timezone": zones,
        }
    ),
    "GET /reminders": RouteStrategy(query=pages),
    "DELETE /reminders/{id}": RouteStrategy(params={"id": ids}),
    "GET /notifications": RouteStrategy(query=pages),
    "POST /notifications/{id}/read": RouteStrategy(params={"id": ids}),
    "POST /devices": RouteStrategy(
        body={
            "token": st.one_of(st.just("ExponentPushToken[abcdefghijkl]"), text),
            "platform": st.sampled_from(["ios", "android", "web", "palm"]),
        }
    ),
    "DELETE /devices/{id}": RouteStrategy(params={"id": ids}),
    "POST /match/join": RouteStrategy(body={"pool": st.one_of(st.sampled_from(["default", "other"]), text)}),
    "GET /match/status": RouteStrategy(),
    "DELETE /match/ticket": RouteStrategy(),
    "POST /calls/{sessionId}/token": RouteStrategy(params={"sessionId": ids}, body={"name": text}),
    "POST /calls/{sessionId}/end": RouteStrategy(params={"sessionId": ids}),
    "GET /calls": RouteStrategy(query=pages),
}


def body_text(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[str]:
    """A body for a route reading ``fields``: mostly an object of some of them (a wrong type at times,
    an unknown key at times), else any JSON, text, or nesting deeper than any client needs."""
    objects = st.fixed_dictionaries({}, optional={name: one_of_or_junk(s) for name, s in fields.items()})
    extra = st.dictionaries(text, json_value, max_size=1)
    return st.one_of(
        objects.map(json.dumps),
        objects.map(json.dumps),
        st.tuples(objects, extra).map(lambda pair: json.dumps({**pair[1], **pair[0]})),
        json_value.map(json.dumps),
        text,
        st.integers(33, 40_000).map(lambda n: '{"x":' + deep(n) + "}"),
    )


@st.composite
def http_requests(draw: st.DrawFn, route: Route) -> HttpRequest:
    """A request for ``route`` (KeyError when the route has no strategy: add one to STRATEGIES)."""
    spec = STRATEGIES[route.key]
    params = {name: draw(spec.params[name]) for name in route.params}
    path = route.path
    for name, value in params.items():
        path = path.replace("{" + name + "}", value)
    query = {name: draw(s) for name, s in spec.query.items() if draw(st.booleans())}
    body: str | None = None
    encoded = False
    if spec.body is not None or draw(st.booleans()):
        body = draw(body_text(spec.body or {}))
        encoded = draw(st.sampled_from([False, False, True]))
        if encoded:
            body = draw(
                st.one_of(
                    st.just(base64.b64encode(body.encode("utf-8", "surrogatepass")).decode()),
                    st.just("!!not base64!!"),
                    st.binary(max_size=20).map(lambda b: base64.b64encode(b).decode()),
                )
            )
    caller = draw(st.sampled_from(["alice", "bob", "bob"]))
    return HttpRequest(route.method, path, query, body, encoded, caller, params)


# --- WebSocket frames ---------------------------------------------------------------------------------------

pairing_codes = st.one_of(st.text("ABCDEFGHJKMNPQRSTUVWXYZ23456789-", min_size=8, max_size=10), text)
relay_payloads = st.one_of(st.binary(max_size=60).map(lambda b: base64.b64encode(b).decode()), text)
ACTION_FIELDS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "ping": {},
    "join": {"room": ids},
    "leave": {"room": ids},
    "send": {
        "room": ids,
        "text": text,
        "type": st.sampled_from(["text", "image", "file", "system", "video"]),
        "attachments": st.lists(
            st.fixed_dictionaries({}, optional={"key": st.one_of(text, st.just("users/alice/x/a.png")), "name": text}),
            max_size=6,
        ),
    },
    "typing": {"room": ids},
    "relay.open": {},
    "relay.join": {"code": pairing_codes},
    "relay.send": {"relay": ids, "data": relay_payloads},
}


@st.composite
def ws_frames(draw: st.DrawFn, action: str) -> str:
    """A frame for ``action`` (KeyError when the action has no strategy: add it to ACTION_FIELDS)."""
    fields = ACTION_FIELDS[action]
    frame = draw(st.fixed_dictionaries({}, optional={name: one_of_or_junk(s) for name, s in fields.items()}))
    frame["action"] = draw(st.sampled_from([action, action, action, "nope"]) | json_value)
    if draw(st.booleans()):
        frame["ref"] = draw(one_of_or_junk(text))
    return draw(
        st.one_of(
            st.just(json.dumps(frame)),
            st.just(json.dumps(frame)),
            st.just(json.dumps(frame)),
            json_value.map(json.dumps),
            text,
            st.integers(33, 40_000).map(lambda n: '{"action":"' + action + '","room":' + deep(n) + "}"),
        )
    )


# --- Cognito trigger events ---------------------------------------------------------------------------------

TRIGGER_SOURCES = {
    "auth_define": "DefineAuthChallenge_Authentication",
    "auth_create": "CreateAuthChallenge_Authentication",
    "auth_verify": "VerifyAuthChallengeResponse_Authentication",
    "auth_post_confirmation": "PostConfirmation_ConfirmSignUp",
}
session_entries = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "challengeName": one_of_or_junk(st.sampled_from(["CUSTOM_CHALLENGE", "SRP_A", "PASSWORD_VERIFIER"])),
            "challengeResult": one_of_or_junk(st.booleans()),
            "challengeMetadata": one_of_or_junk(st.one_of(st.just("CODE-123456-9999999999"), text)),
        },
    ),
    max_size=4,
)


@st.composite
def trigger_events(draw: st.DrawFn, function: str) -> Any:
    """A Cognito event for the trigger ``function``: mostly its shape with odd values, sometimes anything."""
    attributes = st.fixed_dictionaries(
        {},
        optional={
            "sub": one_of_or_junk(st.one_of(st.uuids().map(str), text)),
            "email": one_of_or_junk(emails),
            "email_verified": one_of_or_junk(st.sampled_from(["true", "false"])),
        },
    )
    request = st.fixed_dictionaries(
        {"userAttributes": one_of_or_junk(attributes)},
        optional={
            "session": one_of_or_junk(session_entries),
            "userNotFound": one_of_or_junk(st.booleans()),
            "challengeAnswer": one_of_or_junk(st.one_of(digits, text)),
            "privateChallengeParameters": one_of_or_junk(st.dictionaries(text, text, max_size=2)),
        },
    )
    event = {
        "version": "1",
        "region": "us-east-1",
        "userPoolId": "us-east-1_fuzz",
        "userName": draw(one_of_or_junk(text)),
        "callerContext": {"awsSdkVersion": "1", "clientId": "fuzz"},
        "triggerSource": draw(st.sampled_from([TRIGGER_SOURCES[function]]) | one_of_or_junk(text)),
        "request": draw(one_of_or_junk(request)),
        "response": draw(st.sampled_from([{}]) | json_value),
    }
    return draw(st.sampled_from([event, event, event]) | json_value)
