"""Config providers (KIP-297, KIP-421): resolving ``${provider:path:key}`` placeholders.

Built-in providers answer to Kafka's class names, so a worker.properties written for Java works as is:
``FileConfigProvider`` (a properties file), ``DirectoryConfigProvider`` (one file per key) and
``EnvVarConfigProvider`` (environment variables). Any other class is given as a dotted Python path to a
:class:`~genesis_worker.api.config_provider.ConfigProvider` subclass.

:class:`ConfigTransformer` is Kafka's ``ConfigTransformer``: placeholders of unknown providers, and keys a
provider does not have, stay as written; a provider that fails (a missing file) raises ConfigException. Its
result also carries the TTLs the providers gave (KIP-421), from which the worker schedules connector restarts.
:func:`reverse_transform` is ``Worker.reverseTransform``: task configs derived from a resolved connector
config get the placeholders back before they are stored, so secrets never reach the config topic.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genesis_worker.api.config_provider import ConfigData, ConfigProvider
from genesis_worker.api.errors import ConfigException
from genesis_worker.config.properties import parse_properties

CONFIG_PROVIDERS = "config.providers"
# Kafka's ConfigTransformer.DEFAULT_PATTERN: ${provider:[path:]key}
VARIABLE = re.compile(r"\$\{([^}]*?):(([^}]*?):)?([^}]*?)\}")

ALLOWED_PATHS = "allowed.paths"


class _AllowedPaths:
    """KIP-993 ``allowed.paths``: when set, files outside these directories are refused."""

    def __init__(self, configs: Mapping[str, str]) -> None:
        raw = str(configs.get(ALLOWED_PATHS) or "").strip()
        self.roots: list[Path] | None = None
        if raw:
            roots = [Path(p.strip()) for p in raw.split(",") if p.strip()]
            for r in roots:
                if not r.is_absolute():
                    raise ConfigException(f"Path {r} in {ALLOWED_PATHS} is not absolute")
            self.roots = [Path(os.path.normpath(r)) for r in roots]

    def check(self, path: str) -> Path:
        p = Path(os.path.normpath(path))
        if self.roots is not None and not any(p == r or r in p.parents for r in self.roots):
            raise ConfigException(f"{path} is not allowed to be accessed")
        return p


class _PathConfigProvider(ConfigProvider):
    """A provider whose paths are files or folders, limited by ``allowed.paths``."""

    def __init__(self) -> None:
        self._allowed = _AllowedPaths({})

    def configure(self, configs: Mapping[str, str]) -> None:
        self._allowed = _AllowedPaths(configs)


class FileConfigProvider(_PathConfigProvider):
    """Values from a Java properties file: ``${file:/etc/secrets/db.properties:password}``."""

    java_class_names = ("org.apache.kafka.common.config.provider.FileConfigProvider",)

    def get(self, path: str | None, keys: Iterable[str] | None = None) -> ConfigData:
        if not path:
            return ConfigData()
        file = self._allowed.check(path)
        try:
            props = parse_properties(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigException(f"Could not read properties from file {path}") from e
        if keys is None:
            return ConfigData(props)
        return ConfigData({k: props[k] for k in keys if k in props})


class DirectoryConfigProvider(_PathConfigProvider):
    """One value per regular file of a directory (Kubernetes secret volumes): ``${dir:/run/secrets:db_pw}``."""

    java_class_names = ("org.apache.kafka.common.config.provider.DirectoryConfigProvider",)

    def get(self, path: str | None, keys: Iterable[str] | None = None) -> ConfigData:
        if not path:
            return ConfigData()
        folder = self._allowed.check(path)
        if not folder.is_dir():
            return ConfigData()  # Java logs and returns nothing for a path that is not a directory
        wanted = None if keys is None else set(keys)
        data: dict[str, str] = {}
        try:
            for f in folder.iterdir():
                if f.is_file() and (wanted is None or f.name in wanted):
                    data[f.name] = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigException(f"Could not list directory {path}") from e
        return ConfigData(data)


class EnvVarConfigProvider(ConfigProvider):
    """Environment variables: ``${env:DB_PASSWORD}``; ``allowlist.pattern`` limits which may be read."""

    java_class_names = ("org.apache.kafka.common.config.provider.EnvVarConfigProvider",)

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = environ
        self._allow: re.Pattern[str] = re.compile(".*")

    def configure(self, configs: Mapping[str, str]) -> None:
        pattern = configs.get("allowlist.pattern")
        if pattern:
            try:
                self._allow = re.compile(pattern)
            except re.error as e:
                raise ConfigException(f"Invalid value {pattern} for configuration allowlist.pattern: {e}") from e

    def get(self, path: str | None, keys: Iterable[str] | None = None) -> ConfigData:
        if path:
            raise ConfigException(f"Path is not supported for EnvVarConfigProvider, invalid value '{path}'")
        env = os.environ if self._environ is None else self._environ
        visible = {k: v for k, v in env.items() if self._allow.fullmatch(k)}
        if keys is None:
            return ConfigData(visible)
        return ConfigData({k: visible[k] for k in keys if k in visible})


BUILTIN: tuple[type[ConfigProvider], ...] = (FileConfigProvider, DirectoryConfigProvider, EnvVarConfigProvider)


def provider_class(name: str) -> type[ConfigProvider]:
    """A provider class by Java name, short name or dotted Python path."""
    name = name.strip()
    for cls in BUILTIN:
        if name in cls.java_class_names or name == cls.__name__ or name == f"{cls.__module__}.{cls.__qualname__}":
            return cls
    module_name, _, attr = name.rpartition(".")
    obj: Any = None
    if module_name:
        try:
            obj = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError, ValueError):
            obj = None
    if not (isinstance(obj, type) and issubclass(obj, ConfigProvider)):
        raise ConfigException(f"Class {name} could not be found or is not a ConfigProvider.")
    return obj


def instantiate_providers(props: Mapping[str, Any]) -> dict[str, ConfigProvider]:
    """``config.providers=a,b`` with ``config.providers.a.class`` and ``config.providers.a.param.*``."""
    raw = props.get(CONFIG_PROVIDERS) or ""
    names = raw if isinstance(raw, list) else [n.strip() for n in str(raw).split(",")]
    out: dict[str, ConfigProvider] = {}
    for name in (n for n in names if n):
        cls_key = f"{CONFIG_PROVIDERS}.{name}.class"
        cls_name = props.get(cls_key)
        if not cls_name:
            raise ConfigException(f"Missing required configuration {cls_key} for config provider {name}")
        provider = provider_class(str(cls_name))()
        prefix = f"{CONFIG_PROVIDERS}.{name}.param."
        provider.configure({k[len(prefix) :]: str(v) for k, v in props.items() if k.startswith(prefix)})
        out[name] = provider
    return out


@dataclass(frozen=True)
class ConfigTransformerResult:
    """Kafka's ``ConfigTransformerResult``: the transformed configs, and the TTL (ms) a provider gave for
    each path read (``""`` for placeholders without a path); paths without a TTL are not in ``ttls``."""

    data: dict[str, Any]
    ttls: dict[str, int] = field(default_factory=dict)


class ConfigTransformer:
    """Replaces ``${provider:[path:]key}`` in config values with what the providers return."""

    def __init__(self, providers: Mapping[str, ConfigProvider]) -> None:
        self.providers = dict(providers)

    def transform(self, configs: Mapping[str, Any]) -> ConfigTransformerResult:
        wanted: dict[str, dict[str | None, set[str]]] = {}
        for value in configs.values():
            if isinstance(value, str) and "${" in value:
                for m in VARIABLE.finditer(value):
                    provider, path, key = m.group(1), m.group(3), m.group(4)
                    if provider in self.providers:
                        wanted.setdefault(provider, {}).setdefault(path, set()).add(key)
        if not wanted:
            return ConfigTransformerResult(dict(configs))
        found: dict[tuple[str, str | None], dict[str, str]] = {}
        ttls: dict[str, int] = {}
        for provider, by_path in wanted.items():
            for path, keys in by_path.items():
                got = self.providers[provider].get(path, sorted(keys))
                found[(provider, path)] = got.data
                if got.ttl is not None and got.ttl >= 0:  # keyed by path alone, as Java's
                    ttls[path or ""] = got.ttl

        def replace(m: re.Match[str]) -> str:
            value = found.get((m.group(1), m.group(3)), {}).get(m.group(4))
            return m.group(0) if value is None else value

        data = {k: VARIABLE.sub(replace, v) if isinstance(v, str) and "${" in v else v for k, v in configs.items()}
        return ConfigTransformerResult(data, ttls)

    def close(self) -> None:
        for p in self.providers.values():
            try:
                p.close()
            except Exception:  # closing is best effort, as Java's Utils.closeQuietly
                pass


def has_variables(value: Any) -> bool:
    return isinstance(value, str) and VARIABLE.search(value) is not None


def reverse_transform(
    raw_connector_config: Mapping[str, Any], task_configs: list[dict[str, str]]
) -> list[dict[str, str]]:
    """Put the connector config's placeholders back into task configs for the keys they share."""
    keys = [k for k, v in raw_connector_config.items() if has_variables(v)]
    if not keys:
        return task_configs
    out = []
    for cfg in task_configs:
        c = dict(cfg)
        for k in keys:
            if k in c:
                c[k] = raw_connector_config[k]
        out.append(c)
    return out


def resolve_own_variables(props: Mapping[str, Any]) -> dict[str, Any]:
    """KIP-421: a config's own ``config.providers`` resolve placeholders in the rest of it (worker.properties)."""
    if not props.get(CONFIG_PROVIDERS):
        return dict(props)
    transformer = ConfigTransformer(instantiate_providers(props))
    try:
        own = {k: v for k, v in props.items() if not k.startswith(CONFIG_PROVIDERS)}
        return {**props, **transformer.transform(own).data}
    finally:
        transformer.close()
