"""OffsetDelete v0 (API key 47) on the wire, as Kafka's OffsetDeleteRequest.json / Response.json define it."""

from __future__ import annotations

from genesis_worker.group.offset_delete import OffsetDeleteRequest, OffsetDeleteRequest_v0, OffsetDeleteResponse_v0


def test_request_bytes_group_then_topics_sorted_with_partitions() -> None:
    req = OffsetDeleteRequest("g", {"t": [1, 0], "a": [2]}).build(OffsetDeleteRequest_v0)
    assert req.encode() == bytes.fromhex(
        "0001" "67"  # group_id "g"
        "00000002"  # 2 topics
        "0001" "61" "00000001" "00000002"  # "a": [2]
        "0001" "74" "00000002" "00000000" "00000001"  # "t": [0, 1]
    )  # fmt: skip


def test_response_decodes_top_level_and_partition_errors() -> None:
    raw = bytes.fromhex(
        "0000" "00000000"  # no error, no throttle
        "00000001" "0001" "74" "00000002"  # topic "t", 2 partitions
        "00000000" "0000"  # 0: ok
        "00000001" "0056"  # 1: GROUP_SUBSCRIBED_TO_TOPIC (86)
    )  # fmt: skip
    resp = OffsetDeleteResponse_v0.decode(raw)
    assert resp.error_code == 0
    assert resp.topics == [("t", [(0, 0), (1, 86)])]
