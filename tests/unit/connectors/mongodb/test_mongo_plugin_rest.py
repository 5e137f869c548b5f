"""The connectors as the REST layer sees them: found by their Java names, validated with Java's messages."""

from __future__ import annotations

from typing import Any

from genesis_worker.herder.common import plugin_config, validate_connector_config
from genesis_worker.plugins.registry import PluginRegistry

REGISTRY = PluginRegistry.discover()


def _errors(result: dict[str, Any]) -> dict[str, list[str]]:
    return {c["value"]["name"]: c["value"]["errors"] for c in result["configs"] if c["value"]["errors"]}


def test_found_by_java_class_names() -> None:
    sink = REGISTRY.find("com.mongodb.kafka.connect.MongoSinkConnector")
    source = REGISTRY.find("com.mongodb.kafka.connect.MongoSourceConnector")
    assert sink is not None and sink.to_info()["type"] == "sink"
    assert source is not None and source.to_info()["type"] == "source"
    names = {k["name"] for k in plugin_config(REGISTRY, "com.mongodb.kafka.connect.MongoSinkConnector")}
    assert {"connection.uri", "document.id.strategy", "writemodel.strategy", "database"} <= names


def test_sink_validation_through_the_herder_layer() -> None:
    result = validate_connector_config(
        REGISTRY,
        None,
        {
            "connector.class": "com.mongodb.kafka.connect.MongoSinkConnector",
            "name": "s",
            "topics": "clicks",
            "connection.uri": "mongodb://localhost:27017",
            "database": "ads",
            "timeseries.timefield": "ts",
        },
    )
    assert result["error_count"] == 1
    assert "time-series collections (timeseries.*) are not supported" in _errors(result)["timeseries.timefield"][0]


def test_source_validation_through_the_herder_layer() -> None:
    ok = validate_connector_config(
        REGISTRY,
        None,
        {
            "connector.class": "com.mongodb.kafka.connect.MongoSourceConnector",
            "name": "s",
            "connection.uri": "mongodb://localhost:27017",
            "database": "ads",
            "startup.mode": "copy_existing",
        },
    )
    assert ok["error_count"] == 0
    bad = validate_connector_config(
        REGISTRY,
        None,
        {"connector.class": "com.mongodb.kafka.connect.MongoSourceConnector", "name": "s", "startup.mode": "now"},
    )
    assert _errors(bad)["startup.mode"] == [
        "Invalid value now for configuration startup.mode: Invalid enumerator value. Should be one of: "
        "[latest, timestamp, copy_existing]"
    ]
