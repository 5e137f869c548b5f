"""Record values -> values the driver binds to a column of a given CQL type (as the DataStax connector's
codecs convert: numbers from text, timestamps from epoch milliseconds or ISO-8601 text, UUIDs from text,
blobs from Base64 text, collections element by element). A value that does not fit is a DataException
naming the column, so the record goes to the dead letter queue instead of failing the batch."""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import decimal
import ipaddress
import uuid
from typing import Any

import orjson

from genesis_worker.api import DataException

_INT_BITS = {"tinyint": 8, "smallint": 16, "int": 32, "bigint": 64, "counter": 64}
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)


def split_type(cql_type: str) -> tuple[str, list[str]]:
    """``map<text, frozen<list<int>>>`` -> (``map``, [``text``, ``frozen<list<int>>``])."""
    t = cql_type.strip()
    if "<" not in t:
        return t.lower(), []
    name, inner = t.split("<", 1)
    inner = inner[: inner.rindex(">")]
    args: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in inner:
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        if ch == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    args.append("".join(cur).strip())
    return name.strip().lower(), args


def to_cql(cql_type: str, value: Any, column: str) -> Any:
    """``value`` converted for a column of ``cql_type`` (None stays None)."""
    if value is None:
        return None
    try:
        return _convert(cql_type, value)
    except DataException as e:
        raise DataException(f"Cannot write {_describe(value)} to column {column} of type {cql_type}: {e}") from e
    except (ValueError, TypeError, ArithmeticError, binascii.Error) as e:
        raise DataException(f"Cannot write {_describe(value)} to column {column} of type {cql_type}: {e}") from e


def _describe(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _convert(cql_type: str, v: Any) -> Any:
    name, args = split_type(cql_type)
    if name == "frozen":
        return _convert(args[0], v)
    if name in ("text", "varchar", "ascii"):
        return _text(v, ascii_only=name == "ascii")
    if name in _INT_BITS:
        return _int(v, _INT_BITS[name])
    if name == "varint":
        return _int(v, None)
    if name in ("float", "double"):
        if isinstance(v, bool):
            raise DataException("a boolean is not a number")
        return float(v)
    if name == "decimal":
        if isinstance(v, bool):
            raise DataException("a boolean is not a number")
        return v if isinstance(v, decimal.Decimal) else decimal.Decimal(str(v))
    if name == "boolean":
        return _bool(v)
    if name in ("uuid", "timeuuid"):
        u = v if isinstance(v, uuid.UUID) else uuid.UUID(str(v))
        if name == "timeuuid" and u.version != 1:
            raise DataException("not a time-based (version 1) UUID")
        return u
    if name == "timestamp":
        return _timestamp(v)
    if name == "date":
        return _date(v)
    if name == "time":
        return _time(v)
    if name == "blob":
        if isinstance(v, (bytes, bytearray, memoryview)):
            return bytes(v)
        if isinstance(v, str):
            return base64.b64decode(v, validate=True)
        raise DataException("expected bytes or Base64 text")
    if name == "inet":
        return str(ipaddress.ip_address(str(v)))
    if name in ("list", "set"):
        if not isinstance(v, (list, tuple, set, frozenset)):
            raise DataException(f"expected a list for a {name}")
        items = [_convert(args[0], x) for x in v]
        return set(items) if name == "set" else items
    if name == "map":
        if not isinstance(v, dict):
            raise DataException("expected a map")
        return {_convert(args[0], k): _convert(args[1], x) for k, x in v.items()}
    return v  # tuples, UDTs, durations...: the driver checks them when binding


def _text(v: Any, ascii_only: bool) -> str:
    if isinstance(v, str):
        s = v
    elif isinstance(v, bool):
        s = "true" if v else "false"
    elif isinstance(v, (int, float, decimal.Decimal, uuid.UUID)):
        s = str(v)
    elif isinstance(v, (bytes, bytearray)):
        s = bytes(v).decode("utf-8")
    elif isinstance(v, (dict, list)):
        s = orjson.dumps(v, default=str).decode()
    else:
        s = str(v)
    if ascii_only and not s.isascii():
        raise DataException("not ASCII text")
    return s


def _int(v: Any, bits: int | None) -> int:
    if isinstance(v, bool):
        raise DataException("a boolean is not a number")
    if isinstance(v, int):
        n = v
    elif isinstance(v, float):
        if not v.is_integer():
            raise DataException("not an integer")
        n = int(v)
    elif isinstance(v, decimal.Decimal):
        if v != v.to_integral_value():
            raise DataException("not an integer")
        n = int(v)
    elif isinstance(v, str):
        n = int(v.strip())
    else:
        raise DataException(f"a {type(v).__name__} is not a number")
    if bits is not None and not -(1 << (bits - 1)) <= n < (1 << (bits - 1)):
        raise DataException(f"out of range for a {bits}-bit integer")
    return n


def _bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.strip().lower() in ("true", "false"):
        return v.strip().lower() == "true"
    if isinstance(v, int) and v in (0, 1):
        return bool(v)
    raise DataException("not a boolean")


def _timestamp(v: Any) -> _dt.datetime:
    if isinstance(v, _dt.datetime):
        return v if v.tzinfo is not None else v.replace(tzinfo=_dt.UTC)
    if isinstance(v, bool):
        raise DataException("a boolean is not a timestamp")
    if isinstance(v, int):
        return _EPOCH + _dt.timedelta(milliseconds=v)
    if isinstance(v, str):
        s = v.strip()
        if s.lstrip("-").isdigit():
            return _EPOCH + _dt.timedelta(milliseconds=int(s))
        d = _dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
        return d if d.tzinfo is not None else d.replace(tzinfo=_dt.UTC)
    raise DataException("expected epoch milliseconds or ISO-8601 text")


def _date(v: Any) -> _dt.date:
    if isinstance(v, _dt.datetime):
        return v.date()
    if isinstance(v, _dt.date):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return _dt.date(1970, 1, 1) + _dt.timedelta(days=v)
    if isinstance(v, str):
        return _dt.date.fromisoformat(v.strip())
    raise DataException("expected days since the epoch or an ISO-8601 date")


def _time(v: Any) -> Any:
    if isinstance(v, _dt.time):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return v * 1_000_000  # Connect Time values are milliseconds of the day; CQL time is nanoseconds
    if isinstance(v, str):
        return _dt.time.fromisoformat(v.strip())
    raise DataException("expected milliseconds of the day or an ISO-8601 time")
