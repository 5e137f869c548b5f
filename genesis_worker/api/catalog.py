"""A plugin described without importing it: what ``GET /connector-plugins`` lists and what names resolve to
it, so a worker can start without importing every connector module and its client library.

The worker imports the plugin's module only when a connector, converter or transform of that class is
created, validated or asked for its config. A package lists its plugins in a module that imports nothing
but this one (the built-in packages have ``catalog.py``); a pip-installed package can point an entry point
at such a tuple (``acme = acme_connect.catalog:PLUGINS`` in the group ``genesis_worker.connectors``).

Example::

    PLUGINS = (
        PluginEntry("acme_connect.sink", "AcmeSinkConnector", "sink", ("com.acme.AcmeSinkConnector",),
                    requires=("acme_client",), extra="acme-connect[client]"),
    )
"""

from __future__ import annotations

from dataclasses import dataclass

from genesis_worker.api.transform import PluginType


@dataclass(frozen=True)
class PluginEntry:
    """One plugin class: where it lives and what it answers to.

    ``java_class_names`` and ``version`` must be the class's own (``Plugin.java_class_names``,
    ``plugin_version``; None = the worker's version). ``requires`` lists the top-level modules of optional
    client libraries the plugin needs; when one is not installed the plugin is not listed and creating it
    fails with ``pip install '<extra>'`` (``extra`` is a requirement spec, ``genesis-worker[mongodb]``).
    """

    module: str
    qualname: str
    kind: PluginType
    java_class_names: tuple[str, ...] = ()
    version: str | None = None
    requires: tuple[str, ...] = ()
    extra: str | None = None

    @property
    def path(self) -> str:
        """The Python dotted path of the class."""
        return f"{self.module}.{self.qualname}"

    @property
    def class_name(self) -> str:
        """The name shown by the REST API (``Plugin.class_name``)."""
        return self.java_class_names[0] if self.java_class_names else self.path
