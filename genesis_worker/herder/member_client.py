"""Connection settings of the group member (aiokafka) derived from the worker's translated client
configuration (librdkafka names, see :mod:`genesis_worker.config.kafka_clients`), so that the member
reaches a secured cluster the same way the internal-topic clients do::

    aiokafka_client_config({"security.protocol": "sasl_ssl", "sasl.mechanisms": "PLAIN", ...})
    # {"security_protocol": "SASL_SSL", "sasl_mechanism": "PLAIN", "sasl_plain_username": ..., "ssl_context": ...}
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any

from genesis_worker.api.errors import ConfigException

_SUPPORTED_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


def _ssl_context(conf: Mapping[str, Any]) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=conf.get("ssl.ca.location") or None, cadata=conf.get("ssl.ca.pem") or None)
    cert, key = conf.get("ssl.certificate.location"), conf.get("ssl.key.location")
    if cert:
        ctx.load_cert_chain(cert, key or None, conf.get("ssl.key.password") or None)
    elif conf.get("ssl.certificate.pem"):
        raise ConfigException(
            "ssl.keystore.certificate.chain given inline is not supported for the group member connection; "
            "use ssl.keystore.location with a PEM file",
            "ssl.keystore.certificate.chain",
        )
    if str(conf.get("ssl.endpoint.identification.algorithm", "https")).lower() in ("", "none"):
        ctx.check_hostname = False
    return ctx


def aiokafka_client_config(conf: Mapping[str, Any]) -> dict[str, Any]:
    """aiokafka ``AIOKafkaClient`` keyword arguments for the security settings in ``conf``."""
    out: dict[str, Any] = {}
    protocol = str(conf.get("security.protocol", "PLAINTEXT")).upper()
    if protocol != "PLAINTEXT":
        out["security_protocol"] = protocol
    if protocol in ("SSL", "SASL_SSL"):
        out["ssl_context"] = _ssl_context(conf)
    if protocol in ("SASL_PLAINTEXT", "SASL_SSL"):
        mechanism = str(conf.get("sasl.mechanisms", "GSSAPI")).upper()
        if mechanism not in _SUPPORTED_MECHANISMS:
            raise ConfigException(
                f"Invalid value {mechanism} for configuration sasl.mechanism: the group member supports "
                f"{', '.join(_SUPPORTED_MECHANISMS)}",
                "sasl.mechanism",
            )
        out["sasl_mechanism"] = mechanism
        out["sasl_plain_username"] = conf.get("sasl.username")
        out["sasl_plain_password"] = conf.get("sasl.password")
    return out
