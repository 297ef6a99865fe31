"""WhatsApp Cloud API broadcasts end to end: CLI → engine → real httpx → fake Meta on 127.0.0.1."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlite_utils
from PIL import Image

from conftest import whatsapp_env, whatsapp_rows
from fakes.whatsapp_cloud import PHONE_ID, TOKEN, FakeCloud
from siaran.reasons import say

NOW = "2026-11-23T10:00:00+08:00"
POST = "announcements/posyandu"
# warga-rt01 (6) + kader-posyandu (4), Siti Aminah on both: 9 people.
PEOPLE = 9
BUDI = "6281234567801"
SITI = "6281355501122"


@pytest.fixture(autouse=True)
def text_only_announcements(project: Path) -> None:
    """These tests look at text messages: the sample announcements' rendered cards are left out
    (tests that need an image add the operator's own with _with_image)."""
    for path in (project / "content/announcements").glob("*.md"):
        path.write_text(path.read_text().replace("card: true", "card: false"))


def env(fake: FakeCloud, token: str = TOKEN, **extra: str) -> dict[str, str]:
    return whatsapp_env(NOW, "cloud", fake.base_url, token, **{"phone_number_id": PHONE_ID, "mps": "0", **extra})


rows = whatsapp_rows


def by_number(project: Path) -> dict[str, dict]:
    return {r["recipient"].lstrip("+"): r for r in rows(project)}


def everything_stored(project: Path) -> str:
    """Every table of the history as text: to prove a token never lands there."""
    db = sqlite_utils.Database(project / "siaran-rehearsal.db")
    return "\n".join(str(list(db[t].rows)) for t in db.table_names())


def test_broadcast_sends_each_person_once_and_never_again(run, project, cloud):
    res = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud, concurrency="4"))
    assert res.exit_code == 0, res.all
    assert len(cloud.delivered) == PEOPLE
    assert set(cloud.delivered.values()) == {1}
    found = rows(project)
    assert {r["status"] for r in found} == {"sent"}
    assert all(r["provider_id"].startswith("wamid.") and r["provider"] == "cloud" for r in found)
    body = cloud.bodies[0]
    assert body["type"] == "text" and "Posyandu Melati" in body["text"]["body"]
    assert f"sent {PEOPLE}" in res.output

    again = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud))
    assert again.exit_code == 0, again.all
    assert "Nothing new" in again.output
    assert sum(cloud.delivered.values()) == PEOPLE
    assert TOKEN not in res.all + again.all + everything_stored(project)


@pytest.mark.parametrize(
    ("code", "status"),
    [(130429, 400), (131000, 500), (131016, 503), (None, 502), (131056, 400), (4, 400), (80007, 400)],
)
def test_transient_answers_are_retried_until_sent(run, project, cloud, code, status):
    cloud.fail(BUDI, code, status=status, times=2)
    res = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud))
    assert res.exit_code == 0, res.all
    assert cloud.requests[BUDI] == 3
    assert cloud.delivered[BUDI] == 1
    row = by_number(project)[BUDI]
    assert row["status"] == "sent" and row["attempts"] == 3
    assert {r["status"] for r in rows(project)} == {"sent"}


def test_transient_gives_up_after_max_attempts(run, project, cloud):
    cloud.fail(BUDI, 131000, times=10)
    res = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud, max_attempts="3"))
    assert res.exit_code == 2, res.all  # not everything went out
    assert cloud.requests[BUDI] == 3
    row = by_number(project)[BUDI]
    assert row["status"] == "failed" and row["error_code"] == "131000"
    assert "gave up after 3 attempts" in say(row["error"])
    assert "failed 1" in res.output and "gave up after 3 attempts" in res.output


def test_retry_after_header_is_honoured(run, project, cloud):
    cloud.fail(BUDI, 130429, retry_after=0.3)
    started = datetime.now()
    res = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud))
    assert res.exit_code == 0, res.all
    assert (datetime.now() - started).total_seconds() >= 0.3
    assert cloud.delivered[BUDI] == 1


def test_pair_limit_retries_that_person_later_without_holding_the_others(run, project, cloud):
    cloud.fail(BUDI, 131056)
    # backoff 0.1 → the pair wait is 0.6 s; everybody else goes meanwhile.
    res = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud, backoff="0.1", concurrency="2"))
    assert res.exit_code == 0, res.all
    assert cloud.requests[BUDI] == 2 and cloud.delivered[BUDI] == 1
    assert cloud.bodies[-1]["to"] == BUDI  # the others did not wait for Budi
    assert len(cloud.bodies) == PEOPLE


@pytest.mark.parametrize(
    ("code", "words"),
    [(131026, "undeliverable"), (132001, "template problem"), (100, "invalid parameter"), (131050, "stopped")],
)
def test_permanent_answers_fail_that_person_only(run, project, cloud, code, words):
    cloud.fail(BUDI, code)
    res = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud))
    assert res.exit_code == 2, res.all  # not everything went out
    assert cloud.requests[BUDI] == 1
    row = by_number(project)[BUDI]
    assert row["status"] == "failed" and row["error_code"] == str(code) and words in say(row["error"])
    assert len(rows(project, status="sent")) == PEOPLE - 1
    assert "failed 1" in res.output and words in res.output


@pytest.mark.parametrize(
    ("code", "words"),
    [(190, "access token"), (131048, "spam"), (368, "blocked"), (131031, "locked")],
)
def test_fatal_answer_stops_the_broadcast_and_keeps_the_rest_queued(run, project, cloud, code, words):
    cloud.fail(BUDI, code)  # Budi is the first person of the first list
    res = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud, concurrency="1"))
    assert res.exit_code == 1
    assert words in res.output and "Stopped" in res.output
    assert sum(cloud.delivered.values()) == 0
    assert {r["status"] for r in rows(project)} == {"queued"}
    assert TOKEN not in res.all

    again = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud))
    assert again.exit_code == 0, again.all
    assert set(cloud.delivered.values()) == {1} and len(cloud.delivered) == PEOPLE


def test_expired_token_is_fatal_and_the_token_is_never_shown(run, project, cloud):
    res = run("-v", "send", POST, "--now", "--channel", "whatsapp", env=env(cloud, token="EAAG-wrong-token-999"))
    assert res.exit_code == 1
    assert "SIARAN_WHATSAPP_TOKEN" in res.output
    assert "EAAG-wrong-token-999" not in res.all + everything_stored(project)
    assert {r["status"] for r in rows(project)} == {"queued"}


def test_read_timeout_is_uncertain_never_resent_until_the_operator_says_so(run, project, cloud):
    cloud.fail(BUDI, delay=1.5)  # answers after the client gave up, but the message did arrive
    res = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud, timeout="0.5"))
    assert res.exit_code == 2, res.all  # not everything went out
    assert by_number(project)[BUDI]["status"] == "uncertain"
    assert "uncertain 1" in res.output and "retry --uncertain" in res.output

    again = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud))
    assert again.exit_code == 2  # still one uncertain: not everything went out
    assert cloud.requests[BUDI] == 1

    retry = run("retry", "--uncertain", "--post", POST, env=env(cloud))
    assert retry.exit_code == 0, retry.all
    assert cloud.requests[BUDI] == 2
    assert by_number(project)[BUDI]["status"] == "sent"
    assert sum(cloud.requests.values()) == PEOPLE + 1


def test_connection_refused_is_transient_then_failed(run, project, cloud):
    dead = env(cloud, max_attempts="2")
    dead["SIARAN_WHATSAPP_BASE_URL"] = "http://127.0.0.1:9"  # nothing listens on the discard port
    res = run("send", POST, "--now", "--channel", "whatsapp", "--list", "kader-posyandu", env=dead)
    assert res.exit_code == 2, res.all  # not everything went out
    found = rows(project)
    assert {r["status"] for r in found} == {"failed"}
    assert all("cannot reach" in say(r["error"]) and r["attempts"] == 2 for r in found)

    retry = run("retry", "--failed", env=env(cloud))
    assert retry.exit_code == 0, retry.all
    assert {r["status"] for r in rows(project)} == {"sent"}
    assert len(cloud.delivered) == 4


def _with_image(project: Path, post: str = "announcements/kerja-bakti.md") -> None:
    (project / "content/images").mkdir(exist_ok=True)
    Image.new("RGB", (64, 80), "#0B6E4F").save(project / "content/images/poster.png")
    path = project / "content" / post
    text = path.read_text()
    path.write_text(text.replace("---\n", "---\nimage: images/poster.png\n", 1))


def test_image_is_uploaded_once_and_its_id_reused_until_it_expires(run, project, cloud):
    _with_image(project)
    res = run("send", "announcements/kerja-bakti", "--now", "--channel", "whatsapp", env=env(cloud, concurrency="8"))
    assert res.exit_code == 0, res.all
    assert len(cloud.uploads) == 1 and cloud.uploads[0]["type"] == "image/png"
    media = cloud.uploads[0]["id"]
    assert cloud.bodies and all(b["type"] == "image" and b["image"]["id"] == media for b in cloud.bodies)
    assert "Kerja Bakti" in cloud.bodies[0]["image"]["caption"]

    # Another list a week later: the id is still good, from history.
    week = env(cloud)
    week["SIARAN_NOW"] = "2026-11-30T10:00:00+08:00"
    assert run("send", "announcements/kerja-bakti", "--now", "--list", "kader-posyandu", env=week).exit_code == 0
    assert len(cloud.uploads) == 1
    # Five weeks later the id has expired at Meta: uploaded again.
    later = env(cloud)
    later["SIARAN_NOW"] = "2026-12-28T10:00:00+08:00"
    (project / "content/lists/baru.csv").write_text("nama,nomor\nBaru,0812-9999-0001\n")
    res = run("send", "announcements/kerja-bakti", "--now", "--list", "baru", "--channel", "whatsapp", env=later)
    assert res.exit_code == 0, res.all
    assert len(cloud.uploads) == 2
    assert cloud.bodies[-1]["image"]["id"] == cloud.uploads[1]["id"]


def test_template_with_image_header_and_body_parameters(run, project, cloud):
    _with_image(project, "announcements/posyandu.md")
    res = run(
        "send", POST, "--now", "--channel", "whatsapp", "--list", "kader-posyandu",
        env=env(cloud, template="pengumuman_kelurahan", template_params="name,title,date"),
    )  # fmt: skip
    assert res.exit_code == 0, res.all
    body = cloud.bodies[0]
    assert body["type"] == "template"
    tpl = body["template"]
    assert tpl["name"] == "pengumuman_kelurahan" and tpl["language"] == {"code": "id"}
    header, params = tpl["components"]
    assert header["parameters"][0]["image"]["id"] == cloud.uploads[0]["id"]
    texts = [p["text"] for p in params["parameters"]]
    names = {b["to"]: b["template"]["components"][1]["parameters"][0]["text"] for b in cloud.bodies}
    assert names[SITI] == "Siti Aminah"
    assert texts[1] == "Posyandu Balita Bulan Desember" and texts[2] == "Sabtu, 5 Desember 2026"
    assert all("\n" not in t for t in texts)


def test_invalid_list_rows_are_shown_and_counted_as_skipped(run, project, cloud):
    path = project / "content/lists/kader-posyandu.csv"
    path.write_text(path.read_text() + "Salah Ketik,0812-12\n")
    res = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud))
    assert res.exit_code == 0, res.all
    assert res.all.count("content/lists/kader-posyandu.csv:6") == 1  # before sending, not again at the end
    assert "skipped 1" in res.output and "invalid number" in res.output
    assert len(cloud.delivered) == PEOPLE


def test_optout_numbers_are_skipped_never_sent(run, project, cloud):
    assert run("optout", "add", "0812-3456-7801", "--reason", "minta berhenti").exit_code == 0
    listed = run("optout", "list")
    assert "+6281234567801" in listed.output and "minta berhenti" in listed.output
    res = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud))
    assert res.exit_code == 0, res.all
    assert BUDI not in cloud.requests
    assert by_number(project)[BUDI]["status"] == "skipped"
    assert "skipped 1" in res.output and "opted out" in res.output

    assert run("optout", "remove", "+62 812 3456 7801").exit_code == 0
    assert "+6281234567801" not in run("optout", "list").output


def test_optout_import_from_csv_and_plain_file(run, project, tmp_path):
    csv_file = tmp_path / "berhenti.csv"
    csv_file.write_text("nama,nomor\nBudi,0812-3456-7801\nSalah,12\n")
    plain = tmp_path / "berhenti.txt"
    plain.write_text("+62 813 5550 1122\n\n6281234567801\n")
    res = run("optout", "import", str(csv_file), "--reason", "formulir")
    assert res.exit_code == 0, res.all
    assert "1 added" in res.output and "berhenti.csv:3" in res.stderr
    res = run("optout", "import", str(plain))
    assert "1 added, 1 already" in res.output
    listed = run("optout", "list").output
    assert "+6281234567801" in listed and "+6281355501122" in listed and "formulir" in listed


def test_stop_event_leaves_the_rest_queued(project, cloud, monkeypatch):
    """The daemon's way in: deliver_async with an asyncio.Event that is set during the broadcast."""
    import asyncio

    from siaran.app import App
    from siaran.clock import clock_from_env
    from siaran.delivery.deliver import deliver_async

    cloud.latency = 0.05
    values = env(cloud, concurrency="1")
    app = App.open(project, clock_from_env(values), values)
    post = app.project.post(POST)

    async def main():
        stop = asyncio.Event()

        def progress(done: int, total: int) -> None:
            if done == 3:
                stop.set()

        return await deliver_async(app, post, channels=["whatsapp"], progress=progress, stop=stop)

    summary = asyncio.run(main())
    assert summary.sent == 3 and summary.left_queued == PEOPLE - 3
    assert summary.stopped.code == "delivery.stopped_on_request"
    assert len(rows(project, status="queued")) == PEOPLE - 3
    assert sum(cloud.delivered.values()) == 3


def test_the_sending_mark_is_on_disk_before_the_request_arrives(run, project, cloud):
    seen: dict[str, str] = {}

    def check(to: str) -> None:  # runs in the fake, i.e. when the request has left siaran
        db = sqlite_utils.Database(project / "siaran-rehearsal.db")
        row = next(db.query("select status, worker from deliveries where recipient = ?", ["+" + to]))
        seen[to] = row["status"] if row["worker"] else "no worker"
        db.close()

    cloud.on_message = check
    res = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud, mps="1000", concurrency="8"))
    assert res.exit_code == 0, res.all
    assert len(seen) == PEOPLE and set(seen.values()) == {"sending"}


def test_every_slide_goes_and_a_retry_resumes_after_the_slides_already_accepted(run, project, cloud):
    (project / "content/images").mkdir(exist_ok=True)
    for name, colour in (("slide-1.png", "#0B6E4F"), ("slide-2.png", "#F2A900")):
        Image.new("RGB", (64, 80), colour).save(project / "content/images" / name)
    path = project / "content/announcements/kerja-bakti.md"
    path.write_text(path.read_text().replace("---\n", "---\nimage: [images/slide-1.png, images/slide-2.png]\n", 1))
    budi = "6281234567801"
    cloud.fail(budi)  # the first slide is accepted...
    cloud.fail(budi, 131000)  # ...the second meets a passing server error, and is retried

    res = run("send", "announcements/kerja-bakti", "--now", "--channel", "whatsapp", env=env(cloud))
    assert res.exit_code == 0, res.all
    slides = [u["id"] for u in cloud.uploads]
    assert len(slides) == 2
    for to in cloud.delivered:
        mine = [b for b in cloud.bodies if b["to"] == to]
        assert [b["image"]["id"] for b in mine] == slides  # each slide once, in order
        assert "Kerja Bakti" in mine[0]["image"]["caption"] and "caption" not in mine[1]["image"]
    assert cloud.requests[budi] == 3 and cloud.delivered[budi] == 2
    assert len(cloud.delivered) == 6 and {r["status"] for r in rows(project)} == {"sent"}


def test_a_text_over_the_cloud_limit_goes_as_numbered_parts_and_check_warns(run, project, cloud):
    paragraphs = [f"Paragraf {i}: " + "persyaratan dan langkah pelayanan. " * 40 for i in range(12)]
    (project / "content/announcements/panjang.md").write_text(
        "---\ntitle: Pengumuman panjang\nchannels: [whatsapp]\nlists: [kader-posyandu]\n---\n"
        + "\n\n".join(paragraphs) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    checked = run("check", env=env(cloud))
    assert checked.exit_code == 0, checked.all  # a warning, never a project-wide error
    assert "panjang.md: [body] WhatsApp text is" in checked.stderr and "6 numbered parts" in checked.stderr
    res = run("send", "announcements/panjang", "--now", env=env(cloud))
    assert res.exit_code == 0, res.all
    texts = [b["text"]["body"] for b in cloud.bodies if b["to"] == SITI]
    assert len(texts) == 6 and all(len(t) <= 4096 for t in texts)
    assert [t.split("\n", 1)[0] for t in texts] == [f"({i}/6)" for i in range(1, 7)]
    assert all(t.split("\n", 1)[1].startswith("Paragraf") for t in texts[1:])  # cut at paragraph boundaries


def test_answers_are_freed_without_the_garbage_collector(run, project, cloud):
    """httpx links a response and its stream both ways; siaran unlinks each answer once it is read,
    so a broadcast's answers are freed as they go instead of piling up for the garbage collector."""
    import gc

    import httpx

    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        res = run("send", POST, "--now", "--channel", "whatsapp", env=env(cloud))
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, httpx.Response)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert res.exit_code == 0, res.all
    assert len(cloud.delivered) == PEOPLE
    assert left == []
