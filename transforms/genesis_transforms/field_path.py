"""Field paths for ``field.syntax.version`` (KIP-821): ``V1`` = the whole string is one field name,
``V2`` = dotted path into nested structs/maps, with backticks around names that contain dots
(``a.`b.c`.d``; a backtick inside backticks is written ``\\```)."""

from __future__ import annotations

from typing import Any

from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.data import Field, Schema, Struct
from genesis_worker.api.errors import ConfigException
from genesis_worker.api.validators import CaseInsensitiveValidString

from ._util import require_map_or_null, require_struct_or_null

FIELD_SYNTAX_VERSION_CONFIG = "field.syntax.version"
FIELD_SYNTAX_VERSION_DOC = (
    "Defines the version of the syntax to access fields. If set to <code>V1</code>, then the field paths are "
    "limited to access the elements at the root level of the struct or map. If set to <code>V2</code>, the syntax "
    "will support accessing nested elements. To access nested elements, dotted notation is used. If dots are "
    "already included in the field name, then backtick pairs can be used to wrap field names containing dots. E.g. "
    'to access the subfield <code>baz</code> from a field named "foo.bar" in a struct/map the following format '
    'can be used to access its elements: "<code>foo.bar</code>.baz".'
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
    """The steps of ``path`` under syntax ``V1`` or ``V2`` (``SingleFieldPath.buildFieldPathV2``)."""
    if version.upper() == "V1":
        return [path]
    steps: list[str] = []
    idx, n = 0, len(path)
    while 0 <= idx < n:
        if path[idx] != "`":
            start = idx
            idx = path.find(".", idx)
            if idx >= 0:
                steps.append(path[start:idx])
                idx += 1
            else:
                steps.append(path[start:])
            continue
        backtick_at = idx
        idx += 1
        field: list[str] = []
        start = idx
        while True:
            idx = path.find("`", idx)
            if idx == -1:
                _incomplete(path, backtick_at)
            escaped = path[idx - 1] == "\\"
            if idx >= n - 1:
                if escaped:
                    _incomplete(path, backtick_at)
                field.append(path[start:idx])
                steps.append("".join(field))
                idx += 1
                break
            if path[idx + 1] != ".":
                idx += 1
                continue
            if escaped:
                field.append(path[start : idx - 1] + "`")
                idx += 1
                start = idx
                continue
            field.append(path[start:idx])
            steps.append("".join(field))
            idx += 2
            break
    if path.endswith("."):
        steps.append("")
    return steps or [""]


def _incomplete(path: str, at: int) -> None:
    raise ConfigException(
        f"Incomplete backtick pair in path: [{path}], consider adding a backslash before backtick at position {at} "
        "to escape it"
    )


class SingleFieldPath:
    """One path into a struct, its schema, or a map."""

    __slots__ = ("path", "steps")

    def __init__(self, path: str, version: str = "V1") -> None:
        self.path = path
        self.steps = parse_path(path, version)

    def field_from(self, schema: Schema) -> Field | None:
        current = schema
        for step in self.steps[:-1]:
            found = current.field(step)
            if found is None:
                return None
            current = found.schema
        return current.field(self.steps[-1])

    def value_from_struct(self, struct: Struct, replace_null_with_default: bool = True) -> Any:
        current: Struct | None = struct
        for step in self.steps[:-1]:
            assert current is not None
            if current.schema.field(step) is None:
                return None
            current = require_struct_or_null(current.get(step), "nested field access")
            if current is None:
                return None
        assert current is not None
        last = self.steps[-1]
        if current.schema.field(last) is None:
            return None
        return current.get(last) if replace_null_with_default else current.get_without_default(last)

    def value_from_map(self, value: dict[Any, Any]) -> Any:
        current: dict[Any, Any] | None = value
        for step in self.steps[:-1]:
            assert current is not None
            current = require_map_or_null(current.get(step), "nested field access")
            if current is None:
                return None
        assert current is not None
        return current.get(self.steps[-1])
