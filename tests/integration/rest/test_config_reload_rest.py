"""KIP-421 config reloads over a real standalone worker: a FileStreamSource reads the file a config
provider names, and the provider names a new file (with its own line) at each call, valid 1.5 s. With the
default ``config.action.reload=restart`` the connector restarts when the value expires and its task reads
the new file; with ``none`` it keeps the first one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from confluent_kafka import Consumer

from genesis_worker.api.config_provider import ConfigData, ConfigProvider
from tests.integration.rest.conftest import standalone_worker
from tests.integration.rest.test_rest_standalone import call, wait_state

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

TTL_MS = 1500


class ChangingFileProvider(ConfigProvider):
    """``${reload:<dir>:file}``: a new file ``<dir>/in-<n>.txt`` holding the line ``value-<n>`` at each call."""

    def configure(self, configs: Mapping[str, str]) -> None:
        self.calls = 0

    def get(self, path: str | None, keys: Iterable[str] | None = None) -> ConfigData:
        self.calls += 1
        f = Path(str(path)) / f"in-{self.calls}.txt"
        f.parent.mkdir(exist_ok=True)
        f.write_text(f"value-{self.calls}\n")
        return ConfigData({k: str(f) for k in keys or ()}, ttl=TTL_MS)


@pytest.fixture
async def session(kafka: Any, tmp_path: Path) -> AsyncIterator[aiohttp.ClientSession]:
    providers = {
        "config.providers": "reload",
        "config.providers.reload.class": f"{__name__}.ChangingFileProvider",
    }
    async with standalone_worker(kafka, tmp_path, **providers) as server:
        async with aiohttp.ClientSession(base_url=server.url) as s:
            yield s


def _read_values(bootstrap: str, topic: str, wanted: int, seconds: float) -> list[str]:
    """The record values of ``topic`` once ``wanted`` distinct ones arrived, or after ``seconds``."""
    c = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"reader-{time.time_ns()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    c.subscribe([topic])
    values: list[str] = []
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline and len(set(values)) < wanted:
            for m in c.consume(100, 0.5):
                if m.error() is None:
                    values.append(m.value().decode())
    finally:
        c.close()
    return values


async def _create(session: aiohttp.ClientSession, name: str, topic: str, folder: Path, **extra: str) -> None:
    config = {"connector.class": "FileStreamSource", "file": f"${{reload:{folder}:file}}", "topic": topic, **extra}
    status, body = await call(session, "PUT", f"connectors/{name}/config", json=config)
    assert status == 201, body
    await wait_state(session, name, "RUNNING", 1)


async def test_an_expired_value_restarts_the_connector_and_its_task_reads_the_new_one(
    session: aiohttp.ClientSession, kafka: Any, topic_name: str, tmp_path: Path
) -> None:
    kafka.create_topic(topic_name, partitions=1)
    name = f"reload-{topic_name[-10:]}"
    await _create(session, name, topic_name, tmp_path / "values")
    values = await asyncio.to_thread(_read_values, kafka.bootstrap, topic_name, 3, 30)
    assert len(set(values)) >= 3, values  # the task read a new file after each 1.5 s expiry
    assert all(v.startswith("value-") for v in values)
    await wait_state(session, name, "RUNNING", 1)
    status, tasks = await call(session, "GET", f"connectors/{name}/tasks")
    assert status == 200 and tasks[0]["config"]["file"].startswith("${reload:")  # placeholders stored


async def test_reload_action_none_keeps_the_first_value(
    session: aiohttp.ClientSession, kafka: Any, topic_name: str, tmp_path: Path
) -> None:
    kafka.create_topic(topic_name, partitions=1)
    name = f"keep-{topic_name[-10:]}"
    await _create(session, name, topic_name, tmp_path / "values", **{"config.action.reload": "none"})
    values = await asyncio.to_thread(_read_values, kafka.bootstrap, topic_name, 2, 3 * TTL_MS / 1000 + 2)
    assert len(values) == 1, values  # one line of one file: no restart read another
