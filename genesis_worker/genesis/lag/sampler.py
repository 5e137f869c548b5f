"""What one lag sample reads from Kafka with the Admin API: every sink group's committed offsets and the
partitions its members own, and the log-end offsets of those partitions. The calls block (confluent-kafka's
futures): :meth:`AdminSampler.read` runs in a thread, never on the event loop."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from confluent_kafka import ConsumerGroupTopicPartitions, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec

log = logging.getLogger(__name__)

TP = tuple[str, int]


@dataclass(frozen=True, slots=True)
class GroupOffsets:
    """A consumer group as one sample saw it: committed offsets and the partitions its members own."""

    committed: dict[TP, int]
    owned: frozenset[TP]


@dataclass(frozen=True, slots=True)
class Reading:
    """One sample: each readable group (a group missing here could not be read this time) and the log-end
    offsets of the partitions they committed."""

    groups: dict[str, GroupOffsets]
    end_offsets: dict[TP, int]


class AdminSampler:
    """One AdminClient (the worker's admin settings) kept for the sampler's life."""

    def __init__(self, admin_config: Mapping[str, Any], timeout_s: float = 10.0) -> None:
        self._config = dict(admin_config)
        self._timeout = timeout_s
        self._admin: AdminClient | None = None

    def read(self, groups: Collection[str]) -> Reading:
        """Blocking: the groups' offsets and owners, then the log-end offsets of their partitions."""
        if self._admin is None:
            self._admin = AdminClient(self._config)
        found = self._groups(self._admin, groups)
        partitions = {tp for g in found.values() for tp in g.committed}
        return Reading(found, self._end_offsets(self._admin, partitions))

    def close(self) -> None:
        """Drop the client (librdkafka closes it when it is collected); the next read makes a new one."""
        self._admin = None

    def _groups(self, admin: AdminClient, groups: Collection[str]) -> dict[str, GroupOffsets]:
        if not groups:
            return {}
        t = self._timeout
        owners: dict[str, frozenset[TP]] = {}
        # described first: an OffsetFetch answered with a coordinator error crashes librdkafka's admin client
        # (see herder.common.list_group_offsets); a group whose coordinator is not ready waits for the next sample
        for group, future in admin.describe_consumer_groups(list(groups), request_timeout=t).items():
            try:
                desc = future.result(t)
            except KafkaException as e:
                log.debug("Lag sample: group %s not described: %s", group, e)
                continue
            owners[group] = frozenset(
                (tp.topic, tp.partition)
                for m in desc.members
                if m.assignment is not None
                for tp in m.assignment.topic_partitions
            )
        listed = {
            g: admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(g)], request_timeout=t)[g]
            for g in owners
        }
        out: dict[str, GroupOffsets] = {}
        for group, future in listed.items():
            try:
                res = future.result(t)
            except KafkaException as e:
                log.debug("Lag sample: offsets of group %s not read: %s", group, e)
                continue
            committed = {(tp.topic, tp.partition): tp.offset for tp in res.topic_partitions if tp.offset >= 0}
            out[group] = GroupOffsets(committed, owners[group])
        return out

    def _end_offsets(self, admin: AdminClient, partitions: Collection[TP]) -> dict[TP, int]:
        if not partitions:
            return {}
        t = self._timeout
        request = {TopicPartition(topic, p): OffsetSpec.latest() for topic, p in partitions}
        out: dict[TP, int] = {}
        for tp, future in admin.list_offsets(request, request_timeout=t).items():
            try:
                out[(tp.topic, tp.partition)] = future.result(t).offset
            except KafkaException as e:  # a deleted topic, a partition without a leader
                log.debug("Lag sample: end offset of %s-%d not read: %s", tp.topic, tp.partition, e)
        return out
