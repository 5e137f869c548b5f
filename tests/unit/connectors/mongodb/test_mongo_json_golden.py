"""Our JSON writer against the Java driver's own output.

``data/java_bson_json_golden.json`` was produced by ``data/Golden.java`` with the MongoDB Java driver's
bson 5.14.0 (``BsonDocument.parse(input).toJson(settings)`` for JsonMode STRICT / RELAXED / EXTENDED and the
Kafka connector's SimplifiedJson settings). Regenerate: ``javac -cp bson.jar Golden.java && java -cp
.:bson.jar Golden java_bson_json_inputs.jsonl``. (Symbol and undefined, deprecated BSON types PyMongo
decodes as str / None, are not covered.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bson import decode, encode, json_util
from bson.binary import UuidRepresentation
from bson.codec_options import DatetimeConversion
from bson.json_util import JSONMode, JSONOptions

from genesis_connectors.mongodb.bson_json import EXTENDED, RELAXED, SIMPLIFIED, STRICT, to_json
from genesis_connectors.mongodb.client import CODEC_OPTIONS
from genesis_connectors.mongodb.sink.documents import parse_json

GOLDEN = json.loads((Path(__file__).parent / "data" / "java_bson_json_golden.json").read_text())
INPUT = JSONOptions(
    json_mode=JSONMode.CANONICAL,
    datetime_conversion=DatetimeConversion.DATETIME_AUTO,
    tz_aware=True,
    uuid_representation=UuidRepresentation.UNSPECIFIED,
)
MODES = {"strict": STRICT, "relaxed": RELAXED, "extended": EXTENDED, "simplified": SIMPLIFIED}


@pytest.mark.parametrize("case", GOLDEN, ids=lambda c: c["input"][:40])
@pytest.mark.parametrize("mode", list(MODES))
def test_matches_the_java_driver(case: dict[str, str], mode: str) -> None:
    # as a change stream hands it over: BSON decoded with the connector's codec options
    parsed = json_util.loads(case["input"], json_options=INPUT)
    doc = decode(encode(parsed), CODEC_OPTIONS)
    assert to_json(doc, MODES[mode]) == case[mode]


@pytest.mark.parametrize("case", GOLDEN, ids=lambda c: c["input"][:40])
def test_sink_parses_strings_as_the_java_connector(case: dict[str, str]) -> None:
    """StringConverter values: ``BsonDocument.parse`` in Java; the canonical output shows every BSON type."""
    assert to_json(parse_json(case["input"]), EXTENDED) == case["extended"]
