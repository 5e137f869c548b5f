"""``StandInCollection`` / ``StandInBucket``: a STAND-IN for a Couchbase collection (no Couchbase Server can
be installed here). It keeps documents in a dict and answers the sink's key-value calls with the SDK's own
exception classes (DocumentExists/DocumentNotFound/PathMismatch, timeouts while ``down``), and records the
options (expiry, durability) each call got. It is not Couchbase: no vBuckets, CAS, replication or real
durability; it only checks what the sink asks for."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from couchbase.exceptions import (
    AmbiguousTimeoutException,
    DocumentExistsException,
    DocumentNotFoundException,
    PathMismatchException,
    PathNotFoundException,
    UnAmbiguousTimeoutException,
)
from couchbase.subdocument import ArrayValues, StoreSemantics, SubDocOp

from genesis_connectors.couchbase.config import CouchbaseSinkConfig


class StandInCollection:
    """Documents by ID, for one scope.collection."""

    def __init__(self) -> None:
        self.docs: dict[str, Any] = {}
        self.calls: list[tuple[str, str, dict[str, Any]]] = []  # (operation, id, options)
        self.down = False  # every call times out (UnAmbiguousTimeoutException)
        self.ambiguous_after_write: set[str] = set()  # ids whose next write lands but times out ambiguously
        self.lock = threading.Lock()

    def _call(self, op: str, key: str, opts: tuple[Any, ...], apply: Callable[[], None]) -> None:
        with self.lock:
            self.calls.append((op, key, dict(opts[0]) if opts else {}))
            if self.down:
                raise UnAmbiguousTimeoutException(message=f"{op} {key}: stand-in is down")
            apply()
            if key in self.ambiguous_after_write:
                self.ambiguous_after_write.discard(key)
                raise AmbiguousTimeoutException(message=f"{op} {key}: outcome unknown")

    def upsert(self, key: str, value: Any, *opts: Any, **kwargs: Any) -> None:
        self._call("upsert", key, opts, lambda: self.docs.__setitem__(key, value))

    def insert(self, key: str, value: Any, *opts: Any, **kwargs: Any) -> None:
        def apply() -> None:
            if key in self.docs:
                raise DocumentExistsException(message=f"document {key} exists")
            self.docs[key] = value

        self._call("insert", key, opts, apply)

    def replace(self, key: str, value: Any, *opts: Any, **kwargs: Any) -> None:
        def apply() -> None:
            if key not in self.docs:
                raise DocumentNotFoundException(message=f"document {key} not found")
            self.docs[key] = value

        self._call("replace", key, opts, apply)

    def remove(self, key: str, *opts: Any, **kwargs: Any) -> None:
        def apply() -> None:
            if key not in self.docs:
                raise DocumentNotFoundException(message=f"document {key} not found")
            del self.docs[key]

        self._call("remove", key, opts, apply)

    def mutate_in(self, key: str, spec: Any, *opts: Any, **kwargs: Any) -> None:
        options = dict(opts[0]) if opts else {}

        def apply() -> None:
            if key not in self.docs:
                if options.get("store_semantics") != StoreSemantics.UPSERT:
                    raise DocumentNotFoundException(message=f"document {key} not found")
                self.docs[key] = {}
            doc = self.docs[key]
            for op, path, create_parents, _xattr, _macros, value in spec:
                *parents, last = path.split(".")
                node = doc
                for p in parents:
                    if p not in node:
                        if not create_parents:
                            raise PathNotFoundException(message=path)
                        node[p] = {}
                    node = node[p]
                    if not isinstance(node, dict):
                        raise PathMismatchException(message=path)
                if op == SubDocOp.DICT_UPSERT:
                    node[last] = value
                else:
                    arr = node.setdefault(last, [])
                    if not isinstance(arr, list):
                        raise PathMismatchException(message=path)
                    values = list(value) if isinstance(value, ArrayValues) else [value]
                    if op == SubDocOp.ARRAY_PUSH_FIRST:
                        arr[:0] = values
                    else:
                        arr.extend(values)

        self._call("mutate_in", key, opts, apply)


class StandInBucket:
    """Hands out StandInCollections by scope.collection (``collections`` is shared by every bucket made
    by one :meth:`factory`, so a test sees what a task wrote)."""

    def __init__(self, collections: dict[tuple[str, str], StandInCollection], cfg: CouchbaseSinkConfig) -> None:
        self.collections = collections
        self.cfg = cfg
        self.connected = False

    @classmethod
    def factory(
        cls, collections: dict[tuple[str, str], StandInCollection]
    ) -> Callable[[CouchbaseSinkConfig], StandInBucket]:
        return lambda cfg: cls(collections, cfg)

    def connect(self) -> None:
        self.connected = True

    def collection(self, scope: str, name: str) -> StandInCollection:
        return self.collections.setdefault((scope, name), StandInCollection())

    def close(self) -> None:
        self.connected = False
