"""The lean start: built-in plugins are known from their catalogues, imported on first use; a plugin whose
optional library is missing is named once at INFO with the extra to install, and creating it is a 400."""

import importlib
import logging
import os
import pkgutil
import subprocess
import sys

import pytest

from genesis_worker.api.catalog import PluginEntry
from genesis_worker.herder.common import validate_connector_config
from genesis_worker.plugins.registry import (
    BUILTIN_CATALOGS,
    PluginNotFoundException,
    PluginRegistry,
    is_concrete_plugin,
)


def _catalogued() -> dict[str, PluginEntry]:
    return {e.path: e for c in BUILTIN_CATALOGS for e in importlib.import_module(c).PLUGINS}


def test_catalogues_match_the_classes():
    """Every concrete plugin class of the built-in packages is catalogued with its own names and version."""
    entries = _catalogued()
    found = {}
    for package in ("genesis_connectors", "genesis_transforms", "genesis_worker.runtime.converters"):
        pkg = importlib.import_module(package)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=package + "."):
            mod = importlib.import_module(info.name)
            for obj in vars(mod).values():
                if is_concrete_plugin(obj) and obj.__module__ == mod.__name__:
                    found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    assert sorted(found) == sorted(entries)
    lazy = PluginRegistry.discover()
    for path, cls in found.items():
        entry = entries[path]
        assert entry.java_class_names == cls.java_class_names, path
        assert entry.class_name == cls.class_name(), path
        desc = lazy.find(path)
        assert desc is not None and desc.kind == entry.kind and desc.version == cls().version(), path
        assert desc.cls is cls


def test_start_imports_no_plugin_module_nor_client_library():
    """A fresh interpreter discovering the plugins imports neither the connector modules nor their libraries."""
    code = (
        "import sys\n"
        "from genesis_worker.plugins.registry import PluginRegistry\n"
        "reg = PluginRegistry.discover()\n"
        "assert len(reg.plugins(('sink', 'source'))) == 11, reg.plugins()\n"
        "heavy = ('pymongo', 'bson', 'cassandra', 'couchbase', 'hdfs', 'fastavro', 'pyarrow', 'redis', 'requests')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy\n"
        "      or m.startswith(('genesis_connectors.', 'genesis_transforms.')) and not m.endswith('.catalog')))\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "[]"


def test_a_catalogued_class_loads_on_first_use_and_keeps_its_aliases():
    reg = PluginRegistry.discover()
    desc = reg.find("CassandraSink")
    assert desc is not None and desc.class_name == "com.datastax.oss.kafka.sink.CassandraSinkConnector"
    assert reg.find("com.datastax.kafkaconnector.DseSinkConnector") is desc
    assert desc.cls.__name__ == "CassandraSinkConnector" and desc.loaded
    assert reg.find("genesis_connectors.cassandra.CassandraSinkConnector") is desc  # the package re-export


MISSING = PluginEntry(
    "acme_missing.sink",
    "AcmeMissingSinkConnector",
    "sink",
    ("com.acme.AcmeMissingSinkConnector",),
    requires=("genesis_no_such_library",),
    extra="genesis-worker[acme]",
)


def test_a_plugin_without_its_library_is_logged_once_at_info_and_not_listed(caplog):
    reg = PluginRegistry()
    with caplog.at_level(logging.DEBUG, logger="genesis_worker.plugins.registry"):
        reg.add_catalog([MISSING])
        reg.log_unavailable()
    records = [r for r in caplog.records if r.name == "genesis_worker.plugins.registry"]
    assert [r.levelname for r in records] == ["INFO"]
    assert "pip install 'genesis-worker[acme]'" in records[0].getMessage()
    assert reg.plugins() == [] and reg.find("AcmeMissingSink") is None


@pytest.mark.parametrize(
    "name", ["com.acme.AcmeMissingSinkConnector", "AcmeMissingSink", "acme_missing.sink.AcmeMissingSinkConnector"]
)
def test_creating_a_plugin_without_its_library_is_a_400_naming_the_extra(name):
    reg = PluginRegistry.discover()
    reg.add_catalog([MISSING])
    with pytest.raises(PluginNotFoundException) as e:  # REST maps it to 400
        validate_connector_config(reg, None, {"connector.class": name, "name": "x", "topics": "t"})
    assert str(e.value) == (
        "com.acme.AcmeMissingSinkConnector needs genesis_no_such_library, which is not installed: "
        "pip install 'genesis-worker[acme]'"
    )
