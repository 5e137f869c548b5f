#!/usr/bin/env bash
# Fetch the test-only Java dependencies (Apache Kafka broker + Kafka Connect + log4j2) from Maven Central
# into one flat folder of jars: .cache/java/kafka-<version>/ (git-ignored).
# Idempotent: a marker file records a complete fetch; a second run does nothing.
# Maven's local repository (~/.m2) makes a re-fetch after `rm -rf .cache` offline-friendly.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POM="$ROOT/scripts/java/pom.xml"
KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
DEST="$ROOT/.cache/java/kafka-$KAFKA_VERSION"
MARKER="$DEST/.fetched"
# the marker holds a hash of the pom, so editing the pom re-fetches
POM_HASH="$(sha256sum "$POM" | cut -d' ' -f1)"

if [[ -f "$MARKER" ]] && [[ "$(cat "$MARKER")" == "$POM_HASH" ]]; then
  echo "java deps: already in ${DEST#"$ROOT"/}"
  exit 0
fi

if ! command -v mvn >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
  echo "java deps: need 'java' (17+) and 'mvn' on PATH (Debian: apt-get install -y openjdk-17-jdk-headless maven)" >&2
  exit 1
fi

echo "java deps: fetching Apache Kafka $KAFKA_VERSION jars into ${DEST#"$ROOT"/} ..."
TMP="$DEST.tmp.$$"
rm -rf "$TMP"
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
MVN_OPTS=(-q -B -Dstyle.color=never -f "$POM" "-Dkafka.version=$KAFKA_VERSION")
# --offline first: succeeds with no network when ~/.m2 already holds everything
if ! mvn "${MVN_OPTS[@]}" -o dependency:copy-dependencies "-DoutputDirectory=$TMP" \
    -DincludeScope=runtime >/dev/null 2>&1; then
  mvn "${MVN_OPTS[@]}" dependency:copy-dependencies "-DoutputDirectory=$TMP" -DincludeScope=runtime
fi
n_jars="$(find "$TMP" -maxdepth 1 -name '*.jar' | wc -l)"
if [[ "$n_jars" -lt 20 ]]; then
  echo "java deps: only $n_jars jars fetched; something is wrong" >&2
  exit 1
fi
rm -rf "$DEST"
mv "$TMP" "$DEST"
trap - EXIT
echo "$POM_HASH" >"$MARKER"
echo "java deps: $n_jars jars in ${DEST#"$ROOT"/}"
