"""Session keys and signed internal requests (KIP-507), as Java's ``SessionKey`` and
``InternalRequestSignature``.

With protocol ``sessioned`` the leader keeps a random key in the config topic (``session-key`` record);
workers sign the worker-to-worker requests (``POST /connectors/{c}/tasks``, ``PUT /connectors/{c}/fence``)
with an HMAC of the exact body bytes and the leader checks it::

    key = generate_session_key("HmacSHA256")
    headers = sign_request(key, "HmacSHA256", body)          # X-Connect-Authorization + algorithm
    sig = InternalRequestSignature.from_headers(body, headers)
    sig.is_valid(key)                                       # True
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from genesis_worker.herder.errors import BadRequestException
from genesis_worker.model.session_key import SessionKey

SIGNATURE_HEADER = "X-Connect-Authorization"
SIGNATURE_ALGORITHM_HEADER = "X-Connect-Request-Signature-Algorithm"

DEFAULT_ALGORITHM = "HmacSHA256"

# JCA Mac name -> (hashlib constructor, KeyGenerator default key size in bytes)
_ALGORITHMS: dict[str, tuple[Callable[[], object], int]] = {
    "HmacMD5": (hashlib.md5, 64),
    "HmacSHA1": (hashlib.sha1, 64),
    "HmacSHA224": (hashlib.sha224, 28),
    "HmacSHA256": (hashlib.sha256, 32),
    "HmacSHA384": (hashlib.sha384, 48),
    "HmacSHA512": (hashlib.sha512, 64),
}


def _lookup(algorithm: str) -> tuple[Callable[[], object], int]:
    # JCA algorithm names are case-insensitive
    for name, spec in _ALGORITHMS.items():
        if name.lower() == algorithm.lower():
            return spec
    raise BadRequestException(f"Algorithm {algorithm} not available")


def supported_algorithm(algorithm: str) -> bool:
    try:
        _lookup(algorithm)
    except BadRequestException:
        return False
    return True


def generate_session_key(algorithm: str = DEFAULT_ALGORITHM, size_bits: int | None = None) -> SessionKey:
    """A new random key for ``algorithm`` (Java ``KeyGenerator``): ``size_bits``, or the algorithm's default size."""
    _, default_bytes = _lookup(algorithm)
    n = default_bytes if size_bits is None else max(1, size_bits // 8)
    return SessionKey(os.urandom(n), algorithm, int(time.time() * 1000))


def compute_signature(key: bytes, algorithm: str, body: bytes) -> bytes:
    digest, _ = _lookup(algorithm)
    return hmac.new(key, body, digest).digest()  # type: ignore[arg-type]


def sign_request(key: SessionKey, algorithm: str, body: bytes) -> dict[str, str]:
    """Headers that sign ``body`` with ``key`` (Java ``InternalRequestSignature.addToRequest``)."""
    sig = compute_signature(key.key, algorithm, body)
    return {SIGNATURE_HEADER: base64.b64encode(sig).decode("ascii"), SIGNATURE_ALGORITHM_HEADER: algorithm}


def _header(headers: Mapping[str, str], name: str) -> str | None:
    got = headers.get(name)
    if got is not None:
        return got
    lname = name.lower()
    for k, v in headers.items():
        if k.lower() == lname:
            return v
    return None


@dataclass(frozen=True)
class InternalRequestSignature:
    """A received signature: the algorithm named by the sender, the raw body and the decoded MAC."""

    algorithm: str
    body: bytes
    signature: bytes

    @classmethod
    def from_headers(cls, body: bytes, headers: Mapping[str, str]) -> InternalRequestSignature | None:
        """None when either header is missing; 400 for an unknown algorithm or bad Base64 (Java's
        ``InternalRequestSignature.fromHeaders``)."""
        sig = _header(headers, SIGNATURE_HEADER)
        alg = _header(headers, SIGNATURE_ALGORITHM_HEADER)
        if sig is None or alg is None:
            return None
        _lookup(alg)
        try:
            decoded = base64.b64decode(sig.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError) as e:
            raise BadRequestException(str(e)) from e
        return cls(alg, bytes(body), decoded)

    def is_valid(self, key: SessionKey) -> bool:
        expected = compute_signature(key.key, self.algorithm, self.body)
        return hmac.compare_digest(expected, self.signature)


def check_internal_request(
    signature: InternalRequestSignature | None,
    key: SessionKey | None,
    verification_algorithms: list[str],
) -> None:
    """Java ``DistributedHerder.requestNotSignedProperly``: raise the REST error for a request whose
    signature is missing (400), uses an algorithm this worker does not accept (400), arrives before
    any session key is known (503) or does not match (403)."""
    from genesis_worker.herder.errors import ConnectRestException

    if signature is None:
        raise BadRequestException("Internal request missing required signature")
    if signature.algorithm not in verification_algorithms:
        raise BadRequestException(
            f"This worker does not support the '{signature.algorithm}' key signing algorithm used by other "
            f"workers. This worker is currently configured to use: [{', '.join(verification_algorithms)}]. "
            "Check that all workers' configuration files permit the same set of signature algorithms, and "
            "correct any misconfigured worker and restart it."
        )
    if key is None:
        raise ConnectRestException(
            503,
            "This worker is still starting up and has not been able to read a session key from the config topic yet",
        )
    if not signature.is_valid(key):
        raise ConnectRestException(403, "Internal request contained invalid signature.")
