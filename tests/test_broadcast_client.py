"""The clients of siaran.delivery.http (httpx over aiohttp's pool) against real servers on 127.0.0.1
that answer with raw bytes: what is reused, what is refused, and which httpx error each failure is
(the engine resends only what never left)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import trustme

from fakes.loopback import LoopbackServer
from siaran.channels.http import call
from siaran.config import load_settings
from siaran.delivery import aiohttp_transport
from siaran.delivery.http import client
from siaran.errors import TransientError, UncertainError

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
Answer = Callable[[int, bytes], Awaitable[bytes | None]]


def make(connections: int = 4, timeout: float = 5.0) -> httpx.AsyncClient:
    return client(load_settings(Path("/nonexistent"), {}), connections=connections, timeout=timeout)


async def read_request(reader: asyncio.StreamReader) -> bytes | None:
    """One request's head and body (None at the end of the connection)."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    if b"transfer-encoding: chunked" in head.lower():
        return head + await reader.readuntil(b"0\r\n\r\n")
    length = [int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")]
    return head + (await reader.readexactly(length[0]) if length else b"")


def body_of(request: bytes) -> bytes:
    return request.split(b"\r\n\r\n", 1)[1]


class Server(LoopbackServer):
    """Answers each request with what ``answer(connection number, request)`` returns (None: closes
    instead, or stays silent with ``silent``), and closes after answers that say ``Connection:
    close`` (or every answer with ``close_after``); counts connections and keeps every request."""

    def __init__(self, answer: Answer | None = None, idle_close: float | None = None, close_after: bool = False):
        self.answer, self.idle_close, self.close_after = answer, idle_close, close_after
        self.connections = 0
        self.requests: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        while True:
            try:
                request = await asyncio.wait_for(read_request(reader), self.idle_close)
            except TimeoutError:
                break  # idle too long: closed without a word, as keep-alive timeouts do
            if request is None:
                break
            self.requests.append(request)
            reply = await self.answer(number, request) if self.answer else OK
            if reply is None:
                break
            writer.write(reply)
            await writer.drain()
            if self.close_after or b"Connection: close" in reply:
                break


def run(coro):
    return asyncio.run(coro)


def test_an_idle_connection_the_server_closed_is_replaced_not_failed():
    """The server drops connections idle for 50 ms: the next message goes on a fresh connection
    and is sent, never made uncertain."""
    server = Server(idle_close=0.05)

    async def go():
        async with server as url, make() as http:
            answers = []
            for _ in range(3):
                answers.append((await call(http.post(url, content=b"hi"), "test")).content)
                await asyncio.sleep(0.2)
            return answers

    assert run(go()) == [b"ok"] * 3
    assert server.connections == 3
    assert len(server.requests) == 3


def test_connections_are_reused_and_never_more_than_the_limit():
    async def slow(number, request):
        await asyncio.sleep(0.02)
        return OK

    server = Server(slow)

    async def go():
        async with server as url, make(connections=3) as http:
            answers = await asyncio.gather(*(http.post(url, content=b"%d" % n) for n in range(12)))
            return [a.content for a in answers]

    assert run(go()) == [b"ok"] * 12
    assert server.connections == 3  # nine requests waited for a free connection and reused it
    assert sorted(body_of(r) for r in server.requests) == sorted(b"%d" % n for n in range(12))


def test_waiting_for_a_free_connection_too_long_is_transient_nothing_sent():
    async def stuck(number, request):
        await asyncio.sleep(5)
        return OK

    server = Server(stuck)

    async def go():
        async with server as url, make(connections=1) as http:
            first = asyncio.ensure_future(http.post(url, content=b"first"))
            await asyncio.sleep(0.05)
            try:
                await call(http.post(url, content=b"second", timeout=httpx.Timeout(5.0, pool=0.1)), "test")
            finally:
                first.cancel()

    with pytest.raises(TransientError):  # ConnectTimeout: safe to resend
        run(go())
    assert len(server.requests) == 1


def test_a_per_request_timeout_is_honoured_and_the_message_is_uncertain():
    async def slow(number, request):
        await asyncio.sleep(1)
        return OK

    server = Server(slow)

    async def go():
        async with server as url, make(timeout=30.0) as http:
            with pytest.raises(httpx.ReadTimeout):
                await http.post(url, content=b"hi", timeout=0.1)
            await call(http.post(url, content=b"again", timeout=0.1), "test")

    with pytest.raises(UncertainError):
        run(go())
    assert [body_of(r) for r in server.requests] == [b"hi", b"again"]  # both left


@pytest.mark.parametrize(
    "reply",
    [
        None,  # closed after reading the request, no answer
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",  # cut short
        b"SMTP ready\r\n\r\n",  # not HTTP
    ],
)
def test_a_request_that_left_and_broke_is_uncertain(reply):
    async def answer(number, request):
        return reply

    server = Server(answer, close_after=True)

    async def go():
        async with server as url, make() as http:
            with pytest.raises(httpx.RemoteProtocolError):
                await http.post(url, content=b"hi")
            await call(http.post(url, content=b"again"), "test")

    with pytest.raises(UncertainError):
        run(go())
    assert len(server.requests) == 2


def test_chunked_answers_answers_ended_by_closing_and_interim_answers():
    replies = {
        1: b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        2: b"HTTP/1.1 201 Created\r\nConnection: close\r\n\r\nuntil the end",
    }

    async def answer(number, request):
        return replies[len(server.requests)]

    server = Server(answer)

    async def go():
        async with server as url, make() as http:
            first = await http.post(url, content=b"1")
            second = await http.post(url, content=b"2")
            third = await http.post(url, content=b"3")
            return first, second, third

    replies[3] = OK
    first, second, third = run(go())
    assert (first.status_code, first.content, first.reason_phrase) == (200, b"abcde", "OK")
    assert (second.status_code, second.content) == (201, b"until the end")
    assert third.content == b"ok"
    assert server.connections == 2  # the server said it would close: a new connection for the third


def test_a_header_with_a_line_break_is_refused_before_anything_leaves():
    server = Server()

    async def go():
        async with server as url, make() as http:
            await http.post(url, content=b"hi", headers={"X-Name": "a\r\nX-Forged: yes"})

    with pytest.raises(httpx.LocalProtocolError):
        run(go())
    assert server.requests == []


def test_uploads_and_streamed_bodies_arrive_whole():
    server = Server()

    async def parts():
        for n in range(3):
            yield b"part%d" % n

    async def go():
        async with server as url, make() as http:
            await http.post(url, files={"file": ("a.jpg", b"\xff\xd8" * 40_000, "image/jpeg")})
            await http.post(url, content=parts())

    run(go())
    upload, streamed = server.requests
    assert upload.count(b"\xff\xd8") == 40_000
    assert body_of(streamed) == b"part0part1part2"


def test_large_bodies_both_ways_and_too_large_an_answer():
    big = bytes(range(256)) * 4096  # 1 MiB

    async def echo_thrice(number, request):
        body = body_of(request) * 3
        return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)

    server = Server(echo_thrice)

    async def go():
        async with server as url, make() as http:
            return await http.post(url, content=big)

    assert run(go()).content == big * 3
    assert body_of(server.requests[0]) == big


def test_an_answer_beyond_the_bound_is_refused(monkeypatch):
    monkeypatch.setattr(aiohttp_transport, "MAX_ANSWER", 1000)

    async def chunked(number, request):
        return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" + b"x" * 2048 + b"\r\n0\r\n\r\n"

    server = Server(chunked)

    async def go():
        async with server as url, make() as http:
            await call(http.post(url, content=b"hi"), "test")

    with pytest.raises(UncertainError):  # it left; only the answer was refused
        run(go())


def test_nobody_listening_is_a_connect_error_safe_to_resend():
    async def go():
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        async with make() as http:
            with pytest.raises(httpx.ConnectError):
                await http.get(f"http://127.0.0.1:{port}/")
            await call(http.post(f"http://127.0.0.1:{port}/", content=b"hi"), "test")

    with pytest.raises(TransientError):
        run(go())


# -- TLS ------------------------------------------------------------------------------------------
CA = trustme.CA()
NOW = datetime.now(UTC)
CERTS = {
    "trusted": (CA, CA.issue_cert("127.0.0.1")),
    "untrusted": (CA, trustme.CA().issue_cert("127.0.0.1")),  # an authority nobody vouches for
    "wrong name": (CA, CA.issue_cert("graph.facebook.com")),
    "expired": (CA, CA.issue_cert("127.0.0.1", not_before=NOW - timedelta(days=30), not_after=NOW - timedelta(days=1))),
}


def tls_server(kind: str) -> Server:
    _, cert = CERTS[kind]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    server = Server()
    server.tls = context
    return server


@pytest.fixture
def trust_ca(tmp_path, monkeypatch):
    """The clients trust CA only, named as an office names its proxy's authority: SSL_CERT_FILE."""
    pem = tmp_path / "ca.pem"
    CA.cert_pem.write_to_path(str(pem))
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))


def test_https_to_a_trusted_certificate(trust_ca):
    server = tls_server("trusted")

    async def go():
        async with server as url, make() as http:
            return await http.post(url + "/messages", content=b"secret")

    response = run(go())
    assert (response.status_code, response.content) == (200, b"ok")
    assert [body_of(r) for r in server.requests] == [b"secret"]


@pytest.mark.parametrize("kind", ["untrusted", "wrong name", "expired"])
def test_a_certificate_that_does_not_hold_is_refused_nothing_sent(trust_ca, kind):
    server = tls_server(kind)

    async def go():
        async with server as url, make() as http:
            with pytest.raises(httpx.ConnectError, match=r"[Cc]ertificate"):
                await http.post(url + "/messages", content=b"secret")
            await call(http.post(url + "/messages", content=b"secret"), "test")

    with pytest.raises(TransientError):
        run(go())
    assert server.requests == []
