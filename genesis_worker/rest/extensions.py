"""``rest.extension.classes``: plug-ins that add middlewares and routes to the main listeners (Connect's
``ConnectRestExtension``), and the HTTP Basic authentication extension that stands in for Connect's
``BasicAuthSecurityRestExtension``.

An extension is a class with ``configure(worker_config)`` and ``register(context)``; it is named by a
dotted Python path, or by the Java class name of an extension genesis provides::

    rest.extension.classes=org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension

Basic authentication reads the same JAAS file as Java (``KafkaConnect { ...PropertyFileLoginModule
required file="/etc/connect/credentials.properties"; };``), located by the worker property
``java.security.auth.login.config`` or by ``-Djava.security.auth.login.config=...`` in ``KAFKA_OPTS``. The
credentials file holds ``user: password`` lines. As in Java, requests without valid credentials get
``401 User cannot access the resource.``; the signed worker-to-worker endpoints are exempt.
"""

from __future__ import annotations

import abc
import base64
import binascii
import hmac
import importlib
import os
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from genesis_worker.api.errors import ConfigException
from genesis_worker.herder.base import Herder
from genesis_worker.rest.context import PRINCIPAL
from genesis_worker.rest.errors import Handler
from genesis_worker.rest.routes import Route

EXTENSIONS_CONFIG = "rest.extension.classes"
JAAS_CONFIG = "java.security.auth.login.config"


@dataclass
class RestExtensionContext:
    """What an extension may extend: middlewares run inside CORS and outside Connect's error mapping."""

    herder: Herder
    middlewares: list[Middleware] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)


class RestExtension(abc.ABC):
    """A REST extension (Connect's ``ConnectRestExtension``)."""

    def configure(self, configs: Mapping[str, Any]) -> None:  # noqa: B027 - optional hook
        """Receive the worker configuration."""

    @abc.abstractmethod
    def register(self, context: RestExtensionContext) -> None: ...


# --- basic authentication -----------------------------------------------------------------------------

_INTERNAL = re.compile(r"^/?connectors/[^/]+/(tasks|fence)/?$")
_JAAS_FILE = re.compile(r'\bfile\s*=\s*"([^"]*)"')
UNAUTHORIZED = "User cannot access the resource."


def _jaas_path(configs: Mapping[str, Any]) -> str:
    path = configs.get(JAAS_CONFIG)
    if path:
        return str(path)
    for arg in shlex.split(os.environ.get("KAFKA_OPTS", "")):
        if arg.startswith(f"-D{JAAS_CONFIG}="):
            return arg.split("=", 1)[1]
    raise ConfigException(
        f"BasicAuthSecurityRestExtension needs a JAAS file: set {JAAS_CONFIG} in the worker properties "
        f"or -D{JAAS_CONFIG}=<file> in KAFKA_OPTS"
    )


def load_credentials(jaas_file: str) -> dict[str, str]:
    """user -> password from the PropertyFileLoginModule's ``file`` named in the KafkaConnect JAAS entry."""
    with open(jaas_file, encoding="utf-8") as f:
        jaas = f.read()
    entry = re.search(r"KafkaConnect\s*\{(.*?)\}\s*;", jaas, re.S)
    if entry is None:
        raise ConfigException(f"No KafkaConnect entry in the JAAS file {jaas_file}")
    match = _JAAS_FILE.search(entry.group(1))
    if match is None:
        raise ConfigException(f'The KafkaConnect entry of {jaas_file} names no credentials file (file="...")')
    users: dict[str, str] = {}
    with open(match.group(1), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#!":
                continue
            m = re.match(r"([^:=\s]+)\s*[:=\s]\s*(.*)$", line)
            if m:
                users[m.group(1)] = m.group(2)
    return users


def parse_basic(header: str | None) -> tuple[str, str] | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep and user else None


class BasicAuthSecurityRestExtension(RestExtension):
    """HTTP Basic authentication against a JAAS PropertyFileLoginModule credentials file."""

    java_class_names = ("org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension",)

    def __init__(self) -> None:
        self.users: dict[str, str] = {}

    def configure(self, configs: Mapping[str, Any]) -> None:
        self.users = load_credentials(_jaas_path(configs))

    def authenticated(self, header: str | None) -> str | None:
        """The user ``header`` authenticates, or None."""
        creds = parse_basic(header)
        if creds is None or creds[0] not in self.users:
            return None
        return creds[0] if hmac.compare_digest(self.users[creds[0]].encode(), creds[1].encode()) else None

    def register(self, context: RestExtensionContext) -> None:
        extension = self

        @web.middleware
        async def basic_auth(request: web.Request, handler: Handler) -> web.StreamResponse:
            if request.match_info.http_exception is not None:  # unknown path / method: Jersey answers first
                return await handler(request)
            if request.method in ("POST", "PUT") and _INTERNAL.match(request.path):
                return await handler(request)  # signed worker-to-worker requests
            user = extension.authenticated(request.headers.get("Authorization"))
            if user is None:
                return web.Response(status=401, text=UNAUTHORIZED, content_type="text/plain")
            request[PRINCIPAL] = user
            return await handler(request)

        context.middlewares.append(basic_auth)


BUILTIN: dict[str, type[RestExtension]] = {
    name: cls for cls in (BasicAuthSecurityRestExtension,) for name in (*cls.java_class_names, cls.__name__)
}


def load_extensions(configs: Mapping[str, Any]) -> list[RestExtension]:
    """Instantiate and configure the classes named by ``rest.extension.classes``."""
    raw = configs.get(EXTENSIONS_CONFIG) or ""
    names = [n.strip() for n in (raw.split(",") if isinstance(raw, str) else raw) if str(n).strip()]
    out: list[RestExtension] = []
    for name in names:
        cls: Any = BUILTIN.get(name)
        if cls is None:
            module, _, attr = name.rpartition(".")
            try:
                cls = getattr(importlib.import_module(module), attr)
            except (ImportError, AttributeError, ValueError) as e:
                raise ConfigException(f"Invalid value {name} for configuration {EXTENSIONS_CONFIG}: {e}") from e
        extension = cls()
        if not isinstance(extension, RestExtension):
            raise ConfigException(f"{name} in {EXTENSIONS_CONFIG} is not a RestExtension")
        extension.configure(configs)
        out.append(extension)
    return out
