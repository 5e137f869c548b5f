"""Java ``.properties`` files (``java.util.Properties.load``) and ``CONNECT_*`` environment overrides.

Syntax handled as Java does: ``#``/``!`` comment lines, ``key=value``, ``key: value`` and ``key value``
separators, backslash line continuations (leading whitespace of the next line dropped), escapes
``\\t \\n \\r \\f \\uXXXX`` and ``\\<char>`` (the char itself), escaped separators inside keys.

Example::

    props = load_properties_file("worker.properties")
    props = apply_env_overrides(props, os.environ)   # CONNECT_BOOTSTRAP_SERVERS -> bootstrap.servers
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from genesis_worker.api.errors import ConfigException

__all__ = ["apply_env_overrides", "env_overrides", "load_properties_file", "parse_properties"]

_WS = " \t\f"


def _logical_lines(text: str) -> list[str]:
    """Join continuation lines; drop comments and blank lines. Returns raw (still escaped) lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i].lstrip(_WS)
        i += 1
        if not line or line[0] in "#!":
            continue
        while _ends_with_continuation(line):
            line = line[:-1]
            if i >= len(lines):
                break
            line += lines[i].lstrip(_WS)
            i += 1
        out.append(line)
    return out


def _ends_with_continuation(line: str) -> bool:
    n = 0
    for ch in reversed(line):
        if ch != "\\":
            break
        n += 1
    return n % 2 == 1


def _unescape(s: str, where: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(s):
        ch = s[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        i += 1
        if i >= len(s):
            break
        ch = s[i]
        i += 1
        if ch == "u":
            hexits = s[i : i + 4]
            if len(hexits) < 4 or any(c not in "0123456789abcdefABCDEF" for c in hexits):
                raise ConfigException(f"Malformed \\uxxxx encoding in {where}")
            out.append(chr(int(hexits, 16)))
            i += 4
        else:
            out.append({"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(ch, ch))
    return "".join(out)


def _split(line: str) -> tuple[str, str]:
    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        if ch == "\\":
            i += 2
            continue
        if ch in "=:" or ch in _WS:
            break
        i += 1
    key = line[:i]
    j = i
    while j < n and line[j] in _WS:
        j += 1
    if j < n and line[j] in "=:":
        j += 1
        while j < n and line[j] in _WS:
            j += 1
    return key, line[j:]


def parse_properties(text: str) -> dict[str, str]:
    """Parse ``.properties`` text; later duplicates win, as in Java."""
    props: dict[str, str] = {}
    for line in _logical_lines(text):
        raw_key, raw_value = _split(line)
        key = _unescape(raw_key, "key")
        props[key] = _unescape(raw_value, f"value of {key}")
    return props


def load_properties_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read a ``.properties`` file (ISO-8859-1 like Java's ``load(InputStream)``, UTF-8 accepted)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ConfigException(f"Cannot read properties file {p}: {e.strerror or e}") from e
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("iso-8859-1")
    return parse_properties(text)


_ENV_PREFIX = "CONNECT_"
# Variables of the Confluent images that are not worker properties.
_ENV_IGNORED = ("CONNECT_LOG4J", "CONNECT_JMX", "CONNECT_OPTS", "CONNECT_KAFKA_HEAP_OPTS", "CONNECT_CUB_")


def env_overrides(environ: Mapping[str, str]) -> dict[str, str]:
    """Worker properties from ``CONNECT_*`` variables, named as the Confluent images do.

    ``CONNECT_`` is stripped, the rest lower-cased, then ``___`` -> ``-``, ``__`` -> ``_``, ``_`` -> ``.``:
    ``CONNECT_BOOTSTRAP_SERVERS`` -> ``bootstrap.servers``,
    ``CONNECT_PRODUCER_COMPRESSION__TYPE`` would be ``producer.compression_type`` (rare).
    """
    out: dict[str, str] = {}
    for name, value in environ.items():
        if not name.startswith(_ENV_PREFIX) or name.startswith(_ENV_IGNORED):
            continue
        rest = name[len(_ENV_PREFIX) :].lower()
        if not rest:
            continue
        key = rest.replace("___", "\x00").replace("__", "\x01").replace("_", ".")
        key = key.replace("\x00", "-").replace("\x01", "_")
        out[key] = value
    return out


def apply_env_overrides(props: Mapping[str, str], environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """``props`` with the ``CONNECT_*`` environment variables applied on top."""
    merged = dict(props)
    merged.update(env_overrides(os.environ if environ is None else environ))
    return merged
