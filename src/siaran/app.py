"""What every command needs, built once: project folder, settings, clock, history, content."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .channels import check_settings, whatsapp_limits
from .clock import Clock
from .config import Settings, load_settings, rehearsal
from .content import cache as versions
from .content.model import BroadcastList, Office, Recipient
from .errors import ContentError, ContentErrors

if TYPE_CHECKING:
    import sqlite_utils

    from .content.list_store import Lists
    from .content.phone_book import PhoneBook
    from .content.project import Project
    from .history.rendered_texts import TextsKept


CACHE_LISTS_FROM = 64 * 1024  # bytes: smaller lists are parsed each time (milliseconds)


@dataclass
class App:
    root: Path
    settings: Settings
    clock: Clock
    strict_lists: bool = False
    tolerant: bool = False  # broken posts are set aside, not fatal (daemon, read-only commands)
    read_lists: bool = True  # False: lists known by name only (history, report, the page show what was sent)
    _project: Project | None = field(default=None, repr=False)
    _guarded: bool = field(default=False, repr=False)
    _office: Office | None = field(default=None, repr=False)
    _book: PhoneBook | None = field(default=None, repr=False)
    _later: list[Callable[[sqlite_utils.Database], None]] = field(default_factory=list, repr=False)
    _texts: TextsKept | None = field(default=None, repr=False)

    @classmethod
    def open(cls, root: Path, clock: Clock, env: dict[str, str] | None = None) -> App:
        settings = load_settings(root, env)
        check_settings(settings)
        if clock.rehearsed:  # SIARAN_NOW: a rehearsal keeps its own history and outbox
            settings = rehearsal(settings)
        return cls(root=root, settings=settings, clock=clock)

    @cached_property
    def db(self) -> sqlite_utils.Database:
        # The history (sqlite-utils, psutil, dateutil) only for commands that read or write it.
        from .history import open_db

        db = open_db(self.settings.path("history"))  # backups: the daemon's, when idle (history.backups)
        later, self._later = self._later, []
        for write in later:  # what this command parsed before its new history existed
            write(db)
        return db

    def guard_history(self) -> None:
        """Before anything is sent: refuse when the history file is not the one this project has
        been sending with (siaran.history.guard)."""
        if not self._guarded:
            from .history.guard import check as check_history

            check_history(self.db, self.settings.path("history"), self.now())
            self._guarded = True

    def optouts(self) -> set[str]:
        """Who must never get a broadcast. A rehearsal also honours the real history's opt-outs:
        rehearsing with a real provider must not reach someone who asked to stop."""
        from .history import open_db
        from .history.optouts import numbers as optout_numbers

        found = optout_numbers(self.db)
        real = self.settings.real
        if real is not None and real.path("history").exists():
            db = open_db(real.path("history"))
            try:
                found |= optout_numbers(db)
            finally:
                db.conn.close()
        return found

    @property
    def project(self) -> Project:
        if self._project is None:
            from .checks import load_project  # rendering (Pillow, Jinja2) only for commands that need it

            self._project = load_project(
                self.root,
                self.clock.now(),
                strict_lists=self.strict_lists,
                tolerant=self.tolerant,
                whatsapp_limits=whatsapp_limits(self.settings),
                auto_card=self.settings.instagram.auto_card,
                read_list=self._read_list,
                first_recipient=self._first_recipient,
                unread_lists=not self.read_lists,
                numbers=self._numbers,
                texts=self._texts_kept(),
            )
        return self._project

    def _texts_kept(self) -> TextsKept | None:
        """Where the texts checks render are remembered: the history, when there is one."""
        if not self._has_history():
            return None
        from .history.rendered_texts import TextsKept

        self._texts = TextsKept(self.db, self.now().date())
        return self._texts

    def finish(self) -> None:
        """The command succeeded: keep what it computed for the next one (never after bad input)."""
        if self._texts is not None:
            self._texts.keep()

    def _has_history(self) -> bool:
        """Never make (or remake) a history just for a cache: the guard judges it first."""
        if "db" in self.__dict__:
            return True
        history = self.settings.path("history")
        try:
            return history.stat().st_size > 0
        except OSError:
            return False

    # ── content problems for commands that only warn, remembered by a fingerprint of the files ──
    def content_warnings(self) -> list[str]:
        """Every content problem as the operator reads it, for history, report, status and the
        like: checking means reading, rendering and checking the whole project (about half a
        second), so the answer is kept in the history by a fingerprint of every content file (and
        of the code, settings, language and day that decide it) and reused until one changes.
        Raises ContentErrors when content/office.yaml itself is unreadable."""
        from .content.files import tree_fingerprint
        from .history import content_checks
        from .i18n import catalog_path, language

        self.office  # noqa: B018 - unreadable: nothing to warn about, the command says why
        key = None
        unread = None if self.read_lists else self.root / "content" / "lists"
        if self._has_history():
            words = catalog_path(language(), ".po")  # the problems are kept in the operator's language
            files = (self.root / "siaran.toml", self.root / ".env", words)
            key = versions.key(
                versions.version("siaran.app"),  # loading and checking a project: all of it
                tree_fingerprint(self.root / "content", self.root / "schedules", names_only=unread),
                [f"{p}:{p.stat().st_mtime_ns}" for p in files if p.exists()],
                repr(whatsapp_limits(self.settings)),
                repr(self.settings.instagram.auto_card),
                language(),
                self.today().isoformat(),
                "lists by name" if unread else "lists read",
            )
            found = content_checks.get(self.db, key)
            if found is not None:
                return found
        problems = [str(p) for p in self.project.problems]
        if key is not None:
            content_checks.put(self.db, key, problems, self.now())
        return problems

    # ── broadcast lists, parsed once per change of the file (cached in the history by content hash) ──
    @property
    def lists(self) -> Lists:
        """The broadcast lists alone, each read when first used (through the cache): naming the
        numbers in the history needs them, not the posts, templates and images."""
        if self._project is not None:
            return self._project.lists
        from .content.list_store import Lists
        from .content.lists import lists_by_name

        files, _extra = lists_by_name(self.root / "content" / "lists")  # a second file is the project's to report
        return Lists(self.root, list(files.values()), self.office.region, self._read_list, self._first_recipient)

    def _list_digest(self, path: Path, region: str) -> str | None:
        """The cache key of a list file's content, or None to read it directly: a small list parses in
        milliseconds (its numbers through the phone book)."""
        try:
            if path.stat().st_size < CACHE_LISTS_FROM:
                return None
            data = path.read_bytes()
        except OSError:
            return None  # the reader names the file and the reason
        # the reader, its rows and phone rules, the cache format, openpyxl, phonenumbers: siaran.content.cache
        return versions.key(versions.version("siaran.content.lists", "siaran.content.list_store"), region, data)

    def _read_list(self, path: Path, rel: str, region: str) -> BroadcastList:
        from .content import list_store  # the list reader (phonenumbers) only for commands reading lists
        from .content.lists import load_list

        digest = self._list_digest(path, region)
        if digest is not None and self._has_history():
            from .history import lists_cache

            data = lists_cache.whole(self.db, rel, digest)
            if data is not None:
                return list_store.unpack(path, data)
        book = self._phone_book(region)
        blist = load_list(path, rel, region, book=book)
        now = self.now()

        def remember(db: sqlite_utils.Database) -> None:  # the history (sqlite-utils) only when there is one
            from .history import lists_cache, phone_numbers

            phone_numbers.remember(db, book.version, book.take_added(), book.take_reread(), book.today)
            if digest is not None:
                lists_cache.put(db, rel, digest, *list_store.pack(blist), now)

        self._remember(remember)
        return blist

    def _phone_book(self, region: str) -> PhoneBook:
        if self._book is None or self._book.region != region:
            from .content.phone_book import PhoneBook

            self._book = PhoneBook(region, self._known_numbers, self.now().date().isoformat())
        return self._book

    def _numbers(self, raws: list[str]) -> dict[str, tuple[str, str]]:
        """The office's and the SOPs' own numbers, through the phone book like a list's: a project
        with a history parses none it parsed before (nor loads phonenumbers for them)."""
        book = self._phone_book("ID")
        parse = book.parser(raws)
        found = {raw: parse(raw) for raw in raws}
        added, reread = book.take_added(), book.take_reread()
        if added or reread:
            self._remember(lambda db: _remember_numbers(db, book.version, added, reread, book.today))
        return found

    def _known_numbers(
        self, version: str, raws: list[str] | None, today: str
    ) -> tuple[dict[str, tuple[str, str]], set[str]]:
        if not self._has_history():
            return {}, set()
        from .history import phone_numbers

        return phone_numbers.known(self.db, version, raws, today)

    def _remember(self, write: Callable[[sqlite_utils.Database], None]) -> None:
        """Write to the history's caches now, or when this command opens a new history (its first
        pass caches what it parsed): a cache alone never makes a history."""
        if self._has_history():
            write(self.db)
        else:
            self._later.append(write)

    def _first_recipient(self, path: Path, rel: str, region: str) -> tuple[Recipient, ...] | None:
        """The list's first valid person, or None for "read it all". A big list changed since it was
        cached is read and checked whole, its people only up to the first: a daemon pass after an
        edit has no use for the rest (a send reads it all, through the phone book)."""
        digest = self._list_digest(path, region)
        if digest is None:
            return None
        from .content import list_store
        from .content.lists import load_list

        if self._has_history():
            from .history import lists_cache

            data = lists_cache.first(self.db, rel, digest)
            if data is not None:
                return tuple(list_store.unpack_recipients(path, data))
        book = self._phone_book(region)
        found = load_list(path, rel, region, book=book, first_only=True)
        now = self.now()

        def remember(db: sqlite_utils.Database) -> None:
            from .history import lists_cache, phone_numbers

            phone_numbers.remember(db, book.version, book.take_added(), book.take_reread(), book.today)
            if lists_cache.first(db, rel, digest) is None:
                lists_cache.put(db, rel, digest, list_store.pack(found)[0], None, now)

        self._remember(remember)
        return found.recipients

    @property
    def office(self) -> Office:
        """content/office.yaml alone: what reading the history needs (its timezone, its name),
        without parsing posts, lists and templates."""
        if self._project is not None:
            return self._project.office
        if self._office is None:
            from .content.office import load_office

            problems: list[ContentError] = []
            office = load_office(self.root, problems, self._numbers)
            if office is None or any(not p.warning for p in problems):
                raise ContentErrors([p for p in problems if not p.warning])
            self._office = office
        return self._office

    def now(self) -> datetime:
        return self.clock.now()

    def local_now(self) -> datetime:
        """Now in the office's timezone (WIB, WITA or WIT)."""
        office = self._project.office if self._project else self._office
        return self.clock.now().astimezone(office.timezone) if office else self.clock.now()

    def today(self) -> date:
        if self._project is not None or self._office is not None:
            return self.local_now().date()
        return self.clock.now().date()

    @property
    def media_dir(self) -> Path:
        return self.settings.path("media")


def _remember_numbers(
    db: sqlite_utils.Database, version: str, parsed: dict[str, tuple[str, str]], reread: set[str], today: str
) -> None:
    from .history import phone_numbers

    phone_numbers.remember(db, version, parsed, reread, today)
