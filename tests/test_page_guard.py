"""The operator page answers only a browser on this PC (Host check against DNS rebinding) and refuses
any state-changing request without the CSRF token (server/guard.py)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route

from pagehelp import PageServer
from siaran.server import guard


@pytest.fixture
def served(project):
    with PageServer(project) as server:
        yield server


def port_of(server: PageServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


HOSTS = [  # (Host header, expected status); {port} is the page's real port
    ("127.0.0.1:{port}", 200),
    ("localhost:{port}", 200),
    ("LOCALHOST:{port}", 200),
    ("[::1]:{port}", 200),
    ("evil.example:{port}", 400),  # DNS rebinding: the name the attacker's page was loaded from
    ("evil.example", 400),
    ("127.0.0.1:1", 400),  # another port: another program's page
    ("127.0.0.1", 400),  # port 80 implied
    ("127.0.0.1.evil.example:{port}", 400),
    ("localhost.:{port}", 400),
    ("[::1]", 400),
    ("127.0.0.1:99999", 400),
    ("127.0.0.1:x", 400),
    ("", 400),
]


def test_the_page_answers_only_its_own_host(served):
    got = {}
    with httpx.Client(timeout=30) as client:
        for host, _expected in HOSTS:
            headers = {"Host": host.format(port=port_of(served))}
            res = client.get(served.url + "/riwayat/rincian?post=announcements/posyandu", headers=headers)
            got[host] = res.status_code
            if res.status_code == 400:
                assert "127.0.0.1" in res.text and "posyandu" not in res.text
    assert got == dict(HOSTS)


def test_a_non_ascii_host_is_refused():
    assert not guard.local_host("lócalhost:80".encode(), 80)
    assert not guard.local_host(None, 80)
    assert guard.local_host(b"localhost", 80)


@pytest.fixture
def form_app():
    """A page-like app with one POST route, guarded as the page is (how h26's reply form will be)."""
    done: list[str] = []

    async def show(request: Request) -> HTMLResponse:
        token = guard.csrftoken(request)
        return HTMLResponse(f'<form method="post"><input type="hidden" name="csrftoken" value="{token}"></form>')

    async def change(request: Request) -> PlainTextResponse:
        form = await request.form()
        done.append(form.get("teks", ""))
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[Route("/", show), Route("/ubah", change, methods=["POST"])],
        middleware=[Middleware(m.cls, *m.args, **m.kwargs) for m in guard.page_middleware()],
    )
    return app, done


def test_a_change_needs_the_token_from_the_page(form_app):
    app, done = form_app
    asyncio.run(_exchange(app))
    assert done == ["d", "e"]


async def _exchange(app) -> None:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:80") as client:
        # A cross-site form: no cookie, no token.
        assert (await client.post("/ubah", data={"teks": "a"})).status_code == 403
        page = await client.get("/")
        token = page.text.split('value="')[1].split('"')[0]
        assert "csrftoken" in page.cookies
        # The cookie alone (a forged form the browser sends it with) is not enough.
        assert (await client.post("/ubah", data={"teks": "b"})).status_code == 403
        assert (await client.post("/ubah", data={"teks": "c", "csrftoken": "x" + token})).status_code == 403
        ok = await client.post("/ubah", data={"csrftoken": token, "teks": "d"})
        assert ok.status_code == 200 and ok.text == "ok"
        by_header = await client.post("/ubah", data={"teks": "e"}, headers={"x-csrftoken": token})
        assert by_header.status_code == 200
