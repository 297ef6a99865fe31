"""What the counts kept by triggers (siaran.history.tallies) cost a broadcast: CPU to reserve 50,000
rows, to mark them sent, and to record Meta's price on each (as status webhooks do), in a history
with those triggers and in one without them (dropped), alternately in one process.

    .venv/bin/python bench/tallies.py [--rows 50000] [--rounds 4]

Prints medians; asserts nothing. ``whatsapp_hours`` (m009) stays on both sides: this measures
delivery_groups, priced_hours and unsent_failure_hours.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from siaran.history import open_db
from siaran.history.deliveries import reserve_rows, statement_journals_in_memory

TALLIES = ("delivery_groups", "priced_hours", "unsent_failure_hours")
OCC = "mingguan@2026-11-16T00:00:00+00:00"
AT = "2026-11-16T00:05:00+00:00"


def one(folder: Path, rows: int, with_tallies: bool) -> tuple[float, float, float]:
    db = open_db(folder / "siaran.db")
    statement_journals_in_memory(db)
    if not with_tallies:
        for table in TALLIES:
            for event in ("insert", "update", "delete"):
                db.execute(f"drop trigger {table}_{event}")
    keys = [f"wa:{OCC}:{i}" for i in range(rows)]
    reserved = [(k, "announcements/x", "whatsapp", "cloud", f"+62812{i:08d}", "warga", OCC, "h", "queued", None, 0,
                 AT, AT, f"Warga {i}", '{"rt": "03"}') for i, k in enumerate(keys)]  # fmt: skip
    t = time.process_time()
    reserve_rows(db, reserved)
    reserve = time.process_time() - t
    t = time.process_time()
    with db.conn:
        sql = "update deliveries set status = 'sent', sent_at = ?, updated_at = ? where key = ?"
        db.conn.executemany(sql, [(AT, AT, k) for k in keys])
    sent = time.process_time() - t
    t = time.process_time()
    with db.conn:
        sql = "update deliveries set pricing_category = 'marketing', billable = 1 where key = ? and billable is null"
        db.conn.executemany(sql, [(k,) for k in keys])
    priced = time.process_time() - t
    db.close()
    return reserve, sent, priced


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    found: dict[bool, list] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            for side in (False, True):
                folder = Path(tmp) / f"{r}-{side}"
                folder.mkdir()
                found[side].append(one(folder, args.rows, side))
    for side, runs in found.items():
        medians = [statistics.median(run[i] for run in runs) for i in range(3)]
        print(f"{'with' if side else 'without'} tallies: reserve {medians[0]:.3f} s, mark sent {medians[1]:.3f} s, "
              f"price {medians[2]:.3f} s CPU for {args.rows:,} rows")  # fmt: skip


if __name__ == "__main__":
    main()
