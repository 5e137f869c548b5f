"""FileStreamSourceTask.poll: lines, byte positions (Java's offsets), chunk boundaries, bounded buffering."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import genesis_connectors.file.source as source
from genesis_connectors.file.source import FileStreamSourceTask
from genesis_worker.api import SourceTaskContext
from genesis_worker.api.task import OffsetStorageReader


class Reader(OffsetStorageReader):
    def __init__(self, offset: dict[str, Any] | None) -> None:
        self._offset = offset

    async def offset(self, partition: Any) -> Any:
        return self._offset

    async def offsets(self, partitions: Any) -> Any:
        return {}


class Context(SourceTaskContext):
    def __init__(self, offset: dict[str, Any] | None = None) -> None:
        self._reader = Reader(offset)

    @property
    def offset_storage_reader(self) -> OffsetStorageReader:
        return self._reader


async def task_for(path: Path, offset: dict[str, Any] | None = None, batch: int = 2000) -> FileStreamSourceTask:
    t = FileStreamSourceTask()
    t.initialize(Context(offset))
    await t.start({"file": str(path), "topic": "lines", "batch.size": str(batch)})
    return t


async def drain(t: FileStreamSourceTask) -> list[tuple[str, int]]:
    """Poll (as the runtime does, also after empty polls) until the file is read and no full line is left."""
    out: list[tuple[str, int]] = []
    for _ in range(10_000):
        recs = await t.poll() or []
        out += [(r.value, r.source_offset["position"]) for r in recs]  # type: ignore[index]
        assert all(r.source_partition == {"filename": t.filename} for r in recs)
        assert t.stream is not None
        at_end = t.stream.tell() == os.fstat(t.stream.fileno()).st_size
        if at_end and b"\n" not in t.buffer:
            return out
    raise AssertionError("the task never reached the end of the file")


async def test_lines_and_positions_across_small_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "READ_CHUNK", 7)  # lines straddle every read
    f = tmp_path / "in.txt"
    f.write_bytes(b"alpha\r\nbeta\n\nga\xffmma\nunterminated")
    t = await task_for(f, batch=2)
    assert await drain(t) == [("alpha", 7), ("beta", 12), ("", 13), ("ga\ufffdmma", 20)]
    with f.open("ab") as out:
        out.write(b" tail\n")
    assert await drain(t) == [("unterminated tail", 38)]


async def test_a_line_longer_than_a_read_is_still_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "READ_CHUNK", 16)
    f = tmp_path / "in.txt"
    f.write_bytes(b"x" * 100 + b"\nshort\n")
    t = await task_for(f)
    assert await drain(t) == [("x" * 100, 101), ("short", 107)]


async def test_buffer_stays_bounded_and_resume_from_offset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "READ_CHUNK", 64)
    f = tmp_path / "in.txt"
    f.write_bytes(b"".join(b"line-%03d\n" % i for i in range(200)))
    t = await task_for(f, batch=3)
    first = await t.poll()
    assert [r.value for r in first or []] == ["line-000", "line-001", "line-002"]
    for _ in range(20):
        await t.poll()
        assert len(t.buffer) < 2 * 64  # reads wait while a chunk's worth is buffered
    resumed = await task_for(f, offset={"position": 9 * 150})
    assert (await drain(resumed))[0] == ("line-150", 9 * 151)
