"""QR codes sized for print and re-compression: at least 5 px per module and a 4-module quiet
zone (ISO/IEC 18004). The white card the code sits on *is* the quiet zone, so its size follows
from the link: a longer link gets a bigger card, and a link too long for the footer is refused
by ``siaran check`` (before anything is sent) rather than printed as an unreadable code."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ..i18n import _
from .memo import memo

if TYPE_CHECKING:
    import segno

MIN_MODULE = 5  # pixels per module on the 1080 px canvas
QUIET = 4  # modules of white around the code
TARGET = 210  # card size short links get (bigger modules when they fit); most links get 5 px modules
MAX_CARD = 330  # the footer cannot hold more


@dataclass(frozen=True)
class QrFit:
    """How a link's QR code fits a card: its modules, their size in pixels, the card's side."""

    modules: int  # symbol width without the quiet zone
    module_px: int
    card: int  # card side: the symbol plus its quiet zone, in pixels


@lru_cache(maxsize=64)
def make(link: str) -> segno.QRCode:
    """Error correction M or better (boosted when the version allows it)."""
    import segno  # slow to import (it brings its web modules): only when a code is drawn

    return segno.make(link, error="m", boost_error=True, micro=False)


@lru_cache(maxsize=64)
def fit(link: str) -> QrFit:
    modules = memo("qr-sizes").get(link, lambda: _modules(link))
    span = modules + 2 * QUIET
    px = max(MIN_MODULE, TARGET // span)
    return QrFit(modules, px, span * px)


def _modules(link: str) -> int:
    import segno

    # The size depends on the version alone: any fixed mask skips segno's search for the best one.
    return segno.make(link, error="m", boost_error=True, micro=False, mask=0).symbol_size(border=0)[0]


def too_long(link: str) -> str:
    """Why the link cannot be printed as a readable code in the footer ('' when it can)."""
    need = fit(link).card
    if need <= MAX_CARD:
        return ""
    return _(
        "the link is too long for a QR code readable on the poster ({count} characters would need a"
        " {need}px code, at most {limit}px fits): use a shorter link or a shorter whatsapp_text"
    ).format(count=len(link), need=need, limit=MAX_CARD)
