"""An in-memory copy of a compacted Kafka topic, like a Kafka Streams global table.

A consumer without a group is assigned every partition of the topic from the beginning. :meth:`start`
returns once each partition was read up to the high watermark it had when loading began (or reported
end-of-partition); a background thread then keeps applying updates and tombstones (null values delete
the key). Entries are keyed by the record key as UTF-8 text; each entry holds only the chosen fields of
the record's JSON value, pre-serialised as a :class:`Fragment` ready to be spliced into ad logs.

Memory is bounded by ``max_entries``: a load or update that would go past it fails the table (policy:
**fail, never evict** — an evicted ad would silently turn into a join miss); :attr:`LookupTable.error`
is then set and the owning task fails with it. :meth:`metrics` reports the entry count and an estimate of
the bytes held (keys + fragments + per-entry object overhead).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, cast

import orjson
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition

from genesis_connectors.kafka.fragments import Fragment, member_bytes, quoted_names
from genesis_worker.consume import consume_available

log = logging.getLogger(__name__)

# dict slot + key str header + Fragment object + bytes header, measured with sys.getsizeof on 3.11
_ENTRY_OVERHEAD = 100 + sys.getsizeof("") + sys.getsizeof(b"")


class LookupTableError(Exception):
    """The table cannot be loaded or kept up to date."""


class LookupTable:
    """A compacted topic materialised in memory; reads (:meth:`get`) are safe from any thread."""

    def __init__(
        self,
        bootstrap: str,
        topic: str,
        fields: list[str],
        target_field: str = "",
        max_entries: int = 1_000_000,
        consumer_overrides: Mapping[str, Any] | None = None,
        client_id: str = "adlog-lookup",
    ) -> None:
        self.topic = topic
        self.fields = list(fields)
        self.target_field = target_field
        self.max_entries = max_entries
        self._conf: dict[str, Any] = {
            "bootstrap.servers": bootstrap,
            "client.id": client_id,
            "group.id": f"{client_id}-unused",  # required by librdkafka; never joined nor committed
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "enable.partition.eof": True,
            "auto.offset.reset": "earliest",
            "fetch.wait.max.ms": 100,
            **dict(consumer_overrides or {}),
        }
        self._data: dict[str, Fragment] = {}
        self.get: Callable[[str], Fragment | None] = self._data.get
        """The entry of a key, or None (the dict's own ``get``: safe from any thread, no extra call)."""
        self._bytes = 0
        self.updates = 0
        self.tombstones = 0
        self.bad_records = 0
        self.error: LookupTableError | None = None
        self._loaded = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._consumer: Consumer | None = None
        self._names_cache: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[bytes, ...]]] = {}
        self.loaded_at: float | None = None
        self.on_update: Callable[[str, Fragment | None], None] | None = None
        if target_field:
            self._names = (target_field,)
            self._qnames = quoted_names(self._names)
            self._prefix = orjson.dumps(target_field) + b":"

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self, load_timeout_s: float) -> None:
        """Load the topic to its end (blocking; call it in a thread), then follow it in the background."""
        consumer = Consumer(self._conf)
        self._consumer = consumer
        md = consumer.list_topics(self.topic, timeout=min(load_timeout_s, 30.0))
        tmd = md.topics.get(self.topic)
        if tmd is None or tmd.error is not None or not tmd.partitions:
            consumer.close()
            reason = tmd.error.str() if tmd is not None and tmd.error is not None else "no partitions"
            raise LookupTableError(f"Lookup topic {self.topic} is not available: {reason}")
        parts = sorted(tmd.partitions)
        pending: dict[int, int] = {}
        for p in parts:
            lo, hi = consumer.get_watermark_offsets(TopicPartition(self.topic, p), timeout=10.0)
            if hi > lo:
                pending[p] = hi
        consumer.assign([TopicPartition(self.topic, p, OFFSET_BEGINNING) for p in parts])
        deadline = time.monotonic() + load_timeout_s
        while pending:
            if self._stop.is_set():
                raise LookupTableError("stopped while loading")
            if time.monotonic() > deadline:
                raise LookupTableError(
                    f"Lookup topic {self.topic} not loaded within {load_timeout_s:.0f} s "
                    f"({len(pending)} partitions still behind)"
                )
            for msg in consume_available(consumer, 1000, 0.5):
                err = msg.error()
                if err is not None:
                    if err.code() == KafkaError._PARTITION_EOF:
                        eof_partition, eof_offset = msg.partition(), msg.offset()
                        hw = pending.get(eof_partition) if eof_partition is not None else None
                        if hw is not None and eof_offset is not None and eof_offset >= hw:
                            del pending[cast(int, eof_partition)]
                        continue
                    if err.fatal() or not err.retriable():
                        raise LookupTableError(f"Reading lookup topic {self.topic} failed: {err.str()}")
                    continue
                self._apply(msg.key(), msg.value())
                p, offset = cast(int, msg.partition()), cast(int, msg.offset())  # set on every record
                hw = pending.get(p)
                if hw is not None and offset + 1 >= hw:
                    del pending[p]
            if self.error is not None:
                raise self.error
        self.loaded_at = time.time()
        self._loaded.set()
        log.info("Lookup topic %s loaded: %d entries, ~%d bytes", self.topic, len(self._data), self._bytes)
        self._thread = threading.Thread(target=self._follow, name=f"lookup-{self.topic}", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        consumer = self._consumer
        assert consumer is not None
        while not self._stop.is_set():
            try:
                msgs = consume_available(consumer, 1000, 0.2)
            except KafkaException as e:
                self.error = LookupTableError(f"Reading lookup topic {self.topic} failed: {e}")
                return
            for msg in msgs:
                err = msg.error()
                if err is not None:
                    if err.code() == KafkaError._PARTITION_EOF:
                        continue
                    if err.fatal():
                        self.error = LookupTableError(f"Reading lookup topic {self.topic} failed: {err.str()}")
                        return
                    log.debug("lookup consumer: %s", err.str())
                    continue
                self._apply(msg.key(), msg.value())
            if self.error is not None:
                return

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10.0)
        if self._consumer is not None:
            try:
                self._consumer.close()
            except RuntimeError:
                pass
            self._consumer = None

    # --- data -----------------------------------------------------------------------------------

    def _apply(self, key: bytes | None, value: bytes | None) -> None:
        if key is None:
            self.bad_records += 1
            return
        k = key.decode("utf-8", "replace")
        old = self._data.get(k)
        if value is None:
            if old is not None:
                del self._data[k]
                self._bytes -= self._size(k, old)
            self.tombstones += 1
            if self.on_update is not None:
                self.on_update(k, None)
            return
        frag = self._fragment(value)
        if frag is None:
            self.bad_records += 1
            return
        if old is None and len(self._data) >= self.max_entries:
            self.error = LookupTableError(
                f"Lookup topic {self.topic} has more than lookup.max.entries={self.max_entries} keys; "
                "raise the limit (memory permitting)"
            )
            return
        self._data[k] = frag
        self._bytes += self._size(k, frag) - (self._size(k, old) if old is not None else 0)
        self.updates += 1
        if self.on_update is not None:
            self.on_update(k, frag)

    @staticmethod
    def _size(k: str, frag: Fragment) -> int:
        return len(k) + len(frag.frag) + _ENTRY_OVERHEAD

    def _fragment(self, value: bytes) -> Fragment | None:
        try:
            obj = orjson.loads(value)
        except orjson.JSONDecodeError:
            return None
        if type(obj) is not dict:
            return None
        if self.fields:
            chosen = {f: obj[f] for f in self.fields if f in obj}
        else:
            chosen = obj
        if self.target_field:
            return Fragment(self._names, self._qnames, self._prefix + orjson.dumps(chosen))
        names = tuple(chosen)
        cached = self._names_cache.get(names)
        if cached is None:
            cached = (names, quoted_names(names))
            if len(self._names_cache) < 1000:
                self._names_cache[names] = cached
        return Fragment(cached[0], cached[1], member_bytes((n, orjson.dumps(v)) for n, v in chosen.items()))

    def put_for_test(self, key: bytes | None, value: bytes | None) -> None:
        """Apply one record as if read from the topic (used by unit tests and benchmarks)."""
        self._apply(key, value)

    @property
    def loaded(self) -> bool:
        return self._loaded.is_set()

    def __len__(self) -> int:
        return len(self._data)

    def metrics(self) -> dict[str, Any]:
        return {
            "lookup_entries": len(self._data),
            "lookup_bytes": self._bytes,
            "lookup_max_entries": self.max_entries,
            "lookup_updates": self.updates,
            "lookup_tombstones": self.tombstones,
            "lookup_bad_records": self.bad_records,
            "lookup_loaded": self.loaded,
        }
