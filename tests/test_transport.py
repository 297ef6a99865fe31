"""The broadcast transport (siaran.delivery.transport) against real servers on 127.0.0.1 that answer
with raw bytes: what it reuses, what it refuses to reuse, and which httpx error each failure is (the
engine resends only what never left)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest

from fakes.loopback import LoopbackServer
from siaran.channels.http import call
from siaran.delivery.http import broadcast_client_for
from siaran.delivery.transport import LeanTransport
from siaran.errors import TransientError, UncertainError

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
Answer = Callable[[int, bytes], Awaitable[bytes | None]]


async def read_request(reader: asyncio.StreamReader) -> bytes | None:
    """One request's head and body (None at the end of the connection)."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    if b"transfer-encoding: chunked" in head.lower():
        return head + await reader.readuntil(b"0\r\n\r\n")
    length = [int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")]
    return head + (await reader.readexactly(length[0]) if length else b"")


class Server(LoopbackServer):
    """Answers each request with what ``answer(connection number, request)`` returns (None: closes
    instead), and closes after answers that say ``Connection: close`` (or every answer with
    ``close_after``); counts connections and keeps every request it read."""

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
        async with server as url, broadcast_client_for(4, 5.0) as http:
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
        async with server as url, httpx.AsyncClient(transport=LeanTransport(3, lambda: None)) as http:
            answers = await asyncio.gather(*(http.post(url, content=b"%d" % n) for n in range(12)))
            return [a.content for a in answers]

    assert run(go()) == [b"ok"] * 12
    assert server.connections == 3  # nine requests waited for a free connection and reused it
    assert sorted(r.rsplit(b"\r\n\r\n", 1)[1] for r in server.requests) == sorted(b"%d" % n for n in range(12))


def test_waiting_for_a_free_connection_too_long_is_a_pool_timeout_nothing_sent():
    async def stuck(number, request):
        await asyncio.sleep(5)
        return OK

    server = Server(stuck)

    async def go():
        timeout = httpx.Timeout(5.0, pool=0.1)
        async with server as url, httpx.AsyncClient(transport=LeanTransport(1, lambda: None), timeout=timeout) as http:
            first = asyncio.ensure_future(http.post(url, content=b"first"))
            await asyncio.sleep(0.05)
            try:
                await call(http.post(url, content=b"second"), "test")
            finally:
                first.cancel()

    with pytest.raises(TransientError):  # PoolTimeout: safe to resend
        run(go())
    assert len(server.requests) == 1


def test_a_per_request_timeout_is_honoured():
    async def slow(number, request):
        await asyncio.sleep(1)
        return OK

    server = Server(slow)

    async def go():
        async with server as url, broadcast_client_for(4, 30.0) as http:
            await http.post(url, content=b"hi", timeout=0.1)

    with pytest.raises(httpx.ReadTimeout):
        run(go())


@pytest.mark.parametrize(
    "reply, error",
    [
        (None, httpx.RemoteProtocolError),  # closed after reading the request, no answer
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", httpx.RemoteProtocolError),  # cut short
        (b"SMTP ready\r\n\r\n", httpx.RemoteProtocolError),  # not HTTP
    ],
)
def test_a_request_that_left_and_broke_is_uncertain(reply, error):
    async def answer(number, request):
        return reply

    server = Server(answer, close_after=True)

    async def go():
        async with server as url, broadcast_client_for(4, 5.0) as http:
            with pytest.raises(error):
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
        async with server as url, broadcast_client_for(4, 5.0) as http:
            first = await http.post(url, content=b"1")
            second = await http.post(url, content=b"2")
            return first, second

    first, second = run(go())
    assert (first.status_code, first.content, first.reason_phrase) == (200, b"abcde", "OK")
    assert (second.status_code, second.content) == (201, b"until the end")
    assert server.connections == 1


def test_connection_close_and_expiry_are_respected():
    async def closing(number, request):
        return b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok" if number == 1 else OK

    server = Server(closing)

    async def go():
        async with server as url, httpx.AsyncClient(transport=LeanTransport(4, lambda: None, keepalive=0.05)) as http:
            await http.post(url, content=b"a")  # the server says it will close: not kept
            await http.post(url, content=b"b")  # a new connection, kept
            await http.post(url, content=b"c")  # reused
            await asyncio.sleep(0.1)
            await http.post(url, content=b"d")  # kept longer than keepalive: not reused

    run(go())
    assert server.connections == 3


def test_a_header_with_a_line_break_is_refused_before_anything_leaves():
    server = Server()

    async def go():
        async with server as url, broadcast_client_for(4, 5.0) as http:
            await http.post(url, content=b"hi", headers={"X-Name": "a\r\nX-Forged: yes"})

    with pytest.raises(httpx.LocalProtocolError):
        run(go())
    assert server.requests == []


def test_streamed_bodies_go_whole():
    """Uploads (multipart, a stream of unknown length) arrive intact, chunked when no length is known."""
    server = Server()

    async def parts():
        for n in range(3):
            yield b"part%d" % n

    async def go():
        async with server as url, broadcast_client_for(4, 5.0) as http:
            await http.post(url, files={"file": ("a.jpg", b"\xff\xd8" * 40_000, "image/jpeg")})
            await http.post(url, content=parts())

    run(go())
    upload, streamed = server.requests
    assert upload.count(b"\xff\xd8") == 40_000
    assert b"transfer-encoding: chunked" in streamed.lower()


def test_a_whole_answer_frees_its_connection_at_once_a_late_body_once_read():
    """An answer that arrived whole with its head is handed over read, and its connection is idle
    again before the caller looks at it; a body that comes later is streamed, and the connection
    waits for it to be read."""

    class Late(Server):
        async def handle(self, reader, writer):  # head first, the body 50 ms later
            self.connections += 1
            while (request := await read_request(reader)) is not None:
                self.requests.append(request)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n")
                await writer.drain()
                await asyncio.sleep(0.05)
                writer.write(b"late")
                await writer.drain()

    whole, late = Server(), Late()

    async def go():
        transport = LeanTransport(4, lambda: None)
        seen = []
        async with whole as url, late as late_url, httpx.AsyncClient(transport=transport) as http:
            for target in (url, late_url):
                async with http.stream("POST", target, content=b"hi") as response:
                    origin = ("http", response.url.host, response.url.port)
                    idle_before = len(transport.idle.get(origin, ()))
                    body = await response.aread()
                idle_after = len(transport.idle.get(origin, ()))
                seen.append((body, idle_before, idle_after))
        return seen

    assert run(go()) == [(b"ok", 1, 1), (b"late", 0, 1)]
