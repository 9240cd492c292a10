#!/usr/bin/env node
// Checks vectors written by settle-core's oz.rs against the real @openzeppelin/merkle-tree.
//
//   node tests/interop/oz-verify.mjs <ours.json>
//
// The file has the schema documented in oz-generate.mjs; it is produced by
// `OZ_OUT=... cargo test -p settle-core --test oz_interop write_vectors_for_openzeppelin`.
// For every tree it checks, with OpenZeppelin's code only:
//   - StandardMerkleTree.of(values) has our root, and tree.leafHash(value) is our leaf hash;
//   - StandardMerkleTree.verify(root, encoding, value, proof) accepts every one of our proofs,
//     and our proof is the one OZ's getProof returns;
//   - StandardMerkleTree.verifyMultiProof(root, encoding, multiproof) accepts each of our
//     multiproofs, and it equals OZ's getMultiProof for the same value indices;
//   - a tampered proof and a tampered multiproof are rejected.
// The last line printed is `N passed, M failed`; the exit code is 1 if M > 0.

import { readFileSync } from 'node:fs';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';

const LEAF_ENCODING = ['address', 'uint256'];

const path = process.argv[2];
if (!path) {
  console.error('usage: node oz-verify.mjs <vectors.json>');
  process.exit(2);
}
const data = JSON.parse(readFileSync(path, 'utf8'));

let passed = 0;
const failures = [];
function check(ok, what) {
  if (ok) passed++;
  else failures.push(what);
}
// Runs `f`; an exception counts as `false` (OZ throws on malformed proofs).
function attempt(f) {
  try {
    return f();
  } catch {
    return false;
  }
}
const sameList = (a, b) => JSON.stringify(a) === JSON.stringify(b);
// Flips the lowest bit of a 0x-hex hash.
const tamperHash = h => h.slice(0, -1) + (parseInt(h.slice(-1), 16) ^ 1).toString(16);
// The same value with amount + 1 (mod 2^256): a different leaf.
const tamperValue = ([a, v]) => [a, ((BigInt(v) + 1n) % (1n << 256n)).toString()];

check(sameList(data.leafEncoding, LEAF_ENCODING), `leafEncoding is ${JSON.stringify(data.leafEncoding)}`);
check(Array.isArray(data.trees) && data.trees.length > 0, 'file has no trees');

let proofCount = 0;
let multiCount = 0;
for (const [t, vec] of (data.trees ?? []).entries()) {
  const where = `tree ${t} (${vec.values.length} values)`;
  let tree;
  try {
    tree = StandardMerkleTree.of(vec.values, LEAF_ENCODING);
  } catch (e) {
    check(false, `${where}: StandardMerkleTree.of threw: ${e.message}`);
    continue;
  }
  check(tree.root === vec.root, `${where}: root ${vec.root}, OZ has ${tree.root}`);

  for (const [i, value] of vec.values.entries()) {
    const leaf = tree.leafHash(value);
    check(leaf === vec.leaves[i], `${where}: leaf ${i} is ${vec.leaves[i]}, OZ has ${leaf}`);
    const proof = vec.proofs[i];
    proofCount++;
    check(
      attempt(() => StandardMerkleTree.verify(vec.root, LEAF_ENCODING, value, proof)),
      `${where}: StandardMerkleTree.verify rejects our proof of value ${i}`,
    );
    check(sameList(proof, tree.getProof(i)), `${where}: our proof of value ${i} differs from OZ getProof`);
  }

  // One tampered single proof per tree: flip a bit of a proof element, or, when the
  // proof is empty (one-leaf tree), prove a different value.
  const i = t % vec.values.length;
  const badProof = vec.proofs[i].length ? [tamperHash(vec.proofs[i][0]), ...vec.proofs[i].slice(1)] : vec.proofs[i];
  const badValue = vec.proofs[i].length ? vec.values[i] : tamperValue(vec.values[i]);
  check(
    !attempt(() => StandardMerkleTree.verify(vec.root, LEAF_ENCODING, badValue, badProof)),
    `${where}: StandardMerkleTree.verify accepts a tampered proof of value ${i}`,
  );

  for (const mp of vec.multiProofs) {
    multiCount++;
    const what = `${where}: multiproof of [${mp.indices}]`;
    check(
      attempt(() =>
        StandardMerkleTree.verifyMultiProof(vec.root, LEAF_ENCODING, {
          leaves: mp.leaves,
          proof: mp.proof,
          proofFlags: mp.proofFlags,
        }),
      ),
      `${what}: StandardMerkleTree.verifyMultiProof rejects it`,
    );
    check(
      sameList(mp.leafHashes, mp.leaves.map(v => tree.leafHash(v))),
      `${what}: leafHashes are not the OZ leaf hashes of its leaves`,
    );
    let theirs;
    try {
      theirs = tree.getMultiProof([...mp.indices]);
    } catch (e) {
      check(false, `${what}: OZ getMultiProof threw: ${e.message}`);
      continue;
    }
    check(
      sameList(mp.leaves, theirs.leaves) && sameList(mp.proof, theirs.proof) && sameList(mp.proofFlags, theirs.proofFlags),
      `${what}: differs from OZ getMultiProof ${JSON.stringify(theirs)}`,
    );
    // Tampered: flip a bit of a proof element, or else replace the first leaf value.
    const bad = mp.proof.length
      ? { leaves: mp.leaves, proof: [tamperHash(mp.proof[0]), ...mp.proof.slice(1)], proofFlags: mp.proofFlags }
      : { leaves: [tamperValue(mp.leaves[0]), ...mp.leaves.slice(1)], proof: mp.proof, proofFlags: mp.proofFlags };
    check(
      !attempt(() => StandardMerkleTree.verifyMultiProof(vec.root, LEAF_ENCODING, bad)),
      `${what}: StandardMerkleTree.verifyMultiProof accepts a tampered copy`,
    );
  }
}

for (const f of failures.slice(0, 30)) console.error(`FAIL ${f}`);
if (failures.length > 30) console.error(`... and ${failures.length - 30} more failures`);
console.log(
  `${path}: ${data.trees?.length ?? 0} trees, ${proofCount} proofs, ${multiCount} multiproofs checked against @openzeppelin/merkle-tree`,
);
console.log(`${passed} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
