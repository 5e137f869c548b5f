"""StandaloneHerder error contract (no broker needed: nothing is started)."""

import pytest

from genesis_worker.api.errors import NotFoundException
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.errors import BadRequestException, ConnectRestException
from genesis_worker.herder.standalone import StandaloneHerder
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import RestartRequest


@pytest.fixture
def herder(tmp_path):
    return StandaloneHerder(
        WorkerConfig(
            {
                "bootstrap.servers": "127.0.0.1:1",
                "key.converter": "org.apache.kafka.connect.storage.StringConverter",
                "value.converter": "org.apache.kafka.connect.storage.StringConverter",
                "offset.storage.file.filename": str(tmp_path / "o"),
                "topic.tracking.enable": "false",
            }
        )
    )


async def test_not_found_messages(herder):
    with pytest.raises(NotFoundException, match=r"^Connector x not found$"):
        await herder.connector_info("x")
    with pytest.raises(NotFoundException, match=r"^No status found for connector x$"):
        await herder.connector_status("x")
    with pytest.raises(NotFoundException, match=r"^No status found for task x-0$"):
        await herder.task_status(ConnectorTaskId("x", 0))
    with pytest.raises(NotFoundException, match=r"^Unknown connector: x$"):
        await herder.restart_connector(RestartRequest("x"))
    with pytest.raises(NotFoundException, match=r"^Unknown connector x$"):
        await herder.pause_connector("x")
    with pytest.raises(NotFoundException, match=r"^Connector x not found$"):
        await herder.delete_connector("x")
    with pytest.raises(NotFoundException, match=r"^Unknown plugin Nope\.$"):
        herder.connector_plugin_config("Nope")
    with pytest.raises(ConnectRestException, match=r"Topic tracking is disabled\."):
        await herder.active_topics("x")


async def test_invalid_configs_are_rejected_before_anything_runs(herder):
    with pytest.raises(BadRequestException, match="contains no connector type"):
        await herder.put_connector_config("c", {"topics": "t"}, allow_replace=False)
    with pytest.raises(BadRequestException) as ei:
        await herder.put_connector_config(
            "c", {"connector.class": "FileStreamSink", "tasks.max": "-1"}, allow_replace=False
        )
    msg = str(ei.value)
    assert "Invalid value -1 for configuration tasks.max: Value must be at least 1" in msg
    assert "Must configure one of topics or topics.regex" in msg
    assert await herder.connectors() == []
    with pytest.raises(BadRequestException, match="Partitions / offsets need to be provided"):
        await herder.alter_connector_offsets("c", [])
    assert herder.connector_plugin_config("FileStreamSource")[0]["name"] == "file"
    assert herder.health()[0] == 503
