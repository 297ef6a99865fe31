"""Webhook benchmark: Meta's delivery statuses for a 10,000-recipient broadcast, posted as fast as
a client can to a real `siaran serve` (its own process, as on the office PC).

    PYTHONPATH=src python bench/webhook.py [--recipients 10000] [--connections 8] [--per-post 1]

10,000 deliveries are recorded as sent (wamid per row); then 30,000 signed status webhooks
(sent, then delivered, then read for everyone; one status per POST, as Meta usually sends them)
go over keep-alive connections from a small raw asyncio client (so the client is not what is
measured). Prints sustained events/s, answer-time percentiles, the server's CPU, and how long
after the last answer the history shows every message as read; checks nothing was lost.
Targets: >= 2,000 events/s on a 2-core machine, p99 <= 50 ms, nothing lost.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
SECRET = "bench-app-secret-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(project: Path, n: int) -> list[str]:
    """n WhatsApp deliveries already sent, each with its wamid (as the engine records them)."""
    sys.path.insert(0, str(REPO / "src"))
    from siaran.history import open_db
    from siaran.history.deliveries import commit_batch, reserve

    db = open_db(project / "siaran.db")
    stamp = "2026-11-23T02:00:00+00:00"
    rows = [
        {"key": f"d1:{i:032d}", "post": "announcements/posyandu", "channel": "whatsapp", "provider": "cloud",
         "recipient": f"+62812{i:07d}", "list": "bench", "status": "queued", "created_at": stamp}
        for i in range(n)
    ]  # fmt: skip
    reserve(db, rows)
    ids = [f"wamid.HBgNNjI4MTIwMDAwMDAwFQIAERgS{i:012d}" for i in range(n)]
    for lo in range(0, n, 1000):
        keys = [r["key"] for r in rows[lo : lo + 1000]]
        commit_batch(db, "bench", stamp, keys, [])
        outcomes = [("sent", None, None, ids[lo + j], stamp, None, stamp, k) for j, k in enumerate(keys)]
        commit_batch(db, "bench", stamp, [], outcomes)
    db.close()
    return ids


def payloads(ids: list[str], per_post: int) -> list[bytes]:
    """Signed HTTP requests: every status of everyone, sent → delivered → read."""
    events = []
    for i, (state, ts) in enumerate((("sent", 1795000000), ("delivered", 1795000010), ("read", 1795000100))):
        for n, wamid in enumerate(ids):
            events.append({
                "id": wamid, "status": state, "timestamp": str(ts + i), "recipient_id": f"62812{n:07d}",
                "pricing": {"billable": True, "pricing_model": "PMP", "category": "marketing", "type": "regular"},
            })  # fmt: skip
    requests = []
    for lo in range(0, len(events), per_post):
        body = json.dumps({
            "object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "6281154002727", "phone_number_id": "106540352242922"},
                "statuses": events[lo : lo + per_post]}}]}],
        }, separators=(",", ":")).encode()  # fmt: skip
        sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        head = (
            f"POST /webhook/whatsapp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"X-Hub-Signature-256: {sig}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        requests.append(head + body)
    return requests


async def client(port: int, requests: list[bytes], connections: int) -> tuple[list[float], int, float, float]:
    """Raw HTTP/1.1 keep-alive connections, one request in flight on each: (answer times, non-200s)."""
    times: list[float] = []
    bad = 0
    queue = iter(requests)

    async def one_connection() -> None:
        nonlocal bad
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for request in queue:
            t0 = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if length:
                await reader.readexactly(length)
            times.append(time.perf_counter() - t0)
            if not head.startswith(b"HTTP/1.1 200"):
                bad += 1
        writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(one_connection() for _ in range(connections)))
    return times, bad, start, time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--per-post", type=int, default=1, help="statuses per webhook POST (Meta: usually 1)")
    args = parser.parse_args()
    n = args.recipients
    work = Path(tempfile.mkdtemp(prefix="siaran-bench-webhook-"))
    try:
        project = work / "kelurahan"
        project.mkdir()
        shutil.copytree(REPO / "content", project / "content")
        ids = seed(project, n)
        requests = payloads(ids, args.per_post)
        events = 3 * n
        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "SIARAN_WHATSAPP_APP_SECRET": SECRET,
               "SIARAN_SERVER_WEBHOOK_PORT": str(port), "SIARAN_SERVER_PAGE_PORT": str(free_port())}  # fmt: skip
        server = subprocess.Popen(
            [sys.executable, "-m", "siaran", "--project", str(project), "serve"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            for _ in range(600):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            proc = psutil.Process(server.pid)
            cpu0 = sum(proc.cpu_times()[:2])
            times, bad, start, end = asyncio.run(client(port, requests, args.connections))
            db = sqlite3.connect(project / "siaran.db")
            deadline = time.perf_counter() + 120
            while time.perf_counter() < deadline:
                read = db.execute("select count(*) from deliveries where status = 'read'").fetchone()[0]
                if read == n:
                    break
                time.sleep(0.01)
            reflected = time.perf_counter()
            cpu = sum(proc.cpu_times()[:2]) - cpu0
            rows = db.execute(
                "select count(*), sum(delivered_at is not null), sum(read_at is not null) from deliveries"
            ).fetchone()
            pending = db.execute("select count(*) from webhook_statuses").fetchone()[0]
        finally:
            server.terminate()
            server.wait(10)
        times.sort()

        def pct(p: float) -> float:
            return times[min(len(times) - 1, int(p * len(times)))] * 1000

        wall = end - start
        print(f"webhook: {events:,} status events in {len(requests):,} POSTs ({args.per_post}/POST), "
              f"{args.connections} connections")  # fmt: skip
        print(f"  sustained      {events / wall:,.0f} events/s ({len(requests) / wall:,.0f} POSTs/s) over {wall:.2f} s")
        print(f"  answer time    p50 {pct(0.5):.1f} ms  p99 {pct(0.99):.1f} ms  max {times[-1] * 1000:.1f} ms")
        print(f"  server CPU     {cpu:.2f} s ({cpu / events * 1e6:.0f} us per event)")
        print(f"  history shows every message read {reflected - end:.2f} s after the last answer")
        print(f"  rows {rows[0]:,}: delivered_at {rows[1]:,}, read_at {rows[2]:,}, status read {read:,}; "
              f"non-200 answers {bad}; statuses left waiting {pending}")  # fmt: skip
        lost = n - read
        print("  nothing lost" if lost == 0 and not bad else f"  LOST {lost} (non-200: {bad})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
