"""What templates see, as plain data (the office, a post, a greeting's day) and the filters they
call (``tanggal``, ``polos``): everything of rendering a text that needs no Jinja2, so `siaran check`
can name a text it rendered before (siaran.render.remembered) without loading Jinja2 at all."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..content.calendar import Calendar
from ..content.model import Office, Post
from .markup import to_plain
from .memo import memo

BUILTIN = Path(__file__).resolve().parent.parent / "templates"
REMEMBERED_DATES = 512  # a template can ask for any number of date formats: remembered up to this many


def polos(text: str) -> str:
    """WhatsApp markup (*bold*, _italic_, ~strike~) dropped cleanly: Instagram shows it literally."""
    return to_plain(str(text))


def holiday_data(calendar: Calendar | None, post: Post, today: date | None) -> dict[str, Any] | None:
    """What a greeting knows of its day: ``{{ holiday.weekday }}, {{ holiday.date | tanggal }}``,
    "HUT ke-{{ holiday.anniversary }} RI" (years since the first one: Kemerdekaan 1945, a local
    day's ``since:``)."""
    if not post.holiday or calendar is None or today is None:
        return None
    when = calendar.next_on(post.holiday, today)
    if when is None:
        return None
    first = calendar.first_year(post.holiday)
    return {
        "name": post.holiday, "date": when, "weekday": tanggal(when, "EEEE"), "year": when.year,
        "anniversary": when.year - first if first else None,
    }  # fmt: skip


@lru_cache(maxsize=1024)  # a broadcast formats the same date for every recipient
def tanggal(value: date | datetime | str, fmt: str = "EEEE, d MMMM y") -> str:
    """Dates the Indonesian way: Sabtu, 28 November 2026."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if not isinstance(value, date) or not isinstance(fmt, str) or len(fmt) > 64:
        return _babel_date(value, fmt)  # Babel says what is wrong with it, or a format of no use to remember
    # Babel loads with its Indonesian data on a command's first date: a date formatted before is
    # remembered in render's cache folder (named by the code and the installed Babel).
    return memo("dates", REMEMBERED_DATES).get(f"{value.isoformat()} {fmt}", lambda: _babel_date(value, fmt))


def _babel_date(value: Any, fmt: str) -> str:
    from babel.dates import format_date

    return format_date(value, fmt, locale="id")


def office_data(office: Office) -> dict[str, Any]:
    """The office as templates see it (no logo or font paths)."""
    return {
        "name": office.name,
        "kind": office.kind,
        "address": office.address,
        "timezone": office.timezone.key,
        "tz_label": office.tz_label,
        "hours": office.hours,
        "whatsapp": office.whatsapp,
        "whatsapp_display": office.whatsapp_display,
        "instagram": office.instagram,
        "website": office.website,
        "email": office.email,
        "links": dict(office.links),
        "hashtags": list(office.hashtags),
        "brand": {
            "primary": office.brand.primary,
            "accent": office.brand.accent,
            "background": office.brand.background,
            "text": office.brand.text,
        },
        "region": office.region,
    }


def post_data(post: Post, body: str) -> dict[str, Any]:
    """The post as templates see it, ``body`` already rendered (no source path, no methods)."""
    sop = post.sop
    return {
        "name": post.name,
        "kind": post.kind,
        "title": post.title,
        "channels": list(post.channels),
        "lists": list(post.lists),
        "body": body,
        "summary": post.summary,
        "hashtags": list(post.hashtags),
        "images": [p.name for p in post.images],
        "card": post.card,
        "holiday": post.holiday,
        "theme": post.theme,
        "template": post.template,
        "event": {"date": post.event.date, "time": post.event.time, "place": post.event.place},
        "date": post.event.date,
        "time": post.event.time,
        "place": post.event.place,
        "sop": None
        if sop is None
        else {
            "service": sop.service,
            "requirements": list(sop.requirements),
            "steps": [str(s) for s in sop.steps],  # "Hari ke-2: verifikasi (Ketua RT)"
            "step_parts": [
                {"langkah": s.langkah, "waktu": s.waktu, "petugas": s.petugas}
                if hasattr(s, "langkah")
                else {"langkah": str(s), "waktu": "", "petugas": ""}
                for s in sop.steps
            ],
            "duration": sop.duration,
            "cost": sop.cost,
            "form": sop.form,
            "qr": sop.qr,
            "whatsapp_text": sop.whatsapp_text,
            "notes": list(sop.notes),
        },
        "content_hash": post.content_hash,
    }
