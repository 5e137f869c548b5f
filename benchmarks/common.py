"""Shared benchmark helpers: result records, statistics, ad-log data, Kafka helpers, /proc readings.

Results are plain dataclasses turned into JSON by :mod:`benchmarks.report`. A figure is always the median
of its runs with min and max; a comparison that cannot run is a :class:`NotMeasured` with the reason, never
a made-up number.
"""

from __future__ import annotations

import logging
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # tests.fixtures is imported from the repo root
    sys.path.insert(0, str(REPO_ROOT))

from confluent_kafka import Consumer, Producer  # noqa: E402
from confluent_kafka import TopicPartition as KTP  # noqa: E402

log = logging.getLogger("benchmarks")

_quiet = logging.getLogger("benchmarks.librdkafka")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False

# ------------------------------------------------------------------------------------------------------------
# results


@dataclass
class Figure:
    """One measured quantity: every run, summarised as median / min / max."""

    name: str
    unit: str
    runs: list[float]
    higher_is_better: bool = True
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "median": self.median,
            "min": min(self.runs),
            "max": max(self.runs),
            "runs": self.runs,
            "higher_is_better": self.higher_is_better,
            "note": self.note,
        }


@dataclass
class NotMeasured:
    """A figure or comparison that could not be measured, and why."""

    name: str
    why: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "not_measured": self.why}


@dataclass
class Ratio:
    """``numerator / denominator`` (medians of figures measured in the same run) against a target."""

    name: str
    numerator: str
    denominator: str
    value: float
    target: float | None = None
    target_text: str = ""
    higher_is_better: bool = True

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": self.value,
            "target": self.target,
            "target_text": self.target_text,
            "met": self.met,
        }


@dataclass
class BenchResult:
    """Everything one benchmark module produced."""

    name: str
    title: str
    params: dict[str, Any] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    not_measured: list[NotMeasured] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def figure(self, name: str) -> Figure | None:
        for f in self.figures:
            if f.name == name:
                return f
        return None

    def add(self, fig: Figure | NotMeasured) -> None:
        if isinstance(fig, Figure):
            self.figures.append(fig)
        else:
            self.not_measured.append(fig)

    def skip(self, name: str, why: str) -> None:
        log.warning("%s: not measured: %s", name, why)
        self.not_measured.append(NotMeasured(name, why))

    def ratio(
        self,
        name: str,
        numerator: str,
        denominator: str,
        *,
        target: float | None = None,
        target_text: str = "",
        higher_is_better: bool = True,
    ) -> None:
        """Add ``numerator / denominator`` if both figures were measured, else a NotMeasured entry."""
        a, b = self.figure(numerator), self.figure(denominator)
        if a is None or b is None or b.median == 0:
            missing = [n for n, f in ((numerator, a), (denominator, b)) if f is None]
            why = f"missing figure(s): {', '.join(missing)}" if missing else "denominator is 0"
            self.not_measured.append(NotMeasured(name, why))
            return
        self.ratios.append(
            Ratio(name, numerator, denominator, a.median / b.median, target, target_text, higher_is_better)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "params": self.params,
            "figures": [f.to_json() for f in self.figures],
            "ratios": [r.to_json() for r in self.ratios],
            "not_measured": [n.to_json() for n in self.not_measured],
            "notes": self.notes,
            "seconds": self.seconds,
        }


def measure_runs(name: str, unit: str, runs: int, fn: Callable[[], float], **kw: Any) -> Figure:
    """Call ``fn`` ``runs`` times and collect its results as a figure."""
    values = []
    for i in range(runs):
        v = fn()
        log.info("  %s run %d/%d: %.6g %s", name, i + 1, runs, v, unit)
        values.append(v)
    return Figure(name, unit, values, **kw)


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0..100) by linear interpolation between closest ranks."""
    s = sorted(values)
    if not s:
        raise ValueError("no values")
    k = (len(s) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# ------------------------------------------------------------------------------------------------------------
# ad-log data

EVENTS = ("impression",) * 16 + ("click",) * 3 + ("conversion",)
COUNTRIES = ("KR",) * 4 + ("JP",) * 2 + ("US",) * 2 + ("DE", "FR", "BR", "IN", "GB", "TW")
DEVICES = ("mobile", "mobile", "desktop", "tablet")
OSES = ("android", "ios", "windows", "macos", "linux")
PLACEMENTS = ("feed", "search", "banner_top", "banner_side", "video_pre", "native_list")

# the pipeline job of workload 1: keep KR/JP/US clicks and conversions + every KR record, 10 % by key hash
FILTER_CONDITION = 'value.country == "KR" or (value.event != "impression" and value.country in ["JP", "US"])'
SAMPLE_PERCENT = 10.0
INJECT_FIELD = "ingested_at"

# the all-kept jobs (benchmarks.pipeline_jobs): a filter every record passes, and the 3-SMT chain's edits
KEEP_ALL_FIELD = "bid_price"
KEEP_ALL_CONDITION = f"value.{KEEP_ALL_FIELD} >= 0"
SMT_TS_FIELD = "ingested_at"
SMT_EXCLUDE = ("session_id", "page")
RENAME_FROM, RENAME_TO = "user_id", "uid"
MASK_FIELD = "ad_id"


def _key_sampler() -> Callable[[bytes], bool]:
    """The KafkaSinkConnector's own hash-sample test (so every contender keeps exactly the same keys)."""
    from genesis_connectors.kafka.sampling import Sampler

    return Sampler(SAMPLE_PERCENT, "hash").keep_hash_bytes


in_sample: Callable[[bytes], bool] = _key_sampler()


def keep_record(value: dict[str, Any]) -> bool:
    """:data:`FILTER_CONDITION` in Python, for the raw loop and the peers."""
    c = value.get("country")
    return c == "KR" or (value.get("event") != "impression" and c in ("JP", "US"))


def adlog_records(n: int, seed: int = 42, start: int = 0) -> Iterator[tuple[bytes, bytes]]:
    """``n`` deterministic JSON ad logs of about 300 bytes as ``(key, value)``; key = user id."""
    rnd = random.Random(seed + start)
    choice, randint, rand = rnd.choice, rnd.randint, rnd.random
    base_ts = 1_764_000_000_000
    dumps = orjson.dumps
    for i in range(start, start + n):
        user = f"u{randint(0, 199_999):06d}"
        campaign = randint(1, 400)
        value = {
            "event_id": f"ev-{i:010d}",
            "event": choice(EVENTS),
            "ts": base_ts + i * 3,
            "user_id": user,
            "session_id": f"s{randint(0, 10**9):09d}",
            "ad_id": f"ad-{randint(1, 50_000):05d}",
            "campaign_id": f"cmp-{campaign:04d}",
            "advertiser_id": f"adv-{campaign % 97:03d}",
            "creative_id": f"cr-{randint(1, 20_000):05d}",
            "placement": choice(PLACEMENTS),
            "country": choice(COUNTRIES),
            "device": choice(DEVICES),
            "os": choice(OSES),
            "bid_price": round(rand() * 3, 4),
            "win_price": round(rand() * 2, 4),
            "currency": "USD",
            "page": f"https://shop.example.com/c/{randint(1, 999)}/p/{randint(1, 99999)}",
        }
        yield user.encode(), dumps(value)


def expected_pipeline_output(n: int, seed: int = 42) -> int:
    """How many of :func:`adlog_records` pass the filter and the 10 % key-hash sample."""
    loads = orjson.loads
    return sum(1 for k, v in adlog_records(n, seed) if in_sample(k) and keep_record(loads(v)))


# ------------------------------------------------------------------------------------------------------------
# Kafka helpers (confluent-kafka)

PRODUCER_DEFAULTS: dict[str, Any] = {
    "linger.ms": 5,
    "batch.size": 1_000_000,
    "queue.buffering.max.messages": 500_000,
    "compression.type": "lz4",
}


def producer(bootstrap: str, **extra: Any) -> Producer:
    return Producer({"bootstrap.servers": bootstrap, "logger": _quiet, **PRODUCER_DEFAULTS, **extra})


def produce_all(bootstrap: str, topic: str, records: Iterator[tuple[bytes, bytes]]) -> int:
    """Produce every ``(key, value)`` (key-hashed partitions) and wait for all acks; return the count."""
    p = producer(bootstrap, acks="all")
    n = 0
    errors: list[str] = []

    def on_ack(err: Any, _msg: Any) -> None:
        if err is not None:
            errors.append(str(err))

    for k, v in records:
        while True:
            try:
                p.produce(topic, v, k, on_delivery=on_ack)
                break
            except BufferError:
                p.poll(0.05)
        n += 1
        if n % 10_000 == 0:
            p.poll(0)
    p.flush(120)
    if errors:
        raise RuntimeError(f"{len(errors)} records not acknowledged, first: {errors[0]}")
    return n


_watermark_consumers: dict[str, Consumer] = {}


def _watermark_consumer(bootstrap: str) -> Consumer:
    """One long-lived consumer per cluster for watermark polling (a new client per poll costs ~100 ms)."""
    c = _watermark_consumers.get(bootstrap)
    if c is None:
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": unique("bench-wm"), "logger": _quiet})
        _watermark_consumers[bootstrap] = c
    return c


def end_offsets(bootstrap: str, topic: str, partitions: int | None = None) -> dict[int, tuple[int, int]]:
    """``{partition: (low, high)}`` watermarks of ``topic``."""
    c = _watermark_consumer(bootstrap)
    if partitions is None:
        md = c.list_topics(topic, timeout=10).topics[topic]
        if md.error is not None:
            raise RuntimeError(f"{topic}: {md.error}")
        parts = sorted(md.partitions)
    else:
        parts = list(range(partitions))
    return {p: c.get_watermark_offsets(KTP(topic, p), timeout=10, cached=False) for p in parts}


def close_clients() -> None:
    for c in _watermark_consumers.values():
        c.close()
    _watermark_consumers.clear()


def topic_count(bootstrap: str, topic: str) -> int:
    try:
        return sum(hi - lo for lo, hi in end_offsets(bootstrap, topic).values())
    except Exception:
        return 0


def wait_topic_count(
    bootstrap: str,
    topic: str,
    n: int,
    timeout: float,
    alive: Callable[[], bool] | None = None,
    interval: float = 0.25,
) -> int:
    """Poll the topic's watermarks until it holds ``n`` records; the count reached (raises on time-out)."""
    deadline = time.monotonic() + timeout
    count = 0
    while time.monotonic() < deadline:
        count = topic_count(bootstrap, topic)
        if count >= n:
            return count
        if alive is not None and not alive():
            raise RuntimeError(f"process died with {count}/{n} records in {topic}")
        time.sleep(interval)
    raise TimeoutError(f"{topic}: {count}/{n} records after {timeout:.0f}s")


def append_time_span(bootstrap: str, topic: str) -> tuple[int, int, int]:
    """``(first_ms, last_ms, count)``: broker append times of the first and last record of ``topic``.

    The topic must be created with ``message.timestamp.type=LogAppendTime`` so the timestamps are the
    broker's clock when each record arrived, whatever timestamp the writer kept.
    """
    wm = end_offsets(bootstrap, topic)
    c = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": unique("bench-span"),
            "enable.auto.commit": False,
            "logger": _quiet,
        }
    )
    first: list[int] = []
    last: list[int] = []
    try:
        for p, (lo, hi) in wm.items():
            if hi <= lo:
                continue
            for off, out in ((lo, first), (hi - 1, last)):
                c.assign([KTP(topic, p, off)])
                deadline = time.monotonic() + 20
                while time.monotonic() < deadline:
                    m = c.poll(1.0)
                    if m is None or m.error():
                        continue
                    out.append(m.timestamp()[1])
                    break
                else:
                    raise TimeoutError(f"could not read {topic}[{p}]@{off}")
    finally:
        c.close()
    if not first:
        raise RuntimeError(f"{topic} is empty")
    return min(first), max(last), sum(hi - lo for lo, hi in wm.values())


LOG_APPEND = {"message.timestamp.type": "LogAppendTime"}


def delete_topics(bootstrap: str, names: Sequence[str], timeout: float = 30.0) -> None:
    """Delete topics (best effort: a benchmark never fails on clean-up)."""
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": bootstrap, "logger": _quiet})  # type: ignore[dict-item]
    futures = admin.delete_topics(list(names), operation_timeout=timeout)
    for name, f in futures.items():
        try:
            f.result(timeout)
        except Exception as e:
            log.debug("deleting %s: %s", name, e)


# ------------------------------------------------------------------------------------------------------------
# /proc readings

_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICK = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    out.extend(int(x) for x in f.read().split())
            except OSError:
                pass
    except OSError:
        pass
    return out


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    seen = [pid]
    i = 0
    while i < len(seen):
        seen.extend(_children(seen[i]))
        i += 1
    return seen


def rss_bytes(pid: int, tree: bool = True) -> int:
    """Resident set size of ``pid`` (plus its descendants when ``tree``), from /proc/<pid>/statm."""
    total = 0
    for p in process_tree(pid) if tree else [pid]:
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * _PAGE
        except OSError:
            pass
    return total


def cpu_seconds(pid: int, tree: bool = True) -> float:
    """User + system CPU time used so far by ``pid`` (and descendants), from /proc/<pid>/stat."""
    total = 0
    for p in process_tree(pid) if tree else [pid]:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / _TICK


def self_cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


MB = 1024 * 1024


@dataclass
class Scale:
    """How big a benchmark run is: ``--quick`` shrinks everything for a smoke run."""

    records: int = 1_000_000
    runs: int = 3
    quick: bool = False
    contenders: tuple[str, ...] = ("genesis", "raw", "java", "quix")  # --contenders: which sides run

    def n(self, full: int, quick: int) -> int:
        return quick if self.quick else full
