"""CouchbaseSinkTask with the real Couchbase SDK against gocaves, Couchbase's mock cluster (real KV
protocol, cluster map and collection manifests; tests/fixtures/couchbase.py): document IDs, content,
collections, upsert/insert/replace, tombstone deletes, expiry, the durability settings gocaves accepts,
sub-document modes, the dead letter queue, and retries after locked documents, a stalled cluster and an
insert whose answer was lost. What gocaves cannot show stays on the StandInCollection stand-in
(tests/unit/connectors/couchbase/test_couchbase_sink_units.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from couchbase.exceptions import DocumentNotFoundException
from couchbase.options import GetOptions

from genesis_connectors.couchbase.task import CouchbaseSinkTask
from genesis_worker.api import (
    ConnectException,
    DataException,
    RetriableException,
    Schema,
    SchemaBuilder,
    SinkRecord,
    Struct,
)
from tests.fixtures.couchbase import GocavesServer
from tests.fixtures.proc import wait_until
from tests.unit.connectors.hdfs.doubles import RecordingSinkContext

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

Start = Callable[..., Awaitable[tuple[CouchbaseSinkTask, RecordingSinkContext]]]


@pytest.fixture
def scope(couchbase_cluster: Any) -> str:
    """A fresh scope with collections ``docs`` (the default collection) and ``clicks``."""
    name = "s" + uuid.uuid4().hex[:10]
    manager = couchbase_cluster.bucket("default").collections()
    manager.create_scope(name)
    for coll in ("docs", "clicks"):
        manager.create_collection(name, coll)
    return name


@pytest.fixture
async def start(couchbase_server: GocavesServer, scope: str) -> AsyncIterator[Start]:
    """``await start(**props)``: a started task writing to ``<scope>.docs`` (topic ``clicks`` to
    ``<scope>.clicks``); stopped at the end of the test."""
    tasks: list[CouchbaseSinkTask] = []

    async def make(**props: str) -> tuple[CouchbaseSinkTask, RecordingSinkContext]:
        task = CouchbaseSinkTask()
        ctx = RecordingSinkContext()
        task.initialize(ctx)
        tasks.append(task)
        await task.start(
            {
                "topics": "profiles,clicks",
                "couchbase.seed.nodes": ",".join(couchbase_server.seed_nodes),
                "couchbase.bucket": couchbase_server.bucket,
                "couchbase.username": couchbase_server.username,
                "couchbase.password": couchbase_server.password,
                "couchbase.bootstrap.timeout": "10s",
                "couchbase.default.collection": f"{scope}.docs",
                "couchbase.topic.to.collection": f"clicks={scope}.clicks",
                "couchbase.retry.backoff.ms": "150",
                "couchbase.max.concurrent.writes": "4",
                **{k.replace("_", "."): v for k, v in props.items()},
            }
        )
        return task, ctx

    yield make
    for task in tasks:
        await task.stop()


def rec(offset: int, key: Any, value: Any, topic: str = "profiles", schema: Schema | None = None) -> SinkRecord:
    return SinkRecord(topic, 0, None, key, schema, value, offset)


class Docs:
    """Reads documents of one collection with the SDK (gocaves has no query service to list them)."""

    def __init__(self, cluster: Any, scope: str, name: str = "docs") -> None:
        self.coll = cluster.bucket("default").scope(scope).collection(name)

    def __getitem__(self, key: str) -> Any:
        return self.coll.get(key).value

    def get(self, key: str) -> Any:
        try:
            return self[key]
        except DocumentNotFoundException:
            return None

    def cas(self, key: str) -> int:
        return int(self.coll.get(key).cas)

    def expiry(self, key: str) -> float:
        return float(self.coll.get(key, GetOptions(with_expiry=True)).expiry_time.timestamp())


def reported(ctx: RecordingSinkContext) -> dict[int, str]:
    assert ctx.reporter is not None
    return {r.kafka_offset: str(e) for r, e in ctx.reporter.reported}


async def test_routing_order_tombstones_and_dlq(start: Start, couchbase_cluster: Any, scope: str) -> None:
    task, ctx = await start(errors_tolerance="all")
    batch = [rec(i, f"u{i % 3}", {"n": i}) for i in range(9)]
    batch[4] = rec(4, "u1", b"\x00 not json")
    batch.append(rec(9, "u2", None))  # tombstone: removes u2
    batch.append(rec(10, "c1", {"ad": 5}, topic="clicks"))
    batch.append(rec(11, "never-written", None))  # a tombstone for a missing document is fine
    await task.put(batch)
    docs, clicks = Docs(couchbase_cluster, scope), Docs(couchbase_cluster, scope, "clicks")
    assert (docs["u0"], docs["u1"], docs.get("u2")) == ({"n": 6}, {"n": 7}, None)  # the last record of a key wins
    assert clicks["c1"] == {"ad": 5} and docs.get("c1") is None
    assert list(reported(ctx)) == [4] and "not JSON" in reported(ctx)[4]


async def test_document_ids_and_content(start: Start, couchbase_cluster: Any, scope: str) -> None:
    task, _ = await start()
    schema = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).field("tag", Schema.STRING_SCHEMA).build()
    await task.put(
        [
            rec(0, "text-key", {"a": 1}),
            rec(1, 42, {"a": 2}),
            rec(2, b"bytes-key", b'{"a": [3]}'),
            rec(3, None, {"a": 4}),  # no key: <topic>/<partition>/<offset>
            rec(4, "struct", Struct(schema).put("id", 5).put("tag", "x"), schema=schema),
            rec(5, "plain", "plain text"),
        ]
    )
    docs = Docs(couchbase_cluster, scope)
    assert [docs["text-key"], docs["42"], docs["bytes-key"], docs["profiles/0/3"]] == [
        {"a": 1},
        {"a": 2},
        {"a": [3]},
        {"a": 4},
    ]
    assert (docs["struct"], docs["plain"]) == ({"id": 5, "tag": "x"}, "plain text")

    templated, ctx = await start(
        couchbase_document_id="${/type}::${/id}", couchbase_remove_document_id="true", errors_tolerance="all"
    )
    await templated.put(
        [
            rec(0, "ignored", {"type": "user", "id": 7, "name": "kim"}),
            rec(1, "ignored", {"type": "user", "name": "no id"}),
            rec(2, "ignored", {"type": "user", "id": 8, "name": "lee"}),
        ]
    )
    assert (docs["user::7"], docs["user::8"], docs.get("ignored")) == ({"name": "kim"}, {"name": "lee"}, None)
    assert list(reported(ctx)) == [1] and "no value at '/id'" in reported(ctx)[1]


async def test_insert_and_replace_conflicts_go_to_the_dlq_or_fail_the_task(
    start: Start, couchbase_cluster: Any, scope: str
) -> None:
    docs = Docs(couchbase_cluster, scope)
    insert, ctx = await start(couchbase_document_operation="INSERT", errors_tolerance="all")
    await insert.put([rec(0, "a", {"v": 1}), rec(1, "a", {"v": 2}), rec(2, "b", {"v": 3})])
    assert (docs["a"], docs["b"]) == ({"v": 1}, {"v": 3})
    assert list(reported(ctx)) == [1] and "DocumentExistsException" in reported(ctx)[1]

    replace, ctx = await start(couchbase_document_operation="REPLACE", errors_tolerance="all")
    await replace.put([rec(3, "a", {"v": 4}), rec(4, "missing", {"v": 5})])
    assert (docs["a"], docs.get("missing")) == ({"v": 4}, None)
    assert list(reported(ctx)) == [4] and "DocumentNotFoundException" in reported(ctx)[4]

    strict, _ = await start(couchbase_document_operation="INSERT")
    with pytest.raises(DataException, match="Writing document 'a' failed"):
        await strict.put([rec(5, "a", {"v": 6})])
    assert docs["a"] == {"v": 4}


async def test_document_expiration(start: Start, couchbase_cluster: Any, scope: str) -> None:
    task, _ = await start(couchbase_document_expiration="2h")
    await task.put([rec(0, "e", {"v": 1})])
    sub, _ = await start(
        couchbase_document_expiration="30m", couchbase_document_mode="SUBDOCUMENT", couchbase_subdocument_path="last"
    )
    await sub.put([rec(1, "s", {"v": 2})])  # creates the document (create.document=true) with the expiry
    docs = Docs(couchbase_cluster, scope)
    assert abs(docs.expiry("e") - (time.time() + 7200)) < 60
    assert abs(docs.expiry("s") - (time.time() + 1800)) < 60 and docs["s"] == {"last": {"v": 2}}


@pytest.mark.parametrize(
    "durability",
    [
        {"couchbase_durability": "MAJORITY"},
        {"couchbase_durability": "MAJORITY_AND_PERSIST_TO_ACTIVE"},
        {"couchbase_durability": "PERSIST_TO_MAJORITY"},
        {"couchbase_replicate_to": "ONE"},
        {"couchbase_persist_to": "ONE", "couchbase_replicate_to": "ONE"},
    ],
    ids=lambda d: "+".join(f"{k.split('_', 1)[1]}={v}" for k, v in d.items()),
)
async def test_durability_settings_gocaves_accepts(
    start: Start, couchbase_cluster: Any, scope: str, durability: dict[str, str]
) -> None:
    docs = Docs(couchbase_cluster, scope)
    task, _ = await start(**durability)
    await task.put([rec(0, "d", {"v": 1}), rec(1, "gone", {"v": 1}), rec(2, "gone", None)])
    assert (docs["d"], docs.get("gone")) == ({"v": 1}, None)
    sub, _ = await start(**durability, couchbase_document_mode="SUBDOCUMENT", couchbase_subdocument_path="x")
    await sub.put([rec(3, "d", 2)])
    assert docs["d"] == {"v": 1, "x": 2}


async def test_durability_the_bucket_cannot_give_fails_the_task(
    start: Start, couchbase_cluster: Any, scope: str
) -> None:
    task, _ = await start(couchbase_replicate_to="TWO", errors_tolerance="all")  # the bucket has one replica
    with pytest.raises(ConnectException, match=r"configured durability.*DurabilityImpossible"):
        await task.put([rec(0, "d", {"v": 1})])


async def test_subdocument_modes(start: Start, couchbase_cluster: Any, scope: str) -> None:
    docs = Docs(couchbase_cluster, scope)
    upsert, _ = await start(couchbase_document_mode="SUBDOCUMENT", couchbase_subdocument_path="stats.last")
    await upsert.put([rec(0, "u", {"n": 1}), rec(1, "u", None)])  # the tombstone is skipped in this mode
    assert docs["u"] == {"stats": {"last": {"n": 1}}}

    append, ctx = await start(
        couchbase_document_mode="SUBDOCUMENT",
        couchbase_subdocument_path="${/list}",
        couchbase_subdocument_operation="ARRAY_APPEND",
        couchbase_create_document="false",
        errors_tolerance="all",
    )
    await append.put(
        [
            rec(2, "u", {"list": "events", "e": 1}),
            rec(3, "u", {"list": "events", "e": 2}),
            rec(4, "nope", {"list": "events", "e": 3}),  # no such document, and create.document=false
            rec(5, "u", {"e": 4}),  # no path in the message
            rec(6, "u", {"list": "stats", "e": 5}),  # stats is an object, not an array
        ]
    )
    assert docs["u"]["events"] == [{"list": "events", "e": 1}, {"list": "events", "e": 2}]
    assert docs.get("nope") is None
    errors = reported(ctx)
    assert sorted(errors) == [4, 5, 6]
    assert "DocumentNotFoundException" in errors[4] and "no sub-document path" in errors[5]
    assert "PathMismatchException" in errors[6]

    prepend, _ = await start(
        couchbase_document_mode="SUBDOCUMENT",
        couchbase_subdocument_path="a.b",
        couchbase_subdocument_operation="ARRAY_PREPEND",
    )
    await prepend.put([rec(7, "u", 1), rec(8, "u", 2)])
    assert docs["u"]["a"] == {"b": [2, 1]}

    # create.path=false counts only with create.document=false: the server's "create the document" flag
    # (Mkdoc) implies creating the parents
    for create_document, stored in (("true", {"q": 1}), ("false", None)):
        no_parents, ctx = await start(
            couchbase_document_mode="SUBDOCUMENT",
            couchbase_subdocument_path="p.q",
            couchbase_subdocument_create_path="false",
            couchbase_create_document=create_document,
            errors_tolerance="all",
        )
        await no_parents.put([rec(9, f"np-{create_document}", 1)])
        assert docs.get(f"np-{create_document}") == ({"p": stored} if stored else None)
    assert "DocumentNotFoundException" in reported(ctx)[9]
    await no_parents.put([rec(10, "u", 1)])
    assert "PathNotFoundException" in reported(ctx)[10] and "p" not in docs["u"]


async def test_locked_document_is_retried_and_written_documents_are_not_written_again(
    start: Start, couchbase_cluster: Any, scope: str
) -> None:
    """A locked document (another client's get_and_lock) is a temporary failure: the batch is redelivered;
    the documents written before are not written again (their CAS does not change)."""
    docs = Docs(couchbase_cluster, scope)
    docs.coll.upsert("x", {"v": 0})
    lock_cas = docs.coll.get_and_lock("x", dt.timedelta(seconds=20)).cas
    task, ctx = await start()
    batch = [rec(1, "x", {"v": 1}), rec(2, "y", {"v": 2}), rec(3, "x", {"v": 3})]
    with pytest.raises(RetriableException, match="DocumentLocked"):
        await task.put(batch)
    assert ctx.timeouts == [150]
    assert (docs["x"], docs["y"]) == ({"v": 0}, {"v": 2})
    cas_y = docs.cas("y")
    docs.coll.unlock("x", lock_cas)
    await task.put(batch)  # the runtime redelivers the same batch
    assert (docs["x"], docs["y"], docs.cas("y")) == ({"v": 3}, {"v": 2}, cas_y)


async def test_stalled_cluster_is_retriable_then_everything_is_written(
    start: Start, couchbase_server: GocavesServer, couchbase_cluster: Any, scope: str
) -> None:
    task, ctx = await start()
    await task.put([rec(0, "a", {"v": 0})])
    batch = [rec(i, f"k{i}", {"v": i}) for i in range(1, 6)]
    with couchbase_server.paused():
        with pytest.raises(RetriableException, match=r"not available.*Timeout"):
            await task.put(batch)
    assert ctx.timeouts == [150]
    await task.put(batch)
    docs = Docs(couchbase_cluster, scope)
    assert [docs[k] for k in ("a", "k1", "k5")] == [{"v": 0}, {"v": 1}, {"v": 5}]


async def test_insert_whose_answer_was_lost_counts_as_written(
    start: Start, couchbase_server: GocavesServer, couchbase_cluster: Any, scope: str
) -> None:
    """The cluster stalls after receiving an INSERT: the SDK's AmbiguousTimeout asks for a redelivery, the
    insert lands when the cluster resumes, and the redelivered record is not reported as a conflict (a
    later record of the same ID still is)."""
    task, ctx = await start(couchbase_document_operation="INSERT", errors_tolerance="all")
    await task.put([rec(0, "seed", 0)])
    batch = [rec(1, "x", {"v": 1}), rec(2, "x", {"v": 2})]
    with couchbase_server.paused():
        with pytest.raises(RetriableException, match="AmbiguousTimeout"):
            await task.put(batch)
    docs = Docs(couchbase_cluster, scope)
    await asyncio.to_thread(wait_until, lambda: docs.get("x") is not None, 10, "the stalled insert to land")
    assert docs["x"] == {"v": 1}
    await task.put(batch)
    assert docs["x"] == {"v": 1}
    assert list(reported(ctx)) == [2] and "DocumentExistsException" in reported(ctx)[2]


async def test_wrong_password_fails_the_task_at_start(couchbase_server: GocavesServer) -> None:
    task = CouchbaseSinkTask()
    task.initialize(RecordingSinkContext())
    props = {
        "topics": "profiles",
        "couchbase.seed.nodes": ",".join(couchbase_server.seed_nodes),
        "couchbase.bucket": couchbase_server.bucket,
        "couchbase.username": couchbase_server.username,
        "couchbase.password": "wrong",
    }
    try:
        with pytest.raises(ConnectException, match=r"Cannot connect to Couchbase bucket default.*Authentication"):
            await task.start(props)
    finally:
        await task.stop()
