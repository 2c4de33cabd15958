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
  local policy=/usr/sbin/policy-rc.d
  if [ -e "$policy" ]; then
    apt-get install -y -qq "${missing[@]}" >/dev/null || return 1
  else
    # A subshell, so its traps are not the caller's: the file goes on any exit, also on
    # Ctrl-C or kill (then the signal is passed on, so the caller stops as well).
    (
      trap 'rm -f "$policy"' EXIT
      for sig in INT TERM HUP; do trap "rm -f \"\$policy\"; trap - $sig EXIT; kill -$sig \$BASHPID" "$sig"; done
      printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"
      apt-get install -y -qq "${missing[@]}" >/dev/null
    ) || return 1
  fi
  echo "${missing[*]}"
}
