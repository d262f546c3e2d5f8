"""Big rooms' fan-out through the queue on the local stack: the ws function queues batches, the fanout function
(run by the runtime's SQS poller) posts them over real WebSockets."""

from __future__ import annotations

import json
import re
from contextlib import ExitStack

from tests.e2e.conftest import Deployed, Session, frames_until


def test_fanout_a_room_beyond_the_batch_size_reaches_every_member_through_the_queue(
    deployed: Deployed, alice: Session, bob: Session
) -> None:
    # Given a room of five members and batches of two connections
    members = [alice, bob, *(deployed.sign_in(f"fanout-{i}@example.com") for i in range(3))]
    room = deployed.http.post("/rooms", json={"name": "big room"}, headers=alice.headers).json()["id"]
    for member in members[1:]:
        added = deployed.http.post(f"/rooms/{room}/members", json={"user_id": member.user_id}, headers=alice.headers)
        assert added.is_success, added.text
    lambda_ = deployed.client("lambda")
    name = deployed.outputs["function_names"]["ws"]
    variables = lambda_.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
    assert variables["WS_FANOUT_BATCH_SIZE"] == "500" and variables["WS_FANOUT_QUEUE"]
    lambda_.update_function_configuration(
        FunctionName=name, Environment={"Variables": {**variables, "WS_FANOUT_BATCH_SIZE": "2"}}
    )
    log = deployed.runtime.process.log_file
    try:
        deployed.reload()
        with ExitStack() as stack:
            sockets = [stack.enter_context(deployed.connect(member)) for member in members]
            for socket in sockets:
                socket.send(json.dumps({"action": "join", "room": room}))
                frames_until(socket, lambda frame: frame.get("type") == "joined")
            # When alice sends a message
            sockets[0].send(json.dumps({"action": "send", "room": room, "text": "hello, big room", "ref": "big"}))
            # Then two members got it from the ws function and two from the fanout function's batch
            sent = frames_until(sockets[0], lambda frame: frame.get("ref") == "big")[-1]
            assert (sent["type"], sent["delivered"], sent["queued"]) == ("sent", 2, 2)
            for socket in sockets[1:]:
                message = frames_until(socket, lambda frame: frame.get("type") == "message", timeout=30)[-1]
                assert (message["id"], message["text"], message["sender"]) == (
                    sent["id"], "hello, big room", alice.user_id,
                )  # fmt: skip
        # The runtime's poller ran the fanout function on the queue's records
        assert re.search(r"\S+-fanout\s+sqs \S+-fanout \(\d+ records\)\s+ok", log.read_text())
    finally:
        lambda_.update_function_configuration(FunctionName=name, Environment={"Variables": variables})
        deployed.reload()
