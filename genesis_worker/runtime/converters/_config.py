"""Keys every converter shares (``org.apache.kafka.connect.storage.ConverterConfig``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.validators import ValidString

TYPE_CONFIG = "converter.type"
TYPE_DOC = "How this converter will be used."


def converter_config_def() -> ConfigDef:
    """A fresh ConfigDef holding ``converter.type`` (required, ``key``/``value``/``header``)."""
    return ConfigDef().define(
        TYPE_CONFIG,
        ConfigType.STRING,
        validator=ValidString.in_("key", "value", "header"),
        importance=Importance.LOW,
        documentation=TYPE_DOC,
    )


def with_type(configs: Mapping[str, Any], is_key: bool) -> dict[str, Any]:
    """``configs`` plus ``converter.type`` as ``Converter.configure(configs, isKey)`` sets it."""
    out = dict(configs)
    out[TYPE_CONFIG] = "key" if is_key else "value"
    return out
