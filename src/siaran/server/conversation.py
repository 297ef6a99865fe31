"""One incoming message, handled once: record it (a redelivered id stops here), update the contact
(the 24-hour window), opt out or back in on BERHENTI / MULAI, choose the answer (menu.py) and
reserve it as a delivery row — all in one transaction — then hand the reply to the replier."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from ..app import App
from ..channels import provider_name
from ..content.autoreply import DEFAULT_START, DEFAULT_STOP, Autoreply, load_autoreply
from ..content.model import Recipient
from ..delivery.replies import Reply, reply_key, reservation
from ..errors import SiaranError
from ..history import contacts, conversations, optouts, tickets
from ..history.db import immediate, utc
from ..inbox.hours import OfficeHours, with_opening
from ..render.images import post_images
from . import menu
from .events import Incoming

log = logging.getLogger(__name__)

INTAKE_FOR = timedelta(hours=24)  # after choosing an aduan/saran option, the next message within this is one
RELOAD = 30.0  # seconds a loaded project / autoreply file is trusted before looking again
DEFAULT_TZ = ZoneInfo("Asia/Jakarta")


class Conversation:
    def __init__(self, app: App, send: Callable[[Reply], None] | None = None):
        self._names: dict[str, str] = {}  # number → name in the office's lists
        self.root, self.settings, self.clock = app.root, app.settings, app.clock
        self.send = send or (lambda reply: None)
        self._loaded = 0.0
        self._app: App | None = None
        self._auto: Autoreply | None = None
        self._seen: tuple = ()

    def _fingerprint(self) -> tuple:
        """What the content folder looks like (names, sizes, times): loading it again is slow."""
        files = sorted((self.root / "content").rglob("*"))
        return tuple((str(p), st.st_size, st.st_mtime_ns) for p in files for st in (p.stat(),))

    def _content(self) -> tuple[App | None, Autoreply | None]:
        if time.monotonic() - self._loaded <= RELOAD:
            return self._app, self._auto
        self._loaded = time.monotonic()
        fingerprint = self._fingerprint()
        if fingerprint != self._seen:
            self._seen = fingerprint
            app = App(root=self.root, settings=self.settings, clock=self.clock)
            try:
                app.project  # noqa: B018 - load now, so a broken content folder is logged once here
                self._app = app
            except SiaranError as e:
                log.warning("content has problems; auto-replies answer BERHENTI/MULAI only: %s", e)
                self._app = None
            problems: list = []
            auto = load_autoreply(self.root, problems) if self._app else None
            self._auto = None if problems else auto
            self._names = _list_names(self._app)
            for p in problems:
                log.warning("auto-reply menu not used: %s", p)
        return self._app, self._auto

    def office_name(self, app: App | None) -> str:
        return app.project.office.name if app else "kantor"

    def __call__(self, db: sqlite_utils.Database, m: Incoming) -> None:
        now = self.clock.now()
        app, auto = self._content()
        tz = app.project.office.timezone if app else DEFAULT_TZ
        at = datetime.fromisoformat(m.at) if m.at else now
        phone = f"+{m.wa_id}" if m.wa_id else ""
        hours = OfficeHours.of(app.project, auto) if app else None
        closed = hours is not None and not hours.is_open(now)
        reply: Reply | None = None
        waits, ticket = True, ""
        with immediate(db):
            if not contacts.first_time(db, m.message_id, m.provider, m.contact_id, m.type, m.text, now,
                                       group=m.group, member=m.member):  # fmt: skip
                return  # redelivered: answered (or deliberately not) the first time
            if not m.answerable:  # a group, a reaction, an edit, a deletion, a notice: recorded, never answered
                conversations.mark_inbound(db, m.message_id, sent_at=utc(at), waits=False, out_of_hours=closed)
                return
            before = contacts.touch(db, m.contact_id, wa_id=m.wa_id, user_id=m.user_id, name=m.name,
                                    provider=m.provider, at=at)  # fmt: skip
            if phone and phone in self._names:
                conversations.set_list_name(db, m.contact_id, self._names[phone])
            # typed words, a caption, or a quick-reply button's text or payload; our own menu rows are not keywords
            word = "" if m.choice.startswith("menu:") else menu.keyword(m.text) or menu.keyword(m.choice)
            key = reply_key(m.provider, m.message_id)
            source = f"whatsapp:{m.provider}"
            office = self.office_name(app)
            who = phone or (f"user:{m.user_id}" if m.user_id else "")  # a username-only sender: by user id
            if word == "stop" and who:
                waits = False
                optouts.opt_out(db, who, now, source=source, message_id=m.message_id, reason=m.text.strip())
                text = (auto.stop if auto else DEFAULT_STOP).replace("{office}", office)
                reply = Reply(key, "autoreply/berhenti", phone, text) if phone else None
            elif word == "start" and who:
                waits = False
                optouts.opt_in(db, who, now, source=source, message_id=m.message_id)
                text = (auto.start if auto else DEFAULT_START).replace("{office}", office)
                reply = Reply(key, "autoreply/mulai", phone, text) if phone else None
            elif auto is not None and app is not None and hours is not None and phone:
                local = now.astimezone(tz)
                away = bool(auto.away) and closed and (before or {}).get("away_on") != str(local.date())
                if away:
                    auto = replace(auto, away=with_opening(auto.away, hours.next_open(now), now))
                answer = menu.decide(auto, m.text, m.choice, first=before is None, away=away, kind=m.type,
                                     intake=_pending_intake(before, now))  # fmt: skip
                waits = answer.waits
                if away:
                    contacts.set_away(db, m.contact_id, str(local.date()))
                if answer.ticket:
                    ticket = tickets.open_ticket(db, answer.ticket, m.contact_id, m.message_id, now, local.year)
                    answer = replace(answer, text=answer.text.replace("{ticket}", ticket))
                if answer.intake or answer.ticket or (before or {}).get("intake"):
                    conversations.set_intake(db, m.contact_id, answer.intake, now)
                reply = self._reply(app, auto, answer, key, phone, m.name)
            else:
                waits = m.type not in menu.TEXT_TYPES or bool(m.text.strip())
            conversations.mark_inbound(db, m.message_id, sent_at=utc(at), waits=waits, out_of_hours=closed,
                                       ticket=ticket)  # fmt: skip
            if waits:
                conversations.wait(db, m.contact_id, now)
            if reply is not None:
                db["deliveries"].insert(reservation(reply, provider_name("whatsapp", self.settings), now), ignore=True)
                contacts.set_reply(db, m.message_id, reply.key, reply.to_json())
        if reply is not None:
            self.send(reply)

    def _reply(self, app: App, auto: Autoreply, answer: menu.Answer, key: str, phone: str, name: str) -> Reply:
        cloud = provider_name("whatsapp", self.settings) == "cloud"
        if answer.option is not None:  # a post as the answer: its WhatsApp text and images
            post = app.project.posts.get(answer.option.post)
            if post is not None:
                text = app.project.renderer.render(post, "whatsapp", Recipient(phone, name or "Bapak/Ibu"))
                images = tuple(str(p) for p in post_images(app.project, post, app.media_dir))
                return Reply(key, answer.post, phone, menu.join(answer.lead, text), images)
            log.warning("auto-reply option %r names no post %r", answer.option.title, answer.option.post)
            return Reply(key, answer.post, phone, menu.join(answer.lead, auto.fallback))
        interactive = menu.interactive(auto, answer.lead) if answer.menu and cloud else None
        return Reply(key, answer.post, phone, answer.text, interactive=interactive)


def _pending_intake(before: dict | None, now: datetime) -> str:
    if not before or not before.get("intake") or not before.get("intake_at"):
        return ""
    return before["intake"] if now - datetime.fromisoformat(before["intake_at"]) <= INTAKE_FOR else ""


def _list_names(app: App | None) -> dict[str, str]:
    """Number → name from the office's lists, read when the content changes (not per message)."""
    if app is None:
        return {}
    try:
        return {r.phone: r.name for blist in app.project.lists.values() for r in blist.recipients if r.name}
    except SiaranError:
        return {}
