"""Connector config validation -> ConfigInfos (reference §7), with Java's messages."""

import pytest

from genesis_worker.api import ConfigDef, ConfigType, Importance, SinkRecord, Transformation
from genesis_worker.api.errors import ConnectException
from genesis_worker.herder.common import validate_connector_config
from genesis_worker.herder.errors import BadRequestException
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.runtime.config_infos import invalid_config_message
from genesis_worker.runtime.connector_config import parse_connector_config
from genesis_worker.runtime.transformation_chain import build_transformation_chain


class UpperValue(Transformation):
    def config(self) -> ConfigDef:
        return ConfigDef().define("suffix", ConfigType.STRING, "", None, Importance.LOW, "appended")

    def configure(self, configs):
        self.suffix = configs.get("suffix", "")

    def apply(self, record):
        return record.with_(value=str(record.value).upper() + self.suffix)


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    reg = PluginRegistry.discover()
    reg.add(UpperValue)
    return reg


def _by_name(infos):
    return {c["value"]["name"] if c["definition"] is None else c["definition"]["name"]: c for c in infos["configs"]}


def test_sink_without_topics_reports_both_keys(registry):
    infos = validate_connector_config(registry, None, {"connector.class": "FileStreamSink", "name": "s1"})
    assert infos["name"] == "FileStreamSink"
    assert infos["error_count"] == 2
    assert infos["groups"][:4] == ["Common", "Transforms", "Predicates", "Error Handling"]
    c = _by_name(infos)
    assert c["topics"]["value"]["errors"] == ["Must configure one of topics or topics.regex"]
    assert c["topics.regex"]["value"]["errors"] == ["Must configure one of topics or topics.regex"]
    name_def = c["name"]["definition"]
    assert (name_def["group"], name_def["order_in_group"], name_def["width"], name_def["required"]) == (
        "Common",
        1,
        "MEDIUM",
        True,
    )
    assert c["topics"]["definition"]["order_in_group"] == 4
    assert c["errors.deadletterqueue.topic.replication.factor"]["definition"]["default_value"] == "3"
    assert "file" in c  # the connector's own key is included


def test_invalid_values_name_the_key(registry):
    infos = validate_connector_config(
        registry,
        None,
        {
            "connector.class": "FileStreamSink",
            "name": "s1",
            "topics": "t",
            "tasks.max": "zero",
            "errors.tolerance": "some",
            "transforms": "u,u",
        },
    )
    c = _by_name(infos)
    assert c["tasks.max"]["value"]["errors"] == [
        "Invalid value zero for configuration tasks.max: Not a number of type INT"
    ]
    assert c["errors.tolerance"]["value"]["errors"] == [
        "Invalid value some for configuration errors.tolerance: String must be one of: none, all"
    ]
    assert any("Duplicate alias provided." in e for e in c["transforms"]["value"]["errors"])
    msg = invalid_config_message(infos)
    assert msg.startswith(
        f"Connector configuration is invalid and contains the following {infos['error_count']} error(s):\n"
    )
    assert msg.endswith(
        "You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"
    )


def test_missing_and_unknown_connector_class(registry):
    with pytest.raises(BadRequestException, match=r"^Connector config contains no connector type$"):  # 4.4 wording
        validate_connector_config(registry, None, {"name": "x"})
    with pytest.raises(ConnectException, match="which name matches NoSuchConnector"):
        validate_connector_config(registry, None, {"name": "x", "connector.class": "NoSuchConnector"})


def test_transform_enrichment_and_chain(registry):
    props = {
        "connector.class": "FileStreamSink",
        "name": "s1",
        "topics": "t",
        "transforms": "up,bad",
        "transforms.up.type": f"{UpperValue.__module__}.UpperValue",
        "transforms.up.suffix": "!",
        "transforms.bad.type": "com.example.Missing",
        "transforms.bad.negate": "true",
        "null.value": None,
    }
    infos = validate_connector_config(registry, None, props)
    c = _by_name(infos)
    assert c["transforms.up.suffix"]["definition"]["group"] == "Transforms: up"
    assert c["transforms.up.type"]["value"]["errors"] == []
    assert c["transforms.bad.type"]["value"]["errors"]
    assert c["null.value"]["definition"] is None
    assert c["null.value"]["value"]["errors"] == ["Null value can not be supplied as the configuration value."]
    assert "Transforms: up" in infos["groups"]

    good = {k: v for k, v in props.items() if "bad" not in k and v is not None} | {"transforms": "up"}
    config = parse_connector_config(registry, good, topic_creation_enabled=True)
    assert [(t.alias, dict(t.plugin.configs)) for t in config.transforms] == [("up", {"suffix": "!"})]
    chain = build_transformation_chain(registry, config.transforms, config.predicates)
    rec = SinkRecord("t", 0, None, None, None, "abc", 5)
    assert chain.apply(rec).value == "ABC!"


def test_client_override_policy(registry):
    from genesis_worker.config.worker_config import WorkerConfig

    wc = WorkerConfig(
        {
            "key.converter": "a",
            "value.converter": "b",
            "offset.storage.file.filename": "/tmp/x",
            "connector.client.config.override.policy": "Principal",
        }
    )
    infos = validate_connector_config(
        registry,
        wc,
        {
            "connector.class": "FileStreamSink",
            "name": "s1",
            "topics": "t",
            "consumer.override.max.poll.records": "5",
            "consumer.override.security.protocol": "SSL",
        },
    )
    c = _by_name(infos)
    assert c["consumer.override.max.poll.records"]["value"]["errors"] == [
        "The 'Principal' policy does not allow 'max.poll.records' to be overridden in the connector configuration."
    ]
    assert c["consumer.override.security.protocol"]["value"]["errors"] == []
    assert infos["error_count"] == 1
