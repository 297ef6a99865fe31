"""content/autoreply.yaml: what the office's WhatsApp answers by itself.

A welcome on first contact, the numbered menu ("menu" or "0"), one answer per number (a text, or a
post: an SOP answer sends its infographic), an away message outside office hours (once a day per
person) and a fallback. The Cloud API shows the menu as a list (at most 10 rows, row title at most
24 characters, description 72, button 20), so the same limits apply to every provider.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path

from ..errors import ContentError, did_you_mean
from ..i18n import _
from .yamlfile import Fields, Located, read_mapping

REL = "content/autoreply.yaml"
MAX_OPTIONS = 10
TITLE_MAX = 24
DESCRIPTION_MAX = 72
BUTTON_MAX = 20
BODY_MAX = 1024
DAYS = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "sabtu": 5, "minggu": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
_SPAN = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})\s*$")

DEFAULT_STOP = (
    "Baik, nomor Anda sudah kami hapus dari daftar siaran {office}. Anda tidak akan menerima siaran lagi.\n"
    "Jika ingin menerima siaran kembali, balas *MULAI*."
)
INTAKES = ("aduan", "saran")
# The answer to a message recorded as an aduan or saran; {ticket} is its number.
TICKET_REPLY = {
    "aduan": "Terima kasih, aduan Anda sudah kami catat. Nomor aduan Anda {ticket}.\n"
    "Petugas kami menindaklanjutinya pada jam kerja; sebutkan nomor ini bila menanyakannya.",
    "saran": "Terima kasih atas saran Anda. Nomor saran Anda {ticket}.",
}
# In the away message, {buka} becomes when the office opens next ("Senin, 23 November pukul 08.00 WITA");
# an away message without it gets this sentence at its end.
AWAY_WHEN = "Petugas kami akan membalas mulai {buka}."

DEFAULT_START = (
    "Terima kasih, nomor Anda kembali terdaftar untuk menerima siaran {office}.\n"
    "Untuk berhenti kapan saja, balas *BERHENTI*."
)


@dataclass(frozen=True)
class Option:
    """One numbered choice of the auto-reply menu: an answer, a post to send, or an intake."""

    title: str
    description: str = ""
    reply: str = ""  # the answer's text, or
    post: str = ""  # a post name (e.g. sop/ktp-el): its WhatsApp text and images
    line: int | None = None
    intake: str = ""  # aduan | saran: the person's next message is recorded as one, with a ticket number


@dataclass(frozen=True)
class Autoreply:
    """content/autoreply.yaml: the menu a citizen's message is answered with, and when."""

    welcome: str
    intro: str  # the line above the numbered options
    button: str  # the Cloud list's button text
    options: tuple[Option, ...]
    fallback: str
    away: str = ""
    hours: dict[int, tuple[time, time]] = field(default_factory=dict)  # weekday → (open, close), office time
    stop: str = DEFAULT_STOP
    start: str = DEFAULT_START
    lines: dict[str, int] = field(default_factory=dict)

    def open_at(self, local: datetime) -> bool:
        """Within office hours (no hours given: always open, no away message)."""
        if not self.hours:
            return True
        span = self.hours.get(local.weekday())
        return bool(span) and span[0] <= local.time() < span[1]

    def menu_text(self) -> str:
        lines = [self.intro, ""] + [f"*{i}.* {o.title}" for i, o in enumerate(self.options, 1)]
        return "\n".join([*lines, "", "Balas dengan angka pilihan Anda. Ketik *0* untuk kembali ke menu."])


def _hours(data: object, f: Fields, problems: list[ContentError]) -> dict[int, tuple[time, time]]:
    out: dict[int, tuple[time, time]] = {}
    if data is None:
        return out
    if not isinstance(data, Located):
        f.error("hours", _("must be day: HH:MM-HH:MM lines, e.g. senin: 08:00-15:00"))
        return out
    for day, span in data.items():
        line = data.line_of(day)
        names = [d.strip().lower() for d in str(day).split("-")]
        if not all(n in DAYS for n in names) or len(names) > 2:
            message = _("unknown day {value!r} (senin … minggu, or senin-jumat)").format(value=day)
            problems.append(ContentError(REL, message, line=line, field="hours"))
            continue
        m = _SPAN.match(str(span))
        if not m or int(m[1]) > 23 or int(m[3]) > 24 or int(m[2]) > 59 or int(m[4]) > 59:
            problems.append(
                ContentError(
                    REL, _("{day}: {value!r} is not HH:MM-HH:MM").format(day=day, value=span), line=line, field="hours"
                )
            )
            continue
        start, end = time(int(m[1]), int(m[2])), time(min(int(m[3]), 23), int(m[4]) if int(m[3]) < 24 else 59)
        first, last = DAYS[names[0]], DAYS[names[-1]]
        for d in range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]:
            out[d] = (start, end)
    return out


def _options(data: object, f: Fields, problems: list[ContentError]) -> tuple[Option, ...]:
    menu = data if isinstance(data, list) else None
    if not menu:
        f.error("options", _("must be a list of options, each with title and reply (or post)"))
        return ()
    if len(menu) > MAX_OPTIONS:
        f.error("options", _("{n} options; at most {limit} (a WhatsApp list holds 10 rows)").format(
            n=len(menu), limit=MAX_OPTIONS))  # fmt: skip
    out = []
    for i, item in enumerate(menu, 1):
        if not isinstance(item, Located):
            f.error("options", _("option {n} must be title: ... with reply: or post:").format(n=i))
            continue
        o = Fields(item, REL, ("title", "description", "reply", "post", "intake"), problems)
        title = o.str("title", required=True) or ""
        description = o.str("description", default="") or ""
        reply, post = o.str("reply", default="") or "", o.str("post", default="") or ""
        intake = (o.str("intake", default="") or "").strip().lower()
        if intake and intake not in INTAKES:
            o.error("intake", _("option {n}: intake is {value!r}; it can be aduan or saran").format(n=i, value=intake))
            intake = ""
        if len(title) > TITLE_MAX:
            o.error("title", _("option {n}: title is {count} characters; at most {limit} (WhatsApp list)").format(
                n=i, count=len(title), limit=TITLE_MAX))  # fmt: skip
        if len(description) > DESCRIPTION_MAX:
            o.error("description", _("option {n}: description is {count} characters; at most {limit}").format(
                n=i, count=len(description), limit=DESCRIPTION_MAX))  # fmt: skip
        if bool(reply) == bool(post):
            o.error(
                "reply", _("option {n}: give either reply: (a text) or post: (a post name), one of them").format(n=i)
            )
        out.append(
            Option(title, description, reply, post.removesuffix(".md").removesuffix(".yaml"), item.line, intake)
        )
    return tuple(out)


def load_autoreply(root: Path, problems: list[ContentError]) -> Autoreply | None:
    """The auto-reply menu, or None when the office has no content/autoreply.yaml. What is wrong is
    appended to ``problems``: a caller must not use a menu that came with problems."""
    path = Path(root) / REL
    if not path.exists():
        return None
    data = read_mapping(path, REL, problems)
    if data is None:
        return None
    f = Fields(data, REL, ("welcome", "menu", "fallback", "away", "hours", "stop", "start"), problems)
    menu = data.get("menu")
    if not isinstance(menu, Located):
        f.error("menu", _("missing menu: (intro, button, options)"))
        return None
    m = Fields(menu, REL, ("intro", "button", "options"), problems)
    intro = m.str("intro", default="Silakan pilih layanan:") or ""
    button = m.str("button", default="Pilih layanan") or ""
    if len(button) > BUTTON_MAX:
        m.error(
            "button", _("button is {count} characters; at most {limit}").format(count=len(button), limit=BUTTON_MAX)
        )
    if len(intro) > BODY_MAX:
        m.error("intro", _("intro is {count} characters; at most {limit}").format(count=len(intro), limit=BODY_MAX))
    auto = Autoreply(
        welcome=f.str("welcome", required=True) or "",
        intro=intro,
        button=button,
        options=_options(menu.get("options"), m, problems),
        fallback=f.str("fallback", required=True) or "",
        away=f.str("away", default="") or "",
        hours=_hours(data.get("hours"), f, problems),
        stop=f.str("stop", default=DEFAULT_STOP) or DEFAULT_STOP,
        start=f.str("start", default=DEFAULT_START) or DEFAULT_START,
        lines=dict(data.lines),
    )
    if auto.hours and not auto.away:
        f.error("hours", _("office hours are given but no away: message to send outside them"))
    return auto


def check_autoreply(project) -> list[ContentError]:
    """content/autoreply.yaml is valid and every post it answers with exists (`siaran check`)."""
    problems: list[ContentError] = []
    auto = load_autoreply(project.root, problems)
    for o in auto.options if auto else ():
        if o.post and o.post not in project.posts:
            problems.append(
                ContentError(REL, _("option {title!r}: no post named {name!r}").format(title=o.title, name=o.post)
                             + (did_you_mean(o.post, project.posts) or _("; `siaran list` shows them")),
                             line=o.line, field="post")
            )  # fmt: skip
    return problems
