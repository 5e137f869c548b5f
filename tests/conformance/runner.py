"""Run the REST scenario against one worker, and compare two runs (Java vs genesis) into a report."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tests.conformance.scenario import STEPS, Step

PLACEHOLDERS = ("in", "out", "topic")


@dataclass
class Result:
    status: int
    body: Any
    location: str | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def interesting_headers(headers: Any) -> dict[str, str]:
    """CORS, Vary, Allow and the configured test headers (names lower-cased, repeated values joined)."""
    out: dict[str, str] = {}
    for name in {n.lower() for n in headers}:
        if name.startswith("access-control-") or name in ("vary", "allow", "x-frame-options", "x-genesis-test"):
            values = headers.getall(name)
            if name in ("access-control-allow-methods", "allow"):
                values = [",".join(sorted(m.strip() for v in values for m in v.split(",")))]
            out[name] = ", ".join(values)
    return dict(sorted(out.items()))


@dataclass
class Difference:
    step: str
    kind: str  # "status" | "body" | "header"
    java: Any
    genesis: Any
    notes: list[str] = field(default_factory=list)


def substitute(obj: Any, variables: dict[str, str]) -> Any:
    if isinstance(obj, str):
        for key, value in variables.items():
            obj = obj.replace("{" + key + "}", value)
        return obj
    if isinstance(obj, dict):
        return {substitute(k, variables): substitute(v, variables) for k, v in obj.items()}
    if isinstance(obj, list):
        return [substitute(v, variables) for v in obj]
    return obj


def normalize(obj: Any, variables: dict[str, str], sort_lists: bool = False) -> Any:
    """Put placeholders back for per-worker values; mask worker ids and status plugin versions; drop traces."""
    if isinstance(obj, str):
        for key, value in sorted(variables.items(), key=lambda kv: -len(kv[1])):
            obj = obj.replace(value, "{" + key + "}")
        return obj
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k == "trace":
                continue
            if k == "worker_id":
                out[k] = "<worker>"
            elif k == "version" and "state" in obj:  # a status entry's plugin version (KIP-891): ours, not Kafka's
                out[k] = "<version>"
            else:
                out[k] = normalize(v, variables, sort_lists)
        return out
    if isinstance(obj, list):
        items = [normalize(v, variables, sort_lists) for v in obj]
        if sort_lists and all(isinstance(i, str) for i in items):
            items.sort()
        return items
    return obj


def shape(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: shape(v) for k, v in sorted(obj.items())}
    if isinstance(obj, list):
        shapes = []
        for item in obj:
            s = shape(item)
            if s not in shapes:
                shapes.append(s)
        return shapes[:1] if all(isinstance(s, dict) for s in shapes) and shapes else shapes
    return type(obj).__name__


def keys_view(obj: Any) -> Any:
    """Which entries (by name) and which JSON fields they carry, not their texts."""
    if isinstance(obj, list) and all(isinstance(i, dict) and "name" in i for i in obj):
        return {"names": sorted(i["name"] for i in obj), "fields": sorted({k for i in obj for k in i})}
    if isinstance(obj, dict) and "configs" in obj:
        names = sorted((c.get("definition") or c.get("value") or {}).get("name", "?") for c in obj["configs"])
        fields = sorted({k for c in obj["configs"] for part in c.values() if isinstance(part, dict) for k in part})
        return {"error_count": obj.get("error_count"), "groups": obj.get("groups"), "names": names, "fields": fields}
    return shape(obj)


async def wait_state(session: aiohttp.ClientSession, base: str, connector: str, state: str, tasks: int) -> Any:
    last: Any = None
    for _ in range(300):
        async with session.get(f"{base}/connectors/{connector}/status") as resp:
            last = await resp.json(content_type=None)
            if (
                resp.status == 200
                and last["connector"]["state"] == state
                # ids >= tasks are ignored: Java standalone records a FAILED status for a restart of a
                # task id that does not exist
                and [t["state"] for t in last["tasks"] if t["id"] < tasks] == [state] * tasks
            ):
                return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"{base}: {connector} never reached {state}/{tasks}: {last}")


def rebalance_expected(status: int, raw: bytes) -> bool:
    """Both herders answer a request that lands while a rebalance is pending with 500 "Request cannot be
    completed because a rebalance is expected" (Java maps RebalanceNeededException to 500 outside
    forwarded writes). When that window is hit is timing, not behaviour: a client retries, so do we."""
    return status == 500 and b"rebalance is expected" in raw


async def run_scenario(base_url: str, variables: dict[str, str], steps: list[Step] = STEPS) -> dict[str, Result]:
    base = base_url.rstrip("/")
    results: dict[str, Result] = {}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        for step in steps:
            if step.wait is not None:
                await wait_state(session, base, *step.wait)
                continue
            kwargs: dict[str, Any] = {"headers": dict(step.headers or {})}
            if step.raw is not None:
                kwargs["data"] = step.raw
            elif step.body is not None:
                kwargs["data"] = json.dumps(substitute(step.body, variables)).encode()
                kwargs["headers"].setdefault("Content-Type", "application/json")
            for _attempt in range(100):
                async with session.request(
                    step.method, base + substitute(step.path, variables), skip_auto_headers=["Content-Type"], **kwargs
                ) as resp:
                    raw = await resp.read()
                if not (step.retry_conflict and resp.status == 409) and not rebalance_expected(resp.status, raw):
                    break
                await asyncio.sleep(0.2)
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")[:300]
            location = resp.headers.get("Location")
            if location:
                location = "/" + location.split("/", 3)[-1]  # path only: hosts differ
            results[step.id] = Result(
                resp.status, body, location, resp.content_type if raw else None, interesting_headers(resp.headers)
            )
    return results


def compare(
    java: dict[str, Result],
    genesis: dict[str, Result],
    jvars: dict[str, str],
    gvars: dict[str, str],
    steps: list[Step] = STEPS,
) -> list[Difference]:
    diffs: list[Difference] = []
    for step in steps:
        if step.wait is not None:
            continue
        j, g = java[step.id], genesis[step.id]
        if j.status != g.status:
            diffs.append(
                Difference(step.id, "status", j.status, g.status, [f"java body: {j.body}", f"genesis body: {g.body}"])
            )
            continue
        if step.check_headers and j.headers != g.headers:
            diffs.append(Difference(step.id, "header", j.headers, g.headers, ["CORS / configured headers"]))
        if j.location != g.location:
            diffs.append(Difference(step.id, "header", j.location, g.location, ["Location"]))
        if (j.content_type or "") != (g.content_type or ""):
            diffs.append(Difference(step.id, "header", j.content_type, g.content_type, ["Content-Type"]))
        jb = normalize(_own_topic(j.body, jvars) if step.own_topic_only else j.body, jvars, step.sort_list)
        gb = normalize(_own_topic(g.body, gvars) if step.own_topic_only else g.body, gvars, step.sort_list)
        is_error = j.status >= 400
        mode = "exact" if is_error and step.compare != "status" else step.compare
        if mode == "status":
            continue
        if mode == "shape":
            jb, gb = shape(jb), shape(gb)
        elif mode == "keys":
            jb, gb = keys_view(jb), keys_view(gb)
        if jb != gb:
            diffs.append(Difference(step.id, "body", jb, gb))
    return diffs


def _own_topic(body: Any, variables: dict[str, str]) -> Any:
    if not isinstance(body, dict) or not isinstance(body.get("offsets"), list):
        return body
    mine = [o for o in body["offsets"] if (o.get("partition") or {}).get("kafka_topic") == variables.get("topic")]
    return {**body, "offsets": mine}


def render_report(
    diffs: list[Difference],
    java: dict[str, Result],
    accepted: dict[str, str],
    steps: list[Step] = STEPS,
    title: str = "standalone",
) -> str:
    compared = [s for s in steps if s.wait is None]
    lines = [
        f"# REST conformance: genesis-worker vs Apache Kafka Connect 4.4 ({title})",
        "",
        f"{len(compared)} scripted requests (tests/conformance/scenario.py); "
        f"{sum(1 for d in diffs if d.kind == 'status')} status differences, "
        f"{sum(1 for d in diffs if d.kind != 'status')} body/header differences.",
        "",
        "| step | request | Java | genesis | kind | accepted because |",
        "|---|---|---|---|---|---|",
    ]
    by_step = {s.id: s for s in steps}
    for d in diffs:
        s = by_step[d.step]
        j = json.dumps(d.java, sort_keys=True)[:300]
        g = json.dumps(d.genesis, sort_keys=True)[:300]
        lines.append(
            f"| {d.step} | `{s.method} {s.path}` | `{j}` | `{g}` | {d.kind} | {accepted.get(d.step, '**not accepted**')} |"
        )
    lines += ["", "## Java status codes seen", ""]
    lines += [f"- `{by_step[k].method} {by_step[k].path}` -> {r.status}" for k, r in java.items()]
    return "\n".join(lines) + "\n"
