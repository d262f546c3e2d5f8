"""Hanging up through the runtime: a paired call ended by one participant ends for both, the peer's socket is
told, later call tokens are refused, and both histories and profiles show the call."""

from __future__ import annotations

import time

from tests.e2e.conftest import Deployed, frames_until


def test_call_end_hang_up_ends_the_call_for_both_and_shows_in_their_history(deployed: Deployed) -> None:
    # Given two users of their own, paired over the queue while both are online
    caller, peer = deployed.sign_in("hangup-a@example.com"), deployed.sign_in("hangup-b@example.com")
    with deployed.connect(caller) as a, deployed.connect(peer) as b:
        for user in (caller, peer):
            joined = deployed.http.post("/match/join", json={}, headers=user.headers)
            assert joined.status_code == 202, joined.text
        session_id = frames_until(a, lambda f: f.get("type") == "match.found", timeout=20)[-1]["session_id"]
        frames_until(b, lambda f: f.get("type") == "match.found", timeout=20)
        token = deployed.http.post(f"/calls/{session_id}/token", headers=peer.headers)
        assert token.status_code == 200, token.text
        assert token.json()["livekit"]["expires_at"] <= int(time.time()) + 86_400

        # When the caller hangs up
        ended = deployed.http.post(f"/calls/{session_id}/end", headers=caller.headers)
        assert ended.status_code == 200, ended.text

        # Then the peer's socket is told, by whom and when
        frame = frames_until(b, lambda f: f.get("type") == "call.ended", timeout=20)[-1]
        assert frame == {
            "type": "call.ended",
            "session_id": session_id,
            "ended_by": caller.user_id,
            "ended_at": ended.json()["ended_at"],
        }

    # And neither participant gets call tokens any more, nor can end it twice
    for user in (caller, peer):
        refused = deployed.http.post(f"/calls/{session_id}/token", headers=user.headers)
        assert refused.status_code == 409 and refused.json()["error"] == "call_ended", refused.text
    again = deployed.http.post(f"/calls/{session_id}/end", headers=peer.headers)
    assert again.status_code == 409 and again.json()["error"] == "call_ended"

    # And each history lists the call with the other as peer; each profile keeps the time of the last call
    for me, other in ((caller, peer), (peer, caller)):
        history = deployed.http.get("/calls", params={"limit": "5"}, headers=me.headers)
        assert history.status_code == 200, history.text
        (entry,) = history.json()["items"]
        assert (entry["session_id"], entry["peer_id"], entry["ended_at"]) == (
            session_id,
            other.user_id,
            ended.json()["ended_at"],
        )
        assert entry["duration_seconds"] == entry["ended_at"] - entry["started_at"] >= 0
        assert deployed.http.get("/me", headers=me.headers).json()["last_call_at"]

    # The caller may queue again at once (the peer's ticket is freed too); leaving then is a plain leave
    assert deployed.http.delete("/match/ticket", headers=peer.headers).status_code == 404
    assert deployed.http.post("/match/join", json={}, headers=caller.headers).status_code == 202
    left = deployed.http.delete("/match/ticket", headers=caller.headers)
    assert left.status_code == 200 and left.json() == {"status": "left"}
    bad = deployed.http.get("/calls", params={"cursor": "nope"}, headers=caller.headers)
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_cursor"
