"""Resolving strategy class names: the Java connector's names first, then a Python ``module.Class`` path
for user-written strategies (which must subclass the matching base class)."""

from __future__ import annotations

import importlib
from typing import TypeVar

from genesis_worker.api import ConfigException

T = TypeVar("T")


def resolve(key: str, name: str, known: dict[str, type[T]], base: type[T]) -> type[T]:
    """The class configured under ``key``; a clear ConfigException when unknown."""
    cls = known.get(name)
    if cls is not None:
        return cls
    short = {k.rsplit(".", 1)[-1]: v for k, v in known.items()}
    module, _, attr = name.rpartition(".")
    if module and not name.startswith("com.mongodb."):
        try:
            found = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError):
            found = None
        if isinstance(found, type) and issubclass(found, base):
            return found
    hint = ""
    if name.rsplit(".", 1)[-1] in short:
        hint = f" Did you mean {next(k for k in known if k.endswith('.' + name.rsplit('.', 1)[-1]))}?"
    raise ConfigException(
        f"Invalid value {name} for configuration {key}: Class not found or not supported. Supported: "
        + ", ".join(sorted(known))
        + "."
        + hint
    )
