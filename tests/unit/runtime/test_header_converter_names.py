"""header.converter may name a value converter (JsonConverter, StringConverter...), as Java allows."""

import pytest

from genesis_worker.api.errors import ConnectException
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.runtime.connector_config import ConverterConfig
from genesis_worker.runtime.worker import Worker

JSON = "org.apache.kafka.connect.json.JsonConverter"


def worker(tmp_path) -> Worker:
    props = {
        "bootstrap.servers": "127.0.0.1:1",
        "key.converter": JSON,
        "value.converter": JSON,
        "offset.storage.file.filename": str(tmp_path / "o"),
    }
    return Worker(WorkerConfig(props, "standalone"), PluginRegistry.discover(), None, None)  # type: ignore[arg-type]


def test_value_converters_serve_as_header_converters(tmp_path):
    w = worker(tmp_path)
    hc = w._converter(ConverterConfig("header", JSON, {"schemas.enable": "false"}, None))
    assert hc.to_connect_header("t", "k", b'{"a":1}').value == {"a": 1}
    sc = w._converter(ConverterConfig("header", "StringConverter", {}, None))
    assert sc.to_connect_header("t", "k", b"abc").value == "abc"
    default = w._converter(ConverterConfig("header", None, {}, None))
    assert type(default).__name__ == "SimpleHeaderConverter"


def test_unknown_header_converter_is_a_clear_error(tmp_path):
    with pytest.raises(ConnectException, match="implements HeaderConverter and which name matches Nope"):
        worker(tmp_path)._converter(ConverterConfig("header", "Nope", {}, None))
