"""ExtFeatureJoinKafkaSinkConnector: add features from Redis to each ad log, then write it to Kafka.

For each record the value field ``join.key.field`` (e.g. ``user_id``) names a Redis hash
``features.key.prefix + str(value)``; its fields become a JSON object under ``features.target.field``.
Per batch, keys not in the local TTL+LRU cache are fetched with **one** pipelined round trip
(``HGETALL`` each, no MULTI). Misses (empty hash, missing/null join key) are cached too and handled by
``on.miss``.

Redis unavailable: ``put`` raises :class:`RetriableException` (nothing of the batch was written yet) and
asks the runtime (``context.timeout``) to redeliver the same batch after a backoff of
``300 ms * 2^(n-1)`` capped at ``errors.retry.delay.max.ms``; once the outage has lasted
``errors.retry.timeout`` ms (``-1``: forever, ``0``: no retry — Connect's defaults apply) the task fails
with a :class:`ConnectException`, having committed only what the target acknowledged. After a restart
(or when Redis answers again within the timeout) processing continues from the uncommitted records.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any, ClassVar

import orjson

from genesis_connectors.kafka import config as C
from genesis_connectors.kafka.cache import TtlLruCache
from genesis_connectors.kafka.fragments import Fragment, quoted_names
from genesis_connectors.kafka.sink import AdLogSinkTask, Item, _AdLogSinkConnector, join_keys
from genesis_worker.api import (
    ConfigDef,
    ConfigType,
    ConnectException,
    DataException,
    Importance,
    Range,
    RetriableException,
    SinkTask,
    ValidString,
)
from genesis_worker.api.config import NO_DEFAULT_VALUE
from genesis_worker.api.lineage import Endpoint, Lineage
from genesis_worker.api.validators import NonEmptyString

log = logging.getLogger(__name__)

JOIN_KEY_FIELD = "join.key.field"
FEATURES_TARGET_FIELD = "features.target.field"
FEATURES_KEY_PREFIX = "features.key.prefix"
FEATURES_VALUE_TYPE = "features.value.type"
REDIS_URL = "redis.url"
REDIS_HOST = "redis.host"
REDIS_PORT = "redis.port"
REDIS_DB = "redis.db"
REDIS_PASSWORD = "redis.password"
REDIS_TIMEOUT = "redis.timeout.ms"
CACHE_MAX = "cache.max.entries"
CACHE_TTL = "cache.ttl.ms"
RETRY_TIMEOUT = "errors.retry.timeout"
RETRY_DELAY_MAX = "errors.retry.delay.max.ms"

_G = "Feature join"


def feature_join_config_def() -> ConfigDef:
    d = C.base_config_def()
    n = 0

    def define(name: str, type_: ConfigType, default: Any, validator: Any, imp: Importance, doc: str) -> None:
        nonlocal n
        n += 1
        d.define(name, type_, default, validator, imp, doc, _G, n, display_name=name)

    define(
        JOIN_KEY_FIELD,
        ConfigType.STRING,
        NO_DEFAULT_VALUE,
        NonEmptyString(),
        Importance.HIGH,
        "Value field whose value names the feature hash (dots for nested fields), e.g. user_id.",
    )
    define(
        FEATURES_TARGET_FIELD,
        ConfigType.STRING,
        "features",
        NonEmptyString(),
        Importance.MEDIUM,
        "Value field the features object is written to.",
    )
    define(
        FEATURES_KEY_PREFIX,
        ConfigType.STRING,
        "features:",
        None,
        Importance.MEDIUM,
        "Redis key of a record's features: this prefix + the join key as text (numbers in decimal).",
    )
    define(
        FEATURES_VALUE_TYPE,
        ConfigType.STRING,
        "string",
        ValidString.in_("string", "json"),
        Importance.LOW,
        "string: hash values are written as JSON strings; json: a hash value that is valid JSON (number, "
        "boolean, object...) is written as that JSON value, anything else as a string.",
    )
    define(C.ON_MISS, ConfigType.STRING, "pass", ValidString.in_(*C.ON_MISS_VALUES), Importance.MEDIUM, C.ON_MISS_DOC)
    define(
        REDIS_URL,
        ConfigType.STRING,
        "",
        None,
        Importance.HIGH,
        "Redis URL (redis://[:password@]host:port/db or rediss://...). Empty: redis.host/port/db/password.",
    )
    define(REDIS_HOST, ConfigType.STRING, "localhost", None, Importance.MEDIUM, "Redis host (without redis.url).")
    define(REDIS_PORT, ConfigType.INT, 6379, Range.between(1, 65535), Importance.MEDIUM, "Redis port.")
    define(REDIS_DB, ConfigType.INT, 0, Range.at_least(0), Importance.LOW, "Redis database number.")
    define(REDIS_PASSWORD, ConfigType.PASSWORD, None, None, Importance.MEDIUM, "Redis password (optional).")
    define(
        REDIS_TIMEOUT,
        ConfigType.INT,
        2000,
        Range.at_least(1),
        Importance.LOW,
        "Connect and read timeout of one Redis round trip, in ms.",
    )
    define(
        CACHE_MAX,
        ConfigType.INT,
        100_000,
        Range.at_least(0),
        Importance.MEDIUM,
        "Entries of the local cache in front of Redis (least recently used evicted first; 0 disables it). "
        "Misses are cached too.",
    )
    define(
        CACHE_TTL,
        ConfigType.LONG,
        60_000,
        Range.at_least(0),
        Importance.MEDIUM,
        "How long a cached entry (features or miss) is used before Redis is asked again, in ms.",
    )
    return d


def _retry_setting(props: dict[str, str], key: str, default: int) -> int:
    raw = props.get(key)
    if raw is None or str(raw).strip() == "":
        return default
    try:
        return int(str(raw).strip())
    except ValueError:
        raise ConnectException(f"Invalid value {raw} for configuration {key}: Not a number of type LONG") from None


class ExtFeatureJoinKafkaSinkConnector(_AdLogSinkConnector):
    """Enriches ad logs with features from Redis hashes, then writes them to a Kafka topic."""

    java_class_names = (f"{C.JAVA_NAMESPACE}.ExtFeatureJoinKafkaSinkConnector",)
    CONFIG_DEF = feature_join_config_def()

    def lineage(self, config: Mapping[str, str]) -> Lineage:
        lineage = super().lineage(config)
        where = (
            config.get(REDIS_URL) or ""
        ).strip() or f"{config.get(REDIS_HOST) or 'localhost'}:{config.get(REDIS_PORT) or 6379}"
        lineage.inputs.append(Endpoint("redis", where))
        return lineage

    def task_class(self) -> type[SinkTask]:
        return ExtFeatureJoinKafkaSinkTask


class ExtFeatureJoinKafkaSinkTask(AdLogSinkTask):
    """The task of :class:`ExtFeatureJoinKafkaSinkConnector`."""

    CACHE_MISS: ClassVar[object] = object()

    def config_def(self) -> ConfigDef:
        return ExtFeatureJoinKafkaSinkConnector.CONFIG_DEF

    async def start_enrichment(self, props: dict[str, str]) -> None:
        import redis.asyncio as aioredis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        cfg = self.cfg
        jk = cfg.get_str(JOIN_KEY_FIELD)
        self.join_key = tuple(jk.split("."))
        self.target_field = cfg.get_str(FEATURES_TARGET_FIELD)
        self.key_prefix = cfg.get_str(FEATURES_KEY_PREFIX)
        self.parse_json = cfg.get_str(FEATURES_VALUE_TYPE) == "json"
        self.on_miss = cfg.get_str(C.ON_MISS)
        self.cache: TtlLruCache[Fragment | object] = TtlLruCache(cfg.get_int(CACHE_MAX), cfg.get_int(CACHE_TTL))
        self._prefix = orjson.dumps(self.target_field) + b":"
        self._names = (self.target_field,)
        self._qnames = quoted_names(self._names)
        self._null = Fragment(self._names, self._qnames, self._prefix + b"null")
        self.retry_timeout_ms = _retry_setting(props, RETRY_TIMEOUT, 0)
        self.retry_delay_max_ms = _retry_setting(props, RETRY_DELAY_MAX, 60_000)
        self._first_failure: float | None = None
        self._attempt = 0
        self._next_attempt = 0.0
        self.round_trips = 0
        self.redis_errors = 0
        timeout = cfg.get_int(REDIS_TIMEOUT) / 1000.0
        common: dict[str, Any] = {
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            "retry": Retry(NoBackoff(), 0),
            "retry_on_timeout": False,
            "decode_responses": False,
        }
        url = cfg.get_str(REDIS_URL)
        if url:
            self.redis = aioredis.Redis.from_url(url, **common)
        else:
            self.redis = aioredis.Redis(
                host=cfg.get_str(REDIS_HOST),
                port=cfg.get_int(REDIS_PORT),
                db=cfg.get_int(REDIS_DB),
                password=cfg.get_password(REDIS_PASSWORD),
                **common,
            )

    async def stop_enrichment(self) -> None:
        r = getattr(self, "redis", None)
        if r is not None:
            await r.aclose()

    def _fragment(self, h: dict[bytes, bytes]) -> Fragment | object:
        if not h:
            return self.CACHE_MISS
        feats: dict[str, Any] = {}
        for k, v in h.items():
            text = v.decode("utf-8", "replace")
            if self.parse_json:
                try:
                    feats[k.decode("utf-8", "replace")] = orjson.loads(v)
                    continue
                except orjson.JSONDecodeError:
                    pass
            feats[k.decode("utf-8", "replace")] = text
        return Fragment(self._names, self._qnames, self._prefix + orjson.dumps(feats))

    async def enrich(self, items: list[Item]) -> list[Item]:
        keys = join_keys(items, self.join_key)
        now = time.monotonic()
        found, todo = self.cache.get_many({k for k in keys if k is not None}, now)
        if todo:
            fetched = await self._fetch(todo)
            for key, fetched_frag in zip(todo, fetched, strict=True):
                found[key] = fetched_frag
                self.cache.put(key, fetched_frag, now)
        miss = self.CACHE_MISS
        out: list[Item] = []
        append = out.append
        for item, k in zip(items, keys, strict=True):
            frag = found.get(k, miss) if k is not None else miss
            if frag is not miss:
                item.frags.append(frag)  # type: ignore[arg-type]
                append(item)
                continue
            mode = self.on_miss
            if mode == "pass":
                append(item)
            elif mode == "null":
                item.frags.append(self._null)
                append(item)
            elif mode == "drop":
                self.counts["dropped"] += 1
            else:
                await self.report(item.record, DataException(f"No features for join key {k!r} ({self.key_prefix}{k})"))
        return out

    async def _fetch(self, keys: list[str]) -> list[Fragment | object]:
        """One pipelined round trip for all ``keys``; Redis failures become RetriableException within
        ``errors.retry.timeout``, then ConnectException."""
        loop = asyncio.get_running_loop()
        wait = self._next_attempt - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        prefix = self.key_prefix
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for k in keys:
                    pipe.hgetall(prefix + k)
                results = await pipe.execute()
        except Exception as e:
            from redis.exceptions import ConnectionError as RedisConnectionError
            from redis.exceptions import TimeoutError as RedisTimeoutError

            if not isinstance(e, RedisConnectionError | RedisTimeoutError | OSError):
                raise ConnectException(f"Feature store lookup failed: {e}") from e
            self._retry_or_fail(e, loop.time())
            raise AssertionError("unreachable") from e
        self.round_trips += 1
        if self._first_failure is not None:
            log.info("Feature store reachable again after %d failed attempts", self._attempt)
        self._first_failure, self._attempt, self._next_attempt = None, 0, 0.0
        return [self._fragment(h) for h in results]

    def _retry_or_fail(self, error: BaseException, now: float) -> None:
        self.redis_errors += 1
        if self._first_failure is None:
            self._first_failure = now
        self._attempt += 1
        elapsed_ms = (now - self._first_failure) * 1000.0
        timeout = self.retry_timeout_ms
        if timeout != -1 and elapsed_ms >= timeout:
            raise ConnectException(
                f"Feature store unavailable for {int(elapsed_ms)} ms after {self._attempt} attempts "
                f"(errors.retry.timeout={timeout}): {error}"
            ) from error
        delay_ms = 300.0 * 2 ** (self._attempt - 1)
        delay_ms = min(delay_ms, float(self.retry_delay_max_ms))
        if timeout != -1:
            delay_ms = min(delay_ms, max(timeout - elapsed_ms, 0.0))
        self._next_attempt = now + delay_ms / 1000.0
        try:
            self.context.timeout(int(delay_ms))
        except (AttributeError, NotImplementedError):
            pass
        log.warning("Feature store unavailable (attempt %d), retrying in %d ms: %s", self._attempt, delay_ms, error)
        raise RetriableException(f"Feature store unavailable: {error}") from error

    def metrics(self) -> dict[str, Any]:
        m = super().metrics()
        m.update(
            cache_entries=len(self.cache),
            cache_hits=self.cache.hits,
            cache_misses=self.cache.misses,
            redis_round_trips=self.round_trips,
            redis_errors=self.redis_errors,
        )
        return m


__all__ = ["ExtFeatureJoinKafkaSinkConnector", "ExtFeatureJoinKafkaSinkTask"]
