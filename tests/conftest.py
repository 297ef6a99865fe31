"""Shared fixtures and helpers: a temporary copy of the sample pack, the CLI run in-process, the fake
Graph API server, and reading the history a test produced."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from siaran.cli import cli
from siaran.history import instagram

REPO = Path(__file__).resolve().parent.parent
# Tests read the English msgids; tests of the Indonesian text set SIARAN_LANG=id themselves.
os.environ["SIARAN_LANG"] = "en"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the sample content pack (content/ + schedules/), nothing else."""
    root = tmp_path / "kelurahan"
    root.mkdir()
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "schedules", root / "schedules")
    return root


@dataclass
class Result:
    exit_code: int
    output: str  # stdout
    stderr: str

    @property
    def all(self) -> str:
        return self.output + self.stderr


@pytest.fixture
def run(project: Path, monkeypatch: pytest.MonkeyPatch):
    """run("send", "announcements/posyandu", "--now", env={...}) -> Result (in-process, no network)."""
    for var in list(__import__("os").environ):
        if var.startswith("SIARAN_") and var != "SIARAN_LANG":
            monkeypatch.delenv(var)

    def _run(*args: str, env: dict[str, str] | None = None, root: Path | None = None) -> Result:
        runner = CliRunner()
        res = runner.invoke(cli, ["--project", str(root or project), *args], env=env or {}, catch_exceptions=False)
        return Result(res.exit_code, res.stdout, res.stderr)

    return _run


def history(project: Path) -> sqlite_utils.Database:
    """The rehearsal history: tests run with SIARAN_NOW, which keeps its own (siaran-rehearsal.db)."""
    return sqlite_utils.Database(project / "siaran-rehearsal.db")


def whatsapp_rows(project: Path, **where) -> list[dict]:
    """WhatsApp delivery rows, optionally only those whose columns equal ``where``."""
    found = history(project)["deliveries"].rows_where("channel = 'whatsapp'")
    return [r for r in found if all(r[k] == v for k, v in where.items())]


def instagram_rows(project: Path) -> list[dict]:
    """Instagram deliveries as the operator reads them: ``status`` is the state label (published,
    handed_off, publishing …), ``delivery_status`` the row's own status."""
    return [
        {**r, "status": instagram.label(r), "delivery_status": r["status"]} for r in instagram.rows(history(project))
    ]


def whatsapp_env(now: str, provider: str, base_url: str, token: str, **extra: str) -> dict[str, str]:
    """Settings for a WhatsApp provider under test; ``extra`` keys become SIARAN_WHATSAPP_<KEY>."""
    values = {
        "SIARAN_NOW": now,
        "SIARAN_WHATSAPP_PROVIDER": provider,
        "SIARAN_WHATSAPP_BASE_URL": base_url,
        "SIARAN_WHATSAPP_TOKEN": token,
        "SIARAN_WHATSAPP_BACKOFF": "0",
    }
    values.update({f"SIARAN_WHATSAPP_{k.upper()}": v for k, v in extra.items()})
    return values


@pytest.fixture(scope="module")
def graph_server():
    """One fake Graph API server per test module (stopping a server takes time); tests swap its handler."""
    from fakes.http import FakeServer
    from fakes.instagram_graph import FakeGraph

    server = FakeServer(FakeGraph())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def graph(graph_server):
    """A fresh fake Graph API per test, behind one server per module (stopping a server takes 0.5 s)."""
    from fakes.instagram_graph import FakeGraph

    fake = FakeGraph()
    fake.base_url = graph_server.base_url
    graph_server.handler = fake
    return fake


def served(fake):
    """Serve a provider fake on 127.0.0.1 for one test (``yield from served(Fake())`` in a fixture)."""
    with fake.serve() as base_url:
        fake.base_url = base_url
        yield fake


@pytest.fixture
def cloud():
    """A fake WhatsApp Cloud API on 127.0.0.1 for one test."""
    from fakes.whatsapp_cloud import FakeCloud

    yield from served(FakeCloud())
