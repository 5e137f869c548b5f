#!/usr/bin/env bash
# Fetch the test-only Java dependencies of the Cassandra sink's integration tests (an embedded Apache Cassandra 5.0 node)
# from Maven Central into one flat folder of jars: .cache/java/cassandra/ (git-ignored).
# Idempotent: a marker file records a complete fetch (hash of the pom and this script); a second run does
# nothing. Maven's local repository (~/.m2) makes a re-fetch after `rm -rf .cache` work offline.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POM="$ROOT/scripts/java/cassandra-pom.xml"
DEST="$ROOT/.cache/java/cassandra"
MARKER="$DEST/.fetched"
STAMP="$(cat "$POM" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)"

if [[ -f "$MARKER" ]] && [[ "$(cat "$MARKER")" == "$STAMP" ]]; then
  echo "cassandra deps: already in ${DEST#"$ROOT"/}"
  exit 0
fi

for tool in java javac mvn; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "cassandra deps: need '$tool' on PATH (Debian: apt-get install -y openjdk-17-jdk-headless maven)" >&2
    exit 1
  fi
done

echo "cassandra deps: fetching Apache Cassandra jars into ${DEST#"$ROOT"/} ..."
TMP="$DEST.tmp.$$"
rm -rf "$TMP"
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT

mvn_try() {
  # offline first (works with no network when ~/.m2 holds everything), then online
  mvn -q -B -Dstyle.color=never -o "$@" >/dev/null 2>&1 || mvn -q -B -Dstyle.color=never "$@"
}

mvn_try -f "$POM" dependency:copy-dependencies "-DoutputDirectory=$TMP" -DincludeScope=runtime

if ! ls "$TMP"/cassandra-all-*.jar >/dev/null 2>&1; then
  echo "cassandra deps: cassandra-all jar missing; something is wrong" >&2
  exit 1
fi
rm -rf "$DEST"
mv "$TMP" "$DEST"
trap - EXIT
echo "$STAMP" >"$MARKER"
echo "cassandra deps: $(find "$DEST" -maxdepth 1 -name '*.jar' | wc -l) jars in ${DEST#"$ROOT"/}"
