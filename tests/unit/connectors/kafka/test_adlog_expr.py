"""The filter expression language: semantics table, parse errors with positions, fields read."""

from __future__ import annotations

import orjson
import pytest

from genesis_connectors.kafka.expr import ExpressionError, compile_condition
from genesis_connectors.kafka.expr_values import RecordView
from genesis_worker.api import Header, SchemaBuilder, SinkRecord, Struct
from genesis_worker.api.data import Schema

VALUE = {
    "event": "click",
    "country": "KR",
    "price": 1.5,
    "count": 3,
    "zero": 0,
    "flag": True,
    "off": False,
    "nil": None,
    "user": {"id": "u1", "age": 31, "tags": ["a", "b"]},
    "items": [{"sku": "x"}, {"sku": "y"}],
    "weird key": "w",
    "num_str": "3",
}


def view(value: object = VALUE, key: object = b"u1", headers: list[Header] | None = None) -> RecordView:
    raw = orjson.dumps(value) if isinstance(value, dict | list) else value
    rec = SinkRecord("ads", 2, None, key, None, raw, 42, timestamp=1_700_000_000_000, headers=headers)
    return RecordView(rec)


SEMANTICS = [
    # equality, types
    ('value.event == "click"', True),
    ('value.event != "click"', False),
    ("value.count == 3", True),
    ("value.count == 3.0", True),
    ('value.count == "3"', False),
    ("value.num_str == 3", False),
    ("value.flag == true", True),
    ("value.flag == 1", False),
    ("value.zero == false", False),
    ("value.off == false", True),
    # null / missing
    ("value.nil == null", True),
    ("value.missing == null", True),
    ("value.missing != null", False),
    ("value.nil != null", False),
    ("value.count != null", True),
    ("value.missing != 5", True),
    ("value.missing < 5", False),
    ("value.missing >= 5", False),
    ("not (value.missing < 5)", True),
    ("value.nil > 0", False),
    ("value.user.missing.deeper == null", True),
    ("value.event.sub == null", True),
    # ordering
    ("value.price > 1", True),
    ("value.price <= 1.5", True),
    ("value.price < 1.5", False),
    ('value.country > "JP"', True),
    ('value.count > "1"', False),
    ("value.num_str > 1", False),
    ("value.flag > false", False),
    # in / not in
    ('value.country in ["KR", "JP"]', True),
    ('value.country in ["US"]', False),
    ('value.country not in ["US"]', True),
    ("value.count in [1, 2, 3]", True),
    ("value.count in [1.0, 3.0]", True),
    ('value.count in ["3"]', False),
    ("value.missing in [null]", True),
    ('value.missing in ["x"]', False),
    ('value.missing not in ["x"]', True),
    ("value.flag in [true]", True),
    ("value.flag in [1]", False),
    ('"a" in value.user.tags', True),
    ('"z" in value.user.tags', False),
    ('"a" in value.event', False),
    ("value.nil in []", False),
    # regex
    ('value.event =~ "^cl"', True),
    ('value.event matches "ICK$"', False),
    ('value.event =~ "(?i)ICK$"', True),
    ('value.count =~ "3"', False),
    ('value.missing =~ ".*"', False),
    # exists
    ("exists(value.nil)", True),
    ("exists(value.missing)", False),
    ("exists(value.user.age)", True),
    ("exists(value.items[1].sku)", True),
    ("exists(value.items[5])", False),
    ("exists(header.trace)", True),
    ("exists(header.nope)", False),
    # paths
    ('value.user.id == "u1"', True),
    ('value.items[1].sku == "y"', True),
    ('value.items.0.sku == "x"', True),
    ('value["weird key"] == "w"', True),
    ('value.user.tags[0] == "a"', True),
    # metadata
    ('key == "u1"', True),
    ('topic == "ads"', True),
    ("partition == 2", True),
    ("offset >= 42 and offset < 43", True),
    ("timestamp > 1600000000000", True),
    ('header.trace == "abc"', True),
    ('header["trace"] == "abc"', True),
    # boolean logic, precedence: not > and > or
    ('value.event == "view" or value.country == "KR" and value.count == 3', True),
    ('(value.event == "view" or value.country == "KR") and value.count == 4', False),
    ('not value.event == "view"', True),
    ("! value.flag", False),
    ("value.flag && !value.off", True),
    ("value.off || value.zero == 0", True),
    ("value.flag", True),
    ("value.count", False),
    ("value.missing", False),
    ("not value.missing", True),
    ("true", True),
    ("false or value.flag", True),
    ("(value.count == 3) == true", True),
]


@pytest.mark.parametrize(("text", "expected"), SEMANTICS)
def test_semantics(text: str, expected: bool) -> None:
    v = view(headers=[Header("trace", b"abc")])
    assert compile_condition(text)(v) is expected


def test_value_parsed_once_and_only_when_needed() -> None:
    v = view()
    assert compile_condition('topic == "ads" and key == "u1"')(v)
    assert not v.is_parsed
    cond = compile_condition('value.event == "click" and value.user.age > 30 and value.country == "KR"')
    assert cond(v) and v.is_parsed


def test_fields_read() -> None:
    e = compile_condition('value.event == "click" and value.user.age > 30 or exists(value.items[0])')
    assert e.value_fields == frozenset({"event", "user", "items"}) and e.reads_value
    e = compile_condition('key == "x" or header.a == "b"')
    assert e.value_fields == frozenset() and not e.reads_value and e.reads_headers
    e = compile_condition("value == null")
    assert e.value_fields is None and e.reads_value
    e = compile_condition("value[0] == 1")
    assert e.value_fields is None


def test_non_json_and_null_values() -> None:
    assert compile_condition("value.a == null")(view(value=b"not json"))
    assert compile_condition('value == "not json"')(view(value=b"not json"))
    assert compile_condition("value == null")(view(value=None))
    assert compile_condition("value.a == null")(view(value=None))
    assert compile_condition("value == 5")(view(value=b"5"))
    assert compile_condition("value[1] == 2")(view(value=b"[1,2]"))


def test_dict_and_struct_values() -> None:
    rec = SinkRecord("t", 0, None, "k", None, {"a": {"b": 2}}, 0)
    assert compile_condition('value.a.b == 2 and key == "k"')(RecordView(rec))
    schema = SchemaBuilder.struct().field("a", Schema.INT32_SCHEMA).field("s", Schema.OPTIONAL_STRING_SCHEMA).build()
    st = Struct(schema).put("a", 7)
    rec = SinkRecord("t", 0, None, None, schema, st, 0)
    assert compile_condition("value.a == 7 and value.s == null and not exists(value.zz)")(RecordView(rec))
    assert compile_condition("exists(value.s)")(RecordView(rec))
    assert compile_condition("key == null")(RecordView(rec))


def test_string_literals() -> None:
    v = view(value={"s": 'it\'s "q"\n', "u": "한국"})
    assert compile_condition("value.s == 'it\\'s \"q\"\\n'")(v)
    assert compile_condition('value.u == "\\ud55c\\uad6d"')(v)
    assert compile_condition("value.u == '한국'")(v)


ERRORS = [
    ("", "empty condition at position 0"),
    ("value.a ==", "expected a field, a literal or '(' but found end of input at position 10"),
    ("value.a = 1", "unexpected '=' (use '==' to compare) at position 8"),
    ("foo == 1", "unknown field 'foo'"),
    ("(value.a == 1", "expected ')' but found end of input at position 13"),
    ('value.a == "x', "unterminated string at position 11"),
    ('value.a =~ "("', "invalid regular expression"),
    ("value.a == 1 value.b == 2", "expected 'and', 'or' or end of condition but found 'value' at position 13"),
    ("value.a in 5", "expected '[' or a field after 'in' but found '5' at position 11"),
    ("value.a in [1, value.b]", "expected a literal in the list but found 'value' at position 15"),
    ("value.a in [1,", "expected a literal in the list but found end of input at position 14"),
    ("value.a not 1", "expected 'in' after 'not' but found '1' at position 12"),
    ("value. == 1", "expected a field name after '.' but found '==' at position 7"),
    ("header == 1", "expected '.' or '[' after 'header' but found '==' at position 7"),
    ("exists(1)", "expected a field path in exists() but found '1' at position 7"),
    ("value.a =~ 5", "expected a quoted regular expression but found '5' at position 11"),
    ("5", "a literal is not a condition; compare it with a field at position 0"),
    ("value.a == 1 and", "expected a field, a literal or '(' but found end of input at position 16"),
    ("value.a # 1", "unexpected character '#' at position 8"),
    ('value.a == "\\x"', "invalid escape in string at position 11"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_parse_errors_have_positions(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as ei:
        compile_condition(text)
    assert message in str(ei.value)
    assert str(ei.value).rsplit("at position ", 1)[1].isdigit()


def test_regex_error_position_points_into_the_pattern() -> None:
    with pytest.raises(ExpressionError) as ei:
        compile_condition('value.a =~ "ab("')
    # the pattern starts at 12 (after the quote); Python reports the error at its offset 2
    assert ei.value.position == 14
