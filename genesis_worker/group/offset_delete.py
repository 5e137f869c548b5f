"""OffsetDelete (API key 47, KIP-496): remove one partition's committed offset from a consumer group.

librdkafka has no OffsetDelete admin call, and Connect needs it: ``PATCH /connectors/{sink}/offsets`` with
``"offset": null`` for a partition resets just that partition (Java calls ``Admin.deleteConsumerGroupOffsets``).
The request is sent to the group's coordinator with aiokafka's protocol layer, as the group membership is."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

import aiokafka.errors as Errors
from aiokafka.client import AIOKafkaClient, ConnectionGroup, CoordinationType
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import Array, Int16, Int32, Schema, String

from genesis_worker.api.errors import ConnectException


class OffsetDeleteResponse_v0(Response):
    API_KEY = 47
    API_VERSION = 0
    SCHEMA = Schema(
        ("error_code", Int16),
        ("throttle_time_ms", Int32),
        (
            "topics",
            Array(("name", String("utf-8")), ("partitions", Array(("partition_index", Int32), ("error_code", Int16)))),
        ),
    )


class OffsetDeleteRequest_v0(RequestStruct):
    API_KEY = 47
    API_VERSION = 0
    RESPONSE_TYPE = OffsetDeleteResponse_v0
    SCHEMA = Schema(
        ("group_id", String("utf-8")),
        (
            "topics",
            Array(
                ("name", String("utf-8")),
                (
                    "partitions",
                    Array(Schema(("partition_index", Int32))),
                ),
            ),
        ),
    )


class OffsetDeleteRequest(Request[OffsetDeleteRequest_v0]):
    API_KEY = 47

    def __init__(self, group_id: str, partitions: Mapping[str, list[int]]) -> None:
        self._group_id = group_id
        self._topics = [(topic, [(p,) for p in sorted(ps)]) for topic, ps in sorted(partitions.items())]

    def build(self, request_struct_class: type[OffsetDeleteRequest_v0]) -> OffsetDeleteRequest_v0:
        return request_struct_class(self._group_id, self._topics)


_RETRIABLE = (Errors.CoordinatorNotAvailableError, Errors.NotCoordinatorError, Errors.CoordinatorLoadInProgressError)


async def delete_group_offsets(
    bootstrap_servers: str,
    group: str,
    partitions: Iterable[tuple[str, int]],
    *,
    client_id: str = "genesis-offset-delete",
    timeout_s: float = 30.0,
    **client_config: Any,
) -> None:
    """Delete ``group``'s committed offsets of ``partitions``; ``client_config`` are aiokafka security
    arguments (see :func:`genesis_worker.herder.member_client.aiokafka_client_config`). Raises
    ConnectException naming the broker's error."""
    by_topic: dict[str, list[int]] = {}
    for topic, partition in partitions:
        by_topic.setdefault(topic, []).append(partition)
    if not by_topic:
        return
    client = AIOKafkaClient(bootstrap_servers=bootstrap_servers.split(","), client_id=client_id, **client_config)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    try:
        await client.bootstrap()
        while True:
            node = await client.coordinator_lookup(CoordinationType.GROUP, group)
            resp = await client.send(node, OffsetDeleteRequest(group, by_topic), group=ConnectionGroup.COORDINATION)
            top = Errors.for_code(resp.error_code)
            if top is Errors.NoError:
                break
            if issubclass(top, _RETRIABLE) and loop.time() < deadline:
                await asyncio.sleep(0.2)
                continue
            raise ConnectException(f"Failed to delete offsets of consumer group {group}: {top.__name__}")
        failed = [
            f"{name}-{index}: {Errors.for_code(code).__name__}"
            for name, parts in resp.topics
            for index, code in parts
            if code != 0
        ]
        if failed:
            raise ConnectException(f"Failed to delete offsets of consumer group {group}: {', '.join(failed)}")
    finally:
        await client.close()
