#!/usr/bin/env node
// Generates the snarkjs Groth16 fixtures (BLS12-381) that settle-core's
// `validity::snarkjs` and `validity::groth16` are tested against:
//
//   circuit.circom --circom2 -p bls12381--> circuit.r1cs + circuit.wasm
//   powers of tau (bls12-381, 2^6) -> contribution -> phase 2 -> groth16 setup
//   -> zkey contribution -> verification key; fullprove(input.json) -> proof + public;
//   snarkjs groth16 verify must say OK.
//
// Everything runs offline from tests/interop/node_modules (npm ci there first). The
// contributions use fixed entropy strings so no prompt appears, but snarkjs mixes them
// with fresh OS randomness (and the prover draws fresh r, s): every run writes a new,
// equally valid key and proof. Work files go to a temporary directory; only the three
// JSON files are written to fixtures/ (or the directory given as the first argument).
//
//   node tests/interop/snarkjs/generate.mjs [out-dir]
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, "..", "node_modules", ".bin");
const out = resolve(process.argv[2] ?? join(here, "fixtures"));
const work = mkdtempSync(join(tmpdir(), "settle-snarkjs-"));
const POWER = 6; // 2^6 constraints are plenty for the circuit's 12

const started = Date.now();
function run(tool, ...args) {
  const t = Date.now();
  const shown = [tool, ...args].map((a) => a.replaceAll(work, "$WORK")).join(" ");
  process.stdout.write(`$ ${shown}\n`);
  const output = execFileSync(join(bin, tool), args, { cwd: work, encoding: "utf8" });
  process.stdout.write(`  (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
  return output;
}
const w = (name) => join(work, name);

try {
  copyFileSync(join(here, "circuit.circom"), w("circuit.circom"));
  copyFileSync(join(here, "input.json"), w("input.json"));

  run("circom2", w("circuit.circom"), "-p", "bls12381", "--r1cs", "--wasm", "-o", work);

  run("snarkjs", "powersoftau", "new", "bls12-381", String(POWER), w("pot_0000.ptau"));
  run("snarkjs", "powersoftau", "contribute", w("pot_0000.ptau"), w("pot_0001.ptau"),
    "--name=settle fixtures", "-e=settle-core snarkjs interop, powers of tau");
  run("snarkjs", "powersoftau", "prepare", "phase2", w("pot_0001.ptau"), w("pot_final.ptau"));

  run("snarkjs", "groth16", "setup", w("circuit.r1cs"), w("pot_final.ptau"), w("circuit_0000.zkey"));
  run("snarkjs", "zkey", "contribute", w("circuit_0000.zkey"), w("circuit_final.zkey"),
    "--name=settle fixtures", "-e=settle-core snarkjs interop, phase 2");
  run("snarkjs", "zkey", "export", "verificationkey", w("circuit_final.zkey"), w("vk.json"));

  run("snarkjs", "groth16", "fullprove", w("input.json"), w("circuit_js/circuit.wasm"),
    w("circuit_final.zkey"), w("proof.json"), w("public.json"));
  const verdict = run("snarkjs", "groth16", "verify", w("vk.json"), w("public.json"), w("proof.json"));
  if (!/OK/.test(verdict)) {
    throw new Error(`snarkjs groth16 verify did not accept its own proof:\n${verdict}`);
  }

  mkdirSync(out, { recursive: true });
  for (const name of ["vk.json", "proof.json", "public.json"]) {
    copyFileSync(w(name), join(out, name));
  }
  console.log(`wrote vk.json, proof.json, public.json to ${out} ` +
    `in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
