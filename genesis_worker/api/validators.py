"""Config validators and recommenders, as Kafka's ``ConfigDef.Validator`` / ``ConfigDef.Recommender`` and
the stock validators (``Range``, ``ValidString``, ``ValidList``, ...), with Java's error messages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from genesis_worker.api.errors import ConfigException


class Validator(Protocol):
    def __call__(self, name: str, value: Any) -> None:
        """Raise :class:`ConfigException` if ``value`` is not acceptable for ``name``."""


class Recommender(Protocol):
    def valid_values(self, name: str, parsed: Mapping[str, Any]) -> list[Any]: ...

    def visible(self, name: str, parsed: Mapping[str, Any]) -> bool: ...


def invalid_value(name: str, value: Any, message: str) -> ConfigException:
    return ConfigException(f"Invalid value {java_str(value)} for configuration {name}: {message}", name, value)


def java_str(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(java_str(v) for v in value) + "]"
    return str(value)


@dataclass(frozen=True)
class Range:
    """Numeric range validator: ``Range.at_least(1)``, ``Range.between(0, 100)``."""

    min: float | None = None
    max: float | None = None

    @classmethod
    def at_least(cls, min_: float) -> Range:
        return cls(min_, None)

    @classmethod
    def between(cls, min_: float, max_: float) -> Range:
        return cls(min_, max_)

    def __call__(self, name: str, value: Any) -> None:
        if value is None:
            raise invalid_value(name, value, "Value must be non-null")
        if self.min is not None and value < self.min:
            raise invalid_value(name, value, f"Value must be at least {_num(self.min)}")
        if self.max is not None and value > self.max:
            raise invalid_value(name, value, f"Value must be no more than {_num(self.max)}")

    def __str__(self) -> str:
        if self.min is None:
            return f"[...,{_num(self.max)}]"
        if self.max is None:
            return f"[{_num(self.min)},...]"
        return f"[{_num(self.min)},...,{_num(self.max)}]"


def _num(v: float | None) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(v)
    return str(v)


@dataclass(frozen=True)
class ValidString:
    """Value must be one of ``valid`` (``ValidString.in_("a", "b")``)."""

    valid: tuple[str, ...]

    @classmethod
    def in_(cls, *valid: str) -> ValidString:
        return cls(tuple(valid))

    def __call__(self, name: str, value: Any) -> None:
        if value not in self.valid:
            raise invalid_value(name, value, "String must be one of: " + ", ".join(self.valid))

    def __str__(self) -> str:
        return "[" + ", ".join(self.valid) + "]"


@dataclass(frozen=True)
class CaseInsensitiveValidString:
    valid: tuple[str, ...]

    @classmethod
    def in_(cls, *valid: str) -> CaseInsensitiveValidString:
        return cls(tuple(valid))

    def __call__(self, name: str, value: Any) -> None:
        if value is None or str(value).upper() not in {v.upper() for v in self.valid}:
            raise invalid_value(name, value, "String must be one of (case insensitive): " + ", ".join(self.valid))

    def __str__(self) -> str:
        return "(case insensitive) [" + ", ".join(self.valid) + "]"


@dataclass(frozen=True)
class NonEmptyString:
    """A string that, when set, is not empty (null passes, as Java's ``NonEmptyString``)."""

    def __call__(self, name: str, value: Any) -> None:
        if value is not None and str(value).strip() == "":
            raise invalid_value(name, value, "String must be non-empty")

    def __str__(self) -> str:
        return "non-empty string"


@dataclass(frozen=True)
class NonEmptyStringWithoutControlChars:
    def __call__(self, name: str, value: Any) -> None:
        if value is None:
            raise invalid_value(name, value, "entry must be non null")
        s = str(value)
        if s == "":
            raise invalid_value(name, value, "String may not be empty")
        if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in s):
            raise invalid_value(
                name,
                value,
                "String may not contain control sequences but had the following ASCII chars: "
                + ", ".join(str(ord(c)) for c in s if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F),
            )

    def __str__(self) -> str:
        return "non-empty string without ISO control characters"


@dataclass(frozen=True)
class NonNullValidator:
    def __call__(self, name: str, value: Any) -> None:
        if value is None:
            raise invalid_value(name, value, "entry must be non null")

    def __str__(self) -> str:
        return "non-null string"


@dataclass(frozen=True)
class ValidList:
    """Each list element must pass ``item`` (e.g. a :class:`ValidString`)."""

    item: Validator
    allow_empty: bool = True

    def __call__(self, name: str, value: Any) -> None:
        if not self.allow_empty and not value:
            raise invalid_value(name, value, "Empty list")
        for v in value or []:
            self.item(name, v)

    def __str__(self) -> str:
        return str(self.item)


@dataclass(frozen=True)
class LambdaValidator:
    """A validator from a function and a description (``ConfigDef.LambdaValidator``)."""

    fn: Callable[[str, Any], None]
    description: str = ""

    def __call__(self, name: str, value: Any) -> None:
        self.fn(name, value)

    def __str__(self) -> str:
        return self.description


@dataclass(frozen=True)
class CompositeValidator:
    validators: tuple[Validator, ...]

    @classmethod
    def of(cls, *validators: Validator) -> CompositeValidator:
        return cls(tuple(validators))

    def __call__(self, name: str, value: Any) -> None:
        for v in self.validators:
            v(name, value)

    def __str__(self) -> str:
        return ", ".join(str(v) for v in self.validators)
