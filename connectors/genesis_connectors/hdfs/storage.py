"""The WebHDFS calls of the HDFS sink, blocking (run them in an executor): write a temporary file, commit
it by one rename, find the last committed offset of a Kafka partition, remove leftover temporary files."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

import requests
from hdfs import HdfsError, InsecureClient

TMP_DIR = "+tmp"


class StorageError(Exception):
    """HDFS could not be reached or refused an operation; retry later."""


@dataclass(frozen=True)
class FileNames:
    """Where the files of one Kafka partition go (Confluent's layout)."""

    topics_dir: str
    topic: str
    partition: int
    extension: str
    zero_pad_width: int

    def committed(self, encoded_partition: str, start: int, end: int) -> str:
        w = self.zero_pad_width
        name = f"{self.topic}+{self.partition}+{start:0{w}d}+{end:0{w}d}{self.extension}"
        return posixpath.join(self.topics_dir, self.topic, encoded_partition, name)

    def temporary(self, encoded_partition: str, token: str) -> str:
        name = f"{self.topic}+{self.partition}+{token}_tmp{self.extension}"
        return posixpath.join(self.topics_dir, TMP_DIR, self.topic, encoded_partition, name)

    @property
    def topic_dir(self) -> str:
        return posixpath.join(self.topics_dir, self.topic)

    @property
    def tmp_topic_dir(self) -> str:
        return posixpath.join(self.topics_dir, TMP_DIR, self.topic)

    def committed_pattern(self) -> re.Pattern[str]:
        return re.compile(rf"^{re.escape(self.topic)}\+{self.partition}\+(\d+)\+(\d+)(\.[^/]*)?$")

    def tmp_prefix(self) -> str:
        return f"{self.topic}+{self.partition}+"


class HdfsStorage:
    """A WebHDFS client; every method may raise :class:`StorageError`."""

    def __init__(self, url: str, user: str, timeout_s: float) -> None:
        self.url = url
        self.client = InsecureClient(url, user=user, timeout=timeout_s)

    def _call(self, what: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return fn(*args, **kwargs)
        except (HdfsError, requests.RequestException, OSError) as e:
            raise StorageError(f"{what} failed on {self.url}: {e}") from e

    def write(self, path: str, data: bytes) -> None:
        """Create (or replace) ``path`` with ``data``; returns once the DataNode closed the file."""
        self._call(f"Writing {path}", self.client.write, path, data=data, overwrite=True)

    def commit(self, tmp_path: str, final_path: str) -> None:
        """Rename ``tmp_path`` to ``final_path``. Idempotent: a file already renamed (a retry after a lost
        answer) or already committed by an earlier run counts as committed."""
        self._call(f"Creating {posixpath.dirname(final_path)}", self.client.makedirs, posixpath.dirname(final_path))
        try:
            self.client.rename(tmp_path, final_path)
            return
        except (HdfsError, requests.RequestException, OSError) as e:
            error = e
        final = self._call(f"Reading the status of {final_path}", self.client.status, final_path, strict=False)
        if final is not None and final.get("type") == "FILE":
            tmp = self._call(f"Reading the status of {tmp_path}", self.client.status, tmp_path, strict=False)
            if tmp is not None:
                self._call(f"Deleting {tmp_path}", self.client.delete, tmp_path)
            return
        raise StorageError(f"Renaming {tmp_path} to {final_path} failed on {self.url}: {error}") from error

    def last_committed_offset(self, names: FileNames) -> int | None:
        """The highest end offset in the names of this partition's committed files, or None."""
        pattern = names.committed_pattern()
        best: int | None = None
        for _dir, _subdirs, files in self._walk(names.topic_dir):
            for f in files:
                m = pattern.match(f)
                if m is not None:
                    end = int(m.group(2))
                    best = end if best is None else max(best, end)
        return best

    def delete_temporary(self, names: FileNames) -> int:
        """Delete this partition's temporary files left by a task that stopped before committing them."""
        prefix = names.tmp_prefix()
        n = 0
        for directory, _subdirs, files in self._walk(names.tmp_topic_dir):
            for f in files:
                if f.startswith(prefix) and "_tmp" in f:
                    self._call(f"Deleting {f}", self.client.delete, posixpath.join(directory, f))
                    n += 1
        return n

    def _walk(self, path: str) -> list[tuple[str, list[str], list[str]]]:
        def walk() -> list[tuple[str, list[str], list[str]]]:
            if self.client.status(path, strict=False) is None:
                return []
            return list(self.client.walk(path))

        return self._call(f"Listing {path}", walk)
