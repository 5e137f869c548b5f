"""Every call into the Couchbase Python SDK (4.x) of the Couchbase sink, blocking (run in an executor):
connect to a bucket, build write options (expiry, durability), write one document, and sort SDK errors
into "retry later" (timeouts, unavailable, temporary failures) and "this record's fault"."""

from __future__ import annotations

import datetime as _dt
import logging
from typing import Any, Protocol

import couchbase.subdocument as SD
from couchbase.durability import ClientDurability, DurabilityLevel, PersistTo, ReplicateTo, ServerDurability
from couchbase.exceptions import (
    AmbiguousTimeoutException,
    CouchbaseException,
    DocumentExistsException,
    DocumentLockedException,
    DocumentNotFoundException,
    DurabilityImpossibleException,
    DurabilityInvalidLevelException,
    DurabilitySyncWriteAmbiguousException,
    DurabilitySyncWriteInProgressException,
    RequestCanceledException,
    ServiceUnavailableException,
    TemporaryFailException,
    TimeoutException,
    UnAmbiguousTimeoutException,
)
from couchbase.options import InsertOptions, MutateInOptions, RemoveOptions, ReplaceOptions, UpsertOptions
from couchbase.subdocument import StoreSemantics

from genesis_connectors.couchbase.config import CouchbaseSinkConfig
from genesis_connectors.couchbase.documents import SinkDocument, parse_pointer, resolve
from genesis_worker.api import DataException

log = logging.getLogger(__name__)

RETRIABLE = (
    TimeoutException,
    AmbiguousTimeoutException,
    UnAmbiguousTimeoutException,
    ServiceUnavailableException,
    TemporaryFailException,
    DocumentLockedException,
    DurabilitySyncWriteAmbiguousException,
    DurabilitySyncWriteInProgressException,
    RequestCanceledException,
)
"""Errors after which the same write may succeed later (the server is down, busy or the write's outcome
is unknown: an upsert/replace/remove is repeated safely, an insert is recognised by DocumentExists)."""

FATAL = (DurabilityImpossibleException, DurabilityInvalidLevelException)
"""The bucket cannot give the configured durability: a configuration problem, not a record's."""


class KeyValueCollection(Protocol):
    """The part of ``couchbase.collection.Collection`` the sink uses."""

    def upsert(self, key: str, value: Any, *opts: Any, **kwargs: Any) -> Any: ...

    def insert(self, key: str, value: Any, *opts: Any, **kwargs: Any) -> Any: ...

    def replace(self, key: str, value: Any, *opts: Any, **kwargs: Any) -> Any: ...

    def remove(self, key: str, *opts: Any, **kwargs: Any) -> Any: ...

    def mutate_in(self, key: str, spec: Any, *opts: Any, **kwargs: Any) -> Any: ...


def is_retriable(error: BaseException) -> bool:
    return isinstance(error, RETRIABLE)


def is_fatal(error: BaseException) -> bool:
    return isinstance(error, FATAL)


def durability_of(cfg: CouchbaseSinkConfig) -> ServerDurability | ClientDurability | None:
    if cfg.durability != "NONE":
        return ServerDurability(DurabilityLevel[cfg.durability])
    if cfg.persist_to != "NONE" or cfg.replicate_to != "NONE":
        return ClientDurability(replicate_to=ReplicateTo[cfg.replicate_to], persist_to=PersistTo[cfg.persist_to])
    return None


def _options(cls: type[Any], cfg: CouchbaseSinkConfig, expiry: bool = True) -> Any:
    kwargs: dict[str, Any] = {}
    durability = durability_of(cfg)
    if durability is not None:
        kwargs["durability"] = durability
    if expiry and cfg.expiration > _dt.timedelta(0):
        kwargs["expiry"] = cfg.expiration
    return cls(**kwargs)


class DocumentWriter:
    """Writes one document with the configured mode, operation, expiry and durability."""

    def __init__(self, cfg: CouchbaseSinkConfig) -> None:
        self.cfg = cfg
        self.upsert_options = _options(UpsertOptions, cfg)
        self.insert_options = _options(InsertOptions, cfg)
        self.replace_options = _options(ReplaceOptions, cfg)
        self.remove_options = _options(RemoveOptions, cfg, expiry=False)
        self.mutate_in_options = _options(MutateInOptions, cfg)
        semantics = StoreSemantics.UPSERT if cfg.create_document else StoreSemantics.REPLACE
        self.mutate_in_options["store_semantics"] = semantics
        path = cfg.subdocument_path.strip()
        self.path_pointer = parse_pointer(path[2:-1]) if path.startswith("${") and path.endswith("}") else None

    def write(self, coll: KeyValueCollection, doc: SinkDocument, attempted: bool) -> str:
        """Write ``doc``; returns what was done. ``attempted``: an earlier attempt may have written it."""
        if doc.content is None:
            if self.cfg.mode == "SUBDOCUMENT":
                return "skipped"  # a tombstone has no value to write at the path
            try:
                coll.remove(doc.id, self.remove_options)
            except DocumentNotFoundException:
                return "absent"
            return "removed"
        if self.cfg.mode == "SUBDOCUMENT":
            coll.mutate_in(doc.id, [self._spec(doc)], self.mutate_in_options)
            return "mutated"
        op = self.cfg.operation
        if op == "UPSERT":
            coll.upsert(doc.id, doc.content, self.upsert_options)
        elif op == "INSERT":
            try:
                coll.insert(doc.id, doc.content, self.insert_options)
            except DocumentExistsException:
                if attempted:
                    return "inserted before"  # the earlier attempt's write did land
                raise
        else:
            coll.replace(doc.id, doc.content, self.replace_options)
        return op.lower()

    def _spec(self, doc: SinkDocument) -> Any:
        path = self.cfg.subdocument_path.strip()
        if self.path_pointer is not None:
            got = resolve(doc.content, self.path_pointer)
            if not isinstance(got, str) or not got:
                raise DataException(f"The message has no sub-document path (string) at {path!r}")
            path = got
        create = self.cfg.create_path
        op = self.cfg.subdocument_operation
        if op == "UPSERT":
            return SD.upsert(path, doc.content, create_parents=create)
        if op == "ARRAY_PREPEND":
            return SD.array_prepend(path, doc.content, create_parents=create)
        return SD.array_append(path, doc.content, create_parents=create)


class CouchbaseBucket:
    """A connected cluster and bucket; ``collection(scope, name)`` hands out collections."""

    def __init__(self, cfg: CouchbaseSinkConfig) -> None:
        self.cfg = cfg
        self.cluster: Any = None
        self.bucket: Any = None

    def connect(self) -> None:
        from couchbase.auth import PasswordAuthenticator
        from couchbase.cluster import Cluster
        from couchbase.diagnostics import ServiceType
        from couchbase.options import ClusterOptions, ClusterTimeoutOptions, WaitUntilReadyOptions

        cfg = self.cfg
        scheme = "couchbases" if cfg.tls else "couchbase"
        conn = f"{scheme}://{','.join(cfg.seed_nodes)}"
        auth = (
            PasswordAuthenticator(cfg.username, cfg.password, cert_path=cfg.trust_certificate)
            if cfg.trust_certificate
            else PasswordAuthenticator(cfg.username, cfg.password)
        )
        timeouts = ClusterTimeoutOptions(bootstrap_timeout=cfg.bootstrap_timeout, connect_timeout=cfg.bootstrap_timeout)
        cluster = Cluster(conn, ClusterOptions(auth, timeout_options=timeouts))
        bucket = cluster.bucket(cfg.bucket)
        # after opening the bucket: wait for its KV connections to every node (the sink's only service),
        # else the first writes can wait on a node still authenticating and time out
        cluster.wait_until_ready(cfg.bootstrap_timeout, WaitUntilReadyOptions(service_types=[ServiceType.KeyValue]))
        self.cluster = cluster
        self.bucket = bucket

    def collection(self, scope: str, name: str) -> KeyValueCollection:
        assert self.bucket is not None
        coll: KeyValueCollection = self.bucket.scope(scope).collection(name)
        return coll

    def close(self) -> None:
        if self.cluster is not None:
            try:
                self.cluster.close()
            except CouchbaseException as e:
                log.debug("Closing the Couchbase cluster: %s", e)
        self.cluster = self.bucket = None
