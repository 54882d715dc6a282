#!/usr/bin/env bash
# Ingestion on PostgreSQL (issue 5): two instances on one database (127.0.0.1:5432, db test, fresh schema),
# N events (default 1,000,000) in 1,000-event NDJSON batches from 4 threads; prints events/s, p50/p99.
# Usage: bench/ingest-postgres.sh [N]
exec "$(dirname "$0")/run-main.sh" PostgresIngestBench "$@"
