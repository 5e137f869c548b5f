"""Request bodies as Connect's Jersey/Jackson binding reads them.

* The body is parsed with orjson; malformed JSON is a **400** carrying a parser message worded like
  Jackson's. An empty body or JSON ``null`` binds to null, which Connect's resources then dereference:
  also 400, with the same NullPointerException text. (Connect answers these with 500; they are the
  client's mistake, so genesis answers 400 with Connect's message: an accepted conformance difference.)
* ``Map<String, String>`` binding (connector configs): JSON numbers and booleans become strings
  (``"tasks.max": 1`` -> ``"1"``), ``null`` stays None, objects and arrays are rejected (400).
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from genesis_worker.herder.errors import ConnectRestException

_TOKENS = {
    dict: "Object value (token `JsonToken.START_OBJECT`)",
    list: "Array value (token `JsonToken.START_ARRAY`)",
    str: "String value (token `JsonToken.VALUE_STRING`)",
    int: "Integer value (token `JsonToken.VALUE_NUMBER_INT`)",
    float: "Floating-point value (token `JsonToken.VALUE_NUMBER_FLOAT`)",
}


def _token(value: Any) -> str:
    if isinstance(value, bool):
        return f"Boolean value (token `JsonToken.VALUE_{str(value).upper()}`)"
    return _TOKENS.get(type(value), "value")


class BodyError(ConnectRestException):
    """A request body Connect's JSON binding would refuse: 400 with the reason Connect gives."""

    def __init__(self, message: str) -> None:
        super().__init__(400, message)


_JACKSON_WORDING = {
    "unexpected character, expected a JSON value": "expected a value",
    "unexpected character, expected a string key": "was expecting double-quote to start field name",
    "trailing comma is not allowed": "was expecting double-quote to start field name",
    "unexpected character, expected ':' after key": "was expecting a colon to separate field name and value",
    "unexpected character, expected ',' or ']'": "was expecting comma to separate Array entries",
    "unexpected character, expected ',' or '}'": "was expecting comma to separate Object entries",
}


def parse_error_message(e: orjson.JSONDecodeError, raw: bytes) -> str:
    """A parse error worded like Jackson's (what Connect returns), with line and column."""
    where = (
        "\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); "
        f"line: {e.lineno}, column: {e.colno}]"
    )
    doc = raw.decode("utf-8", "replace")
    if e.pos >= len(doc) or e.msg.startswith("unexpected end"):
        return "Unexpected end-of-input" + where
    ch = doc[e.pos]
    return f"Unexpected character ('{ch}' (code {ord(ch)})): {_JACKSON_WORDING.get(e.msg, e.msg)}" + where


def parse_json(raw: bytes) -> Any:
    """Parse a body; ``None`` for an empty body. Raises :class:`BodyError` on malformed JSON."""
    if not raw.strip():
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise BodyError(parse_error_message(e, raw)) from None


async def read_json(request: web.Request) -> Any:
    return parse_json(await request.read())


def null_message(method: str, variable: str) -> str:
    """The JVM's helpful NullPointerException text Connect returns when it dereferences a null body."""
    return f'Cannot invoke "{method}" because "{variable}" is null'


CONFIG_IS_NULL = null_message("java.util.Map.get(Object)", "connectorConfig")


def require(value: Any, npe_message: str) -> Any:
    """Connect dereferences the bound entity; a missing body (empty or ``null``) is a 500 there, with
    the JVM's NullPointerException message, which we repeat with 400."""
    if value is None:
        raise BodyError(npe_message)
    return value


def scalar_to_string(value: Any) -> str | None:
    """Jackson's coercion of a JSON scalar into a Java ``String``."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    raise BodyError(f"Cannot deserialize value of type `java.lang.String` from {_token(value)}")


def string_map(value: Any, npe_message: str = CONFIG_IS_NULL) -> dict[str, str | None]:
    """Bind a JSON object to ``Map<String, String>`` (values may be None)."""
    value = require(value, npe_message)
    if not isinstance(value, dict):
        raise BodyError(
            "Cannot deserialize value of type `java.util.LinkedHashMap<java.lang.String,java.lang.String>` "
            f"from {_token(value)}"
        )
    return {k: scalar_to_string(v) for k, v in value.items()}


def string_field(value: Any) -> str | None:
    return scalar_to_string(value)


def check_fields(obj: dict[str, Any], allowed: tuple[str, ...], java_class: str) -> None:
    """Jackson fails on properties the entity class does not declare."""
    for key in obj:
        if key not in allowed:
            raise BodyError(
                f'Unrecognized field "{key}" (class {java_class}), not marked as ignorable '
                f"({len(allowed)} known properties: {', '.join(repr(a) for a in allowed)})"
            )


def query_bool(request: web.Request, name: str, default: bool | None) -> bool | None:
    """JAX-RS ``Boolean`` query parameter: absent -> default; else ``Boolean.valueOf`` (only "true")."""
    raw = request.query.get(name)
    if raw is None:
        return default
    return raw.lower() == "true"
