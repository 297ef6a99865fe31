"""WAHA (waha.devlike.pro): a self-hosted WhatsApp HTTP API over a linked device. Unofficial, so
it is paced like Fonnte (whatsapp.delay) and the operator is warned about bans.

POST /api/sendText and /api/sendImage with ``X-Api-Key``. The free Core edition refuses images
with HTTP 422 (WAHA Plus only): with ``whatsapp.image_fallback`` the message goes as text with a
link to the image (``instagram.public_media_base_url``) instead; without it the broadcast stops
with a clear message, since every recipient would fail the same way.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
from pathlib import Path
from typing import Any, ClassVar

import httpx

from ..errors import ConfigError, FatalError, PermanentError, TransientError, scrub
from ..i18n import N_, _
from ..reasons import reason
from . import WHATSAPP_LIMITS
from .base import Message, Receipt
from .fonnte import BAN_WARNING, describe_gap, parse_delay
from .http import Parts, call, http_status_error, json_body, retry_after
from .limits import plan_parts, split_text

log = logging.getLogger(__name__)

CORE_NO_IMAGES = "waha.core_no_images"


def _message_id(body: Any) -> str:
    """WAHA engines answer with ``id`` as a string or as ``{"_serialized": ...}``."""
    if not isinstance(body, dict):
        return ""
    ident = body.get("id")
    if isinstance(ident, dict):
        return str(ident.get("_serialized") or ident.get("id") or "")
    if ident:
        return str(ident)
    key = body.get("key")
    return str(key.get("id", "")) if isinstance(key, dict) else ""


class _ImagesRefused(Exception):
    """WAHA Core answered 422 to the first image: images need WAHA Plus."""


class WahaDriver:
    name: ClassVar[str] = "waha"
    concurrent: ClassVar[bool] = False
    # Kept to the Cloud API's limits: a linked phone takes more, but very long texts get cut or refused.
    max_text: ClassVar[int] = WHATSAPP_LIMITS["waha"][0]
    max_caption: ClassVar[int] = WHATSAPP_LIMITS["waha"][1]

    def __init__(self, settings, http: httpx.AsyncClient, clock):
        wa = settings.whatsapp
        if not wa.base_url:
            raise ConfigError(_("whatsapp.provider = waha needs whatsapp.base_url, e.g. http://localhost:3000"))
        self.base = wa.base_url.rstrip("/")
        self.http = http
        self.session = wa.session
        self.fallback = wa.image_fallback
        self.media_base = settings.instagram.public_media_base_url
        self.spread = parse_delay(wa.delay)
        self.images_refused = False  # learnt from the first 422; no need to ask again
        self._parts = Parts()  # slides of a message already taken, for retries in this run
        self._token = wa.token
        self._headers = {"X-Api-Key": wa.token} if wa.token else {}
        log.warning(BAN_WARNING.format(provider="WAHA", gap=describe_gap(self.spread)))

    def _fallback_text(self, message: Message) -> str:
        if not self.media_base:
            return message.text
        links = [self.media_base.rstrip("/") + "/" + image.name for image in message.images]
        return message.text + "\n\n" + "\n".join(links)

    async def _post(self, endpoint: str, body: dict) -> httpx.Response:
        return await call(self.http.post(f"{self.base}/api/{endpoint}", headers=self._headers, json=body), "WAHA")

    async def send(self, message: Message) -> Receipt:
        chat = message.recipient.lstrip("+") + "@c.us"
        if message.images and not self.images_refused:
            # Every slide goes, the text as the first one's caption (or after them when too long).
            async def one(n: int, part: tuple[Path | None, str]) -> str:
                image, text = part
                if image is None:
                    return self._receipt(await self._post("sendText", self._text(chat, text))).provider_id
                return await self._send_image(chat, image, text, first=n == 0)

            parts = plan_parts(message.text, message.images, self.max_text, self.max_caption)
            try:
                return Receipt(provider_id=",".join(await self._parts.send(message.key, parts, one)))
            except _ImagesRefused:
                self.images_refused = True
            if not self.fallback:
                raise FatalError(reason(CORE_NO_IMAGES), code=422)
            log.warning("WAHA Core refuses images: sending text with a link instead (whatsapp.image_fallback)")
        text = self._fallback_text(message) if message.images else message.text

        async def send_text(n: int, part: str) -> str:
            return self._receipt(await self._post("sendText", self._text(chat, part))).provider_id

        ids = await self._parts.send(message.key, split_text(text, self.max_text), send_text)
        if message.images:
            return Receipt(provider_id=",".join(ids), detail=N_("image not sent (WAHA Core): text with link"))
        return Receipt(provider_id=",".join(ids))

    def _text(self, chat: str, text: str) -> dict:
        return {"session": self.session, "chatId": chat, "text": text}

    async def _send_image(self, chat: str, image: Path, caption: str, *, first: bool) -> str:
        response = await self._post(
            "sendImage",
            {
                "session": self.session,
                "chatId": chat,
                "file": {
                    "mimetype": mimetypes.guess_type(image.name)[0] or "image/jpeg",
                    "filename": image.name,
                    "data": base64.b64encode(image.read_bytes()).decode(),
                },
                "caption": caption,
            },
        )
        if response.status_code == 422 and first and self._is_plus_only(response):
            raise _ImagesRefused
        return self._receipt(response).provider_id

    def _is_plus_only(self, response: httpx.Response) -> bool:
        body = json_body(response)
        text = str(body).lower() if body is not None else response.text.lower()
        return "plus" in text or "image" in text or "not available" in text or "not implemented" in text

    def _receipt(self, response: httpx.Response) -> Receipt:
        body = json_body(response)
        if response.status_code in (200, 201):
            return Receipt(provider_id=_message_id(body))
        said = ""
        if isinstance(body, dict):
            said = scrub(str(body.get("message") or body.get("error") or ""), self._token)[:200]
        if response.status_code == 401:
            raise FatalError(reason("waha.api_key"), code=401)
        if response.status_code == 404 and "session" in said.lower():
            raise FatalError(reason("waha.no_session", session=self.session), code=404)
        if response.status_code == 422:
            if "session" in said.lower() or "status" in said.lower():
                raise FatalError(reason("waha.not_connected", session=self.session, detail=said), code=422)
            raise PermanentError(reason("waha.refused", detail=said), code=422)
        if response.status_code == 429:
            raise TransientError(reason("waha.slow_down"), code=429, retry_after=retry_after(response))
        raise http_status_error(response, "WAHA", said)

    async def aclose(self) -> None:
        return None


def make(settings, http, clock, **context) -> WahaDriver:
    return WahaDriver(settings, http, clock)
