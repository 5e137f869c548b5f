"""The servers a benchmark run needs, started on first use and stopped at the end.

Reuses the test fixtures' plain classes (tests/fixtures): Apache Kafka 4.4, Java Kafka Connect 4.4, Redis,
MongoDB (SecantusDB). genesis-worker itself is started as a child process through its own command line
(``python -m genesis_worker.cli standalone|distributed ...``) by :class:`GenesisWorker`.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import sys
import time
import urllib.request
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from benchmarks.common import REPO_ROOT, close_clients
from tests.fixtures.java_connect import JSON_CONVERTER, JavaConnect
from tests.fixtures.kafka import BrokerBase, KafkaBroker
from tests.fixtures.net import HOST, free_port, wait_port_closed
from tests.fixtures.proc import ServerProcess, wait_until, write_properties
from tests.fixtures.stores import MongoServer, RedisServer

log = logging.getLogger("benchmarks.services")


def genesis_missing() -> str | None:
    """Why genesis-worker cannot be started as a worker process here, or None if it can."""
    for mod in ("genesis_worker.cli",):
        try:
            if importlib.util.find_spec(mod) is None:
                return f"{mod} does not exist yet (no `genesis-worker` command line)"
        except ImportError as e:
            return f"{mod} cannot be imported: {e}"
    return None


def genesis_distributed_missing() -> str | None:
    base = genesis_missing()
    if base:
        return base
    try:
        from genesis_worker.herder import distributed  # noqa: F401
    except Exception as e:
        return f"genesis_worker.herder.distributed cannot be imported: {type(e).__name__}: {e}"
    return None


class GenesisWorker(ServerProcess):
    """A genesis-worker process (``standalone`` or ``distributed``) on a free REST port."""

    name = "genesis"
    start_timeout = 60.0
    stop_timeout = 20.0

    def __init__(
        self,
        bootstrap: str,
        *,
        mode: str = "standalone",
        group_id: str | None = None,
        topic_prefix: str | None = None,
        properties: Mapping[str, object] | None = None,
        connectors: Sequence[Mapping[str, object]] = (),
        wait_connectors: bool = True,
    ) -> None:
        super().__init__(None)
        self.mode = mode
        self.bootstrap = bootstrap
        self.port = free_port()
        self.wait_connectors = wait_connectors
        self.group_id = group_id or f"genesis-{uuid.uuid4().hex[:8]}"
        self.topic_prefix = topic_prefix or self.group_id
        self.config_path = self.tmp_dir / f"worker-{mode}.properties"
        self.connector_paths = [self.tmp_dir / f"connector-{i}.properties" for i in range(len(connectors))]
        self._connectors = [dict(c) for c in connectors]
        self.properties: dict[str, object] = {
            "bootstrap.servers": bootstrap,
            "listeners": f"http://{HOST}:{self.port}",
            "rest.advertised.host.name": HOST,
            "rest.advertised.port": self.port,
            "key.converter": JSON_CONVERTER,
            "value.converter": JSON_CONVERTER,
            "offset.flush.interval.ms": 1000,
        }
        if mode == "distributed":
            self.properties.update(
                {
                    "group.id": self.group_id,
                    "config.storage.topic": f"{self.topic_prefix}-configs",
                    "offset.storage.topic": f"{self.topic_prefix}-offsets",
                    "status.storage.topic": f"{self.topic_prefix}-status",
                    "config.storage.replication.factor": 1,
                    "offset.storage.replication.factor": 1,
                    "status.storage.replication.factor": 1,
                    "offset.storage.partitions": 5,
                    "status.storage.partitions": 1,
                    "scheduled.rebalance.max.delay.ms": 10000,
                }
            )
        else:
            self.properties["offset.storage.file.filename"] = self.tmp_dir / "connect.offsets"
        self.properties.update(properties or {})

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def _prepare(self) -> None:
        write_properties(self.config_path, self.properties)
        for path, conf in zip(self.connector_paths, self._connectors, strict=True):
            write_properties(path, conf)

    def _argv(self) -> Sequence[str]:
        return [
            sys.executable,
            "-m",
            "genesis_worker.cli",
            self.mode,
            str(self.config_path),
            *(str(p) for p in self.connector_paths),
        ]

    def _env(self) -> dict[str, str] | None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [*(str(REPO_ROOT / d) for d in (".", "connectors", "transforms")), env.get("PYTHONPATH")])
        )
        env.setdefault("PYTHONUNBUFFERED", "1")
        return env

    def get(self, path: str, timeout: float = 10.0) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=timeout) as resp:
            return json.loads(resp.read())

    def _wait_ready(self) -> None:
        def ready() -> bool:
            self.get("/", timeout=2)
            self.get("/connectors", timeout=5)
            return True

        wait_until(ready, self.start_timeout, f"genesis-worker REST on {self.url}", self, 0.02)

    def stop(self, timeout: float | None = None) -> None:
        super().stop(timeout)
        if self._proc is not None:
            wait_port_closed(HOST, self.port)

    def kill(self) -> None:
        super().kill()
        if self._proc is not None:
            wait_port_closed(HOST, self.port)


def _warm_up(broker: BrokerBase) -> None:
    """Load the transaction coordinator (idempotent producers wait for it) and the group coordinator once,
    so the first measured run does not pay for it."""
    from confluent_kafka import Consumer, Producer

    topic = broker.create_topic("bench-warmup", 1)
    p = Producer({"bootstrap.servers": broker.bootstrap, "enable.idempotence": True, "acks": "all"})
    p.produce(topic, b"x")
    if p.flush(60) != 0:
        raise RuntimeError("warm-up: idempotent produce not acknowledged")
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": "bench-warmup", "auto.offset.reset": "earliest"})
    c.subscribe([topic])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        m = c.poll(0.5)
        if m is not None and not m.error():
            c.commit(message=m, asynchronous=False)
            break
    c.close()


class Services:
    """Lazily started shared servers; :meth:`close` stops everything this object started."""

    def __init__(self) -> None:
        self._kafka: BrokerBase | None = None
        self._redis: RedisServer | None = None
        self._mongo: MongoServer | None = None
        self._owned: list[ServerProcess] = []

    @property
    def kafka(self) -> BrokerBase:
        if self._kafka is None:
            log.info("starting Apache Kafka 4.4 broker ...")
            broker = KafkaBroker(heap="1g", properties={"num.io.threads": 2})
            self._owned.append(broker)
            broker.start()
            self._kafka = broker
            log.info("Kafka on %s (%.1fs)", broker.bootstrap, broker.start_seconds or 0)
            _warm_up(broker)
        return self._kafka

    @property
    def redis(self) -> RedisServer:
        if self._redis is None:
            r = RedisServer()
            self._owned.append(r)
            r.start()
            self._redis = r
        return self._redis

    @property
    def mongo(self) -> MongoServer:
        if self._mongo is None:
            m = MongoServer()
            self._owned.append(m)
            m.start()
            self._mongo = m
        return self._mongo

    def java_connect(self, **kw: Any) -> JavaConnect:
        """A new (not yet started) Java Connect worker against the broker; closed by :meth:`close`."""
        kw.setdefault("heap", "1g")
        jc = JavaConnect(self.kafka.bootstrap, **kw)
        self._owned.append(jc)
        return jc

    def genesis(self, **kw: Any) -> GenesisWorker:
        """A new (not yet started) genesis worker against the broker; closed by :meth:`close`."""
        g = GenesisWorker(self.kafka.bootstrap, **kw)
        self._owned.append(g)
        return g

    def close(self) -> None:
        close_clients()
        for s in reversed(self._owned):
            try:
                s.close()
            except Exception as e:  # keep closing the others
                log.warning("closing %s: %s", s.name, e)
        self._owned.clear()
        self._kafka = self._redis = self._mongo = None
