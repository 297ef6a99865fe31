"""`siaran serve`: two uvicorn listeners in one process, one event loop.

- the webhook listener (``server.webhook_host``:``server.webhook_port``) serves only the providers'
  webhooks (webhook.py) — the one port a tunnel may expose;
- the operator page listener (127.0.0.1:``server.page_port``, never tunnelled) serves the page app.

``serve`` is the one place the two apps are wired: the page comes from ``server/page.py``'s
``page_app(open_app)`` when that module exists, else the plain status page (status.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import importlib.util
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette

from ..app import App
from ..delivery import eventloop
from ..errors import ConfigError
from ..history import open_db
from ..i18n import _, ngettext
from .conversation import Conversation
from .inbox import Inbox
from .replier import Replier
from .status import status_app
from .webhook import webhook_app

log = logging.getLogger(__name__)

PAGE_HOST = "127.0.0.1"  # the operator page is never reachable from outside this PC


class _Listener(uvicorn.Server):
    # Signals are caught once for both listeners (serve_async), not by each server.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def webhook_configured(settings) -> bool:
    """A provider can reach us only with a secret to check it by: the listener runs when one is set."""
    wa = settings.whatsapp
    return bool(wa.app_secret or wa.webhook_secret)


def make_inbox(app: App, replier: Replier) -> Inbox:
    path = app.settings.path("history")
    return Inbox(lambda: open_db(path), app.now, Conversation(app, replier.put), alert_failed_later(app),
                 alert_problems(app))  # fmt: skip


def _alert(app: App, problem: str, text: str) -> None:
    """One operator alert (at most one a day per ``problem``), from the inbox's thread."""
    from .. import alerts

    fresh = App(root=app.root, settings=app.settings, clock=app.clock)  # this thread's own history connection
    try:
        asyncio.run(alerts.notify(fresh, [alerts.Alert(problem, text)]))
    finally:
        if "db" in fresh.__dict__:
            fresh.db.conn.close()


def alert_problems(app: App) -> Callable[[list], None]:
    """Errors Meta reports outside a delivery status (130429 rate limit, 131051 unsupported message,
    ...): one operator alert a day, naming Meta's code and words."""

    def alert(found: list) -> None:
        detail = "; ".join(dict.fromkeys(f"{p.code} {p.title}".strip() for p in found))[:300]
        text = _("siaran: WhatsApp reports a problem with the webhook ({detail}). See the page's Problems.").format(
            detail=detail
        )
        _alert(app, "whatsapp:provider-errors", text)

    return alert


def alert_failed_later(app: App) -> Callable[[dict[str, int]], None]:
    """Messages WhatsApp accepted and later could not deliver (131026, 131047, 131049, ...): one
    operator alert a day, through the same alerts as the daemon's."""

    def alert(codes: dict[str, int]) -> None:
        count = sum(codes.values())
        detail = ", ".join(_("{n}x code {code}").format(n=n, code=c) for c, n in sorted(codes.items()))
        text = ngettext(
            "siaran: WhatsApp reports {n} message not delivered after it was sent ({detail}). "
            "See `siaran history --status failed`; 131047 means outside the 24-hour window (a template is needed).",
            "siaran: WhatsApp reports {n} messages not delivered after they were sent ({detail}). "
            "See `siaran history --status failed`; 131047 means outside the 24-hour window (a template is needed).",
            count,
        ).format(n=count, detail=detail)
        _alert(app, "whatsapp:failed-later", text)

    return alert


def page_asgi(app: App, inbox: Inbox, replies: bool = False) -> Starlette:
    """The operator page app: server/page.py when present, else the status page."""
    if importlib.util.find_spec(f"{__name__}.page") is not None:
        from .page import page_app  # type: ignore[import-not-found]

        # The page reopens the project when its files change (its own App, its own history connection).
        return page_app(lambda: App.open(app.root, app.clock), replies=replies)

    def facts() -> list[tuple[str, object]]:
        return [
            (_("Office"), app.project.office.name if app._project else app.root.name),
            (_("Webhook events received"), inbox.received),
            (_("Statuses matched to sent messages"), inbox.applied),
            (_("Statuses waiting for their message"), inbox.pending),
            (_("Messages failed after sending"), inbox.failed_later),
            (_("Incoming messages handled"), inbox.messages),
        ]

    return status_app(facts)


@dataclass
class Running:
    """The listeners of a started server: their real ports (port 0 in settings = any free port)."""

    ports: dict[str, int] = field(default_factory=dict)
    ready: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    inbox: Inbox | None = None
    replier: Replier | None = None
    error: BaseException | None = None
    thread: threading.Thread | None = None


def _bind(host: str, port: int, setting: str) -> socket.socket:
    """Take the port before anything starts, so a busy port is one clear error and nothing runs."""
    # IPPROTO_TCP given explicitly: asyncio then sets TCP_NODELAY on each connection (with proto 0 it does
    # not, and a kept-alive browser connection waits for a delayed ACK on every answer).
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    if os.name != "nt":  # on Windows SO_REUSEADDR would let two programs share the port
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise ConfigError(
            _(
                "cannot listen on {address} ({error}): another program may use it; choose another port with {setting}"
            ).format(address=f"{host}:{port}", error=_bind_error(e), setting=setting)
        ) from None
    return sock


def _bind_error(e: OSError) -> str:
    """Why a port cannot be taken, in the operator's language (the OS says it in English)."""
    code = getattr(e, "winerror", None) or e.errno
    if code in (errno.EADDRINUSE, 10048):  # 10048: Windows' WSAEADDRINUSE
        return _("the port is already in use")
    if code in (errno.EACCES, 10013):  # 10013: Windows' WSAEACCES (a port reserved by the system)
        return _("the system does not allow this port")
    if code in (errno.EADDRNOTAVAIL, 10049):
        return _("this computer has no such address")
    return e.strerror or str(e)


async def serve_async(app: App, running: Running, *, webhook: bool = True, page: bool = True,
                      replies: bool = False) -> None:  # fmt: skip
    s = app.settings.server
    sockets: dict[str, socket.socket] = {}
    try:
        if webhook:
            sockets["webhook"] = _bind(s.webhook_host, s.webhook_port, "server.webhook_port")
        if page:
            sockets["page"] = _bind(PAGE_HOST, s.page_port, "server.page_port")
    except ConfigError:
        for sock in sockets.values():
            sock.close()
        raise
    running.ports = {name: sock.getsockname()[1] for name, sock in sockets.items()}
    open_db(app.settings.path("history")).close()  # migrate once, before three threads open it
    replier = Replier(app).start()
    inbox = make_inbox(app, replier).start()
    running.inbox, running.replier = inbox, replier
    apps = {
        "webhook": lambda: webhook_app(app.settings.whatsapp, inbox),
        "page": lambda: page_asgi(app, inbox, replies),
    }
    listeners = {
        name: _Listener(uvicorn.Config(apps[name](), log_level="warning", access_log=False, lifespan="off"))
        for name in sockets
    }

    def stop_all() -> None:
        for server in listeners.values():
            server.should_exit = True

    loop = asyncio.get_running_loop()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows has no add_signal_handler
                loop.add_signal_handler(sig, stop_all)

    async def watch() -> None:
        while not running.stop.is_set() and not all(x.should_exit for x in listeners.values()):
            if not running.ready.is_set() and all(x.started for x in listeners.values()):
                running.ready.set()
            await asyncio.sleep(0.05)
        stop_all()

    try:
        serving = (x.serve(sockets=[sockets[name]]) for name, x in listeners.items())
        await asyncio.gather(*serving, watch())
    finally:
        stop_all()
        inbox.stop()
        replier.stop()
        for sock in sockets.values():
            sock.close()


def serve(app: App, *, webhook: bool = True, page: bool = True, replies: bool = False) -> None:
    """Run until Ctrl-C / SIGTERM (the CLI); ``replies``: the page's Kotak masuk may reply."""
    eventloop.run(serve_async(app, Running(), webhook=webhook, page=page, replies=replies))


def start_in_thread(app: App, *, webhook: bool = True, page: bool = True, timeout: float = 10.0,
                    replies: bool = False) -> Running:  # fmt: skip
    """Start the listeners in a background thread (``siaran run``, tests); ``running.stop.set()`` ends them."""
    running = Running()

    def target() -> None:
        try:
            eventloop.run(serve_async(app, running, webhook=webhook, page=page, replies=replies))
        except BaseException as e:
            running.error = e
            log.exception("the webhook server stopped")
        finally:
            running.ready.set()

    thread = threading.Thread(target=target, name="siaran-server", daemon=True)
    thread.start()
    running.ready.wait(timeout)
    if running.error is not None:
        raise running.error
    running.thread = thread
    return running
