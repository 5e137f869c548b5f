"""Signed worker-to-worker requests (KIP-507) as the REST layer checks them.

The HMAC itself and Java's error messages live in :mod:`genesis_worker.herder.session_keys` (shared with
the sending side); this module applies them to an incoming request: the signature headers are parsed
first (400 for an unknown algorithm or bad Base64, whatever the protocol), then -- only while the herder
says protocol V2 (``sessioned``) is active -- the signature must be present (400), use an accepted
algorithm (400), a session key must be known (503) and the MAC over the exact body bytes must match (403).

    X-Connect-Authorization: base64(HMAC(session key, body))
    X-Connect-Request-Signature-Algorithm: HmacSHA256
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

from genesis_worker.herder.base import Herder
from genesis_worker.herder.session_keys import (
    SIGNATURE_ALGORITHM_HEADER,
    SIGNATURE_HEADER,
    InternalRequestSignature,
    check_internal_request,
    compute_signature,
)

__all__ = [
    "SIGNATURE_ALGORITHM_HEADER",
    "SIGNATURE_HEADER",
    "InternalRequestSignature",
    "sign",
    "verify_internal_request",
]


def sign(key: bytes, body: bytes, algorithm: str = "HmacSHA256") -> str:
    """The ``X-Connect-Authorization`` value for ``body``: standard Base64 (padded) of the HMAC."""
    return base64.b64encode(compute_signature(key, algorithm, body)).decode("ascii")


def verify_internal_request(
    herder: Herder, body: bytes, headers: Mapping[str, str], verification_algorithms: list[str]
) -> InternalRequestSignature | None:
    """Raise Connect's REST error for a badly signed internal request; return the parsed signature."""
    signature = InternalRequestSignature.from_headers(body, headers)
    if herder.requires_request_signature():
        check_internal_request(signature, herder.session_key(), verification_algorithms)
    return signature
