"""`history --limit N` reads only the newest groups; it must agree with the full grouping."""

from __future__ import annotations

import random

from siaran.history import open_db
from siaran.history.deliveries import by_occurrence
from siaran.history.groups import latest_groups


def row(key: str, post: str, channel: str, occurrence: str | None, status: str, minute: int) -> dict:
    """Rows are made in id order, as siaran makes them; a sent one went out a little later."""
    created = f"2026-01-01T{minute // 60:02d}:{minute % 60:02d}:00+00:00"
    sent = f"2026-01-01T{minute // 60:02d}:{minute % 60:02d}:30+00:00" if status in ("sent", "read") else None
    return {"key": key, "post": post, "channel": channel, "provider": "outbox", "recipient": key, "list": "l",
            "occurrence": occurrence, "content_hash": "h", "status": status, "attempts": 1,
            "created_at": created, "updated_at": created, "sent_at": sent}  # fmt: skip


def test_the_newest_groups_are_counted_as_the_full_grouping_counts_them(tmp_path):
    db = open_db(tmp_path / "siaran.db")
    rng = random.Random(5)
    rows = []
    for week in range(30):
        occ = f"mingguan@2026-W{week:02d}"
        if week % 3 == 0:  # Instagram's row made first, or last
            rows.append(row(f"ig:{occ}", f"p{week % 4}", "instagram", occ, "sent", len(rows)))
        for i in range(rng.randint(1, 40)):
            status = rng.choice(["sent", "failed", "read", "queued"])
            rows.append(row(f"wa:{occ}:{i}", f"p{week % 4}", "whatsapp", occ, status, len(rows)))
        if week % 3:
            rows.append(row(f"ig:{occ}", f"p{week % 4}", "instagram", occ, rng.choice(["sent", "failed"]), len(rows)))
        if week % 7 == 3:  # sent by hand now and then: one group over the years
            rows.append(row(f"wa:manual:{week}", "manual", "whatsapp", None, "sent", len(rows)))
    db["deliveries"].insert_all(rows)

    def key(g: dict) -> tuple:
        counts = tuple(g[s] for s in ("total", "sent", "failed", "read", "queued"))
        return g["post"], g["occurrence"], g["channel"], *counts, g["first_at"], g["last_at"], g["first_id"]

    full = by_occurrence(db)
    scheduled = [key(g) for g in full if g["occurrence"]]
    manual = [key(g) for g in full if not g["occurrence"]]
    for limit in (1, 2, 3, 5, 10, 25, 61, 100):
        got = [key(g) for g in latest_groups(db, limit)]
        assert len(got) == min(limit, len(full))
        newest = [g for g in got if g[1]]
        assert newest == scheduled[len(scheduled) - len(newest) :]  # the newest, in order, counted alike
        assert all(g in manual for g in got if not g[1])
    assert latest_groups(open_db(tmp_path / "empty.db"), 5) == []


def test_history_limit_shows_the_newest_groups_through_the_cli(run):
    for moment in ("2026-11-18T09:01:00+08:00", "2026-11-23T07:31:00+08:00"):
        assert run("run", "--once", env={"SIARAN_NOW": moment}).exit_code == 0
    env = {"SIARAN_NOW": "2026-11-23T08:00:00+08:00"}
    every = run("history", env=env).output.splitlines()
    newest = run("history", "--limit", "2", env=env).output.splitlines()
    assert len(every) == 4 and newest == every[-2:]  # WhatsApp and Instagram of Monday's announcement
    assert all("pengumuman-mingguan@2026-11-23T07:30" in line for line in newest)
