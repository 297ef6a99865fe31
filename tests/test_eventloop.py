"""Sending and listening run on uvloop where it is installed, on asyncio's own loop where it is not
(Windows)."""

from __future__ import annotations

import asyncio
import sys

import pytest

from siaran.delivery import eventloop


async def _which() -> str:
    return type(asyncio.get_running_loop()).__module__


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop does not exist on Windows")
def test_uvloop_where_it_exists():
    assert eventloop.run(_which()).startswith("uvloop")


def test_asyncio_where_uvloop_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "uvloop", None)  # import uvloop → ImportError, as on Windows
    assert eventloop.run(_which()).startswith("asyncio")
