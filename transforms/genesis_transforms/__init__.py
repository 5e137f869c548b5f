"""Single message transforms and predicates: Apache Kafka 4.4's set, under the same class names and keys.

Each ``…$Key``/``…$Value`` Java class is a ``…Key``/``…Value`` Python class (``Cast$Value`` is
:class:`genesis_transforms.cast.CastValue`); the plugin registry finds them by their ``java_class_names``.
Schemaless records carry dicts, records with a schema carry :class:`~genesis_worker.api.data.Struct`.
"""

import importlib
from typing import Any

from genesis_transforms.catalog import PLUGINS

_MODULES = {entry.qualname: entry.module for entry in PLUGINS}
__all__ = sorted(_MODULES)


def __getattr__(name: str) -> Any:
    """The transform classes, each imported with its module on first use (a worker imports only those its
    connectors name)."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
