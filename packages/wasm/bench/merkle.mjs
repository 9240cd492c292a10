// Merkle benchmark: an OpenZeppelin-compatible tree of 2^k (address, uint256) values plus
// 1,000 proofs, built by (a) our npm package (the Rust core in wasm) and (b)
// @openzeppelin/merkle-tree, in this same Node process, next to (c) the native core
// (the `merkle_bench` example, whose path is in NATIVE_BENCH). All three must give the
// same root. Prints a table and the ratios. Run it with `cargo xtask bench`.
//
//   node packages/wasm/bench/merkle.mjs [log2 sizes...]     (default: 16 20)
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { statSync } from 'node:fs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const require = createRequire(import.meta.url);
const ours = require(path.join(root, 'packages/wasm/pkg/node/settle_wasm.js'));
const { StandardMerkleTree: OzTree } = await import(
  path.join(root, 'tests/interop/node_modules/@openzeppelin/merkle-tree/dist/index.js')
);

const logs = process.argv.slice(2).map(Number);
const sizes = logs.length ? logs : [16, 20];

// Value i: the same deterministic values as packages/core/examples/merkle_bench.rs.
function values(n) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    let hex = '0x';
    for (let k = 0; k < 20; k++) {
      const b = ((i >>> (8 * (k % 4))) & 0xff) ^ ((k * 37) & 0xff);
      hex += b.toString(16).padStart(2, '0');
    }
    out[i] = [hex, String(i * 1000 + 1)];
  }
  return out;
}

function time(fn) {
  const t = process.hrtime.bigint();
  const r = fn();
  return [Number(process.hrtime.bigint() - t) / 1e6, r];
}

function bestOf(runs, fn) {
  let best = { build: Infinity, proofs: Infinity, root: null };
  for (let r = 0; r < runs; r++) {
    const got = fn();
    best = {
      build: Math.min(best.build, got.build),
      proofs: Math.min(best.proofs, got.proofs),
      root: got.root,
    };
  }
  return best;
}

function proofIndices(n) {
  const step = Math.max(1, Math.floor(n / 1000));
  return Array.from({ length: 1000 }, (_, j) => (j * step) % n);
}

// One run of the native core at 2^k (its own best of three), or null without NATIVE_BENCH.
function nativeRun(k) {
  if (!process.env.NATIVE_BENCH) return null;
  return JSON.parse(execFileSync(process.env.NATIVE_BENCH, [String(k)], { encoding: 'utf8' }));
}

const wasmBytes = statSync(path.join(root, 'packages/wasm/pkg/node/settle_wasm_bg.wasm')).size;
console.log(`npm package .wasm: ${wasmBytes} bytes`);
console.log(
  `node ${process.version}; after a warm-up, best of 5 runs, the native core's interleaved with ours ` +
    `(each its own best of 3; OpenZeppelin: best of 3, at 2^20 one run)\n`,
);
console.log('| size | ours (wasm) build + 1,000 proofs | OpenZeppelin | native core | OZ / ours | ours / native |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');

// Warm-up, untimed: V8 first runs wasm and JS on its baseline tiers and optimizes in the
// background; measure the optimized code of both, as a long-lived page would run it.
{
  const warm = values(1 << 16);
  for (let r = 0; r < 3; r++) {
    const t = ours.StandardMerkleTree.of(warm);
    proofIndices(warm.length).forEach((i) => t.getProof(i));
    t.free();
  }
  const small = values(1 << 12);
  const t = OzTree.of(small, ['address', 'uint256']);
  proofIndices(small.length).forEach((i) => t.getProof(i));
}

let mismatches = 0;
for (const k of sizes) {
  const n = 2 ** k;
  const vals = values(n);
  const idx = proofIndices(n);
  // The package and the native core take turns, so a noisy spell on this shared machine
  // slows both sides rather than one.
  let c = null;
  const a = bestOf(5, () => {
    const n = nativeRun(k);
    if (n && (!c || n.build_ms + n.proofs_ms < c.build_ms + c.proofs_ms)) c = n;
    const [build, tree] = time(() => ours.StandardMerkleTree.of(vals));
    const [proofs] = time(() => idx.forEach((i) => tree.getProof(i)));
    const root = tree.root;
    tree.free();
    return { build, proofs, root };
  });
  const b = bestOf(k >= 20 ? 1 : 3, () => {
    const [build, tree] = time(() => OzTree.of(vals, ['address', 'uint256']));
    const [proofs] = time(() => idx.forEach((i) => tree.getProof(i)));
    return { build, proofs, root: tree.root };
  });
  const total = (x) => x.build + x.proofs;
  const nat = c ? c.build_ms + c.proofs_ms : NaN;
  if (a.root !== b.root || (c && c.root !== a.root)) {
    mismatches++;
    console.error(`ROOT MISMATCH at 2^${k}: ours ${a.root} oz ${b.root} native ${c && c.root}`);
  }
  console.log(
    `| 2^${k} | ${total(a).toFixed(1)} ms | ${total(b).toFixed(1)} ms | ${nat.toFixed(1)} ms | ` +
      `${(total(b) / total(a)).toFixed(1)}x | ${(total(a) / nat).toFixed(2)}x |`,
  );
}
console.log('\nroots agree across the package, OpenZeppelin and the native core: ' + (mismatches ? 'NO' : 'yes'));
process.exit(mismatches ? 1 : 0);
