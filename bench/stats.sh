#!/usr/bin/env bash
# Stats benchmark of issue 3 (and issue 5 with --engine=postgres): loads N events (default 1M, 10M and 100M)
# through the store's write path and into new-api's SQLite tables side by side, starts tokenstats on that data
# and times the full GET /api/v1/stats call for the heaviest account (30 days by hour, 90 days by day, 24 h by
# minute) beside new-api's log-scan and quota_data queries.  Loaded data is kept under target/bench-stats and
# reused (--reload loads again).  Usage: bench/stats.sh [N ...] [--engine=duckdb|postgres] [--runs=200]
# Reads ../shared/data/azure-llm-trace-2023/ relative to the project root.
BENCH_CLIENT_XMX=${BENCH_CLIENT_XMX:-6g} exec "$(dirname "$0")/run-main.sh" StatsBench "$@"
