"""The management API client's HTTP/1.1 exchange (lambda_src/parley/adapters/websocket.py), answer by answer:
each scripted answer is fed to a stream reader, so what the client reads from the status line, the headers and
the body, and whether it keeps the connection, is seen exactly."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from parley.adapters import websocket

ENDPOINT = "http://127.0.0.1:9/live"


class Writer:
    """The writing half of a connection: records what was written and whether it was closed."""

    def __init__(self) -> None:
        self.written = b""
        self.closed = False

    def write(self, data: bytes) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


def exchange(answer: bytes, *, reused: bool = False, eof: bool = True) -> tuple[Any, websocket.ManagementApi, Writer]:
    """The client's reading of ``answer``: (response, client, writer)."""
    api = websocket.ManagementApi(ENDPOINT)
    writer = Writer()

    async def read() -> Any:
        reader = asyncio.StreamReader()
        reader.feed_data(answer)
        if eof:
            reader.feed_eof()
        return await asyncio.wait_for(api._send(reader, writer, b"request", reused=reused), 1)  # type: ignore[arg-type]

    return asyncio.run(read()), api, writer


def test_websocket_http_reads_chunks_with_hex_sizes_and_extensions() -> None:
    chunk = bytes(range(97, 123))  # 26 bytes: size 1a
    answer = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
        + b"1a;name=value;other=2\r\n" + chunk + b"\r\n3\r\nxyz\r\n0\r\n\r\n"
    )  # fmt: skip
    response, api, writer = exchange(answer)
    assert (response.status, response.reason, response.body) == (200, "OK", chunk + b"xyz")
    assert response.headers == {"transfer-encoding": "Chunked"}
    assert api._idle and not writer.closed and writer.written == b"request"


@pytest.mark.parametrize(
    ("answer", "status", "reason", "body"),
    [
        (b"HTTP/1.1 403 Forbidden Here\r\nCONTENT-LENGTH: 5\r\n\r\nhello", 403, "Forbidden Here", b"hello"),
        (b"HTTP/1.1 410\r\nx-amzn-ErrorType: GoneException:http://internal/\r\n\r\n", 410, "", b""),
        # No body belongs to a 204 or a 304, whatever the headers say (the reader would wait for it).
        (b"HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n", 204, "No Content", b""),
        (b"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", 304, "Not Modified", b""),
    ],
)
def test_websocket_http_reads_the_status_line_headers_and_body(
    answer: bytes, status: int, reason: str, body: bytes
) -> None:
    response, _, _ = exchange(answer, eof=False)
    assert (response.status, response.reason, response.body) == (status, reason, body)
    if status == 410:
        assert response.headers == {"x-amzn-errortype": "GoneException:http://internal/"}


def test_websocket_http_closes_a_connection_the_server_closes_and_pools_the_others() -> None:
    _, api, writer = exchange(b"HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n")
    assert writer.closed and api._idle == []
    _, api, writer = exchange(b"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")
    assert not writer.closed and len(api._idle) == 1


@pytest.mark.parametrize(
    ("answer", "reused", "raised"),
    [
        (b"", True, websocket._Stale),  # a kept-alive connection closed while idle: nothing was answered
        (b"HTTP/1.1 2", True, asyncio.IncompleteReadError),  # closed mid-answer: the post may have happened
        (b"", False, asyncio.IncompleteReadError),  # a new connection that closes is a failure, not stale
    ],
)
def test_websocket_http_tells_a_stale_connection_from_a_broken_answer(
    answer: bytes, reused: bool, raised: type[BaseException]
) -> None:
    with pytest.raises(raised):
        exchange(answer, reused=reused)


def test_websocket_http_a_reset_kept_alive_connection_is_stale() -> None:
    api = websocket.ManagementApi(ENDPOINT)

    class Reset:
        async def readuntil(self, separator: bytes) -> bytes:
            raise ConnectionResetError("reset by peer")

    writer = Writer()
    with pytest.raises(websocket._Stale):
        asyncio.run(api._send(Reset(), writer, b"request", reused=True))  # type: ignore[arg-type]
    assert writer.closed


def _answering(api: websocket.ManagementApi, response: websocket._Response) -> list[bytes]:
    requests: list[bytes] = []

    async def answer(request: bytes) -> websocket._Response:
        requests.append(request)
        return response

    api._exchange = answer  # type: ignore[method-assign]
    return requests


@pytest.mark.parametrize(
    ("status", "reason", "headers", "code"),
    [
        (410, "Gone", {"x-amzn-errortype": "GoneException:http://internal/"}, "GoneException"),
        (403, "Forbidden", {}, "Forbidden"),  # no error type: the reason phrase
        (300, "Multiple Choices", {}, "Multiple Choices"),
    ],
)
def test_websocket_http_an_answer_of_300_or_more_is_a_client_error_with_its_code_and_message(
    status: int, reason: str, headers: dict[str, str], code: str
) -> None:
    api = websocket.ManagementApi(ENDPOINT)
    _answering(api, websocket._Response(status, reason, headers, b"why" * 100))
    with pytest.raises(ClientError) as raised:
        asyncio.run(api.post_to_connection(ConnectionId="c1", Data=b"{}"))
    error = raised.value.response
    assert error["Error"] == {"Code": code, "Message": ("why" * 100)[:200]}
    assert error["ResponseMetadata"] == {"HTTPStatusCode": status}
    assert raised.value.operation_name == "PostToConnection"


def test_websocket_http_a_299_is_no_error_and_ids_are_quoted_whole() -> None:
    api = websocket.ManagementApi(ENDPOINT)
    requests = _answering(api, websocket._Response(299, "Fine", {}, b""))
    asyncio.run(api.post_to_connection(ConnectionId="a/b=", Data=b'{"x":1}'))
    asyncio.run(api.delete_connection(ConnectionId="c/d"))
    post, delete = (request.split(b"\r\n\r\n", 1) for request in requests)
    assert post[0].startswith(b"POST /live/@connections/a%2Fb%3D HTTP/1.1\r\n") and post[1] == b'{"x":1}'
    assert delete[0].startswith(b"DELETE /live/@connections/c%2Fd HTTP/1.1\r\n") and delete[1] == b""
    assert b"\r\nContent-Length: 0" in delete[0]


def test_websocket_http_an_unanswered_request_times_out_as_an_endpoint_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(websocket, "READ_TIMEOUT_SECONDS", 0.05)
    api = websocket.ManagementApi(ENDPOINT)

    async def never(request: bytes) -> websocket._Response:
        await asyncio.sleep(30)
        raise AssertionError("not reached")

    api._exchange = never  # type: ignore[method-assign]
    with pytest.raises(EndpointConnectionError) as raised:
        asyncio.run(api.post_to_connection(ConnectionId="c1", Data=b"{}"))
    assert raised.value.kwargs["endpoint_url"] == ENDPOINT


def test_websocket_loop_runs_every_post_on_one_loop_until_it_is_closed() -> None:
    loop = websocket._Loop()

    async def current() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    first = loop.run(current())
    assert loop.run(current()) is first
    first.close()
    assert loop.run(current()) is not first
