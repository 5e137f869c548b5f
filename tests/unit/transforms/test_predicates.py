"""TopicNameMatches, HasHeaderKey, RecordIsTombstone."""

from __future__ import annotations

from typing import Any

import pytest

from genesis_transforms import HasHeaderKey, RecordIsTombstone, TopicNameMatches
from genesis_worker.api.errors import ConfigException
from genesis_worker.api.records import Header, Headers, SinkRecord


def make(cls: type, **cfg: str) -> Any:
    p = cls()
    p.configure(cfg)
    return p


def rec(topic: str = "orders", value: Any = 1, headers: Headers | None = None) -> SinkRecord:
    return SinkRecord(topic, 0, None, None, None, value, 1, headers=headers)


def test_topic_name_matches_is_a_full_match() -> None:
    p = make(TopicNameMatches, pattern="ord.*")
    assert p.test(rec("orders"))
    assert not p.test(rec("xorders"))
    assert p.test(rec("orders"))  # cached answer
    with pytest.raises(ConfigException, match="String must be non-empty"):
        make(TopicNameMatches, pattern="")
    with pytest.raises(ConfigException, match="Invalid regex"):
        make(TopicNameMatches, pattern="(")


def test_has_header_key_reads_raw_headers_without_decoding() -> None:
    def decoder(topic: str, key: str, raw: bytes | None) -> Header:
        raise AssertionError("headers must not be decoded")

    p = make(HasHeaderKey, name="trace")
    assert p.test(rec(headers=Headers.from_raw([("trace", b"1")], decoder, "t")))
    assert not p.test(rec(headers=Headers.from_raw([("other", b"1")], decoder, "t")))
    assert p.test(rec(headers=Headers([Header("trace", "x")])))


def test_record_is_tombstone() -> None:
    p = make(RecordIsTombstone)
    assert p.test(rec(value=None))
    assert not p.test(rec(value={}))
