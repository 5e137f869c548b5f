"""Config providers over a real standalone worker: connectors see the resolved values, the REST API and
the stored task configs keep the placeholders, a provider that cannot read its file is a clear error."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.integration.rest.conftest import standalone_worker
from tests.integration.rest.test_rest_standalone import call, wait_state

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


@pytest.fixture
async def session(kafka: Any, tmp_path: Path) -> AsyncIterator[aiohttp.ClientSession]:
    providers = {
        "config.providers": "file,dir",
        "config.providers.file.class": "org.apache.kafka.common.config.provider.FileConfigProvider",
        "config.providers.dir.class": "org.apache.kafka.common.config.provider.DirectoryConfigProvider",
    }
    async with standalone_worker(kafka, tmp_path, **providers) as server:
        async with aiohttp.ClientSession(base_url=server.url) as s:
            yield s


async def test_placeholders_resolve_for_tasks_and_stay_placeholders_in_the_api(
    session: aiohttp.ClientSession, kafka: Any, topic_name: str, tmp_path: Path
) -> None:
    topic = kafka.create_topic(topic_name, partitions=1)
    src_name, sink_name = f"src-{topic_name[-10:]}", f"sink-{topic_name[-10:]}"  # own consumer groups
    src, out = tmp_path / "in.txt", tmp_path / "out.txt"
    src.write_text("a\nb\n")
    secrets = tmp_path / "secrets.properties"
    secrets.write_text(f"source.file={src}\n")
    secret_dir = tmp_path / "secret-dir"
    secret_dir.mkdir()
    (secret_dir / "sink_file").write_text(str(out))
    src_placeholder = f"${{file:{secrets}:source.file}}"
    sink_placeholder = f"${{dir:{secret_dir}:sink_file}}"

    status, body = await call(
        session,
        "PUT",
        f"connectors/{src_name}/config",
        json={"connector.class": "FileStreamSource", "file": src_placeholder, "topic": topic},
    )
    assert status == 201, body
    assert body["config"]["file"] == src_placeholder
    status, body = await call(
        session,
        "PUT",
        f"connectors/{sink_name}/config",
        json={"connector.class": "FileStreamSink", "file": sink_placeholder, "topics": topic},
    )
    assert status == 201, body
    await wait_state(session, src_name, "RUNNING", 1)
    await wait_state(session, sink_name, "RUNNING", 1)
    for _ in range(200):
        if out.exists() and out.read_text().splitlines() == ["a", "b"]:
            break
        await asyncio.sleep(0.1)
    assert out.read_text().splitlines() == ["a", "b"]  # the tasks read and wrote the resolved paths

    status, cfg = await call(session, "GET", f"connectors/{src_name}/config")
    assert status == 200 and cfg["file"] == src_placeholder
    status, tasks = await call(session, "GET", f"connectors/{sink_name}/tasks")
    assert status == 200 and tasks[0]["config"]["file"] == sink_placeholder  # the secret is not stored
    status, result = await call(
        session,
        "PUT",
        "connector-plugins/FileStreamSink/config/validate",
        json={"connector.class": "FileStreamSink", "name": "v", "topics": f"${{file:{secrets}:absent.key}}"},
    )
    assert status == 200
    topics = next(c["value"] for c in result["configs"] if c["value"]["name"] == "topics")
    assert topics["value"] == f"${{file:{secrets}:absent.key}}"  # an unknown key stays as written

    status, err = await call(
        session,
        "PUT",
        "connectors/broken/config",
        json={"connector.class": "FileStreamSink", "file": "${file:/nonexistent/s.properties:x}", "topics": topic},
    )
    assert status == 500
    assert err == {"error_code": 500, "message": "Could not read properties from file /nonexistent/s.properties"}
    status, _ = await call(session, "GET", "connectors/broken")
    assert status == 404  # nothing was created
