"""``startup.mode=copy_existing``: every existing document as an insert event (``MongoCopyDataManager``).

Namespaces are copied one after another with an aggregation that reshapes each document into a
change-stream insert event (``_id`` = ``{"_id": <document _id>, "copyingData": true}``), followed by the
``pipeline`` setting so the copy is filtered the same way as the stream.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.command_cursor import AsyncCommandCursor

from genesis_connectors.mongodb.source.config import MongoSourceConfig

log = logging.getLogger(__name__)

_SYSTEM_DATABASES = ("admin", "config", "local")


def copy_pipeline(config: MongoSourceConfig, db: str, coll: str) -> list[dict[str, Any]]:
    assert config.startup.copy is not None
    return [
        *config.startup.copy.pipeline,
        {
            "$replaceRoot": {
                "newRoot": {
                    "_id": {"_id": "$_id", "copyingData": True},
                    "operationType": "insert",
                    "ns": {"db": db, "coll": coll},
                    "documentKey": {"_id": "$_id"},
                    "fullDocument": "$$ROOT",
                }
            }
        },
        *config.pipeline,
    ]


class CopyExisting:
    """Yields copy events namespace by namespace; :meth:`next_batch` returns [] once everything is copied."""

    def __init__(self, config: MongoSourceConfig, client: AsyncMongoClient[dict[str, Any]]) -> None:
        self.config = config
        self.client = client
        self._namespaces: list[tuple[str, str]] | None = None
        self._cursor: AsyncCommandCursor[dict[str, Any]] | None = None
        self.done = False

    async def namespaces(self) -> list[tuple[str, str]]:
        cfg = self.config
        if cfg.collection:
            found = [(cfg.database, cfg.collection)]
        else:
            dbs = (
                [cfg.database]
                if cfg.database
                else [d for d in await self.client.list_database_names() if d not in _SYSTEM_DATABASES]
            )
            found = []
            for db in dbs:
                infos = await (await self.client[db].list_collections()).to_list()
                found.extend(
                    (db, i["name"])
                    for i in infos
                    if i.get("type", "collection") == "collection" and not i["name"].startswith("system.")
                )
        assert cfg.startup.copy is not None
        regex = cfg.startup.copy.namespace_regex
        if regex:
            pattern = re.compile(regex)
            found = [(db, coll) for db, coll in found if pattern.fullmatch(f"{db}.{coll}")]
        return sorted(found)

    async def next_batch(self, limit: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if self._namespaces is None:
            self._namespaces = await self.namespaces()
            log.info("Copying existing data from %d namespace(s)", len(self._namespaces))
        while len(out) < limit:
            if self._cursor is None:
                if not self._namespaces:
                    self.done = True
                    break
                db, coll = self._namespaces.pop(0)
                assert self.config.startup.copy is not None
                self._cursor = await self.client[db][coll].aggregate(
                    copy_pipeline(self.config, db, coll),
                    allowDiskUse=self.config.startup.copy.allow_disk_use,
                    batchSize=min(limit, self.config.startup.copy.queue_size),
                )
            batch = await self._cursor.to_list(limit - len(out))
            if not batch:
                await self._cursor.close()
                self._cursor = None
                continue
            out.extend(batch)
        return out

    async def close(self) -> None:
        if self._cursor is not None:
            await self._cursor.close()
            self._cursor = None
