"""KIP-891 plugin version requirements (``connector.plugin.version``, ``*.converter.plugin.version``),
parsed as Kafka does with Maven's ``VersionRange``: ``latest`` or nothing = any version; ``1.2`` = exactly
1.2; ``[1.0,2.0)``, ``[1.5,)``, ``(,1.0],[1.2,)`` = ranges. Error texts are Maven's.

genesis-worker holds one version of each plugin, so a requirement either matches it or names a version
that is not installed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering


class InvalidVersionSpecification(ValueError):
    """Maven's InvalidVersionSpecificationException."""


@total_ordering
class Version:
    """A version compared like Maven's ComparableVersion for the common shapes: numeric parts compared as
    numbers (trailing zeros ignored), a qualifier (``-rc1``, ``-SNAPSHOT``) sorting before the release."""

    def __init__(self, text: str) -> None:
        self.text = text.strip()
        main, _, qualifier = self.text.partition("-")
        nums: list[int] = []
        for part in main.split("."):
            m = re.match(r"\d+", part)
            nums.append(int(m.group()) if m else 0)
            if m is None or m.end() != len(part):
                qualifier = (part[m.end() :] if m else part) + ("-" + qualifier if qualifier else "")
                break
        while nums and nums[-1] == 0:
            nums.pop()
        q = qualifier.lower()
        self._key = (tuple(nums), 0 if q else 1, q)  # 1.0-rc1 < 1.0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self._key == other._key

    def __lt__(self, other: Version) -> bool:
        return self._key < other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class _Restriction:
    lower: Version | None
    lower_inclusive: bool
    upper: Version | None
    upper_inclusive: bool

    def contains(self, v: Version) -> bool:
        if self.lower is not None and (v < self.lower or (v == self.lower and not self.lower_inclusive)):
            return False
        return not (self.upper is not None and (v > self.upper or (v == self.upper and not self.upper_inclusive)))


@dataclass(frozen=True)
class VersionRange:
    spec: str
    restrictions: tuple[_Restriction, ...]

    def contains(self, version: str) -> bool:
        v = Version(version)
        return any(r.contains(v) for r in self.restrictions)


def _restriction(spec: str) -> _Restriction:
    lower_inclusive, upper_inclusive = spec.startswith("["), spec.endswith("]")
    inner = spec[1:-1].strip()
    if "," not in inner:
        if not (lower_inclusive and upper_inclusive):
            raise InvalidVersionSpecification(f"Single version must be surrounded by []: {spec}")
        v = Version(inner)
        return _Restriction(v, True, v, True)
    lo_text, _, hi_text = inner.partition(",")
    lo = Version(lo_text) if lo_text.strip() else None
    hi = Version(hi_text) if hi_text.strip() else None
    if lo is not None and hi is not None and (hi < lo or (hi == lo and not (lower_inclusive and upper_inclusive))):
        raise InvalidVersionSpecification(f"Range defies version ordering: {spec}")
    return _Restriction(lo, lower_inclusive, hi, upper_inclusive)


def parse_range(spec: str) -> tuple[list[_Restriction], str]:
    """Maven's ``VersionRange.createFromVersionSpec``: the restrictions and any soft version left over."""
    restrictions: list[_Restriction] = []
    rest = spec
    upper: Version | None = None
    while rest.startswith(("[", "(")):
        close_paren, close_bracket = rest.find(")"), rest.find("]")
        index = close_bracket
        if (close_bracket < 0 or close_paren < close_bracket) and close_paren >= 0:
            index = close_paren
        if index < 0:
            raise InvalidVersionSpecification(f"Unbounded range: {spec}")
        r = _restriction(rest[: index + 1])
        if upper is not None and (r.lower is None or r.lower < upper):
            raise InvalidVersionSpecification(f"Ranges overlap: {spec}")
        restrictions.append(r)
        upper = r.upper
        rest = rest[index + 1 :].strip()
        if rest.startswith(","):
            rest = rest[1:].strip()
    if rest and restrictions:
        raise InvalidVersionSpecification(f"Only fully-qualified sets allowed in multiple set scenario: {spec}")
    return restrictions, rest


def version_requirement(spec: str | None) -> VersionRange | None:
    """Kafka's ``PluginVersionUtils.connectorVersionRequirement``: None for no requirement (unset or
    ``latest``); a plain version is a hard requirement (``1.2`` = ``[1.2]``)."""
    if spec is None or spec == "latest":
        return None
    spec = spec.strip()
    restrictions, soft = parse_range(spec)
    if restrictions:
        return VersionRange(spec, tuple(restrictions))
    exact, _ = parse_range(f"[{soft}]")
    return VersionRange(spec, tuple(exact))


def unmet_requirement(spec: str | None, class_name: str, installed: str) -> str | None:
    """Connect's message when the installed ``installed`` version of ``class_name`` does not meet the
    requirement ``spec`` (None when it does, or there is none). Raises InvalidVersionSpecification."""
    requirement = version_requirement(spec)
    if requirement is None or requirement.contains(installed):
        return None
    return f"Plugin {class_name} not found that matches the version range {spec}, available versions: [{installed}]"
