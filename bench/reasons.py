"""Reasons as data (issue 22): what migration m014 costs on a big old history, and what wording a
reason at display time costs.

    PYTHONPATH=src python bench/reasons.py                  # 200,000 delivery rows, 5% with an old reason
    PYTHONPATH=src python bench/reasons.py --rows 1000000

Builds a history at the schema before m014 with English reasons as earlier versions stored them
(a few distinct sentences, Meta's words varying), then opens it (which migrates) and times it; then
times ``say`` on stored JSON. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

OLD = [
    "message undeliverable: the number is not on WhatsApp or cannot receive this message (Meta says {n})",
    "throughput limit of the phone number reached (rate limit hit) (gave up after 3 attempts)",
    "opted out",
    "cannot reach WhatsApp Cloud API: ConnectError (gave up after 5 attempts)",
    "something only an old version said {n}",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    os.environ.setdefault("SIARAN_LANG", "id")
    from siaran.history import open_db
    from siaran.reasons import say

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "siaran.db"
        db = open_db(path)  # every migration; then pretend m014 has not run and the rows are old
        db.execute("delete from _sqlite_migrations where name = 'm014_issue22_reasons_as_data'")
        rng = random.Random(22)
        rows = []
        for i in range(args.rows):
            error = rng.choice(OLD).format(n=rng.randrange(50)) if i % 20 == 0 else None
            rows.append((f"k{i}", "p", "whatsapp", f"+62812{i:08d}", "failed" if error else "sent", error))
        with db.conn:
            db.conn.executemany(
                "insert into deliveries (key, post, channel, recipient, status, error) values (?, ?, ?, ?, ?, ?)", rows
            )
        distinct = db.execute("select count(distinct error) from deliveries").fetchone()[0]
        db.conn.close()
        started = time.perf_counter()
        db = open_db(path)
        took = time.perf_counter() - started
        print(f"m014 on {args.rows:,} rows ({args.rows // 20:,} with a reason, {distinct} distinct): {took:.2f} s")
        stored = [r[0] for r in db.execute("select error from deliveries where error is not null limit 2000")]
        started = time.perf_counter()
        for value in stored:
            say(value)
        per = (time.perf_counter() - started) / len(stored) * 1e6
        print(f"say() on stored JSON: {per:.0f} µs a reason (Indonesian), {len(stored)} reasons")
    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}")


if __name__ == "__main__":
    main()
