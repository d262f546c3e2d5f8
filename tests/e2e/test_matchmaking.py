"""Matchmaking through the runtime: HTTP join, SNS FIFO -> SQS FIFO -> the match worker, match.found on both
sockets, a call token LiveKit accepts, and a poison message redriven to the dead-letter queue."""

from __future__ import annotations

import json
import time

from livekit import api as livekit_api

from tests.e2e.conftest import Deployed, Session, eventually, frames_until


def test_matchmaking_pairs_two_users_over_the_queue_and_tells_both_sockets(
    deployed: Deployed, alice: Session, bob: Session
) -> None:
    # Other tests of the shared stack (the wire fuzz among them) may have left a ticket of theirs in the queue.
    for user in (alice, bob):
        assert deployed.http.delete("/match/ticket", headers=user.headers).status_code in (200, 404)
    with deployed.connect(alice) as a, deployed.connect(bob) as b:
        started = time.monotonic()
        for user in (alice, bob):
            joined = deployed.http.post("/match/join", json={}, headers=user.headers)
            assert joined.status_code == 202, joined.text
        found_a = frames_until(a, lambda f: f.get("type") == "match.found", timeout=15)[-1]
        found_b = frames_until(b, lambda f: f.get("type") == "match.found", timeout=15)[-1]
        assert time.monotonic() - started < 15
    assert found_a["session_id"] == found_b["session_id"]
    assert (found_a["peer_id"], found_b["peer_id"]) == (bob.user_id, alice.user_id)
    status = deployed.http.get("/match/status", headers=alice.headers).json()
    assert status["status"] == "matched" and status["session_id"] == found_a["session_id"]

    token = deployed.http.post(f"/calls/{status['session_id']}/token", headers=alice.headers)
    assert token.status_code == 200, token.text
    body = token.json()
    secret_arn = deployed.outputs["calls"]["livekit_secret_arn"]
    livekit = json.loads(deployed.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"])
    claims = livekit_api.TokenVerifier(livekit["api_key"], livekit["api_secret"]).verify(body["livekit"]["token"])
    assert claims.identity == alice.user_id
    assert claims.video is not None and claims.video.room == status["session_id"] and claims.video.room_join
    assert body["turn"]["username"].endswith(f":{alice.user_id}")
    # The other participant only: a third party gets no token.
    assert deployed.http.post(f"/calls/{status['session_id']}/token", headers=bob.headers).status_code == 200
    # Alice leaving after the match hangs up: the call ends for both, and Bob's ticket goes with it.
    left = deployed.http.delete("/match/ticket", headers=alice.headers)
    assert left.status_code == 200 and left.json()["call"]["session_id"] == status["session_id"]
    assert deployed.http.delete("/match/ticket", headers=bob.headers).status_code == 404


def test_matchmaking_poison_message_lands_in_the_dead_letter_queue(deployed: Deployed) -> None:
    calls = deployed.outputs["calls"]
    sqs = deployed.client("sqs")
    # Its own message group: the valid tickets of the "default" pool are never held behind it.
    sqs.send_message(QueueUrl=calls["queue_url"], MessageBody="not a ticket", MessageGroupId="poison",
                     MessageDeduplicationId=f"poison-{time.time_ns()}")  # fmt: skip
    redrive = json.loads(sqs.get_queue_attributes(QueueUrl=calls["queue_url"], AttributeNames=["RedrivePolicy"])[
        "Attributes"]["RedrivePolicy"])  # fmt: skip

    def dead_lettered() -> list[dict[str, str]]:
        return sqs.receive_message(QueueUrl=calls["dlq_url"], MaxNumberOfMessages=10, AttributeNames=["All"]).get(
            "Messages", []
        )

    (message,) = eventually(dead_lettered, timeout=10 + 3 * int(redrive["maxReceiveCount"]), interval=0.5)
    assert message["Body"] == "not a ticket"
    assert int(message["Attributes"]["ApproximateReceiveCount"]) >= int(redrive["maxReceiveCount"])
    log = deployed.runtime.process.log_file.read_text()
    assert "sqs parley-local-match.fifo (1 records)" in log and "1 failed" in log


def test_matchmaking_worker_reads_the_stacks_pool_shard_count(deployed: Deployed) -> None:
    # envs/local keeps calls.pool_shards at its default: one FIFO message group per pool, strict order.
    name = deployed.outputs["function_names"]["match"]
    variables = deployed.client("lambda").get_function_configuration(FunctionName=name)["Environment"]["Variables"]
    assert variables["MATCH_POOL_SHARDS"] == "1"
    assert variables["MATCH_POOLS"].split(",")[0] == "default"
