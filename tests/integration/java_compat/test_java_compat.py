"""Our converters, transforms and predicates against the real Apache Kafka 4.4 classes.

``tests/java/TransformHarness.java`` is compiled once (``javac`` against ``.cache/java/kafka-4.4.0``) and run
once in one JVM for the whole table of :mod:`.cases`; each case is then a test comparing its answer with
ours (:mod:`.runner`). Records travel as JsonConverter envelopes, so values, schemas (with member order),
errors (exception class and message) and dropped records are all compared.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.proc import REPO_ROOT, java_executable, java_jars_dir

from . import runner
from .cases import CASES

HARNESS = REPO_ROOT / "tests" / "java" / "TransformHarness.java"


@pytest.fixture(scope="module")
def java_results(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    jars = java_jars_dir()
    if not any(jars.glob("connect-transforms-*.jar")):
        pytest.skip(f"Apache Kafka Connect jars not found in {jars} (fetch them with scripts/fetch-java-deps.sh)")
    javac = shutil.which("javac")
    assert javac, "javac (JDK 17+) is needed to compile tests/java/TransformHarness.java"
    classes: Path = tmp_path_factory.mktemp("harness")
    cp = f"{jars}/*"
    subprocess.run([javac, "-nowarn", "-d", str(classes), "-cp", cp, str(HARNESS)], check=True, capture_output=True)
    lines = "".join(json.dumps({k: v for k, v in c.items() if k not in ("id", "compare")}) + "\n" for c in CASES)
    proc = subprocess.run(
        [java_executable(), "-Xms32m", "-XX:+UseSerialGC", "-cp", f"{classes}:{cp}", "TransformHarness"],
        input=lines,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = proc.stdout.splitlines()
    assert len(out) == len(CASES), f"harness answered {len(out)} of {len(CASES)} cases: {proc.stderr[-3000:]}"
    return [json.loads(line) for line in out]


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c["id"] for c in CASES])
def test_same_as_java(java_results: list[dict[str, Any]], index: int) -> None:
    case = CASES[index]
    expected = java_results[index]
    actual = runner.run(case)
    mode = case.get("compare", "exact")
    if mode == "exact":
        assert actual == expected
    else:
        _assert_same_error(expected, actual, prefix=mode == "error_prefix")


def _errors(result: dict[str, Any]) -> list[dict[str, Any]]:
    if "error" in result:
        return [result]
    return [r for r in result.get("results", []) if isinstance(r, dict) and "error" in r]


def _assert_same_error(expected: dict[str, Any], actual: dict[str, Any], prefix: bool) -> None:
    exp, act = _errors(expected), _errors(actual)
    assert exp, f"Java did not fail: {expected}"
    assert [e["error"] for e in act] == [e["error"] for e in exp], actual
    if prefix:
        for e, a in zip(exp, act, strict=True):
            assert a["message"].startswith(e["message"])
    # the non-error results must still agree
    if "results" in expected:
        ok_exp = [r for r in expected["results"] if not (isinstance(r, dict) and "error" in r)]
        ok_act = [r for r in actual["results"] if not (isinstance(r, dict) and "error" in r)]
        assert ok_act == ok_exp
