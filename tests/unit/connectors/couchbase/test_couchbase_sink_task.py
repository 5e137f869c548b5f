"""CouchbaseSinkTask with the real Couchbase SDK and no server at all (a closed port). Everything else the
task does is tested against gocaves, Couchbase's mock cluster (tests/integration/connectors/couchbase/)."""

from __future__ import annotations

import pytest

from genesis_connectors.couchbase.task import CouchbaseSinkTask
from genesis_worker.api import RetriableException, SinkRecord
from tests.unit.connectors.hdfs.doubles import RecordingSinkContext

BASE = {
    "topics": "profiles",
    "couchbase.seed.nodes": "cb1",
    "couchbase.bucket": "ads",
    "couchbase.username": "kafka",
    "couchbase.password": "secret",
    "couchbase.retry.backoff.ms": "150",
}


async def test_real_sdk_against_no_server_is_retriable() -> None:
    """The real Couchbase SDK (no stand-in) against a closed port: start survives, put asks for a retry."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    task = CouchbaseSinkTask()
    ctx = RecordingSinkContext()
    task.initialize(ctx)
    await task.start({**BASE, "couchbase.seed.nodes": f"127.0.0.1:{port}", "couchbase.bootstrap.timeout": "1s"})
    with pytest.raises(RetriableException, match="UnAmbiguousTimeoutException"):
        await task.put([SinkRecord("profiles", 0, None, "a", None, {"v": 1}, 0)])
    assert ctx.timeouts == [150, 150]
    await task.stop()
