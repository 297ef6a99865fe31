"""Is this webhook from the provider? HMAC over the raw body bytes (re-serialised JSON would not
match), compared in constant time."""

from __future__ import annotations

import hashlib
import hmac


def hmac_hex(secret: str, body: bytes, digest: str = "sha256") -> str:
    return hmac.new(secret.encode(), body, getattr(hashlib, digest)).hexdigest()


def cloud_ok(app_secret: str, body: bytes, header: str | None) -> bool:
    """Meta: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>``."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(header[len("sha256=") :].strip().lower(), hmac_hex(app_secret, body))


def waha_ok(key: str, body: bytes, header: str | None, algorithm: str | None) -> bool:
    """WAHA: ``X-Webhook-Hmac: <hex HMAC-SHA512(key, raw body)>`` with ``X-Webhook-Hmac-Algorithm: sha512``."""
    if not key or not header or (algorithm or "sha512").lower() != "sha512":
        return False
    return hmac.compare_digest(header.strip().lower(), hmac_hex(key, body, "sha512"))


def same_secret(expected: str, given: str | None) -> bool:
    """Fonnte signs nothing: the secret travels in the webhook URL the operator gives Fonnte."""
    return bool(expected) and given is not None and hmac.compare_digest(given.encode(), expected.encode())
