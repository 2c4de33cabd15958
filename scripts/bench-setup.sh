#!/usr/bin/env bash
# Installs the Debian packages only the benchmarks use (make bench); CI runs
# scripts/setup.sh alone and never needs these. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

# wrk: HTTP load; nginx-light: the real servers; haproxy and nftables: the baselines
# of the TCP benchmark; linux-perf: profiles of the data plane where available.
debs=(wrk nginx-light haproxy nftables)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench-setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # nginx and haproxy must not start as services in the root namespace: the
  # benchmarks start their own inside lab namespaces.
  policy=/usr/sbin/policy-rc.d
  made_policy=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; made_policy=1; fi
  trap '[ "$made_policy" = 1 ] && rm -f "$policy"' EXIT
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
