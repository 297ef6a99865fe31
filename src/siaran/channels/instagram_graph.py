"""Instagram through the Graph API is not a one-message driver: posts go through the Instagram
queue (siaran.instagram.queue), which records containers, publishes once and reconciles."""

from __future__ import annotations

from ..errors import ConfigError


def make(settings, http, clock):
    raise ConfigError(
        "Instagram posts are published through the Instagram queue (`siaran instagram publish`), not as messages"
    )
