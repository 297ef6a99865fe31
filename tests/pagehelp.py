"""The operator page served for real (uvicorn on 127.0.0.1 in a thread) over a project with history."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import sqlite_utils
import uvicorn

from siaran.app import App
from siaran.clock import FixedClock, parse_instant
from siaran.history import deliveries
from siaran.server.page import page_app

# Monday 23 November 2026, 09:00 WITA: last Wednesday's SOP and this morning's announcement went out.
NOW = "2026-11-23T09:00:00+08:00"
WEDNESDAY = "2026-11-18T09:05:00+08:00"
MONDAY = "2026-11-23T07:35:00+08:00"


def make_history(run, project: Path) -> sqlite_utils.Database:
    """Two scheduled occurrences sent through the outbox, then two of this morning's messages failed
    (as a provider's status webhook would report) and one left uncertain."""
    for moment in (WEDNESDAY, MONDAY):
        res = run("run", "--once", env={"SIARAN_NOW": moment})
        assert res.exit_code == 0, res.all
    db = sqlite_utils.Database(project / "siaran-rehearsal.db")
    rows = list(db.query("select key from deliveries where channel = 'whatsapp' and post = ? order by id", [JADWAL]))
    now = parse_instant(MONDAY)
    for row in rows[:2]:
        deliveries.update(db, row["key"], now, status="failed", error=UNREGISTERED, error_code="131026")
    deliveries.update(db, rows[2]["key"], now, status="uncertain", error="jawaban tidak datang")
    return db


JADWAL = "announcements/jadwal-pelayanan"
UNREGISTERED = "nomor tidak terdaftar di WhatsApp"


class PageServer:
    """The page app under uvicorn on a free 127.0.0.1 port, in a thread."""

    def __init__(self, project: Path, now: str = NOW, env: dict[str, str] | None = None):
        self.project = project
        clock = FixedClock(at=parse_instant(now))
        self.app = page_app(lambda: App.open(project, clock, env or {}))
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # asyncio sets NODELAY
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> PageServer:
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the page server did not start")
            threading.Event().wait(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()
