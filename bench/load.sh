#!/usr/bin/env bash
# Overload run of issue 6: capacity for 15 s, then 10x that for 60 s with stats readers; checks no 5xx,
# 429s carry Retry-After, heap under -Xmx, every acknowledged event stored once. Loopback only.
# Usage: bench/load.sh [--seconds=60] [--xmx=512m]
exec "$(dirname "$0")/run-main.sh" LoadRun "$@"
