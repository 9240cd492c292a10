#!/usr/bin/env bash
# End-to-end interop check of settle-core's `oz` module with @openzeppelin/merkle-tree:
#   1. OpenZeppelin builds random trees (fresh seed) -> our Rust code and the contract
#      (its check_proof query) must agree;
#   2. our Rust code builds random trees (same seed) -> OpenZeppelin must agree.
# Set OZ_SEED to replay a run. Needs node + npm (registry access only for `npm ci`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [ ! -d tests/interop/node_modules ]; then
  (cd tests/interop && npm ci --silent --no-audit --no-fund)
fi

out="$PWD/target/interop"
mkdir -p "$out"
seed="${OZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"
echo "oz interop seed: $seed (replay with OZ_SEED=$seed $0)"

node tests/interop/oz-generate.mjs "$out/oz.json" "$seed"
OZ_VECTORS="$out/oz.json" cargo test -p settle-core --test oz_interop
# the same fresh trees verified by the contract's check_proof query (cw-multi-test)
OZ_VECTORS="$out/oz.json" cargo test -p settle-tests --test proof_queries openzeppelin

OZ_OUT="$out/ours.json" OZ_SEED="$seed" \
  cargo test -p settle-core --test oz_interop write_vectors_for_openzeppelin
node tests/interop/oz-verify.mjs "$out/ours.json"
