"""The single-message-transform chain of a connector: ``transforms=a,b`` with optional predicates.

Example::

    chain = build_transformation_chain(registry, config.transforms, config.predicates)
    if chain:                      # empty chains are skipped entirely by the task loops
        record = chain.apply(record)   # None = dropped
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from genesis_worker.api.errors import ConfigException, ConnectException
from genesis_worker.api.records import ConnectRecord
from genesis_worker.api.transform import Predicate, Transformation
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.runtime.connector_config import PluginConfig, TransformConfig
from genesis_worker.runtime.connector_config_def import PREDICATE_CONFIG, PREDICATES_CONFIG, TRANSFORMS_CONFIG

__all__ = ["TransformationChain", "TransformationStage", "build_transformation_chain"]


@dataclass
class TransformationStage:
    """One transform, applied only when its predicate (if any) matches (inverted by ``negate``)."""

    alias: str
    transform: Transformation[Any]
    predicate: Predicate[Any] | None = None
    negate: bool = False

    @property
    def class_name(self) -> str:
        return type(self.transform).class_name()

    def apply(self, record: Any) -> Any:
        if self.predicate is not None and self.predicate.test(record) == self.negate:
            return record
        return self.transform.apply(record)

    def close(self) -> None:
        self.transform.close()
        if self.predicate is not None:
            self.predicate.close()


class TransformationChain:
    """An ordered list of stages; a stage returning None drops the record."""

    def __init__(self, stages: list[TransformationStage] | None = None) -> None:
        self.stages = stages or []
        # per record, a stage without a predicate is one call: the transform's own apply
        self._applies = [s.transform.apply if s.predicate is None else s.apply for s in self.stages]

    def __bool__(self) -> bool:
        return bool(self.stages)

    def __len__(self) -> int:
        return len(self.stages)

    def apply(self, record: ConnectRecord | None) -> Any:
        for apply in self._applies:
            if record is None:
                return None
            record = apply(record)
        return record

    def close(self) -> None:
        for stage in self.stages:
            try:
                stage.close()
            except Exception:  # closing must not hide the original problem
                pass


def build_transformation_chain(
    registry: PluginRegistry, transforms: Sequence[TransformConfig], predicates: Mapping[str, PluginConfig]
) -> TransformationChain:
    """Instantiate and configure the transforms (and their predicates) of a parsed connector config."""
    stages: list[TransformationStage] = []
    try:
        for spec in transforms:
            transform = cast(Transformation[Any], registry.resolve(spec.plugin.class_name, ("transformation",)).cls())
            transform.configure(dict(spec.plugin.configs))
            predicate: Predicate[Any] | None = None
            if spec.predicate:
                pspec = predicates.get(spec.predicate)
                if pspec is None:
                    raise ConfigException(
                        f"Invalid value {spec.predicate} for configuration "
                        f"{TRANSFORMS_CONFIG}.{spec.alias}.{PREDICATE_CONFIG}: "
                        f"the predicate alias is not listed in '{PREDICATES_CONFIG}'"
                    )
                predicate = cast(Predicate[Any], registry.resolve(pspec.class_name, ("predicate",)).cls())
                predicate.configure(dict(pspec.configs))
            stages.append(TransformationStage(spec.alias, transform, predicate, spec.negate))
    except ConnectException:
        TransformationChain(stages).close()
        raise
    except Exception as e:
        TransformationChain(stages).close()
        raise ConnectException(str(e)) from e
    return TransformationChain(stages)
