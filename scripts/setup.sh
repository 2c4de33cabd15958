#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for building and testing ipvx, then npm ci.
# Idempotent: does nothing when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/debs.sh
# chromium: the web console's browser tests (driven by playwright-core; no browser download).
# gcc, make, pkg-config, libpopt-dev, libnl-3-dev, libnl-genl-3-dev: test/compat builds ipvsadm 1.31's
# own code against a stub table (test/compat/ipvsadm/build.sh).
installed=$(install_debs setup clang llvm libbpf-dev bpftool iproute2 ethtool procps python3 iputils-arping ipv6toolkit bird2 chromium \
  gcc make pkg-config libpopt-dev libnl-3-dev libnl-genl-3-dev)
# bird2's package enables a BIRD at boot in this (root) network namespace; tests run their
# own BIRDs inside their namespaces only, so a BIRD we installed is not left enabled.
if [[ " $installed " == *" bird2 "* ]] && [ -d /run/systemd/system ]; then
  systemctl disable bird.service >/dev/null 2>&1 || true
fi

# The npm packages: the Makefile's rule (npm ci when package-lock.json changed).
make --no-print-directory -s node_modules/.ipvx-lock-stamp

# The daemon pins its maps in the BPF filesystem; systemd mounts it on most machines,
# a bare container may not have it.
if ! grep -q ' /sys/fs/bpf bpf ' /proc/mounts; then
  echo "setup: mounting the BPF filesystem at /sys/fs/bpf"
  mkdir -p /sys/fs/bpf
  mount -t bpf bpf /sys/fs/bpf
fi
