"""Two public Kafka Connect REST clients from PyPI, unmodified, against a live genesis worker:
``kafka-connect-py`` (1.0.0, module ``kafka_connect``) and ``kafkaconnect`` (1.3.1, lsst-sqre).
They are synchronous (requests), so each scenario runs in a thread."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from kafka_connect import KafkaConnect
from kafkaconnect.connect import Connect

from genesis_worker.rest.server import RestServer

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def wait_state(get_status: Any, state: str, tasks: int) -> dict[str, Any]:
    last: Any = None
    for _ in range(200):
        last = get_status()
        if last["connector"]["state"] == state and [t["state"] for t in last["tasks"]] == [state] * tasks:
            return last
        time.sleep(0.1)
    raise AssertionError(f"never reached {state}: {last}")


def kafka_connect_py_scenario(url: str, src: Path, topic: str) -> None:
    kc = KafkaConnect(url=url)
    info = kc.get_cluster_info()
    assert {"version", "commit", "kafka_cluster_id"} <= set(info)
    created = kc.create_connector(
        {"name": "kcp-src", "config": {"connector.class": "FileStreamSource", "file": str(src), "topic": topic}}
    )
    assert created["name"] == "kcp-src" and created["type"] == "source"
    wait_state(lambda: kc.get_connector_status("kcp-src"), "RUNNING", 1)
    assert kc.list_connectors() == ["kcp-src"]
    expanded = kc.list_connectors(expand="status", state="running")
    assert set(expanded) == {"kcp-src"}
    assert kc.get_connector("kcp-src")["tasks"] == [{"connector": "kcp-src", "task": 0}]
    assert kc.get_connector_config("kcp-src")["topic"] == topic
    updated = kc.update_connector(
        "kcp-src", {"connector.class": "FileStreamSource", "file": str(src), "topic": topic, "batch.size": "10"}
    )
    assert updated["config"]["batch.size"] == "10"
    assert kc.list_connector_tasks("kcp-src")[0]["id"]["task"] == 0
    assert kc.get_connector_task_status("kcp-src", 0)["id"] == 0
    kc.restart_connector("kcp-src")  # includeTasks=False&onlyFailed=False -> 204
    plan = kc.restart_connector("kcp-src", include_tasks=True)
    assert plan["connector"]["state"] == "RESTARTING"
    wait_state(lambda: kc.get_connector_status("kcp-src"), "RUNNING", 1)
    kc.restart_connector_task("kcp-src", 0)
    kc.pause_connector("kcp-src")
    wait_state(lambda: kc.get_connector_status("kcp-src"), "PAUSED", 1)
    kc.resume_connector("kcp-src")
    wait_state(lambda: kc.get_connector_status("kcp-src"), "RUNNING", 1)
    assert "kcp-src" in kc.list_connector_topics("kcp-src")
    kc.reset_connector_topics("kcp-src")
    plugins = kc.list_connector_plugins()
    assert any(p["class"] == "org.apache.kafka.connect.file.FileStreamSourceConnector" for p in plugins)
    result = kc.validate_connector_config("FileStreamSource", {"connector.class": "FileStreamSource", "name": "v"})
    assert result["name"].endswith("FileStreamSourceConnector") or result["name"] == "FileStreamSource"
    kc.stop_connector("kcp-src")
    wait_state(lambda: kc.get_connector_status("kcp-src"), "STOPPED", 0)
    kc.delete_connector("kcp-src")
    assert kc.list_connectors() == []


def kafkaconnect_scenario(url: str, src: Path, topic: str) -> None:
    c = Connect(connect_url=url)
    config = json.dumps(
        {"name": "lsst-src", "connector.class": "FileStreamSource", "file": str(src), "topic": topic, "tasks.max": "1"}
    )
    created = json.loads(c.validate_and_create("lsst-src", config))
    assert created["name"] == "lsst-src"
    wait_state(lambda: json.loads(c.status("lsst-src")), "RUNNING", 1)
    assert json.loads(c.list()) == ["lsst-src"]
    assert json.loads(c.info("lsst-src"))["type"] == "source"
    assert json.loads(c.config("lsst-src"))["file"] == str(src)
    assert json.loads(c.tasks("lsst-src"))[0]["id"] == {"connector": "lsst-src", "task": 0}
    assert "lsst-src" in json.loads(c.topics("lsst-src"))
    assert json.loads(c.plugins())
    assert c.restart("lsst-src") == ""
    assert c.pause("lsst-src") == ""
    wait_state(lambda: json.loads(c.status("lsst-src")), "PAUSED", 1)
    assert c.resume("lsst-src") == ""
    assert c.remove("lsst-src") == ""
    assert c.info("lsst-src") == f"Resource {url}/connectors/lsst-src not found."


@pytest.mark.parametrize("scenario", [kafka_connect_py_scenario, kafkaconnect_scenario])
async def test_public_client(
    scenario: Any, live_worker: RestServer, kafka: Any, topic_name: str, tmp_path: Path
) -> None:
    topic = kafka.create_topic(topic_name, partitions=1)
    src = tmp_path / "in.txt"
    src.write_text("a\nb\n")
    await asyncio.to_thread(scenario, live_worker.url.rstrip("/"), src, topic)
