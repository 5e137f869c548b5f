"""``hdfs_server``: a real HDFS (Hadoop 3.4 MiniDFSCluster, WebHDFS on) for the HDFS sink's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.hdfs import HdfsServer


@pytest.fixture(scope="session")
def hdfs_server() -> Iterator[HdfsServer]:
    """MiniDFSCluster (``.url`` = WebHDFS base URL); ``stop``/``start`` keep the data."""
    server = HdfsServer()
    try:
        server.start()
        yield server
    finally:
        server.close()
