"""Topic creation for source connectors (KIP-158): ``topic.creation.default.*`` and named groups.

A missing topic is created before the first record is sent to it, with the settings of the first
group (in ``topic.creation.groups`` order) whose ``include`` regexes match and ``exclude`` do not,
else the ``default`` group. Group keys: ``replication.factor`` and ``partitions`` (default group:
required; ``-1`` = broker default), ``include``/``exclude`` (regex lists); anything else is a topic
config.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka.admin import AdminClient, NewTopic

from genesis_worker.api.errors import ConfigException, ConnectException

log = logging.getLogger(__name__)

PREFIX = "topic.creation."
_RESERVED = ("include", "exclude", "replication.factor", "partitions")


@dataclass(frozen=True)
class TopicGroup:
    name: str
    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()
    replication_factor: int = -1
    partitions: int = -1
    configs: Mapping[str, str] = field(default_factory=dict)

    def matches(self, topic: str) -> bool:
        return any(p.fullmatch(topic) for p in self.include) and not any(p.fullmatch(topic) for p in self.exclude)


def _int(props: Mapping[str, Any], key: str, default: int | None) -> int:
    raw = props.get(key)
    if raw is None:
        if default is None:
            raise ConfigException(f'Missing required configuration "{key}" which has no default value.', key)
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ConfigException(f"Invalid value {raw} for configuration {key}: Not a number of type INT", key) from None
    if value == 0 or value < -1:
        raise ConfigException(f"Invalid value {raw} for configuration {key}: must be -1 or a positive number", key)
    return value


def _regexes(props: Mapping[str, Any], key: str) -> tuple[re.Pattern[str], ...]:
    raw = str(props.get(key) or "").strip()
    return tuple(re.compile(p) for p in re.split(r"\s*,\s*", raw) if p) if raw else ()


def parse_topic_groups(props: Mapping[str, Any]) -> tuple[TopicGroup, ...] | None:
    """The groups of a connector config, default last; None if the config does not use topic creation."""
    if not any(k.startswith(PREFIX + "default.") for k in props):
        return None
    groups: list[TopicGroup] = []
    names = [n for n in re.split(r"\s*,\s*", str(props.get(PREFIX + "groups") or "").strip()) if n and n != "default"]
    dp = PREFIX + "default."
    default = TopicGroup(
        "default",
        (re.compile(".*"),),
        replication_factor=_int(props, dp + "replication.factor", None),
        partitions=_int(props, dp + "partitions", None),
        configs=_configs(props, dp),
    )
    for name in dict.fromkeys(names):
        gp = f"{PREFIX}{name}."
        groups.append(
            TopicGroup(
                name,
                _regexes(props, gp + "include"),
                _regexes(props, gp + "exclude"),
                _int(props, gp + "replication.factor", default.replication_factor),
                _int(props, gp + "partitions", default.partitions),
                _configs(props, gp),
            )
        )
    groups.append(default)
    return tuple(groups)


def _configs(props: Mapping[str, Any], prefix: str) -> dict[str, str]:
    return {
        k[len(prefix) :]: str(v)
        for k, v in props.items()
        if k.startswith(prefix) and k[len(prefix) :] not in _RESERVED and v is not None
    }


class TopicCreator:
    """Creates missing topics for one source task, once per topic."""

    def __init__(self, admin_config: dict[str, Any], groups: Sequence[TopicGroup]) -> None:
        self.admin_config = admin_config
        self.groups = groups
        self.known: set[str] = set()
        self._admin: AdminClient | None = None

    def group_for(self, topic: str) -> TopicGroup:
        for g in self.groups:
            if g.matches(topic):
                return g
        return self.groups[-1]

    async def ensure(self, topic: str) -> None:
        if topic in self.known:
            return
        await asyncio.get_running_loop().run_in_executor(None, self._ensure_blocking, topic)
        self.known.add(topic)

    def _ensure_blocking(self, topic: str) -> None:
        if self._admin is None:
            self._admin = AdminClient(self.admin_config)
        md = self._admin.list_topics(topic=None, timeout=30)
        if topic in md.topics and md.topics[topic].error is None:
            return
        g = self.group_for(topic)
        new = NewTopic(
            topic, num_partitions=g.partitions, replication_factor=g.replication_factor, config=dict(g.configs)
        )
        try:
            self._admin.create_topics([new], operation_timeout=30, request_timeout=30)[topic].result(60)
            log.info("Created topic '%s' using creation group %s", topic, g.name)
        except Exception as e:
            if "TOPIC_ALREADY_EXISTS" in str(e):
                return
            raise ConnectException(f"Failed to create topic '{topic}': {e}") from e
