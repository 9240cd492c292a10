#!/usr/bin/env node
// Generates OpenZeppelin StandardMerkleTree vectors for settle-core's `oz` module.
//
//   node tests/interop/oz-generate.mjs <out.json> <seed> [trees] [maxSize]
//
// Builds `trees` random trees of random (address, uint256) values with the real
// @openzeppelin/merkle-tree package and writes, per tree: the values, the root, every
// value's leaf hash and getProof, and a few getMultiProof results. The PRNG is seeded,
// so the same seed, tree count and max size reproduce the same file byte for byte.
//
// Schema (all hashes are lowercase 0x-hex, amounts are decimal strings):
//   { provenance, generator: {...}, leafEncoding: ["address","uint256"],
//     trees: [ { values: [[address, amount], ...], root,
//                leaves: [leafHash per value index], proofs: [[hash, ...] per value index],
//                multiProofs: [ { indices, leaves: [[address, amount], ...] (OZ order),
//                                 leafHashes, proof, proofFlags } ] } ] }

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';

const LEAF_ENCODING = ['address', 'uint256'];
const require = createRequire(import.meta.url);
const OZ_VERSION = JSON.parse(
  readFileSync(require.resolve('@openzeppelin/merkle-tree/package.json'), 'utf8'),
).version;

const [outPath, seedArg, treesArg = '40', maxSizeArg = '300'] = process.argv.slice(2);
if (!outPath || seedArg === undefined || !/^\d+$/.test(seedArg)) {
  console.error('usage: node oz-generate.mjs <out.json> <seed (u32)> [trees=40] [maxSize=300]');
  process.exit(2);
}
const seed = Number(seedArg) >>> 0;
const treeCount = Number(treesArg);
const maxSize = Number(maxSizeArg);
if (!(treeCount >= 1) || !(maxSize >= 1)) {
  console.error('trees and maxSize must be positive integers');
  process.exit(2);
}

// mulberry32: tiny, seedable, good enough for test data.
function mulberry32(a) {
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(seed);
const randInt = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)); // inclusive
const randHex = bytes =>
  Array.from({ length: bytes }, () => randInt(0, 255).toString(16).padStart(2, '0')).join('');

const MAX_U256 = (1n << 256n) - 1n;

function randomAmount() {
  const r = rand();
  if (r < 0.05) return 0n;
  if (r < 0.1) return MAX_U256;
  if (r < 0.35) return BigInt(randInt(1, 1_000_000));
  if (r < 0.7) return BigInt('0x' + randHex(10)); // ~ token amounts with 18 decimals
  return BigInt('0x' + randHex(randInt(1, 32))); // any width up to 256 bits
}

function randomValues(n) {
  const values = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (i > 0 && r < 0.03) {
      // exact duplicate of an earlier value: two leaves with the same hash
      values.push([...values[randInt(0, i - 1)]]);
    } else if (i > 0 && r < 0.08) {
      // same address, different amount
      values.push([values[randInt(0, i - 1)][0], randomAmount().toString()]);
    } else {
      values.push(['0x' + randHex(20), randomAmount().toString()]);
    }
  }
  return values;
}

function shuffled(xs) {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randInt(0, i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

// Index sets for getMultiProof: all leaves (shuffled), a random subset, a single leaf,
// and on some trees the empty set (OZ then returns the root as the only proof element).
function indexSets(n, t) {
  const all = shuffled([...Array(n).keys()]);
  const sets = [all];
  sets.push(all.slice(0, randInt(1, n)));
  sets.push([randInt(0, n - 1)]);
  if (t % 5 === 0) sets.push([]);
  const seen = new Set();
  return sets.filter(s => {
    const key = s.join(',');
    return !seen.has(key) && seen.add(key);
  });
}

// Edge sizes first (1, 2, 3, powers of two and their neighbours), then random sizes.
const EDGE_SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257];
const sizes = EDGE_SIZES.filter(s => s <= maxSize).slice(0, treeCount);
while (sizes.length < treeCount) sizes.push(randInt(1, maxSize));

const trees = sizes.map((n, t) => {
  const values = randomValues(n);
  const tree = StandardMerkleTree.of(values, LEAF_ENCODING);
  const multiProofs = indexSets(n, t).map(indices => {
    const mp = tree.getMultiProof(indices);
    return {
      indices,
      leaves: mp.leaves,
      leafHashes: mp.leaves.map(v => tree.leafHash(v)),
      proof: mp.proof,
      proofFlags: mp.proofFlags,
    };
  });
  return {
    values,
    root: tree.root,
    leaves: values.map(v => tree.leafHash(v)),
    proofs: values.map((_, i) => tree.getProof(i)),
    multiProofs,
  };
});

const out = {
  provenance:
    `Produced by @openzeppelin/merkle-tree ${OZ_VERSION} via tests/interop/oz-generate.mjs ` +
    `with seed ${seed} (trees=${treeCount}, maxSize=${maxSize}) on node ${process.version}.`,
  generator: {
    package: '@openzeppelin/merkle-tree',
    version: OZ_VERSION,
    script: 'tests/interop/oz-generate.mjs',
    seed,
    trees: treeCount,
    maxSize,
    node: process.version,
  },
  leafEncoding: LEAF_ENCODING,
  trees,
};

// JSON with objects and nested arrays broken over lines but arrays of scalars on one line
// (one value, leaf or proof per line): readable diffs, and small enough to commit.
function format(v, indent = '') {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const inner = indent + ' ';
  if (Array.isArray(v)) {
    if (v.every(x => x === null || typeof x !== 'object')) return JSON.stringify(v);
    return '[\n' + v.map(x => inner + format(x, inner)).join(',\n') + '\n' + indent + ']';
  }
  const entries = Object.entries(v).map(([k, x]) => inner + JSON.stringify(k) + ': ' + format(x, inner));
  return '{\n' + entries.join(',\n') + '\n' + indent + '}';
}

writeFileSync(outPath, format(out) + '\n');
const proofs = trees.reduce((s, t) => s + t.proofs.length, 0);
const multi = trees.reduce((s, t) => s + t.multiProofs.length, 0);
console.log(`wrote ${outPath}: ${trees.length} trees, ${proofs} proofs, ${multi} multiproofs (seed ${seed})`);
