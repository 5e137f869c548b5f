#!/usr/bin/env bash
# Sets up a venv with genesis-worker and runs the quickstart: a local broker (tansu), a worker with a demo
# ad-log pipeline, and the REST URL to look at. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
if [[ ! -x .venv/bin/python ]]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q -e '.[quickstart]'
exec .venv/bin/genesis-worker quickstart "$@"
