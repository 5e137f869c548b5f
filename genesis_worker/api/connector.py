"""Connector classes: the part of a pipeline that holds its config and splits the work into tasks.

A minimal sink connector::

    class PrintSinkConnector(SinkConnector):
        def task_class(self) -> type[SinkTask]:
            return PrintSinkTask

        async def start(self, props: dict[str, str]) -> None:
            self.props = props

        def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
            return [dict(self.props) for _ in range(max_tasks)]

        async def stop(self) -> None:
            pass
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from genesis_worker.api.config import ConfigDef, ConfigValue
from genesis_worker.api.lineage import Endpoint, Lineage
from genesis_worker.api.plugin import Plugin

if TYPE_CHECKING:
    from genesis_worker.api.task import SinkTask, SourceTask, Task


class ConnectorContext:
    """What the framework offers a running connector."""

    def request_task_reconfiguration(self) -> None:
        """Ask the framework to call :meth:`Connector.task_configs` again (e.g. new tables appeared)."""
        raise NotImplementedError

    def raise_error(self, error: BaseException) -> None:
        """Fail the connector from a background thread or task of its own."""
        raise NotImplementedError


class Connector(Plugin):
    """Base of sink and source connectors. Subclass :class:`SinkConnector` or :class:`SourceConnector`."""

    context: ConnectorContext

    def initialize(self, context: ConnectorContext) -> None:
        self.context = context

    async def start(self, props: dict[str, str]) -> None:
        """Called once with the connector's configuration (strings, as posted)."""

    def task_class(self) -> type[Task]:
        raise NotImplementedError

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        """At most ``max_tasks`` task configurations; one task is started per map."""
        raise NotImplementedError

    async def stop(self) -> None:
        """Release what :meth:`start` acquired."""

    def validate(self, connector_configs: Mapping[str, Any]) -> list[ConfigValue]:
        """Validate a configuration; the default validates against :meth:`config`."""
        return self.config().validate(connector_configs)

    def config(self) -> ConfigDef:
        return ConfigDef()

    def lineage(self, config: Mapping[str, str]) -> Lineage:
        """What this connector reads and writes, for the lineage view. Override to name external systems;
        the default knows only the Kafka topics a sink consumes."""
        return Lineage()


class SinkConnector(Connector):
    """A connector whose tasks read Kafka topics (``topics`` or ``topics.regex``) and write elsewhere."""

    TOPICS_CONFIG = "topics"
    TOPICS_REGEX_CONFIG = "topics.regex"

    def task_class(self) -> type[SinkTask]:
        raise NotImplementedError

    def lineage(self, config: Mapping[str, str]) -> Lineage:
        inputs = [Endpoint("kafka", t.strip()) for t in config.get(self.TOPICS_CONFIG, "").split(",") if t.strip()]
        if config.get(self.TOPICS_REGEX_CONFIG, "").strip():
            inputs.append(Endpoint("kafka", config[self.TOPICS_REGEX_CONFIG].strip(), pattern=True))
        return Lineage(inputs=inputs)

    async def alter_offsets(self, connector_config: Mapping[str, str], offsets: Mapping[Any, int | None]) -> bool:
        """Called before ``PATCH/DELETE /connectors/{c}/offsets``; return True if the connector also
        handled offsets it keeps outside Kafka. Raise to refuse the change."""
        return False


class SourceConnector(Connector):
    """A connector whose tasks read an external system and produce to Kafka."""

    def task_class(self) -> type[SourceTask]:
        raise NotImplementedError

    async def alter_offsets(
        self, connector_config: Mapping[str, str], offsets: Mapping[Any, Mapping[str, Any] | None]
    ) -> bool:
        """Like :meth:`SinkConnector.alter_offsets`; keys are source partition maps."""
        return False
