"""A raw TCP server on 127.0.0.1 for the HTTP clients' tests: a subclass answers in
``handle(reader, writer)`` with whatever bytes the test needs; leaving ``async with`` closes every
connection, stops its handler and waits for it. Set ``tls`` to a server context for https."""

from __future__ import annotations

import asyncio
import ssl


class LoopbackServer:
    tls: ssl.SSLContext | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._open[asyncio.current_task()] = writer  # type: ignore[index]
        try:
            await self.handle(reader, writer)
        finally:
            writer.close()

    async def __aenter__(self) -> str:
        self._open: dict[asyncio.Task, asyncio.StreamWriter] = {}
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *exc) -> None:
        self.server.close()
        for task, writer in self._open.items():
            writer.close()
            task.cancel()
        await asyncio.gather(*self._open, return_exceptions=True)
        self._open.clear()
        await self.server.wait_closed()
