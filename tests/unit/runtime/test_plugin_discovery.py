"""Plugin discovery as the runtime uses it: plugin.path folders, entry points, dotted paths, Java names."""

import sys
import textwrap

import pytest

from genesis_worker.api.errors import ConnectException
from genesis_worker.plugins.registry import PluginRegistry

CONNECTOR_SRC = textwrap.dedent(
    """
    from genesis_worker.api import SinkConnector, SinkTask

    class {name}Task(SinkTask):
        async def put(self, records):
            pass

    class {name}Connector(SinkConnector):
        java_class_names = ("com.example.{name}Connector",)

        def task_class(self):
            return {name}Task

        def task_configs(self, max_tasks):
            return [{{}}]
    """
)


@pytest.fixture
def clean_path():
    before = list(sys.path)
    mods = set(sys.modules)
    yield
    sys.path[:] = before
    for m in set(sys.modules) - mods:
        sys.modules.pop(m, None)


def test_plugin_path_folder_with_package(tmp_path, clean_path):
    pkg = tmp_path / "plugins" / "acme_plugins"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sinks.py").write_text(CONNECTOR_SRC.format(name="AcmeFolder"))
    (pkg / "broken.py").write_text("import does_not_exist_anywhere\n")
    reg = PluginRegistry.discover([str(tmp_path / "plugins")])
    desc = reg.find("com.example.AcmeFolderConnector")
    assert desc is not None and desc.kind == "sink"
    assert reg.find("AcmeFolder") is desc  # alias without the type suffix
    assert reg.find("acme_plugins.sinks.AcmeFolderConnector") is desc


def test_entry_point_package(tmp_path, clean_path):
    site = tmp_path / "site"
    (site / "acme_ep").mkdir(parents=True)
    (site / "acme_ep" / "__init__.py").write_text(CONNECTOR_SRC.format(name="AcmeEp"))
    dist = site / "acme_ep-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-ep\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[genesis_worker.connectors]\nacme = acme_ep\n")
    sys.path.insert(0, str(site))
    reg = PluginRegistry.discover(builtins=False)
    assert reg.find("com.example.AcmeEpConnector") is not None


def test_dotted_path_on_demand_and_unknown_names(tmp_path, clean_path):
    (tmp_path / "acme_dotted.py").write_text(CONNECTOR_SRC.format(name="AcmeDotted"))
    sys.path.insert(0, str(tmp_path))
    reg = PluginRegistry.discover(builtins=False)
    assert reg.find("acme_dotted.AcmeDottedConnector") is not None
    with pytest.raises(
        ConnectException, match="Failed to find any class that implements Connector and which name matches nope"
    ):
        reg.resolve("nope", ("sink", "source"))


def test_builtin_file_connectors_answer_to_java_names():
    reg = PluginRegistry.discover()
    assert reg.find("org.apache.kafka.connect.file.FileStreamSinkConnector").kind == "sink"
    assert reg.find("FileStreamSource").kind == "source"
    assert reg.find("org.apache.kafka.connect.converters.ByteArrayConverter").kind == "converter"


def test_dotted_paths_from_before_the_package_rename_still_resolve(clean_path):
    """Configs stored with ``connectors.*`` / ``transforms.*`` paths keep working after the rename."""
    from genesis_connectors.kafka.sink import KafkaSinkConnector
    from genesis_transforms.cast import CastValue
    from genesis_transforms.predicates import TopicNameMatches

    reg = PluginRegistry.discover()
    for old, cls in (
        ("connectors.kafka.sink.KafkaSinkConnector", KafkaSinkConnector),
        ("connectors.kafka.KafkaSinkConnector", KafkaSinkConnector),  # the package's re-export
        ("transforms.cast.CastValue", CastValue),
        ("transforms.predicates.TopicNameMatches", TopicNameMatches),
    ):
        desc = reg.find(old)
        assert desc is not None and desc.cls is cls, old
    assert reg.resolve("connectors.kafka.sink.KafkaSinkConnector", ("sink",)).cls is KafkaSinkConnector
    assert reg.find("connectors.kafka.sink.Missing") is None
    assert reg.find("transforms.cast.CastValue").class_name == "org.apache.kafka.connect.transforms.Cast$Value"


def test_a_user_package_named_connectors_still_loads(tmp_path, clean_path):
    pkg = tmp_path / "connectors"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "acme_legacy.py").write_text(CONNECTOR_SRC.format(name="AcmeLegacy"))
    sys.path.insert(0, str(tmp_path))
    reg = PluginRegistry.discover(builtins=False)
    assert reg.find("connectors.acme_legacy.AcmeLegacyConnector") is not None
