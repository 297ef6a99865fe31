"""Where an SOP poster's QR code leads, and ``siaran check``'s rule that it leads somewhere: apart
from the poster's layout (siaran.render.poster), so checking needs none of it."""

from __future__ import annotations

from urllib.parse import quote

from .. import i18n
from ..content.model import Office, Sop
from ..content.office import is_url
from ..errors import ContentError
from .qr import too_long


def qr_target(office: Office, sop: Sop) -> str:
    """The link the poster's QR code opens ('' when the office has no WhatsApp number for qr: whatsapp)."""
    if sop.qr == "whatsapp":
        number = sop.contact or office.whatsapp  # the SOP's own contact, else the office's first number
        if not number:
            return ""
        link = f"https://wa.me/{number.lstrip('+')}"
        return f"{link}?text={quote(sop.whatsapp_text, safe='')}" if sop.whatsapp_text else link
    return sop.form


def check_qr_targets(project) -> list[ContentError]:
    """For ``siaran check``: every SOP's QR code must open a link."""
    problems = []
    for post in project.posts.values():
        if post.sop is None:
            continue
        rel = post.path.relative_to(project.root).as_posix()
        if post.sop.qr == "whatsapp" and not (post.sop.contact or project.office.whatsapp):
            problems.append(
                ContentError(
                    rel,
                    i18n._(
                        "qr: whatsapp needs the office's WhatsApp number: add whatsapp: to content/office.yaml"
                        " (or use qr: form with a form link)"
                    ),
                    field="qr",
                )
            )
        elif post.sop.qr == "form" and post.sop.form and not is_url(post.sop.form):
            problems.append(
                ContentError(
                    rel, i18n._("{value!r} is not a link (https://...)").format(value=post.sop.form), field="form"
                )
            )
        elif (link := qr_target(project.office, post.sop)) and (reason := too_long(link)):
            field = "whatsapp_text" if post.sop.qr == "whatsapp" else "form"
            problems.append(ContentError(rel, reason, line=post.lines.get(field), field=field))
    return problems
