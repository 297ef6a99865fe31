"""content/office.yaml: who is speaking."""

from __future__ import annotations

import re
from pathlib import Path

from ..clock import zone, zone_label
from ..errors import ConfigError, ContentError
from .files import MAX_MEDIA_BYTES, UnsafeFile, content_file, refused
from .images import font_problem, image_problem
from .model import Brand, Office, Signature
from .phones import normalise_phone
from .yamlfile import Fields, Located, load_yaml_mapping

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


def load_office(root: Path, problems: list[ContentError]) -> Office | None:
    rel = "content/office.yaml"
    path = root / rel
    if not path.exists():
        problems.append(ContentError(rel, "missing: every project needs content/office.yaml"))
        return None
    try:
        data = load_yaml_mapping(path, rel)
    except ContentError as e:
        problems.append(e)
        return None
    before = len(problems)
    f = Fields(data, rel, OFFICE_FIELDS, problems)
    name = f.str("name", required=True)
    kind = f.str("kind", required=True)
    if kind and kind not in ("desa", "kelurahan"):
        f.error("kind", f"must be desa or kelurahan, not {kind!r}")
    address = f.str("address", required=True)
    tzname = f.str("timezone", required=True)
    tz = None
    if tzname:
        try:
            tz = zone(tzname)
        except ConfigError as e:
            f.error("timezone", str(e))
    whatsapp_display = f.str("whatsapp", default="") or ""
    whatsapp = ""
    if whatsapp_display:
        whatsapp, reason = normalise_phone(whatsapp_display)
        if not whatsapp:
            f.error("whatsapp", f"{whatsapp_display!r} is not a valid Indonesian mobile number: {reason}")
    instagram = (f.str("instagram", default="") or "").lstrip("@")
    website = f.str("website", default="") or ""
    if website and not is_url(website):
        f.error("website", f"{website!r} is not a link (https://...)")
    links: dict[str, str] = {}
    raw_links = data.get("links")
    if raw_links is not None:
        if not isinstance(raw_links, Located):
            f.error("links", "must be name: https://... pairs")
        else:
            for key, value in raw_links.items():
                if not isinstance(value, str) or not is_url(value):
                    problems.append(
                        ContentError(
                            rel,
                            f"{value!r} is not a link (https://...)",
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
            f.error("brand", "must be primary/accent/background/text colours")
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
                            f"{value!r} is not a colour like #0B6E4F",
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
    if len(problems) > before or tz is None:
        return None
    return Office(
        name=name or "",
        kind=kind or "",
        address=address or "",
        timezone=tz,
        tz_label=zone_label(tz),
        hours=f.str("hours", default="") or "",
        whatsapp=whatsapp,
        whatsapp_display=whatsapp_display,
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
        f.error("signature", "must be title:, name: and optionally photo: (a file under content/)")
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
