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


def test_counts_from_the_tallies_equal_a_plain_grouping_of_every_status_and_kind(tmp_path):
    """Hourly counts + rows without sent_at + spans (history.tallies) give what ``group by`` gives:
    every status, manual sends, Instagram rows, auto-replies (counted row by row), rows changed later."""
    db = open_db(tmp_path / "siaran.db")
    rng = random.Random(28)
    statuses = ("queued", "sending", "sent", "delivered", "read", "failed", "uncertain", "skipped")
    rows = []
    for week in range(12):
        occ = f"mingguan@2026-W{week:02d}"
        post = f"p{week % 3}"
        if week % 2:
            rows.append(row(f"ig:{occ}", post, "instagram", occ, rng.choice(["sent", "failed", "queued"]), len(rows)))
        for i in range(rng.randint(1, 60)):
            rows.append(row(f"wa:{occ}:{i}", post, "whatsapp", occ, rng.choice(statuses), len(rows)))
        rows.append(row(f"wa:manual:{week}", post, "whatsapp", None, rng.choice(statuses), len(rows)))
        rows.append(row(f"ig:manual:{week}", post, "instagram", None, "sent", len(rows)))
        rows.append(row(f"wa:auto:{week}", "autoreply/menu", "whatsapp", None, rng.choice(statuses), len(rows)))
    for r in rows:  # a failure after it went out keeps its sent_at; a message may go out hours later
        if r["status"] in ("delivered", "failed") and rng.random() < 0.6:
            r["sent_at"] = f"2026-01-0{rng.randint(1, 3)}T{rng.randint(0, 23):02d}:10:00+00:00"
    db["deliveries"].insert_all(rows)
    db.execute("update deliveries set status = 'read' where status = 'delivered' and id % 3 = 0")
    db.conn.commit()

    def key(g: dict) -> tuple:
        return (g["post"], g["occurrence"], g["channel"], *(g[s] for s in ("total", *statuses)),
                g["first_at"], g["last_at"], g["first_id"])  # fmt: skip

    full = {(g["post"], g["occurrence"], g["channel"]): key(g) for g in by_occurrence(db)}
    got = [key(g) for g in latest_groups(db, 1000)]
    assert sorted(got, key=lambda g: g[-1]) == sorted(full.values(), key=lambda g: g[-1])
    assert len(got) == 12 + 6 + 3 + 3 + 1  # WhatsApp and Instagram, by hand, and the auto-replies
    assert {g[:3] for g in got if g[0] == "autoreply/menu"} == {("autoreply/menu", None, "whatsapp")}
