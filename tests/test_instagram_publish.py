"""Instagram queue end to end through the CLI: hand-off files + operator WhatsApp, and the Graph API
publisher against a fake Graph API on 127.0.0.1 (containers, polling, carousel, limits, errors,
once-only publishing across repeats, unclear answers and a kill -9 mid-publish)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PIL import Image

from conftest import history, instagram_rows
from fakes.instagram_graph import FakeGraph, error
from siaran.reasons import say

NOW = {"SIARAN_NOW": "2026-11-23T10:00:00+08:00"}
PUBLIC = "https://desa.example.id/siaran-media/"
REPO = Path(__file__).resolve().parent.parent


db = history


queue = instagram_rows


def ig_deliveries(project: Path) -> list[dict]:
    return [r for r in db(project)["deliveries"].rows if r["channel"] == "instagram"]


def photo_post(project: Path, name: str = "foto", images: tuple[tuple[str, tuple[int, int]], ...] = ()) -> str:
    """An Instagram-only announcement carrying the given images (file name, size)."""
    folder = project / "content" / "images"
    folder.mkdir(exist_ok=True)
    refs = []
    for filename, size in images or (("foto-posyandu.jpg", (1080, 1350)),):
        Image.new("RGB", size, (11, 110, 79)).save(folder / filename)
        refs.append(f"images/{filename}")
    (project / "content" / "announcements" / f"{name}.md").write_text(
        "---\n"
        f"title: Dokumentasi {name}\n"
        "channels: [instagram]\n"
        f"image: [{', '.join(refs)}]\n"
        "hashtags: [Dokumentasi]\n"
        "---\n"
        f"Foto kegiatan {name} di kelurahan. Terima kasih warga!\n",
        encoding="utf-8",
    )
    return f"announcements/{name}"


def graph_env(fake: FakeGraph, **extra: str) -> dict[str, str]:
    return {
        **NOW,
        "SIARAN_INSTAGRAM_PUBLISHER": "graph",
        "SIARAN_INSTAGRAM_BASE_URL": fake.base_url,
        "SIARAN_INSTAGRAM_USER_ID": fake.user_id,
        "SIARAN_INSTAGRAM_TOKEN": fake.token,
        "SIARAN_INSTAGRAM_PUBLIC_MEDIA_BASE_URL": PUBLIC,
        "SIARAN_INSTAGRAM_POLL_INTERVAL": "0.01",
        "SIARAN_INSTAGRAM_POLL_TIMEOUT": "5",
        **extra,
    }


def creates(fake: FakeGraph) -> list[dict]:
    return [r.form() for r in fake.requests if r.method == "POST" and r.path.endswith("/media")]


def assert_token_hidden(fake: FakeGraph, *texts: str) -> None:
    for r in fake.requests:
        assert fake.token not in r.path and fake.token not in json.dumps(r.query)
    for text in texts:
        assert fake.token not in text


# ── hand-off ──────────────────────────────────────────────────────────────────────────────────────


def test_handoff_writes_outbox_and_sends_operator_whatsapp_once(run, project):
    name = photo_post(project)
    env = {**NOW, "SIARAN_WHATSAPP_OPERATOR": "0812-5555-1234"}
    res = run("send", name, "--now", env=env)
    assert res.exit_code == 0, res.all
    folder = project / "outbox-rehearsal/instagram/2026-11-23-announcements-foto/manual-1000"
    caption = (folder / "caption.txt").read_text()
    assert "Foto kegiatan foto" in caption and "#Dokumentasi" in caption
    assert (folder / "foto-posyandu.jpg").is_file()
    operator = project / "outbox-rehearsal/whatsapp/2026-11-23-announcements-foto-instagram/manual-1000"
    operator = operator / "6281255551234.txt"
    text = operator.read_text()
    assert "Foto kegiatan foto" in text and "foto-posyandu.jpg" in text
    [row] = queue(project)
    assert row["status"] == "handed_off" and row["attempts"] == 1 and row["publisher"] == "handoff"
    assert [d["status"] for d in ig_deliveries(project)] == ["sent"]

    operator.unlink()
    again = run("send", name, "--now", env=env)
    assert again.exit_code == 0 and "Nothing new" in again.output
    assert not operator.exists()  # never a second copy
    listing = run("instagram", "queue", env=env)
    assert "handed_off" in listing.output and "announcements/foto" in listing.output


def test_handoff_without_operator_only_writes_files(run, project):
    res = run("send", "announcements/posyandu", "--now", "--channel", "instagram", env=NOW)
    assert res.exit_code == 0, res.all
    assert (project / "outbox-rehearsal/instagram/2026-11-23-announcements-posyandu/manual-1000/caption.txt").exists()
    assert not (project / "outbox-rehearsal/whatsapp").exists()
    assert queue(project)[0]["status"] == "handed_off"


# ── Graph API ─────────────────────────────────────────────────────────────────────────────────────


def test_graph_single_image_polls_and_publishes_exactly_once(run, project, graph):
    name = photo_post(project)
    env = graph_env(graph)
    res = run("send", name, "--now", env=env)
    assert res.exit_code == 0, res.all
    [create] = creates(graph)
    assert create["image_url"].startswith(PUBLIC + "instagram/foto-posyandu-") and create["image_url"].endswith(".jpg")
    staged = project / "media" / create["image_url"].removeprefix(PUBLIC)
    assert staged.is_file()  # the media folder holds exactly what the URL names
    assert "Foto kegiatan foto" in create["caption"]
    polls = [r for r in graph.requests if r.method == "GET" and r.query.get("fields") == "status_code,status"]
    assert len(polls) == 2  # IN_PROGRESS, then FINISHED
    assert graph.publish_calls == 1 and len(graph.published) == 1
    [row] = queue(project)
    assert row["status"] == "published" and row["media_id"] == graph.published[0]["id"]
    assert row["permalink"] == graph.published[0]["permalink"]
    assert [d["status"] for d in ig_deliveries(project)] == ["sent"]

    again = run("send", name, "--now", env=env)
    assert "Nothing new" in again.output
    publish = run("instagram", "publish", env=env)
    assert publish.exit_code == 0 and "Nothing waiting" in publish.output
    assert graph.publish_calls == 1
    assert_token_hidden(graph, res.all, again.all, publish.all)


def test_graph_carousel_children_then_parent_with_caption(run, project, graph):
    name = photo_post(project, "galeri", (("a.jpg", (1080, 1080)), ("b.png", (1080, 1350)), ("c.jpg", (1080, 566))))
    res = run("send", name, "--now", env=graph_env(graph))
    assert res.exit_code == 0, res.all
    made = creates(graph)
    children, parent = made[:3], made[3]
    assert all(c["is_carousel_item"] == "true" and "caption" not in c for c in children)
    assert children[1]["image_url"].endswith(".jpg")  # the PNG went up as a JPEG
    assert parent["media_type"] == "CAROUSEL" and "Foto kegiatan galeri" in parent["caption"]
    child_ids = [cid for cid, c in graph.containers.items() if c.get("is_carousel_item")]
    assert parent["children"].split(",") == child_ids
    assert graph.publish_calls == 1
    assert json.loads(queue(project)[0]["children"]) == child_ids
    assert queue(project)[0]["status"] == "published"


def test_graph_container_error_fails_with_reason(run, project, graph):
    graph.container_outcome = "ERROR"
    name = photo_post(project)
    res = run("send", name, "--now", env=graph_env(graph))
    assert res.exit_code == 2, res.all  # not everything went out
    [row] = queue(project)
    assert row["status"] == "failed" and "2207003" in say(row["error"])
    assert graph.publish_calls == 0
    assert "failed (1)" in res.output
    assert ig_deliveries(project)[0]["status"] == "failed"


def test_graph_expired_token_stops_and_keeps_post_queued(run, project, graph):
    graph.limit_error = error(190, "Error validating access token: Session has expired")
    name = photo_post(project)
    res = run("send", name, "--now", env=graph_env(graph))
    assert res.exit_code == 1
    assert "code 190" in res.output and "SIARAN_INSTAGRAM_TOKEN" in res.output
    [row] = queue(project)
    assert row["status"] == "queued" and row["error_code"] == "190"
    assert_token_hidden(graph, res.all, json.dumps(queue(project)))

    graph.limit_error = None  # a new token: the same post goes out
    res = run("instagram", "publish", env=graph_env(graph))
    assert res.exit_code == 0, res.all
    assert queue(project)[0]["status"] == "published" and graph.publish_calls == 1


def test_graph_publishing_limit_keeps_post_queued(run, project, graph):
    graph.quota_used = 25
    name = photo_post(project)
    res = run("send", name, "--now", env=graph_env(graph))
    assert res.exit_code == 1
    assert "limit of 25 posts per 24 hours" in res.output
    assert queue(project)[0]["status"] == "queued" and not creates(graph)
    listing = run("instagram", "queue", env=graph_env(graph))
    assert "limit of 25" in listing.output


def test_graph_limit_error_code_on_publish(run, project, graph):
    graph.publish_before = error(9, "Application request limit reached", 2207042)
    name = photo_post(project)
    res = run("send", name, "--now", env=graph_env(graph))
    assert res.exit_code == 1 and "posts per 24 hours" in res.output
    [row] = queue(project)
    assert row["status"] == "queued" and row["container_id"]  # the container is reused next time
    graph.publish_before = None
    assert run("instagram", "publish", env=graph_env(graph)).exit_code == 0
    assert len(creates(graph)) == 1 and queue(project)[0]["status"] == "published"


@pytest.mark.parametrize(
    ("answer", "status", "words"),
    [
        (error(9004, "Media download has failed.", 2207052), "queued", "media folder synced"),
        (error(36003, "The aspect ratio is not supported.", 2207009), "failed", "aspect ratio"),
    ],
)
def test_graph_container_errors(run, project, graph, answer, status, words):
    graph.container_error = answer
    name = photo_post(project)
    res = run("send", name, "--now", env=graph_env(graph))
    [row] = queue(project)
    assert row["status"] == status and words in say(row["error"]), row
    assert words in res.output
    assert graph.publish_calls == 0


def test_wrong_aspect_ratio_refused_before_upload(run, project, graph):
    name = photo_post(project, "lebar", (("panorama.jpg", (3000, 1000)),))
    run("send", name, "--now", env=graph_env(graph))
    [row] = queue(project)
    assert row["status"] == "failed" and "3000×1000" in say(row["error"])
    assert not creates(graph)


def test_graph_settings_missing_is_a_clear_message(run, project):
    name = photo_post(project)
    res = run("send", name, "--now", env={**NOW, "SIARAN_INSTAGRAM_PUBLISHER": "graph"})
    assert res.exit_code == 1
    assert "instagram.user_id" in res.output and "public_media_base_url" in res.output
    assert queue(project)[0]["status"] == "queued"


def test_unclear_answer_after_publish_is_reconciled_not_repeated(run, project, graph):
    graph.publish_answer = error(2, "An unexpected error has occurred.", status=500, transient=True)
    name = photo_post(project)
    res = run("send", name, "--now", env=graph_env(graph))
    assert res.exit_code == 0, res.all
    [row] = queue(project)
    assert row["status"] == "published"  # the container said PUBLISHED
    assert row["permalink"] == graph.published[0]["permalink"]
    assert graph.publish_calls == 1 and len(graph.published) == 1


def test_unclear_answer_without_publish_becomes_uncertain_then_reconciles(run, project, graph):
    graph.publish_before = error(1, "Please retry your request later.", status=500, transient=True)
    name = photo_post(project)
    res = run("send", name, "--now", env=graph_env(graph))
    assert res.exit_code == 2, res.all  # not everything went out
    assert "couldn't confirm" in res.output
    [row] = queue(project)
    assert row["status"] == "uncertain" and ig_deliveries(project)[0]["status"] == "uncertain"

    graph.publish_before = None
    again = run("instagram", "publish", env=graph_env(graph))  # container FINISHED, not on the account
    assert again.exit_code == 0, again.all
    assert queue(project)[0]["status"] == "published"
    assert len(graph.published) == 1 and len(creates(graph)) == 1
    assert ig_deliveries(project)[0]["status"] == "sent"


def test_kill_during_publish_never_publishes_twice(run, project, graph):
    """kill -9 after Instagram published but before siaran recorded it: the rerun reconciles."""
    name = photo_post(project)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIARAN_") or k == "SIARAN_LANG"}
    env.update(graph_env(graph), PYTHONPATH=str(REPO / "src"))
    inside, release = threading.Event(), threading.Event()

    def hold(_req):
        inside.set()
        release.wait(10)

    graph.after_publish = hold
    proc = subprocess.Popen(
        [sys.executable, "-m", "siaran", "--project", str(project), "send", name, "--now"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert inside.wait(30), "the subprocess never reached media_publish"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
    [row] = queue(project)
    assert row["status"] == "publishing" and row["container_id"]
    graph.after_publish = None

    res = run("send", name, "--now", env=graph_env(graph))
    assert res.exit_code == 2, res.all  # not everything went out
    [row] = queue(project)
    assert row["status"] == "published" and row["permalink"] == graph.published[0]["permalink"]
    assert graph.publish_calls == 1 and len(graph.published) == 1
    assert ig_deliveries(project)[0]["status"] == "sent"


def test_requeue_failed_entry(run, project, graph):
    graph.container_outcome = "EXPIRED"
    name = photo_post(project)
    run("send", name, "--now", env=graph_env(graph))
    [row] = queue(project)
    assert row["status"] == "failed"
    res = run("instagram", "requeue", str(row["id"]), env=graph_env(graph))
    assert res.exit_code == 0, res.all
    graph.container_outcome = "FINISHED"
    assert run("instagram", "publish", env=graph_env(graph)).exit_code == 0
    assert queue(project)[0]["status"] == "published" and graph.publish_calls == 1
    assert run("instagram", "requeue", str(row["id"]), env=graph_env(graph)).exit_code == 1


def test_queue_json_lists_entries(run, project, graph):
    name = photo_post(project)
    run("send", name, "--now", env=graph_env(graph))
    data = json.loads(run("instagram", "queue", "--json", env=NOW).output)
    assert data[0]["post"] == name and data[0]["status"] == "sent" and data[0]["state"] == "published"
    assert data[0]["images"] == ["content/images/foto-posyandu.jpg"]


def test_graph_answers_are_not_misread_for_wrong_token(graph):
    """The fake itself refuses a wrong token the way Meta does (a test of the test)."""
    import httpx

    r = httpx.get(f"{graph.base_url}/v21.0/{graph.user_id}/content_publishing_limit", headers={"Authorization": "x"})
    assert r.json()["error"]["code"] == 190


def test_fake_graph_refuses_second_publish_of_a_container(graph):
    import httpx

    h = {"Authorization": f"Bearer {graph.token}"}
    base = f"{graph.base_url}/v21.0/{graph.user_id}"
    cid = httpx.post(f"{base}/media", data={"image_url": PUBLIC + "x.jpg"}, headers=h).json()["id"]
    graph.polls_in_progress = 0
    httpx.get(f"{graph.base_url}/v21.0/{cid}", params={"fields": "status_code"}, headers=h)
    assert httpx.post(f"{base}/media_publish", data={"creation_id": cid}, headers=h).status_code == 200
    assert httpx.post(f"{base}/media_publish", data={"creation_id": cid}, headers=h).status_code == 400


def _worker_of(pid: int) -> str:
    import psutil

    return f"{socket.gethostname()}:{pid}:{int(psutil.Process(pid).create_time())}"


def test_entry_held_by_another_live_process_is_left_alone(run, project, graph):
    graph.quota_used = 25  # the first send leaves the post queued
    name = photo_post(project)
    run("send", name, "--now", env=graph_env(graph))
    graph.quota_used = 0
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        db(project).execute(  # the other process has claimed it
            "update deliveries set status = 'sending', worker = ? where channel = 'instagram'",
            [_worker_of(other.pid)],
        )
        db(project).conn.commit()
        res = run("instagram", "publish", env=graph_env(graph))
        assert "being published by another siaran process" in res.output
        assert graph.publish_calls == 0 and queue(project)[0]["status"] == "publishing"
    finally:
        other.kill()
        other.wait()
    res = run("instagram", "publish", env=graph_env(graph))  # its owner is gone: the entry is free
    assert res.exit_code == 0, res.all
    assert queue(project)[0]["status"] == "published" and graph.publish_calls == 1


def test_handoff_crash_while_copying_to_operator_is_not_resent(run, project):
    """An entry left `publishing` by a dead process becomes handed_off with a note, not a second copy."""
    name = photo_post(project)
    env = {**NOW, "SIARAN_WHATSAPP_OPERATOR": "0812-5555-1234"}
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    run("send", name, "--now", env={**NOW, "SIARAN_INSTAGRAM_PUBLISHER": "graph"})  # queued: graph not set up
    db(project).execute(
        "update deliveries set status = 'sending', provider = 'handoff', worker = ? where channel = 'instagram'",
        [f"{socket.gethostname()}:{dead.pid}:1"],  # this host, a process that has ended
    )
    db(project).conn.commit()
    res = run("instagram", "publish", env=env)
    assert res.exit_code == 0, res.all
    [row] = queue(project)
    assert row["status"] == "handed_off" and "may not have arrived" in say(row["error"])
    assert not (project / "outbox-rehearsal/whatsapp").exists()
    assert ig_deliveries(project)[0]["status"] == "sent"


def test_uncertain_entry_stays_uncertain_when_the_graph_settings_are_gone(run, project, graph):
    graph.publish_before = error(1, "Please retry your request later.", status=500, transient=True)
    name = photo_post(project)
    run("send", name, "--now", env=graph_env(graph))
    assert queue(project)[0]["status"] == "uncertain"
    res = run("instagram", "publish", env={**graph_env(graph), "SIARAN_INSTAGRAM_TOKEN": ""})
    assert res.exit_code == 1 and "SIARAN_INSTAGRAM_TOKEN" in res.all
    assert queue(project)[0]["status"] == "uncertain"  # still to be reconciled, never published blindly
