#!/usr/bin/env bash
# Everything the tests and benchmarks need, idempotent: Debian packages (redis-server, a JDK, maven, chromium
# and chromium-driver, prometheus), the .venv with genesis-worker and its dev extras, the Apache Kafka 4.4 jars
# the test fixtures run, and gocaves (the Couchbase mock cluster, built with Go from the Go module proxy).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
{ command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 && command -v jar >/dev/null 2>&1; } ||
  missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
# headless Chromium + chromedriver for the web console's browser test (tests/e2e/console)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
# Prometheus (server and promtool) for the metrics tests and the docker/ rules checks
{ command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; } || missing+=(prometheus)
if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "scripts/setup.sh: please install: ${missing[*]} (needs root)" >&2
    exit 1
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -x .venv/bin/python ]]; then
  python3 -m venv .venv
fi
# Re-install only when the dependency list changed.
stamp=.venv/.genesis-dev-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  echo "$want" >"$stamp"
fi

scripts/fetch-java-deps.sh >/dev/null
scripts/fetch-store-jars.sh hdfs >/dev/null
scripts/fetch-store-jars.sh cassandra >/dev/null
# gocaves needs go and the Go module proxy: without them only the Couchbase tests fail (their fixture says
# how to build it), so a failed build does not stop the setup
scripts/fetch-gocaves.sh >/dev/null ||
  echo "scripts/setup.sh: gocaves was not built (see above); the Couchbase integration tests will fail" >&2
