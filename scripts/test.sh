#!/usr/bin/env bash
# The test suite, as CI runs it: sets up what is missing (scripts/setup.sh), then every test (unit,
# integration against a real Apache Kafka 4.4 and real stores, end-to-end).
# Extra arguments go to pytest, e.g. scripts/test.sh -k fixtures --broker=tansu
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/setup.sh

set +e
.venv/bin/python -m pytest -q -p no:cacheprovider tests "$@"
rc=$?
set -e
if [[ $rc -eq 5 ]]; then
  echo "scripts/test.sh: pytest collected no tests; that is a failure" >&2
fi
exit "$rc"
