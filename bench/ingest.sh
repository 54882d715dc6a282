#!/usr/bin/env bash
# Ingestion benchmark of issue 2: starts tokenstats as a child process, posts N events (default 10,000,000)
# over HTTP NDJSON in batches of 1,000 from 2 threads, checks the stored result, and runs the
# one-INSERT-per-event baselines.  Usage: bench/ingest.sh [N] [--option=value ...]   (--help lists them)
# Reads ../shared/data/azure-llm-trace-2023/ relative to the project root.
exec "$(dirname "$0")/run-main.sh" IngestBench "$@"
