"""An office behind a proxy gets its broadcasts: a real forwarding proxy (proxy.py) on 127.0.0.1,
and fake providers named under ``.invalid``, a name only the proxy resolves (fakes/proxy_dns.py):
reachable through the proxy and nowhere else. Plain HTTP is forwarded; HTTPS goes through a CONNECT
tunnel to a fake that must present a certificate the client trusts."""

from __future__ import annotations

import asyncio
import os
import socket
import socketserver
import ssl
import threading
from pathlib import Path
from typing import ClassVar

import pytest
import trustme

from conftest import whatsapp_env, whatsapp_rows
from fakes.alert_receiver import alert_receiver
from fakes.http import FakeServer
from fakes.loopback import LoopbackServer
from fakes.whatsapp_cloud import PHONE_ID, TOKEN, WABA_ID, FakeCloud, template
from siaran.channels.http import call
from siaran.config import load_settings
from siaran.delivery.http import client, proxy_resolver
from siaran.errors import ConfigError, TransientError

NOW = "2026-11-23T10:00:00+08:00"
POST = "announcements/posyandu"
PEOPLE = 9  # warga-rt01 (6) + kader-posyandu (4), Siti Aminah on both
HOST = "graph.facebook.invalid"


@pytest.fixture(scope="module")
def office_proxy():
    import proxy

    flags = ["--hostname", "127.0.0.1", "--port", "0", "--num-workers", "1", "--num-acceptors", "1",
             "--plugins", "fakes.proxy_dns.FakeProviderNames", "--log-level", "WARNING"]  # fmt: skip
    with proxy.Proxy(flags) as running:
        yield f"http://127.0.0.1:{running.flags.port}"


@pytest.fixture(autouse=True)
def no_office_proxy_of_this_machine(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def text_only_announcements(project):
    for path in (project / "content/announcements").glob("*.md"):
        path.write_text(path.read_text().replace("card: true", "card: false"))


def serve(fake: FakeCloud, tls: trustme.LeafCert | None = None) -> tuple[FakeServer, str]:
    server = fake.serve()
    if tls is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.configure_cert(context)
        server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
    port = server.httpd.server_address[1]
    return server, f"{'https' if tls else 'http'}://{HOST}:{port}"


def env(base_url: str, **extra: str) -> dict[str, str]:
    return {**whatsapp_env(NOW, "cloud", base_url, TOKEN, phone_number_id=PHONE_ID, mps="0", max_attempts="1"), **extra}


def test_a_broadcast_goes_through_the_proxy_of_the_environment(run, project, office_proxy):
    fake = FakeCloud()
    server, base_url = serve(fake)
    with server:
        direct = run("send", POST, "--now", "--channel", "whatsapp", env=env(base_url))
        assert fake.delivered == {}  # no proxy: the provider cannot be reached
        assert {r["status"] for r in whatsapp_rows(project)} == {"failed"}

        res = run("retry", "--failed", env=env(base_url, HTTP_PROXY=office_proxy))
    assert direct.exit_code != 0 or "failed" in direct.all
    assert res.exit_code == 0, res.all
    assert len(fake.delivered) == PEOPLE and set(fake.delivered.values()) == {1}
    assert {r["status"] for r in whatsapp_rows(project)} == {"sent"}


def test_https_goes_through_a_connect_tunnel_and_the_certificate_is_checked(run, project, office_proxy, tmp_path):
    ca = trustme.CA()
    fake = FakeCloud()
    server, base_url = serve(fake, tls=ca.issue_cert(HOST))
    pem = tmp_path / "office-ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    with server:
        untrusted = run("send", POST, "--now", "--channel", "whatsapp", env=env(base_url, HTTPS_PROXY=office_proxy))
        assert fake.delivered == {}  # through the tunnel, but to a certificate nobody vouches for
        res = run("retry", "--failed", env=env(base_url, HTTPS_PROXY=office_proxy, SSL_CERT_FILE=str(pem)))
    assert "failed" in untrusted.all
    assert res.exit_code == 0, res.all
    assert len(fake.delivered) == PEOPLE and set(fake.delivered.values()) == {1}


def test_the_network_proxy_setting_serves_siaran_whatsapp_too(run, project, office_proxy):
    fake = FakeCloud(templates=[template("info_posyandu")])
    server, base_url = serve(fake)
    proxy_address = office_proxy.removeprefix("http://")  # as an operator writes it: host:port
    with server:
        settings = {"SIARAN_NETWORK_PROXY": proxy_address, "SIARAN_WHATSAPP_WABA_ID": WABA_ID}
        res = run("whatsapp", "templates", env=env(base_url, **settings))
    assert res.exit_code == 0, res.all
    assert "info_posyandu" in res.output


def test_no_proxy_hosts_are_reached_directly_and_a_bad_proxy_is_refused(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "localhost,.desa.id")
    monkeypatch.setenv("HTTPS_PROXY", "http://user:rahasia@proxy.kantor:3128")
    from_env = proxy_resolver("")
    assert from_env("https", "api.desa.id") is None
    url, headers = from_env("https", "graph.facebook.com")
    assert (str(url), headers) == ("http://proxy.kantor:3128", {"Proxy-Authorization": "Basic dXNlcjpyYWhhc2lh"})
    assert str(proxy_resolver("10.0.0.1:8080")("https", "graph.facebook.com")[0]) == "http://10.0.0.1:8080"
    with pytest.raises(ConfigError, match=r"network\.proxy") as raised:
        proxy_resolver("socks5://user:rahasia@proxy.kantor:1080")
    assert "rahasia" not in str(raised.value)


class RefusingProxy(LoopbackServer):
    """A proxy that wants credentials the office did not give: 407 to every CONNECT."""

    seen: list[bytes]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.seen.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()


def test_a_proxy_that_refuses_the_tunnel_is_transient_nothing_sent():
    proxy = RefusingProxy()
    proxy.seen = []

    async def go():
        async with proxy as proxy_url:
            settings = load_settings(Path("/nonexistent"), {"SIARAN_NETWORK_PROXY": proxy_url})
            async with client(settings, connections=2, timeout=5.0) as http:
                await call(http.post(f"https://{HOST}/v21.0/{PHONE_ID}/messages", content=b"{}"), "WhatsApp")

    with pytest.raises(TransientError, match="ProxyError"):
        asyncio.run(go())
    assert [line.split(b"\r\n")[0] for line in proxy.seen] == [f"CONNECT {HOST}:443 HTTP/1.1".encode()]


class RecordingProxy(socketserver.BaseRequestHandler):
    """A proxy that notes what it was asked and refuses it (a 407): enough to show who came through it."""

    seen: ClassVar[list[bytes]] = []

    def handle(self) -> None:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = self.request.recv(4096)
            if not chunk:
                break
            head += chunk
        RecordingProxy.seen.append(head.split(b"\r\n")[0])
        self.request.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")


@pytest.fixture
def recording_proxy(monkeypatch):
    real = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):  # a request that skipped the proxy fails here, offline
        if host not in ("127.0.0.1", "localhost"):
            raise socket.gaierror(f"test: {host} is not reachable without the proxy")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)
    RecordingProxy.seen = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), RecordingProxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_alerts_follow_the_network_proxy_setting(run, project, office_proxy):
    sop = project / "content/sop/ktp-el.yaml"
    sop.write_text(sop.read_text(encoding="utf-8").replace("requirements:", "syarat:"), encoding="utf-8")
    with alert_receiver() as (port, received):  # alerts.invalid: only the office proxy knows the name
        alerting = {"SIARAN_NOW": "2026-11-25T09:01:00+08:00", "SIARAN_ALERTS_URLS": f"json://alerts.invalid:{port}/a"}
        run("run", "--once", env={**alerting, "SIARAN_NETWORK_PROXY": office_proxy.removeprefix("http://")})
    assert received and any("content/sop/ktp-el.yaml" in m["message"] for m in received)
    assert not any(os.environ.get(name) for name in ("HTTPS_PROXY", "https_proxy"))  # put back after


def test_instagram_sync_follows_the_network_proxy_setting(run, project, recording_proxy):
    res = run("instagram", "sync", env={"SIARAN_NOW": NOW, "SIARAN_NETWORK_PROXY": recording_proxy})
    assert res.exit_code != 0 and "Traceback" not in res.all
    assert RecordingProxy.seen and all(line.startswith(b"CONNECT ") for line in RecordingProxy.seen)
    assert any(b"instagram.com:443" in line for line in RecordingProxy.seen)
