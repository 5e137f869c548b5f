"""Standalone source offsets: a JSON file (``offset.storage.file.filename``), rewritten atomically.

The file maps the Base64 of each raw key (the Java bytes ``["connector",{partition}]``) to the Base64
of the raw value, so the exact bytes survive a restart. Writes go to a temporary file in the same
folder, are fsync'ed and renamed over the old file: a crash leaves either the old or the new file.
(Java's ``FileOffsetBackingStore`` uses Java serialisation; that format is not readable here, so a
takeover of a Java *standalone* worker re-reads sources from their start — use distributed mode or
``PATCH /connectors/{c}/offsets`` to carry offsets over.)
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
from collections.abc import Collection, Mapping
from pathlib import Path

import orjson

from genesis_worker.storage.base import OffsetBackingStore
from genesis_worker.storage.offset_keys import parse_offset_key

log = logging.getLogger(__name__)

__all__ = ["FileOffsetBackingStore", "MemoryOffsetBackingStore"]


class MemoryOffsetBackingStore(OffsetBackingStore):
    """Offsets in a dict (tests and the base of the file store)."""

    def __init__(self) -> None:
        self.data: dict[bytes, bytes] = {}

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def get(self, keys: Collection[bytes]) -> dict[bytes, bytes | None]:
        return {k: self.data[k] for k in keys if k in self.data}

    def _apply(self, values: Mapping[bytes, bytes | None]) -> None:
        for k, v in values.items():
            if v is None:
                self.data.pop(k, None)
            else:
                self.data[k] = v

    async def set(self, values: Mapping[bytes, bytes | None]) -> None:
        self._apply(values)

    async def connector_partitions(self, connector: str) -> list[bytes]:
        out = []
        for k in self.data:
            parsed = parse_offset_key(k)
            if parsed is not None and parsed[0] == connector:
                out.append(k)
        return out


class FileOffsetBackingStore(MemoryOffsetBackingStore):
    """Offsets persisted to one JSON file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.path = Path(path)
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        self.data = await asyncio.to_thread(self.load, self.path)

    @staticmethod
    def load(path: Path) -> dict[bytes, bytes]:
        if not path.exists():
            return {}
        raw = path.read_bytes()
        if not raw.strip():
            return {}
        parsed = orjson.loads(raw)
        if not isinstance(parsed, dict):
            raise ValueError(f"{path} is not a genesis-worker offsets file")
        return {base64.b64decode(k): base64.b64decode(v) for k, v in parsed.items()}

    def _write(self, snapshot: dict[bytes, bytes]) -> None:
        payload = orjson.dumps(
            {base64.b64encode(k).decode(): base64.b64encode(v).decode() for k, v in snapshot.items()},
            option=orjson.OPT_INDENT_2,
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        try:
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError:
            pass

    async def set(self, values: Mapping[bytes, bytes | None]) -> None:
        async with self._lock:
            self._apply(values)
            snapshot = dict(self.data)
            await asyncio.get_running_loop().run_in_executor(None, self._write, snapshot)
