"""Messages that fail after sending (reported later on the status webhook) reach the operator as
one alert a day, recorded in history."""

from __future__ import annotations

from siaran.app import App
from siaran.clock import FixedClock, parse_instant
from siaran.server import alert_failed_later


def test_failed_later_statuses_alert_the_operator_once_a_day(project, monkeypatch):
    monkeypatch.setenv("SIARAN_LANG", "id")  # the operator's default language
    clock = FixedClock(at=parse_instant("2026-11-23T10:00:00+08:00"))
    app = App.open(project, clock, env={"SIARAN_WHATSAPP_OPERATOR": "0812-0000-1111"})
    alert = alert_failed_later(app)
    alert({"131026": 2, "131047": 1})
    alert({"131026": 5})  # the same problem the same day: no second alert
    [copy] = (project / "outbox-rehearsal/whatsapp").glob("*peringatan*/alert/6281200001111.txt")
    text = copy.read_text(encoding="utf-8")
    assert "3 pesan tidak sampai" in text and "2x kode 131026" in text and "siaran history --status failed" in text
    rows = list(app.db.query("select * from alerts"))
    assert len(rows) == 1 and rows[0]["problem"] == "whatsapp:failed-later"


def test_problems_meta_reports_alert_the_operator_once_a_day_with_code_and_words(project, monkeypatch):
    from siaran.server import alert_problems
    from siaran.server.events import ProviderProblem

    monkeypatch.setenv("SIARAN_LANG", "id")
    clock = FixedClock(at=parse_instant("2026-11-23T10:00:00+08:00"))
    app = App.open(project, clock, env={"SIARAN_WHATSAPP_OPERATOR": "0812-0000-1111"})
    alert = alert_problems(app)
    alert([ProviderProblem("cloud", "value", "130429", "Rate limit hit")])
    alert([ProviderProblem("cloud", "message", "131051", "Unsupported message type")])  # same day: not again
    [copy] = (project / "outbox-rehearsal/whatsapp").glob("*peringatan*/alert/6281200001111.txt")
    text = copy.read_text(encoding="utf-8")
    assert "130429 Rate limit hit" in text and "halaman Masalah" in text
    rows = list(app.db.query("select * from alerts"))
    assert [r["problem"] for r in rows] == ["whatsapp:provider-errors"]
