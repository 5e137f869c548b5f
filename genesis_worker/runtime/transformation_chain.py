"""The single-message-transform chain of a connector: ``transforms=a,b`` with optional predicates.

Example::

    chain = build_transformation_chain(registry, connector_props)
    if chain:                      # empty chains are skipped entirely by the task loops
        record = chain.apply(record)   # None = dropped
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from genesis_worker.api.config import ConfigType, parse_type
from genesis_worker.api.errors import ConfigException, ConnectException
from genesis_worker.api.records import ConnectRecord
from genesis_worker.api.transform import Predicate, Transformation
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.runtime.connector_config import (
    NEGATE_CONFIG,
    PREDICATE_CONFIG,
    PREDICATES_CONFIG,
    TRANSFORMS_CONFIG,
)

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

    def __bool__(self) -> bool:
        return bool(self.stages)

    def __len__(self) -> int:
        return len(self.stages)

    def apply(self, record: ConnectRecord | None) -> Any:
        for stage in self.stages:
            if record is None:
                return None
            record = stage.apply(record)
        return record

    def close(self) -> None:
        for stage in self.stages:
            try:
                stage.close()
            except Exception:  # closing must not hide the original problem
                pass


def _strip(props: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix) :]: v for k, v in props.items() if k.startswith(prefix)}


def build_transformation_chain(registry: PluginRegistry, props: Mapping[str, Any]) -> TransformationChain:
    """Instantiate and configure the transforms (and their predicates) of a connector config."""
    aliases = parse_type(TRANSFORMS_CONFIG, props.get(TRANSFORMS_CONFIG, ""), ConfigType.LIST) or []
    predicate_aliases = set(parse_type(PREDICATES_CONFIG, props.get(PREDICATES_CONFIG, ""), ConfigType.LIST) or [])
    stages: list[TransformationStage] = []
    try:
        for alias in aliases:
            prefix = f"{TRANSFORMS_CONFIG}.{alias}."
            type_name = props.get(prefix + "type")
            if not type_name:
                raise ConfigException(f'Missing required configuration "{prefix}type" which has no default value.')
            transform = cast(Transformation[Any], registry.resolve(str(type_name), ("transformation",)).cls())
            configs = _strip(props, prefix)
            configs.pop("type", None)
            predicate_alias = configs.pop(PREDICATE_CONFIG, None)
            negate_raw = configs.pop(NEGATE_CONFIG, None)
            transform.configure(configs)
            predicate: Predicate[Any] | None = None
            if predicate_alias:
                if predicate_alias not in predicate_aliases:
                    raise ConfigException(
                        f"Invalid value {predicate_alias} for configuration {prefix}{PREDICATE_CONFIG}: "
                        f"the predicate alias is not listed in '{PREDICATES_CONFIG}'"
                    )
                pprefix = f"{PREDICATES_CONFIG}.{predicate_alias}."
                ptype = props.get(pprefix + "type")
                if not ptype:
                    raise ConfigException(f'Missing required configuration "{pprefix}type" which has no default value.')
                predicate = cast(Predicate[Any], registry.resolve(str(ptype), ("predicate",)).cls())
                pconf = _strip(props, pprefix)
                pconf.pop("type", None)
                predicate.configure(pconf)
            negate = str(negate_raw).strip().lower() == "true" if negate_raw is not None else False
            stages.append(TransformationStage(str(alias), transform, predicate, negate))
    except ConnectException:
        TransformationChain(stages).close()
        raise
    except Exception as e:
        TransformationChain(stages).close()
        raise ConnectException(str(e)) from e
    return TransformationChain(stages)
