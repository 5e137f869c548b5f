"""A small synchronous Confluent Schema Registry client with caches, for :class:`AvroConverter`.

Converters run synchronously inside task loops, so this uses blocking HTTP (``urllib``); every answer
is cached, so the registry is asked once per schema (registration, lookup and id -> schema), and the
latest version of a subject once per client (Confluent's default ``latest.cache.ttl.sec=-1``).
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from genesis_worker.api.errors import DataException

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


class SchemaRegistryError(DataException):
    """The registry answered with an error (``error_code`` as Confluent's, e.g. 40401 subject not found)."""

    def __init__(self, status: int, error_code: int, message: str) -> None:
        super().__init__(f"{message}; error code: {error_code}")
        self.status = status
        self.error_code = error_code


class SchemaRegistryClient:
    """Register, look up and fetch Avro schemas; the schema text is the cache key."""

    def __init__(self, urls: list[str], user_info: str | None = None, timeout: float = 30.0) -> None:
        if not urls:
            raise DataException("schema.registry.url must name at least one registry")
        self.urls = [u.rstrip("/") for u in urls]
        self.timeout = timeout
        self._auth = "Basic " + base64.b64encode(user_info.encode()).decode() if user_info else None
        self._lock = threading.Lock()
        self._ids: dict[tuple[str, str], int] = {}
        self._schemas: dict[int, str] = {}
        self._latest: dict[str, tuple[int, int, str]] = {}
        self.requests = 0

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Accept": CONTENT_TYPE, "Content-Type": CONTENT_TYPE}
        if self._auth:
            headers["Authorization"] = self._auth
        last: Exception | None = None
        for base in self.urls:
            req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
            self.requests += 1
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    return json.loads(resp.read() or b"null")
            except urllib.error.HTTPError as e:
                try:
                    err = json.loads(e.read() or b"{}")
                except ValueError:
                    err = {}
                raise SchemaRegistryError(
                    e.code, int(err.get("error_code", e.code)), str(err.get("message", e.reason))
                ) from None
            except (urllib.error.URLError, OSError) as e:
                last = e
        raise DataException(f"Cannot reach the schema registry at {', '.join(self.urls)}: {last}")

    @staticmethod
    def _subject(subject: str) -> str:
        return urllib.parse.quote(subject, safe="")

    def register(self, subject: str, schema: str) -> int:
        """``POST /subjects/{subject}/versions``: the id of ``schema`` (registering it if new)."""
        key = (subject, schema)
        with self._lock:
            if key in self._ids:
                return self._ids[key]
        answer = self._call("POST", f"/subjects/{self._subject(subject)}/versions", {"schema": schema})
        schema_id = int(answer["id"])
        with self._lock:
            self._ids[key] = schema_id
            self._schemas.setdefault(schema_id, schema)
        return schema_id

    def lookup(self, subject: str, schema: str) -> int:
        """``POST /subjects/{subject}``: the id of an already registered ``schema``."""
        key = (subject, schema)
        with self._lock:
            if key in self._ids:
                return self._ids[key]
        answer = self._call("POST", f"/subjects/{self._subject(subject)}", {"schema": schema})
        schema_id = int(answer["id"])
        with self._lock:
            self._ids[key] = schema_id
            self._schemas.setdefault(schema_id, schema)
        return schema_id

    def schema_by_id(self, schema_id: int) -> str:
        """``GET /schemas/ids/{id}``: the schema text."""
        with self._lock:
            if schema_id in self._schemas:
                return self._schemas[schema_id]
        answer = self._call("GET", f"/schemas/ids/{schema_id}")
        text = str(answer["schema"])
        with self._lock:
            self._schemas[schema_id] = text
        return text

    def latest(self, subject: str) -> tuple[int, int, str]:
        """``GET /subjects/{subject}/versions/latest``: (id, version, schema text)."""
        with self._lock:
            if subject in self._latest:
                return self._latest[subject]
        answer = self._call("GET", f"/subjects/{self._subject(subject)}/versions/latest")
        out = (int(answer["id"]), int(answer["version"]), str(answer["schema"]))
        with self._lock:
            self._latest[subject] = out
            self._schemas.setdefault(out[0], out[2])
        return out
