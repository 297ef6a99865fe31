"""Broadcast benchmark: the real engine and Cloud API driver against a fast fake Cloud API.

    PYTHONPATH=src python bench/broadcast.py            # 10,000 at 1,000/s, then RSS at 100,000

The fake runs in its own process (an asyncio server, so it really sustains well over 1,000
requests/s) with 50 ms latency and Meta's behaviour past the cap: HTTP 400, code 130429. Each
client run is a fresh process, so its peak RSS is its own. Prints figures; asserts nothing.
Targets: >= 90 % of the cap, <= 1 ms CPU per message, <= 200 MB peak RSS at 100,000.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOKEN = "bench-token-0123456789"
PHONE_ID = "1000000001"


# -- the fake Cloud API (separate process) --------------------------------------------------------
class Stats:
    def __init__(self, cap: float):
        self.cap = cap
        self.tokens = cap
        self.stamp = time.monotonic()
        self.accepted = 0
        self.throttled = 0
        self.first = 0.0
        self.last = 0.0
        self.seen: set[str] = set()
        self.duplicates = 0
        self.uploads = 0

    def admit(self) -> bool:
        """Token bucket holding one second of capacity, as Meta's per-second throughput."""
        now = time.monotonic()
        self.tokens = min(self.cap, self.tokens + (now - self.stamp) * self.cap)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class FakeCloudProtocol(asyncio.Protocol):
    def __init__(self, stats: Stats, latency: float):
        self.stats, self.latency = stats, latency
        self.buf = b""
        self.loop = asyncio.get_running_loop()

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if len(self.buf) < end + 4 + length:
                return
            body = self.buf[end + 4 : end + 4 + length]
            self.buf = self.buf[end + 4 + length :]
            self.loop.call_later(self.latency, self.answer, head.split(" ", 2)[1], body)

    def answer(self, path: str, body: bytes) -> None:
        stats = self.stats
        if path == "/stats":
            payload, status = {k: v for k, v in vars(stats).items() if k != "seen"}, 200
        elif path.endswith("/media"):  # the post's card: uploaded once, then sent by id
            stats.uploads += 1
            payload, status = {"id": f"media-{stats.uploads}"}, 200
        elif not stats.admit():
            stats.throttled += 1
            payload = {"error": {"message": "(#130429) Rate limit hit", "type": "OAuthException", "code": 130429}}
            status = 400
        else:
            to = json.loads(body)["to"]
            if to in stats.seen:
                stats.duplicates += 1
            stats.seen.add(to)
            stats.accepted += 1
            now = time.monotonic()
            stats.first = stats.first or now
            stats.last = now
            payload = {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
                       "messages": [{"id": f"wamid.{stats.accepted}"}]}  # fmt: skip
            status = 200
        data = json.dumps(payload).encode()
        reason = b"OK" if status == 200 else b"Bad Request"
        self.transport.write(
            b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (status, reason, len(data), data)
        )


def serve(port_file: str, cap: float, latency: float) -> None:
    async def main() -> None:
        stats = Stats(cap)
        server = await asyncio.get_running_loop().create_server(
            lambda: FakeCloudProtocol(stats, latency), "127.0.0.1", 0, backlog=1024
        )
        Path(port_file).write_text(str(server.sockets[0].getsockname()[1]))
        await server.serve_forever()

    asyncio.run(main())


# -- one client run (separate process) ------------------------------------------------------------
def make_project(root: Path, people: int) -> None:
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "schedules", root / "schedules")
    with (root / "content/lists/bench.csv").open("w") as f:
        f.write("nama,nomor,rt,rw\n")
        for i in range(people):
            f.write(f"Warga {i},0812{i + 10_000_000:08d},0{i % 9 + 1},03\n")


def client(root: Path, base_url: str, mps: float, concurrency: int) -> dict:
    from siaran.app import App
    from siaran.clock import Clock
    from siaran.delivery.deliver import deliver

    env = {
        "SIARAN_WHATSAPP_PROVIDER": "cloud",
        "SIARAN_WHATSAPP_BASE_URL": base_url,
        "SIARAN_WHATSAPP_API_VERSION": "v21.0",
        "SIARAN_WHATSAPP_TOKEN": TOKEN,
        "SIARAN_WHATSAPP_PHONE_NUMBER_ID": PHONE_ID,
        "SIARAN_WHATSAPP_MPS": str(mps),
        "SIARAN_WHATSAPP_CONCURRENCY": str(concurrency),
    }
    cpu0, wall0 = time.process_time(), time.perf_counter()
    app = App.open(root, Clock(), env)
    post = app.project.post("announcements/kerja-bakti")
    cpu1, wall1 = time.process_time(), time.perf_counter()
    summary = deliver(app, post, channels=["whatsapp"], lists=["bench"])
    cpu2, wall2 = time.process_time(), time.perf_counter()
    return {
        "sent": summary.sent,
        "failed": sum(summary.failed.values()),
        "uncertain": summary.uncertain,
        "load_s": wall1 - wall0,
        "load_cpu_s": cpu1 - cpu0,
        "send_s": wall2 - wall1,
        "send_cpu_s": cpu2 - cpu1,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_client(people: int, port: int, mps: float, concurrency: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kelurahan"
        root.mkdir()
        make_project(root, people)
        out = subprocess.run(
            [sys.executable, __file__, "--client", str(root), f"http://127.0.0.1:{port}", str(mps), str(concurrency)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
            check=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])


def server_stats(port: int) -> dict:
    import httpx

    return httpx.get(f"http://127.0.0.1:{port}/stats").json()


def start_server(cap: float, latency: float) -> tuple[subprocess.Popen, int]:
    port_file = Path(tempfile.mkdtemp()) / "port"
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port_file), str(cap), str(latency)])
    while not port_file.exists() or not port_file.read_text():
        time.sleep(0.05)
    return proc, int(port_file.read_text())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=100_000, help="list size for the memory run (0: skip)")
    parser.add_argument("--cap", type=float, default=1000.0)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=128)
    args = parser.parse_args()

    proc, port = start_server(args.cap, args.latency)
    try:
        r = run_client(args.people, port, args.cap, args.concurrency)
        s = server_stats(port)
    finally:
        proc.terminate()
        proc.wait()
    wire = s["accepted"] / (s["last"] - s["first"]) if s["last"] > s["first"] else 0.0
    end_to_end = r["sent"] / r["send_s"]
    print(f"{args.people:,} recipients, cap {args.cap:,.0f} msg/s, latency {args.latency * 1000:.0f} ms, "
          f"concurrency {args.concurrency}")  # fmt: skip
    print(f"  sent {r['sent']:,}, failed {r['failed']}, uncertain {r['uncertain']}; fake accepted "
          f"{s['accepted']:,}, throttled {s['throttled']}, duplicates {s['duplicates']}")  # fmt: skip
    print(f"  messages/s on the wire (first to last accepted): {wire:,.0f} = {wire / args.cap:.1%} of the cap")
    print(f"  messages/s end to end (deliver() incl. planning + history): {end_to_end:,.0f} "
          f"= {end_to_end / args.cap:.1%} of the cap")  # fmt: skip
    print(f"  CPU per message: {r['send_cpu_s'] / r['sent'] * 1000:.3f} ms (send); "
          f"{(r['send_cpu_s'] + r['load_cpu_s']) / r['sent'] * 1000:.3f} ms incl. loading the project")  # fmt: skip
    print(f"  project load {r['load_s']:.1f} s; peak RSS {r['peak_rss_mb']:.0f} MB")

    if args.big:
        # Memory at 100,000: as fast as the client can go (the cap would only make it slower).
        proc, port = start_server(1_000_000.0, args.latency)
        try:
            big = run_client(args.big, port, 0, 256)
        finally:
            proc.terminate()
            proc.wait()
        print(f"{args.big:,} recipients (no cap): sent {big['sent']:,} in {big['send_s']:.1f} s "
              f"({big['sent'] / big['send_s']:,.0f} msg/s), CPU {big['send_cpu_s'] / big['sent'] * 1000:.3f} ms/msg, "
              f"project load {big['load_s']:.1f} s, peak RSS {big['peak_rss_mb']:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--client":
        result = client(Path(sys.argv[2]), sys.argv[3], float(sys.argv[4]), int(sys.argv[5]))
        print(json.dumps(result))
    else:
        main()
