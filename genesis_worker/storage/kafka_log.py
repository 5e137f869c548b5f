"""A compacted Kafka topic read from the beginning and followed forever (Java ``KafkaBasedLog``), on
confluent-kafka.

librdkafka's clients are driven by two daemon threads (consumer poll, producer poll); records and
delivery reports are handed to the event loop with ``call_soon_threadsafe``, so the loop never blocks.

"Read to end" works on Apache Kafka and on tansu (reference/brokers.md): the target is the
ListOffsets end offset, and a partition only counts as caught up once the consumer has also seen a
partition-EOF event at its current position (i.e. a fetch response whose high watermark equals the
position), which catches the newest records even where ListOffsets under-reports.

Usage::

    log = KafkaBasedLog("connect-configs", {"bootstrap.servers": b}, on_record=apply, partitions=1)
    await log.start()                      # creates the topic if needed, reads to the end
    await log.send(b"key", b"value")       # awaits the broker ack
    await log.read_to_end()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

from genesis_worker.consume import consume_available

log = logging.getLogger(__name__)


class TopicConfigError(Exception):
    """The internal topic exists with settings Connect cannot work with (Java ``ConfigException``)."""


@dataclass(frozen=True)
class LogRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp: int


RecordCallback = Callable[[LogRecord], None]

_RETRY_CODES = {
    KafkaError.NOT_LEADER_FOR_PARTITION,
    KafkaError.LEADER_NOT_AVAILABLE,
    KafkaError.UNKNOWN_TOPIC_OR_PART,
    KafkaError._TIMED_OUT,
    KafkaError._TRANSPORT,
}

_quiet = logging.getLogger("genesis_worker.storage.librdkafka")


@dataclass(frozen=True)
class TopicSpec:
    """How to create the topic if it is missing (``partitions``/``replication_factor`` -1 = broker
    default). ``config`` are extra topic configs; ``cleanup.policy`` is always ``cleanup_policy`` (Connect's
    internal topics: compact; an append-only log such as Genesis's history: delete)."""

    partitions: int = 1
    replication_factor: int = -1
    config: Mapping[str, str] | None = None
    config_key: str = "config.storage.topic"
    purpose: str = "connector configurations"
    exact_partitions: int | None = None
    """If set, an existing topic must have exactly this many partitions (config topic: 1)."""
    cleanup_policy: str = "compact"


_RESERVED_TOPIC_SETTINGS = ("topic", "partitions", "replication.factor", "cleanup.policy")


def topic_settings(props: Mapping[str, Any], kind: str) -> dict[str, str]:
    """The topic configs of an internal topic: every ``<kind>.storage.<topic config>`` worker property other
    than the reserved ones (Java ``DistributedConfig.topicSettings``)."""
    prefix = f"{kind}.storage."
    return {
        k[len(prefix) :]: str(v)
        for k, v in props.items()
        if k.startswith(prefix) and k[len(prefix) :] not in _RESERVED_TOPIC_SETTINGS and v is not None
    }


class KafkaBasedLog:
    def __init__(
        self,
        topic: str,
        client_config: Mapping[str, Any],
        on_record: RecordCallback,
        *,
        spec: TopicSpec | None = None,
        consumer_config: Mapping[str, Any] | None = None,
        producer_config: Mapping[str, Any] | None = None,
        client_id: str | None = None,
        read_committed: bool = False,
        create_topic: bool = True,
    ) -> None:
        self.topic = topic
        self._base = dict(client_config)
        self._on_record = on_record
        self._spec = spec or TopicSpec()
        self._consumer_extra = dict(consumer_config or {})
        self._producer_extra = dict(producer_config or {})
        self._client_id = client_id
        self._read_committed = read_committed
        self._create_topic = create_topic
        self._loop: asyncio.AbstractEventLoop | None = None
        self._consumer: Consumer | None = None
        self._offsets_client: Consumer | None = None
        self._producer: Producer | None = None
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self.partitions: list[int] = []
        self._position: dict[int, int] = {}
        self._eof: dict[int, int] = {}
        # (target positions, future, whether end-of-partition must also have been seen at them)
        self._waiters: list[tuple[dict[int, int], asyncio.Future[None], bool]] = []
        self._consumer_error: BaseException | None = None

    # ------------------------------------------------------------------------------------ config

    def _admin_config(self) -> dict[str, Any]:
        cfg = {**self._base, "logger": _quiet}
        if self._client_id:
            cfg["client.id"] = self._client_id.rsplit("-", 1)[0] + "-shared-admin"
        return cfg

    def _consumer_config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {
            **self._base,
            "group.id": f"genesis-unused-{self.topic}",  # never joined nor committed: assign() only
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "auto.offset.reset": "earliest",
            "enable.partition.eof": True,
            "fetch.queue.backoff.ms": 20,
            "fetch.wait.max.ms": 100,
            "isolation.level": "read_committed" if self._read_committed else "read_uncommitted",
            "logger": _quiet,
            **self._consumer_extra,
        }
        if self._client_id:
            cfg["client.id"] = self._client_id
        return cfg

    def _producer_config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {
            **self._base,
            "acks": "all",
            "max.in.flight.requests.per.connection": 1,
            "enable.idempotence": False,
            "linger.ms": 0,
            "partitioner": "murmur2_random",  # Java's default partitioner for keyed records
            "logger": _quiet,
            **self._producer_extra,
        }
        if self._client_id:
            cfg["client.id"] = self._client_id
        return cfg

    # --------------------------------------------------------------------------------- lifecycle

    async def start(self, timeout_s: float = 60.0) -> None:
        self._loop = asyncio.get_running_loop()
        await self._loop.run_in_executor(None, self._setup_topic, timeout_s)
        self._producer = Producer(self._producer_config())
        self._consumer = Consumer(self._consumer_config())
        # a consumer blocked in consume() on its thread cannot answer ListOffsets: a second, never-assigned
        # one answers for end offsets, shared by the logs of a worker (each consumer costs ~0.6 MiB)
        self._offsets_client = _OFFSETS_CLIENTS.acquire(self._consumer_config())
        # from offset 0, not OFFSET_BEGINNING: librdkafka looks a logical offset up first and, for a topic it has
        # no leader for yet, retries that lookup only after 500 ms (most of a fresh worker's start-up); a log
        # whose start moved past 0 (deleted records) is reset to its beginning by auto.offset.reset=earliest
        self._consumer.assign([TopicPartition(self.topic, p, 0) for p in self.partitions])
        self._position = dict.fromkeys(self.partitions, 0)
        self._threads = [
            threading.Thread(target=self._consume_loop, name=f"kafka-log-{self.topic}", daemon=True),
            threading.Thread(target=self._produce_loop, name=f"kafka-log-{self.topic}-p", daemon=True),
        ]
        for t in self._threads:
            t.start()
        await asyncio.wait_for(self.read_to_end(), timeout_s)

    async def stop(self) -> None:
        if self._producer is not None:
            with contextlib.suppress(Exception):
                await self.flush(10)
        self._stopping.set()
        loop = asyncio.get_running_loop()
        for t in self._threads:
            await loop.run_in_executor(None, t.join, 10)
        if self._consumer is not None:
            await loop.run_in_executor(None, self._consumer.close)
        if self._offsets_client is not None:
            await loop.run_in_executor(None, _OFFSETS_CLIENTS.release, self._offsets_client)
        for _, fut, _ in self._waiters:
            if not fut.done():
                fut.cancel()
        self._waiters.clear()

    def _setup_topic(self, timeout: float) -> None:
        admin = AdminClient(self._admin_config())
        spec = self._spec
        # all topics: a Metadata request naming the topic may auto-create it (with the wrong policy)
        md = admin.list_topics(timeout=timeout).topics.get(self.topic)
        exists = md is not None and md.error is None and len(md.partitions) > 0
        if not exists and self._create_topic:
            config = {k: str(v) for k, v in (spec.config or {}).items()}
            config["cleanup.policy"] = spec.cleanup_policy
            new = NewTopic(
                self.topic,
                num_partitions=spec.partitions,
                replication_factor=spec.replication_factor,
                config=config,
            )
            fut = admin.create_topics([new], operation_timeout=timeout, request_timeout=timeout)[self.topic]
            try:
                fut.result(timeout)
                log.info("created topic %s (%s partitions)", self.topic, spec.partitions)
            except KafkaException as exc:
                if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    raise
        elif exists:
            self._check_cleanup_policy(admin, timeout)
        deadline = threading.Event()
        for _ in range(int(timeout * 10)):
            md = admin.list_topics(self.topic, timeout=timeout).topics.get(self.topic)
            if md is not None and md.error is None and md.partitions:
                if all(p.leader >= 0 for p in md.partitions.values()):
                    self.partitions = sorted(md.partitions)
                    break
            deadline.wait(0.1)
        else:
            raise TimeoutError(f"topic {self.topic} has no leaders after {timeout}s")
        if spec.exact_partitions is not None and len(self.partitions) != spec.exact_partitions:
            raise TopicConfigError(
                f"Topic '{self.topic}' supplied via the '{spec.config_key}' property is required to have a "
                f"single partition in order to guarantee consistency of {spec.purpose}, but found "
                f"{len(self.partitions)} partitions."
            )

    def _check_cleanup_policy(self, admin: AdminClient, timeout: float) -> None:
        try:
            res = ConfigResource(ConfigResource.Type.TOPIC, self.topic)
            configs = admin.describe_configs([res], request_timeout=timeout)[res].result(timeout)
        except Exception as exc:
            log.info("cannot check cleanup.policy of %s (%s); skipping", self.topic, exc)
            return
        entry = configs.get("cleanup.policy")
        if entry is None:
            return
        policy = entry.value
        spec = self._spec
        if policy != spec.cleanup_policy:
            raise TopicConfigError(
                f"Topic '{self.topic}' supplied via the '{spec.config_key}' property is required to have "
                f"'cleanup.policy={spec.cleanup_policy}' to guarantee consistency and durability of {spec.purpose}, "
                f"but found the topic currently has 'cleanup.policy={policy}'."
            )

    # ----------------------------------------------------------------------------------- threads

    def _consume_loop(self) -> None:
        consumer = self._consumer
        assert consumer is not None and self._loop is not None
        while not self._stopping.is_set():
            try:
                msgs = consume_available(consumer, 1000, 0.1)
            except Exception as exc:  # pragma: no cover - librdkafka fatal errors
                log.exception("consumer of %s failed", self.topic)
                self._consumer_error = exc
                self._stopping.wait(1)
                continue
            if not msgs:
                continue
            batch: list[LogRecord | tuple[int, int]] = []
            for m in msgs:
                err = m.error()
                if err is not None:
                    if err.code() == KafkaError._PARTITION_EOF:
                        batch.append((m.partition() or 0, m.offset() or 0))
                    else:
                        log.warning("error reading %s: %s", self.topic, err)
                    continue
                ts = m.timestamp()[1]
                batch.append(
                    LogRecord(m.topic() or self.topic, m.partition() or 0, m.offset() or 0, m.key(), m.value(), ts)
                )
            if batch:
                with contextlib.suppress(RuntimeError):  # loop closed during shutdown
                    self._loop.call_soon_threadsafe(self._apply, batch)

    def _produce_loop(self) -> None:
        while not self._stopping.is_set():
            producer = self._producer
            if producer is not None:
                producer.poll(0.1)
            else:  # pragma: no cover
                self._stopping.wait(0.1)

    # ------------------------------------------------------------------------------- event loop

    def _apply(self, batch: list[LogRecord | tuple[int, int]]) -> None:
        for item in batch:
            if isinstance(item, LogRecord):
                self._position[item.partition] = max(self._position.get(item.partition, 0), item.offset + 1)
                try:
                    self._on_record(item)
                except Exception:
                    log.exception("error applying record %s-%s@%s", item.topic, item.partition, item.offset)
            else:
                partition, offset = item
                self._eof[partition] = offset
                self._position[partition] = max(self._position.get(partition, 0), offset)
        self._check_waiters()

    def _caught_up(self, targets: Mapping[int, int], eof: bool = True) -> bool:
        for p, end in targets.items():
            pos = self._position.get(p, 0)
            if pos < end or (eof and self._eof.get(p) != pos):
                return False
        return True

    def _check_waiters(self) -> None:
        still = []
        for targets, fut, eof in self._waiters:
            if fut.done():
                continue
            if self._caught_up(targets, eof):
                fut.set_result(None)
            else:
                still.append((targets, fut, eof))
        self._waiters = still

    def _end_offsets(self) -> dict[int, int]:
        consumer = self._offsets_client
        assert consumer is not None
        ends = {}
        for p in self.partitions:
            for attempt in range(100):
                try:
                    _, high = consumer.get_watermark_offsets(TopicPartition(self.topic, p), timeout=10, cached=False)
                    break
                except KafkaException as exc:
                    # leadership still settling right after creation, broker restart, ...
                    if attempt == 99 or (not exc.args[0].retriable() and exc.args[0].code() not in _RETRY_CODES):
                        raise
                    self._stopping.wait(0.1)
            ends[p] = max(high, 0)
        return ends

    async def read_to_end(self, *, confirm_end: bool = True) -> None:
        """Return once every record written before the call has been applied.

        ``confirm_end=False`` trusts the ListOffsets end offsets alone (Java's ``readToEnd``): exact on Apache
        Kafka and up to ``fetch.wait.max.ms`` sooner, since it needs no end-of-partition event; on tansu,
        whose ListOffsets under-reports, it may return before the newest batch is applied."""
        loop = asyncio.get_running_loop()
        targets = await loop.run_in_executor(None, self._end_offsets)
        await self._wait_for(targets, eof=confirm_end)

    async def read_through(self, written: list[LogRecord]) -> None:
        """Return once ``written`` (acknowledged sends of this log) and everything before them are applied.

        Read-your-writes without a ListOffsets round trip or waiting for an end-of-partition event (the
        next, empty, fetch: up to ``fetch.wait.max.ms``): the acks name the offsets to reach."""
        targets: dict[int, int] = {}
        for r in written:
            targets[r.partition] = max(targets.get(r.partition, 0), r.offset + 1)
        await self._wait_for(targets, eof=False)

    async def _wait_for(self, targets: dict[int, int], *, eof: bool) -> None:
        if self._caught_up(targets, eof):
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((targets, fut, eof))
        await fut

    @property
    def positions(self) -> dict[int, int]:
        return dict(self._position)

    # ---------------------------------------------------------------------------------- producing

    def send_nowait(self, key: bytes | None, value: bytes | None) -> asyncio.Future[LogRecord]:
        """Produce one record; the future resolves with its partition/offset on ack."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[LogRecord] = loop.create_future()
        producer = self._producer
        assert producer is not None, "log not started"

        def on_delivery(err: KafkaError | None, msg: Any) -> None:
            if err is not None:
                exc = KafkaException(err)
                loop.call_soon_threadsafe(_set_exc, fut, exc)
            else:
                rec = LogRecord(msg.topic(), msg.partition(), msg.offset(), key, value, msg.timestamp()[1])
                loop.call_soon_threadsafe(_set_res, fut, rec)

        while True:
            try:
                producer.produce(self.topic, value=value, key=key, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.05)
        return fut

    async def send(self, key: bytes | None, value: bytes | None) -> LogRecord:
        return await self.send_nowait(key, value)

    async def flush(self, timeout_s: float = 30.0) -> None:
        producer = self._producer
        if producer is None:
            return
        remaining = await asyncio.get_running_loop().run_in_executor(None, producer.flush, timeout_s)
        if remaining:
            raise TimeoutError(f"{remaining} records to {self.topic} not acknowledged after {timeout_s}s")


class _SharedOffsetsClients:
    """Never-assigned consumers that answer end-offset queries (thread-safe in librdkafka), one per distinct
    connection and isolation level, closed when the last log using one stops."""

    _PER_LOG = ("group.id", "client.id", "logger")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[tuple[tuple[str, str], ...], list[Any]] = {}  # key -> [consumer, users]

    def _key(self, config: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((k, str(v)) for k, v in config.items() if k not in self._PER_LOG))

    def acquire(self, config: Mapping[str, Any]) -> Consumer:
        key = self._key(config)
        with self._lock:
            entry = self._clients.get(key)
            if entry is None:
                shared = {k: v for k, v in config.items() if k != "client.id"}
                entry = self._clients[key] = [Consumer(shared), 0]
            entry[1] += 1
            return entry[0]

    def release(self, consumer: Consumer) -> None:
        with self._lock:
            for key, entry in self._clients.items():
                if entry[0] is consumer:
                    entry[1] -= 1
                    if entry[1] > 0:
                        return
                    del self._clients[key]
                    break
            else:
                return
        consumer.close()


_OFFSETS_CLIENTS = _SharedOffsetsClients()


def _set_res(fut: asyncio.Future[LogRecord], rec: LogRecord) -> None:
    if not fut.done():
        fut.set_result(rec)


def _set_exc(fut: asyncio.Future[LogRecord], exc: BaseException) -> None:
    if not fut.done():
        fut.set_exception(exc)
