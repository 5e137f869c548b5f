"""Shared pytest fixtures: real brokers and stores, started once per session and only when asked for.

    kafka            session  Apache Kafka 4.4 (KRaft, one node), or tansu with --broker=tansu
    kafka_factory    function make extra brokers (same kind as --broker) for kill/restart tests
    redis_server     session  redis-server on a free port, no persistence
    mongo_server     session  SecantusDB (MongoDB wire protocol, change streams)
    java_connect_factory  function  start Java Kafka Connect 4.4 workers (distributed/standalone)
    topic_name       function a unique topic name
    broker_kind      session  "kafka" or "tansu"

Nothing is skipped: a missing Java, jars or binary fails the test with a message that says what to install.
"""

from __future__ import annotations

import re
import signal
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from tests.fixtures.java_connect import JavaConnect  # noqa: E402
from tests.fixtures.kafka import BrokerBase, make_broker  # noqa: E402
from tests.fixtures.stores import MongoServer, RedisServer  # noqa: E402

_start_times: list[tuple[str, float]] = []
_session_kafka: list[BrokerBase] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--broker",
        action="store",
        default="kafka",
        choices=("kafka", "tansu"),
        help="Kafka-protocol broker for the `kafka` fixture: Apache Kafka 4.4 (default, the reference) "
        "or tansu (in-memory, starts in ms; for quick local loops, not a substitute)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # A SIGTERM (CI time-out, Ctrl-C from a supervisor) becomes a KeyboardInterrupt so that pytest runs
    # fixture teardown and the servers are stopped; the atexit hook in tests/fixtures/proc.py is the
    # last resort.
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) in (
        signal.SIG_DFL,
        None,
    ):

        def _on_sigterm(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt(f"signal {signum}")

        signal.signal(signal.SIGTERM, _on_sigterm)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _start_times:
        parts = ", ".join(f"{name} {secs:.1f}s" for name, secs in _start_times)
        terminalreporter.write_line(f"fixture start times: {parts}")


def _started(server: Any, label: str) -> None:
    if server.start_seconds is not None:
        _start_times.append((label, server.start_seconds))


@pytest.fixture(scope="session")
def broker_kind(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--broker"))


@pytest.fixture(scope="session")
def kafka(broker_kind: str) -> Iterator[BrokerBase]:
    """The session's broker: ``.bootstrap``, ``.create_topic(name, partitions=1, config=None)``, ``.admin()``.

    Tests that kill or restart a broker should use ``kafka_factory`` instead; if one leaves this broker
    down anyway, it is started again before the next test.
    """
    broker = make_broker(broker_kind)
    try:
        broker.start()
        _started(broker, f"{broker_kind} (session)")
        _session_kafka.append(broker)
        yield broker
    finally:
        _session_kafka.clear()
        broker.close()


@pytest.fixture(autouse=True)
def _session_kafka_alive() -> None:
    """Bring the session broker back if an earlier test left it stopped (cheap when it is up)."""
    for broker in _session_kafka:
        if not broker.running:
            broker.start()


@pytest.fixture
def kafka_factory(broker_kind: str) -> Iterator[Callable[[], BrokerBase]]:
    """``make() -> started broker`` (kind of --broker); all are closed at the end of the test."""
    made: list[BrokerBase] = []

    def make() -> BrokerBase:
        broker = make_broker(broker_kind)
        made.append(broker)
        broker.start()
        _started(broker, broker_kind)
        return broker

    try:
        yield make
    finally:
        for broker in made:
            broker.close()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """redis-server on a free port (``.url``, ``.port``); no persistence; start/stop/restart same port."""
    server = RedisServer()
    try:
        server.start()
        _started(server, "redis")
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def mongo_server() -> Iterator[MongoServer]:
    """SecantusDB (``.uri``): MongoDB wire protocol, single-node replica set primary (change streams)."""
    server = MongoServer()
    try:
        server.start()
        _started(server, "mongo")
        yield server
    finally:
        server.close()


@pytest.fixture
def java_connect_factory() -> Iterator[Callable[..., JavaConnect]]:
    """``make(bootstrap, mode="distributed", **kw) -> started JavaConnect``; closed at the end of the test."""
    made: list[JavaConnect] = []

    def make(bootstrap: str, **kw: Any) -> JavaConnect:
        worker = JavaConnect(bootstrap, **kw)
        made.append(worker)
        worker.start()
        _started(worker, f"java-connect-{worker.mode}")
        return worker

    try:
        yield make
    finally:
        for worker in made:
            worker.close()


@pytest.fixture
def topic_name(request: pytest.FixtureRequest) -> str:
    """A topic name unique to this test run: ``t-<test name>-<random>`` (legal Kafka topic characters)."""
    base = re.sub(r"[^a-zA-Z0-9._-]+", "-", request.node.name).strip("-")[:80]
    return f"t-{base}-{uuid.uuid4().hex[:10]}"
