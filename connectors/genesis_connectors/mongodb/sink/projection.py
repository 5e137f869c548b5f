"""Field projections: the Java connector's ``BlockListProjector`` / ``AllowListProjector`` semantics.

Paths are dotted (``a.b.c``), ``*`` matches one level and ``**`` everything below; arrays of documents
are projected element by element, and ``_id`` is never removed.
"""

from __future__ import annotations

import itertools
from typing import Any

ID = "_id"
SINGLE = "*"
DOUBLE = "**"


def parse_fields(text: str) -> list[str]:
    return [f.strip() for f in str(text or "").split(",") if f.strip()]


class BlockList:
    """Remove the listed fields."""

    def __init__(self, fields: list[str]) -> None:
        self.fields = fields

    def apply(self, doc: dict[str, Any]) -> None:
        for f in self.fields:
            self._project(f, doc)

    def _project(self, field: str, doc: dict[str, Any]) -> None:
        if "." not in field:
            if field in (SINGLE, DOUBLE):
                self._wildcard(field, "", doc)
            elif field != ID:
                doc.pop(field, None)
            return
        first, rest = field.split(".", 1)
        if first in (SINGLE, DOUBLE):
            self._wildcard(first, rest, doc)
            return
        value = doc.get(first)
        if isinstance(value, dict):
            self._project(rest, value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    self._project(rest, item)

    def _wildcard(self, first: str, rest: str, doc: dict[str, Any]) -> None:
        for key in list(doc):
            if key == ID:
                continue
            value = doc[key]
            if first == DOUBLE or not isinstance(value, dict):
                del doc[key]
            elif rest:
                self._project(rest, value)


class AllowList:
    """Keep only the listed fields (and the documents leading to them)."""

    def __init__(self, fields: list[str]) -> None:
        expanded: set[str] = set()
        for f in fields:
            parts = f.split(".")
            for i in range(1, len(parts) + 1):
                expanded.add(".".join(parts[:i]))
        self.fields = expanded

    def apply(self, doc: dict[str, Any]) -> None:
        if DOUBLE in self.fields:
            return
        self._project("", doc)

    def _project(self, prefix: str, doc: dict[str, Any]) -> None:
        for name in list(doc):
            key = f"{prefix}.{name}" if prefix else name
            value = doc[name]
            if key not in self.fields and key != ID and not self._wildcard_match(key):
                del doc[name]
                continue
            if isinstance(value, dict):
                if f"{key}.{DOUBLE}" not in self.fields:
                    self._project(key, value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, dict):
                        self._project(key, item)

    def _wildcard_match(self, key: str) -> bool:
        parts = key.split(".")
        for mask in itertools.product((False, True), repeat=len(parts)):
            candidate = ".".join(p if keep else SINGLE for p, keep in zip(parts, mask, strict=True))
            if candidate in self.fields:
                return True
        return False


Projector = BlockList | AllowList


def make_projector(kind: str, fields_text: str) -> Projector | None:
    """A projector for a ``*.projection.type`` value (``none``/empty -> None)."""
    k = (kind or "").strip().lower()
    fields = parse_fields(fields_text)
    if k in ("blocklist", "blacklist"):
        return BlockList(fields)
    if k in ("allowlist", "whitelist"):
        return AllowList(fields)
    return None
