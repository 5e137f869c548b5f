"""Config helpers shared by the MongoDB sink and source: validators with the Java connector's messages,
the ``connection.uri`` key, and the error-tolerance keys the connector reads next to the framework's."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from genesis_worker.api import ConfigException
from genesis_worker.api.config import Password
from genesis_worker.api.validators import LambdaValidator

CLASS_NAME_PATTERN = (
    r"(\p{javaJavaIdentifierStart}\p{javaJavaIdentifierPart}*\.)*\p{javaJavaIdentifierStart}\p{javaJavaIdentifierPart}*"
)
_FQCN = re.compile(r"(?:[A-Za-z_$][\w$]*\.)*[A-Za-z_$][\w$]*")

CONNECTION_URI_CONFIG = "connection.uri"
CONNECTION_URI_DEFAULT = "mongodb://localhost:27017,localhost:27018,localhost:27019"
CONNECTION_URI_DOC = "The connection URI as supported by the official drivers. eg: ``mongodb://user@pass@locahost/``."

ERRORS_TOLERANCE_CONFIG = "errors.tolerance"
OVERRIDE_ERRORS_TOLERANCE_CONFIG = "mongo.errors.tolerance"
ERRORS_LOG_ENABLE_CONFIG = "errors.log.enable"
OVERRIDE_ERRORS_LOG_ENABLE_CONFIG = "mongo.errors.log.enable"


def _class_name(name: str, value: Any) -> None:
    if value is None or not _FQCN.fullmatch(str(value)):
        raise ConfigException(f"Invalid value {value} for configuration {name}: Does not match: {CLASS_NAME_PATTERN}")


CLASS_NAME = LambdaValidator(_class_name, "A fully qualified class name")


def _empty_or_class_name(name: str, value: Any) -> None:
    if value not in (None, ""):
        _class_name(name, value)


EMPTY_OR_CLASS_NAME = LambdaValidator(_empty_or_class_name, "An empty string or a fully qualified class name")


def _class_names(name: str, value: Any) -> None:
    for v in value or []:
        _class_name(name, v)


CLASS_NAMES = LambdaValidator(_class_names, "A list of fully qualified class names")


def enum_validator(values: tuple[str, ...], *, allow_empty: bool = False) -> LambdaValidator:
    """``Validators.EnumValidatorAndRecommender``: case-insensitive, message lists the lowercase values."""
    upper = {v.upper() for v in values}

    def check(name: str, value: Any) -> None:
        if allow_empty and value in (None, ""):
            return
        if value is None or str(value).upper() not in upper:
            raise ConfigException(
                f"Invalid value {value} for configuration {name}: Invalid enumerator value. "
                f"Should be one of: [{', '.join(v.lower() for v in values)}]"
            )

    return LambdaValidator(check, "[" + ", ".join(v.lower() for v in values) + "]")


def json_array(name: str, value: Any) -> list[Any] | None:
    """Parse an inline JSON array config (``ConfigHelper.jsonArrayFromString``); empty -> None."""
    if value is None or str(value).strip() == "":
        return None
    try:
        from bson import json_util

        parsed = json_util.loads(str(value))
    except Exception as e:
        raise ConfigException(f"Invalid value {value} for configuration {name}: {e}") from None
    if not isinstance(parsed, list):
        raise ConfigException(f"Invalid value {value} for configuration {name}: Not a valid JSON array")
    return parsed


def _json_array_validator(name: str, value: Any) -> None:
    json_array(name, value)


JSON_ARRAY = LambdaValidator(_json_array_validator, "A valid JSON array")


def _json_object_validator(name: str, value: Any) -> None:
    if value in (None, ""):
        return
    try:
        parsed = json.loads(str(value))
    except ValueError as e:
        raise ConfigException(f"Invalid value {value} for configuration {name}: {e}") from None
    if not isinstance(parsed, dict):
        raise ConfigException(f"Invalid value {value} for configuration {name}: Not a valid JSON object")


JSON_OBJECT = LambdaValidator(_json_object_validator, "A valid JSON object")


def _uri_validator(name: str, value: Any) -> None:
    uri = str(value.value if isinstance(value, Password) else value)
    try:
        from pymongo.uri_parser import parse_uri

        if uri.startswith("mongodb+srv://"):
            uri_hosts(uri)  # resolving the SRV record needs DNS; the client does it at start
        else:
            parse_uri(uri, validate=True, warn=False, connect_timeout=None)
    except Exception as e:
        raise ConfigException(f"Invalid value [hidden] for configuration {name}: {e}") from None


CONNECTION_URI = LambdaValidator(_uri_validator, "A valid connection string")


def override_or_fallback(props: Mapping[str, Any], override: str, fallback: str, default: str) -> str:
    """``ConfigHelper.getOverrideOrFallback``: the ``mongo.`` key when set, else the framework's key."""
    if override in props and props[override] not in (None, ""):
        return str(props[override])
    v = props.get(fallback)
    return default if v in (None, "") else str(v)


def tolerate_errors(props: Mapping[str, Any]) -> bool:
    value = override_or_fallback(props, OVERRIDE_ERRORS_TOLERANCE_CONFIG, ERRORS_TOLERANCE_CONFIG, "none")
    if value.strip().lower() not in ("none", "all"):
        raise ConfigException(
            f"Invalid value {value} for configuration {ERRORS_TOLERANCE_CONFIG}: Invalid enumerator value. "
            "Should be one of: [none, all]"
        )
    return value.strip().lower() == "all"


def log_errors(props: Mapping[str, Any]) -> bool:
    """Like Java: errors are always logged when not tolerated, else only with ``errors.log.enable``."""
    if not tolerate_errors(props):
        return True
    value = override_or_fallback(props, OVERRIDE_ERRORS_LOG_ENABLE_CONFIG, ERRORS_LOG_ENABLE_CONFIG, "false")
    return value.strip().lower() == "true"


def uri_of(props: Mapping[str, Any]) -> str:
    v = props.get(CONNECTION_URI_CONFIG, CONNECTION_URI_DEFAULT)
    return v.value if isinstance(v, Password) else str(v)


def uri_hosts(uri: str) -> list[str]:
    """The host list of a connection string as Java's ``ConnectionString.getHosts()``: as written, sorted."""
    scheme, sep, rest = uri.partition("://")
    if not sep or scheme not in ("mongodb", "mongodb+srv"):
        raise ValueError(
            "The connection string is invalid. Connection strings must start with 'mongodb://' or 'mongodb+srv://'"
        )
    host_part = re.split(r"[/?]", rest, maxsplit=1)[0]
    host_part = host_part.rpartition("@")[2]
    hosts = host_part.split(",")
    if not host_part or any(h == "" for h in hosts):
        raise ValueError(f"The connection string contains an empty host '{hosts}'. ")
    return sorted(hosts)
