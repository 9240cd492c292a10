#!/usr/bin/env bash
# snarkjs interop, fresh: compiles the circuit with circom2 (-p bls12381), runs a new
# trusted setup and proof with snarkjs (generate.mjs, ~12 s), then checks that
# settle-core's validity::snarkjs + validity::groth16 accept that proof and refuse its
# tamperings (packages/core/tests/snarkjs.rs, pointed at the fresh files), and that the
# validity-rollup contract instantiated with snarkjs's key verifies it
# (tests/tests/snarkjs_contract.rs).
#
#   tests/interop/snarkjs/run.sh            fresh fixtures in target/interop/snarkjs
#   tests/interop/snarkjs/run.sh --commit   regenerate the committed fixtures/ instead
#
# Needs node + npm (registry access only for `npm ci`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."

if [ ! -x tests/interop/node_modules/.bin/snarkjs ] || [ ! -x tests/interop/node_modules/.bin/circom2 ]; then
  (cd tests/interop && npm ci --silent --no-audit --no-fund)
fi

if [ "${1:-}" = "--commit" ]; then
  node tests/interop/snarkjs/generate.mjs tests/interop/snarkjs/fixtures
  cargo test -p settle-core --test snarkjs
  cargo test -p settle-tests --test snarkjs_contract
else
  out="$PWD/target/interop/snarkjs"
  node tests/interop/snarkjs/generate.mjs "$out"
  SNARKJS_FIXTURES="$out" cargo test -p settle-core --test snarkjs
  SNARKJS_FIXTURES="$out" cargo test -p settle-tests --test snarkjs_contract
fi
