#!/usr/bin/env bash
# The TypeScript types of the gRPC API (src/api/gen), generated from proto/ipvx/v1/ipvx.proto
# with the loader options src/api/proto.ts uses. `npm run gen` rewrites them;
# `--check` (make check-gen, part of make test) fails when they are not what the proto gives.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=src/api/gen
gen() {
  npx --no-install proto-loader-gen-types --longs=String --enums=String --defaults --oneofs \
    --includeComments --grpcLib=@grpc/grpc-js --importFileExtension=.js \
    -I proto -O "$1" ipvx/v1/ipvx.proto >/dev/null
}
if [[ "${1:-}" == "--check" ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  gen "$tmp"
  if ! diff -r "$tmp" "$OUT" >&2; then
    echo "$OUT is stale: run 'npm run gen' and commit the result" >&2
    exit 1
  fi
  exit 0
fi
rm -rf "$OUT"
gen "$OUT"
