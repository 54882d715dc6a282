#!/usr/bin/env bash
# Overload run of issue 6: capacity for 15 s, then 10x that for 60 s with stats readers; checks no 5xx,
# 429s carry Retry-After, heap under -Xmx, every acknowledged event stored once. Loopback only.
# Usage: bench/load.sh [--seconds=60] [--xmx=512m]
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

exec java -Xmx${BENCH_CLIENT_XMX:-2g} \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  dev.tokenstats.bench.LoadRun "$@"
