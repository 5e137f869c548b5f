"""What every handler reaches through ``request.app[CONTEXT]``: the herder, the REST settings, the
logger levels and the forwarding client."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from genesis_worker.herder.base import Herder
from genesis_worker.herder.loggers import Loggers, worker_loggers
from genesis_worker.rest.client import Forwarder
from genesis_worker.rest.config import RestConfig


@dataclass
class RestContext:
    herder: Herder
    config: RestConfig
    forwarder: Forwarder
    loggers: Loggers = field(default_factory=worker_loggers)
    openapi_cache: dict[str, Any] = field(default_factory=dict)


CONTEXT: web.AppKey[RestContext] = web.AppKey("genesis_rest_context", RestContext)
PRINCIPAL: web.RequestKey[str] = web.RequestKey("rest_principal", str)
"""Request key: the user a REST authentication extension authenticated (absent without authentication);
layers above read it, e.g. Genesis's audit history names it as the change's actor."""
FORWARD_HEADERS: web.RequestKey[dict[str, str]] = web.RequestKey("rest_forward_headers", dict)
"""Request key: headers a layer above wants on the request if it is forwarded to another worker (e.g.
Genesis passes the actor it saw on to the worker that applies the change)."""
FORWARDED_TO: web.RequestKey[str] = web.RequestKey("rest_forwarded_to", str)
"""Request key, set by the handler: the URL of the worker this request was forwarded to (it applied it)."""


def context(request: web.Request) -> RestContext:
    return request.app[CONTEXT]
