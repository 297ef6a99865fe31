"""`siaran run`: the daemon. APScheduler 3.11 (BlockingScheduler) in the foreground, one per project.

Time comes from the app's Clock, not the scheduler's: after each pass the daemon asks the
schedules when the next occurrence is due *by the app clock* and sets a one-off APScheduler job
for that moment on the wall clock (at most ``MAX_SLEEP`` ahead, so edited content, a PC waking
from sleep and queued retries are picked up). That keeps ``SIARAN_NOW`` rehearsals exact: a
daemon started at a rehearsed moment fires when the rehearsed time reaches an occurrence.

Each pass (``Daemon.tick``) reloads the project, resumes occurrences left running, records
missed ones as skipped or sends them (catch-up), and runs what is due — see ``runner``.
Stopping (Ctrl-C, SIGTERM) lets the message in flight finish and leaves the rest queued.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import filelock
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler

from . import alerts
from .app import App
from .clock import Clock
from .config import Settings
from .delivery import eventloop
from .delivery import occurrences as runner
from .errors import ContentErrors, HistoryError, LockedError, SiaranError
from .history import backups, worker_id
from .history.alerts import beat
from .i18n import _, ngettext
from .reasons import Reason, reason, say

log = logging.getLogger(__name__)

MAX_SLEEP = timedelta(minutes=5)
IDLE = timedelta(minutes=2)  # nothing due sooner than this: the daemon may take the day's backup
JOB = "siaran-tick"


@contextlib.contextmanager
def project_lock(settings: Settings) -> Iterator[Path]:
    """A real OS lock (fcntl/msvcrt through filelock) on the project's lock file: one daemon
    (or `run --once`) per project folder. Released by the OS if the process dies."""
    path = settings.path("daemon", "lock_file")
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(path, timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise LockedError(
            _(
                "another siaran daemon is already running for this project folder (lock {path} is held); "
                "stop it first, or leave it running: it sends everything that is due"
            ).format(path=path)
        ) from None
    try:
        yield path
    finally:
        lock.release()


class Daemon:
    def __init__(self, root: Path, settings: Settings, clock: Clock):
        self.root = root
        self.settings = settings
        self.clock = clock
        self.stopping = threading.Event()
        self.mode = "daemon"  # or "once": the heartbeat says which ran the last pass
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._idle = threading.Event()
        self._idle.set()
        self._scheduler: BlockingScheduler | None = None
        self._problems: list[str] = []
        self.started = clock.now()
        self.backups = False  # the foreground daemon takes the day's backup when idle; `run --once` never
        self._backup: threading.Thread | None = None
        # What the operator's console shows: short sentences in their language (the log stays English).
        self.tell: Callable[[str], None] = lambda text: None
        self.on_pass: Callable[[list[runner.Result]], None] = lambda results: None

    def app(self) -> App:
        """A fresh App each pass, so edits to content and schedules are picked up."""
        return App(root=self.root, settings=self.settings, clock=self.clock, tolerant=True)

    # ── one pass ──
    def tick(self) -> tuple[list[runner.Result], timedelta]:
        """Process everything due; returns the results and how long to sleep until the next pass."""
        self._idle.clear()
        app = self.app()
        try:
            try:
                self._log_problems(app)
                results = eventloop.run(self._process(app))
            except (ContentErrors, HistoryError) as e:  # nothing can be sent: the operator must know
                reason = str(e).splitlines()[0]
                text = _("siaran sent nothing: {reason}").format(reason=reason)
                asyncio.run(alerts.notify(app, [alerts.Alert(f"stopped:{type(e).__name__}", text)]))
                raise
            now = app.now()
            if not self.stopping.is_set() and any(d.action == "run" for _, d in runner.due(app, now)):
                wait = timedelta(0)  # fell due during a long broadcast: go again at once
            else:
                following = runner.next_due(app, now, MAX_SLEEP)
                # A catch-up waiting for office hours: a pass when the office opens.
                following = min([t for t in [following, *(r.until for r in results)] if t], default=None)
                wait = MAX_SLEEP if following is None else min(max(following - now, timedelta(0)), MAX_SLEEP)
            beat(app.db, worker_id(), self.started, now, now + wait, _summary(results), self.mode)
            if self.backups and wait >= IDLE:
                self._backup_when_idle(app.local_now().date())
            return results, wait
        finally:
            if "db" in app.__dict__:  # opened this pass: close it, the next pass opens its own
                app.db.conn.close()
            self._idle.set()

    def _backup_when_idle(self, today) -> None:
        """The day's backup, in a thread of its own once a pass finds nothing due soon: the next
        pass never waits for it, and no operator's command ever pays for it."""
        path, history = self.settings.path("history"), self.settings.history
        busy = self._backup is not None and self._backup.is_alive()
        if busy or not backups.due(path, today, history.backups):
            return

        def take() -> None:
            try:
                taken = backups.take(path, today, history.backups, history.backup_budget_mb)
            except SiaranError as e:  # a failed backup never stops the schedules: the log says why
                log.warning("%s", e)
                return
            log.info("history backed up to %s (%d bytes of %d)", taken.path, taken.size, taken.source)

        self._backup = threading.Thread(target=take, name="siaran-backup", daemon=True)
        self._backup.start()

    def _log_problems(self, app: App) -> None:
        """Content problems go to the log when they change, not every pass."""
        problems = app.content_warnings()  # found in this pass's load; kept for history and report
        if problems != self._problems:
            self._problems = problems
            if problems:
                log.error(
                    "%d content problem(s); only what needs these files is held back:\n  %s",
                    len(problems),
                    "\n  ".join(problems),
                )
                self.tell(
                    ngettext(
                        "{n} problem in the content; only what uses that file is held back (`siaran check`):",
                        "{n} problems in the content; only what uses those files is held back (`siaran check`):",
                        len(problems),
                    ).format(n=len(problems))
                    + "".join(f"\n  {p}" for p in problems)
                )
            else:
                log.info("content problems fixed")
                self.tell(_("The content problems are fixed."))

    async def _process(self, app: App) -> list[runner.Result]:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        if self.stopping.is_set():
            self._stop.set()
        try:
            results = await runner.process_due(app, self._stop)
            stopped = None
            if not self._stop.is_set():
                stopped = await _publish_waiting_instagram(app)
            found = alerts.for_problems(app.project) + alerts.for_results(results) + _inbox(app)
            _forget_old(app)
            if stopped:
                found.append(
                    alerts.Alert(
                        f"instagram:{stopped.code}",
                        _("siaran: the Instagram queue stopped: {reason}.").format(reason=say(stopped)),
                    )
                )
            await alerts.notify(app, found)
            return results
        finally:
            self._loop = None

    def request_stop(self) -> None:
        """Safe from a signal handler or another thread: the message in flight finishes."""
        self.stopping.set()
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop just closed: nothing left to stop
                loop.call_soon_threadsafe(stop.set)

    # ── foreground daemon ──
    def serve(self) -> None:
        """Run until stopped. Blocks; SIGINT/SIGTERM (when on the main thread) stop it gently."""
        logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not two lines per pass in the log
        self._scheduler = BlockingScheduler(
            executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self._scheduler.add_job(self._job, id=JOB)  # a first pass right away: catch-up
        self.backups = True
        log.info("siaran daemon started for %s (rehearsed time %s)", self.root, self.clock.start or "off")
        with _signals(self._on_signal):
            self._scheduler.start()
        self._idle.wait()  # the pass in flight finishes its message, then returns
        log.info("siaran daemon stopped")

    def _job(self) -> None:
        try:
            results, wait = self.tick()
            for r in results:
                log.info("%s %s: %s %s", r.occurrence, r.post, r.status, r.reason)
            self.on_pass(results)
        except ContentErrors as e:
            log.error("the office file has %d problem(s); nothing sent until fixed:\n%s", len(e.problems), e)
            self.tell(_("content/office.yaml has problems: nothing is sent until it is fixed (`siaran check`)."))
            wait = MAX_SLEEP
        except SiaranError as e:
            log.error("%s", e)
            self.tell(str(e))
            wait = MAX_SLEEP
        except Exception:
            log.exception("unexpected error; trying again in %s", MAX_SLEEP)
            self.tell(_("Something went wrong; trying again in 5 minutes. The details are in the log file."))
            wait = MAX_SLEEP
        if self.stopping.is_set() or self._scheduler is None:
            return
        # Small margin: the wall clock and the app clock may differ by a few microseconds.
        when = Clock().now() + wait + timedelta(milliseconds=200)
        log.debug("next pass at %s", when.isoformat())
        self._scheduler.add_job(self._job, "date", run_date=when, id=JOB, replace_existing=True)

    def _on_signal(self, signum: int, frame: object) -> None:
        log.info("stopping (signal %d): finishing the message in flight, leaving the rest queued", signum)
        self.request_stop()
        if self._scheduler is not None and self._scheduler.running:
            # wait=False: the pass in flight holds no scheduler lock we could wait on from here.
            self._scheduler.shutdown(wait=False)


@contextlib.contextmanager
def _signals(handler) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def run_once(daemon: Daemon) -> list[runner.Result]:
    """`siaran run --once`: everything due now (catch-up included), then return. Ctrl-C/SIGTERM
    finish the message in flight and leave the rest queued for the next run."""

    def on_signal(signum: int, frame: object) -> None:
        log.info("stopping (signal %d): finishing the message in flight", signum)
        daemon.request_stop()

    daemon.mode = "once"
    with _signals(on_signal):
        results, _ = daemon.tick()
    return results


def _summary(results: list[runner.Result]) -> Reason:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    if not counts:
        return reason("daemon.nothing_due")
    return reason(
        "joined", parts=[reason("daemon.count", n=n, status=reason(f"status.{s}")) for s, n in sorted(counts.items())]
    )


def _inbox(app: App) -> list[alerts.Alert]:
    """The inbox's morning alert; and messages past their retention period deleted. Never stops a pass."""
    from .inbox import watch

    try:
        watch.purge(app)
        return watch.morning_alert(app)
    except Exception:
        log.exception("inbox check failed")
        return []


def _forget_old(app: App) -> None:
    """Numbers no list has held for a long time leave the phone book, and texts `check` rendered
    that nothing used for a month leave the history. Never stops a pass."""
    from .history import phone_numbers, rendered_texts

    try:
        gone = phone_numbers.forget_unseen(app.db, app.now().date())
        rendered_texts.forget_unused(app.db, app.now().date())
    except Exception:
        log.exception("history upkeep failed (phone book, rendered texts)")
        return
    if gone:
        log.info("phone book: %d number(s) no list held for %d days forgotten", gone, phone_numbers.KEEP_DAYS)


async def _publish_waiting_instagram(app: App) -> Reason | None:
    """Instagram posts held back earlier (publishing limit, media not yet synced, a publish to
    reconcile) get another chance on every pass; a failure here never stops the schedules."""
    from .delivery import instagram as queue  # imported late: most passes have nothing waiting

    try:
        result = await queue.process(app)
    except SiaranError as e:
        log.warning("Instagram queue not processed: %s", e)
        return None
    for o in result.outcomes:
        log.info("instagram %s: %s %s", o.post, o.status, o.error)
    if result.stopped:
        log.warning("Instagram queue stopped: %s", result.stopped)
    return result.stopped
