#!/usr/bin/env bash
# Shared by the bench commands: builds the app jar and the bench classes when the sources changed, then runs
# the given main class of dev.tokenstats.bench on the test classpath.  Usage: bench/run-main.sh CLASS [ARGS...]
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

main=$1
shift
exec java -Xmx${BENCH_CLIENT_XMX:-2g} \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  "dev.tokenstats.bench.$main" "$@"
