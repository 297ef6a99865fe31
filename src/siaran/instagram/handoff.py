"""The hand-off publisher: the post goes to outbox/instagram/<date>-<name>/ (images + caption.txt)
and, when ``whatsapp.operator`` is set, to the operator's own WhatsApp through the configured
WhatsApp provider, so posting from the phone is two taps (share the image, paste the caption).

The operator's copy is sent at most once: the row is marked ``publishing`` before it leaves, and a
row left ``publishing`` by a crash becomes ``handed_off`` with a note instead of a second copy.
"""

from __future__ import annotations

from datetime import date

import httpx

from ..channels import make_driver
from ..channels.base import Message
from ..channels.instagram_handoff import HandoffDriver
from ..clock import Clock
from ..config import Settings
from ..content.phones import normalise_phone
from ..errors import ConfigError, DeliveryError
from .store import Item, Result


class HandoffPublisher:
    name = "handoff"

    def __init__(self, settings: Settings, http: httpx.AsyncClient, clock: Clock, handle: str):
        self.settings = settings
        self.http = http
        self.clock = clock
        self.handle = handle
        self.files = HandoffDriver(settings.path("outbox"), "instagram")
        raw = settings.whatsapp.operator
        self.operator = ""
        if raw:
            self.operator, reason = normalise_phone(raw)
            if not self.operator:
                raise ConfigError(f"whatsapp.operator = {raw!r} is not a valid WhatsApp number: {reason}")

    async def publish(self, item: Item, save, day: date | None = None) -> Result:
        message = Message(
            key=item.key, post=item.post, channel="instagram", recipient=self.handle, text=item.caption,
            images=tuple(item.images), occurrence=item.occurrence, day=day,
        )  # fmt: skip
        receipt = await self.files.send(message)
        folder = "outbox/" + receipt.provider_id.rsplit("/", 1)[0] + "/"
        if not self.operator:
            return Result("handed_off", values={"handoff": folder})
        save(status="publishing", handoff=folder)
        driver = make_driver("whatsapp", self.settings, self.http, self.clock)
        # Its own post name, so the outbox keeps it apart from a broadcast the operator is also on.
        copy = Message(
            key=f"{item.key}:operator", post=f"{item.post} instagram", channel="whatsapp", recipient=self.operator,
            text=item.caption, images=tuple(item.images), recipient_name="Operator Instagram",
            occurrence=item.occurrence, day=day,
        )  # fmt: skip
        try:
            sent = await driver.send(copy)
        except DeliveryError as e:
            return Result(
                "handed_off",
                error=f"the files are in {folder}, but the copy to the operator's WhatsApp failed: {e.reason}",
            )
        finally:
            await driver.aclose()
        return Result("handed_off", values={"handoff": f"{folder} + WhatsApp {sent.provider_id}"})

    async def reconcile(self, item: Item, save) -> Result:
        return Result(
            "handed_off",
            error="siaran stopped while sending the copy to the operator's WhatsApp; it may not have arrived "
            "(the files are in outbox/instagram/)",
        )
