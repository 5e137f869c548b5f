#!/usr/bin/env bash
# Build gocaves, the mock Couchbase cluster Couchbase maintains for its SDKs' test suites (Apache-2.0,
# github.com/couchbaselabs/gocaves), into .cache/gocaves/<version>/gocaves (git-ignored). The Couchbase
# sink's integration tests run against it (tests/fixtures/couchbase.py).
# Its sources come from the Go module proxy (no git clone); its `client` sub-module and `example/` are
# dropped (not needed by the server), and its listeners are bound to 127.0.0.1 instead of every interface.
# Idempotent: a marker file records a complete build (hash of this script); a second run does nothing.
# Go's module cache (~/go/pkg/mod) makes a rebuild after `rm -rf .cache` work offline.
set -euo pipefail

VERSION="${GOCAVES_VERSION:-v0.0.1-75}"
MODULE=github.com/couchbaselabs/gocaves
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/.cache/gocaves/$VERSION"
MARKER="$DEST/.built"
STAMP="$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1) $VERSION"

if [[ -f "$MARKER" ]] && [[ "$(cat "$MARKER")" == "$STAMP" ]] && [[ -x "$DEST/gocaves" ]]; then
  echo "gocaves: already in ${DEST#"$ROOT"/}"
  exit 0
fi

# go on PATH, else where the official tarball installs it
GO="$(command -v go || true)"
if [[ -z "$GO" && -x /usr/local/go/bin/go ]]; then
  GO=/usr/local/go/bin/go
fi
if [[ -z "$GO" ]]; then
  echo "gocaves: need 'go' (1.21+) on PATH to build the Couchbase mock cluster (https://go.dev/dl/)" >&2
  exit 1
fi

echo "gocaves: building $MODULE@$VERSION into ${DEST#"$ROOT"/} ..."
TMP="$DEST.tmp.$$"
rm -rf "$TMP"
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false

if ! info="$("$GO" mod download -json "$MODULE@$VERSION")"; then
  echo "gocaves: 'go mod download $MODULE@$VERSION' failed: is the Go module proxy ($("$GO" env GOPROXY)) reachable?" >&2
  exit 1
fi
dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$info")"
if [[ -z "$dir" || ! -f "$dir/go.mod" ]]; then
  echo "gocaves: no module folder in the answer of go mod download:" >&2
  echo "$info" >&2
  exit 1
fi

cp -r "$dir" "$TMP/src"
chmod -R u+w "$TMP/src"
cd "$TMP/src"
rm -rf example
"$GO" mod edit -dropreplace "$MODULE/client" -droprequire "$MODULE/client"
# every listener on 127.0.0.1 (upstream listens on ":<port>", all interfaces; its cluster map already
# advertises 127.0.0.1)
for f in mock/mockimpl/servers/memdserver.go mock/mockimpl/servers/httpserver.go; do
  sed -i 's/listenAddr := fmt.Sprintf(":%d", s.listenPort)/listenAddr := fmt.Sprintf("127.0.0.1:%d", s.listenPort)/' "$f"
  if ! grep -q 'fmt.Sprintf("127.0.0.1:%d", s.listenPort)' "$f"; then
    echo "gocaves: $f no longer has the listen address this script patches; update scripts/fetch-gocaves.sh" >&2
    exit 1
  fi
done
"$GO" run -mod=mod ./tools/prebuildstep.go >/dev/null
"$GO" build -mod=mod -o "$TMP/gocaves" .
cd "$ROOT"

usage="$("$TMP/gocaves" --help 2>&1 || true)"
if [[ "$usage" != *-mock-only* ]]; then
  echo "gocaves: the built binary does not offer --mock-only" >&2
  exit 1
fi
rm -rf "$DEST"
mkdir -p "$DEST"
mv "$TMP/gocaves" "$DEST/gocaves"
rm -rf "$TMP"
trap - EXIT
echo "$STAMP" >"$MARKER"
echo "gocaves: built ${DEST#"$ROOT"/}/gocaves"
