"""The broadcast client's transport (siaran.delivery.transport on siaran.delivery.sockets), against a
raw HTTP/1.1 server on 127.0.0.1 that shows what reached the socket and when."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from fakes.loopback import LoopbackServer
from siaran.delivery.http import broadcast_client_for


class RawServer(LoopbackServer):
    """Answers each request with its body's length and a ``reply``-byte body; ``close_after`` answers
    then closes the connection (without saying so, as a server dropping idle connections does)."""

    def __init__(self, *, reply: int = 2, close_after: bool = False, silent: bool = False):
        self.reply, self.close_after, self.silent = reply, close_after, silent
        self.connections = 0
        self.chunks: list[bytes] = []
        self.bodies: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        buffer = b""
        while True:
            chunk = await reader.read(1 << 20)
            if not chunk:
                break
            self.chunks.append(chunk)
            buffer += chunk
            while b"\r\n\r\n" in buffer:
                head, _, rest = buffer.partition(b"\r\n\r\n")
                lengths = [int(h.split(b":")[1]) for h in head.split(b"\r\n") if b"content-length" in h.lower()]
                length = lengths[0] if lengths else 0
                if len(rest) < length:
                    break
                self.bodies.append(rest[:length])
                buffer = rest[length:]
                if self.silent:
                    continue
                body = b"x" * self.reply
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                await writer.drain()
                if self.close_after:
                    return


def client(timeout: float = 5.0) -> httpx.AsyncClient:
    return broadcast_client_for(concurrency=4, timeout=timeout)


def test_requests_reuse_one_connection():
    server = RawServer()

    async def with_server():
        async with server as url, client() as http:
            for n in range(3):
                response = await http.post(url + "/messages", content=b"hello %d" % n)
                assert (response.status_code, response.content) == (200, b"xx")

    asyncio.run(with_server())
    assert server.connections == 1
    assert server.bodies == [b"hello 0", b"hello 1", b"hello 2"]


def test_a_request_leaves_in_one_send():
    """Head and body reach the socket together: one send a request instead of two."""
    server = RawServer()

    async def go():
        async with server as url, client() as http:
            return await http.post(url + "/messages", content=b"hello")

    response = asyncio.run(go())
    assert response.status_code == 200
    assert len(server.chunks) == 1
    assert server.chunks[0].startswith(b"POST /messages HTTP/1.1\r\n")
    assert server.chunks[0].endswith(b"\r\n\r\nhello")


def test_a_connection_the_server_closed_is_not_reused():
    server = RawServer(close_after=True)

    async def go():
        async with server as url, client() as http:
            for _ in range(3):
                response = await http.post(url, content=b"hi")
                assert response.status_code == 200
                await asyncio.sleep(0.02)  # the server's close arrives while the connection is idle

    asyncio.run(go())
    assert server.connections == 3
    assert len(server.bodies) == 3


def test_large_bodies_both_ways():
    big = bytes(range(256)) * 4096  # 1 MiB: past the send threshold and the receive high-water mark
    server = RawServer(reply=3 * len(big))

    async def go():
        async with server as url, client() as http:
            return await http.post(url, content=big)

    response = asyncio.run(go())
    assert server.bodies == [big]
    assert response.content == b"x" * (3 * len(big))


def test_no_answer_is_a_read_timeout():
    server = RawServer(silent=True)

    async def go():
        async with server as url, client(timeout=0.2) as http:
            await http.post(url, content=b"hi")

    with pytest.raises(httpx.ReadTimeout):
        asyncio.run(go())
    assert server.bodies == [b"hi"]  # it left: the engine must treat it as uncertain


def test_nobody_listening_is_a_connect_error():
    async def go():
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        async with client() as http:
            await http.get(f"http://127.0.0.1:{port}/")

    with pytest.raises(httpx.ConnectError):
        asyncio.run(go())


def test_https_through_the_asyncio_backend(monkeypatch):
    """Providers are reached over TLS: the handshake (loop.start_tls) and certificate checks work."""
    trustme = pytest.importorskip("trustme")
    import ssl

    from siaran.delivery import http as http_module

    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    client_ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    ca.configure_trust(client_ctx)
    server = RawServer()
    server.tls = server_ctx

    async def go(trusted: bool):
        monkeypatch.setattr(
            http_module, "_tls_context", lambda: client_ctx if trusted else http_module.ssl.create_default_context()
        )
        async with server as url, client() as http:
            return await http.post(url + "/messages", content=b"secret")

    response = asyncio.run(go(trusted=True))
    assert (response.status_code, response.content) == (200, b"xx")
    assert server.bodies == [b"secret"]
    with pytest.raises(httpx.ConnectError):
        asyncio.run(go(trusted=False))  # a certificate nobody vouches for: no request leaves
    assert server.bodies == [b"secret"]


def test_deadlines_end_late_waits_and_stop_when_nothing_waits():
    """One sweep timer for every wait: an unanswered wait ends in TimeoutError (at most a tick
    late), an answered one leaves nothing behind, and with nothing waiting no timer is left."""
    from siaran.delivery.sockets import Deadlines, Receiver, wait

    async def go():
        loop = asyncio.get_running_loop()
        deadlines = Deadlines(tick=0.02)
        answered, silent = Receiver(), Receiver()
        loop.call_later(0.01, answered.data_received, b"HTTP/1.1 200 OK\r\n")
        start = loop.time()
        await wait(answered, "reader", 5.0, deadlines)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(wait(silent, "reader", 0.05, deadlines), 2)  # not swept: 2 s
        waited = loop.time() - start
        await asyncio.sleep(0.05)  # the sweep after the last wait
        return waited, deadlines.waits, deadlines._timer, answered.reader, silent.reader

    waited, waits, timer, *readers = asyncio.run(go())
    assert 0.05 <= waited < 1.0
    assert waits == {} and timer is None and readers == [None, None]
