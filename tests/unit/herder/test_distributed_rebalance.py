"""Member-side assignment bookkeeping (group spec §6.3, §7, §8.1) and distributed config parsing."""

from __future__ import annotations

import pytest

from genesis_worker.api.errors import ConfigException
from genesis_worker.group.protocol import CONFIG_MISMATCH, ConnectAssignment, decode_assignment, encode_assignment
from genesis_worker.herder.distributed_config import DistributedConfig
from genesis_worker.herder.rebalance import LocalAssignment, cooperative_unsync_backoff_ms
from genesis_worker.model.ids import ConnectorTaskId

A0, A1, B0 = ConnectorTaskId("a", 0), ConnectorTaskId("a", 1), ConnectorTaskId("b", 0)


def coop(connectors=(), tasks=(), revoked_c=(), revoked_t=(), delay=0) -> ConnectAssignment:
    return ConnectAssignment(
        2, 0, "m1", "http://w1:8083/", 7, tuple(connectors), tuple(tasks), tuple(revoked_c), tuple(revoked_t), delay
    )


def test_cooperative_keeps_what_is_not_revoked() -> None:
    local = LocalAssignment()
    assert local.allocation(2) is None
    ch = local.apply(coop(["a"], [A0, A1]), eager=False)
    assert ch.start_connectors == ["a"] and ch.start_tasks == [A0, A1] and not ch.revoked_any
    ch = local.apply(coop(["b"], [B0], revoked_t=[A1]), eager=False)
    assert ch.stop_tasks == [A1] and ch.start_tasks == [B0] and ch.start_connectors == ["b"]
    assert A0 not in ch.stop_tasks and A0 not in ch.start_tasks
    assert list(local.tasks) == [A0, B0] and list(local.connectors) == ["a", "b"]
    alloc = local.allocation(2)
    assert alloc is not None and alloc.tasks == (A0, B0) and alloc.offset == 7
    # the allocation survives the wire format
    again = decode_assignment(encode_assignment(alloc))
    assert set(again.tasks) == {A0, B0} and set(again.connectors) == {"a", "b"}


def test_eager_replaces_everything() -> None:
    local = LocalAssignment()
    local.apply(coop(["a"], [A0, A1]), eager=False)
    ch = local.apply(ConnectAssignment(0, 0, "m1", "u", 8, ("b",), (A1,)), eager=True)
    assert ch.stop_connectors == ["a"] and ch.stop_tasks == [A0]
    assert ch.start_connectors == ["b"] and ch.start_tasks == []
    assert local.clear().stop_tasks == [A1] and not local.tasks


def test_failed_assignment_is_refused() -> None:
    with pytest.raises(ValueError):
        LocalAssignment().apply(ConnectAssignment(1, CONFIG_MISMATCH, "m", "u", 3), eager=False)


def test_unsync_backoff_steps() -> None:
    assert [cooperative_unsync_backoff_ms(300_000, f) for f in range(1, 6)] == [6000, 7500, 10000, 15000, 30000]


def test_distributed_config() -> None:
    props = {"group.id": "g", "config.storage.topic": "c", "offset.storage.topic": "o", "status.storage.topic": "s"}
    cfg = DistributedConfig.from_props(props)
    assert cfg.protocol.protocol == "sessioned" and cfg.scheduled_rebalance_max_delay_ms == 300_000
    assert DistributedConfig.from_props({**props, "connect.protocol": "EAGER"}).protocol.protocol == "default"
    with pytest.raises(ConfigException, match=r'Missing required configuration "group\.id"'):
        DistributedConfig.from_props({k: v for k, v in props.items() if k != "group.id"})
    with pytest.raises(ConfigException, match=r"connect\.protocol"):
        DistributedConfig.from_props({**props, "connect.protocol": "bogus"})
    with pytest.raises(ConfigException, match=r"inter\.worker\.verification\.algorithms"):
        DistributedConfig.from_props({**props, "inter.worker.signature.algorithm": "HmacSHA512"})
    with pytest.raises(ConfigException, match="not supported by genesis-worker"):
        DistributedConfig.from_props({**props, "exactly.once.source.support": "enabled"})
    with pytest.raises(ConfigException, match="Not a number"):
        DistributedConfig.from_props({**props, "session.timeout.ms": "soon"})


def test_member_client_security_settings() -> None:
    from genesis_worker.herder.member_client import aiokafka_client_config

    assert aiokafka_client_config({"bootstrap.servers": "k:9092"}) == {}
    got = aiokafka_client_config(
        {
            "security.protocol": "sasl_plaintext",
            "sasl.mechanisms": "SCRAM-SHA-512",
            "sasl.username": "u",
            "sasl.password": "p",
        }
    )
    assert got == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "u",
        "sasl_plain_password": "p",
    }
    ssl_conf = aiokafka_client_config({"security.protocol": "SSL", "ssl.endpoint.identification.algorithm": "none"})
    assert ssl_conf["security_protocol"] == "SSL" and ssl_conf["ssl_context"].check_hostname is False
    with pytest.raises(ConfigException, match=r"sasl\.mechanism"):
        aiokafka_client_config({"security.protocol": "SASL_SSL", "sasl.mechanisms": "GSSAPI"})
