#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for building and testing ipvx, then npm ci.
# Idempotent: does nothing when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

debs=(clang llvm libbpf-dev bpftool iproute2 ethtool procps python3 iputils-arping ipv6toolkit bird2)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  # bird2's package enables a BIRD in this (root) network namespace; tests run their own
  # BIRDs inside their namespaces only, so stop the packaged one we just installed.
  if [[ " ${missing[*]} " == *" bird2 "* ]] && [ -d /run/systemd/system ]; then
    systemctl disable --now bird.service >/dev/null 2>&1 || true
  fi
fi

# npm ci only when the lock file changed since the last install.
stamp=node_modules/.ipvx-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

# The daemon pins its maps in the BPF filesystem; systemd mounts it on most machines,
# a bare container may not have it.
if ! grep -q ' /sys/fs/bpf bpf ' /proc/mounts; then
  echo "setup: mounting the BPF filesystem at /sys/fs/bpf"
  mkdir -p /sys/fs/bpf
  mount -t bpf bpf /sys/fs/bpf
fi
