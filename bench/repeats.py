"""Once-per-period benchmark (issue 24): how long a send takes to find who already got its post
(siaran.history.receipts.received_since), over a history holding N earlier deliveries of that post.

    PYTHONPATH=src python bench/repeats.py            # 10,000 and 100,000 earlier rows
    PYTHONPATH=src python bench/repeats.py 1000000

Prints figures; asserts nothing. Target: well under a second at 100,000 (a broadcast of 100,000
takes minutes; the page asks once per occurrence it shows).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from siaran.history import open_db
from siaran.history.receipts import received_since


def measure(n: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        db = open_db(Path(folder) / "h.db")
        now = datetime(2026, 11, 30, 0, 20, tzinfo=UTC)
        stamp = now.isoformat(timespec="seconds")
        same = ("announcements/x", "whatsapp", "outbox")
        rows = [(f"k{i}", *same, f"+62812{i:07d}", "l", None, "h1", "sent", stamp, stamp, stamp) for i in range(n)]
        with db.atomic():
            db.conn.executemany(
                "insert into deliveries (key, post, channel, provider, recipient, list, occurrence, content_hash, "
                "status, created_at, updated_at, sent_at) values (?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
        times = []
        for _ in range(3):
            start = time.perf_counter()
            received_since(db, "announcements/x", now - timedelta(days=7), content_hash="h1", not_schedule="jadwal")
            times.append(time.perf_counter() - start)
        db.conn.close()
        return min(times), max(times)


def main() -> None:
    for n in [int(a) for a in sys.argv[1:]] or [10_000, 100_000]:
        best, worst = measure(n)
        print(f"received_since over {n:>9,} earlier deliveries: best {best:.3f} s, worst {worst:.3f} s")


if __name__ == "__main__":
    main()
