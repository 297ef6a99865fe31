"""The page's Kotak masuk: the conversations waiting for a person and each one's messages in order.

Read-only unless the office switches replying on (``inbox.page_reply`` or `siaran serve --balas`).
Then a conversation has a reply form and a "done" button; a reply is shown once more on a confirmation
page before it is sent, and every form carries the page's CSRF token (guard.py). A form id (``nonce``)
makes a form sent twice one reply.

    /kotak-masuk                      the list (?semua=1: closed ones too)
    /kotak-masuk/<contact>            one conversation
    POST /kotak-masuk/<contact>/balas    the reply, shown for confirmation
    POST /kotak-masuk/<contact>/kirim    the confirmed reply, sent now
    POST /kotak-masuk/<contact>/selesai  close the conversation
"""

from __future__ import annotations

import importlib.util
import logging
import secrets
from collections.abc import Callable
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route

from ..app import App
from ..clock import zone_label
from ..errors import SiaranError
from ..history import conversations
from ..i18n import _
from ..inbox import chats
from ..inbox import reply as replies
from ..reasons import say

log = logging.getLogger(__name__)

MAX_FORM = 64_000  # bytes of a reply form: a WhatsApp text is at most 4,096 characters


def waiting_count(app: App | None) -> int:
    """For the page header: conversations waiting for a person."""
    if app is None:
        return 0
    try:
        return conversations.waiting(app.db)[0]
    except Exception:  # the header must never break a page (a history being migrated, locked)
        log.debug("inbox count not available", exc_info=True)
        return 0


def csrf_ready() -> bool:
    """Forms that change anything need the page's CSRF guard (guard.py): without it the page stays read-only."""
    return importlib.util.find_spec(f"{__package__}.guard") is not None


def inbox_routes(render: Callable[..., HTMLResponse], loaded: Callable[[Request], App],
                 switched_on: Callable[[App], bool]) -> list[Route]:  # fmt: skip
    """``render(template, request, status, **context)`` and ``loaded(request)`` are page.py's own."""
    guarded = csrf_ready()

    def replying(app: App) -> bool:
        return guarded and switched_on(app)

    def contact_of(app: App, request: Request) -> dict:
        row = conversations.contact(app.db, request.path_params["contact"])
        if row is None:
            raise HTTPException(404, _("There is no conversation with this number."))
        return row

    def conversation(request: Request, app: App, row: dict, status_code: int = 200, **extra) -> HTMLResponse:
        lines = chats.lines(app, row["id"])
        for line in lines:
            if line.get("error"):
                line["error"] = say(line["error"])
        return render(
            "percakapan.html", request, status_code, person=row, lines=lines, tz=zone_label(chats.zone(app)),
            state=chats.STATE_LABELS.get(row["state"] or "", ""), tickets=conversations.tickets_of(app.db, row["id"]),
            replying=replying(app), nonce=secrets.token_hex(16), quote=quote, **extra,
        )  # fmt: skip

    async def listing(request: Request) -> HTMLResponse:
        app = loaded(request)
        everything = request.query_params.get("semua") == "1"
        found = chats.chats(app, everything)
        return render("kotak-masuk.html", request, chats=found, everything=everything, quote=quote,
                      tz=zone_label(chats.zone(app)))  # fmt: skip

    async def one(request: Request) -> HTMLResponse:
        app = loaded(request)
        return conversation(request, app, contact_of(app, request))

    async def form(request: Request) -> dict:
        if int(request.headers.get("content-length") or 0) > MAX_FORM:
            raise HTTPException(413, _("The reply is too long."))
        data = await request.form()
        return {k: str(v) for k, v in data.items() if isinstance(v, str)}

    def allowed(app: App) -> None:
        if not replying(app):
            raise HTTPException(403, _("Replying from the page is off: `siaran serve --balas` or inbox.page_reply."))

    async def confirm(request: Request) -> HTMLResponse:
        app = loaded(request)
        allowed(app)
        row = contact_of(app, request)
        data = await form(request)
        text = data.get("teks", "")
        try:
            _contact, template = replies.prepare(app, row["wa_id"] or row["id"], text)
        except SiaranError as e:
            return conversation(request, app, row, 400, problem=str(e), draft=text)
        return render(
            "balas.html", request, person=row, text=replies.check_text(text), nonce=data.get("nonce", ""),
            template=(template or {}).get("template", ""), quote=quote,
        )  # fmt: skip

    async def send(request: Request) -> HTMLResponse | RedirectResponse:
        app = loaded(request)
        allowed(app)
        row = contact_of(app, request)
        data = await form(request)
        nonce = data.get("nonce", "")
        if not nonce or len(nonce) > 64:
            raise HTTPException(400, _("This form is incomplete: reload the page and try again."))
        fresh = App(root=app.root, settings=app.settings, clock=app.clock)  # its own history connection

        def work() -> replies.Sent:
            try:
                return replies.reply(fresh, row["wa_id"] or row["id"], data.get("teks", ""), via="page", nonce=nonce)
            finally:
                if "db" in fresh.__dict__:
                    fresh.db.conn.close()

        try:
            sent = await run_in_threadpool(work)
        except SiaranError as e:
            return conversation(request, app, row, 400, problem=str(e), draft=data.get("teks", ""))
        if sent.status not in ("sent", "delivered", "read"):
            reason = say(sent.error) or "-"
            problem = _("Reply not sent ({status}): {reason}").format(status=_(sent.status), reason=reason)
            return conversation(request, app, conversations.contact(app.db, row["id"]) or row, 502, problem=problem)
        return RedirectResponse(f"/kotak-masuk/{quote(row['id'])}?terkirim=1", 303)

    async def done(request: Request) -> RedirectResponse:
        app = loaded(request)
        allowed(app)
        row = contact_of(app, request)
        await form(request)
        chats.close(app, row["wa_id"] or row["id"])
        return RedirectResponse("/kotak-masuk", 303)

    return [
        Route("/kotak-masuk", listing),
        Route("/kotak-masuk/{contact}", one),
        Route("/kotak-masuk/{contact}/balas", confirm, methods=["POST"]),
        Route("/kotak-masuk/{contact}/kirim", send, methods=["POST"]),
        Route("/kotak-masuk/{contact}/selesai", done, methods=["POST"]),
    ]
