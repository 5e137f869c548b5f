"""From a SinkRecord to a Couchbase document: its JSON content, its ID (``couchbase.document.id`` with
``${/json/pointer}`` placeholders, else the message key, else ``<topic>/<partition>/<offset>``) and, for
``couchbase.remove.document.id``, the content without the fields the ID was built from."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

import orjson

from genesis_worker.api import DataException, SinkRecord
from genesis_worker.runtime.converters.json_data import to_json

_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
MAX_ID_BYTES = 250


@dataclass(frozen=True)
class DocumentIdFormat:
    """A parsed ``couchbase.document.id``: literal text and JSON pointers."""

    template: str
    pointers: tuple[tuple[str, ...], ...]

    @classmethod
    def parse(cls, template: str) -> DocumentIdFormat:
        pointers = []
        for m in _PLACEHOLDER.finditer(template):
            pointers.append(parse_pointer(m.group(1)))
        return cls(template, tuple(pointers))

    def format(self, content: Any) -> str:
        def replace(m: re.Match[str]) -> str:
            value = resolve(content, parse_pointer(m.group(1)))
            if value is _MISSING:
                raise DataException(f"Document ID format {self.template!r}: no value at {m.group(1)!r} in the document")
            if value is None or isinstance(value, (dict, list)):
                raise DataException(
                    f"Document ID format {self.template!r}: the value at {m.group(1)!r} is not a string, number or boolean"
                )
            if isinstance(value, bool):
                return "true" if value else "false"
            return str(value)

        return _PLACEHOLDER.sub(replace, self.template)


def parse_pointer(text: str) -> tuple[str, ...]:
    """An RFC 6901 JSON pointer (``/a/b~1c`` -> ``("a", "b/c")``)."""
    if text == "":
        return ()
    if not text.startswith("/"):
        raise DataException(f"Invalid JSON pointer {text!r}: must start with '/'")
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in text[1:].split("/"))


class _Missing:
    pass


_MISSING: Any = _Missing()


def resolve(content: Any, pointer: tuple[str, ...]) -> Any:
    current = content
    for part in pointer:
        if isinstance(current, dict):
            if part not in current:
                return _MISSING
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


def remove(content: Any, pointer: tuple[str, ...]) -> None:
    if not pointer:
        return
    parent = resolve(content, pointer[:-1])
    if isinstance(parent, dict):
        parent.pop(pointer[-1], None)


def content_of(record: SinkRecord) -> Any:
    """The record value as a JSON tree (what the Couchbase connector stores). Raw bytes must be JSON."""
    value = record.value
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            return orjson.loads(bytes(value))
        except orjson.JSONDecodeError as e:
            raise DataException(f"The record value is not JSON: {e}") from e
    try:
        return to_json(record.value_schema, value, False, True)
    except DataException:
        raise
    except Exception as e:
        raise DataException(f"Cannot convert the record value to JSON: {e}") from e


def key_id(record: SinkRecord) -> str:
    key = record.key
    if key is None:
        return f"{record.topic}/{record.kafka_partition}/{record.kafka_offset}"
    if isinstance(key, str):
        return key
    if isinstance(key, (bytes, bytearray)):
        return bytes(key).decode("utf-8", "replace")
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        return str(key)
    tree = to_json(record.key_schema, key, False, True)
    return tree if isinstance(tree, str) else orjson.dumps(tree).decode()


@dataclass
class SinkDocument:
    """What one record writes: the ID, and the content (None: a tombstone, which removes the document)."""

    id: str
    content: Any


def document_of(record: SinkRecord, id_format: DocumentIdFormat | None, remove_id_fields: bool) -> SinkDocument:
    """The document of a record; DataException for a record that cannot become one."""
    if record.value is None:
        # a tombstone: the document to remove is named by the key (its content is gone)
        return SinkDocument(_checked(key_id(record)), None)
    content = content_of(record)
    if id_format is None:
        return SinkDocument(_checked(key_id(record)), content)
    doc_id = id_format.format(content)
    if remove_id_fields and id_format.pointers:
        content = copy.deepcopy(content)
        for p in id_format.pointers:
            remove(content, p)
    return SinkDocument(_checked(doc_id), content)


def _checked(doc_id: str) -> str:
    if not doc_id:
        raise DataException("The document ID is empty")
    if len(doc_id.encode()) > MAX_ID_BYTES:
        raise DataException(f"The document ID is longer than {MAX_ID_BYTES} bytes: {doc_id[:40]}...")
    return doc_id
