"""Is this webhook from the provider? HMAC over the raw body bytes (re-serialised JSON would not
match), compared in constant time and as bytes: a header holding non-ASCII bytes is simply wrong
(``hmac.compare_digest`` refuses non-ASCII str with a TypeError)."""

from __future__ import annotations

import hashlib
import hmac


def hmac_hex(secret: str, body: bytes, digest: str = "sha256") -> str:
    return hmac.new(secret.encode(), body, getattr(hashlib, digest)).hexdigest()


def cloud_ok(app_secret: str, body: bytes, header: str | None) -> bool:
    """Meta: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>``."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(_raw(header[len("sha256=") :].strip().lower()), hmac_hex(app_secret, body).encode())


def waha_ok(key: str, body: bytes, header: str | None, algorithm: str | None) -> bool:
    """WAHA: ``X-Webhook-Hmac: <hex HMAC-SHA512(key, raw body)>`` with ``X-Webhook-Hmac-Algorithm: sha512``."""
    if not key or not header or (algorithm or "sha512").lower() != "sha512":
        return False
    return hmac.compare_digest(_raw(header.strip().lower()), hmac_hex(key, body, "sha512").encode())


def same_secret(expected: str, given: str | None) -> bool:
    """Fonnte signs nothing: the secret travels in the webhook URL the operator gives Fonnte."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode(errors="replace"), expected.encode())


def _raw(header: str) -> bytes:
    """A header value back to the bytes it came as (Starlette decodes headers as Latin-1)."""
    try:
        return header.encode("latin-1")
    except UnicodeEncodeError:
        return header.encode("utf-8", "surrogatepass")
