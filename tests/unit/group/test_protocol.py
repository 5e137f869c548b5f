"""Byte-exact tests against the worked examples of reference/connect-group-protocol.md §4.4 and §5.5."""

import pytest

from genesis_worker.group.protocol import (
    CONFIG_MISMATCH,
    ConnectAssignment,
    ConnectProtocolCompatibility,
    SchemaError,
    WorkerState,
    decode_assignment,
    decode_metadata,
    encode_assignment,
    encode_metadata,
    metadata_protocols,
)
from genesis_worker.model.ids import ConnectorTaskId

URL = "http://w1:8083/"
V0_META = "0000000f687474703a2f2f77313a383038332f0000000000000005"
V2_META_NULL = "0002000f687474703a2f2f77313a383038332f0000000000000005ffffffff"
V2_ASSIGN = (
    "0002000000026d31000f687474703a2f2f77313a383038332f0000000000000005000000010002633100000002"
    "ffffffff000000000000000000000000"
)
V0_ASSIGN = "0000000000026d31000f687474703a2f2f77313a383038332f0000000000000005000000010002633100000002ffffffff00000000"
V1_REVOKE = (
    "0001000000026d31000f687474703a2f2f77313a383038332f000000000000000500000000000000010002633200"
    "000002ffffffff0000000100000000"
)
V2_MISMATCH = "0002000100026d31000f687474703a2f2f77313a383038332f0000000000000007000000000000000000000000"
V2_DELAY = "0002000000026d31000f687474703a2f2f77313a383038332f00000000000000050000000000000000000493e0"


def c1_assignment(version: int) -> ConnectAssignment:
    return ConnectAssignment(version, 0, "m1", URL, 5, ("c1",), (ConnectorTaskId("c1", 0),))


def test_metadata_v0() -> None:
    data = encode_metadata(WorkerState(URL, 5), 0)
    assert data.hex() == V0_META
    assert len(data) == 27
    st = decode_metadata(data)
    assert (st.url, st.offset, st.allocation, st.version) == (URL, 5, None, 0)


def test_metadata_v1_v2_null_allocation() -> None:
    assert encode_metadata(WorkerState(URL, 5), 2).hex() == V2_META_NULL
    assert encode_metadata(WorkerState(URL, 5), 1).hex() == "0001" + V2_META_NULL[4:]
    st = decode_metadata(bytes.fromhex(V2_META_NULL))
    assert st.allocation is None and st.version == 2


def test_metadata_v2_with_allocation() -> None:
    expected = "0002000f687474703a2f2f77313a383038332f0000000000000005" + "0000003d" + V2_ASSIGN
    # the nested header follows the metadata version even if the allocation says otherwise
    data = encode_metadata(WorkerState(URL, 5, c1_assignment(1)), 2)
    assert data.hex() == expected
    st = decode_metadata(data)
    assert st.allocation == c1_assignment(2)


def test_v0_reader_reads_v2_metadata_prefix() -> None:
    # an old reader stops after config-offset; ours exposes the same url/offset
    st = decode_metadata(bytes.fromhex(V2_META_NULL) + b"\x01\x02")
    assert (st.url, st.offset) == (URL, 5)


def test_metadata_v1_missing_allocation_is_null() -> None:
    st = decode_metadata(bytes.fromhex("0001" + V0_META[4:]))
    assert st.allocation is None and st.version == 1


def test_assignment_v0() -> None:
    data = encode_assignment(c1_assignment(0))
    assert data.hex() == V0_ASSIGN
    assert len(data) == 53
    a = decode_assignment(data)
    assert a == c1_assignment(0)
    assert a.revoked_connectors == () and a.delay == 0


def test_assignment_v2() -> None:
    data = encode_assignment(c1_assignment(2))
    assert data.hex() == V2_ASSIGN
    assert len(data) == 61
    assert decode_assignment(data) == c1_assignment(2)


def test_assignment_v1_revocation() -> None:
    a = ConnectAssignment(1, 0, "m1", URL, 5, (), (), ("c2",), (ConnectorTaskId("c2", 1),))
    assert encode_assignment(a).hex() == V1_REVOKE
    assert decode_assignment(bytes.fromhex(V1_REVOKE)) == a


def test_assignment_config_mismatch() -> None:
    a = ConnectAssignment(2, CONFIG_MISMATCH, "m1", URL, 7)
    assert encode_assignment(a).hex() == V2_MISMATCH
    b = decode_assignment(bytes.fromhex(V2_MISMATCH))
    assert b.failed and b.offset == 7


def test_assignment_delay() -> None:
    a = ConnectAssignment(2, 0, "m1", URL, 5, delay=300000)
    assert encode_assignment(a).hex() == V2_DELAY
    assert decode_assignment(bytes.fromhex(V2_DELAY)).delay == 300000


def test_assignment_tolerant_reading() -> None:
    full = bytes.fromhex(V2_ASSIGN)
    # drop delay, then revoked: defaults
    no_delay = full[:-4]
    assert decode_assignment(no_delay) == c1_assignment(2)
    no_revoked = full[:-8]
    assert decode_assignment(no_revoked) == c1_assignment(2)
    # null arrays
    base = bytes.fromhex(V2_DELAY[:-24])
    a = decode_assignment(base + bytes.fromhex("ffffffffffffffff00000007"))
    assert a.connectors == () and a.revoked_tasks == () and a.delay == 7
    # extra trailing bytes ignored
    assert decode_assignment(full + b"\x00\x01\x02") == c1_assignment(2)
    # future version read with our schema
    assert decode_assignment(b"\x00\x07" + full[2:]).connectors == ("c1",)


def test_assignment_header_errors() -> None:
    with pytest.raises(SchemaError):
        decode_assignment(b"\xff\xff" + bytes.fromhex(V2_ASSIGN)[2:])
    with pytest.raises(SchemaError):
        decode_assignment(bytes.fromhex(V2_ASSIGN)[:20])


def test_grouping_by_connector() -> None:
    a = ConnectAssignment(
        1,
        0,
        "l",
        "u",
        1,
        ("a",),
        (ConnectorTaskId("b", 2), ConnectorTaskId("a", 1), ConnectorTaskId("b", 0)),
    )
    back = decode_assignment(encode_assignment(a))
    assert back.connectors == ("a",)
    assert set(back.tasks) == set(a.tasks)


@pytest.mark.parametrize(
    ("mode", "names"),
    [
        ("eager", ["default"]),
        ("compatible", ["compatible", "default"]),
        ("sessioned", ["sessioned", "compatible", "default"]),
    ],
)
def test_metadata_protocols(mode: str, names: list[str]) -> None:
    protos = metadata_protocols(ConnectProtocolCompatibility.from_mode(mode), WorkerState(URL, 5))
    assert [n for n, _ in protos] == names
    for name, data in protos:
        assert decode_metadata(data).version == ConnectProtocolCompatibility.from_protocol(name).version


def test_roundtrip_unicode() -> None:
    a = ConnectAssignment(2, 0, "мемб", "http://h:1/", -1, ("ü",), (ConnectorTaskId("ü", 3),), delay=5)
    assert decode_assignment(encode_assignment(a)) == a
