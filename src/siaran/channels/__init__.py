"""Channels, registered by name in literal tables (no scanning, no singletons): one registry per
channel kind. Each entry points at a module's ``make(settings, http, clock, **context)`` factory;
the module is imported only when that provider or publisher is configured.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ..clock import Clock
from ..config import Settings
from ..errors import ConfigError, did_you_mean
from ..i18n import _
from .base import Driver, InstagramPost, MediaStore, Message, Publication, Publisher, Receipt

if TYPE_CHECKING:
    import httpx

WHATSAPP: dict[str, str] = {
    "outbox": "siaran.channels.outbox",
    "cloud": "siaran.channels.whatsapp_cloud",
    "fonnte": "siaran.channels.fonnte",
    "waha": "siaran.channels.waha",
}
# What each WhatsApp provider takes in one message: (text, image caption) characters, 0 = no limit
# (the Cloud API's text body of 4,096 and caption of 1,024; Fonnte and WAHA are kept to them). Each
# driver declares its own from here, so `check` knows them without importing a provider (httpx).
WHATSAPP_LIMITS: dict[str, tuple[int, int]] = {
    "outbox": (0, 0),
    "cloud": (4096, 1024),
    "fonnte": (4096, 1024),
    "waha": (4096, 1024),
}
INSTAGRAM: dict[str, str] = {
    "handoff": "siaran.channels.instagram_handoff",
    "graph": "siaran.channels.instagram_graph",
}
REGISTRY: dict[str, tuple[str, dict[str, str]]] = {
    "whatsapp": ("provider", WHATSAPP),
    "instagram": ("publisher", INSTAGRAM),
}

__all__ = [
    "INSTAGRAM",
    "WHATSAPP",
    "Driver",
    "InstagramPost",
    "MediaStore",
    "Message",
    "Publication",
    "Publisher",
    "Receipt",
    "check_settings",
    "make_driver",
    "make_publisher",
    "provider_name",
    "whatsapp_limits",
]  # fmt: skip


def provider_name(channel: str, settings: Settings) -> str:
    setting, _table = REGISTRY[channel]
    return settings.sections[channel][setting]


def whatsapp_limits(settings: Settings) -> tuple[int, int]:
    """(max_text, max_caption) the configured WhatsApp provider declares; (0, 0) = none known."""
    return WHATSAPP_LIMITS.get(provider_name("whatsapp", settings), (0, 0))


def check_settings(settings: Settings) -> None:
    """Refuse an unknown provider or publisher as soon as settings load, before anything is recorded."""
    for channel, (setting, table) in REGISTRY.items():
        name = settings.sections[channel][setting]
        if name not in table:
            raise ConfigError(_not_one_of(channel, setting, name, table))


def _not_one_of(channel: str, setting: str, name: str, table: dict) -> str:
    return _("{setting} = {value!r} is not one of {choices}").format(
        setting=f"{channel}.{setting}", value=name, choices=", ".join(table)
    ) + did_you_mean(name, table)


def _make(channel: str, name: str, settings: Settings, http, clock: Clock, **context: Any):
    setting, table = REGISTRY[channel]
    if name not in table:
        raise ConfigError(_not_one_of(channel, setting, name, table))
    return importlib.import_module(table[name]).make(settings, http, clock, **context)


def make_driver(
    settings: Settings, http: httpx.AsyncClient | None, clock: Clock, media: MediaStore | None = None
) -> Driver:
    """The configured WhatsApp provider."""
    return _make("whatsapp", provider_name("whatsapp", settings), settings, http, clock, media=media)


def make_publisher(
    name: str, settings: Settings, http: httpx.AsyncClient, clock: Clock, *, handle: str, media: MediaStore | None
) -> Publisher:
    """An Instagram publisher by name (a post keeps the publisher it started with, mid-container)."""
    return _make("instagram", name, settings, http, clock, handle=handle, media=media)
