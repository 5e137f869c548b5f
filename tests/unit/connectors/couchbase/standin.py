"""``StandInCollection``: a STAND-IN for a Couchbase collection, kept only for what gocaves (Couchbase's mock
cluster, which the sink's integration tests run against) cannot show: the options each key-value call
carries. gocaves accepts a write's durability frame but ignores it (nothing tells which level it got),
and it answers "InvalidArgument" to a sub-document mutation with an expiry but without document flags
(``couchbase.create.document=false``), which Couchbase Server accepts. The stand-in stores nothing: it
records each call (operation, document ID, options) and answers with success."""

from __future__ import annotations

from typing import Any


class StandInCollection:
    """Records the sink's calls for one scope.collection."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []  # (operation, id, options)

    def _call(self, op: str, key: str, opts: tuple[Any, ...]) -> None:
        self.calls.append((op, key, dict(opts[0]) if opts else {}))

    def upsert(self, key: str, value: Any, *opts: Any, **kwargs: Any) -> None:
        self._call("upsert", key, opts)

    def insert(self, key: str, value: Any, *opts: Any, **kwargs: Any) -> None:
        self._call("insert", key, opts)

    def replace(self, key: str, value: Any, *opts: Any, **kwargs: Any) -> None:
        self._call("replace", key, opts)

    def remove(self, key: str, *opts: Any, **kwargs: Any) -> None:
        self._call("remove", key, opts)

    def mutate_in(self, key: str, spec: Any, *opts: Any, **kwargs: Any) -> None:
        self._call("mutate_in", key, opts)
