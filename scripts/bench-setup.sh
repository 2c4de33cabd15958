#!/usr/bin/env bash
# Installs the Debian packages only the benchmarks use (make bench); CI runs
# scripts/setup.sh alone and never needs these. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

# wrk: HTTP load; nginx-light: the real servers; haproxy and nftables: the baselines
# of the TCP benchmark.
source scripts/lib/debs.sh
install_debs bench-setup wrk nginx-light haproxy nftables >/dev/null
