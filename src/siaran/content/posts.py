"""Posts: announcements/*.md and greetings/*.md (front matter + body), sop/*.yaml."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

from ..errors import ContentError
from ..i18n import _
from .dates import no_such_date
from .files import MAX_MEDIA_BYTES, UnsafeFile, content_file, read_text, refused
from .images import image_problem
from .model import CHANNELS, FOLDER_KIND, TEMPLATE_PARAMETERS, Event, Post, Sop, Step, WhatsAppTemplate
from .office import COLOUR, is_url
from .phones import Numbers, parse_all
from .yamlfile import Fields, Located, load_yaml_mapping, parse_yaml, shift_lines

COMMON = (
    "title",
    "channels",
    "lists",
    "summary",
    "hashtags",
    "image",
    "card",
    "template",
    "whatsapp_template",
    "urgent",
)
KIND_FIELDS = {
    "announcement": (*COMMON, "date", "until", "sampai", "time", "place"),
    "greeting": (*COMMON, "holiday", "theme"),
    "sop": (
        *COMMON,
        "service",
        "requirements",
        "steps",
        "duration",
        "cost",
        "form",
        "qr",
        "whatsapp_text",
        "notes",
        "contact",
    ),
}
TIME = re.compile(r"^\d{1,2}[.:]\d{2}( ?[-–] ?(\d{1,2}[.:]\d{2}|selesai))?( ?(WIB|WITA|WIT))?$")
CLOCKS = re.compile(r"(\d{1,2})[.:](\d{2})")
MAX_IMAGES = 10  # Instagram's carousel limit; WhatsApp gets the same images
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}


GREETING_LAYOUTS = ("klasik", "bingkai", "resmi")  # greeting card layouts a theme may name


def _until(f, meta: dict, first: date | None) -> date | None:
    """``until:`` (or ``sampai:``): the last day of a series of events announced by one post."""
    given = [key for key in ("until", "sampai") if meta.get(key) is not None]
    if len(given) > 1:
        f.error("sampai", _("give the last day once: until: or sampai:, not both"))
        return None
    if not given:
        return None
    value = meta[given[0]]
    if not isinstance(value, date):
        f.error(given[0], _("{value!r} is not a date like 2026-11-28").format(value=value))
        return None
    if first is not None and value < first:
        f.error(given[0], _("{last} is before the event's date {first}").format(last=value, first=first))
        return None
    return value


def split_front_matter(text: str, rel: str) -> tuple[str, str, int]:
    """Returns (yaml text, body, line number of the body's first line)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ContentError(
            rel, _("must start with a '---' line opening the front matter (title, channels, ...)"), line=1
        )
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "".join(lines[1:i]), "".join(lines[i + 1 :]).strip("\n"), i + 2
    raise ContentError(rel, _("front matter is not closed: add a '---' line after it"), line=1)


def _load_meta(path: Path, rel: str, kind: str) -> tuple[Located, str, int]:
    if kind == "sop":
        return load_yaml_mapping(path, rel), "", 1
    text = read_text(path, rel)
    meta_text, body, body_line = split_front_matter(text, rel)
    meta = parse_yaml(meta_text, rel, line_offset=1)
    if meta is None:
        raise ContentError(rel, _("front matter is empty: it needs at least a title"), line=2)
    if not isinstance(meta, Located):
        raise ContentError(rel, _("front matter must be key: value pairs"), line=2)
    return shift_lines(meta, 1), body, body_line


def load_post(root: Path, path: Path, problems: list[ContentError], numbers: Numbers = parse_all) -> Post | None:
    content = root / "content"
    rel = path.relative_to(root).as_posix()
    name = path.relative_to(content).with_suffix("").as_posix()
    kind = FOLDER_KIND[path.relative_to(content).parts[0]]
    try:
        meta, body, body_line = _load_meta(path, rel, kind)
    except ContentError as e:
        problems.append(e)
        return None
    before = len(problems)
    f = Fields(meta, rel, KIND_FIELDS[kind], problems)
    title = f.str("title", required=kind != "sop") or f.str("service") or ""
    channels = f.str_list("channels") or CHANNELS
    for ch in channels:
        if ch not in CHANNELS:
            f.error("channels", _("unknown channel {name!r} (use whatsapp or instagram)").format(name=ch))
    images: list[Path] = []
    raw_images = meta.get("image")
    for value in [raw_images] if isinstance(raw_images, str) else f.str_list("image"):
        p = content / value
        if p.suffix.lower() not in IMAGE_SUFFIXES:
            f.error("image", _("{value!r}: images must be .jpg or .png").format(value=value))
            continue
        try:
            real = content_file(content, p, max_bytes=MAX_MEDIA_BYTES)
        except UnsafeFile as e:
            f.error("image", refused(value, e))
            continue
        problem = image_problem(real)
        if problem:
            f.error("image", refused(value, problem))
        else:
            images.append(real)
    if len(images) > MAX_IMAGES:
        f.error(
            "image",
            _("at most {limit} images per post (Instagram's limit), not {count}").format(
                limit=MAX_IMAGES, count=len(images)
            ),
        )
    if kind != "sop" and not body.strip():
        problems.append(ContentError(rel, _("the message body below the front matter is empty"), line=body_line))
    event = Event()
    sop = None
    holiday = theme = ""
    if kind == "announcement":
        when = meta.get("date")
        if when is not None and not isinstance(when, date):
            f.error("date", no_such_date(when) or _("{value!r} is not a date like 2026-11-28").format(value=when))
            when = None
        at = f.str("time", default="") or ""
        if at and (not TIME.match(at) or not all(int(h) < 24 and int(m) < 60 for h, m in CLOCKS.findall(at))):
            f.error(
                "time", _("{value!r} is not a time like 08.00 or 08.00-11.00 WITA (00.00 to 23.59)").format(value=at)
            )
        until = _until(f, meta, when)
        event = Event(date=when, time=at, place=f.str("place", default="") or "", until=until)
    elif kind == "greeting":
        holiday = f.str("holiday", required=True) or ""
        theme = f.str("theme", default="") or ""
        if any(not COLOUR.match(w) and w.lower() not in GREETING_LAYOUTS for w in theme.split()):
            f.error(
                "theme",
                _("{value!r} is not a colour like #0B6E4F and/or a layout ({names})").format(
                    value=theme, names=", ".join(GREETING_LAYOUTS)
                ),
            )
    else:
        sop = _load_sop(f, meta, numbers)
    wa_template = _whatsapp_template(f, meta)
    if len(problems) > before:
        return None
    digest = hashlib.sha256(path.read_bytes())
    for p in images:
        digest.update(p.read_bytes())
    return Post(
        name=name,
        kind=kind,
        path=path,
        title=title,
        channels=tuple(channels),
        lists=f.str_list("lists"),
        body=body,
        body_line=body_line,
        summary=f.str("summary", default="") or "",
        hashtags=tuple(h if h.startswith("#") else f"#{h}" for h in f.str_list("hashtags")),
        images=tuple(images),
        card=f.bool("card"),
        urgent=f.bool("urgent"),
        holiday=holiday,
        theme=theme,
        template=f.str("template", default="") or "",
        whatsapp_template=wa_template,
        event=event,
        sop=sop,
        content_hash=digest.hexdigest()[:16],
        lines=dict(meta.lines),
    )


def _load_sop(f: Fields, meta: Located, numbers: Numbers) -> Sop:
    form = f.str("form", default="") or ""
    if form and not is_url(form):
        f.error("form", _("{value!r} is not a link (https://...)").format(value=form))
    qr = f.str("qr", default="form") or "form"
    if qr not in ("form", "whatsapp"):
        f.error("qr", _("must be form or whatsapp, not {value!r}").format(value=qr))
    elif qr == "form" and not form:
        f.error("form", _("the QR code opens the form link: add form: https://... (or set qr: whatsapp)"))
    contact = f.str("contact", default="") or ""
    if contact and any(c.isdigit() for c in contact):  # a number; otherwise the label of an office number
        contact, reason = numbers([contact])[contact]
        if not contact:
            f.error("contact", _("{value!r} is not a valid Indonesian mobile number: {reason}").format(
                value=meta.get("contact"), reason=_(reason)))  # fmt: skip
    return Sop(
        service=f.str("service", required=True) or "",
        requirements=f.str_list("requirements", required=True),
        steps=_steps(f, meta),
        duration=f.str("duration", required=True) or "",
        cost=f.str("cost", default="") or "",
        contact=contact,
        form=form,
        qr=qr,
        whatsapp_text=f.str("whatsapp_text", default="") or "",
        notes=f.str_list("notes"),
    )


STEP_FIELDS = ("langkah", "waktu", "petugas")


def _steps(f: Fields, meta: Located) -> tuple[Step, ...]:
    """Each step is a text, or {langkah, waktu, petugas}: "Hari ke-2", "verifikasi", "Ketua RT"."""
    raw = meta.get("steps")
    if raw is None or not isinstance(raw, list) or not raw:
        return tuple(Step(s) for s in f.str_list("steps", required=True))
    steps = []
    for item in raw:
        if isinstance(item, Located):
            g = Fields(item, f.path, STEP_FIELDS, f.problems)
            steps.append(Step(g.str("langkah", required=True) or "", g.str("waktu") or "", g.str("petugas") or ""))
        elif item is None or isinstance(item, list):
            f.error("steps", _("each step is a text or {langkah, waktu, petugas}"))
        else:
            steps.append(Step(str(item).strip()))
    return tuple(steps)


def post_files(root: Path) -> list[Path]:
    content = root / "content"
    files: list[Path] = []
    for folder, kind in FOLDER_KIND.items():
        suffixes = (".yaml", ".yml") if kind == "sop" else (".md",)
        base = content / folder
        if base.is_dir():
            # Not only regular files: a FIFO or a dangling link is reported by reading it, not skipped.
            files.extend(sorted(p for p in base.rglob("*") if p.suffix in suffixes and not p.is_dir()))
    return files


def _whatsapp_template(f: Fields, meta: Located) -> WhatsAppTemplate | None:
    """``whatsapp_template: name`` or ``{name, language, parameters}``."""
    value = meta.get("whatsapp_template")
    if value is None:
        return None
    if isinstance(value, str):
        return WhatsAppTemplate(value.strip())
    if not isinstance(value, Located):
        f.error("whatsapp_template", _("must be a template name, or name:, language: and parameters:"))
        return None
    t = Fields(value, f.path, ("name", "language", "parameters"), f.problems)
    name = t.str("name", required=True) or ""
    params = t.str_list("parameters") if "parameters" in value else None
    for p in params or ():
        if p not in TEMPLATE_PARAMETERS:
            t.error(
                "parameters",
                _("unknown parameter {name!r} (use any of {names})").format(
                    name=p, names=", ".join(TEMPLATE_PARAMETERS)
                ),
            )
    return WhatsAppTemplate(name, t.str("language", default="id") or "id", params)
