"""The operator's page: a small, read-only, server-rendered site on 127.0.0.1 (Starlette + Jinja2,
a little CSS, no JavaScript build, nothing from the internet). Only GET routes: nothing here sends,
retries or changes history. Every route sits behind guard.py's host check and CSRF token: a route that
changes anything is a POST whose form carries ``{{ csrftoken() }}`` (see guard.py's docstring).

    /                     Minggu ini: the last 7 and next 7 days of the schedules
    /pratinjau/<post>     a post as the phone and Instagram show it (?penerima=<phone>)
    /riwayat              counts by status per post and occurrence, failures first (?hari=N)
    /riwayat/rincian      the people behind one count
    /masalah              `siaran check` problems by file and line, and alerts
    /instagram            posts handed to the operator, with "salin caption"
    /kotak-masuk          the WhatsApp inbox: conversations waiting for a person (page_inbox.py)
    /gambar/<path>        an image from the project's media, outbox or content folder (nothing else)
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from datetime import datetime
from http import HTTPStatus
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..app import App
from ..errors import ContentErrors, SiaranError, scrub
from ..history import problems as provider_problems
from ..history import reports
from ..i18n import _
from . import guard, views
from . import preview as previews
from .page_inbox import inbox_routes, waiting_count

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}
WATCHED = ("content", "schedules")  # a change under these (or siaran.toml / .env) reloads the project


class Source:
    """The App, reopened only when a content or settings file changed: loading and checking the
    project takes tens of milliseconds, a request should not pay that every time."""

    def __init__(self, open_app: Callable[[], App]):
        self.open_app = open_app
        self.app: App | None = None
        self.signature: tuple | None = None
        self.error: SiaranError | None = None  # why the project could not be loaded
        self.thread = 0

    def get(self) -> App:
        if self.app is not None and self.thread != threading.get_ident():
            # An SQLite connection serves only the thread that opened it: the next use opens another.
            self.app.__dict__.pop("db", None)
        self.thread = threading.get_ident()
        if self.app is None or self._signature(self.app) != self.signature:
            old = self.app
            try:
                self.app = self.open_app()
            except SiaranError as e:  # siaran.toml or .env broke while serving: say so, keep the last app
                if old is None:
                    raise
                self.error = e
                self.signature = self._signature(old)
                return old
            self.app.read_lists = False  # the page shows what was sent, as recorded: it never opens a list
            if old is not None and "db" in old.__dict__:
                old.db.close()
            try:
                self.app.project  # noqa: B018 - load (and check) it now, once
                self.error = None
            except SiaranError as e:
                self.error = e
            self.signature = self._signature(self.app)
        return self.app

    @staticmethod
    def _signature(app: App) -> tuple:
        files = [app.root / "siaran.toml", app.root / ".env"]
        for folder in WATCHED:
            for dirpath, _dirs, names in os.walk(app.root / folder):
                files.extend(Path(dirpath) / n for n in names)
        stats = []
        for f in files:
            try:
                st = f.stat()
            except OSError:
                continue
            stats.append((str(f), st.st_mtime_ns, st.st_size))
        return (app.now().date(), tuple(sorted(stats)))  # a new day: checks that look ahead change


def page_app(open_app: Callable[[], App], replies: bool = False) -> Starlette:
    """``replies``: `siaran serve --balas` (else the setting inbox.page_reply) lets the Kotak masuk reply."""
    source = Source(open_app)
    env = previews.environment()
    env.globals["status_label"] = views.label

    def render(name: str, request: Request, status_code: int = 200, **context) -> HTMLResponse:
        app = source.app
        problems = _problems(source)
        html = env.get_template(name).render(
            request=request,
            path=request.url.path,
            office=app.project.office if app and source.error is None else None,
            problem_count=len([p for p in problems if not getattr(p, "warning", False)]),
            inbox_waiting=waiting_count(app),
            static=False,
            csrftoken=lambda: guard.csrftoken(request),
            **context,
        )
        # Belt and braces: no token may ever reach the page, whatever a message quoted.
        return HTMLResponse(scrub(html, *app.settings.secrets()) if app else html, status_code=status_code)

    def loaded(request: Request) -> App:
        return source.get()

    async def week(request: Request) -> HTMLResponse:
        app = loaded(request)
        if source.error is not None:
            return render("minggu.html", request, past=[], ahead=[], broken=True)
        past, ahead = views.this_week(app)
        posts = sorted(app.project.posts.values(), key=lambda p: p.name)
        return render("minggu.html", request, past=past, ahead=ahead, zone=views.zone(app), broken=False, posts=posts)

    async def preview(request: Request) -> HTMLResponse:
        app = loaded(request)
        if source.error is not None:
            return render("masalah.html", request, 409, **_problems_context(source))
        try:
            p = previews.build(app, request.path_params["name"], request.query_params.get("penerima"))
        except SiaranError as e:
            raise HTTPException(404, str(e)) from e
        urls = [_image_url(app, i) for i in p.images]
        return render("pratinjau.html", request, p=p, image_urls=urls)

    async def history(request: Request) -> HTMLResponse:
        app = loaded(request)
        days = _int(request.query_params.get("hari"), 30, 1, 3660)
        skip = _int(request.query_params.get("lewati"), 0, 0, 1_000_000)
        sent, more = views.history(app, days, skip)
        return render("riwayat.html", request, sent=sent, days=days, skip=skip, more=more, page=views.PAGE)

    async def detail(request: Request) -> HTMLResponse:
        app = loaded(request)
        q = request.query_params
        post, status = q.get("post", ""), q.get("status", "")
        occurrence = q.get("occ") or None
        rows = views.people(app, post, occurrence, status, q.get("error"))
        return render(
            "rincian.html", request, post=post, occurrence=occurrence, status=status, error=q.get("error"), rows=rows
        )

    async def problems(request: Request) -> HTMLResponse:
        loaded(request)
        return render("masalah.html", request, **_problems_context(source))

    async def instagram(request: Request) -> HTMLResponse:
        app = loaded(request)
        rows = views.handoffs(app)
        for r in rows:
            r["urls"] = [_image_url(app, app.root / i) for i in r["image_list"]]
        return render("instagram.html", request, rows=rows)

    async def image(request: Request) -> FileResponse:
        app = loaded(request)
        path = confined(app, request.path_params["path"])
        if path is None:
            raise HTTPException(404, _("image not found"))
        return FileResponse(path)

    async def not_found(request: Request, exc: HTTPException) -> HTMLResponse:
        source.get()
        message = exc.detail
        if exc.status_code == 404 and message == HTTPStatus.NOT_FOUND.phrase:  # Starlette's own English
            message = _("There is no such page.")
        return render("galat.html", request, exc.status_code, message=message)

    routes = [
        Route("/", week),
        Route("/pratinjau/{name:path}", preview),
        Route("/riwayat", history),
        Route("/riwayat/rincian", detail),
        Route("/masalah", problems),
        Route("/instagram", instagram),
        Route("/gambar/{path:path}", image),
        *inbox_routes(render, loaded, lambda app: replies or bool(app.settings.inbox.page_reply)),
        Mount("/static", StaticFiles(directory=previews.STATIC), name="static"),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: not_found}, middleware=guard.page_middleware())


def confined(app: App, rel: str) -> Path | None:
    """The image ``rel`` (relative to the project) if it is one inside media/, outbox/ or content/;
    None for anything else (other files, ``..``, links leading out of those folders)."""
    roots = [app.settings.path("media"), app.settings.path("outbox"), app.root / "content"]
    try:
        path = (app.root / rel).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
        return None
    return path if any(path.is_relative_to(r.resolve()) for r in roots) else None


def _image_url(app: App, path: Path) -> str:
    try:
        rel = Path(path).resolve().relative_to(app.root.resolve())
    except ValueError:
        return ""  # outside the project: the page never serves it
    return "/gambar/" + rel.as_posix()


def _problems(source: Source) -> list:
    if isinstance(source.error, ContentErrors):
        return source.error.problems
    if source.error is not None:
        return [source.error]
    return list(source.app.project.warnings) if source.app else []


def _problems_context(source: Source) -> dict:
    by_file: dict[str, list] = {}
    for p in _problems(source):
        by_file.setdefault(str(getattr(p, "path", "")) or "siaran", []).append(p)
    for found in by_file.values():
        found.sort(key=lambda p: (getattr(p, "line", None) or 0, str(p)))
    alerts = reports.alerts(source.app.db) if source.app else None
    reported = provider_problems.recent(source.app.db, 30) if source.app else None
    if source.error is None and source.app:
        tz = source.app.office.timezone
        for a in [*(alerts or ()), *(reported or ())]:  # shown in office time, like every time on the page
            stamp = a.get("created_at") or a.get("at")
            a["when"] = datetime.fromisoformat(stamp).astimezone(tz).strftime("%Y-%m-%d %H:%M")
    return {"by_file": dict(sorted(by_file.items())), "alerts": alerts, "reported": reported, "error": source.error}


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(high, max(low, int(value or default)))
    except ValueError:
        return default


__all__ = ["confined", "page_app"]
