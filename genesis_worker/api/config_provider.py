"""ConfigProvider: where ``${provider:path:key}`` placeholders in worker and connector configs are read from,
as Kafka's ``org.apache.kafka.common.config.provider.ConfigProvider`` (KIP-297).

A worker names its providers in ``config.providers`` and gives each a class and parameters::

    config.providers=file,vault
    config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
    config.providers.vault.class=my_package.vault.VaultConfigProvider
    config.providers.vault.param.url=https://vault:8200

A connector config may then say ``"connection.password": "${file:/etc/secrets/db.properties:password}"``.
The placeholder is stored as written (the config topic and ``GET /connectors/{c}/config`` never show the
secret); connectors and tasks see the resolved value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from genesis_worker.api.plugin import Plugin


@dataclass(frozen=True)
class ConfigData:
    """What a provider returns for one path: the values found, and how long they stay valid (ms, or None
    for ever). When a TTL expires, a connector using the values is restarted and reads them again, unless
    its ``config.action.reload`` is ``none`` (KIP-421)."""

    data: dict[str, str] = field(default_factory=dict)
    ttl: int | None = None


class ConfigProvider(Plugin):
    """Reads configuration values from outside the config (files, environment, a secret store).

    Subclasses implement :meth:`get`; :meth:`configure` receives the ``config.providers.<name>.param.*``
    values with the prefix removed. Calls are synchronous and happen when a config is resolved, so keep
    them quick (cache what a remote store returns)."""

    def configure(self, configs: Mapping[str, str]) -> None:
        """Called once, before any :meth:`get`, with this provider's parameters."""

    def get(self, path: str | None, keys: Iterable[str] | None = None) -> ConfigData:
        """The values under ``path`` (None when the placeholder has no path, as in ``${env:HOME}``); with
        ``keys``, only those. A key that is not there is left out: its placeholder stays as written."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what :meth:`configure` opened."""
