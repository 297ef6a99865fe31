"""`siaran instagram sync`: instaloader's own Profile/Post objects built from a recorded
web_profile_info answer, on a context that refuses to touch the network."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import instaloader
import instaloader.exceptions as ie
import pytest

from conftest import history, instagram_rows
from siaran.channels import instagram_profile as profile_reader
from siaran.delivery import profile_sync as sync

NOW = {"SIARAN_NOW": "2026-11-23T10:00:00+08:00"}
RECORDED = Path(__file__).parent / "data" / "instagram" / "web_profile_info.json"


class OfflineContext(instaloader.InstaloaderContext):
    """instaloader's real context, with every network entry point turned into a test failure."""

    def _offline(self, *args, **kwargs):
        raise AssertionError("instaloader tried to reach the network")

    get_json = graphql_query = doc_id_graphql_query = get_iphone_json = get_raw = _offline


def recorded(captions: dict[str, str] | None = None) -> tuple[instaloader.Profile, list[instaloader.Post]]:
    """Profile + posts (newest first) from the recorded answer; {{caption:NAME}} filled from ``captions``."""
    text = RECORDED.read_text(encoding="utf-8")
    for name, caption in (captions or {}).items():
        text = text.replace("{{caption:" + name + "}}", json.dumps(caption)[1:-1])
    user = json.loads(text)["data"]["user"]
    context = OfflineContext(quiet=True)
    profile = instaloader.Profile(context, user)
    posts = [instaloader.Post(context, e["node"], profile) for e in user["edge_owner_to_timeline_media"]["edges"]]
    return profile, posts


def test_read_profile_counts_and_stops_at_the_window():
    profile, posts = recorded({"announcements/posyandu": "Posyandu"})
    pulled = []

    def feed():
        for p in posts:
            pulled.append(p.shortcode)
            yield p
        for p in [posts[-1]] * 3:  # older posts keep coming; a pinned-post allowance, then stop
            pulled.append(p.shortcode)
            yield p
        raise AssertionError("iterated beyond the reporting window")

    since = datetime(2026, 10, 26, tzinfo=UTC)
    data = profile_reader.read_profile(profile, feed(), since)
    assert (data.username, data.posts, data.followers, data.following) == ("kel.sungairapakindah", 214, 1520, 87)
    assert [p.shortcode for p in data.recent] == ["DRk3pOsAbC1", "DRh1LmNoPq2"]
    assert data.recent[0].taken_at == datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
    assert data.recent[0].url == "https://www.instagram.com/p/DRk3pOsAbC1/"
    assert len(pulled) == 6  # 2 recent + 4 older (3 could be pinned), then it stopped


def test_sync_confirms_handed_off_post_and_snapshots_counts(run, project, monkeypatch):
    assert run("send", "announcements/posyandu", "--now", "--channel", "instagram", env=NOW).exit_code == 0
    assert run("send", "announcements/kerja-bakti", "--now", "--channel", "instagram", env=NOW).exit_code == 0
    [posyandu, kerja] = instagram_rows(project)
    # The operator dropped the emoji and a line break when posting from the phone.
    edited = posyandu["caption"].replace("📢 ", "").replace("\n\n", "\n", 1)
    seen = []

    def source(req: profile_reader.SyncRequest) -> profile_reader.ProfileData:
        seen.append(req)
        profile, posts = recorded({"announcements/posyandu": edited})
        return profile_reader.read_profile(profile, posts, req.since)

    monkeypatch.setattr(sync, "instaloader_source", source)
    res = run("instagram", "sync", env=NOW)
    assert res.exit_code == 0, res.all
    assert seen[0].username == "kel.sungairapakindah"
    assert seen[0].since == datetime(2026, 11, 1, 16, 0, tzinfo=UTC)  # Monday 2 Nov 00:00 WITA, 4 weeks back
    assert "confirmed announcements/posyandu: https://www.instagram.com/p/DRk3pOsAbC1/" in res.output
    assert "not from siaran: https://www.instagram.com/p/DRh1LmNoPq2/" in res.output
    assert "1,520 followers" in res.output
    [posyandu, kerja] = instagram_rows(project)
    assert posyandu["status"] == "confirmed" and posyandu["shortcode"] == "DRk3pOsAbC1"
    assert posyandu["permalink"] == "https://www.instagram.com/p/DRk3pOsAbC1/"
    assert posyandu["posted_at"] == "2026-11-23T04:00:00+00:00"
    assert kerja["status"] == "handed_off"  # never posted: stays as it was
    delivery = next(d for d in history(project)["deliveries"].rows if d["key"] == posyandu["key"])
    assert delivery["status"] == "sent" and delivery["sent_at"] == "2026-11-23T04:00:00+00:00"
    [snap] = list(history(project)["profile_snapshots"].rows)
    assert (snap["username"], snap["posts"], snap["followers"], snap["following"]) == (
        "kel.sungairapakindah", 214, 1520, 87,
    )  # fmt: skip

    again = run("instagram", "sync", env=NOW)
    assert again.exit_code == 0 and "confirmed" not in again.output
    assert len(list(history(project)["profile_snapshots"].rows)) == 2
    assert "DRk3pOsAbC1" in run("instagram", "queue", env=NOW).output


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (ie.TooManyRequestsException("429 Too Many Requests"), "HTTP 429"),
        (
            ie.ConnectionException(
                'JSON Query to graphql/query: 401 Unauthorized - "fail" status, message "Please wait a few minutes '
                'before you try again." when accessing https://www.instagram.com/graphql/query'
            ),
            "Please wait a few minutes",
        ),
        (ie.LoginRequiredException("Login required."), "wants a login"),
        (ie.QueryReturnedBadRequestException("400 Bad Request"), "refused the request"),
        (ie.ProfileNotExistsException("Profile kel.sungairapakindah does not exist."), "no profile"),
        (ie.ConnectionException("Max retries exceeded with url: / (NameResolutionError)"), "online"),
    ],
)
def test_sync_failures_are_plain_messages_and_change_nothing(run, project, monkeypatch, error, words):
    run("send", "announcements/posyandu", "--now", "--channel", "instagram", env=NOW)
    before = instagram_rows(project)

    def source(req):
        raise error

    monkeypatch.setattr(sync, "instaloader_source", source)
    res = run("instagram", "sync", env=NOW)
    assert res.exit_code == 1
    assert words in res.stderr and res.stderr.startswith("Error: ")
    assert "Traceback" not in res.all
    assert instagram_rows(project) == before
    assert list(history(project)["profile_snapshots"].rows) == []


def test_sync_missing_session_file(run, project):
    res = run("instagram", "sync", env={**NOW, "SIARAN_INSTAGRAM_SESSION_FILE": "sesi-ig"})
    assert res.exit_code == 1 and "sesi-ig" in res.stderr and "does not exist" in res.stderr
