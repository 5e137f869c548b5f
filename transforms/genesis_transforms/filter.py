"""``org.apache.kafka.connect.transforms.Filter``: drops every record (use it with a predicate)."""

from __future__ import annotations

from typing import ClassVar

from genesis_worker.api.config import ConfigDef
from genesis_worker.api.records import ConnectRecord
from genesis_worker.api.transform import Transformation


class Filter(Transformation[ConnectRecord]):
    """Drops all records; with ``predicate``/``negate`` it drops only the matching ones."""

    java_class_names: ClassVar[tuple[str, ...]] = ("org.apache.kafka.connect.transforms.Filter",)

    def config(self) -> ConfigDef:
        return ConfigDef()

    def apply(self, record: ConnectRecord) -> ConnectRecord | None:
        return None
