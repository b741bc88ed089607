"""The signature on conversions the brand's shop sends (``POST /api/conversions``).

The shop signs the raw request body with HMAC-SHA256 under a secret both sides hold
(``BRIDGE_CONVERSIONS_SECRET``) and sends ``X-Bridge-Signature: sha256=<hex>``. Only the raw body is
signed, so no JSON re-encoding can make two sides disagree; the comparison takes constant time. A
replayed request is harmless where it names an ``order_id``: each order is counted once.
"""

from __future__ import annotations

import hashlib
import hmac

from bridge.domain.errors import SignatureRefused

__all__ = ["SIGNATURE_HEADER", "SIGNATURE_PREFIX", "sign", "verify"]

SIGNATURE_HEADER = "X-Bridge-Signature"
SIGNATURE_PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    """The header value a sender puts on ``body``."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify(secret: str, body: bytes, header: str | None) -> None:
    """Raise :class:`SignatureRefused` unless ``header`` is ``body``'s signature under ``secret``."""
    if not header or not header.strip():
        raise SignatureRefused(
            f"{SIGNATURE_HEADER} is missing: sign the raw body with HMAC-SHA256", missing=True
        )
    given = header.strip()
    if not given.startswith(SIGNATURE_PREFIX):
        raise SignatureRefused(f"{SIGNATURE_HEADER} must read {SIGNATURE_PREFIX}<hex digest>", missing=False)
    if not hmac.compare_digest(given.encode("utf-8", "replace"), sign(secret, body).encode("ascii")):
        raise SignatureRefused(f"{SIGNATURE_HEADER} does not match the body", missing=False)
