"""Focused unit tests of the foundation's pure parts."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from siaran import history
from siaran.checks import load_project
from siaran.clock import FixedClock, clock_from_env, zone
from siaran.config import SETTINGS, load_settings
from siaran.content.model import BroadcastList, Recipient
from siaran.content.phones import normalise_phone
from siaran.errors import ConfigError, ContentErrors
from siaran.history import deliveries
from siaran.plan import OPTED_OUT, delivery_key, merge_lists, plan
from siaran.render.context import tanggal

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    "raw",
    ["0812-3456-7801", "0812 3456 7801", "+62 812 3456 7801", "+62-812-3456-7801", "6281234567801", "62 812-3456-7801",
     "(0812) 3456 7801"],
)  # fmt: skip
def test_phone_written_any_indonesian_way(raw):
    assert normalise_phone(raw) == ("+6281234567801", "")


@pytest.mark.parametrize(("raw", "why"), [("0812-99", "not a valid"), ("021-5551234", "not a mobile"), ("", "empty"),
                                         ("halo", "")])  # fmt: skip
def test_phone_invalid(raw, why):
    phone, reason = normalise_phone(raw)
    assert phone == ""
    assert why in reason


def test_timezones():
    assert zone("WITA").key == "Asia/Makassar"
    assert zone("Asia/Jayapura").key == "Asia/Jayapura"
    with pytest.raises(ConfigError):
        zone("Europe/Amsterdam")


def test_siaran_now_rehearses_and_then_runs():
    clock = clock_from_env({"SIARAN_NOW": "2026-12-25T06:00:00+08:00"})
    now = clock.now()
    assert now.utcoffset().total_seconds() == 8 * 3600
    assert datetime(2026, 12, 25, 6, 0, tzinfo=now.tzinfo) <= now
    assert (now - datetime(2026, 12, 25, 6, 0, tzinfo=now.tzinfo)).total_seconds() < 5
    with pytest.raises(ConfigError, match="UTC offset"):
        clock_from_env({"SIARAN_NOW": "2026-12-25T06:00:00"})


def test_settings_layers(tmp_path):
    (tmp_path / "siaran.toml").write_text('[whatsapp]\nprovider = "cloud"\nmps = 200\n')
    (tmp_path / ".env").write_text("SIARAN_WHATSAPP_TOKEN=from-dotenv-123\nSIARAN_WHATSAPP_MPS=300\n")
    s = load_settings(tmp_path, {"SIARAN_WHATSAPP_MPS": "400", "SIARAN_WHATSAPP_IMAGE_FALLBACK": "tidak"})
    assert s.whatsapp.provider == "cloud"
    assert s.whatsapp.mps == 400.0  # environment beats .env beats siaran.toml
    assert s.whatsapp.token == "from-dotenv-123"
    assert s.whatsapp.image_fallback is False
    assert "from-dotenv-123" not in repr(s.whatsapp)
    assert s.secrets() == ["from-dotenv-123"]
    with pytest.raises(ConfigError, match="SIARAN_WHATSAPP_MPS"):
        load_settings(tmp_path, {"SIARAN_WHATSAPP_MPS": "cepat"})


def test_every_setting_has_env_name_and_help():
    names = [s.env for s in SETTINGS]
    assert len(names) == len(set(names))
    assert all(s.help for s in SETTINGS)


def test_blank_database_migrates_to_expected_columns(tmp_path):
    db = history.open_db(tmp_path / "h.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert list(db["deliveries"].columns_dict) == [
        "id", "key", "post", "channel", "provider", "recipient", "list", "occurrence", "content_hash", "status",
        "attempts", "provider_id", "error", "error_code", "worker", "created_at", "updated_at", "sent_at",
        "not_before", "delivered_at", "read_at", "failed_at", "pricing_category", "billable", "recipient_name",
        "recipient_columns",
    ]  # fmt: skip
    assert any(i.unique and i.columns == ["key"] for i in db["deliveries"].indexes)
    assert {
        "occurrences",
        "series_state",
        "optouts",
        "media",
        "instagram_posts",
        "profile_snapshots",
        "contacts",
        "inbound",
        "provider_messages",
        "webhook_statuses",
        "consent_log",
        "fonnte_states",
        "webhook_problems",
    } <= set(db.table_names())
    history.open_db(tmp_path / "h.db")  # reopening applies nothing twice


def test_recover_inflight_only_touches_dead_workers(tmp_path):
    db = history.open_db(tmp_path / "h.db")
    now = datetime(2026, 11, 23, tzinfo=UTC)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = os.uname().nodename
    base = {"post": "p", "channel": "whatsapp", "recipient": "+62812", "status": "sending"}
    deliveries.reserve(db, [
        {**base, "key": "alive", "worker": history.worker_id()},
        {**base, "key": "dead", "worker": f"{host}:{dead.stdout.strip()}:1"},
        {**base, "key": "queued", "status": "queued"},
    ])  # fmt: skip
    assert deliveries.recover_inflight(db, now) == 1
    status = {r["key"]: r["status"] for r in db["deliveries"].rows}
    assert status == {"alive": "sending", "dead": "uncertain", "queued": "queued"}


def _recipients(list_name, *phones):
    return BroadcastList(list_name, Path(list_name), tuple(Recipient(p, list=list_name) for p in phones))


def test_plan_dedupes_across_lists_and_skips_optouts(tmp_path):
    project = load_project(Path(__file__).parent.parent, TODAY)
    post = project.post("announcements/posyandu")
    a = _recipients("a", "+6281200000001", "+6281200000002")
    b = _recipients("b", "+6281200000002", "+6281200000003")
    assert [r.phone for r in merge_lists([a, b])] == ["+6281200000001", "+6281200000002", "+6281200000003"]
    rows = plan(post, project.office, ["whatsapp", "instagram"], [a, b], None, {"+6281200000003"})
    assert [(r.channel, r.address, r.skip_reason) for r in rows] == [
        ("whatsapp", "+6281200000001", None),
        ("whatsapp", "+6281200000002", None),
        ("whatsapp", "+6281200000003", OPTED_OUT),
        ("instagram", "@kel.sungairapakindah", None),
    ]
    assert rows[1].list == "a"


def test_delivery_keys():
    project = load_project(Path(__file__).parent.parent, TODAY)
    post = project.post("announcements/posyandu")
    k = delivery_key(post, "whatsapp", "+6281200000001", "jadwal@2026-11-23T07:30:00+08:00")
    assert k.startswith("d1:") and len(k) == 35
    assert k == delivery_key(post, "whatsapp", "+6281200000001", "jadwal@2026-11-23T07:30:00+08:00")
    assert k != delivery_key(post, "whatsapp", "+6281200000002", "jadwal@2026-11-23T07:30:00+08:00")
    assert k != delivery_key(post, "whatsapp", "+6281200000001", "jadwal@2026-11-30T07:30:00+08:00")
    manual = delivery_key(post, "whatsapp", "+6281200000001", None)
    edited = type(post)(**{**post.__dict__, "content_hash": "other"})
    assert manual != delivery_key(edited, "whatsapp", "+6281200000001", None)  # an edited post may be resent
    assert k == delivery_key(edited, "whatsapp", "+6281200000001", "jadwal@2026-11-23T07:30:00+08:00")


def test_tanggal_in_indonesian():
    assert tanggal(date(2026, 8, 17)) == "Senin, 17 Agustus 2026"


def test_templates_are_sandboxed(tmp_path):
    import shutil

    root = tmp_path / "p"
    shutil.copytree(Path(__file__).parent.parent / "content", root / "content")
    tpl = root / "content/templates/whatsapp/greeting.j2"
    tpl.write_text("{{ office.__class__.__init__.__globals__ }}\n" + tpl.read_text())
    with pytest.raises(ContentErrors) as e:
        load_project(root, TODAY)
    assert "content/templates/whatsapp/greeting.j2:1" in str(e.value)


def test_fixed_clock_advances():
    c = FixedClock(at=datetime(2026, 1, 1, tzinfo=UTC))
    c.advance(days=3)
    assert c.now() == datetime(2026, 1, 4, tzinfo=UTC)


def test_body_naming_the_recipient_is_rendered_per_person(tmp_path):
    import shutil

    root = tmp_path / "p"
    shutil.copytree(Path(__file__).parent.parent / "content", root / "content")
    path = root / "content/announcements/kerja-bakti.md"
    path.write_text(path.read_text() + "\nSampai jumpa, {{ recipient.name if recipient else 'warga' }}!\n")
    project = load_project(root, TODAY)
    post = project.post("announcements/kerja-bakti")
    plain = project.post("announcements/posyandu")
    a, b = Recipient("+6281200000001", "Ani"), Recipient("+6281200000002", "Badu")
    assert "Sampai jumpa, Ani!" in project.renderer.render(post, "whatsapp", a)
    assert "Sampai jumpa, Badu!" in project.renderer.render(post, "whatsapp", b)
    assert "Sampai jumpa, warga!" in project.renderer.render(post, "instagram")
    # A body that never names the recipient is worked out once, yet each greeting line stays personal.
    assert "Yth. Bapak/Ibu Ani" in project.renderer.render(plain, "whatsapp", a)
    assert "Yth. Bapak/Ibu Badu" in project.renderer.render(plain, "whatsapp", b)


def test_history_json_is_streamed_as_the_same_text_as_json_dumps():
    import io
    import json

    from siaran.cli.history import write_json

    for items in ([], [{"a": 1, "b": "baris\nbaru ☺"}], [{"a": None}, {"b": [1, 2]}]):
        out = io.StringIO()
        write_json(iter(items), out)
        assert out.getvalue() == json.dumps(items, ensure_ascii=False, indent=2) + "\n"
