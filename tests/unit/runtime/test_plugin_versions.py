"""KIP-891 plugin version requirements: Maven range parsing, validation as Connect 4.4 answers it, and the
check that fails a connector or converter whose installed version does not match."""

from __future__ import annotations

import pytest

from genesis_connectors.file import FileStreamSinkConnector
from genesis_worker.api.errors import ConnectException
from genesis_worker.herder.common import validate_connector_config
from genesis_worker.herder.errors import BadRequestException
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.plugins.versions import InvalidVersionSpecification, Version, version_requirement
from genesis_worker.runtime.worker import _check_version


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    return PluginRegistry.discover()


@pytest.mark.parametrize(
    ("spec", "inside", "outside"),
    [
        ("1.2.0", ["1.2", "1.2.0"], ["1.2.1", "1.10"]),  # a plain version is a hard requirement
        ("[1.0,2.0)", ["1.0", "1.9.9", "1.10"], ["2.0", "0.9", "2.0.1"]),
        ("(,1.0],[1.2,)", ["0.1", "1.0", "1.2", "7"], ["1.1", "1.0.1"]),
        ("[1.0-rc1,1.0]", ["1.0-rc1", "1.0"], ["0.9", "1.0.1"]),
    ],
)
def test_ranges(spec: str, inside: list[str], outside: list[str]) -> None:
    req = version_requirement(spec)
    assert req is not None
    assert [v for v in inside if req.contains(v)] == inside
    assert [v for v in outside if req.contains(v)] == []


def test_no_requirement_and_maven_errors() -> None:
    assert version_requirement(None) is None and version_requirement("latest") is None
    assert Version("1.0-SNAPSHOT") < Version("1.0") == Version("1.0.0") < Version("1.10")
    for spec, message in [
        ("(1.0", "Unbounded range: (1.0"),
        ("(1.0)", "Single version must be surrounded by []: (1.0)"),
        ("[2.0,1.0]", "Range defies version ordering: [2.0,1.0]"),
        ("[1.0,2.0),[1.5,3.0)", "Ranges overlap: [1.0,2.0),[1.5,3.0)"),
        ("[1.0],2.0", "Only fully-qualified sets allowed in multiple set scenario: [1.0],2.0"),
    ]:
        with pytest.raises(InvalidVersionSpecification, match=None) as info:
            version_requirement(spec)
        assert str(info.value) == message


def _values(infos: dict) -> dict:
    return {c["value"]["name"]: c for c in infos["configs"] if c["value"] is not None}


def test_validation_shows_installed_versions_and_converter_defaults(registry: PluginRegistry) -> None:
    infos = validate_connector_config(registry, None, {"connector.class": "FileStreamSink", "name": "v", "topics": "t"})
    assert infos["error_count"] == 0
    by = _values(infos)
    version = registry.find("FileStreamSink").version  # type: ignore[union-attr]
    assert by["connector.plugin.version"]["value"] == {
        "name": "connector.plugin.version",
        "value": version,
        "recommended_values": [version],
        "errors": [],
        "visible": True,
    }
    assert by["connector.plugin.version"]["definition"]["default_value"] == version
    assert by["header.converter"]["value"]["value"] == "org.apache.kafka.connect.storage.SimpleHeaderConverter"
    assert "org.apache.kafka.connect.json.JsonConverter" in by["key.converter"]["value"]["recommended_values"]
    assert by["header.converter.plugin.version"]["value"]["recommended_values"] == [version]


def test_validation_of_a_version_that_is_not_installed(registry: PluginRegistry) -> None:
    props = {"connector.class": "FileStreamSink", "name": "v", "topics": "t", "connector.plugin.version": "[99.0,)"}
    infos = validate_connector_config(registry, None, props)
    version = registry.find("FileStreamSink").version  # type: ignore[union-attr]
    message = (
        "Plugin org.apache.kafka.connect.file.FileStreamSinkConnector not found that matches the version range "
        f"[99.0,), available versions: [{version}]"
    )
    by = _values(infos)
    assert infos["error_count"] == 2
    assert by["connector.class"]["value"]["errors"] == [message] == by["connector.plugin.version"]["value"]["errors"]
    assert "file" not in by and "topics" not in by  # only the generic connector keys, as Java
    assert by["value.converter.plugin.version"]["value"]["visible"] is False
    with pytest.raises(BadRequestException, match=r"Unbounded range: \(1\.0"):
        validate_connector_config(registry, None, {**props, "connector.plugin.version": "(1.0"})


def test_start_fails_when_the_installed_version_does_not_match() -> None:
    plugin = FileStreamSinkConnector()
    _check_version(plugin, None)
    _check_version(plugin, plugin.version())
    with pytest.raises(ConnectException, match="not found that matches the version range"):
        _check_version(plugin, "[99.0,)")
    with pytest.raises(ConnectException, match="Invalid plugin version requirement"):
        _check_version(plugin, "(1.0")
