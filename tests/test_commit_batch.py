"""A broadcast's batch commit (claims and outcomes) gives the same history whether SQLite runs it as
one statement per batch (UPDATE … FROM) or row by row (SQLite before 3.33)."""

from __future__ import annotations

import pytest

from siaran import history
from siaran.history import deliveries

STAMP = "2026-11-23T02:00:00+00:00"
LATER = "2026-11-23T03:10:00+00:00"


def _history(path):
    db = history.open_db(path)
    deliveries.statement_journals_in_memory(db)
    rows = (
        (f"k{i:04d}", "announcements/rapat", "whatsapp", "cloud", f"+62812{i:08d}", "warga", "2026-11-23", "h",
         "queued", None, 0, STAMP, STAMP, None, None)
        for i in range(700)
    )  # fmt: skip
    deliveries.reserve_rows(db, rows)
    return db


def _run(db) -> list[set[str]]:
    """Claims and outcomes as a broadcast makes them, with the awkward cases in between."""
    keys = [f"k{i:04d}" for i in range(700)]
    # another siaran claimed k0005 first
    db.execute("update deliveries set status = 'sending', worker = 'other' where key = 'k0005'")
    lost = [deliveries.commit_batch(db, "me", STAMP, keys[:600], [])]  # > 500 keys: two statements
    outcomes = []
    for i, key in enumerate(keys[:600]):
        if key == "k0005":
            continue
        if i % 7 == 0:
            outcomes.append(("failed", "nomor tidak terdaftar", "131026", None, None, None, LATER, key))
        elif i % 11 == 0:  # a passing error, then sent in the same batch: both count as attempts
            outcomes.append(("queued", "rate limit", "130429", None, None, "2026-11-23T03:11:00+00:00", LATER, key))
            outcomes.append(("sent", None, None, f"wamid.{i}", LATER, None, LATER, key))
        elif i % 13 == 0:  # slides: several message ids
            outcomes.append(("sent", None, None, f"wamid.{i}a,wamid.{i}b", LATER, None, LATER, key))
        else:
            outcomes.append(("sent", None, None, f"wamid.{i}", LATER, None, LATER, key))
    unique = [o for o in outcomes if o[-1] not in {f"k{i:04d}" for i in range(0, 600, 11)}]
    lost.append(deliveries.commit_batch(db, "me", LATER, keys[600:], unique))  # > 120 outcomes: chunks
    doubled = [o for o in outcomes if o not in unique]
    lost.append(deliveries.commit_batch(db, "me", LATER, [], doubled))
    lost.append(deliveries.commit_batch(db, "me", LATER, keys[600:], []))  # claimed already, by me
    return lost


def _state(db):
    return (
        list(db.query("select * from deliveries order by id")),
        list(db.query("select * from whatsapp_hours order by 1, 2, 3, 4")),
        list(db.query("select * from provider_messages order by 1")),
    )


@pytest.mark.parametrize("update_from", [True, False])
def test_batch_commit(tmp_path, monkeypatch, update_from):
    monkeypatch.setattr(deliveries, "UPDATE_FROM", update_from)
    db = _history(tmp_path / "siaran.db")
    lost = _run(db)
    assert lost == [{"k0005"}, set(), set(), set()]
    rows = {r["key"]: r for r in db.query("select * from deliveries")}
    assert rows["k0005"]["worker"] == "other" and rows["k0005"]["status"] == "sending"
    assert rows["k0007"]["status"] == "failed" and rows["k0007"]["error_code"] == "131026"
    assert rows["k0011"]["status"] == "sent" and rows["k0011"]["attempts"] == 2
    assert rows["k0011"]["not_before"] is None and rows["k0011"]["provider_id"] == "wamid.11"
    assert rows["k0013"]["provider_id"] == "wamid.13a,wamid.13b"
    assert rows["k0001"]["attempts"] == 1 and rows["k0001"]["sent_at"] == LATER
    assert {rows[f"k{i:04d}"]["status"] for i in range(600, 700)} == {"sending"}
    counted = db.execute("select status, sum(n) from whatsapp_hours group by 1 order by 1").fetchall()
    assert counted == [("sent", sum(1 for r in rows.values() if r["status"] == "sent"))]
    ids = dict(db.execute("select message_id, key from provider_messages").fetchall())
    assert ids["wamid.13b"] == "k0013" and ids["wamid.11"] == "k0011"


def test_both_ways_give_the_same_history(tmp_path, monkeypatch):
    states = []
    for update_from in (True, False):
        monkeypatch.setattr(deliveries, "UPDATE_FROM", update_from)
        db = _history(tmp_path / f"{update_from}.db")
        _run(db)
        states.append(_state(db))
    assert states[0] == states[1]
