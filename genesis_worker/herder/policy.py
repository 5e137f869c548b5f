"""Connector config policies: rules a layer above the core adds to connector config validation.

The core knows no policy of its own; a layer registers one with :meth:`Herder.add_config_policy
<genesis_worker.herder.base.Herder.add_config_policy>` before the herder starts (Genesis registers its
ownership rule). A policy's keys and validated values join the ``ConfigInfos`` of
``PUT /connector-plugins/{plugin}/config/validate``, so create and update refuse a config whose values
carry errors (400 with the errors), exactly as for the connector's own keys::

    class NeedsTeam(ConnectorConfigPolicy):
        def validate(self, config):
            values = TEAM_DEF.validate(config)
            if not config.get("team"):
                values[0].add_error("every connector names a team")
            return TEAM_DEF, values
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

from genesis_worker.api.config import ConfigDef, ConfigValue


class ConnectorConfigPolicy(abc.ABC):
    @abc.abstractmethod
    def validate(self, config: Mapping[str, Any]) -> tuple[ConfigDef, list[ConfigValue]] | None:
        """The policy's key definitions and ``config``'s validated values for them (errors attached), or
        None when the policy has nothing to add for ``config`` (the answer stays Connect's)."""
