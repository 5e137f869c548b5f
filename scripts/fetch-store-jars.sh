#!/usr/bin/env bash
# Fetch the test-only Java jars of a store the integration tests start, from Maven Central into one flat
# folder: .cache/java/<store>/ (git-ignored).
#   scripts/fetch-store-jars.sh hdfs        Hadoop 3.4 MiniDFSCluster (HDFS sink tests)
#   scripts/fetch-store-jars.sh cassandra   an embedded Apache Cassandra 5.0 node (Cassandra sink tests)
# Idempotent: a marker file records a complete fetch (hash of the pom and this script); a second run does
# nothing. Maven's local repository (~/.m2) makes a re-fetch after `rm -rf .cache` work offline.
set -euo pipefail

STORE="${1:-}"
case "$STORE" in
  hdfs) WHAT="Hadoop MiniDFSCluster"; MUST_HAVE="hadoop-hdfs-*-tests.jar" ;;
  cassandra) WHAT="Apache Cassandra"; MUST_HAVE="cassandra-all-*.jar" ;;
  *)
    echo "usage: $0 hdfs|cassandra" >&2
    exit 2
    ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POM="$ROOT/scripts/java/$STORE-pom.xml"
DEST="$ROOT/.cache/java/$STORE"
MARKER="$DEST/.fetched"
STAMP="$(cat "$POM" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)"

if [[ -f "$MARKER" ]] && [[ "$(cat "$MARKER")" == "$STAMP" ]]; then
  echo "$STORE jars: already in ${DEST#"$ROOT"/}"
  exit 0
fi

for tool in java javac mvn; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$STORE jars: need '$tool' on PATH (Debian: apt-get install -y openjdk-17-jdk-headless maven)" >&2
    exit 1
  fi
done

echo "$STORE jars: fetching $WHAT jars into ${DEST#"$ROOT"/} ..."
TMP="$DEST.tmp.$$"
rm -rf "$TMP"
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT

# offline first (works with no network when ~/.m2 holds everything), then online
mvn -q -B -Dstyle.color=never -o -f "$POM" dependency:copy-dependencies "-DoutputDirectory=$TMP" \
  -DincludeScope=runtime >/dev/null 2>&1 ||
  mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies "-DoutputDirectory=$TMP" -DincludeScope=runtime

# shellcheck disable=SC2086 # MUST_HAVE is a glob
if ! ls "$TMP"/$MUST_HAVE >/dev/null 2>&1; then
  echo "$STORE jars: $MUST_HAVE missing after the fetch; something is wrong" >&2
  exit 1
fi
rm -rf "$DEST"
mv "$TMP" "$DEST"
trap - EXIT
echo "$STAMP" >"$MARKER"
echo "$STORE jars: $(find "$DEST" -maxdepth 1 -name '*.jar' | wc -l) jars in ${DEST#"$ROOT"/}"
