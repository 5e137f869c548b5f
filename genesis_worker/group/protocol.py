"""Connect group member metadata and member assignment codecs (protocols ``default``/V0,
``compatible``/V1 and ``sessioned``/V2), byte-compatible with Java's ``ConnectProtocol`` and
``IncrementalCooperativeConnectProtocol``.

All fields are big-endian, non-flexible Kafka protocol types. Readers are tolerant: any header
version >= 0 is accepted, missing trailing V1/V2 fields take their defaults, extra trailing bytes are
ignored.

>>> state = WorkerState(url="http://w1:8083/", offset=5)
>>> encode_metadata(state, 0).hex()
'0000000f687474703a2f2f77313a383038332f0000000000000005'
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from genesis_worker.model.ids import ConnectorTaskId

CONNECTOR_TASK = -1
"""Task id that stands for the connector instance itself inside a ConnectorAssignment entry."""

NO_ERROR = 0
CONFIG_MISMATCH = 1

CONNECT_PROTOCOL_TYPE = "connect"


class ConnectProtocolCompatibility(enum.Enum):
    """The three Connect sub-protocols: (protocol name, version number)."""

    EAGER = ("default", 0)
    COMPATIBLE = ("compatible", 1)
    SESSIONED = ("sessioned", 2)

    @property
    def protocol(self) -> str:
        return self.value[0]

    @property
    def version(self) -> int:
        return self.value[1]

    @classmethod
    def from_protocol(cls, name: str) -> ConnectProtocolCompatibility:
        for member in cls:
            if member.protocol == name:
                return member
        raise ValueError(f"unknown Connect protocol {name!r}")

    @classmethod
    def from_mode(cls, mode: str) -> ConnectProtocolCompatibility:
        """``connect.protocol`` worker config value (``eager``/``compatible``/``sessioned``)."""
        mode = mode.strip().lower()
        if mode == "eager":
            return cls.EAGER
        return cls.from_protocol(mode)

    @classmethod
    def from_version(cls, version: int) -> ConnectProtocolCompatibility:
        for member in cls:
            if member.version == version:
                return member
        raise ValueError(f"unknown Connect protocol version {version}")


@dataclass(frozen=True)
class ConnectAssignment:
    """A member assignment. V0 ``default`` uses only the base fields; V1/V2 add revocations and delay.

    ``connectors``/``tasks`` are the items assigned by this message (V0: everything the member should
    run; V1/V2: only the newly added items).
    """

    version: int
    error: int
    leader: str
    leader_url: str
    offset: int
    connectors: tuple[str, ...] = ()
    tasks: tuple[ConnectorTaskId, ...] = ()
    revoked_connectors: tuple[str, ...] = ()
    revoked_tasks: tuple[ConnectorTaskId, ...] = ()
    delay: int = 0

    @property
    def failed(self) -> bool:
        return self.error != NO_ERROR

    def with_version(self, version: int) -> ConnectAssignment:
        return ConnectAssignment(
            version,
            self.error,
            self.leader,
            self.leader_url,
            self.offset,
            self.connectors,
            self.tasks,
            self.revoked_connectors,
            self.revoked_tasks,
            self.delay,
        )


# Java names: the extended (V1/V2) assignment is the same class here.
ExtendedAssignment = ConnectAssignment


@dataclass(frozen=True)
class WorkerState:
    """Member metadata. ``allocation`` (V1/V2 only) is the member's currently running set, or None."""

    url: str
    offset: int
    allocation: ConnectAssignment | None = None
    version: int = field(default=0, compare=False)


ExtendedWorkerState = WorkerState


class SchemaError(ValueError):
    """The bytes do not follow the Connect schema."""


# ---------------------------------------------------------------------------------------------
# primitive writers / readers


def _w_int16(out: bytearray, v: int) -> None:
    out += struct.pack(">h", v)


def _w_int32(out: bytearray, v: int) -> None:
    out += struct.pack(">i", v)


def _w_int64(out: bytearray, v: int) -> None:
    out += struct.pack(">q", v)


def _w_string(out: bytearray, s: str) -> None:
    b = s.encode("utf-8")
    if len(b) > 0x7FFF:
        raise SchemaError("string too long")
    _w_int16(out, len(b))
    out += b


class _Reader:
    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._pos = 0

    @property
    def exhausted(self) -> bool:
        return self._pos >= len(self._data)

    def _take(self, n: int) -> memoryview:
        if n < 0 or self._pos + n > len(self._data):
            raise SchemaError(f"buffer underflow reading {n} bytes at {self._pos}")
        chunk = self._data[self._pos : self._pos + n]
        self._pos += n
        return chunk

    def int16(self) -> int:
        return int(struct.unpack(">h", self._take(2))[0])

    def int32(self) -> int:
        return int(struct.unpack(">i", self._take(4))[0])

    def int64(self) -> int:
        return int(struct.unpack(">q", self._take(8))[0])

    def string(self) -> str:
        n = self.int16()
        if n < 0:
            raise SchemaError("null STRING")
        return bytes(self._take(n)).decode("utf-8")

    def nullable_bytes(self) -> bytes | None:
        n = self.int32()
        if n == -1:
            return None
        if n < 0:
            raise SchemaError(f"invalid bytes length {n}")
        return bytes(self._take(n))


# ---------------------------------------------------------------------------------------------
# ConnectorAssignment arrays


def _group_by_connector(connectors: Iterable[str], tasks: Iterable[ConnectorTaskId]) -> list[tuple[str, list[int]]]:
    entries: dict[str, list[int]] = {}
    for c in connectors:
        if c not in entries:
            entries[c] = [CONNECTOR_TASK]
    for t in tasks:
        entries.setdefault(t.connector, []).append(t.task)
    return list(entries.items())


def _w_connector_assignments(out: bytearray, connectors: Sequence[str], tasks: Sequence[ConnectorTaskId]) -> None:
    entries = _group_by_connector(connectors, tasks)
    _w_int32(out, len(entries))
    for name, ids in entries:
        _w_string(out, name)
        _w_int32(out, len(ids))
        for i in ids:
            _w_int32(out, i)


def _r_connector_assignments(
    r: _Reader, *, nullable: bool
) -> tuple[tuple[str, ...], tuple[ConnectorTaskId, ...]] | None:
    n = r.int32()
    if n == -1 and nullable:
        return None
    if n < 0:
        raise SchemaError(f"invalid array length {n}")
    connectors: list[str] = []
    tasks: list[ConnectorTaskId] = []
    for _ in range(n):
        name = r.string()
        m = r.int32()
        if m < 0:
            raise SchemaError(f"invalid array length {m}")
        for _ in range(m):
            tid = r.int32()
            if tid == CONNECTOR_TASK:
                connectors.append(name)
            else:
                tasks.append(ConnectorTaskId(name, tid))
    return tuple(connectors), tuple(tasks)


# ---------------------------------------------------------------------------------------------
# assignments


def encode_assignment(assignment: ConnectAssignment) -> bytes:
    """Serialize with the layout of ``assignment.version`` (0: V0; >= 1: V1/V2 with non-null arrays)."""
    out = bytearray()
    _w_int16(out, assignment.version)
    _w_int16(out, assignment.error)
    _w_string(out, assignment.leader)
    _w_string(out, assignment.leader_url)
    _w_int64(out, assignment.offset)
    _w_connector_assignments(out, assignment.connectors, assignment.tasks)
    if assignment.version >= 1:
        _w_connector_assignments(out, assignment.revoked_connectors, assignment.revoked_tasks)
        _w_int32(out, assignment.delay)
    return bytes(out)


def decode_assignment(data: bytes) -> ConnectAssignment:
    """Read any assignment (V0, V1, V2, future) with Java's tolerant V1 reader."""
    r = _Reader(data)
    version = r.int16()
    if version < 0:
        raise SchemaError(f"unsupported Connect assignment version {version}")
    error = r.int16()
    leader = r.string()
    leader_url = r.string()
    offset = r.int64()
    connectors: tuple[str, ...] = ()
    tasks: tuple[ConnectorTaskId, ...] = ()
    revoked_c: tuple[str, ...] = ()
    revoked_t: tuple[ConnectorTaskId, ...] = ()
    delay = 0
    if version == 0:
        got = _r_connector_assignments(r, nullable=False)
        assert got is not None
        connectors, tasks = got
    else:
        if not r.exhausted:
            got = _r_connector_assignments(r, nullable=True)
            if got is not None:
                connectors, tasks = got
        if not r.exhausted:
            got = _r_connector_assignments(r, nullable=True)
            if got is not None:
                revoked_c, revoked_t = got
        if not r.exhausted:
            delay = r.int32()
    return ConnectAssignment(version, error, leader, leader_url, offset, connectors, tasks, revoked_c, revoked_t, delay)


# ---------------------------------------------------------------------------------------------
# metadata


def encode_metadata(state: WorkerState, version: int) -> bytes:
    """Member metadata for ``version`` (0 ``default``, 1 ``compatible``, 2 ``sessioned``).

    For V1/V2 the nested allocation is written with the same header version as the metadata.
    """
    out = bytearray()
    _w_int16(out, version)
    _w_string(out, state.url)
    _w_int64(out, state.offset)
    if version >= 1:
        if state.allocation is None:
            _w_int32(out, -1)
        else:
            nested = encode_assignment(state.allocation.with_version(version))
            _w_int32(out, len(nested))
            out += nested
    return bytes(out)


def decode_metadata(data: bytes) -> WorkerState:
    """Read V0/V1/V2 metadata (tolerant: a missing allocation is null, trailing bytes are ignored)."""
    r = _Reader(data)
    version = r.int16()
    if version < 0:
        raise SchemaError(f"unsupported Connect metadata version {version}")
    url = r.string()
    offset = r.int64()
    allocation: ConnectAssignment | None = None
    if version >= 1 and not r.exhausted:
        raw = r.nullable_bytes()
        if raw is not None:
            allocation = decode_assignment(raw)
    return WorkerState(url=url, offset=offset, allocation=allocation, version=version)


def metadata_protocols(compatibility: ConnectProtocolCompatibility, state: WorkerState) -> list[tuple[str, bytes]]:
    """The JoinGroup ``protocols`` list, in preference order, for the configured ``connect.protocol``."""
    ordered = [
        p
        for p in (
            ConnectProtocolCompatibility.SESSIONED,
            ConnectProtocolCompatibility.COMPATIBLE,
            ConnectProtocolCompatibility.EAGER,
        )
        if p.version <= compatibility.version
    ]
    return [(p.protocol, encode_metadata(state, p.version)) for p in ordered]
