"""The Java JsonWriter output modes, character for character."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from bson import Binary, Decimal128, Int64, MaxKey, MinKey, ObjectId, Regex, Timestamp

from genesis_connectors.mongodb.bson_json import (
    EXTENDED,
    RELAXED,
    SIMPLIFIED,
    STRICT,
    java_double,
    java_string,
    to_json,
)


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (1.0, "1.0"),
        (1.5, "1.5"),
        (-0.0, "-0.0"),
        (0.001, "0.001"),
        (0.0001, "1.0E-4"),
        (1234567.0, "1234567.0"),
        (1e7, "1.0E+7"),
        (12345678.9, "1.23456789E+7"),
        (1.25e-10, "1.25E-10"),
        (float("nan"), "NaN"),
        (float("-inf"), "-Infinity"),
        (100.0, "100.0"),
    ],
)
def test_java_double(x: float, text: str) -> None:
    assert java_double(x) == text


def test_java_string_escapes_like_java() -> None:
    assert java_string('a"b\\c\n\t') == '"a\\"b\\\\c\\n\\t"'
    assert java_string("\x01") == '"\\u0001"'
    assert java_string("héllo 日本") == '"héllo 日本"'
    assert java_string("😀") == '"\\ud83d\\ude00"'  # UTF-16 surrogates, escaped
    assert java_string("\u200b") == '"\\u200b"'  # format character


OID = ObjectId("5f1b2c3d4e5f6a7b8c9d0e1f")
WHEN = dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC)
DOC = {
    "_id": OID,
    "i": 1,
    "l": Int64(2),
    "d": 1.5,
    "s": "x",
    "b": True,
    "n": None,
    "dec": Decimal128("1.10"),
    "date": WHEN,
    "bin": b"\x01\x02",
    "uuid": Binary(b"0123456789abcdef", 4),
    "ts": Timestamp(10, 2),
    "re": Regex("^a", "i"),
    "arr": [1, {"x": MinKey()}, MaxKey()],
}


def test_strict_mode_is_the_connectors_default_json() -> None:
    assert to_json(DOC, STRICT) == (
        '{"_id": {"$oid": "5f1b2c3d4e5f6a7b8c9d0e1f"}, "i": 1, "l": {"$numberLong": "2"}, "d": 1.5, "s": "x", '
        '"b": true, "n": null, "dec": {"$numberDecimal": "1.10"}, "date": {"$date": 1704164645678}, '
        '"bin": {"$binary": "AQI=", "$type": "00"}, "uuid": {"$binary": "MDEyMzQ1Njc4OWFiY2RlZg==", "$type": "04"}, '
        '"ts": {"$timestamp": {"t": 10, "i": 2}}, "re": {"$regex": "^a", "$options": "i"}, '
        '"arr": [1, {"x": {"$minKey": 1}}, {"$maxKey": 1}]}'
    )


def test_relaxed_mode() -> None:
    out = to_json({"l": Int64(2), "date": WHEN, "bin": b"\x01", "old": dt.datetime(1960, 1, 1, tzinfo=dt.UTC)}, RELAXED)
    assert out == (
        '{"l": 2, "date": {"$date": "2024-01-02T03:04:05.678Z"}, '
        '"bin": {"$binary": {"base64": "AQ==", "subType": "00"}}, "old": {"$date": {"$numberLong": "-315619200000"}}}'
    )


def test_extended_canonical_mode() -> None:
    assert to_json({"i": 1, "l": Int64(2), "d": 1.0, "date": WHEN}, EXTENDED) == (
        '{"i": {"$numberInt": "1"}, "l": {"$numberLong": "2"}, "d": {"$numberDouble": "1.0"}, '
        '"date": {"$date": {"$numberLong": "1704164645678"}}}'
    )


def test_simplified_mode() -> None:
    out = to_json({"_id": OID, "dec": Decimal128("1.10"), "date": WHEN, "bin": b"\x01", "l": Int64(5)}, SIMPLIFIED)
    assert (
        out
        == '{"_id": "5f1b2c3d4e5f6a7b8c9d0e1f", "dec": "1.10", "date": "2024-01-02T03:04:05.678Z", "bin": "AQ==", "l": 5}'
    )


def test_resume_token_offset_text() -> None:
    # the source offset value the Java connector stores: {"_data": "..."} in relaxed mode
    token = {"_data": "8263A1B2C3000000012B022C0100296E5A1004"}
    assert to_json(token, RELAXED) == '{"_data": "8263A1B2C3000000012B022C0100296E5A1004"}'
    assert re.fullmatch(r'\{"_id": \{"_data": "[0-9A-F]+"\}\}', to_json({"_id": token}, STRICT))
