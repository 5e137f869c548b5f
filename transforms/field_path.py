"""Field paths for ``field.syntax.version`` (KIP-821): ``V1`` = the whole string is one field name,
``V2`` = dotted path into nested structs/maps, with backticks around names that contain dots
(``a.`b.c`.d``; a backtick inside backticks is written ``\\```)."""

from __future__ import annotations

from typing import Any

from genesis_worker.api.config import CaseInsensitiveValidString, ConfigDef, ConfigType, Importance
from genesis_worker.api.data import Field, Schema, Struct, Type
from genesis_worker.api.errors import ConfigException

FIELD_SYNTAX_VERSION_CONFIG = "field.syntax.version"
FIELD_SYNTAX_VERSION_DOC = (
    "Defines the version of the syntax to access fields. If set to `V1`, then the field paths are limited to "
    "access the elements at the root level of the struct or map. If set to `V2`, the syntax will support "
    "accessing nested elements. To access nested elements, dotted notation is used. If dots are already included "
    "in the field name, then backtick pairs can be used to wrap field names containing dots. E.g. to access the "
    'subfield `baz` from a field named "foo.bar" in a struct/map the following format can be used to access its '
    'elements: "`foo.bar`.baz".'
)


def define_field_syntax_version(config: ConfigDef) -> ConfigDef:
    return config.define(
        FIELD_SYNTAX_VERSION_CONFIG,
        ConfigType.STRING,
        "V1",
        CaseInsensitiveValidString.in_("V1", "V2"),
        Importance.HIGH,
        FIELD_SYNTAX_VERSION_DOC,
    )


def parse_path(path: str, version: str) -> list[str]:
    """The steps of ``path`` under syntax ``V1`` or ``V2``."""
    if version.upper() == "V1":
        return [path]
    steps: list[str] = []
    i, n = 0, len(path)
    if n == 0:
        return [""]
    while i <= n:
        if i < n and path[i] == "`":
            # Find the closing backtick: one followed by '.' or the end, not escaped.
            j = i + 1
            buf: list[str] = []
            closed = False
            while j < n:
                c = path[j]
                if c == "\\" and j + 1 < n and path[j + 1] == "`":
                    buf.append("`")
                    j += 2
                    continue
                if c == "`" and (j + 1 == n or path[j + 1] == "."):
                    closed = True
                    break
                buf.append(c)
                j += 1
            if not closed:
                # Not a quoted name after all: read it as plain text up to the next dot.
                end = path.find(".", i)
                end = n if end < 0 else end
                steps.append(path[i:end])
                i = end + 1
                continue
            steps.append("".join(buf))
            i = j + 2
        else:
            end = path.find(".", i)
            end = n if end < 0 else end
            steps.append(path[i:end])
            i = end + 1
    if not all(steps) and len(steps) > 1:
        raise ConfigException(f"Field path {path} contains an empty field name")
    return steps


class SingleFieldPath:
    """One path into a struct, its schema, or a map."""

    __slots__ = ("path", "steps")

    def __init__(self, path: str, version: str = "V1") -> None:
        self.path = path
        self.steps = parse_path(path, version)

    def field_from(self, schema: Schema) -> Field | None:
        current: Schema | None = schema
        found: Field | None = None
        for step in self.steps:
            if current is None or current.type is not Type.STRUCT:
                return None
            found = current.field(step)
            if found is None:
                return None
            current = found.schema
        return found

    def value_from_struct(self, struct: Struct, replace_null_with_default: bool = True) -> Any:
        current: Any = struct
        for step in self.steps:
            if not isinstance(current, Struct):
                return None
            f = current.schema.field(step)
            if f is None:
                return None
            current = current.get(step) if replace_null_with_default else current.get_without_default(step)
        return current

    def value_from_map(self, value: dict[Any, Any]) -> Any:
        current: Any = value
        for step in self.steps:
            if not isinstance(current, dict):
                return None
            current = current.get(step)
        return current
