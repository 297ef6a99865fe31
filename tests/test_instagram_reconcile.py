"""GraphPublisher.reconcile on its own: a row whose publish answer was unclear is settled by asking
Instagram (container status, recent media), never by publishing blindly."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
import sqlite_utils

from fakes.instagram_graph import FakeGraph
from siaran.channels.base import InstagramPost
from siaran.channels.instagram_graph import GraphPublisher
from siaran.clock import FixedClock
from siaran.config import load_settings
from siaran.errors import PermanentError, UncertainError
from siaran.history import open_db

CAPTION = "📢 Posyandu Balita Bulan Desember\n\nBapak/Ibu warga yang memiliki balita, yuk datang!"


@pytest.fixture
def graph(graph):
    graph.polls_in_progress = 0  # containers are ready at the first look
    return graph


def reconcile(tmp_path: Path, fake: FakeGraph, container_id: str, token: str = ""):
    settings = load_settings(
        tmp_path,
        {
            "SIARAN_INSTAGRAM_PUBLISHER": "graph",
            "SIARAN_INSTAGRAM_BASE_URL": fake.base_url,
            "SIARAN_INSTAGRAM_USER_ID": fake.user_id,
            "SIARAN_INSTAGRAM_TOKEN": token or fake.token,
            "SIARAN_INSTAGRAM_PUBLIC_MEDIA_BASE_URL": "https://desa.example.id/m/",
        },
    )
    item = InstagramPost(
        1, "d1:x", "announcements/posyandu", None, [], CAPTION, "uncertain", "graph", container_id=container_id
    )

    async def go():
        async with httpx.AsyncClient() as http:
            return await GraphPublisher(settings, http, FixedClock()).reconcile(item, lambda **v: None)

    return asyncio.run(go())


def container(fake: FakeGraph, status: str, caption: str = CAPTION) -> str:
    cid = str(next(fake._ids))
    fake.containers[cid] = {
        "image_url": "https://desa.example.id/m/a.jpg",
        "caption": caption,
        "status_code": status,
        "polls": 0,
    }
    return cid


def test_published_container_is_recorded_with_its_permalink(tmp_path, graph):
    cid = container(graph, "FINISHED")
    graph.publish(type("R", (), {"form": lambda self: {"creation_id": cid}})())  # published behind our back
    graph.publish_calls = 0
    res = reconcile(tmp_path, graph, cid)
    assert res.status == "sent"
    assert res.values["permalink"] == graph.published[0]["permalink"]
    assert graph.publish_calls == 0


def test_finished_and_on_the_account_by_caption_is_published(tmp_path, graph):
    cid = container(graph, "FINISHED")
    graph.media["77"] = {
        "id": "77",
        "caption": CAPTION.replace("📢 ", ""),
        "permalink": "https://www.instagram.com/p/X/",
    }
    res = reconcile(tmp_path, graph, cid)
    assert res.status == "sent" and res.values["media_id"] == "77"


def test_finished_and_absent_goes_back_to_the_queue(tmp_path, graph):
    assert reconcile(tmp_path, graph, container(graph, "FINISHED")).status == "queued"
    assert graph.publish_calls == 0


def test_in_progress_stays_uncertain(tmp_path, graph):
    graph.polls_in_progress = 99
    with pytest.raises(UncertainError, match="couldn't confirm"):
        reconcile(tmp_path, graph, container(graph, "IN_PROGRESS"))


def test_expired_and_absent_fails(tmp_path, graph):
    with pytest.raises(PermanentError, match="expired"):
        reconcile(tmp_path, graph, container(graph, "EXPIRED"))


def test_no_answer_stays_uncertain(tmp_path, graph):
    with pytest.raises(UncertainError, match="couldn't confirm") as e:
        reconcile(tmp_path, graph, container(graph, "FINISHED"), token="expired-token-987654")  # every call refused
    assert "expired-token-987654" not in str(e.value)


def test_blank_history_keeps_instagram_state_beside_the_delivery_row(tmp_path):
    open_db(tmp_path / "siaran.db")
    db = sqlite_utils.Database(tmp_path / "siaran.db")
    assert not db["instagram_queue"].exists()  # one status vocabulary: the delivery row's
    assert set(db["instagram_posts"].columns_dict) == {
        "key", "images", "caption", "planned_at", "container_id", "children", "media_id", "shortcode", "permalink",
        "handoff", "published_at", "posted_at", "confirmed_at",
    }  # fmt: skip
