"""The 24-hour window on the Cloud API, per-post templates, and the account's templates checked."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from conftest import whatsapp_env
from fakes.whatsapp_cloud import PHONE_ID, TOKEN, WABA_ID, FakeCloud, template
from siaran.history import contacts, open_db

NOW = "2026-11-23T10:00:00+08:00"
POST = "content/announcements/posyandu.md"
BUDI = "6281234567801"
SITI = "6281355501122"


def env(fake: FakeCloud, **extra: str) -> dict[str, str]:
    return whatsapp_env(
        NOW, "cloud", fake.base_url, TOKEN, **{"phone_number_id": PHONE_ID, "waba_id": WABA_ID, "mps": "0", **extra}
    )


def with_template(project: Path, block: str) -> None:
    path = project / POST
    text = path.read_text().replace("card: true", "card: false")
    path.write_text(text.replace("---\n", "---\n" + block, 1))


def wrote(project: Path, number: str, when: str) -> None:
    db = open_db(project / "siaran-rehearsal.db")
    with db.atomic():
        contacts.touch(db, number, wa_id=number, user_id="", name="", provider="cloud",
                       at=datetime.fromisoformat(when))  # fmt: skip


def test_inside_the_window_free_text_outside_the_template(run, project, cloud):
    with_template(
        project, "whatsapp_template:\n  name: info_posyandu\n  language: id\n  parameters: [title, summary]\n"
    )
    wrote(project, BUDI, "2026-11-22T20:00:00+08:00")  # 14 hours ago: inside
    wrote(project, SITI, "2026-11-22T09:00:00+08:00")  # 25 hours ago: outside
    result = run("send", "announcements/posyandu", "--now", "--channel", "whatsapp", env=env(cloud))
    assert result.exit_code == 0, result.all
    by_to = {b["to"]: b for b in cloud.bodies}
    assert by_to[BUDI]["type"] == "text"
    siti = by_to[SITI]
    assert siti["type"] == "template" and siti["template"]["name"] == "info_posyandu"
    params = siti["template"]["components"][-1]["parameters"]
    assert len(params) == 2 and all("\n" not in p["text"] and "\t" not in p["text"] for p in params)
    assert all("    " not in p["text"] for p in params)
    assert sum(1 for b in cloud.bodies if b["type"] == "template") == len(by_to) - 1


def test_per_kind_template_from_the_settings(run, project, cloud):
    with_template(project, "")
    result = run("send", "announcements/posyandu", "--now", "--channel", "whatsapp",
                 env=env(cloud, templates="announcements=pengumuman_desa:id"))  # fmt: skip
    assert result.exit_code == 0, result.all
    assert {b["template"]["name"] for b in cloud.bodies} == {"pengumuman_desa"}


def test_templates_lists_the_account_across_pages(run, cloud):
    cloud.templates = [template("info_posyandu"), template("ucapan_hari_raya", "id", "PENDING"),
                       template("info_posyandu", "en_US"), template("pengumuman_desa", body="{{1}}")]  # fmt: skip
    result = run("whatsapp", "templates", env=env(cloud))
    assert result.exit_code == 0, result.all
    assert "pengumuman_desa" in result.output and "PENDING" in result.output and "en_US" in result.output


@pytest.mark.parametrize(
    ("account", "words"),
    [
        ([], "does not exist"),
        ([template("info_posyandu", "en_US")], "has no 'id' language"),
        ([template("info_posyandu", status="REJECTED")], "is REJECTED"),
        ([template("info_posyandu", body="{{1}} {{2}} {{3}}")], "takes 3 body parameters; 2 given"),
    ],
)
def test_check_verifies_the_named_template_on_the_account(run, project, cloud, account, words):
    with_template(project, "whatsapp_template:\n  name: info_posyandu\n  parameters: [title, date]\n")
    cloud.templates = account
    result = run("check", env=env(cloud))
    assert result.exit_code == 1 and words in result.stderr and "posyandu.md" in result.stderr, result.all


def test_check_passes_with_the_approved_template(run, project, cloud):
    with_template(project, "whatsapp_template:\n  name: info_posyandu\n  parameters: [title, date]\n")
    cloud.templates = [template("info_posyandu")]
    result = run("check", env=env(cloud))
    assert result.exit_code == 0 and "all APPROVED" in result.output, result.all


def test_unknown_template_parameter_is_a_content_error(run, project):
    with_template(project, "whatsapp_template:\n  name: info_posyandu\n  parameters: [title, jam]\n")
    result = run("check")
    assert result.exit_code == 1 and "unknown parameter 'jam'" in result.stderr and "posyandu.md:" in result.stderr
