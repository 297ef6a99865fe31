"""Shared fixtures: a temporary copy of the sample pack, and the CLI run in-process."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from siaran.cli import cli

REPO = Path(__file__).resolve().parent.parent


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
        if var.startswith("SIARAN_"):
            monkeypatch.delenv(var)

    def _run(*args: str, env: dict[str, str] | None = None, root: Path | None = None) -> Result:
        runner = CliRunner()
        res = runner.invoke(cli, ["--project", str(root or project), *args], env=env or {}, catch_exceptions=False)
        return Result(res.exit_code, res.stdout, res.stderr)

    return _run


@pytest.fixture(scope="module")
def graph_server():
    """One fake Graph API server per test module (stopping a server takes time); tests swap its handler."""
    from fakes.http import FakeServer
    from fakes.instagram_graph import FakeGraph

    server = FakeServer(FakeGraph())
    server.start()
    yield server
    server.stop()
