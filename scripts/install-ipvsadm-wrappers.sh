#!/usr/bin/env bash
# make install's ipvsadm option: installs ipvsadm, ipvsadm-save and ipvsadm-restore commands
# that run ipvx (scripts/ipvsadm/), so init scripts and keepalived-era tooling run unchanged.
#   WRAPPERS=""        nothing is installed (the default)
#   WRAPPERS=1         installed into SBINDIR; an existing file there that is not one of these
#                      wrappers (a real ipvsadm) is left alone and the install fails, saying so
#   WRAPPERS=overwrite also replaces such a file
set -euo pipefail
cd "$(dirname "$0")/.."
wrappers=${WRAPPERS:-}
dest="${DESTDIR:-}${SBINDIR:-/usr/local/sbin}"
if [ -z "$wrappers" ]; then
  echo "install: ipvsadm wrappers not installed (make install IPVSADM_WRAPPERS=1 installs ipvsadm, ipvsadm-save and ipvsadm-restore that run ipvx)"
  exit 0
fi
if [ "$wrappers" != 1 ] && [ "$wrappers" != overwrite ]; then
  echo "install: IPVSADM_WRAPPERS=$wrappers: expected 1 or overwrite" >&2
  exit 2
fi
mkdir -p "$dest"
for name in ipvsadm ipvsadm-save ipvsadm-restore; do
  target="$dest/$name"
  if [ -e "$target" ] && ! grep -q '^# ipvx wrapper' "$target" 2>/dev/null && [ "$wrappers" != overwrite ]; then
    echo "install: $target exists and is not an ipvx wrapper (a real $name?): left as it is; IPVSADM_WRAPPERS=overwrite replaces it" >&2
    exit 1
  fi
done
for name in ipvsadm ipvsadm-save ipvsadm-restore; do
  install -m 0755 "scripts/ipvsadm/$name" "$dest/$name"
  echo "install: $dest/$name -> ipvx"
done
