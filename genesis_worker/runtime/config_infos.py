"""Assembly of the ``ConfigInfos`` validation result, as Java's ``AbstractHerder.generateResult`` and
``mergeConfigInfos`` (``connect-rest-api.md`` §7 step 8).

Example::

    infos = generate_result("FileStreamSink", definition.config_keys, values, definition.groups)
    infos = merge_config_infos("FileStreamSink", infos, converter_part, override_part)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from genesis_worker.api.config import ConfigKey, ConfigType, ConfigValue

JsonObj = dict[str, Any]

__all__ = ["config_key_info", "config_value_info", "generate_result", "merge_config_infos", "prefixed_result"]


def config_key_info(key: ConfigKey, prefix: str = "") -> JsonObj:
    info = key.to_info()
    if prefix:
        info["name"] = prefix + key.name
        info["dependents"] = [prefix + d for d in key.dependents]
    return info


def config_value_info(value: ConfigValue, type_: ConfigType | None) -> JsonObj:
    return value.to_info(type_)


def generate_result(
    connector_type: str,
    config_keys: Mapping[str, ConfigKey],
    config_values: Iterable[ConfigValue],
    groups: Iterable[str],
) -> JsonObj:
    """``generateResult``: undefined values first (definition null), then every definition in order;
    ``error_count`` = number of error messages."""
    error_count = 0
    configs: list[JsonObj] = []
    by_name: dict[str, ConfigValue] = {}
    for cv in config_values:
        by_name[cv.name] = cv
        if cv.name not in config_keys:
            configs.append({"definition": None, "value": config_value_info(cv, None)})
            error_count += len(cv.errors)
    for name, key in config_keys.items():
        if key.internal:
            continue
        value_info = None
        if name in by_name:
            cv = by_name[name]
            value_info = config_value_info(cv, key.type)
            error_count += len(cv.errors)
        configs.append({"definition": config_key_info(key), "value": value_info})
    return {
        "name": connector_type,
        "error_count": error_count,
        "groups": list(dict.fromkeys(groups)),
        "configs": configs,
    }


def prefixed_result(
    connector_type: str,
    prefix: str,
    config_keys: Mapping[str, ConfigKey],
    config_values: Iterable[ConfigValue],
) -> JsonObj:
    """A converter or client-override part: names get ``prefix``; ``error_count`` counts the values
    having at least one error (Java's ``validateConverterConfig`` / ``validateClientOverrides``)."""
    error_count = 0
    groups: list[str] = []
    configs: list[JsonObj] = []
    for cv in config_values:
        key = config_keys.get(cv.name)
        key_info = None
        if key is not None:
            if key.internal:
                continue
            if key.group is not None and key.group not in groups:
                groups.append(key.group)
            key_info = config_key_info(key, prefix)
        prefixed = ConfigValue(prefix + cv.name, cv.value, list(cv.recommended_values), list(cv.errors), cv.visible)
        if cv.errors:
            error_count += 1
        configs.append({"definition": key_info, "value": config_value_info(prefixed, key.type if key else None)})
    return {"name": connector_type, "error_count": error_count, "groups": groups, "configs": configs}


def merge_config_infos(connector_type: str, *parts: JsonObj | None) -> JsonObj:
    """``mergeConfigInfos``: sum of error counts, groups and configs concatenated (groups de-duplicated)."""
    error_count = 0
    groups: list[str] = []
    configs: list[JsonObj] = []
    for part in parts:
        if part is None:
            continue
        error_count += part["error_count"]
        for g in part["groups"]:
            if g not in groups:
                groups.append(g)
        configs.extend(part["configs"])
    return {"name": connector_type, "error_count": error_count, "groups": groups, "configs": configs}


def error_messages(infos: JsonObj) -> list[str]:
    """Every error message of a ConfigInfos, in order (for the 400 "Connector configuration is invalid")."""
    out: list[str] = []
    for c in infos["configs"]:
        value = c.get("value")
        if value:
            out.extend(value["errors"])
    return out


def invalid_config_message(infos: JsonObj) -> str:
    """Java's message for create/PUT/PATCH with validation errors."""
    messages = error_messages(infos)
    return (
        f"Connector configuration is invalid and contains the following {infos['error_count']} error(s):\n"
        + "".join(m + "\n" for m in messages)
        + "You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"
    )
