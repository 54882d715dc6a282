#!/usr/bin/env bash
# Ingestion on PostgreSQL (issue 5): two instances on one database (127.0.0.1:5432, db test, fresh schema),
# N events (default 1,000,000) in 1,000-event NDJSON batches from 4 threads; prints events/s, p50/p99.
# Usage: bench/ingest-postgres.sh [N]
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
  dev.tokenstats.bench.PostgresIngestBench "$@"
