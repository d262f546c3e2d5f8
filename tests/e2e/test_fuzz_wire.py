"""The fuzz strategies over the wire: every HTTP route and WebSocket action of the local runtime, a few examples each.

The same strategies as tests/fuzz (a handful of derandomized examples per
route, tests/fuzz/profiles.py WIRE): no 5xx, and every refusal a function makes
is ``{"error", "message"}`` (API Gateway's own refusals are ``{"message"}``).
"""

from __future__ import annotations

import base64
import itertools
import json
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import assume, given, note

from tests.e2e.conftest import Deployed, Session
from tests.fuzz import profiles, strategies
from tests.fuzz.strategies import HttpRequest
from tests.fuzz.surface import Route, http_routes, websocket_actions

PROBES = itertools.count()


def _utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _wire_path(route: Route, request: HttpRequest) -> str:
    """The route's path with each parameter percent-encoded as one segment, the way a client sends it."""
    path = route.path
    for name, value in request.params.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    return path


def _content(request: HttpRequest) -> bytes | None:
    if request.body is None:
        return None
    if request.base64_encoded:  # on the wire a body is bytes: send what the encoded text stood for
        try:
            return base64.b64decode(request.body, validate=True)
        except ValueError:
            return request.body.encode()
    return request.body.encode("utf-8", "surrogatepass")


@pytest.mark.parametrize("route", http_routes(), ids=lambda r: r.key)
def test_fuzz_wire_http_route(deployed: Deployed, alice: Session, bob: Session, route: Route) -> None:
    users = {"alice": alice, "bob": bob}

    @profiles.WIRE
    @given(request=strategies.http_requests(route))
    def check(request: HttpRequest) -> None:
        response = deployed.http.request(
            route.method,
            _wire_path(route, request),
            params=request.query,
            content=_content(request),
            headers={**users[request.caller].headers, "Content-Type": "application/json"},
        )
        note(f"{response.status_code} {response.text[:300]}")
        assert response.status_code < 500, response.text[:300]
        if response.status_code >= 400:
            body = response.json()
            assert set(body) in ({"error", "message"}, {"message"}) or body.get("error") == "wrong_code", body

    check()


@pytest.mark.parametrize("action", websocket_actions())
def test_fuzz_wire_websocket_action(deployed: Deployed, bob: Session, action: str) -> None:
    with deployed.connect(bob) as socket:

        @profiles.WIRE
        @given(frame=strategies.ws_frames(action))
        def check(frame: str) -> None:
            assume(_utf8(frame))  # a text frame is UTF-8: a client cannot send a lone surrogate
            socket.send(frame)
            probe = f"probe-{next(PROBES)}"  # every frame before the probe's pong is an answer to the fuzz frame
            socket.send(json.dumps({"action": "ping", "ref": probe}))
            answers: list[dict[str, Any]] = []
            while True:
                answer = json.loads(socket.recv(timeout=30))
                if answer.get("ref") == probe:
                    break
                answers.append(answer)
            note(str(answers)[:300])
            for answer in answers:
                if answer.get("type") == "error":
                    assert answer["error"] != "internal", answer
                    assert set(answer) - {"ref"} == {"type", "error", "message"}, answer

        check()
