"""Ownership: every pipeline names its owner and its ticket (its history is kept by ``history.py``).

The keys live in the connector config itself (``genesis.owner``, ``genesis.ticket``,
``genesis.description``), so they travel with the config through the config topic, Java workers ignore
them, and any Connect tool can set them. With the worker setting ``genesis.ownership.required=true`` a
connector without an owner or ticket is rejected by validation (400 on create/update): the
:class:`OwnershipPolicy` the Genesis layer registers with the herder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from genesis_worker.api.config import ConfigDef, ConfigType, ConfigValue, Importance, Width
from genesis_worker.herder.policy import ConnectorConfigPolicy

OWNER_CONFIG = "genesis.owner"
TICKET_CONFIG = "genesis.ticket"
DESCRIPTION_CONFIG = "genesis.description"
REQUIRED_WORKER_CONFIG = "genesis.ownership.required"
GROUP = "Genesis"

OWNERSHIP_CONFIG_DEF = (
    ConfigDef()
    .define(
        OWNER_CONFIG,
        ConfigType.STRING,
        None,
        None,
        Importance.HIGH,
        "Who owns this pipeline (a person or team, e.g. an e-mail address).",
        GROUP,
        1,
        Width.MEDIUM,
        "Owner",
    )
    .define(
        TICKET_CONFIG,
        ConfigType.STRING,
        None,
        None,
        Importance.HIGH,
        "The ticket that asked for this pipeline or its last change (e.g. ADS-1234).",
        GROUP,
        2,
        Width.SHORT,
        "Ticket",
    )
    .define(
        DESCRIPTION_CONFIG,
        ConfigType.STRING,
        None,
        None,
        Importance.LOW,
        "What this pipeline is for.",
        GROUP,
        3,
        Width.LONG,
        "Description",
    )
)


def ownership_errors(config: Mapping[str, Any], required: bool) -> dict[str, str]:
    """Validation errors by key: empty when ownership is optional or both keys are set."""
    if not required:
        return {}
    errors = {}
    for key, what in ((OWNER_CONFIG, "an owner"), (TICKET_CONFIG, "a ticket")):
        if not str(config.get(key) or "").strip():
            errors[key] = (
                f'Missing required configuration "{key}": every pipeline must name {what} '
                f"(this worker sets {REQUIRED_WORKER_CONFIG}=true)."
            )
    return errors


def apply_ownership_errors(values: list[ConfigValue], config: Mapping[str, Any], required: bool) -> None:
    """Attach :func:`ownership_errors` to the validated values of those keys."""
    errors = ownership_errors(config, required)
    for v in values:
        if v.name in errors:
            v.add_error(errors[v.name])


class OwnershipPolicy(ConnectorConfigPolicy):
    """The ownership keys, validated like the connector's own. They appear only when the worker requires
    ownership or the config uses them, so Java-style configs get exactly Java's answer."""

    def __init__(self, required: bool) -> None:
        self.required = required

    def validate(self, config: Mapping[str, Any]) -> tuple[ConfigDef, list[ConfigValue]] | None:
        if not self.required and not any(str(k).startswith("genesis.") for k in config):
            return None
        values = OWNERSHIP_CONFIG_DEF.validate(config)
        apply_ownership_errors(values, config, self.required)
        return OWNERSHIP_CONFIG_DEF, values


@dataclass(frozen=True)
class Ownership:
    owner: str | None
    ticket: str | None
    description: str | None

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> Ownership:
        def get(k: str) -> str | None:
            v = config.get(k)
            return str(v) if v not in (None, "") else None

        return cls(get(OWNER_CONFIG), get(TICKET_CONFIG), get(DESCRIPTION_CONFIG))

    def to_json(self) -> dict[str, str | None]:
        return {"owner": self.owner, "ticket": self.ticket, "description": self.description}
