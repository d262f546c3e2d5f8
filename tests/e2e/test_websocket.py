"""The WebSocket API through the runtime: rooms, presence, relays, the @connections API and malformed frames."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from websockets.exceptions import ConnectionClosed

from tests.e2e.conftest import Deployed, Session, eventually, frames_until


def _frame(socket: Any, **fields: Any) -> None:
    socket.send(json.dumps(fields))


def _type(kind: str) -> Any:
    return lambda frame: frame.get("type") == kind


def test_websocket_api_routes_and_connect_authorizer(deployed: Deployed) -> None:
    apigw = deployed.client("apigatewayv2")
    (api,) = [a for a in apigw.get_apis()["Items"] if a["ProtocolType"] == "WEBSOCKET"]
    assert api["RouteSelectionExpression"] == "$request.body.action"
    routes = {r["RouteKey"]: r for r in apigw.get_routes(ApiId=api["ApiId"])["Items"]}
    assert {"$connect", "$disconnect", "$default", "join", "send", "relay.send"} <= set(routes)
    authorizer = apigw.get_authorizer(ApiId=api["ApiId"], AuthorizerId=routes["$connect"]["AuthorizerId"])
    assert authorizer["AuthorizerType"] == "REQUEST"
    assert authorizer["IdentitySource"] == ["route.request.querystring.token"]
    ws = deployed.client("lambda").get_function_configuration(FunctionName=deployed.outputs["function_names"]["ws"])
    # The functions post frames to the runtime's @connections API at the stage path.
    assert ws["Environment"]["Variables"]["WS_MANAGEMENT_ENDPOINT"] == f"{deployed.runtime.endpoint}/live"


def test_websocket_room_join_typing_send_presence_and_history(deployed: Deployed, alice: Session, bob: Session) -> None:
    room = deployed.http.post("/rooms", json={"name": "live room"}, headers=alice.headers).json()["id"]
    assert deployed.http.post(f"/rooms/{room}/members", json={"user_id": bob.user_id}, headers=alice.headers).is_success
    with deployed.connect(alice) as a:
        with deployed.connect(bob) as b:
            _frame(a, action="join", room=room, ref="1")
            assert frames_until(a, _type("joined"))[-1] == {
                "type": "joined", "room": room, "present": [alice.user_id], "ref": "1"
            }  # fmt: skip
            _frame(b, action="join", room=room)
            assert sorted(frames_until(b, _type("joined"))[-1]["present"]) == sorted([alice.user_id, bob.user_id])
            presence = frames_until(a, _type("presence"))[-1]
            assert presence == {"type": "presence", "room": room, "user": bob.user_id, "state": "joined"}
            _frame(b, action="typing", room=room)
            assert frames_until(a, _type("typing"))[-1] == {"type": "typing", "room": room, "user": bob.user_id}
            _frame(b, action="send", room=room, text="hi alice", ref="m1")
            message = frames_until(a, _type("message"))[-1]
            assert message["text"] == "hi alice" and message["sender"] == bob.user_id
            sent = frames_until(b, _type("sent"))[-1]
            assert sent["delivered"] == 1 and sent["ref"] == "m1" and sent["id"] == message["id"]
        # Bob's socket closed: $disconnect tells the room.
        left = frames_until(a, _type("presence"))[-1]
        assert left == {"type": "presence", "room": room, "user": bob.user_id, "state": "left"}
    history = deployed.http.get(f"/rooms/{room}/messages", headers=alice.headers).json()["items"]
    assert [(m["message_id"], m["text"], m["sender_id"]) for m in history] == [(message["id"], "hi alice", bob.user_id)]


def test_websocket_relay_open_join_send_and_the_cached_payload(
    deployed: Deployed, alice: Session, bob: Session
) -> None:
    with deployed.connect(alice) as cli:
        _frame(cli, action="relay.open")
        opened = frames_until(cli, _type("relay.opened"))[-1]
        relay = opened["relay"]
        # Nobody else is there yet: the payload is cached in its encrypted form.
        _frame(cli, action="relay.send", relay=relay, data="bm9uY2UuLi5jaXBoZXJ0ZXh0")
        assert frames_until(cli, _type("relay.sent"))[-1]["delivered"] is False
        with deployed.connect(bob) as web:
            _frame(web, action="relay.join", code=opened["code"].lower().replace("-", " "))
            seen = frames_until(web, _type("relay.data"))
            assert {"type": "relay.joined", "relay": relay} in seen
            assert seen[-1] == {
                "type": "relay.data",
                "relay": relay,
                "data": "bm9uY2UuLi5jaXBoZXJ0ZXh0",
                "cached": True,
            }
            assert frames_until(cli, _type("relay.peer_joined"))[-1]["relay"] == relay
            _frame(web, action="relay.send", relay=relay, data="cmVwbHkuLi4=")
            assert frames_until(cli, _type("relay.data"))[-1] == {
                "type": "relay.data",
                "relay": relay,
                "data": "cmVwbHkuLi4=",
            }
            assert frames_until(web, _type("relay.sent"))[-1]["delivered"] is True
        assert frames_until(cli, _type("relay.peer_left"))[-1]["relay"] == relay


def test_websocket_malformed_frames_get_the_functions_error_frames(deployed: Deployed, alice: Session) -> None:
    with deployed.connect(alice) as socket:
        for raw, error in (
            ("hello?", "invalid_json"),
            (json.dumps({"action": "dance"}), "unknown_action"),
            (json.dumps({"action": "join"}), "missing_field"),
            (json.dumps({"action": "join", "room": "no such room!"}), "invalid_field"),
        ):
            socket.send(raw)
            frame = frames_until(socket, _type("error"))[-1]
            assert frame["error"] == error, (raw, frame)
        socket.send(b"\x00\x01binary")  # a binary frame goes to $default base64-encoded
        assert frames_until(socket, _type("error"))[-1]["error"] in {"invalid_json", "unknown_action", "missing_field"}
        _frame(socket, action="ping")
        assert frames_until(socket, _type("pong"))


def test_websocket_connections_api_posts_describes_and_closes(deployed: Deployed, alice: Session) -> None:
    management = boto3.client(
        "apigatewaymanagementapi", endpoint_url=f"{deployed.runtime.endpoint}/live", region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip
    with deployed.connect(alice) as socket:
        _frame(socket, action="relay.open")
        relay = frames_until(socket, _type("relay.opened"))[-1]["relay"]
        # The connection id, as the ws function stored it with the relay.
        item = deployed.client("dynamodb").query(
            TableName=deployed.outputs["table_name"], KeyConditionExpression="PK = :pk AND begins_with(SK, :peer)",
            ExpressionAttributeValues={":pk": {"S": f"RELAY#{relay}"}, ":peer": {"S": "PEER#"}},
        )["Items"]  # fmt: skip
        connection_id = item[0]["SK"]["S"].removeprefix("PEER#")
        management.post_to_connection(ConnectionId=connection_id, Data=b'{"type":"hello"}')
        assert frames_until(socket, _type("hello"))
        described = management.get_connection(ConnectionId=connection_id)
        assert described["Identity"]["SourceIp"] == "127.0.0.1" and described["ConnectedAt"]
        management.delete_connection(ConnectionId=connection_id)
        with pytest.raises(ConnectionClosed):
            frames_until(socket, _type("never"))
    with pytest.raises(ClientError) as gone:
        management.post_to_connection(ConnectionId=connection_id, Data=b"{}")
    assert gone.value.response["Error"]["Code"] == "GoneException"
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410
    # $disconnect ran: the connection's relay slot is gone.
    eventually(lambda: not deployed.client("dynamodb").get_item(
        TableName=deployed.outputs["table_name"], Key={"PK": {"S": f"CONN#{connection_id}"}, "SK": {"S": "META"}}
    ).get("Item"))  # fmt: skip


def test_leaving_a_room_over_http_ends_live_delivery_to_that_connection(
    deployed: Deployed, alice: Session, bob: Session
) -> None:
    # Given alice and bob both live in a room they are members of
    room = deployed.http.post("/rooms", json={"name": "leavers"}, headers=alice.headers).json()["id"]
    assert deployed.http.post(f"/rooms/{room}/members", json={"user_id": bob.user_id}, headers=alice.headers).is_success
    with deployed.connect(alice) as a, deployed.connect(bob) as b:
        for socket in (a, b):
            _frame(socket, action="join", room=room)
            frames_until(socket, _type("joined"))
        _frame(a, action="send", room=room, text="before", ref="m1")
        assert frames_until(a, _type("sent"))[-1]["delivered"] == 1
        assert frames_until(b, _type("message"))[-1]["text"] == "before"
        # When bob leaves the room over HTTP while his socket stays open
        left = deployed.http.delete(f"/rooms/{room}/members/me", headers=bob.headers)
        assert left.status_code == 204, left.text
        # Then alice's typing and messages reach nobody, and bob's socket receives no frame of that room
        _frame(a, action="typing", room=room)
        _frame(a, action="send", room=room, text="after", ref="m2")
        sent = frames_until(a, _type("sent"))[-1]
        assert (sent["ref"], sent["delivered"]) == ("m2", 0)
        with pytest.raises(TimeoutError):
            b.recv(timeout=1.5)
        # and bob can no longer send to it
        _frame(b, action="send", room=room, text="still here?", ref="m3")
        refused = frames_until(b, _type("error"))[-1]
        assert (refused.get("ref"), refused["error"]) == ("m3", "not_joined")
