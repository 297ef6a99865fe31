"""Meta's WhatsApp Cloud API: one recipient per call, Bearer token, JSON.

Text, image (uploaded once to /media, then sent by id; ids live 30 days and are kept in the
``media`` history table) or an approved template with an image header and body parameters —
the only way to reach people who have not written to the office in the last 24 hours.
Every answer is classified here into a Receipt or the error tree; pacing and retries belong to
the engine (siaran.send).
"""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import re
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

import httpx

from ..errors import ConfigError, DeliveryError, FatalError, PermanentError, TransientError, scrub
from ..i18n import N_, _
from .base import MediaStore, Message, Receipt
from .http import Parts, call, http_status_error, json_body, json_bytes, retry_after
from .limits import split_text

MEDIA_TTL = timedelta(days=29)  # ids live 30 days; renewing a day early keeps a long broadcast safe

TRANSIENT = {
    1: N_("API unknown error"),
    2: N_("API service temporarily unavailable"),
    4: N_("app request limit reached"),
    80007: N_("WhatsApp Business Account rate limit reached"),
    130429: N_("throughput limit of the phone number reached"),
    131000: N_("something went wrong at Meta"),
    131016: N_("WhatsApp service temporarily overloaded"),
    131056: N_("too many messages to this person in a short time (pair rate limit)"),
}
FATAL = {
    0: N_("authentication failed: check SIARAN_WHATSAPP_TOKEN"),
    10: N_("permission denied: the token lacks whatsapp_business_messaging permission"),
    190: N_(
        "the access token expired or is invalid: create a new one in Meta Business Settings "
        "(System User token) and set SIARAN_WHATSAPP_TOKEN"
    ),
    200: N_("permission denied: the token lacks whatsapp_business_messaging permission"),
    368: N_("the account is temporarily blocked for policy violations: see Meta Business Support"),
    131031: N_("the WhatsApp Business Account is locked or restricted: see Meta Business Manager"),
    131048: N_(
        "spam rate limit hit: too many people blocked or reported these messages; stop this campaign "
        "and review its content and lists before sending again"
    ),
    131042: N_("a payment problem on the WhatsApp Business Account: fix the payment method"),
    133010: N_("the phone number is not registered on the Cloud API"),
    131045: N_("the phone number is not registered on the Cloud API (certificate missing)"),
}
PERMANENT = {
    100: N_("invalid parameter"),
    131008: N_("a required parameter is missing"),
    131009: N_("a parameter value is invalid"),
    131021: N_("the recipient is the sender's own number"),
    131026: N_("message undeliverable: the number is not on WhatsApp or cannot receive this message"),
    131030: N_("the number is not in the allowed list of this test phone number"),
    131047: N_("more than 24 hours since this person last wrote: configure an approved template (whatsapp.template)"),
    131050: N_("this person stopped marketing messages from the office"),
    131051: N_("unsupported message type"),
    131052: N_("media download error"),
    131053: N_("media upload error"),
}


def classify(response: httpx.Response, secrets: tuple[str, ...] = ()) -> DeliveryError:
    """A non-success answer as the right error. Meta throttles with HTTP 400 and a code, not 429."""
    body = json_body(response)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or "code" not in error:
        if response.status_code == 401:
            return FatalError(FATAL[190], code=401)
        return http_status_error(response, "WhatsApp Cloud API")
    code = int(error.get("code") or 0)
    sub = error.get("error_subcode")
    details = (error.get("error_data") or {}).get("details") if isinstance(error.get("error_data"), dict) else None
    said = scrub(str(details or error.get("message") or ""), *secrets)[:300]
    wait = retry_after(response)
    if code in TRANSIENT:
        return TransientError(f"{TRANSIENT[code]} ({said})" if said else TRANSIENT[code], code=code, retry_after=wait)
    if code in FATAL or response.status_code == 401:
        return FatalError(FATAL.get(code, FATAL[190]), code=code)
    if code in PERMANENT:
        return PermanentError(f"{PERMANENT[code]} ({said})" if said else PERMANENT[code], code=code)
    if 132000 <= code <= 132999:
        return PermanentError(N_("template problem: {detail}").format(
            detail=said or N_("check the template name, language and parameters")), code=code)  # fmt: skip
    if response.status_code >= 500:
        return TransientError(N_("Meta server error ({detail})").format(detail=said), code=code, retry_after=wait)
    reason = (
        N_("WhatsApp Cloud API error {code}").format(code=code)
        + (f"/{sub}" if sub else "")
        + (f": {said}" if said else "")
    )
    return PermanentError(reason, code=code)


def _flat(text: str) -> str:
    """Template parameters may not hold newlines, tabs or more than 4 spaces in a row."""
    return re.sub(r"\s+", " ", text).strip()


class CloudDriver:
    name: ClassVar[str] = "cloud"
    concurrent: ClassVar[bool] = True  # many requests in flight, paced by whatsapp.mps
    max_text: ClassVar[int] = 4096  # Cloud API: text body 4,096, image caption 1,024 characters
    max_caption: ClassVar[int] = 1024
    spread: ClassVar[tuple[float, float] | None] = None

    def __init__(self, settings, http: httpx.AsyncClient, clock, media: MediaStore | None = None):
        wa = settings.whatsapp
        if not wa.token or not wa.phone_number_id:
            raise ConfigError(
                _(
                    "whatsapp.provider = cloud needs SIARAN_WHATSAPP_TOKEN (in .env or the environment) "
                    "and whatsapp.phone_number_id"
                )
            )
        base = (wa.base_url or "https://graph.facebook.com").rstrip("/")
        self.url = f"{base}/{wa.api_version}/{wa.phone_number_id}"
        self.http = http
        self.clock = clock
        self.phone_number_id = wa.phone_number_id
        self.template = wa.template
        self.language = wa.template_language
        self.params = [p.strip() for p in wa.template_params.split(",") if p.strip()]
        self._token = wa.token
        self._headers = {"Authorization": f"Bearer {wa.token}"}
        self._json_headers = {**self._headers, "Content-Type": "application/json"}
        self._messages_url = httpx.URL(f"{self.url}/messages")
        self._message_request: httpx.Request | None = None  # URL, headers, timeouts: built once
        self._store = media  # media ids kept between runs (None: uploaded again each run)
        self._media: dict[Path, str] = {}
        self._parts = Parts()  # slides of a message already accepted, for retries in this run
        self._media_lock = asyncio.Lock()

    # -- media ---------------------------------------------------------------------------------
    def _media_key(self, image: Path, data: bytes) -> str:
        return "cloud:" + self.phone_number_id + ":" + hashlib.sha256(data).hexdigest()

    async def media_id(self, image: Path) -> str:
        """The Cloud API media id of an image: from memory, from history if younger than the
        TTL, or uploaded now. One upload per image even with many senders in flight."""
        found = self._media.get(image)
        if found:
            return found
        async with self._media_lock:
            found = self._media.get(image)
            if found:
                return found
            data = image.read_bytes()
            key = self._media_key(image, data)
            now = self.clock.now()
            found = self._store.get(key) if self._store else None
            if found and now - found[1] < MEDIA_TTL:
                media = found[0]
            else:
                media = await self._upload(image, data)
                if self._store:
                    self._store.put(key, "cloud", media, now)
            self._media[image] = media
            return media

    async def _upload(self, image: Path, data: bytes) -> str:
        mime = mimetypes.guess_type(image.name)[0] or "image/jpeg"
        response = await call(
            self.http.post(
                f"{self.url}/media",
                headers=self._headers,
                data={"messaging_product": "whatsapp", "type": mime},
                files={"file": (image.name, data, mime)},
            ),
            "WhatsApp Cloud API",
        )
        body = json_body(response)
        if response.status_code == 200 and isinstance(body, dict) and body.get("id"):
            return str(body["id"])
        error = classify(response, (self._token,))
        reason = N_("uploading {name}: {reason}").format(name=image.name, reason=error.reason)
        if isinstance(error, PermanentError):  # the same image fails for everyone: stop, say why
            raise FatalError(reason, code=error.code)
        raise type(error)(reason, code=error.code, retry_after=error.retry_after)

    # -- messages ------------------------------------------------------------------------------
    def template_values(self, message: Message) -> list[str]:
        extra = message.extra
        values = {
            "name": message.recipient_name or "Bapak/Ibu",
            "title": extra.get("title", ""),
            "summary": extra.get("summary") or extra.get("title", ""),
            "date": extra.get("date", ""),
            "time": extra.get("time", ""),
            "place": extra.get("place", ""),
            "text": message.text,
        }
        return [_flat(values.get(p, "")) or "-" for p in extra.get("template_params", self.params)]

    async def payload(self, message: Message) -> list[dict[str, Any]]:
        """The JSON bodies for one message: usually one; two when a caption is too long."""
        to = message.recipient.lstrip("+")
        base = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        interactive = message.extra.get("interactive")
        if interactive:  # a reply inside the 24-hour window: the menu as a list or buttons
            return [{**base, "type": "interactive", "interactive": interactive}]
        template = message.extra.get("template", self.template)
        image = message.images[0] if message.images else None
        if template:
            components: list[dict[str, Any]] = []
            if image is not None:
                media = await self.media_id(image)
                components.append({"type": "header", "parameters": [{"type": "image", "image": {"id": media}}]})
            body = [{"type": "text", "text": v} for v in self.template_values(message)]
            if body:
                components.append({"type": "body", "parameters": body})
            tpl = {"name": template, "language": {"code": message.extra.get("language", self.language)}}
            if components:
                tpl["components"] = components
            return [{**base, "type": "template", "template": tpl}]
        texts = [
            {**base, "type": "text", "text": {"preview_url": True, "body": part}}
            for part in split_text(message.text, self.max_text)
        ]
        if image is None:
            return texts
        # Every slide of a carousel goes (a long SOP must arrive whole); the text is the first caption,
        # or follows the slides when it is longer than a caption may be.
        bodies = [{**base, "type": "image", "image": {"id": await self.media_id(i)}} for i in message.images]
        if len(message.text) <= self.max_caption:
            bodies[0]["image"]["caption"] = message.text
            return bodies
        return [*bodies, *texts]

    async def send(self, message: Message) -> Receipt:
        ids = await self._parts.send(message.key, await self.payload(message), self._post_message)
        return Receipt(provider_id=",".join(ids))

    def _request(self, content: bytes) -> httpx.Request:
        """A message request from a template the client built once (its URL, merged headers and
        timeouts), its body given as a stream with its length: httpx then takes the headers as they
        are instead of merging and checking them again (~25 µs a message, 5 µs this way)."""
        template = self._message_request
        if template is None:
            template = self.http.build_request("POST", self._messages_url, headers=self._json_headers)
            del template.headers["content-length"]  # each body sets its own
            self._message_request = template
        return httpx.Request(
            "POST",
            template.url,
            headers=[*template.headers.raw, (b"Content-Length", b"%d" % len(content))],
            stream=httpx.ByteStream(content),
            extensions=template.extensions,
        )

    async def _post_message(self, n: int, body: dict[str, Any]) -> str:
        # This runs up to 1,000 times a second: only the body is made per message.
        response = await call(self.http.send(self._request(json_bytes(body))), "WhatsApp Cloud API")
        data = json_body(response)
        if response.status_code == 200 and isinstance(data, dict) and data.get("messages"):
            return str(data["messages"][0].get("id", ""))
        raise classify(response, (self._token,))

    async def aclose(self) -> None:
        return None


DRIVER = CloudDriver  # its declared limits, read by `siaran check` (channels.whatsapp_limits)


def make(settings, http, clock, **context) -> CloudDriver:
    return CloudDriver(settings, http, clock, context.get("media"))
