"""TLS for ``https`` listeners from Connect's ``ssl.*`` settings.

Settings come from ``listeners.https.ssl.*`` (or ``admin.listeners.https.ssl.*``) when any key with that
prefix exists, else from the worker's un-prefixed ``ssl.*`` keys (Connect's all-or-nothing rule).
Supported stores: PEM (``ssl.keystore.type=PEM`` with ``ssl.keystore.location`` or the inline
``ssl.keystore.key`` + ``ssl.keystore.certificate.chain``; ``ssl.truststore.type=PEM`` with
``ssl.truststore.location`` or ``ssl.truststore.certificates``) and PKCS12 when the ``cryptography``
package is installed. JKS stores cannot be read from Python: a clear error says how to convert them.
"""

from __future__ import annotations

import os
import ssl
import tempfile
from collections.abc import Mapping
from typing import Any

from genesis_worker.api.errors import ConfigException

CLIENT_AUTH = {"none": ssl.CERT_NONE, "requested": ssl.CERT_OPTIONAL, "required": ssl.CERT_REQUIRED}
_PROTOCOLS = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}


def ssl_settings(cfg: Mapping[str, Any], prefix: str) -> dict[str, str]:
    """The ``ssl.*`` settings for listeners configured under ``prefix`` (e.g. ``listeners.https.``)."""
    prefixed = {k[len(prefix) :]: str(v) for k, v in cfg.items() if k.startswith(prefix) and v is not None}
    if prefixed:
        return prefixed
    return {k: str(v) for k, v in cfg.items() if k.startswith("ssl.") and v is not None}


def _jks_error(key: str, location: str) -> ConfigException:
    return ConfigException(
        f"{key}: JKS key stores ({location}) cannot be read by genesis-worker. Convert it to PEM "
        "(keytool -importkeystore -deststoretype PKCS12 ..., then openssl pkcs12 -nodes) and set the "
        "type to PEM, or use PKCS12 with the 'cryptography' package installed."
    )


def _pkcs12(location: str, password: str | None) -> tuple[bytes, bytes | None, list[bytes]]:
    """(private key PEM or b"", certificate PEM, CA certificates PEM) from a PKCS12 file."""
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.serialization import pkcs12
    except ImportError:
        raise ConfigException(
            f"PKCS12 store {location} needs the 'cryptography' package; install it or convert the store to PEM"
        ) from None
    with open(location, "rb") as f:
        key, cert, extra = pkcs12.load_key_and_certificates(f.read(), password.encode() if password else None)
    key_pem = (
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        if key is not None
        else b""
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM) if cert is not None else None
    return key_pem, cert_pem, [c.public_bytes(serialization.Encoding.PEM) for c in extra or []]


def _load_chain_from_pem(ctx: ssl.SSLContext, pem: bytes, password: str | None) -> None:
    fd, path = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        ctx.load_cert_chain(path, password=password)
    finally:
        os.unlink(path)


def server_ssl_context(settings: Mapping[str, str]) -> ssl.SSLContext:
    """An SSLContext for a listener, from Connect's ``ssl.*`` keys (prefix already stripped)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    key_password = settings.get("ssl.key.password") or None
    ks_type = settings.get("ssl.keystore.type", "JKS").strip().upper()
    ks_location = settings.get("ssl.keystore.location", "").strip()
    inline_key = settings.get("ssl.keystore.key", "").strip()
    inline_chain = settings.get("ssl.keystore.certificate.chain", "").strip()
    try:
        if inline_key or inline_chain:
            if ks_type != "PEM":
                raise ConfigException("ssl.keystore.key and ssl.keystore.certificate.chain need ssl.keystore.type=PEM")
            _load_chain_from_pem(ctx, (inline_chain + "\n" + inline_key + "\n").encode(), key_password)
        elif ks_location:
            if ks_type == "PEM":
                ctx.load_cert_chain(ks_location, password=key_password)
            elif ks_type == "PKCS12":
                key_pem, cert_pem, extra = _pkcs12(ks_location, settings.get("ssl.keystore.password"))
                _load_chain_from_pem(ctx, (cert_pem or b"") + b"".join(extra) + key_pem, None)
            else:
                raise _jks_error("ssl.keystore.location", ks_location)
        else:
            raise ConfigException("An https listener needs ssl.keystore.location (or ssl.keystore.key)")
        _load_trust(ctx, settings)
    except (OSError, ssl.SSLError) as e:
        raise ConfigException(f"Cannot load the TLS key/trust material for an https listener: {e}") from e
    auth = settings.get("ssl.client.auth", "none").strip().lower()
    if auth not in CLIENT_AUTH:
        raise ConfigException(
            f"Invalid value {auth} for configuration ssl.client.auth: must be none, requested or required"
        )
    ctx.verify_mode = CLIENT_AUTH[auth]
    _protocols(ctx, settings)
    return ctx


def client_ssl_context(settings: Mapping[str, str]) -> ssl.SSLContext | None:
    """An SSLContext to reach other workers' https listeners (trust store + optional client key)."""
    if not any(k.startswith("ssl.truststore") for k in settings):
        return None
    ctx = ssl.create_default_context()
    if settings.get("ssl.endpoint.identification.algorithm", "https").strip() == "":
        ctx.check_hostname = False
    _load_trust(ctx, settings)
    return ctx


def _load_trust(ctx: ssl.SSLContext, settings: Mapping[str, str]) -> None:
    ts_type = settings.get("ssl.truststore.type", "JKS").strip().upper()
    ts_location = settings.get("ssl.truststore.location", "").strip()
    inline = settings.get("ssl.truststore.certificates", "").strip()
    if inline:
        ctx.load_verify_locations(cadata=inline)
    elif ts_location:
        if ts_type == "PEM":
            ctx.load_verify_locations(cafile=ts_location)
        elif ts_type == "PKCS12":
            _, cert_pem, extra = _pkcs12(ts_location, settings.get("ssl.truststore.password"))
            pem = (cert_pem or b"") + b"".join(extra)
            ctx.load_verify_locations(cadata=pem.decode())
        else:
            raise _jks_error("ssl.truststore.location", ts_location)


def _protocols(ctx: ssl.SSLContext, settings: Mapping[str, str]) -> None:
    enabled = [p.strip() for p in settings.get("ssl.enabled.protocols", "").split(",") if p.strip()]
    versions = [_PROTOCOLS[p] for p in enabled if p in _PROTOCOLS]
    if versions:
        ctx.minimum_version = min(versions)
        ctx.maximum_version = max(versions)
