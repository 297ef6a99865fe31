"""The hand-off publisher: the post goes to outbox/instagram/<date>-<name>/ (images + caption.txt)
and, when ``whatsapp.operator`` is set, to the operator's own WhatsApp through the configured
WhatsApp provider, so posting from the phone is two taps (share the image, paste the caption).

The operator's copy is sent at most once: the delivery row is ``sending`` before it leaves, and a
row left that way by a crash is reconciled as handed off with a note instead of a second copy.
"""

from __future__ import annotations

from typing import ClassVar

import httpx

from ..clock import Clock
from ..config import Settings
from ..content.phones import normalise_phone
from ..errors import ConfigError, DeliveryError
from ..i18n import _
from ..reasons import reason
from .base import InstagramPost, MediaStore, Message, Publication, Save
from .outbox import OutboxDriver


class HandoffPublisher:
    name: ClassVar[str] = "handoff"

    def __init__(
        self, settings: Settings, http: httpx.AsyncClient, clock: Clock, handle: str, media: MediaStore | None
    ):
        self.settings = settings
        self.http = http
        self.clock = clock
        self.handle = handle
        self.media = media
        self.files = OutboxDriver(settings.path("outbox"))
        raw = settings.whatsapp.operator
        self.operator = ""
        if raw:
            self.operator, why = normalise_phone(raw)
            if not self.operator:
                raise ConfigError(
                    _("whatsapp.operator = {value!r} is not a valid WhatsApp number: {reason}").format(
                        value=raw, reason=why
                    )
                )

    async def publish(self, post: InstagramPost, save: Save) -> Publication:
        message = Message(
            key=post.key, post=post.post, channel="instagram", recipient=self.handle, text=post.caption,
            images=tuple(post.images), occurrence=post.occurrence, day=post.day, batch=post.batch,
        )  # fmt: skip
        receipt = await self.files.send(message)
        folder = "outbox/" + receipt.provider_id.rsplit("/", 1)[0] + "/"
        if not self.operator:
            return Publication("sent", values={"handoff": folder})
        save(handoff=folder)
        from . import make_driver  # the registry imports this module: resolve it only when a copy goes

        driver = make_driver(self.settings, self.http, self.clock, self.media)
        # Its own post name, so the outbox keeps it apart from a broadcast the operator is also on.
        copy = Message(
            key=f"{post.key}:operator", post=f"{post.post} instagram", channel="whatsapp", recipient=self.operator,
            text=post.caption, images=tuple(post.images), recipient_name="Operator Instagram",
            occurrence=post.occurrence, day=post.day, batch=post.batch,
        )  # fmt: skip
        try:
            sent = await driver.send(copy)
        except DeliveryError as e:
            return Publication("sent", error=reason("instagram.handoff_copy_failed", folder=folder, reason=e.reason))
        finally:
            await driver.aclose()
        return Publication("sent", values={"handoff": f"{folder} + WhatsApp {sent.provider_id}"})

    async def reconcile(self, post: InstagramPost, save: Save) -> Publication:
        return Publication("sent", error=reason("instagram.handoff_stopped"))


def make(settings: Settings, http: httpx.AsyncClient, clock: Clock, **context) -> HandoffPublisher:
    return HandoffPublisher(settings, http, clock, context.get("handle", ""), context.get("media"))
