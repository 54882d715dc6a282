#!/usr/bin/env bash
# Benchmark of the new-api importer (issue 7): builds a new-api SQLite logs table of N rows (default
# 10,000,000; optional second argument: the days they span, default 90), runs
# `java -jar target/tokenstats.jar import newapi` on it into a fresh DuckDB store, prints rows/s and checks
# that the store's totals equal the table's sums.   Usage: bench/import-newapi.sh [N] [DAYS]
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=target/bench-import.stamp
if [ ! -f target/tokenstats.jar ] || [ ! -f "$stamp" ] \
   || [ -n "$(find pom.xml src -newer "$stamp" -print -quit)" ]; then
  echo "building (mvn -q -B package -DskipTests; also compiles the bench in src/test) ..." >&2
  mvn -q -B package -DskipTests
  mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-import.classpath >/dev/null
  touch "$stamp"
fi

exec java -Xmx${BENCH_XMX:-2g} \
  -cp "target/test-classes:target/classes:$(cat target/bench-import.classpath)" \
  dev.tokenstats.imports.NewApiImportBench "$@"
