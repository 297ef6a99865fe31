"""The 24-hour customer service window on the Cloud API: free-form messages reach only people who
wrote to the office in the last 24 hours; everyone else needs an approved template.

For a post with a template (front matter ``whatsapp_template:``, else ``whatsapp.templates`` for
its kind, else the office-wide ``whatsapp.template``) each recipient gets the free-form text and
images inside their window and the template outside it. Fonnte and WAHA have no such window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from ..content.model import Post, WhatsAppTemplate
from ..errors import ConfigError
from ..history import contacts
from ..i18n import _

WINDOW = timedelta(hours=24)
MARGIN = timedelta(minutes=30)  # a broadcast takes a while: a window about to close counts as closed
KIND_NAMES = {"announcement": "announcement", "announcements": "announcement", "greeting": "greeting",
              "greetings": "greeting", "sop": "sop"}  # fmt: skip


def kind_templates(text: str) -> dict[str, WhatsAppTemplate]:
    """``announcements=info_desa:id,greetings=ucapan`` → kind → template (language defaults to id)."""
    out: dict[str, WhatsAppTemplate] = {}
    for item in (i.strip() for i in text.split(",") if i.strip()):
        kind, sep, spec = item.partition("=")
        name, _colon, language = spec.strip().partition(":")
        if not sep or kind.strip() not in KIND_NAMES or not name.strip():
            raise ConfigError(
                _(
                    "whatsapp.templates: {item!r} is not kind=template_name[:language] "
                    "(kinds: announcements, greetings, sop)"
                ).format(item=item)
            )
        out[KIND_NAMES[kind.strip()]] = WhatsAppTemplate(name.strip(), language.strip() or "id")
    return out


def template_for(post: Post, settings) -> WhatsAppTemplate | None:
    wa = settings.whatsapp
    if post.whatsapp_template is not None:
        return post.whatsapp_template
    by_kind = kind_templates(wa.templates)
    if post.kind in by_kind:
        return by_kind[post.kind]
    return WhatsAppTemplate(wa.template, wa.template_language) if wa.template else None


def chooser(app, post: Post, addresses: Iterable[str], extra: dict) -> Callable[[str], dict] | None:
    """address → the message options for that person; None when the window does not matter."""
    if app.settings.whatsapp.provider != "cloud":
        return None
    template = template_for(post, app.settings)
    if template is None:
        return None
    inside = contacts.in_window(app.db, (a.lstrip("+") for a in addresses), app.now() - WINDOW + MARGIN)
    outside = {**extra, "template": template.name, "language": template.language}
    if template.parameters is not None:
        outside["template_params"] = list(template.parameters)
    free = {**extra, "template": ""}
    return lambda address: free if address.lstrip("+") in inside else outside


def wanted_templates(project, settings) -> list[tuple[str, str, WhatsAppTemplate, int]]:
    """(file, field, template, body parameters given) for every WhatsApp post that has a template."""
    default_params = [p.strip() for p in settings.whatsapp.template_params.split(",") if p.strip()]
    out = []
    for post in project.posts.values():
        if "whatsapp" not in post.channels:
            continue
        template = template_for(post, settings)
        if template is None:
            continue
        if post.whatsapp_template is not None:
            where, field = post.path.relative_to(project.root).as_posix(), "whatsapp_template"
        else:
            where = _("{path} (from the settings)").format(path=post.path.relative_to(project.root).as_posix())
            field = (
                "whatsapp.templates"
                if post.kind in kind_templates(settings.whatsapp.templates)
                else "whatsapp.template"
            )
        given = len(template.parameters) if template.parameters is not None else len(default_params)
        out.append((where, field, template, given))
    return out
