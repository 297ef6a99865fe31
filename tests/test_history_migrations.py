"""Migrations on a database made by an earlier siaran: nothing lost, one status vocabulary."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlite_utils

from siaran.history import instagram, open_db
from siaran.reasons import load

# Made by tests/data/make_history_before_m003.py with main at fefb18d (before m003): one WhatsApp
# delivery and an Instagram queue entry in each of its seven states, with their mirrored delivery rows.
BEFORE = Path(__file__).parent / "data" / "history-before-m003.db"


def test_m003_moves_the_instagram_queue_onto_delivery_rows(tmp_path):
    path = tmp_path / "siaran.db"
    shutil.copy(BEFORE, path)
    old = sqlite_utils.Database(path)
    queue = {r["key"]: r for r in old["instagram_queue"].rows}
    whatsapp_before = [r for r in old["deliveries"].rows if r["channel"] == "whatsapp"]
    old.close()

    db = open_db(path)
    assert not db["instagram_queue"].exists()
    columns = set(whatsapp_before[0])  # later migrations add columns (m006: delivered_at, ...), empty here
    after = [{k: v for k, v in r.items() if k in columns} for r in db["deliveries"].rows if r["channel"] == "whatsapp"]
    assert after == whatsapp_before
    rows = {r["key"]: r for r in instagram.rows(db)}
    assert set(rows) == set(queue)  # every entry kept, as a delivery row with its Instagram state
    expected = {  # old queue state -> (delivery status, label the operator sees)
        "queued": ("queued", "queued"),
        "publishing": ("sending", "publishing"),
        "published": ("sent", "published"),
        "handed_off": ("sent", "handed_off"),
        "confirmed": ("sent", "confirmed"),
        "failed": ("failed", "failed"),
        "uncertain": ("uncertain", "uncertain"),
    }
    for key, old_row in queue.items():
        row = rows[key]
        assert (row["status"], instagram.label(row)) == expected[old_row["status"]], key
        for column in ("images", "caption", "container_id", "children", "media_id", "shortcode", "permalink",
                       "handoff", "published_at", "posted_at", "confirmed_at", "planned_at"):  # fmt: skip
            assert row[column] == old_row[column], (key, column)
        said = str(load(row["error"])) if row["error"] else None  # m010: kept as a reason, worded as it was
        assert (said, row["error_code"], row["attempts"]) == (
            old_row["error"], old_row["error_code"], old_row["attempts"]
        )  # fmt: skip
        assert row["publisher"] == old_row["publisher"]
    # A post caught mid-publish keeps its owner, so crash recovery makes it uncertain (then reconciled).
    assert rows["d1:ig-publishing"]["worker"] == "otherhost:1:1"
    assert rows["d1:ig-confirmed"]["sent_at"] == queue["d1:ig-confirmed"]["posted_at"]

    open_db(path)  # applied once: reopening changes nothing
    assert {r["key"]: r for r in instagram.rows(open_db(path))} == rows


def test_a_ready_history_opens_without_the_os_lock_and_an_old_one_is_migrated_under_it(tmp_path):
    """Only a history that must change (WAL switch, migrations) takes the lock beside it; reading
    commands on a ready one never import filelock."""
    import subprocess
    import sys

    path = tmp_path / "siaran.db"
    shutil.copy(BEFORE, path)
    probe = (
        "import sys; from pathlib import Path; from siaran.history import open_db; "
        "db = open_db(Path(sys.argv[1])); list(db.query('select * from deliveries')); "
        "print(int('filelock' in sys.modules), int('sqlite_utils' in sys.modules), "
        "db.execute('pragma journal_mode').fetchone()[0])"
    )
    first = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True)
    again = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True)
    assert first.stdout.split() == ["1", "1", "wal"]  # migrated, under the lock
    assert again.stdout.split() == ["0", "0", "wal"]  # nothing to change: no lock; reads need no sqlite-utils
    sqlite_utils.Database(path).disable_wal()
    third = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, check=True)
    assert third.stdout.split() == ["1", "1", "wal"]  # back to WAL: under the lock again


def test_the_history_handle_reads_itself_and_writes_as_sqlite_utils_does(tmp_path):
    """siaran.history.handle: a write through ``execute`` is committed at once (sqlite-utils' rule),
    repeated column names are renamed as sqlite-utils renames them, tables and ``atomic`` work."""
    path = tmp_path / "siaran.db"
    open_db(path).close()
    db = open_db(path)
    assert db._full is None  # nothing but reads so far
    db.execute("insert into history_meta (key, value) values ('probe', '1')")
    other = sqlite_utils.Database(path)
    assert other.execute("select value from history_meta where key = 'probe'").fetchone() == ("1",)
    assert list(db.query("select key, key from history_meta where key = 'probe'")) == [
        {"key": "probe", "key_2": "probe"}
    ]
    with db.atomic():
        db["history_meta"].insert({"key": "probe2", "value": "2"})
    assert other.execute("select count(*) from history_meta where key like 'probe%'").fetchone() == (2,)
