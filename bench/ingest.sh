#!/usr/bin/env bash
# Ingestion benchmark of issue 2: starts tokenstats as a child process, posts N events (default 10,000,000)
# over HTTP NDJSON in batches of 1,000 from 2 threads, checks the stored result, and runs the
# one-INSERT-per-event baselines.  Usage: bench/ingest.sh [N] [--option=value ...]   (--help lists them)
# Reads ../shared/data/azure-llm-trace-2023/ relative to the project root.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=target/bench.stamp
if [ ! -f target/tokenstats.jar ] || [ ! -f "$stamp" ] \
   || [ -n "$(find pom.xml src -newer "$stamp" -print -quit)" ]; then
  echo "building (mvn -q -B package -DskipTests; also compiles the bench in src/test) ..." >&2
  mvn -q -B package -DskipTests
  mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
  touch "$stamp"
fi

exec java -Xmx${BENCH_CLIENT_XMX:-1g} \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  dev.tokenstats.bench.IngestBench "$@"
