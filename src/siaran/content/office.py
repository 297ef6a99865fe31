"""content/office.yaml: who is speaking."""

from __future__ import annotations

import re
from pathlib import Path

from ..clock import zone, zone_label
from ..errors import ConfigError, ContentError
from ..i18n import _
from .files import MAX_MEDIA_BYTES, UnsafeFile, content_file, refused
from .hours import describe, parse_hours_table, parse_hours_text
from .images import font_problem, image_problem
from .model import Brand, Contact, Office, Signature
from .phones import Numbers, parse_all
from .yamlfile import Fields, Located, read_mapping

OFFICE_FIELDS = (
    "name", "kind", "address", "timezone", "hours", "whatsapp", "instagram", "website", "email",
    "links", "hashtags", "brand", "logo", "font", "font_bold", "signature",
)  # fmt: skip
SIGNATURE_FIELDS = ("title", "name", "photo")
BRAND_FIELDS = ("primary", "accent", "background", "text")
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
URL = re.compile(r"^https?://\S+$")


def is_url(value: str) -> bool:
    return bool(URL.match(value or ""))


def load_office(root: Path, problems: list[ContentError], numbers: Numbers = parse_all) -> Office | None:
    """``numbers``: how the office's WhatsApp numbers are parsed (the application's phone book
    remembers them, so a project with a history parses none it parsed before)."""
    rel = "content/office.yaml"
    path = root / rel
    if not path.exists():
        problems.append(ContentError(rel, _("missing: every project needs content/office.yaml")))
        return None
    data = read_mapping(path, rel, problems)
    if data is None:
        return None
    before = len(problems)
    f = Fields(data, rel, OFFICE_FIELDS, problems)
    name = f.str("name", required=True)
    kind = f.str("kind", required=True)
    if kind and kind not in ("desa", "kelurahan"):
        f.error("kind", _("must be desa or kelurahan, not {value!r}").format(value=kind))
    address = f.str("address", required=True)
    tzname = f.str("timezone", required=True)
    tz = None
    if tzname:
        try:
            tz = zone(tzname)
        except ConfigError as e:
            f.error("timezone", str(e))
    contacts = _contacts(data, f, numbers)
    instagram = (f.str("instagram", default="") or "").lstrip("@")
    website = f.str("website", default="") or ""
    if website and not is_url(website):
        f.error("website", _("{value!r} is not a link (https://...)").format(value=website))
    links: dict[str, str] = {}
    raw_links = data.get("links")
    if raw_links is not None:
        if not isinstance(raw_links, Located):
            f.error("links", _("must be name: https://... pairs"))
        else:
            for key, value in raw_links.items():
                if not isinstance(value, str) or not is_url(value):
                    problems.append(
                        ContentError(
                            rel,
                            _("{value!r} is not a link (https://...)").format(value=value),
                            line=raw_links.line_of(key),
                            field=f"links.{key}",
                        )
                    )
                else:
                    links[key] = value
    brand = Brand()
    raw_brand = data.get("brand")
    if raw_brand is not None:
        if not isinstance(raw_brand, Located):
            f.error("brand", _("must be primary/accent/background/text colours"))
        else:
            bf = Fields(raw_brand, rel, BRAND_FIELDS, problems)
            colours = {}
            for key in BRAND_FIELDS:
                value = bf.str(key)
                if value is None:
                    continue
                if not COLOUR.match(value):
                    problems.append(
                        ContentError(
                            rel,
                            _("{value!r} is not a colour like #0B6E4F").format(value=value),
                            line=raw_brand.line_of(key),
                            field=f"brand.{key}",
                        )
                    )
                else:
                    colours[key] = value
            brand = Brand(**colours)
    files = {}
    for key in ("logo", "font", "font_bold"):
        value = f.str(key)
        if value:
            try:
                real = content_file(root / "content", root / "content" / value, max_bytes=MAX_MEDIA_BYTES)
            except UnsafeFile as e:
                f.error(key, refused(value, e))
                continue
            problem = image_problem(real) if key == "logo" else font_problem(real)
            if problem:
                f.error(key, refused(value, problem))
            files[key] = real
    hashtags = tuple(h if h.startswith("#") else f"#{h}" for h in f.str_list("hashtags"))
    signature = _signature(root, data, rel, f, problems)
    hours_text, opening = _hours(data, f, zone_label(tz) if tz else "")
    if len(problems) > before or tz is None:
        return None
    return Office(
        name=name or "",
        kind=kind or "",
        address=address or "",
        timezone=tz,
        tz_label=zone_label(tz),
        hours=hours_text,
        opening=opening,
        whatsapp=contacts[0].phone if contacts else "",
        whatsapp_display=contacts[0].display if contacts else "",
        contacts=contacts,
        instagram=instagram,
        website=website,
        email=f.str("email", default="") or "",
        links=links,
        hashtags=hashtags,
        brand=brand,
        logo=files.get("logo"),
        font=files.get("font"),
        font_bold=files.get("font_bold"),
        signature=signature,
    )


def _signature(root: Path, data: Located, rel: str, f: Fields, problems: list[ContentError]) -> Signature | None:
    """signature: {title: Lurah ..., name: ..., photo: lurah.jpg} (photo and name optional)."""
    raw = data.get("signature")
    if raw is None:
        return None
    if not isinstance(raw, Located):
        f.error("signature", _("must be title:, name: and optionally photo: (a file under content/)"))
        return None
    sf = Fields(raw, rel, SIGNATURE_FIELDS, problems)
    title = sf.str("title", required=True) or ""
    photo = None
    if value := sf.str("photo"):
        try:
            photo = content_file(root / "content", root / "content" / value, max_bytes=MAX_MEDIA_BYTES)
            problem = image_problem(photo)
        except UnsafeFile as e:
            photo, problem = None, str(e)
        if problem:
            problems.append(
                ContentError(rel, refused(value, problem), line=raw.line_of("photo"), field="signature.photo")
            )
    return Signature(title, sf.str("name", default="") or "", photo)


def _hours(data: Located, f: Fields, tz_label: str) -> tuple[str, dict]:
    """``hours`` as one line of text, or per day: ``{senin: "08.00-15.30", ..., sabtu: tutup}``."""
    raw = data.get("hours")
    if isinstance(raw, Located):
        opening = parse_hours_table(raw, lambda key, msg: f.problems.append(
            ContentError(f.path, msg, line=raw.line_of(key), field=f"hours.{key}")))  # fmt: skip
        return describe(opening, tz_label), opening
    text = f.str("hours", default="") or ""
    return text, parse_hours_text(text)


def _contacts(data: Located, f: Fields, numbers: Numbers) -> tuple[Contact, ...]:
    """``whatsapp``: one number, a list of numbers or of {nomor, label}, or label: number pairs."""
    raw = data.get("whatsapp")
    if raw is None:
        return ()
    if isinstance(raw, Located):
        items = [(str(label), value) for label, value in raw.items()]
    elif isinstance(raw, list):
        items = []
        for item in raw:
            if isinstance(item, Located):
                g = Fields(item, f.path, ("nomor", "number", "label"), f.problems)
                items.append((g.str("label") or "", g.str("nomor") or g.str("number") or ""))
            else:
                items.append(("", item))
    else:
        items = [("", raw)]
    contacts = []
    displays = [(label, str(value or "").strip()) for label, value in items]
    parsed = numbers([display for _label, display in displays])
    for label, display in displays:
        phone, reason = parsed[display]
        if not phone:
            f.error("whatsapp", _("{value!r} is not a valid Indonesian mobile number: {reason}").format(
                value=display, reason=_(reason)))  # fmt: skip
            continue
        contacts.append(Contact(label, phone, display))
    return tuple(contacts)
