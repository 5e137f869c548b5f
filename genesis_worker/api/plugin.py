"""What every plugin (connector, converter, transform, predicate) shares: a version, a ConfigDef and
the Java class names it answers to, so that existing Connect configs resolve to the Python class."""

from __future__ import annotations

from typing import ClassVar

from genesis_worker.api.config import ConfigDef


class Plugin:
    """Base of all plugins.

    ``java_class_names`` lists the fully-qualified Java names this class stands in for (for example
    ``("org.apache.kafka.connect.file.FileStreamSinkConnector",)``); the first is the name shown by
    ``GET /connector-plugins``. Without one, the Python dotted path is the plugin's class name.
    """

    java_class_names: ClassVar[tuple[str, ...]] = ()
    plugin_version: ClassVar[str | None] = None

    def version(self) -> str:
        """The plugin's version, shown by the REST API; defaults to the worker's version."""
        if self.plugin_version is not None:
            return self.plugin_version
        from genesis_worker import __version__

        return __version__

    def config(self) -> ConfigDef:
        """The plugin's configuration keys."""
        return ConfigDef()

    @classmethod
    def class_name(cls) -> str:
        """The name users write in configs and the REST API shows."""
        if cls.java_class_names:
            return cls.java_class_names[0]
        return f"{cls.__module__}.{cls.__qualname__}"
