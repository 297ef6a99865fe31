"""A plain status page for the operator listener, until the operator page (server/page.py) exists."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from ..i18n import _, language
from .guard import page_middleware


def status_app(facts: Callable[[], list[tuple[str, object]]]) -> Starlette:
    """``facts()``: (label, value) lines shown as a table, read at each request."""

    async def page(request: Request) -> HTMLResponse:
        title = escape(_("siaran is running"))
        rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in facts())
        return HTMLResponse(
            f"<!doctype html><html lang='{language()}'><meta charset='utf-8'><title>siaran</title>"
            f"<h1>{title}</h1><table>{rows}</table></html>"
        )

    return Starlette(routes=[Route("/", page)], middleware=page_middleware())
