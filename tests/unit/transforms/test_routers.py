"""RegexRouter (Java regex + replacement syntax), TimestampRouter and the SimpleDateFormat subset."""

from __future__ import annotations

from typing import Any

import pytest

from genesis_transforms import RegexRouter, TimestampRouter
from genesis_transforms._datefmt import SimpleDateFormat
from genesis_transforms._util import java_replacement
from genesis_worker.api.errors import ConfigException, DataException
from genesis_worker.api.records import SinkRecord


def make(cls: type, **cfg: str) -> Any:
    t = cls()
    t.configure(cfg)
    return t


def rec(topic: str = "orders", ts: int | None = 1_730_003_723_456) -> SinkRecord:
    return SinkRecord(topic, 1, None, None, None, {"a": 1}, 5, ts)


def test_regex_router() -> None:
    t = make(RegexRouter, regex="(.*)ers", replacement="$1-routed")
    assert t.apply(rec()).topic == "ord-routed"
    assert t.apply(rec()).topic == "ord-routed"  # cached
    assert t.apply(rec("other")).topic == "other"
    named = make(RegexRouter, regex="(?<base>[a-z]+)-(\\d+)", replacement="${base}_$2\\$")
    assert named.apply(rec("logs-2024")).topic == "logs_2024$"
    assert make(RegexRouter, regex="a+?", replacement="X").apply(rec("aaa")).topic == "Xaa"
    assert make(RegexRouter, regex="(a)(b)", replacement="$12").apply(rec("ab")).topic == "a2"
    with pytest.raises(ConfigException, match="Invalid regex"):
        make(RegexRouter, regex="(", replacement="x")


def test_java_replacement_translation() -> None:
    assert java_replacement("a\\\\b$1", 1) == "a\\\\b\\g<1>"
    with pytest.raises(DataException, match="No group 3"):
        java_replacement("$3", 1)


def test_timestamp_router() -> None:
    t = make(TimestampRouter)
    assert t.apply(rec()).topic == "orders-20241027"
    hourly = make(TimestampRouter, **{"topic.format": "x_${timestamp}_${topic}", "timestamp.format": "yyyy.MM.dd-HH"})
    assert hourly.apply(rec()).topic == "x_2024.10.27-04_orders"
    assert hourly.apply(rec(ts=1_730_003_723_456 + 3_600_000)).topic == "x_2024.10.27-05_orders"
    with pytest.raises(DataException, match="Timestamp missing on record"):
        t.apply(rec(ts=None))


def test_simple_date_format() -> None:
    f = SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSXXX EEE MMM D h a 'o''clock'")
    assert f.format(1_730_003_723_456) == "2024-10-27T04:35:23.456Z Sun Oct 301 4 AM o'clock"
    assert SimpleDateFormat("yyMMdd").parse("241027") == 1_729_987_200_000
    assert SimpleDateFormat("yyyy-MM-dd HH:mm:ss Z").parse("2024-10-27 05:00:00 +0100") == 1_730_001_600_000
    assert SimpleDateFormat("dd MMMM yyyy").parse("05 March 2024") == 1_709_596_800_000
    with pytest.raises(ValueError, match="Illegal pattern character 'b'"):
        SimpleDateFormat("yyyy-bb")
    with pytest.raises(ValueError, match="Unparseable date"):
        SimpleDateFormat("yyyy-MM-dd").parse("nope")


def test_router_cache_unit_follows_the_pattern() -> None:
    assert SimpleDateFormat("yyyyMMdd").finest_unit_ms == 86_400_000
    assert SimpleDateFormat("yyyy-MM-dd-HH").finest_unit_ms == 3_600_000
    assert SimpleDateFormat("HH:mm").finest_unit_ms == 60_000
    assert SimpleDateFormat("ss.SSS").finest_unit_ms == 1
