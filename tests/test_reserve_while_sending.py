"""A big broadcast starts once its first rows are written and writes the rest while those go: no
message leaves before its row is in history, and nobody gets a message twice."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conftest import whatsapp_env, whatsapp_rows
from fakes.whatsapp_cloud import PHONE_ID, TOKEN, FakeCloud

NOW = "2026-11-23T10:00:00+08:00"
POST = "announcements/posyandu"
PEOPLE = 9  # warga-rt01 (6) + kader-posyandu (4), one person on both


@pytest.fixture(autouse=True)
def small_chunks(project: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Two rows before the first request, then one row per commit; the order of writes and claims."""
    from siaran.delivery import deliver
    from siaran.history import deliveries

    for path in (project / "content/announcements").glob("*.md"):  # text messages only
        path.write_text(path.read_text().replace("card: true", "card: false"))
    monkeypatch.setattr(deliver, "FIRST_RESERVE", 2)
    monkeypatch.setattr(deliver, "RESERVE_CHUNK", 1)
    events: list[tuple[str, int]] = []
    reserve_rows, commit_batch = deliveries.reserve_rows, deliveries.commit_batch

    def writing(db, rows):
        rows = list(rows)
        events.append(("write", len(rows)))
        return reserve_rows(db, rows)

    def claiming(db, worker, stamp, sending, outcomes):
        if sending:
            events.append(("claim", len(sending)))
        return commit_batch(db, worker, stamp, sending, outcomes)

    monkeypatch.setattr(deliveries, "reserve_rows", writing)
    monkeypatch.setattr(deliveries, "commit_batch", claiming)
    return events


def env(fake: FakeCloud, **extra: str) -> dict[str, str]:
    return whatsapp_env(NOW, "cloud", fake.base_url, TOKEN, **{"phone_number_id": PHONE_ID, "mps": "0", **extra})


def test_sending_starts_before_every_row_is_written(run, project, cloud, small_chunks):
    res = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud, concurrency="2"))
    assert res.exit_code == 0, res.all
    assert len(cloud.delivered) == PEOPLE and set(cloud.delivered.values()) == {1}
    assert {r["status"] for r in whatsapp_rows(project)} == {"sent"}
    kinds = [kind for kind, _ in small_chunks]
    assert kinds.index("claim") < len(kinds) - 1 - kinds[::-1].index("write")  # claimed before the last write
    assert sum(n for kind, n in small_chunks if kind == "write") == PEOPLE
    assert sum(n for kind, n in small_chunks if kind == "claim") == PEOPLE  # none claimed before it was written

    again = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud))
    assert again.exit_code == 0, again.all
    assert sum(cloud.delivered.values()) == PEOPLE


def test_a_write_failing_midway_stops_the_send_and_the_rest_goes_next_time(run, project, cloud, monkeypatch):
    from siaran.history import deliveries

    writes = []
    reserve_rows = deliveries.reserve_rows

    def failing(db, rows):
        writes.append(1)
        if len(writes) == 3:
            raise sqlite3.OperationalError("disk I/O error")
        return reserve_rows(db, rows)

    monkeypatch.setattr(deliveries, "reserve_rows", failing)
    res = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud, concurrency="1"))
    assert res.exit_code != 0
    assert set(cloud.delivered.values()) <= {1}
    assert len(cloud.delivered) < PEOPLE
    statuses = [r["status"] for r in whatsapp_rows(project)]
    assert "sending" not in statuses and len(statuses) < PEOPLE  # what left was answered and recorded

    monkeypatch.setattr(deliveries, "reserve_rows", reserve_rows)
    again = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud))
    assert again.exit_code == 0, again.all
    assert len(cloud.delivered) == PEOPLE and set(cloud.delivered.values()) == {1}
