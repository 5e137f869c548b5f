#!/usr/bin/env bash
# Fetch the test-only Java dependencies (Apache Kafka broker + Kafka Connect + log4j2) from Maven Central
# into one flat folder of jars: .cache/java/kafka-<version>/ (git-ignored).
# Idempotent: a marker file records a complete fetch; a second run does nothing.
# Maven's local repository (~/.m2) makes a re-fetch after `rm -rf .cache` work offline.
#
# connect-file (FileStreamSource/SinkConnector) is not on Maven Central for 4.4.0, and the 4.3.0 jar
# does not run on kafka-clients 4.4.0, so it is rebuilt here from the 4.3.0 *sources* jar (Apache-2.0)
# with the one import that moved patched, compiled against the 4.4.0 jars.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POM="$ROOT/scripts/java/pom.xml"
KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
CONNECT_FILE_SOURCES_VERSION="${CONNECT_FILE_SOURCES_VERSION:-4.3.0}"
DEST="$ROOT/.cache/java/kafka-$KAFKA_VERSION"
MARKER="$DEST/.fetched"
# the marker holds a hash of the pom and of this script, so editing either re-fetches
STAMP="$(cat "$POM" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1) $KAFKA_VERSION"

if [[ -f "$MARKER" ]] && [[ "$(cat "$MARKER")" == "$STAMP" ]]; then
  echo "java deps: already in ${DEST#"$ROOT"/}"
  exit 0
fi

for tool in java javac jar mvn; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "java deps: need '$tool' on PATH (Debian: apt-get install -y openjdk-17-jdk-headless maven)" >&2
    exit 1
  fi
done

echo "java deps: fetching Apache Kafka $KAFKA_VERSION jars into ${DEST#"$ROOT"/} ..."
TMP="$DEST.tmp.$$"
rm -rf "$TMP"
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT

mvn_try() {
  # offline first (works with no network when ~/.m2 holds everything), then online
  mvn -q -B -Dstyle.color=never -o "$@" >/dev/null 2>&1 || mvn -q -B -Dstyle.color=never "$@"
}

mvn_try -f "$POM" "-Dkafka.version=$KAFKA_VERSION" dependency:copy-dependencies \
  "-DoutputDirectory=$TMP" -DincludeScope=runtime

if ! ls "$TMP"/connect-file-*.jar >/dev/null 2>&1; then
  SRC="$TMP/.connect-file-src"
  mkdir -p "$SRC/src" "$SRC/classes"
  mvn_try dependency:copy \
    "-Dartifact=org.apache.kafka:connect-file:$CONNECT_FILE_SOURCES_VERSION:jar:sources" \
    "-DoutputDirectory=$SRC"
  (cd "$SRC/src" && jar xf "$SRC/connect-file-$CONNECT_FILE_SOURCES_VERSION-sources.jar")
  # AppInfoParser moved to org.apache.kafka.common.utils.internals in 4.4
  clients_classes="$(jar tf "$(ls "$TMP"/kafka-clients-*.jar | head -n1)")"
  if [[ "$clients_classes" == *"common/utils/internals/AppInfoParser.class"* ]]; then
    find "$SRC/src" -name '*.java' -exec sed -i \
      's/^import org\.apache\.kafka\.common\.utils\.AppInfoParser;/import org.apache.kafka.common.utils.internals.AppInfoParser;/' {} +
  fi
  javac -nowarn --release 17 -encoding UTF-8 -cp "$TMP/*" -d "$SRC/classes" \
    $(find "$SRC/src" -name '*.java')
  cp -r "$SRC/src/META-INF" "$SRC/classes/"
  cp "$SRC/src/LICENSE" "$SRC/src/NOTICE" "$SRC/classes/" 2>/dev/null || true
  rm -f "$SRC/classes/META-INF/MANIFEST.MF"
  (cd "$SRC/classes" && jar cf "$TMP/connect-file-$KAFKA_VERSION-rebuilt.jar" .)
  rm -rf "$SRC"
fi

n_jars="$(find "$TMP" -maxdepth 1 -name '*.jar' | wc -l)"
if [[ "$n_jars" -lt 20 ]]; then
  echo "java deps: only $n_jars jars fetched; something is wrong" >&2
  exit 1
fi
rm -rf "$DEST"
mv "$TMP" "$DEST"
trap - EXIT
echo "$STAMP" >"$MARKER"
echo "java deps: $n_jars jars in ${DEST#"$ROOT"/}"
