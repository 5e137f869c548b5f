"""Config providers: the three built-ins with Kafka's names, the transformer's rules (unknown provider or
key: left as written; failing provider: ConfigException), worker.properties resolving its own
placeholders, and task configs getting their placeholders back before they are stored."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from genesis_worker.api import ConfigException
from genesis_worker.api.config_provider import ConfigData, ConfigProvider
from genesis_worker.config.providers import (
    ConfigTransformer,
    DirectoryConfigProvider,
    EnvVarConfigProvider,
    FileConfigProvider,
    instantiate_providers,
    provider_class,
    reverse_transform,
)
from genesis_worker.config.worker_config import WorkerConfig

BASE = {
    "offset.storage.file.filename": "/tmp/x",
    "key.converter": "StringConverter",
    "value.converter": "StringConverter",
}


class CountingProvider(ConfigProvider):
    """A custom provider found by dotted path; counts get() calls (one per provider and path)."""

    calls: list[tuple[str | None, list[str] | None]] = []

    def configure(self, configs: dict[str, str]) -> None:
        self.prefix = configs.get("prefix", "")

    def get(self, path: str | None, keys: Iterable[str] | None = None) -> ConfigData:
        CountingProvider.calls.append((path, None if keys is None else sorted(keys)))
        return ConfigData({k: f"{self.prefix}{path}/{k}" for k in keys or ()})


def test_file_provider_reads_a_properties_file(tmp_path: Path) -> None:
    f = tmp_path / "db.properties"
    f.write_text("user = admin\npassword=s3cr\\=t\n# comment\n")
    t = ConfigTransformer({"file": FileConfigProvider()})
    out = t.transform(
        {
            "connection.uri": f"mongodb://${{file:{f}:user}}:${{file:{f}:password}}@h",
            "missing.key": f"${{file:{f}:nope}}",
            "unknown.provider": "${vault:/x:y}",
            "plain": "no $ here {}",
            "number": 5,
        }
    ).data
    assert out == {
        "connection.uri": "mongodb://admin:s3cr=t@h",
        "missing.key": f"${{file:{f}:nope}}",  # Kafka keeps a placeholder it cannot resolve
        "unknown.provider": "${vault:/x:y}",
        "plain": "no $ here {}",
        "number": 5,
    }
    with pytest.raises(ConfigException, match="Could not read properties from file /nonexistent"):
        t.transform({"a": "${file:/nonexistent/x.properties:k}"})


def test_file_and_directory_providers_honour_allowed_paths(tmp_path: Path) -> None:
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "a.properties").write_text("k=v\n")
    (tmp_path / "no.properties").write_text("k=v\n")
    p = FileConfigProvider()
    p.configure({"allowed.paths": str(tmp_path / "ok")})
    assert p.get(str(tmp_path / "ok" / "a.properties"), ["k"]).data == {"k": "v"}
    with pytest.raises(ConfigException, match="is not allowed to be accessed"):
        p.get(str(tmp_path / "ok" / ".." / "no.properties"), ["k"])
    with pytest.raises(ConfigException, match="not absolute"):
        FileConfigProvider().configure({"allowed.paths": "relative/dir"})


def test_directory_provider_reads_one_file_per_key(tmp_path: Path) -> None:
    (tmp_path / "db_password").write_text("pw\n")
    (tmp_path / "token").write_text("t0k")
    (tmp_path / "sub").mkdir()
    p = DirectoryConfigProvider()
    p.configure({})
    assert p.get(str(tmp_path)).data == {"db_password": "pw\n", "token": "t0k"}
    assert p.get(str(tmp_path), ["token", "sub", "absent"]).data == {"token": "t0k"}
    assert p.get(str(tmp_path / "absent")).data == {}


def test_env_provider_allowlist_and_no_path() -> None:
    p = EnvVarConfigProvider({"DB_PW": "x", "HOME": "/root", "DB_USER": "u"})
    p.configure({"allowlist.pattern": "DB_.*"})
    assert p.get(None).data == {"DB_PW": "x", "DB_USER": "u"}
    t = ConfigTransformer({"env": p})
    assert t.transform({"a": "${env:DB_PW}", "b": "${env:HOME}"}).data == {"a": "x", "b": "${env:HOME}"}
    with pytest.raises(ConfigException, match="Path is not supported for EnvVarConfigProvider"):
        p.get("/etc", ["DB_PW"])


def test_providers_by_java_name_short_name_and_dotted_path() -> None:
    assert provider_class("org.apache.kafka.common.config.provider.FileConfigProvider") is FileConfigProvider
    assert provider_class("DirectoryConfigProvider") is DirectoryConfigProvider
    assert provider_class(f"{__name__}.CountingProvider") is CountingProvider
    with pytest.raises(ConfigException, match="could not be found or is not a ConfigProvider"):
        provider_class("com.example.NoSuchProvider")
    with pytest.raises(ConfigException, match=r"config\.providers\.x\.class"):
        instantiate_providers({"config.providers": "x"})


def test_one_get_per_provider_and_path() -> None:
    CountingProvider.calls.clear()
    providers = instantiate_providers(
        {
            "config.providers": "c",
            "config.providers.c.class": f"{__name__}.CountingProvider",
            "config.providers.c.param.prefix": "P:",
        }
    )
    out = ConfigTransformer(providers).transform({"a": "${c:p1:x}-${c:p1:y}", "b": "${c:p1:x}", "c": "${c:k}"}).data
    assert out == {"a": "P:p1/x-P:p1/y", "b": "P:p1/x", "c": "P:None/k"}
    assert sorted(CountingProvider.calls, key=str) == sorted([("p1", ["x", "y"]), (None, ["k"])], key=str)


def test_worker_properties_resolve_their_own_placeholders(tmp_path: Path) -> None:
    f = tmp_path / "worker-secrets.properties"
    f.write_text("bootstrap=broker-1:9092\n")
    cfg = WorkerConfig(
        {
            "config.providers": "file",
            "config.providers.file.class": "org.apache.kafka.common.config.provider.FileConfigProvider",
            "bootstrap.servers": f"${{file:{f}:bootstrap}}",
            **BASE,
        }
    )
    assert cfg.get("bootstrap.servers") == ["broker-1:9092"]
    conn = {"connection.password": f"${{file:{f}:bootstrap}}", "name": "c"}
    assert cfg.transform_connector_config(conn) == {"connection.password": "broker-1:9092", "name": "c"}
    plain = WorkerConfig({**BASE, "bootstrap.servers": "b:1"})
    assert plain.config_transformer() is None
    assert plain.transform_connector_config(conn) == conn


def test_task_configs_get_placeholders_back_for_shared_keys() -> None:
    raw = {"file": "${file:/s.properties:out}", "topics": "t", "token": "${env:TOKEN}"}
    tasks = [{"file": "/data/out.txt", "topics": "t", "task.class": "X"}, {"other": "1"}]
    assert reverse_transform(raw, tasks) == [
        {"file": "${file:/s.properties:out}", "topics": "t", "task.class": "X"},
        {"other": "1"},
    ]
    assert reverse_transform({"a": "b"}, tasks) is tasks
