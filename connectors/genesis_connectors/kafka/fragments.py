"""JSON fields added to a record's value, kept as ready-made bytes so a raw JSON object can be extended
by splicing (``{"a":1}`` + ``"b":2`` -> ``{"a":1,"b":2}``) instead of parse + re-serialise."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson

_WS = frozenset(b" \t\r\n")
_OBJ_OPEN = 0x7B  # {
_OBJ_CLOSE = 0x7D  # }


class Fragment:
    """Some JSON object members: ``names`` in order, ``frag`` = ``"n1":v1,"n2":v2`` (no braces)."""

    __slots__ = ("frag", "names", "qnames")

    def __init__(self, names: tuple[str, ...], qnames: tuple[bytes, ...], frag: bytes) -> None:
        self.names = names
        self.qnames = qnames  # each name JSON-quoted, used to look for collisions in raw bytes
        self.frag = frag

    @classmethod
    def of(cls, fields: Mapping[str, Any]) -> Fragment:
        """A fragment from Python values (serialised with orjson)."""
        names = tuple(fields)
        return cls(names, quoted_names(names), member_bytes((n, orjson.dumps(v)) for n, v in fields.items()))

    def as_dict(self) -> dict[str, Any]:
        out = orjson.loads(b"{" + self.frag + b"}")
        assert isinstance(out, dict)
        return out

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"Fragment({self.frag!r})"


_QUOTED_CACHE: dict[tuple[str, ...], tuple[bytes, ...]] = {}


def quoted_names(names: tuple[str, ...]) -> tuple[bytes, ...]:
    """JSON-quoted names (``b'"name"'``) for collision checks in raw bytes, interned per tuple of names."""
    q = _QUOTED_CACHE.get(names)
    if q is None:
        # A non-ASCII name may be written \u-escaped by another JSON writer, so a bytes search could miss
        # it: b"" is found in any bytes, which sends such records down the parse path.
        q = tuple(orjson.dumps(n) if n.isascii() else b"" for n in names)
        if len(_QUOTED_CACHE) < 10_000:
            _QUOTED_CACHE[names] = q
    return q


def member_bytes(members: Iterable[tuple[str, bytes]]) -> bytes:
    """``"n1":v1,"n2":v2`` from (name, JSON value bytes) pairs."""
    return b",".join(orjson.dumps(n) + b":" + v for n, v in members)


def splice(raw: bytes, frag: bytes) -> bytes | None:
    """Insert the members ``frag`` before the closing brace of the JSON object ``raw``.

    Returns None when ``raw`` does not look like one JSON object (first and last non-blank bytes
    ``{`` and ``}``); the caller then falls back to parsing. The bytes in between are not re-validated.
    """
    n = len(raw)
    start = 0
    while start < n and raw[start] in _WS:
        start += 1
    end = n - 1
    while end > start and raw[end] in _WS:
        end -= 1
    if end <= start or raw[start] != _OBJ_OPEN or raw[end] != _OBJ_CLOSE:
        return None
    j = end - 1
    while raw[j] in _WS:
        j -= 1
    if j == start:  # empty object
        return b"".join((raw[:end], frag, raw[end:]))
    return b"".join((raw[:end], b",", frag, raw[end:]))


def collides(raw: bytes, fragments: list[Fragment]) -> bool:
    """Whether any added name may already be in ``raw`` (or is added twice): a conservative bytes check
    (a quoted name anywhere, even inside a string, counts), so that splicing never creates a duplicate
    member."""
    if len(fragments) == 1:
        for q in fragments[0].qnames:
            if q in raw:
                return True
        return False
    seen: set[str] = set()
    for f in fragments:
        for name, q in zip(f.names, f.qnames, strict=True):
            if name in seen or q in raw:
                return True
            seen.add(name)
    return False


def collides_parsed(obj: dict[str, Any], fragments: list[Fragment]) -> bool:
    """Whether any added name is already a member of the parsed object (or is added twice)."""
    if len(fragments) == 1:
        for name in fragments[0].names:
            if name in obj:
                return True
        return False
    seen: set[str] = set()
    for f in fragments:
        for name in f.names:
            if name in seen or name in obj:
                return True
            seen.add(name)
    return False
