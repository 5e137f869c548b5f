from genesis_worker.storage.offset_keys import (
    hashmap_order,
    java_double_str,
    java_json,
    java_string_hash,
    offset_key,
    parse_offset_key,
)


def test_java_string_hash():
    assert java_string_hash("") == 0
    assert java_string_hash("a") == 97
    assert java_string_hash("hello") == 99162322
    assert java_string_hash("kafka_partition") == java_string_hash("kafka_partition")
    assert -(2**31) <= java_string_hash("a much longer string that overflows") < 2**31


def test_hashmap_order_examples_from_reference():
    assert hashmap_order(["kafka_topic", "kafka_partition"]) == ["kafka_partition", "kafka_topic"]
    assert hashmap_order(["topic", "partition", "cluster"]) == ["cluster", "partition", "topic"]
    assert hashmap_order(["server", "database", "table"]) == ["server", "database", "table"]


def test_java_doubles_and_escapes():
    assert [java_double_str(x) for x in (1.5, 100.0, 1e7, 1e-5, 0.001, -2.5e-7, 0.0)] == [
        "1.5",
        "100.0",
        "1.0E7",
        "1.0E-5",
        "0.001",
        "-2.5E-7",
        "0.0",
    ]
    assert java_json({"s": 'a"b\\c\n\x01/é'}) == '{"s":"a\\"b\\\\c\\n\\u0001/é"}'.encode()


def test_offset_key_round_trip():
    key = offset_key("my-source", {"filename": "/data/in.txt"})
    assert key == b'["my-source",{"filename":"/data/in.txt"}]'
    assert parse_offset_key(key) == ("my-source", {"filename": "/data/in.txt"})
    assert offset_key("c", None) == b'["c",null]'
    assert parse_offset_key(b'{"not":"a key"}') is None
    assert parse_offset_key(b"garbage") is None
