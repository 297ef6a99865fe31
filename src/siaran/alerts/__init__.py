"""Operator alerts: the person responsible hears about a problem from siaran, not from citizens.

Alerts go through Apprise (one URL per service: ``mailto://``, ``tgram://``, ``ntfys://``,
``json://`` ... from ``alerts.urls``, comma-separated) and to the operator's own WhatsApp
(``whatsapp.operator``) through the office's provider. Each is short plain text in the operator's
language (siaran.i18n) naming the post, schedule, file:line, count, reason and what to do. One
alert per problem per office day (history table ``alerts``), so a problem retried every pass never
floods anyone; an alert that cannot be delivered is logged and recorded, never raised.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..app import App
from ..channels import make_driver
from ..channels.base import Message
from ..content.phones import normalise_phone
from ..content.project import Project
from ..delivery.occurrences import Result
from ..errors import DeliveryError, HistoryError, SiaranError
from ..history import alerts as recorded
from ..i18n import N_, _, ngettext
from ..reasons import Reason, reason, say, text

log = logging.getLogger(__name__)

TITLE = N_("siaran: needs attention")
# Skips that mean siaran was not running when it should have been (the operator should hear of them).
MISSED = frozenset({"schedule.missed_grace", "schedule.missed_not_latest", "schedule.missed_closed", "occurrence.gap"})


@dataclass(frozen=True)
class Alert:
    problem: str  # stable key: one alert per problem per day
    text: str


def for_results(results: Iterable[Result]) -> list[Alert]:
    """Held and failed occurrences, and occurrences the daemon did not run in time."""
    out = []
    missed: dict[str, list[Result]] = {}
    for r in results:
        if r.status == "held":
            out.append(
                Alert(
                    f"held:{r.occurrence}",
                    _(
                        "siaran: {post} (schedule {schedule}) is HELD, not sent. Problem: {reason}. Fix that file "
                        "(`siaran check`); siaran sends it by itself while it is still within its time limit."
                    ).format(post=r.post, schedule=r.schedule, reason=say(r.reason)),
                )
            )
        elif r.status == "failed":
            out.append(
                Alert(
                    f"failed:{r.occurrence}",
                    _(
                        "siaran: not all of {post} (schedule {schedule}) went out: {reason}. "
                        "See `siaran history --status failed`, then `siaran retry --failed` if needed."
                    ).format(post=r.post, schedule=r.schedule, reason=say(r.reason)),
                )
            )
        elif r.status == "skipped" and r.reason is not None and r.reason.code in MISSED:
            missed.setdefault(r.schedule, []).append(r)
    for schedule, rs in missed.items():
        out.append(
            Alert(
                f"missed:{schedule}",
                ngettext(
                    "siaran: {n} occurrence of schedule {schedule} was missed and not sent ({reason}). "
                    "Make sure the office computer is on and `siaran run` is running (`siaran status`).",
                    "siaran: {n} occurrences of schedule {schedule} were missed and not sent ({reason}). "
                    "Make sure the office computer is on and `siaran run` is running (`siaran status`).",
                    len(rs),
                ).format(n=len(rs), schedule=schedule, reason=say(rs[-1].reason)),
            )
        )
    return out


def for_problems(project: Project) -> list[Alert]:
    """Content problems, one alert per file (the file and its first problem, with the count)."""
    by_file: dict[str, list] = {}
    for p in project.problems:
        by_file.setdefault(Path(p.path).as_posix(), []).append(p)
    return [
        Alert(
            f"content:{path}",
            ngettext(
                "siaran: {n} problem in {path}: {first}. What uses this file is held; "
                "the rest still goes out. Fix it, then run `siaran check`.",
                "siaran: {n} problems in {path}, e.g. {first}. What uses this file is held; "
                "the rest still goes out. Fix it, then run `siaran check`.",
                len(found),
            ).format(n=len(found), path=path, first=found[0]),
        )
        for path, found in by_file.items()
    ]


async def notify(app: App, alerts: Sequence[Alert]) -> int:
    """Send each alert not yet sent today; returns how many went out. Never raises."""
    sent = 0
    for alert in alerts:
        try:
            sent += await _one(app, alert)
        except Exception:  # an alert must never stop the daemon
            log.exception("alert %s could not be sent", alert.problem)
    return sent


async def _one(app: App, alert: Alert) -> bool:
    day = app.local_now().date().isoformat()
    try:
        db = app.db
    except HistoryError:
        db = None  # the history itself is the problem: tell the operator anyway, unrecorded
    if db is not None and not recorded.claim(db, alert.problem, day, alert.text, app.now()):
        return False  # already alerted today
    urls = [u.strip() for u in str(app.settings.alerts.urls).split(",") if u.strip()]
    targets: list[str] = []
    errors: list[Reason] = []
    if urls:
        targets.append(f"apprise ({len(urls)})")
        if not await _apprise(urls, alert.text, app.settings.network.proxy):
            errors.append(reason("alert.apprise_failed"))
    operator = str(app.settings.whatsapp.operator or "")
    if operator:
        targets.append("whatsapp operator")
        if error := await _whatsapp(app, operator, alert, day):
            errors.append(error)
    if not targets:
        errors.append(reason("alert.no_target"))
    ok = bool(targets) and not errors
    why = reason("joined", parts=errors) if errors else None
    if db is not None:
        recorded.delivered(db, alert.problem, day, ", ".join(targets), ok, why)
    if errors:
        # No target set is the operator's choice (the page and `siaran status` still list it):
        # a note in the log, not a warning on every run's terminal.
        level = logging.WARNING if targets else logging.INFO
        log.log(level, "alert %s not delivered: %s", alert.problem, why)
    else:
        log.info("alert sent (%s): %s", ", ".join(targets), alert.text)
    return ok


async def _apprise(urls: list[str], text: str, proxy: str) -> bool:
    import apprise  # imported late: its plugins load on first use, and most passes alert nobody

    notifier = apprise.Apprise()
    added = [notifier.add(u) for u in urls]
    if not any(added):
        return False
    from ..delivery.http import proxy_environment

    with proxy_environment(proxy):  # Apprise's plugins (requests) read the proxy from the environment
        return bool(await notifier.async_notify(title=_(TITLE), body=text)) and all(added)


def _tag(problem: str) -> str:
    return hashlib.sha256(problem.encode()).hexdigest()[:8]


async def _whatsapp(app: App, raw: str, alert: Alert, day: str) -> Reason | None:
    phone, why = normalise_phone(raw)
    if not phone:
        return reason("alert.operator_invalid", reason=why)
    message = Message(
        # Its own post name per problem: the outbox keeps one file per post and recipient.
        key=f"alert:{alert.problem}:{day}", post=f"siaran-peringatan-{_tag(alert.problem)}", channel="whatsapp",
        recipient=phone,
        text=alert.text, recipient_name="Operator", day=app.local_now().date(), batch="alert",
    )  # fmt: skip
    from ..delivery.http import broadcast_client  # httpx and aiohttp: only when an alert goes out

    async with broadcast_client(app.settings) as http:
        driver = make_driver(app.settings, http, app.clock)
        try:
            await driver.send(message)
        except SiaranError as e:
            return reason("alert.operator_whatsapp", error=e.reason if isinstance(e, DeliveryError) else text(str(e)))
        finally:
            await driver.aclose()
    return None
