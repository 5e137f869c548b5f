"""JsonConverter with schemas: an envelope with the same schema text as the previous one is read by parsing
only its payload; results and errors are those of a full parse."""

from __future__ import annotations

import pytest

from genesis_worker.api.errors import DataException
from genesis_worker.runtime.converters.json import ENVELOPE_ERROR, JsonConverter

S1 = b'{"type":"struct","fields":[{"field":"a","type":"int64"},{"field":"p","type":"double","optional":true}]}'
S2 = b'{"type":"struct","fields":[{"field":"a","type":"string"}]}'


def _conv() -> JsonConverter:
    c = JsonConverter()
    c.configure({"schemas.enable": "true"}, False)
    return c


def test_repeated_schema_same_values_as_a_fresh_converter() -> None:
    values = [
        b'{"schema":' + S1 + b',"payload":{"a":1,"p":2.5}}',
        b'{"schema":' + S1 + b',"payload":{"a":2,"p":null}}',
        b'{"schema":' + S2 + b',"payload":{"a":"x"}}',
        b'{"schema":' + S1 + b',"payload":{"a":3,"p":1}}',
        b'{"schema":null,"payload":{"k":[1,2]}}',
        b'{"schema":null,"payload":7}',
    ]
    seq = _conv()
    for v in values:
        got, want = seq.to_connect_data("t", v), _conv().to_connect_data("t", v)
        assert (got.schema, got.value) == (want.schema, want.value)


@pytest.mark.parametrize(
    "bad",
    [
        b'{"schema":' + S1 + b',"payload":{"a":1},"extra":1}',
        b'{"schema":' + S1 + b',"payload":',
        b'{"schema":' + S1 + b',"payload":{"a":1}',
    ],
)
def test_broken_envelopes_after_a_good_one_still_raise(bad: bytes) -> None:
    c = _conv()
    c.to_connect_data("t", b'{"schema":' + S1 + b',"payload":{"a":1,"p":0.5}}')
    with pytest.raises(DataException) as e:
        c.to_connect_data("t", bad)
    assert ENVELOPE_ERROR in str(e.value) or "serialization error" in str(e.value)
