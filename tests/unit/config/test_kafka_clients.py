import pytest

from genesis_worker.api.errors import ConfigException
from genesis_worker.config.kafka_clients import translate
from genesis_worker.config.worker_config import WorkerConfig


def test_common_settings_pass_or_rename():
    cfg = translate(
        {
            "bootstrap.servers": "a:1,b:2",
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": "scram-sha-512",
            "sasl.jaas.config": 'org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p\\"w";',
            "acks": "all",
            "linger.ms": "5",
            "compression.type": "zstd",
            "delivery.timeout.ms": "120000",
            "max.request.size": "2000000",
            "receive.buffer.bytes": "65536",
            "buffer.memory": "33554432",
            "key.serializer": "org.apache.kafka.common.serialization.ByteArraySerializer",
        },
        "producer",
    )
    assert cfg.conf == {
        "bootstrap.servers": "a:1,b:2",
        "security.protocol": "sasl_ssl",
        "sasl.mechanisms": "SCRAM-SHA-512",
        "sasl.username": "u",
        "sasl.password": 'p"w',
        "acks": "all",
        "linger.ms": "5",
        "compression.type": "zstd",
        "message.timeout.ms": "120000",
        "message.max.bytes": "2000000",
        "socket.receive.buffer.bytes": "65536",
        "queue.buffering.max.kbytes": 32768,
    }
    assert any("key.serializer" in w for w in cfg.warnings)


def test_consumer_specifics():
    cfg = translate(
        {
            "max.poll.records": "2000",
            "auto.offset.reset": "none",
            "fetch.max.wait.ms": "100",
            "isolation.level": "read_committed",
            "partition.assignment.strategy": "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
            "linger.ms": "5",
        },
        "consumer",
    )
    assert cfg.max_poll_records == 2000
    assert cfg.conf == {
        "auto.offset.reset": "error",
        "fetch.wait.max.ms": "100",
        "isolation.level": "read_committed",
        "partition.assignment.strategy": "cooperative-sticky",
    }


@pytest.mark.parametrize(
    ("key", "value", "match"),
    [
        ("interceptor.classes", "com.x.I", "interceptor.classes"),
        ("totally.unknown.setting", "1", "totally.unknown.setting"),
        ("sasl.jaas.config", "com.sun.security.auth.module.Krb5LoginModule required;", "sasl.jaas.config"),
        (
            "partition.assignment.strategy",
            "org.apache.kafka.clients.consumer.StickyAssignor",
            "partition.assignment.strategy",
        ),
        ("max.poll.records", "zero", "max.poll.records"),
    ],
)
def test_rejections_name_the_key(key, value, match):
    with pytest.raises(ConfigException, match=match):
        translate({key: value}, "consumer")


def test_truststore_pem_only(tmp_path):
    pem = tmp_path / "ca.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    assert translate({"ssl.truststore.location": str(pem), "ssl.truststore.type": "PEM"}, "admin").conf == {
        "ssl.ca.location": str(pem)
    }
    jks = tmp_path / "ca.jks"
    jks.write_bytes(b"\xfe\xed\xfe\xed binary")
    with pytest.raises(ConfigException, match=r"ssl\.truststore\.location: only PEM"):
        translate({"ssl.truststore.location": str(jks)}, "admin")


def test_worker_config_client_props_and_identity():
    wc = WorkerConfig(
        {
            "bootstrap.servers": "k:9092",
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "offset.storage.file.filename": "/tmp/x",
            "listeners": "http://127.0.0.1:8084",
            "security.protocol": "SSL",
            "consumer.max.poll.records": "77",
            "producer.linger.ms": "9",
        }
    )
    assert wc.worker_id == "127.0.0.1:8084"
    assert wc.rest_url == "http://127.0.0.1:8084/"
    assert wc.get("offset.flush.interval.ms") == 60000
    assert wc.get("task.shutdown.graceful.timeout.ms") == 5000
    assert wc.connector_client_props("consumer", {"fetch.min.bytes": "5"}) == {
        "bootstrap.servers": "k:9092",
        "max.poll.records": "77",
        "fetch.min.bytes": "5",
    }
    assert wc.connector_client_props("admin")["security.protocol"] == "SSL"
    with pytest.raises(ConfigException, match=r"offset\.storage\.file\.filename"):
        WorkerConfig({"key.converter": "a", "value.converter": "b"})
    with pytest.raises(ConfigException, match=r"group\.id"):
        WorkerConfig({"key.converter": "a", "value.converter": "b"}, mode="distributed")
