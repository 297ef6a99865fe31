"""Broadcast benchmark: the real engine and Cloud API driver against a fast fake Cloud API, this tree's
HTTP client side by side with another revision's in the same run (by default 277a649, the last one
with the hand-written socket transport), runs interleaved so both meet the same machine load.

    PYTHONPATH=src python bench/broadcast.py                 # 3 × 5,000 at 1,000/s and 3 × 800 at 80/s, both trees
    PYTHONPATH=src python bench/broadcast.py --compare ''    # this tree only
    PYTHONPATH=src python bench/broadcast.py --compare '' --tuning as-is,no-gc,no-uvloop  # what each tuning is worth
    PYTHONPATH=src python bench/broadcast.py --big 100000    # also peak RSS and first request at 100,000
    PYTHONPATH=src python bench/broadcast.py --profile       # one run at 1,000/s under cProfile: top functions

The fake runs in its own process (an asyncio server, so it really sustains well over 1,000
requests/s) with 50 ms latency and Meta's behaviour past the cap: HTTP 400, code 130429. Each
client run is a fresh process, so its peak RSS is its own. Prints figures; asserts nothing.
Targets: >= 90 % of a 1,000 msg/s cap and <= 1.0 ms CPU per message; <= 2 ms per message at 80/s;
<= 150 MB peak RSS at 100,000, <= 3 s from starting a 100,000-recipient send to its first request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
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
def make_project(root: Path, people: int, tree: Path = REPO) -> None:
    """The sample project of ``tree`` (its content rules are the ones its code knows)."""
    shutil.copytree(tree / "content", root / "content")
    shutil.copytree(tree / "schedules", root / "schedules")
    with (root / "content/lists/bench.csv").open("w") as f:
        f.write("nama,nomor,rt,rw\n")
        for i in range(people):
            f.write(f"Warga {i},0812{i + 10_000_000:08d},0{i % 9 + 1},03\n")


def tune(tuning: str) -> None:
    """Take away the send path's GC or event-loop tuning, to measure what it is worth."""
    import contextlib

    if tuning in ("none", "no-gc"):
        from siaran.delivery import collector, deliver

        for module in (collector, deliver):
            for name in ("fewer_collections", "frozen"):
                if hasattr(module, name):
                    setattr(module, name, contextlib.nullcontext)
    if tuning == "freeze":  # gc.freeze() instead of a larger young generation
        import gc

        from siaran.delivery import collector

        @contextlib.contextmanager
        def frozen():
            gc.freeze()
            try:
                yield
            finally:
                gc.unfreeze()

        collector.fewer_collections = frozen
    if tuning in ("none", "no-uvloop"):
        sys.modules["uvloop"] = None  # type: ignore[assignment]  # import uvloop → ImportError, as on Windows


def client(root: Path, base_url: str, mps: float, concurrency: int, profile: bool = False) -> dict:
    tune(os.environ.get("BENCH_TUNING", "as-is"))
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
    cpu0, wall0, mono0 = time.process_time(), time.perf_counter(), time.monotonic()
    app = App.open(root, Clock(), env)
    post = app.project.post("announcements/kerja-bakti")
    cpu1, wall1 = time.process_time(), time.perf_counter()
    system1 = resource.getrusage(resource.RUSAGE_SELF).ru_stime
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.process_time)  # CPU time: other processes on the machine do not count
        summary = profiler.runcall(deliver, app, post, channels=["whatsapp"], lists=["bench"])
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(18)
        stats.sort_stats("cumulative").print_stats(30)
        if os.environ.get("BENCH_PROFILE_OUT"):  # for pstats queries (callers, other sort orders)
            profiler.dump_stats(os.environ["BENCH_PROFILE_OUT"])
    else:
        summary = deliver(app, post, channels=["whatsapp"], lists=["bench"])
    cpu2, wall2 = time.process_time(), time.perf_counter()
    system = resource.getrusage(resource.RUSAGE_SELF).ru_stime
    return {
        "sent": summary.sent,
        "failed": sum(summary.failed.values()),
        "uncertain": summary.uncertain,
        "load_s": wall1 - wall0,
        "load_cpu_s": cpu1 - cpu0,
        "send_s": wall2 - wall1,
        "send_cpu_s": cpu2 - cpu1,
        "send_sys_s": system - system1,  # of which in the kernel (socket sends and reads, SQLite's writes)
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "started": mono0,  # CLOCK_MONOTONIC is system-wide on Linux: comparable with the fake's stamps
    }


def run_client(people: int, port: int, mps: float, concurrency: int, profile: bool, tree: Path, tuning: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kelurahan"
        root.mkdir()
        make_project(root, people, tree)
        # Byte code written and read, as on an office PC (this machine's PYTHONDONTWRITEBYTECODE=1
        # would recompile every module the send imports, inside the measured CPU).
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPATH"] = str(tree / "src")
        env["BENCH_TUNING"] = tuning
        # A list is parsed once per change of its file and cached in the history: a dry run makes the
        # history, a second one caches the list, as earlier commands would have; the client then
        # measures a send to a known list.
        dry_run = [sys.executable, "-m", "siaran", "--project", str(root), "send", "announcements/kerja-bakti",
                   "--list", "bench", "--channel", "whatsapp", "--dry-run"]  # fmt: skip
        for _ in range(2):
            subprocess.run(dry_run, env=env, check=True, stdout=subprocess.DEVNULL)
        # The operator previews a post before sending it: its card is rendered then (and reused by the
        # send), so the send's CPU is the send path's, not Pillow's (0.3 s, 0.35 ms a message at 800).
        subprocess.run([sys.executable, "-m", "siaran", "--project", str(root), "preview", "announcements/kerja-bakti"],
                       env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        out = subprocess.run(
            [sys.executable, __file__, "--client", str(root), f"http://127.0.0.1:{port}", str(mps), str(concurrency)]
            + (["--profile"] if profile else []),
            stdout=subprocess.PIPE,
            stderr=None if profile else subprocess.PIPE,
            text=True,
            env=env,
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


def one_run(
    people: int,
    cap: float,
    latency: float,
    concurrency: int,
    profile: bool = False,
    tree: Path = REPO,
    tuning: str = "as-is",
) -> dict:
    proc, port = start_server(cap, latency)
    try:
        r = run_client(people, port, cap, concurrency, profile, tree, tuning)
        s = server_stats(port)
    finally:
        proc.terminate()
        proc.wait()
    r["wire"] = s["accepted"] / (s["last"] - s["first"]) if s["last"] > s["first"] else 0.0
    r["end_to_end"] = r["sent"] / r["send_s"]
    r["cpu_ms"] = r["send_cpu_s"] / r["sent"] * 1000
    r["sys_ms"] = r["send_sys_s"] / r["sent"] * 1000
    r["first_request_s"] = s["first"] - r["started"]
    r["server"] = s
    return r


def spread(values: list[float], fmt: str) -> str:
    values = sorted(values)
    return " / ".join(format(v, fmt) for v in (values[0], statistics.median(values), values[-1]))


def checkout(rev: str) -> Path:
    """Another revision's code and sample project, in a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="siaran-bench-"))
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev, "src", "content", "schedules"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def tier(label: str, runs: list[dict], cap: float) -> str:
    return (
        f"  {label:<24} wire {spread([r['wire'] / cap * 100 for r in runs], '5.1f')} % of the cap; "
        f"CPU {spread([r['cpu_ms'] for r in runs], '.3f')} ms/msg "
        f"(kernel {spread([r['sys_ms'] for r in runs], '.3f')}); "
        f"sent {min(r['sent'] for r in runs):,}-{max(r['sent'] for r in runs):,}, "
        f"throttled {spread([r['server']['throttled'] for r in runs], '.0f')}, "
        f"uncertain {max(r['uncertain'] for r in runs)}, duplicates {max(r['server']['duplicates'] for r in runs)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--big", type=int, default=0, help="list size for the memory run (0: skip)")
    parser.add_argument("--cap", type=float, default=1000.0)
    parser.add_argument("--slow-cap", type=float, default=80.0, help="a second, low cap (0: skip)")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=128)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare", default="277a649", help="revision measured beside this tree ('': none)")
    parser.add_argument("--tuning", default="as-is", help="this tree's GC / event-loop tuning, comma-separated "
                        "variants measured side by side: as-is, none (neither), no-gc, no-uvloop")  # fmt: skip
    parser.add_argument("--profile", action="store_true", help="one run under cProfile, top functions on stderr")
    args = parser.parse_args()
    if args.profile:
        tuning = args.tuning.split(",")[0]
        r = one_run(args.people, args.cap, args.latency, args.concurrency, profile=True, tuning=tuning)
        print(f"profiled: {r['sent']:,} sent, CPU {r['cpu_ms']:.3f} ms/msg (inflated by the profiler)")
        return

    trees = {f"this tree ({tuning})": (REPO, tuning) for tuning in args.tuning.split(",")}
    if args.compare:
        trees = {f"{args.compare} (as-is)": (checkout(args.compare), "as-is"), **trees}
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for people, cap in ((args.people, args.cap), (int(args.slow_cap * 10), args.slow_cap)):
        if not cap or not args.runs:
            continue
        results: dict[str, list[dict]] = {label: [] for label in trees}
        for _ in range(args.runs):  # interleaved: both trees meet the same load
            for label, (tree, tuning) in trees.items():
                results[label].append(one_run(people, cap, args.latency, args.concurrency, tree=tree, tuning=tuning))
        print(f"{people:,} recipients, cap {cap:,.0f} msg/s, latency {args.latency * 1000:.0f} ms, "
              f"concurrency {args.concurrency}; {args.runs} runs each, min / median / max")  # fmt: skip
        for label, runs in results.items():
            print(tier(label, runs, cap))

    if args.big:
        # Memory at 100,000: as fast as the client can go (the cap would only make it slower).
        big = one_run(args.big, 1_000_000.0, args.latency, 256, tuning=args.tuning.split(",")[0])
        print(f"{args.big:,} recipients (no cap): sent {big['sent']:,} in {big['send_s']:.1f} s "
              f"({big['sent'] / big['send_s']:,.0f} msg/s), CPU {big['cpu_ms']:.3f} ms/msg, "
              f"first request {big['first_request_s']:.2f} s after start (project load {big['load_s']:.1f} s), "
              f"peak RSS {big['peak_rss_mb']:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--client":
        result = client(Path(sys.argv[2]), sys.argv[3], float(sys.argv[4]), int(sys.argv[5]), "--profile" in sys.argv)
        print(json.dumps(result))
    else:
        main()
