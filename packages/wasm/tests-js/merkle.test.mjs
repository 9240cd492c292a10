// Merkle trees, and OpenZeppelin's StandardMerkleTree checked against the real
// @openzeppelin/merkle-tree both ways on seeded random trees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle, openZeppelin, prng, randomHex } from './helpers.mjs';

const enc = ['address', 'uint256'];

test('merkle tree: every leaf proves, tampering fails with the core reason', () => {
  for (const n of [1, 2, 3, 5, 8, 13]) {
    const items = Array.from({ length: n }, (_, i) => new TextEncoder().encode(`item ${i}`));
    const tree = new settle.MerkleTree(items);
    assert.equal(tree.length, n);
    assert.equal(settle.MerkleTree.fromLeafHashes(items.map(settle.hashLeaf)).root, tree.root);
    for (let i = 0; i < n; i++) {
      const leaf = settle.hashLeaf(items[i]);
      assert.equal(tree.leaf(i), leaf);
      const proof = tree.prove(i);
      assert.equal(proof.index, i);
      assert.equal(proof.leafCount, n);
      assert.equal(settle.merkleVerify(tree.root, items[i], proof), true);
      settle.merkleCheck(tree.root, items[i], proof);
      // the verifiers take leaf DATA: a leaf hash passed as data is hashed again and refused
      assert.equal(settle.merkleVerify(tree.root, Buffer.from(leaf, 'hex'), proof), false);
      if (n > 1) {
        const other = items[(i + 1) % n];
        assert.equal(settle.merkleVerify(tree.root, other, proof), false);
        assert.throws(() => settle.merkleCheck(tree.root, other, proof), {
          name: 'Error',
          message: /^merkle root mismatch: the proof gives [0-9a-f]{64}, expected [0-9a-f]{64}$/,
        });
      }
    }
    const indices = [...Array(n).keys()].filter(i => i % 2 === 0);
    const many = tree.proveMany(indices);
    const leaves = indices.map(i => items[i]);
    assert.equal(settle.merkleVerifyMany(tree.root, leaves, many), true);
    settle.merkleCheckMany(tree.root, leaves, many);
    const bad = { ...many, hashes: [...many.hashes, '00'.repeat(32)] };
    assert.equal(settle.merkleVerifyMany(tree.root, leaves, bad), false);
    assert.throws(() => settle.merkleCheckMany(tree.root, leaves, bad), { message: /^merkle proof has/ });
    tree.free();
  }
  assert.equal(new settle.MerkleTree([]).root, '00'.repeat(32));
});

function randomValues(rand, n) {
  return Array.from({ length: n }, () => {
    const r = rand();
    const amount =
      r < 0.1 ? 0n
      : r < 0.2 ? (1n << 256n) - 1n
      : BigInt('0x' + randomHex(rand, 1 + Math.floor(rand() * 32)));
    return ['0x' + randomHex(rand, 20), amount.toString()];
  });
}

test('StandardMerkleTree matches @openzeppelin/merkle-tree both ways', () => {
  const { StandardMerkleTree: OzTree } = openZeppelin();
  const seed = Number(process.env.OZ_SEED ?? Date.now() % 2 ** 32);
  const rand = prng(seed);
  const note = `seed ${seed} (replay with OZ_SEED=${seed})`;
  for (let round = 0; round < 25; round++) {
    const n = 1 + Math.floor(rand() * 40);
    const values = randomValues(rand, n);
    const ours = settle.StandardMerkleTree.of(values);
    const oz = OzTree.of(values, enc);
    assert.equal(ours.root, oz.root, note);
    assert.equal(ours.length, n);
    for (let i = 0; i < n; i++) {
      assert.equal(ours.leafHash(i), oz.leafHash(values[i]), note);
      const proof = ours.getProof(i);
      assert.deepEqual(proof, oz.getProof(i), note);
      assert.equal(OzTree.verify(oz.root, enc, values[i], proof), true, note);
      assert.equal(settle.ozVerify(ours.root, values[i], oz.getProof(i)), true, note);
    }
    const indices = [...Array(n).keys()].filter(() => rand() < 0.4);
    if (indices.length === 0) indices.push(0);
    const mp = ours.getMultiProof(indices);
    const ozmp = oz.getMultiProof(indices);
    assert.deepEqual(mp.proof, ozmp.proof, note);
    assert.deepEqual(mp.proofFlags, ozmp.proofFlags, note);
    // the leaves are the values, in the same order as OpenZeppelin's (amounts in decimal)
    const canon = (v) => [v[0].toLowerCase(), BigInt(v[1]).toString()];
    assert.deepEqual(mp.leaves, ozmp.leaves.map(canon), note);
    assert.equal(settle.ozVerifyMultiProof(ours.root, mp), true, note);
    assert.equal(settle.ozVerifyMultiProof(ours.root, ozmp), true, note);
    assert.equal(OzTree.verifyMultiProof(oz.root, enc, mp), true, note);
    // (pairs are hashed sorted, so swapping siblings would still verify: change a leaf)
    const changed = { ...mp, leaves: [['0x' + '00'.repeat(20), '7'], ...mp.leaves.slice(1)] };
    assert.equal(settle.ozVerifyMultiProof(ours.root, changed), false, note);
    assert.equal(settle.ozVerifyMultiProof(ours.root, { ...mp, proofFlags: [...mp.proofFlags, true] }), false, note);
    ours.free();
  }
});

// `of` reads an array of string pairs through one packed buffer and everything else
// through serde; one number among the values sends the whole input serde's way. Both
// ways must accept the same values, build the same tree and word the same errors.
test('StandardMerkleTree.of: string values and serde-read values give the same trees and errors', () => {
  const { StandardMerkleTree: OzTree } = openZeppelin();
  const rand = prng(7);
  const a = '0x' + '11'.repeat(20);
  const viaSerde = (values) => [...values, [a, 1]];
  const rootOf = (values) => settle.StandardMerkleTree.of(values).root;
  const errorOf = (values) => {
    try {
      settle.StandardMerkleTree.of(values);
    } catch (e) {
      return e.message;
    }
    assert.fail('expected an error');
  };
  // Short amounts, then 66-character hex amounts (more than the first buffer's room per
  // value, so the buffer is sized again), upper-case and bare hex.
  const long = '0x' + 'ff'.repeat(32);
  for (const values of [
    Array.from({ length: 50 }, (_, i) => ['0x' + randomHex(rand, 20), String(i)]),
    Array.from({ length: 50 }, () => ['0x' + randomHex(rand, 20), long]),
    [['0X' + 'AB'.repeat(20), '0XFF'], ['0x' + 'cd'.repeat(20), '007']],
  ]) {
    const oz = OzTree.of(viaSerde(values).map(([x, v]) => ['0x' + x.slice(2), BigInt(v)]), enc);
    assert.equal(rootOf(viaSerde(values)), oz.root);
    const ozStrings = OzTree.of(values.map(([x, v]) => ['0x' + x.slice(2), BigInt(v)]), enc);
    assert.equal(rootOf(values), ozStrings.root);
  }
  const good = [[a, '5'], ['0x' + '22'.repeat(20), '6']];
  for (const bad of [
    [a, '1,2'], // a comma inside a string
    [`${a},5`, `${a},6`], // two values smuggled into one
    [a, ''],
    [a, '\uff11'], // a full-width digit
    ['0x' + '1'.repeat(39), '1'], // odd hex
    ['0x' + '11'.repeat(19) + 'zz', '1'],
    [a, '-1'],
    [a, (1n << 256n).toString()],
    [a],
    [a, '1', '2'],
    'not a pair',
  ]) {
    const message = errorOf([...good, bad]);
    assert.equal(message, errorOf(viaSerde([...good, bad])), JSON.stringify(bad));
  }
  // OpenZeppelin's ABI encoding takes exactly two values: a third is refused, not dropped.
  assert.equal(errorOf([[a, '1', '2']]), 'invalid length 3, expected an [address, amount] pair');
  assert.equal(errorOf(['not a pair']), 'invalid type: string "not a pair", expected an [address, amount] pair');
});

test('StandardMerkleTree amounts: decimal, 0x-hex, numbers and bigints are the same uint256', () => {
  const { StandardMerkleTree: OzTree } = openZeppelin();
  const a = '0x' + '11'.repeat(20);
  const oz = OzTree.of([[a, '255']], enc);
  for (const amount of ['255', '0xff', '0xFF', 255, 255n]) {
    assert.equal(settle.StandardMerkleTree.of([[a, amount]]).root, oz.root, String(amount));
  }
  assert.throws(() => settle.StandardMerkleTree.of([[a, (1n << 256n).toString()]]), { message: /does not fit a uint256/ });
  assert.throws(() => settle.StandardMerkleTree.of([]), { message: 'an empty tree has no proofs' });
  assert.equal(settle.ozVerify(oz.root, [a, '256'], []), false);
  assert.equal(settle.ozVerify(oz.root, [a, '255'], []), true);
});

// I2: the verifiers hash what they are given as a leaf, so an inner node (its two
// children as 64 bytes of "leaf data", or as an OpenZeppelin value) is refused.
test('i2: an inner node is not a leaf (merkleVerify, merkleVerifyMany, ozVerifyMultiProof)', () => {
  const items = [1, 2, 3, 4].map(i => new Uint8Array([i]));
  const tree = new settle.MerkleTree(items);
  const [l0, l1, l2, l3] = [0, 1, 2, 3].map(i => tree.leaf(i));
  const children = Buffer.from(l0 + l1, 'hex');
  const sibling = settle.hashNode(l2, l3);
  assert.equal(settle.merkleVerify(tree.root, children, { index: 0, leafCount: 2, siblings: [sibling] }), false);
  assert.equal(settle.merkleVerifyMany(tree.root, [children], { indices: [0], leafCount: 2, hashes: [sibling] }), false);
  tree.free();
  const values = [1, 2, 3, 4].map(i => ['0x' + String(i).repeat(40), String(i)]);
  const oz = settle.StandardMerkleTree.of(values);
  const p0 = oz.getProof(0);
  const [a, b] = [oz.leafHash(0), p0[0]].sort();
  const asValue = ['0x' + a.slice(2 + 24), BigInt(b).toString()];
  assert.equal(settle.ozVerifyMultiProof(oz.root, { leaves: [asValue], proof: [p0[1]], proofFlags: [false] }), false);
  assert.equal(settle.ozVerify(oz.root, asValue, [p0[1]]), false);
  oz.free();
});
