"""Fonnte (api.fonnte.com): an Indonesian gateway driving a linked WhatsApp device. Unofficial:
WhatsApp may ban the number, so messages are paced with a random human-like gap (whatsapp.delay,
5-6.5 s by default) and the operator is warned.

One target per call (so every person gets their own outcome), form POST /send with the raw token
in the Authorization header. Fonnte always answers HTTP 200: ``{"status": true, "id": [...]}`` or
``{"status": false, "reason": "..."}``.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from typing import ClassVar

import httpx

from ..config.values import parse_delay
from ..errors import ConfigError, DeliveryError, FatalError, PermanentError, TransientError, UncertainError, scrub
from ..i18n import _
from ..reasons import reason
from . import WHATSAPP_LIMITS
from .base import Message, Receipt
from .http import Parts, call, http_status_error, json_body, retry_after
from .limits import plan_parts

log = logging.getLogger(__name__)

BAN_WARNING = (
    "{provider} is an unofficial WhatsApp gateway: WhatsApp may ban the number for bulk sending. "
    "siaran paces messages ({gap} between people); send only to people who expect the office's messages."
)

# Substrings of Fonnte's ``reason`` → (kind, the reason code saying what the operator should do).
REASONS: tuple[tuple[str, type[DeliveryError], str], ...] = (
    ("token", FatalError, "fonnte.token"),
    ("invalid device", FatalError, "fonnte.device_unknown"),
    ("unknown user", FatalError, "fonnte.user_unknown"),
    ("disconnect", FatalError, "fonnte.disconnected"),
    ("quota", FatalError, "fonnte.quota"),
    ("expired", FatalError, "fonnte.expired"),
    ("target", PermanentError, "fonnte.invalid_number"),
    ("invalid number", PermanentError, "fonnte.invalid_number"),
    ("not registered", PermanentError, "fonnte.not_on_whatsapp"),
    ("rate", TransientError, "fonnte.slow_down"),
    ("try again", TransientError, "fonnte.try_again"),
    ("wait", TransientError, "fonnte.wait"),
)


def describe_gap(spread: tuple[float, float]) -> str:
    low, high = spread
    return f"{low:g}-{high:g} s" if high > low else f"{low:g} s"


def classify_reason(text: str, secrets: tuple[str, ...] = ()) -> DeliveryError:
    said = scrub(text, *secrets)[:200]
    low = said.lower()
    for needle, kind, advice in REASONS:
        if needle in low:
            return kind(reason("said", error=reason(advice), said=said), code=said)
    return PermanentError(reason("fonnte.refused", reason=said or reason("fonnte.no_reason")), code=said or None)


class FonnteDriver:
    name: ClassVar[str] = "fonnte"
    concurrent: ClassVar[bool] = False
    # Kept to the Cloud API's limits: a linked phone takes more, but very long texts get cut or refused.
    max_text: ClassVar[int] = WHATSAPP_LIMITS["fonnte"][0]
    max_caption: ClassVar[int] = WHATSAPP_LIMITS["fonnte"][1]

    def __init__(self, settings, http: httpx.AsyncClient, clock):
        wa = settings.whatsapp
        if not wa.token:
            raise ConfigError(_("whatsapp.provider = fonnte needs SIARAN_WHATSAPP_TOKEN (the device token, in .env)"))
        self.url = (wa.base_url or "https://api.fonnte.com").rstrip("/") + "/send"
        self.http = http
        self.spread = parse_delay(wa.delay)  # the engine paces by this: one message, then a random gap
        self._token = wa.token
        self._headers = {"Authorization": wa.token}
        self._parts = Parts()  # slides of a message already taken, for retries in this run
        log.warning(BAN_WARNING.format(provider="Fonnte", gap=describe_gap(self.spread)))

    async def send(self, message: Message) -> Receipt:
        # One request per slide (the text rides on the first); a retry in this run resumes after the
        # slides Fonnte already took, so nobody gets one twice.
        async def one(n: int, part: tuple[Path | None, str]) -> str:
            return (await self._send_part(message, *part)).provider_id

        parts = plan_parts(message.text, message.images, self.max_text, self.max_caption)
        ids = await self._parts.send(message.key, parts, one)
        return Receipt(provider_id=",".join(i for i in ids if i))

    async def _send_part(self, message: Message, image: Path | None, text: str) -> Receipt:
        data = {"target": message.recipient.lstrip("+"), "countryCode": "62"}
        if text:  # optional when a file goes
            data["message"] = text
        files = None
        if image is not None:  # an office PC has no public URL, so the file itself is uploaded
            mime = mimetypes.guess_type(image.name)[0] or "image/jpeg"
            files = {"file": (image.name, image.read_bytes(), mime)}
        response = await call(self.http.post(self.url, headers=self._headers, data=data, files=files), "Fonnte")
        body = json_body(response)
        if response.status_code != 200 or not isinstance(body, dict):
            if response.status_code == 401:
                raise FatalError(reason(REASONS[0][2]), code=401)
            error = http_status_error(response, "Fonnte")
            if response.status_code == 200:  # 200 but no JSON: the request was taken, its fate unknown
                raise UncertainError(reason("fonnte.not_json"))
            error.retry_after = error.retry_after or retry_after(response)
            raise error
        if body.get("status") is True:
            ids = body.get("id") or []
            return Receipt(provider_id=",".join(map(str, ids)) if isinstance(ids, list) else str(ids),
                           detail=str(body.get("process", "")))  # fmt: skip
        raise classify_reason(str(body.get("reason") or body.get("detail") or ""), (self._token,))

    async def aclose(self) -> None:
        return None


def make(settings, http, clock, **context) -> FonnteDriver:
    return FonnteDriver(settings, http, clock)
