"""An alert target for Apprise's ``json://`` URLs on 127.0.0.1: every JSON body posted to it is
kept in ``received`` (Apprise's json plugin sends ``{"title", "message", "type", ...}``)."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def alert_receiver() -> Iterator[tuple[int, list[dict]]]:
    """``(port, received)`` while the receiver runs."""
    received: list[dict] = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_port, received
    finally:
        server.shutdown()
        server.server_close()
