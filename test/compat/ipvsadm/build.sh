#!/usr/bin/env bash
# Builds ipvsadm 1.31's own ipvsadm.c against stub-libipvs.c (a fixed table instead of the
# kernel) into build/compat/ipvsadm/ipvsadm. The source is Debian's ipvsadm source package,
# fetched with apt's ordinary client and a private source list and state directory (the
# machine's apt configuration is not touched) and cached under build/compat/ipvsadm/.
# Only the upstream tarball is used: Debian's own patches do not touch the printing code.
# Prints the path of the binary; exits non-zero (with the reason) when it cannot build.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=$root/build/compat/ipvsadm
bin=$out/ipvsadm
stub=$root/test/compat/ipvsadm/stub-libipvs.c
if [ -x "$bin" ] && [ "$bin" -nt "$stub" ] && [ "$bin" -nt "$0" ]; then echo "$bin"; exit 0; fi
mkdir -p "$out/apt/lists/partial" "$out/src"
cd "$out"
if ! ls ipvsadm_1.31.orig.tar.gz >/dev/null 2>&1; then
  echo 'deb-src http://deb.debian.org/debian bookworm main' > apt/sources.list
  apt_opts=(-o Dir::Etc::SourceList="$out/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
            -o Dir::State::Lists="$out/apt/lists" -o Debug::NoLocking=1)
  apt-get "${apt_opts[@]}" -qq update >&2
  # --download-only: the .dsc and the tarballs; a missing Debian tarball does not matter here.
  apt-get "${apt_opts[@]}" -qq source --download-only 'ipvsadm=1:1.31-1' >&2 || true
  [ -f ipvsadm_1.31.orig.tar.gz ] || { echo "could not fetch ipvsadm_1.31.orig.tar.gz with apt-get source" >&2; exit 1; }
fi
echo '7276bcf214f31051188b2e44f11029e57303f37e54126e517000c1b2123a6d4e  ipvsadm_1.31.orig.tar.gz' | sha256sum -c --quiet - >&2
rm -rf src && mkdir src && tar -xzf ipvsadm_1.31.orig.tar.gz -C src --strip-components=1
cd src
# The connection listing reads /proc/net/ip_vs_conn; the test gives it a file instead.
sed -i 's|^#define CONN_PROC_FILE.*|#define CONN_PROC_FILE (getenv("IPVX_STUB_CONN") ? getenv("IPVX_STUB_CONN") : "/proc/net/ip_vs_conn")|' ipvsadm.c
grep -q 'IPVX_STUB_CONN' ipvsadm.c
# libipvs.c's sorting and error texts, verbatim: from the qsort_cmp_t typedef to the end of
# ipvs_sort_services, from ipvs_cmp_dests to the end of ipvs_sort_dests, and ipvs_strerror.
awk '
  /^typedef int \(\*qsort_cmp_t\)/ { on = 1 }
  /^int ipvs_cmp_dests\(/ { on = 1 }
  /^const char \*ipvs_strerror\(/ { on = 1; tail = 1 }
  on { print }
  on && /^ipvs_sort_services\(|^void ipvs_sort_dests\(/ { closing = 1 }
  on && closing && /^}/ && !tail { on = 0; closing = 0 }
' libipvs/libipvs.c > libipvs/libipvs-extract.c
for f in ipvs_cmp_services ipvs_sort_services ipvs_cmp_dests ipvs_sort_dests ipvs_strerror; do
  grep -q "^$f\|^[a-z ]*[ *]$f(" libipvs/libipvs-extract.c || { echo "build.sh: $f not found in libipvs.c" >&2; exit 1; }
done
cp "$stub" libipvs/stub-libipvs.c
cflags=(-Wall -g -O1 -I. -Ilibipvs $(pkg-config --cflags libnl-genl-3.0) -DVERSION='"1.31"' -DSCHEDULERS='"rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh"' -DPE_LIST='"sip"' -DHAVE_NET_IP_VS_H -DLIBIPVS_USE_NL)
gcc "${cflags[@]}" -o "$bin.tmp" ipvsadm.c config_stream.c dynamic_array.c libipvs/stub-libipvs.c -lpopt >&2
mv "$bin.tmp" "$bin"
echo "$bin"
