# Sourced by scripts/setup.sh and scripts/bench-setup.sh.
# install_debs LABEL PACKAGE...: installs the packages that are missing, and none of
# their services may start during the install (policy-rc.d): nginx, haproxy and bird
# would otherwise run in the machine's own network namespace; tests and benchmarks
# start their own inside lab namespaces. Prints the packages it installed.
install_debs() {
  local label=$1; shift
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "$label: installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  local policy=/usr/sbin/policy-rc.d made=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; made=1; fi
  apt-get install -y -qq "${missing[@]}" >/dev/null || { [ $made = 1 ] && rm -f "$policy"; return 1; }
  [ $made = 1 ] && rm -f "$policy"
  echo "${missing[*]}"
}
