#!/usr/bin/env bash
# The test suite, as CI runs it: every test (unit, integration against a real Apache Kafka 4.4 and real
# stores, end-to-end). Extra arguments go to pytest, e.g. scripts/test.sh -k fixtures --broker=tansu
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/fetch-java-deps.sh >/dev/null

set +e
.venv/bin/python -m pytest -q -p no:cacheprovider tests "$@"
rc=$?
set -e
if [[ $rc -eq 5 ]]; then
  echo "scripts/test.sh: pytest collected no tests; that is a failure" >&2
fi
exit "$rc"
