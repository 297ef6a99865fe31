"""SOP posters: one public service as an infographic a citizen reads on a phone — requirements
as a checklist, numbered steps, duration and cost, and a QR code to the online form (or to a
WhatsApp chat with the office, text prefilled)."""

from __future__ import annotations

from .. import i18n
from ..content.model import Office, Post, Sop
from ..errors import ContentError
from .flow import Block, Colours, fit_pages, flow
from .fonts import FontSet
from .frame import Line, accent_on, assemble, footer, header, hint_height
from .layout import GROW_SCALES, MARGIN, WIDTH, Slide
from .palette import Palette
from .qr import too_long
from .qr_links import qr_target

REQUIREMENTS = "Persyaratan"
STEPS = "Langkah-langkah"
NOTES = "Catatan"


def sop_blocks(sop: Sop) -> list[Block]:
    blocks = [Block("heading", REQUIREMENTS)]
    blocks += [Block("check", r, section=REQUIREMENTS) for r in sop.requirements]
    blocks.append(Block("heading", STEPS))
    blocks += [Block("step", str(s), label=str(i), section=STEPS) for i, s in enumerate(sop.steps, 1)]
    if sop.notes:
        blocks.append(Block("heading", NOTES))
        blocks += [Block("note", n, section=NOTES) for n in sop.notes]
    return blocks


def contact_lines(office: Office, palette: Palette) -> list[Line]:
    reach = []
    if office.whatsapp_display:
        reach.append(f"WhatsApp {office.whatsapp_display}")
    if office.instagram:
        reach.append(f"Instagram @{office.instagram}")
    return [
        Line(office.address, 21, gap=14),
        Line(f"Jam layanan: {office.hours}" if office.hours else "", 21, gap=4),
        Line("  ·  ".join(reach), 21, bold=True, colour=palette.on_primary, gap=4),
    ]


def sop_slides(office: Office, post: Post, fonts: FontSet) -> list[Slide]:
    sop = post.sop
    assert sop is not None
    link = qr_target(office, sop)
    if not link:
        raise ContentError(post.path.name, i18n._("the QR code has no link to open"), field="qr")
    if reason := too_long(link):
        raise ContentError(post.path.name, reason, field="qr")
    palette = Palette.from_brand(office.brand)
    title = post.title or sop.service
    subtitle = "" if sop.service.casefold() in title.casefold() else sop.service
    chips = [f"Lama proses: {sop.duration}"] + ([f"Biaya: {sop.cost}"] if sop.cost else [])  # no fee not stated
    kicker = "Standar Pelayanan Publik"
    top, overflow = header(office, palette, fonts, kicker=kicker, title=title, subtitle=subtitle, chips=chips)
    top_later, _ = header(office, palette, fonts, kicker=kicker, title=title, chips=chips, compact=True)
    accent = accent_on(palette.primary_dark, palette, palette.on_primary)
    if sop.qr == "whatsapp":
        cta = [Line("Pindai kode QR untuk chat WhatsApp kantor", 24, bold=True, colour=accent)]
    else:
        cta = [
            Line("Pindai kode QR untuk mengisi formulir:", 24, bold=True, colour=accent),
            Line(link.split("://", 1)[-1], 21, bold=True, colour=palette.on_primary, gap=2),
        ]
    bottom = footer(palette, fonts, [*cta, *contact_lines(office, palette)], qr=link)
    blocks = sop_blocks(sop)
    if overflow:
        blocks.insert(0, Block("para", overflow, bold=True))
    colours = Colours.on_background(palette)
    width = WIDTH - 2 * MARGIN
    y, y_later = top.bottom + 26, top_later.bottom + 26
    height, later = bottom.top - 24 - y, bottom.top - 24 - y_later
    _, pages = fit_pages(lambda s: flow(blocks, fonts, colours, s, width, height), GROW_SCALES)
    if len(pages) > 1:
        hint = hint_height()
        _, pages = fit_pages(
            lambda s: flow(blocks, fonts, colours, s, width, height - hint, later=later - hint), GROW_SCALES
        )
    frames = [([top, bottom], (MARGIN, y, width, height)), ([top_later, bottom], (MARGIN, y_later, width, later))]
    return assemble(palette.background, frames, pages, palette, fonts)
