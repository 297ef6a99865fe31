"""What every command needs, built once: project folder, settings, clock, history, content."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

import sqlite_utils

from .channels import check_settings, whatsapp_limits
from .checks import load_project
from .clock import Clock
from .config import Settings, load_settings, rehearsal
from .content.project import Project
from .history import open_db
from .history.guard import check as check_history
from .history.optouts import numbers as optout_numbers
from .history.safety import daily_backup


@dataclass
class App:
    root: Path
    settings: Settings
    clock: Clock
    strict_lists: bool = False
    tolerant: bool = False  # broken posts are set aside, not fatal (daemon, read-only commands)
    _project: Project | None = field(default=None, repr=False)
    _guarded: bool = field(default=False, repr=False)

    @classmethod
    def open(cls, root: Path, clock: Clock, env: dict[str, str] | None = None) -> App:
        settings = load_settings(root, env)
        check_settings(settings)
        if clock.rehearsed:  # SIARAN_NOW: a rehearsal keeps its own history and outbox
            settings = rehearsal(settings)
        return cls(root=root, settings=settings, clock=clock)

    @cached_property
    def db(self) -> sqlite_utils.Database:
        path = self.settings.path("history")
        db = open_db(path)
        daily_backup(path, self.today(), self.settings.history.backups)
        return db

    def guard_history(self) -> None:
        """Before anything is sent: refuse when the history file is not the one this project has
        been sending with (siaran.history.guard)."""
        if not self._guarded:
            check_history(self.db, self.settings.path("history"), self.now())
            self._guarded = True

    def optouts(self) -> set[str]:
        """Who must never get a broadcast. A rehearsal also honours the real history's opt-outs:
        rehearsing with a real provider must not reach someone who asked to stop."""
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
            self._project = load_project(
                self.root,
                self.clock.now(),
                strict_lists=self.strict_lists,
                tolerant=self.tolerant,
                whatsapp_limits=whatsapp_limits(self.settings),
            )
        return self._project

    def now(self) -> datetime:
        return self.clock.now()

    def local_now(self) -> datetime:
        """Now in the office's timezone (WIB, WITA or WIT)."""
        return self.clock.now().astimezone(self.project.office.timezone) if self._project else self.clock.now()

    def today(self) -> date:
        if self._project is not None:
            return self.local_now().date()
        return self.clock.now().date()

    @property
    def media_dir(self) -> Path:
        return self.settings.path("media")
