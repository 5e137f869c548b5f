"""ConfigDef: the single description of a plugin's configuration keys, as Kafka's ``ConfigDef``.

One definition drives parsing (:meth:`ConfigDef.parse`), validation (:meth:`ConfigDef.validate`), the
REST answers of ``GET /connector-plugins/{p}/config`` and ``PUT .../config/validate``, the console's
forms and the README's tables. Error messages are Java's, word for word, because tools show them.

Example::

    CONFIG = (ConfigDef()
        .define("topic", ConfigType.STRING, importance=Importance.HIGH, documentation="Topic to write.")
        .define("batch.size", ConfigType.INT, 500, Range.at_least(1), Importance.LOW, "Records per batch."))
    parsed = CONFIG.parse({"topic": "t"})          # {"topic": "t", "batch.size": 500}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from genesis_worker.api.errors import ConfigException
from genesis_worker.api.validators import Recommender, Validator, invalid_value


class ConfigType(str, Enum):
    BOOLEAN = "BOOLEAN"
    STRING = "STRING"
    INT = "INT"
    SHORT = "SHORT"
    LONG = "LONG"
    DOUBLE = "DOUBLE"
    LIST = "LIST"
    CLASS = "CLASS"
    PASSWORD = "PASSWORD"


class Importance(str, Enum):
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"


class Width(str, Enum):
    NONE = "NONE"
    SHORT = "SHORT"
    MEDIUM = "MEDIUM"
    LONG = "LONG"


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT_VALUE"


NO_DEFAULT_VALUE: Any = _NoDefault()


class Password:
    """A secret string; prints as ``[hidden]``."""

    __slots__ = ("value",)
    HIDDEN = "[hidden]"

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return self.HIDDEN

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Password) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)


@dataclass
class ConfigKey:
    """One defined configuration key."""

    name: str
    type: ConfigType
    default: Any = NO_DEFAULT_VALUE
    validator: Validator | None = None
    importance: Importance = Importance.MEDIUM
    documentation: str = ""
    group: str | None = None
    order_in_group: int = -1
    width: Width = Width.NONE
    display_name: str | None = None
    dependents: list[str] = field(default_factory=list)
    recommender: Recommender | None = None
    internal: bool = False

    @property
    def has_default(self) -> bool:
        return self.default is not NO_DEFAULT_VALUE

    def to_info(self) -> dict[str, Any]:
        """The ``ConfigKeyInfo`` JSON object of the REST API."""
        return {
            "name": self.name,
            "type": self.type.value,
            "required": not self.has_default,
            "default_value": convert_to_string(self.default, self.type) if self.has_default else None,
            "importance": self.importance.value,
            "documentation": self.documentation,
            "group": self.group,
            "order_in_group": self.order_in_group,  # Java 4.4 (a record); 3.x wrote "order"
            "width": self.width.value,
            "display_name": self.display_name if self.display_name is not None else self.name,
            "dependents": list(self.dependents),
        }


@dataclass
class ConfigValue:
    """The result of validating one key (REST ``ConfigValueInfo``)."""

    name: str
    value: Any = None
    recommended_values: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    visible: bool = True

    def add_error(self, message: str) -> None:
        self.errors.append(message)

    def to_info(self, type_: ConfigType | None = None) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": convert_to_string(self.value, type_)
            if type_ is not None
            else (None if self.value is None else str(self.value)),
            "recommended_values": [convert_to_string(v, type_) if type_ else str(v) for v in self.recommended_values],
            "errors": list(self.errors),
            "visible": self.visible,
        }


_LIST_SPLIT = re.compile(r"\s*,\s*")


def parse_type(name: str, value: Any, type_: ConfigType) -> Any:
    """Parse ``value`` (usually a string) into ``type_``, with Java's messages. None stays None."""
    if value is None:
        return None
    trimmed = value.strip() if isinstance(value, str) else value
    try:
        if type_ is ConfigType.BOOLEAN:
            if isinstance(trimmed, bool):
                return trimmed
            if isinstance(trimmed, str):
                if trimmed.lower() == "true":
                    return True
                if trimmed.lower() == "false":
                    return False
            raise invalid_value(name, value, "Expected value to be either true or false")
        if type_ is ConfigType.PASSWORD:
            if isinstance(value, Password):
                return value
            if isinstance(value, str):
                return Password(value)
            raise invalid_value(name, value, "Expected value to be a string, but it was a " + _jtype(value))
        if type_ is ConfigType.STRING:
            if isinstance(trimmed, str):
                return trimmed
            raise invalid_value(name, value, "Expected value to be a string, but it was a " + _jtype(value))
        if type_ in (ConfigType.INT, ConfigType.SHORT, ConfigType.LONG):
            bits = {ConfigType.INT: 32, ConfigType.SHORT: 16, ConfigType.LONG: 64}[type_]
            if isinstance(trimmed, bool):
                raise invalid_value(
                    name, value, f"Expected value to be a {bits}-bit integer, but it was a " + _jtype(value)
                )
            if isinstance(trimmed, int):
                n = trimmed
            elif isinstance(trimmed, str) and re.fullmatch(r"[+-]?\d+", trimmed):
                n = int(trimmed)
            elif isinstance(trimmed, str):
                raise invalid_value(name, value, f"Not a number of type {type_.value}")
            else:
                raise invalid_value(
                    name, value, f"Expected value to be a {bits}-bit integer, but it was a " + _jtype(value)
                )
            if not -(2 ** (bits - 1)) <= n < 2 ** (bits - 1):
                raise invalid_value(name, value, f"Not a number of type {type_.value}")
            return n
        if type_ is ConfigType.DOUBLE:
            if isinstance(trimmed, bool):
                raise invalid_value(name, value, "Expected value to be a double, but it was a " + _jtype(value))
            if isinstance(trimmed, int | float):
                return float(trimmed)
            if isinstance(trimmed, str):
                try:
                    return float(trimmed)
                except ValueError:
                    raise invalid_value(name, value, "Not a number of type DOUBLE") from None
            raise invalid_value(name, value, "Expected value to be a double, but it was a " + _jtype(value))
        if type_ is ConfigType.LIST:
            if isinstance(value, list | tuple):
                return list(value)
            if isinstance(trimmed, str):
                return [] if trimmed == "" else _LIST_SPLIT.split(trimmed)
            raise invalid_value(name, value, "Expected a comma separated list.")
        if type_ is ConfigType.CLASS:
            if isinstance(value, type):
                return value
            if isinstance(trimmed, str):
                return trimmed
            raise invalid_value(name, value, "Expected a Class instance or class name.")
    except ConfigException:
        raise
    raise ConfigException("Unknown type.", name, value)


def _jtype(value: Any) -> str:
    return {
        bool: "java.lang.Boolean",
        int: "java.lang.Integer",
        float: "java.lang.Double",
        str: "java.lang.String",
        list: "java.util.ArrayList",
        dict: "java.util.HashMap",
    }.get(type(value), type(value).__name__)


def convert_to_string(value: Any, type_: ConfigType | None) -> str | None:
    """Render a parsed value as Java's ``ConfigDef.convertToString`` does (REST and forms)."""
    if value is None or value is NO_DEFAULT_VALUE:
        return None
    if type_ is ConfigType.PASSWORD or isinstance(value, Password):
        return Password.HIDDEN
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, type):
        return getattr(value, "java_class_name", None) or f"{value.__module__}.{value.__qualname__}"
    return str(value)


class ConfigDef:
    """An ordered set of :class:`ConfigKey` definitions (``org.apache.kafka.common.config.ConfigDef``)."""

    def __init__(self, base: ConfigDef | None = None) -> None:
        self._keys: dict[str, ConfigKey] = dict(base._keys) if base is not None else {}
        self._groups: list[str] = list(base._groups) if base is not None else []

    def define(
        self,
        name: str,
        type_: ConfigType,
        default: Any = NO_DEFAULT_VALUE,
        validator: Validator | None = None,
        importance: Importance = Importance.MEDIUM,
        documentation: str = "",
        group: str | None = None,
        order_in_group: int = -1,
        width: Width = Width.NONE,
        display_name: str | None = None,
        dependents: Sequence[str] = (),
        recommender: Recommender | None = None,
        *,
        internal: bool = False,
    ) -> ConfigDef:
        """Add a key; raises if it is already defined. The default is parsed and validated now."""
        if name in self._keys:
            raise ConfigException(f"Configuration {name} is defined twice.")
        if group is not None and group not in self._groups:
            self._groups.append(group)
        if default is not NO_DEFAULT_VALUE and default is not None:
            default = parse_type(name, default, type_)
            if validator is not None:
                validator(name, default)
        self._keys[name] = ConfigKey(
            name,
            type_,
            default,
            validator,
            importance,
            documentation,
            group,
            order_in_group,
            width,
            display_name,
            list(dependents),
            recommender,
            internal,
        )
        return self

    def define_key(self, key: ConfigKey) -> ConfigDef:
        if key.name in self._keys:
            raise ConfigException(f"Configuration {key.name} is defined twice.")
        if key.group is not None and key.group not in self._groups:
            self._groups.append(key.group)
        self._keys[key.name] = key
        return self

    def define_internal(self, name: str, type_: ConfigType, default: Any, importance: Importance) -> ConfigDef:
        return self.define(name, type_, default, None, importance, "", internal=True)

    def merge(self, other: ConfigDef) -> ConfigDef:
        """Return a new ConfigDef with ``other``'s keys after ours; ``other`` wins on duplicates."""
        out = ConfigDef(self)
        for k in other._keys.values():
            out._keys[k.name] = k
            if k.group is not None and k.group not in out._groups:
                out._groups.append(k.group)
        return out

    def with_prefix(self, prefix: str) -> ConfigDef:
        """A copy with every key renamed ``prefix + name`` (how transform keys are embedded)."""
        out = ConfigDef()
        for k in self._keys.values():
            out.define_key(
                ConfigKey(
                    prefix + k.name,
                    k.type,
                    k.default,
                    k.validator,
                    k.importance,
                    k.documentation,
                    k.group,
                    k.order_in_group,
                    k.width,
                    k.display_name,
                    [prefix + d for d in k.dependents],
                    k.recommender,
                    k.internal,
                )
            )
        return out

    @property
    def config_keys(self) -> dict[str, ConfigKey]:
        return self._keys

    @property
    def groups(self) -> list[str]:
        return list(self._groups)

    def names(self) -> list[str]:
        return list(self._keys)

    def __contains__(self, name: object) -> bool:
        return name in self._keys

    def default_values(self) -> dict[str, Any]:
        return {k.name: k.default for k in self._keys.values() if k.has_default}

    def parse(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """Parse and validate; raise :class:`ConfigException` on the first bad or missing key."""
        out: dict[str, Any] = {}
        for key in self._keys.values():
            out[key.name] = self._parse_value(key, props.get(key.name), key.name in props)
        return out

    @staticmethod
    def _parse_value(key: ConfigKey, value: Any, is_set: bool) -> Any:
        if is_set:
            parsed = parse_type(key.name, value, key.type)
        elif not key.has_default:
            raise ConfigException(f'Missing required configuration "{key.name}" which has no default value.', key.name)
        else:
            parsed = key.default
        if key.validator is not None:
            key.validator(key.name, parsed)
        return parsed

    def validate(self, props: Mapping[str, Any]) -> list[ConfigValue]:
        """Validate every key, collecting all errors (``ConfigDef.validate``); never raises for bad values."""
        results: dict[str, ConfigValue] = {name: ConfigValue(name) for name in self._keys}
        parsed: dict[str, Any] = {}
        for key in self._keys.values():
            cv = results[key.name]
            if key.name in props:
                try:
                    parsed[key.name] = parse_type(key.name, props[key.name], key.type)
                except ConfigException as e:
                    parsed[key.name] = None
                    cv.value = props[key.name]
                    cv.add_error(str(e))
                    continue
            elif key.has_default:
                parsed[key.name] = key.default
            else:
                parsed[key.name] = None
                cv.add_error(f'Missing required configuration "{key.name}" which has no default value.')
                continue
            cv.value = parsed[key.name]
            if key.validator is not None:
                try:
                    key.validator(key.name, parsed[key.name])
                except ConfigException as e:
                    cv.add_error(str(e))
        for key in self._keys.values():
            if key.recommender is not None:
                cv = results[key.name]
                try:
                    cv.recommended_values = list(key.recommender.valid_values(key.name, parsed))
                    cv.visible = key.recommender.visible(key.name, parsed)
                    if (
                        cv.recommended_values
                        and parsed.get(key.name) is not None
                        and parsed[key.name] not in cv.recommended_values
                        and key.name in props
                    ):
                        cv.add_error(
                            f"Invalid value {parsed[key.name]} for configuration {key.name}: "
                            "Value not in recommended values"
                        )
                except ConfigException as e:
                    cv.add_error(str(e))
        return list(results.values())

    def to_infos(self) -> list[dict[str, Any]]:
        """``ConfigKeyInfo`` objects of all non-internal keys, in definition order."""
        return [k.to_info() for k in self._keys.values() if not k.internal]

    def to_rst_table(self) -> str:
        """A markdown table of the keys (for the README); one source for docs and validation."""
        rows = ["| key | type | default | importance | description |", "|---|---|---|---|---|"]
        for k in self._keys.values():
            if k.internal:
                continue
            d = convert_to_string(k.default, k.type) if k.has_default else "(required)"
            rows.append(
                f"| `{k.name}` | {k.type.value} | {d if d is not None else 'null'} | "
                f"{k.importance.value} | {k.documentation.replace('|', '/')} |"
            )
        return "\n".join(rows)


class AbstractConfig:
    """Parsed configuration with typed getters (``AbstractConfig``); ``originals`` keeps the raw map."""

    def __init__(self, definition: ConfigDef, originals: Mapping[str, Any]) -> None:
        self.definition = definition
        self.originals: dict[str, Any] = dict(originals)
        self.values: dict[str, Any] = definition.parse(originals)

    def get(self, name: str) -> Any:
        if name not in self.values:
            raise ConfigException(f"Unknown configuration '{name}'")
        return self.values[name]

    def get_str(self, name: str) -> str:
        v = self.get(name)
        return "" if v is None else str(v)

    def get_int(self, name: str) -> int:
        return int(self.get(name))

    def get_bool(self, name: str) -> bool:
        return bool(self.get(name))

    def get_float(self, name: str) -> float:
        return float(self.get(name))

    def get_list(self, name: str) -> list[str]:
        return list(self.get(name) or [])

    def get_password(self, name: str) -> str | None:
        v = self.get(name)
        return v.value if isinstance(v, Password) else v

    def originals_with_prefix(self, prefix: str, strip: bool = True) -> dict[str, Any]:
        return {(k[len(prefix) :] if strip else k): v for k, v in self.originals.items() if k.startswith(prefix)}


def join_names(names: Iterable[str]) -> str:
    return ", ".join(names)
