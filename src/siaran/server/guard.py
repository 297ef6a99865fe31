"""Who may talk to the operator page: only a browser on this PC that opened the page itself.

Two guards wrap every page route (``page_middleware()``):

1. **Host check.** The page answers only requests whose ``Host`` header is ``127.0.0.1``, ``localhost``
   or ``[::1]`` *with the port the page listens on*; anything else gets 400. The listener is bound to
   127.0.0.1, but a web page the operator visits could still reach it through DNS rebinding
   (``evil.example`` resolving to 127.0.0.1): the browser then sends ``Host: evil.example:PORT`` and is
   refused. Starlette's TrustedHostMiddleware is not used because it drops the port and cuts ``[::1]``
   at its first colon.

2. **CSRF token** (asgi-csrf, Datasette's double-submit cookie). Every request other than GET, HEAD,
   OPTIONS or TRACE must carry the token, or it gets 403 and the route never runs. The check applies
   to every path, cookie or not (there is no login here: a cross-site form would arrive without the
   cookie, and asgi-csrf skips cookieless requests unless told otherwise).

How to write a state-changing route (the inbox reply form, ...)::

    # the handler: an ordinary Starlette route with methods=["POST"]; nothing else to check
    Route("/kotak-masuk/balas", reply, methods=["POST"])

    {# the template: the token as the FIRST field of every POST form #}
    <form method="post" action="/kotak-masuk/balas">
      <input type="hidden" name="csrftoken" value="{{ csrftoken() }}">
      ...
    </form>

``csrftoken()`` is in every page template's context (page.py passes it). A script posting with
``fetch`` sends the same value in an ``x-csrftoken`` header instead. Forms must be
``application/x-www-form-urlencoded`` or ``multipart/form-data`` (token before any file field).
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlsplit

from asgi_csrf import asgi_csrf
from starlette.middleware import Middleware

from ..i18n import _

log = logging.getLogger(__name__)

LOCAL_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def local_host(host: bytes | None, port: int | None) -> bool:
    """Is ``host`` (a Host header's raw bytes) this PC's page, at ``port``? Port 80 may be left out."""
    if not host:
        return False
    try:
        parts = urlsplit("//" + host.decode("ascii"))
        given = parts.port or 80
        name = parts.hostname
    except (UnicodeDecodeError, ValueError):  # not ASCII, a port out of range or not a number
        return False
    return name in LOCAL_NAMES and (port is None or given == port)


class LocalHostOnly:
    """ASGI middleware: 400 to any request whose Host is not this PC's page (see the module docstring)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = dict(scope.get("headers") or []).get(b"host")
        server = scope.get("server")
        port = server[1] if server else None  # the port really listened on (settings may say 0)
        if local_host(host, port):
            await self.app(scope, receive, send)
            return
        log.warning("page request refused: Host %r is not this PC's page", (host or b"")[:100])
        await _plain(send, 400, _("This page answers only at http://127.0.0.1 on this PC."))


class _EveryPath:
    """asgi-csrf's ``always_protect``: every path, so a request without the cookie is checked too."""

    def __contains__(self, path: object) -> bool:
        return True


async def _csrf_failed(scope, send, message_id) -> None:
    log.warning("page request refused: no valid CSRF token (%s %s)", scope.get("method"), scope.get("path"))
    await _plain(send, 403, _("This form has expired or did not come from this page: reload the page and try again."))


async def _plain(send, status: int, text: str) -> None:
    await send(
        {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain; charset=utf-8")]}
    )
    await send({"type": "http.response.body", "body": text.encode()})


def page_middleware() -> list[Middleware]:
    """The guards for a page app, outermost first: host check, then the CSRF token."""
    return [
        Middleware(LocalHostOnly),
        Middleware(
            asgi_csrf,
            signing_secret=secrets.token_hex(32),  # per process: a restart simply issues new tokens
            always_protect=_EveryPath(),
            send_csrf_failed=_csrf_failed,
        ),
    ]


def csrftoken(request) -> str:
    """The CSRF token for a form on this request's page (sets the cookie on the answer)."""
    return request.scope["csrftoken"]()
