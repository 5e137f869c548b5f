"""Java Kafka-client properties -> librdkafka (confluent-kafka) configuration.

Connect users write Java client settings (``producer.linger.ms``, ``consumer.override.max.poll.records``,
``sasl.jaas.config`` ...). librdkafka understands many of them under the same name, some under another
name or with another value form, a few are meaningless here (serializer classes), and some cannot be
honoured (JKS trust stores, Java login modules). :func:`translate` applies the table below and raises a
:class:`ConfigException` naming the key when a setting cannot be honoured, so nothing is silently lost.

Example::

    cfg = translate({"bootstrap.servers": "k:9092", "linger.ms": "5", "max.poll.records": "2000"}, "consumer")
    cfg.conf               # {"bootstrap.servers": "k:9092", "linger.ms": "5"}  (librdkafka names)
    cfg.max_poll_records   # 2000 (our consume batch size)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from genesis_worker.api.config import Password
from genesis_worker.api.errors import ConfigException

log = logging.getLogger(__name__)

Role = Literal["producer", "consumer", "admin"]

__all__ = ["DROPPED", "PASS_THROUGH", "RENAMED", "ClientConfig", "Role", "translate"]

# Same name and value form in Java and librdkafka.
PASS_THROUGH: frozenset[str] = frozenset(
    {
        "bootstrap.servers",
        "client.id",
        "client.rack",
        "client.dns.lookup",
        "group.id",
        "group.instance.id",
        "group.protocol",
        "acks",
        "linger.ms",
        "batch.size",
        "compression.type",
        "enable.idempotence",
        "max.in.flight.requests.per.connection",
        "retries",
        "retry.backoff.ms",
        "retry.backoff.max.ms",
        "transactional.id",
        "transaction.timeout.ms",
        "fetch.max.bytes",
        "fetch.min.bytes",
        "max.partition.fetch.bytes",
        "session.timeout.ms",
        "heartbeat.interval.ms",
        "max.poll.interval.ms",
        "isolation.level",
        "enable.auto.commit",
        "auto.commit.interval.ms",
        "allow.auto.create.topics",
        "check.crcs",
        "metadata.max.age.ms",
        "connections.max.idle.ms",
        "reconnect.backoff.ms",
        "reconnect.backoff.max.ms",
        "socket.connection.setup.timeout.ms",
        "sasl.kerberos.service.name",
        "sasl.kerberos.kinit.cmd",
        "sasl.username",
        "sasl.password",
        "sasl.mechanisms",
        "ssl.key.password",
        "ssl.ca.location",
        "ssl.certificate.location",
        "ssl.key.location",
        "ssl.keystore.password",
        # librdkafka-only settings our own code and power users may pass
        "fetch.queue.backoff.ms",
        "fetch.wait.max.ms",
        "queued.max.messages.kbytes",
        "queued.min.messages",
        "queue.buffering.max.ms",
        "queue.buffering.max.messages",
        "queue.buffering.max.kbytes",
        "batch.num.messages",
        "message.timeout.ms",
        "message.max.bytes",
        "statistics.interval.ms",
        "topic.metadata.refresh.interval.ms",
        "socket.keepalive.enable",
        "socket.timeout.ms",
        "enable.partition.eof",
        "debug",
        "partitioner",
        "sticky.partitioning.linger.ms",
        "enable.auto.offset.store",
        "api.version.request",
    }
)

# Java name -> librdkafka name (value unchanged unless noted in _VALUE_FIXES).
RENAMED: dict[str, str] = {
    "sasl.mechanism": "sasl.mechanisms",
    "receive.buffer.bytes": "socket.receive.buffer.bytes",
    "send.buffer.bytes": "socket.send.buffer.bytes",
    "delivery.timeout.ms": "message.timeout.ms",
    "max.request.size": "message.max.bytes",
    "fetch.max.wait.ms": "fetch.wait.max.ms",
    "ssl.truststore.certificates": "ssl.ca.pem",
    "ssl.keystore.certificate.chain": "ssl.certificate.pem",
    "ssl.keystore.key": "ssl.key.pem",
}

# Java settings with no librdkafka meaning that are safe to ignore: dropped with a warning (reason).
DROPPED: dict[str, str] = {
    "key.serializer": "records are always byte arrays",
    "value.serializer": "records are always byte arrays",
    "key.deserializer": "records are always byte arrays",
    "value.deserializer": "records are always byte arrays",
    "max.block.ms": "sends never block the event loop",
    "default.api.timeout.ms": "timeouts are set per call",
    "metric.reporters": "metrics are exported by genesis-worker itself",
    "metrics.num.samples": "metrics are exported by genesis-worker itself",
    "metrics.recording.level": "metrics are exported by genesis-worker itself",
    "metrics.sample.window.ms": "metrics are exported by genesis-worker itself",
    "auto.include.jmx.reporter": "no JMX",
    "enable.metrics.push": "no client metrics push",
    "exclude.internal.topics": "internal topics are never subscribed by name lists",
    "internal.leave.group.on.close": "librdkafka always leaves the group on close",
    "socket.connection.setup.timeout.max.ms": "librdkafka has one setup timeout",
    "ssl.truststore.password": "PEM trust stores need no password",
    "ssl.truststore.type": "consumed while translating ssl.truststore.location",
    "ssl.keystore.type": "consumed while translating ssl.keystore.location",
    "ssl.protocol": "OpenSSL negotiates the protocol",
    "ssl.enabled.protocols": "OpenSSL negotiates the protocol",
    "ssl.keymanager.algorithm": "Java-only",
    "ssl.trustmanager.algorithm": "Java-only",
    "ssl.secure.random.implementation": "Java-only",
    "ssl.engine.factory.class": "Java-only",
    "ssl.cipher.suites": "Java cipher names differ from OpenSSL's; set ssl.cipher.suites in librdkafka form if needed",
    "sasl.login.refresh.window.factor": "Java login module setting",
    "sasl.login.refresh.window.jitter": "Java login module setting",
    "sasl.login.refresh.min.period.seconds": "Java login module setting",
    "sasl.login.refresh.buffer.seconds": "Java login module setting",
    "sasl.login.connect.timeout.ms": "Java login module setting",
    "sasl.login.read.timeout.ms": "Java login module setting",
    "sasl.login.retry.backoff.ms": "Java login module setting",
    "sasl.login.retry.backoff.max.ms": "Java login module setting",
    "partitioner.adaptive.partitioning.enable": "librdkafka partitions by key hash (murmur2_random)",
    "partitioner.availability.timeout.ms": "librdkafka partitions by key hash (murmur2_random)",
    "partitioner.ignore.keys": "librdkafka partitions by key hash (murmur2_random)",
    "max.poll.records": "used as the consume batch size (ClientConfig.max_poll_records)",
}

# Java settings that cannot be honoured: rejected with these explanations.
_REJECTED: dict[str, str] = {
    "interceptor.classes": "Java interceptors cannot run in a Python worker",
    "security.providers": "Java security providers cannot run in a Python worker",
    "sasl.client.callback.handler.class": "Java callback handlers cannot run in a Python worker",
    "sasl.login.callback.handler.class": "Java callback handlers cannot run in a Python worker",
    "sasl.login.class": "Java login classes cannot run in a Python worker",
    "partitioner.class": "custom Java partitioners cannot run in a Python worker",
}

_ASSIGNORS = {
    "org.apache.kafka.clients.consumer.RangeAssignor": "range",
    "org.apache.kafka.clients.consumer.RoundRobinAssignor": "roundrobin",
    "org.apache.kafka.clients.consumer.CooperativeStickyAssignor": "cooperative-sticky",
    "range": "range",
    "roundrobin": "roundrobin",
    "cooperative-sticky": "cooperative-sticky",
}

_JAAS = re.compile(
    r"^\s*(?P<module>[\w.$]+)\s+(?P<flag>required|requisite|sufficient|optional)(?P<opts>.*?);?\s*$", re.S
)
_JAAS_OPT = re.compile(r'([\w.]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(\S+?))(?=\s|;|$)')


@dataclass
class ClientConfig:
    """A translated client configuration: ``conf`` for confluent-kafka, plus our own knobs."""

    conf: dict[str, Any] = field(default_factory=dict)
    max_poll_records: int | None = None
    warnings: list[str] = field(default_factory=list)


def _int(key: str, value: Any) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise ConfigException(
            f"Invalid value {value} for configuration {key}: Not a number of type INT", key, value
        ) from None


def _parse_jaas(value: str) -> tuple[str, dict[str, str]]:
    m = _JAAS.match(value)
    if m is None:
        raise ConfigException(
            f"Invalid value {value!r} for configuration sasl.jaas.config: "
            "expected '<LoginModule> required key=\"value\" ...;'",
            "sasl.jaas.config",
        )
    opts = {k: (q if q is not None and q != "" else (b or "")) for k, q, b in _JAAS_OPT.findall(m.group("opts"))}
    return m.group("module"), {k: v.replace('\\"', '"').replace("\\\\", "\\") for k, v in opts.items()}


def _is_pem(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError as e:
        raise ConfigException(f"Cannot read {path}: {e.strerror or e}") from e
    return b"-----BEGIN" in head


def _translate_truststore(props: Mapping[str, Any], conf: dict[str, Any]) -> None:
    loc = str(props["ssl.truststore.location"]).strip()
    ttype = str(props.get("ssl.truststore.type", "")).strip().upper()
    if ttype in ("", "PEM") and _is_pem(loc):
        conf["ssl.ca.location"] = loc
        return
    raise ConfigException(
        f"Invalid value {loc} for configuration ssl.truststore.location: only PEM trust stores are supported "
        f"(type {ttype or 'JKS'} given). Convert it, e.g. 'keytool -exportcert -rfc -keystore {Path(loc).name} "
        "-alias <alias> > ca.pem', and set ssl.truststore.type=PEM",
        "ssl.truststore.location",
        loc,
    )


def _translate_keystore(props: Mapping[str, Any], conf: dict[str, Any]) -> None:
    loc = str(props["ssl.keystore.location"]).strip()
    ktype = str(props.get("ssl.keystore.type", "")).strip().upper()
    if ktype == "PKCS12" or (ktype == "" and loc.lower().endswith((".p12", ".pfx"))):
        conf["ssl.keystore.location"] = loc
        if "ssl.keystore.password" in props:
            conf["ssl.keystore.password"] = str(props["ssl.keystore.password"])
        return
    if ktype in ("", "PEM") and _is_pem(loc):
        conf["ssl.certificate.location"] = loc
        conf["ssl.key.location"] = loc
        return
    raise ConfigException(
        f"Invalid value {loc} for configuration ssl.keystore.location: JKS key stores are not supported; "
        "use ssl.keystore.type=PKCS12 or PEM",
        "ssl.keystore.location",
        loc,
    )


_VALUE_FIXES: dict[str, Callable[[str], str]] = {
    "security.protocol": lambda v: v.strip().lower(),
    "sasl.mechanisms": lambda v: v.strip().upper(),
    "auto.offset.reset": lambda v: "error" if v.strip().lower() == "none" else v.strip().lower(),
    "ssl.endpoint.identification.algorithm": lambda v: v.strip().lower() or "none",
}


def translate(props: Mapping[str, Any], role: Role) -> ClientConfig:
    """Translate Java client settings for a ``role`` client; raise ConfigException naming a bad key."""
    out = ClientConfig()
    conf = out.conf
    for key, raw in props.items():
        if raw is None:
            continue
        sval = raw.value if isinstance(raw, Password) else str(raw)
        if key == "max.poll.records":
            n = _int(key, sval)
            if n < 1:
                raise ConfigException(f"Invalid value {sval} for configuration {key}: Value must be at least 1", key)
            out.max_poll_records = n
        elif key in ("security.protocol", "auto.offset.reset", "ssl.endpoint.identification.algorithm"):
            conf[key] = _VALUE_FIXES[key](sval)
        elif key == "sasl.mechanism" or key == "sasl.mechanisms":
            conf["sasl.mechanisms"] = _VALUE_FIXES["sasl.mechanisms"](sval)
        elif key == "sasl.jaas.config":
            module, opts = _parse_jaas(sval)
            simple = module.rsplit(".", 1)[-1]
            if simple in ("PlainLoginModule", "ScramLoginModule"):
                if "username" not in opts or "password" not in opts:
                    raise ConfigException(
                        f"Invalid value for configuration sasl.jaas.config: {simple} needs username and password",
                        key,
                    )
                conf["sasl.username"] = opts["username"]
                conf["sasl.password"] = opts["password"]
            else:
                raise ConfigException(
                    f"Invalid value for configuration sasl.jaas.config: login module {module} is not supported "
                    "(PlainLoginModule and ScramLoginModule are)",
                    key,
                )
        elif key == "ssl.truststore.location":
            _translate_truststore(props, conf)
        elif key == "ssl.keystore.location":
            _translate_keystore(props, conf)
        elif key == "buffer.memory":
            conf["queue.buffering.max.kbytes"] = max(1, _int(key, sval) // 1024)
        elif key == "partition.assignment.strategy":
            names = []
            for part in (p.strip() for p in sval.split(",") if p.strip()):
                if part not in _ASSIGNORS:
                    raise ConfigException(
                        f"Invalid value {part} for configuration {key}: supported assignors are RangeAssignor, "
                        "RoundRobinAssignor and CooperativeStickyAssignor",
                        key,
                        part,
                    )
                names.append(_ASSIGNORS[part])
            conf[key] = ",".join(names)
        elif key == "request.timeout.ms":
            if role == "producer":
                conf[key] = sval
            elif role == "admin":
                conf["socket.timeout.ms"] = sval
        elif key in RENAMED:
            conf[RENAMED[key]] = sval
        elif key in PASS_THROUGH:
            conf[key] = sval
        elif key in DROPPED:
            msg = f"Ignoring client setting {key}={sval}: {DROPPED[key]}"
            out.warnings.append(msg)
            log.warning(msg)
        elif key in _REJECTED:
            raise ConfigException(f"Client setting {key} is not supported: {_REJECTED[key]}", key)
        elif key.startswith("ssl.") and key in ("ssl.ca.pem", "ssl.certificate.pem", "ssl.key.pem"):
            conf[key] = sval
        else:
            raise ConfigException(
                f"Client setting {key} is not supported by genesis-worker's Kafka client (librdkafka); "
                "remove it or use the librdkafka equivalent",
                key,
            )
    if role != "producer":
        for k in ("acks", "linger.ms", "batch.size", "compression.type", "enable.idempotence", "retries"):
            conf.pop(k, None)
    if role == "admin":
        for k in (
            "group.id",
            "group.instance.id",
            "session.timeout.ms",
            "heartbeat.interval.ms",
            "max.poll.interval.ms",
        ):
            conf.pop(k, None)
    return out
