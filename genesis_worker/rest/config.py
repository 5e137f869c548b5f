"""REST settings read from the worker properties (Java ``RestServerConfig`` and the REST part of
``WorkerConfig``): listeners, advertised address, CORS, response headers, topic tracking and timeouts.

Values may be strings (a ``.properties`` file) or already typed; both are accepted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from genesis_worker.api.errors import ConfigException

DEFAULT_LISTENERS = "http://:8083"
DEFAULT_REQUEST_TIMEOUT_MS = 90_000
DEFAULT_HEALTH_TIMEOUT_MS = 10_000
# genesis-only knob (Java hard-codes 90 s); tests lower it.
REQUEST_TIMEOUT_CONFIG = "rest.request.timeout.ms"

_LISTENER_RE = re.compile(r"^(.*)://\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$")


@dataclass(frozen=True)
class Listener:
    """One ``protocol://host:port`` entry of ``listeners`` / ``admin.listeners``."""

    protocol: str  # "http" | "https"
    host: str  # "" = all interfaces
    port: int

    @classmethod
    def parse(cls, text: str) -> Listener:
        m = _LISTENER_RE.match(text.strip())
        if m is None:
            raise ConfigException(f"Could not parse listener '{text}': expected protocol://host:port")
        protocol = m.group(1).lower()
        if protocol not in ("http", "https"):
            raise ConfigException(f'Listener protocol must be either "http" or "https", but got: {m.group(1)}')
        port = int(m.group(3))
        if not 0 <= port <= 65535:
            raise ConfigException(f"Invalid port {port} in listener '{text}'")
        return cls(protocol, m.group(2), port)


def parse_listeners(value: Any, key: str) -> list[Listener]:
    items = _as_list(value)
    return [Listener.parse(item) for item in items]


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def _as_bool(value: Any, key: str, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "false"):
        return text == "true"
    raise ConfigException(f"Invalid value {value} for configuration {key}: Expected value to be either true or false")


def _as_int(value: Any, key: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise ConfigException(f"Invalid value {value} for configuration {key}: Not a number of type INT") from None


def _str(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class RestConfig:
    """Everything the REST server needs from the worker configuration."""

    listeners: list[Listener] = field(default_factory=lambda: [Listener("http", "", 8083)])
    admin_listeners: list[Listener] | None = None  # None = on the main listeners; [] = disabled
    advertised_host_name: str | None = None
    advertised_port: int | None = None
    advertised_listener: str | None = None
    allow_origin: str = ""
    allow_methods: str = ""
    response_headers: str = ""
    topic_tracking_enable: bool = True
    topic_tracking_allow_reset: bool = True
    request_timeout_s: float = DEFAULT_REQUEST_TIMEOUT_MS / 1000
    health_timeout_s: float = DEFAULT_HEALTH_TIMEOUT_MS / 1000
    verification_algorithms: list[str] = field(default_factory=lambda: ["HmacSHA256"])
    worker_config: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_worker_config(cls, cfg: Mapping[str, Any]) -> RestConfig:
        listeners = parse_listeners(cfg.get("listeners", DEFAULT_LISTENERS) or DEFAULT_LISTENERS, "listeners")
        if not listeners:
            listeners = parse_listeners(DEFAULT_LISTENERS, "listeners")
        admin_raw = cfg.get("admin.listeners")
        admin = None if admin_raw is None else parse_listeners(admin_raw, "admin.listeners")
        adv_listener = cfg.get("rest.advertised.listener")
        adv_listener = str(adv_listener).strip().lower() if adv_listener not in (None, "") else None
        if adv_listener is not None and adv_listener not in ("http", "https"):
            raise ConfigException(
                f"Invalid value {adv_listener} for configuration rest.advertised.listener: must be http or https"
            )
        timeout_ms = _as_int(cfg.get(REQUEST_TIMEOUT_CONFIG), REQUEST_TIMEOUT_CONFIG) or DEFAULT_REQUEST_TIMEOUT_MS
        algorithms = _as_list(cfg.get("inter.worker.verification.algorithms")) or ["HmacSHA256"]
        from genesis_worker.rest.headers import parse_header_config

        response_headers = _str(cfg.get("response.http.headers.config")).strip()
        parse_header_config(response_headers)  # fail fast on a bad rule
        host = cfg.get("rest.advertised.host.name")
        return cls(
            listeners=listeners,
            admin_listeners=admin,
            advertised_host_name=str(host).strip() if host not in (None, "") else None,
            advertised_port=_as_int(cfg.get("rest.advertised.port"), "rest.advertised.port"),
            advertised_listener=adv_listener,
            allow_origin=_str(cfg.get("access.control.allow.origin")),
            allow_methods=_str(cfg.get("access.control.allow.methods")),
            response_headers=response_headers,
            topic_tracking_enable=_as_bool(cfg.get("topic.tracking.enable"), "topic.tracking.enable", True),
            topic_tracking_allow_reset=_as_bool(
                cfg.get("topic.tracking.allow.reset"), "topic.tracking.allow.reset", True
            ),
            request_timeout_s=timeout_ms / 1000,
            verification_algorithms=algorithms,
            worker_config=dict(cfg),
        )
