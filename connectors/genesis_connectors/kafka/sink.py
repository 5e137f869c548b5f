"""KafkaSinkConnector: copy records to a Kafka topic, filtered, sampled and with injected fields.

Per batch, :class:`AdLogSinkTask` (the base of all three ad-log connectors) does:

1. sampling on the record key (``sample.mode=hash`` without ``sample.hash.field``) or at random —
   before the value is looked at;
2. ``filter.condition`` — the value is parsed (orjson) only if the condition reads it;
3. sampling on a value field (``sample.hash.field``);
4. :meth:`AdLogSinkTask.enrich` — nothing here, features / ad metadata in the join connectors;
5. injection, then write: a raw JSON object (ByteArrayConverter) gets its new fields spliced into its
   bytes (no re-serialisation); other values are written as JSON (see :mod:`genesis_connectors.kafka.encoding`).

Records are queued on a librdkafka producer; ``flush``/``pre_commit`` wait for the target's
acknowledgements and raise if any record failed, so offsets are never committed past an unacknowledged
record. Keys and headers are kept (unless ``inject.key.field``), and so is the record timestamp.

Example::

    connector.class=com.genesis.connect.kafka.KafkaSinkConnector
    topics=ad-logs
    target.topic=${topic}.clicks-kr
    filter.condition=value.event == "click" and value.country in ["KR", "JP"]
    inject.timestamp.field=ingested_at
    sample.percent=10
    sample.mode=hash
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any, ClassVar, cast

import orjson

from genesis_connectors.kafka import config as C
from genesis_connectors.kafka.encoding import default as json_default
from genesis_connectors.kafka.encoding import dumps as json_dumps
from genesis_connectors.kafka.encoding import encode, encode_headers, to_jsonable
from genesis_connectors.kafka.expr_values import MISSING, RecordView, parse_value
from genesis_connectors.kafka.fragments import Fragment, collides, collides_parsed, quoted_names, splice
from genesis_connectors.kafka.producer import TargetProducer, producer_config
from genesis_connectors.kafka.sampling import Sampler
from genesis_worker.api import (
    AbstractConfig,
    ConfigDef,
    ConnectException,
    DataException,
    SinkConnector,
    SinkRecord,
    SinkTask,
    TopicPartition,
)
from genesis_worker.api.data import Struct
from genesis_worker.api.lineage import Endpoint, Lineage

log = logging.getLogger(__name__)


class Item(RecordView):
    """A record on its way through the task: lazily parsed value, fields to add, headers as received."""

    __slots__ = ("frags", "headers_raw")

    def __init__(
        self, record: SinkRecord, parsed: Any = MISSING, headers_raw: list[tuple[str, bytes | None]] | None = None
    ) -> None:
        self.record = record
        self.raw_value = record.value
        self._parsed = parsed
        self.headers_raw = headers_raw  # captured before a filter on headers decoded them
        self.frags: list[Fragment] = []


def get_path(obj: Any, path: tuple[str, ...]) -> Any:
    """A dotted field of a parsed value (dict/Struct/list), or MISSING."""
    for seg in path:
        if type(obj) is dict:
            obj = obj.get(seg, MISSING)
        elif isinstance(obj, Struct):
            obj = obj.get(seg) if obj.schema.field(seg) is not None else MISSING
        elif isinstance(obj, list) and seg.isdigit():
            i = int(seg)
            obj = obj[i] if i < len(obj) else MISSING
        else:
            return MISSING
        if obj is MISSING:
            return MISSING
    return obj


def key_text(v: Any) -> str | None:
    if v is None or v is MISSING:
        return None
    if type(v) is str:
        return v
    if type(v) is bool:
        return "true" if v else "false"
    if type(v) is int:
        return str(v)
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return orjson.dumps(v).decode()


def join_keys(items: list[Item], path: tuple[str, ...]) -> list[str | None]:
    """The join key text of each item (None when missing/null); parses values not parsed yet."""
    single = path[0] if len(path) == 1 else None
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    keys: list[str | None] = []
    append = keys.append
    for item in items:
        d = item._parsed
        if d is MISSING:
            raw = item.raw_value
            if type(raw) is bytes:
                try:
                    d = loads(raw)
                except decode_error:
                    d = raw.decode("utf-8", "replace")
                item._parsed = d
            else:
                d = item.parsed
        v = d.get(single) if single is not None and type(d) is dict else get_path(d, path)
        append(v if type(v) is str else key_text(v))
    return keys


class _Injector:
    """Builds the injected-fields fragment of each record (timestamp, topic, offset, static)."""

    def __init__(self, s: C.BaseSettings) -> None:
        self.static = Fragment.of(s.static_fields) if s.static_fields else None
        dyn: list[str] = [n for n in (s.ts_field, s.topic_field, s.offset_field) if n]
        self.ts_field, self.topic_field, self.offset_field = s.ts_field, s.topic_field, s.offset_field
        self.iso = s.ts_format == "iso8601"
        self.wallclock = s.ts_source == "wallclock"
        names = tuple(dyn) + (self.static.names if self.static else ())
        self.names = names
        self.qnames = quoted_names(names)
        self.prefix = {n: orjson.dumps(n) + b":" for n in dyn}
        self.dynamic = bool(dyn)
        self._topic_json: dict[str, bytes] = {}
        self._last_iso: tuple[int, bytes] = (-1, b"")
        self._ts_only = bool(s.ts_field) and not self.iso and dyn == [s.ts_field] and self.static is None
        self._ts_prefix = self.prefix.get(s.ts_field, b"")
        self.per_batch = self._ts_only and self.wallclock

    @property
    def active(self) -> bool:
        return self.dynamic or self.static is not None

    def _ts_json(self, ms: int | None) -> bytes:
        if ms is None:
            return b"null"
        if not self.iso:
            return str(ms).encode()
        last = self._last_iso
        if last[0] == ms:
            return last[1]
        enc = b'"' + C.iso8601_millis(ms).encode() + b'"'
        self._last_iso = (ms, enc)
        return enc

    def fragment(self, r: SinkRecord, now_ms: int) -> Fragment | None:
        if not self.dynamic:
            return self.static
        return Fragment(self.names, self.qnames, self.frag_bytes(r, now_ms))

    def frag_bytes(self, r: SinkRecord, now_ms: int) -> bytes:
        """The injected members of one record, ``"f1":v1,"f2":v2``."""
        if self._ts_only:  # the common case: one epoch-millis record timestamp
            ts = now_ms if self.wallclock else r.timestamp
            return self._ts_prefix + (b"null" if ts is None else str(ts).encode())
        if not self.dynamic:
            assert self.static is not None
            return self.static.frag
        parts: list[bytes] = []
        if self.ts_field:
            parts.append(self.prefix[self.ts_field] + self._ts_json(now_ms if self.wallclock else r.timestamp))
        if self.topic_field:
            tj = self._topic_json.get(r.topic)
            if tj is None:
                tj = self._topic_json[r.topic] = orjson.dumps(r.topic)
            parts.append(self.prefix[self.topic_field] + tj)
        if self.offset_field:
            parts.append(self.prefix[self.offset_field] + str(r.kafka_offset).encode())
        if self.static is not None:
            parts.append(self.static.frag)
        return b",".join(parts)


def _splice_members(
    item: Item, raw: bytes, frag: bytes, names: tuple[str, ...], qnames: tuple[bytes, ...]
) -> bytes | None:
    """The fast path: members spliced into the raw JSON object, or None if that is not safe."""
    parsed = item._parsed
    if parsed is MISSING:
        for q in qnames:
            if q in raw:
                return None
    elif type(parsed) is dict:
        for n in names:
            if n in parsed:
                return None
    else:
        return None
    # fast case: compact object '{...}' with at least one member
    if len(raw) > 2 and raw[-1] == 0x7D and raw[0] == 0x7B and raw[-2] not in _NOT_LAST_MEMBER_END:
        return b"".join((raw[:-1], b",", frag, b"}"))
    return splice(raw, frag)


_NOT_LAST_MEMBER_END = frozenset(b"{ \t\r\n")


def _dump_spliced(
    item: Item, raw: Any, injector: _Injector, fb: bytes | None, r: SinkRecord, now_ms: int
) -> bytes | None:
    """A converted value written as JSON with the injected members spliced into the dump: the same bytes
    as :meth:`AdLogSinkTask.encode_value` (copy, update, dump) without the copies. None (the general
    path decides) for a value that is not an object, a name clash or a non-string key anywhere."""
    t = type(raw)
    if t is dict:
        obj = raw
    elif t is str:
        obj = item._parsed  # parsed by the filter (MISSING otherwise: not a dict)
    elif isinstance(raw, Struct):
        obj = to_jsonable(raw)
    else:
        return None
    if type(obj) is not dict:
        return None
    for n in injector.names:
        if n in obj:
            return None
    try:
        out = orjson.dumps(obj, default=json_default)
    except TypeError:
        return None
    if fb is None:
        fb = injector.frag_bytes(r, now_ms)
    if len(out) == 2:
        return b"{" + fb + b"}"
    return b"".join((out[:-1], b",", fb, b"}"))


class AdLogSinkTask(SinkTask):
    """Base task of the ad-log connectors; subclasses override :meth:`enrich` (and start/stop hooks)."""

    def config_def(self) -> ConfigDef:
        return KafkaSinkConnector.CONFIG_DEF

    # --- lifecycle --------------------------------------------------------------------------------

    async def start(self, props: dict[str, str]) -> None:
        self.props = dict(props)
        self.cfg = AbstractConfig(self.config_def(), props)
        s = self.settings = C.BaseSettings.from_config(self.cfg, props)
        self._stopping = threading.Event()
        self.sampler = Sampler(s.sample_percent, s.sample_mode)
        self._sample_key = s.sample_mode == "hash" and not s.sample_field and not self.sampler.keeps_all
        self._sample_random = s.sample_mode == "random" and not self.sampler.keeps_all
        self._sample_field = s.sample_field if s.sample_mode == "hash" and not self.sampler.keeps_all else ()
        self.condition = s.condition
        self.injector = _Injector(s)
        pattern = s.target_topic
        self._fixed_topic = pattern if C.TOPIC_PLACEHOLDER not in pattern else None
        self._topic_pattern = pattern
        self._topic_cache: dict[str, str] = {}
        self.counts: dict[str, int] = dict.fromkeys(
            ("records_in", "sampled_out", "filtered_out", "dropped", "written", "errant"), 0
        )
        self._errant: list[asyncio.Future[None]] = []
        await self.start_enrichment(props)
        client_id = f"connector-target-producer-{s.connector_name or 'adlog'}"
        if s.task_id:
            client_id += f"-{s.task_id}"
        self.producer = self.make_producer(producer_config(s.target_bootstrap, s.producer_overrides, client_id))
        log.info("%s started: target %s on %s", type(self).__name__, pattern, s.target_bootstrap)

    def make_producer(self, conf: dict[str, Any]) -> TargetProducer:
        return TargetProducer(conf)

    async def start_enrichment(self, props: dict[str, str]) -> None:
        """Subclass hook: open the feature store / lookup table."""

    async def stop_enrichment(self) -> None:
        """Subclass hook: release what :meth:`start_enrichment` opened."""

    async def stop(self) -> None:
        stopping = getattr(self, "_stopping", None)
        if stopping is not None:
            stopping.set()
        try:
            await self.stop_enrichment()
        finally:
            producer = getattr(self, "producer", None)
            if producer is not None:
                await asyncio.to_thread(producer.close, 5.0)

    def raw_key_filter(self) -> Callable[[bytes | None], bool] | None:
        """Key-hash sampling runs first in :meth:`select`, so the runtime may run it on the raw key and
        skip building the ~90 % of records a 10 % sample drops; they are counted here as they would be
        there."""
        if not self._sample_key:
            return None
        keep_bytes = self.sampler.keep_hash_bytes
        keep_none = self.sampler.keep_hash(None)
        counts = self.counts

        def keep(key: bytes | None) -> bool:
            if key is None:
                if keep_none:
                    return True
            elif keep_bytes(key):
                return True
            counts["records_in"] += 1
            counts["sampled_out"] += 1
            return False

        return keep

    # --- put ------------------------------------------------------------------------------------

    async def put(self, records: list[SinkRecord]) -> None:
        self.producer.raise_if_failed()
        if not records:
            self.producer.poll()
            return
        items = self.select(records)
        if items:
            items = await self.enrich(items)
        if items:
            await self.write(items)
        self.producer.poll()

    def select(self, records: list[SinkRecord]) -> list[Item]:
        """Sampling and filtering: the records that go on."""
        counts = self.counts
        counts["records_in"] += len(records)
        sampler = self.sampler
        cond = self.condition.test if self.condition is not None else None
        reads_value = self.condition is not None and self.condition.reads_value
        reads_headers = self.condition is not None and self.condition.reads_headers
        sample_key, sample_random, sample_field = self._sample_key, self._sample_random, self._sample_field
        loads, decode_error = orjson.loads, orjson.JSONDecodeError
        out: list[Item] = []
        append = out.append
        if cond is None and not (sample_key or sample_random or sample_field):
            return [Item(r) for r in records]
        if cond is not None and reads_value and not reads_headers and not (sample_key or sample_random or sample_field):
            # the common filter-only job: one tight loop
            for r in records:
                v = r.value
                if type(v) is bytes:
                    try:
                        d = loads(v)
                    except decode_error:
                        d = v.decode("utf-8", "replace")
                elif type(v) is dict:
                    d = v
                else:
                    d = parse_value(v)
                if cond(r, d):
                    append(Item(r, d))
            counts["filtered_out"] += len(records) - len(out)
            return out
        sampled = filtered = 0
        for r in records:
            if sample_key:
                k = r.key
                if not (sampler.keep_hash_bytes(k) if type(k) is bytes else sampler.keep_hash(k)):
                    sampled += 1
                    continue
            elif sample_random and not sampler.keep_random():
                sampled += 1
                continue
            if cond is None:
                item = Item(r)
            else:
                hr = r.headers.raw if reads_headers else None
                if reads_value:
                    v = r.value
                    if type(v) is bytes:
                        try:
                            d = loads(v)
                        except decode_error:
                            d = v.decode("utf-8", "replace")
                    else:
                        d = parse_value(v)
                    if not cond(r, d):
                        filtered += 1
                        continue
                    item = Item(r, d, hr)
                else:
                    if not cond(r, None):
                        filtered += 1
                        continue
                    item = Item(r, MISSING, hr)
            if sample_field:
                v = get_path(item.parsed, sample_field)
                if not sampler.keep_hash(None if v is MISSING else v):
                    sampled += 1
                    continue
            append(item)
        counts["sampled_out"] += sampled
        counts["filtered_out"] += filtered
        return out

    async def enrich(self, items: list[Item]) -> list[Item]:
        """Subclass hook: add fragments to ``item.frags`` and return the items to write. Raise
        :class:`RetriableException` (before writing anything) to get the same batch again."""
        return items

    async def write(self, items: list[Item]) -> None:
        injector = self.injector
        inject = injector.active
        key_field = self.settings.key_field
        now_ms = time.time_ns() // 1_000_000
        fixed_topic = self._fixed_topic
        produce = self.producer.produce
        # the injected members are the same for every record of the batch when they are the wall clock only
        batch_fb = injector.frag_bytes(items[0].record, now_ms) if injector.per_batch else None
        written = 0
        for item in items:
            r = item.record
            raw = item.raw_value
            try:
                frags = item.frags
                if inject and not frags and type(raw) is bytes:
                    fb = batch_fb or injector.frag_bytes(r, now_ms)
                    value = _splice_members(item, raw, fb, injector.names, injector.qnames)
                    if value is None:  # not a plain object, or a name clash: the general path decides
                        frags.append(Fragment(injector.names, injector.qnames, fb))
                        value = self.encode_value(item)
                elif not inject and len(frags) == 1 and type(raw) is bytes:  # one joined fragment
                    f0 = frags[0]
                    value = _splice_members(item, raw, f0.frag, f0.names, f0.qnames)
                    if value is None:
                        value = self.encode_value(item)
                elif (
                    inject
                    and not frags
                    and (value := _dump_spliced(item, raw, injector, batch_fb, r, now_ms)) is not None
                ):
                    pass  # a dict/Struct value (JsonConverter, Avro, StringConverter + filter): dumped once
                elif inject or item.frags:
                    if inject:
                        f = injector.fragment(r, now_ms)
                        if f is not None:
                            item.frags.append(f)
                    value = self.encode_value(item)
                else:
                    value = raw if type(raw) is bytes else encode(raw)
                if key_field:
                    kv = get_path(item.parsed, key_field)
                    key = encode(r.key) if kv is MISSING or kv is None else encode(to_jsonable(kv))
                else:
                    k = r.key
                    key = k if type(k) is bytes or k is None else encode(k)
            except DataException as e:
                await self.report(r, e)
                continue
            topic = fixed_topic or self.target_topic(r.topic)
            headers = item.headers_raw
            if headers is None:
                h = r.headers
                headers = h.raw
                # (no raw headers means decoded ones: Headers._items is then a list; skip empty ones cheaply)
                if headers is None and h._items:
                    headers = encode_headers(h)
            ts = r.timestamp or 0
            try:
                if headers:
                    produce(topic, value, key, timestamp=ts, headers=cast(Any, headers))
                else:
                    produce(topic, value, key, timestamp=ts)
            except BufferError:
                await self.producer.send(topic, value, key, headers, ts)
            written += 1
        self.counts["written"] += written

    def target_topic(self, source_topic: str) -> str:
        t = self._topic_cache.get(source_topic)
        if t is None:
            t = self._topic_cache[source_topic] = self._topic_pattern.replace(C.TOPIC_PLACEHOLDER, source_topic)
        return t

    def encode_value(self, item: Item) -> bytes | None:
        """The value with ``item.frags`` added: spliced into raw JSON bytes when safe, else re-serialised."""
        raw = item.raw_value
        frags = item.frags
        if raw is None:
            return None  # a tombstone stays a tombstone
        if type(raw) is bytes:
            if item.is_parsed:
                obj = item.parsed
                if type(obj) is not dict:
                    raise DataException(f"Cannot add fields to a JSON value that is not an object: {raw[:100]!r}")
                clash = collides_parsed(obj, frags)
            else:
                clash = collides(raw, frags)
            if not clash:
                frag = frags[0].frag if len(frags) == 1 else b",".join(f.frag for f in frags)
                out = splice(raw, frag)
                if out is not None:
                    return out
            obj = item.parsed
        elif isinstance(raw, str):
            obj = item.parsed
        else:
            obj = to_jsonable(raw)
        if type(obj) is not dict:
            raise DataException(f"Cannot add fields to a value that is not an object ({type(obj).__name__})")
        obj = dict(obj)
        for f in frags:
            obj.update(f.as_dict())
        return json_dumps(obj)

    async def report(self, record: SinkRecord, error: BaseException) -> None:
        """A record that cannot be written: to the errant record reporter if there is one, else fail."""
        reporter = None
        try:
            reporter = self.context.errant_record_reporter
        except (AttributeError, NotImplementedError):
            reporter = None
        if reporter is None:
            if isinstance(error, ConnectException):
                raise error
            raise DataException(str(error)) from error
        self.counts["errant"] += 1
        self._errant.append(reporter.report(record, error))

    # --- commit ---------------------------------------------------------------------------------

    async def flush(self, current_offsets: Mapping[TopicPartition, int]) -> None:
        if self._errant:
            pending, self._errant = self._errant, []
            await asyncio.gather(*pending)
        await self.producer.flush(self._stopping)

    async def close(self, partitions: Collection[TopicPartition]) -> None:
        """Nothing is buffered per partition: records are in the producer, which flush waits for."""

    def metrics(self) -> dict[str, Any]:
        """Counters of this task (records in / sampled out / filtered out / dropped / written / errant,
        target delivery failures and records in flight) for the metrics layer."""
        m: dict[str, Any] = dict(self.counts)
        producer = getattr(self, "producer", None)
        if producer is not None:
            m["delivery_failures"] = producer.failed
            m["in_flight"] = producer.in_flight()
        return m


class _AdLogSinkConnector(SinkConnector):
    """Shared connector logic: validate the config at start, every task gets the same config."""

    CONFIG_DEF: ClassVar[ConfigDef]

    def config(self) -> ConfigDef:
        return self.CONFIG_DEF

    async def start(self, props: dict[str, str]) -> None:
        AbstractConfig(self.CONFIG_DEF, props)  # fail fast on a bad config
        self.props = dict(props)

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [dict(self.props) for _ in range(max_tasks)]

    async def stop(self) -> None:
        pass

    def lineage(self, config: Mapping[str, str]) -> Lineage:
        """Reads ``topics``/``topics.regex``; writes ``target.topic`` (a ``${topic}`` template stays a
        template) on the worker's cluster or on ``target.bootstrap.servers``."""
        lineage = super().lineage(config)
        target = (config.get(C.TARGET_TOPIC) or "").strip()
        if target:
            cluster = (config.get(C.TARGET_BOOTSTRAP) or "").strip() or None
            lineage.outputs.append(Endpoint("kafka", target, cluster=cluster))
        return lineage


class KafkaSinkConnector(_AdLogSinkConnector):
    """Writes records to a Kafka topic (same or another cluster) with filter, injection and sampling.

    Config keys: see :func:`genesis_connectors.kafka.config.base_config_def` (``target.topic``,
    ``target.bootstrap.servers``, ``target.producer.*``, ``filter.condition``, ``inject.*``, ``sample.*``).
    """

    java_class_names = (f"{C.JAVA_NAMESPACE}.KafkaSinkConnector",)
    CONFIG_DEF = C.base_config_def()

    def task_class(self) -> type[SinkTask]:
        return KafkaSinkTask


class KafkaSinkTask(AdLogSinkTask):
    """The task of :class:`KafkaSinkConnector`."""
