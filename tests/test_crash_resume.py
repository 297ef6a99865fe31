"""kill -9 in the middle of a broadcast, then the same command again: nobody gets it twice, and
only the messages that were in flight at the kill are left ``uncertain``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlite_utils

from fakes.whatsapp_cloud import PHONE_ID, TOKEN, FakeCloud

REPO = Path(__file__).resolve().parent.parent
PEOPLE = 30


def test_kill_9_mid_broadcast_then_rerun_sends_nobody_twice(project: Path):
    lines = ["nama,nomor"] + [f"Warga {i},0812{i:08d}" for i in range(1, PEOPLE + 1)]
    (project / "content/lists/banyak.csv").write_text("\n".join(lines) + "\n")
    fake = FakeCloud(latency=0.1)
    with fake.serve() as base_url:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SIARAN_") or k == "SIARAN_LANG"},
            "PYTHONPATH": str(REPO / "src"),
            "SIARAN_NOW": "2026-11-23T10:00:00+08:00",
            "SIARAN_WHATSAPP_PROVIDER": "cloud",
            "SIARAN_WHATSAPP_BASE_URL": base_url,
            "SIARAN_WHATSAPP_TOKEN": TOKEN,
            "SIARAN_WHATSAPP_PHONE_NUMBER_ID": PHONE_ID,
            "SIARAN_WHATSAPP_CONCURRENCY": "3",
            "SIARAN_WHATSAPP_MPS": "0",
        }
        args = [sys.executable, "-m", "siaran", "--project", str(project), "send", "announcements/kerja-bakti",
                "--now", "--list", "banyak", "--channel", "whatsapp"]  # fmt: skip
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while sum(fake.delivered.values()) < 8 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
        assert proc.returncode == -signal.SIGKILL, err.decode()

        db = sqlite_utils.Database(project / "siaran-rehearsal.db")
        at_kill = {r["recipient"]: r["status"] for r in db["deliveries"].rows}
        in_flight = {k for k, s in at_kill.items() if s == "sending"}
        assert 0 < len(in_flight) <= 3
        assert "queued" in at_kill.values() and "sent" in at_kill.values()
        time.sleep(0.3)  # let the requests that were in flight reach the fake

        again = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
        assert again.returncode == 2, again.stderr  # ran, but some messages are uncertain
        assert f"{len(in_flight)} uncertain" in again.stdout and "were in flight" in again.stdout

    after = {r["recipient"]: r for r in db["deliveries"].rows}
    assert len(after) == PEOPLE
    assert {k for k, r in after.items() if r["status"] == "uncertain"} == in_flight
    assert {k for k, r in after.items() if r["status"] == "sent"} == set(after) - in_flight
    assert max(fake.requests.values()) == 1  # nobody was asked for twice
    assert len(fake.requests) == PEOPLE
