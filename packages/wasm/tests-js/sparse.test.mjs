// Keccak-256 and the tags, sparse-tree proofs and witnesses, deposit encodings and the
// deposit hash chain, from JS, checked against values a second route computes (the
// package's own Merkle tree, a node's withdrawal proofs) and against the core's messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle } from './helpers.mjs';

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const ascii = (s) => hex(new TextEncoder().encode(s));
const ZERO = '00'.repeat(32);

test('keccak256, hashNode and the tags', () => {
  assert.equal(settle.keccak256(new Uint8Array()), 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
  assert.equal(settle.keccak256(new TextEncoder().encode('abc')), '4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  // a leaf hash is keccak256 of the leaf tag and the data
  const data = new Uint8Array([1, 2, 3]);
  assert.equal(settle.keccak256(new Uint8Array([0, ...data])), settle.hashLeaf(data));
  // a node hash is what a two-leaf tree over leaf hashes gives as its root
  const [a, b] = [settle.hashLeaf(new Uint8Array([1])), settle.hashLeaf(new Uint8Array([2]))];
  assert.equal(settle.hashNode(a, '0x' + b), settle.MerkleTree.fromLeafHashes([a, b]).root);
  assert.equal(settle.hashNode(a, b), settle.keccak256(Buffer.from('01' + a + b, 'hex')));
  assert.deepEqual(settle.tags(), {
    leaf: '00',
    node: '01',
    state: ascii('settle/state/v1'),
    output: ascii('settle/output/v1'),
    data: ascii('settle/data/v1'),
    txDomain: ascii('settle/l2-tx/v1'),
    deposit: ascii('settle/deposit/v1'),
  });
  assert.throws(() => settle.hashNode('00', b), { name: 'Error', message: 'expected 32 bytes for left, got 1' });
  assert.throws(() => settle.hashNode(a, 'zz'), { name: 'Error', message: /^right: "zz" is not hex/ });
});

test('default nodes', () => {
  assert.equal(settle.defaultNode(0), ZERO);
  for (let k = 0; k < 32; k++) {
    assert.equal(settle.defaultNode(k + 1), settle.hashNode(settle.defaultNode(k), settle.defaultNode(k)));
  }
  assert.throws(() => settle.defaultNode(33), { message: 'level: 33 is above the deepest sparse tree (32)' });
  assert.throws(() => settle.defaultNode(-1), { message: 'level: -1 is not a non-negative safe integer' });
});

/** A batch whose depth-16 withdrawal tree holds three withdrawals (refunds of deposits to
 * accounts that do not exist). */
function withdrawals() {
  const node = new settle.RollupNode(settle.domain('test-1', 'rollup'));
  for (let i = 0; i < 3; i++) {
    node.observeDeposit({ index: i, to: { account: { index: 9 } }, amount: String(100 + i), refundTo: '11'.repeat(20) });
  }
  node.propose(new Uint8Array());
  const proofs = node.batchWithdrawals(0);
  node.free();
  return proofs;
}

/** `keccak256(0x00 || amount (16 BE) || recipient)`: a withdrawal's leaf. */
const withdrawalLeaf = (w) => settle.hashLeaf(Buffer.from(BigInt(w.amount).toString(16).padStart(32, '0') + w.recipient, 'hex'));

test("compact proofs: a node's withdrawal proofs, their parts, tampering", () => {
  const ws = withdrawals();
  assert.equal(ws.length, 3);
  for (const w of ws) {
    const leaf = withdrawalLeaf(w);
    assert.equal(settle.sparseComputeRoot(16, w.index, leaf, w.proof), w.withdrawalsRoot);
    assert.equal(settle.sparseVerify(16, w.withdrawalsRoot, w.index, leaf, w.proof), true);
    assert.equal(settle.sparseCheck(16, w.withdrawalsRoot, w.index, leaf, w.proof), undefined);
    const parts = settle.sparseProofFromBytes(16, w.proof);
    assert.equal(parts.siblings.length, [...parts.bitmap.toString(2)].filter((c) => c === '1').length);
    assert.equal(settle.sparseProofToBytes(16, parts), w.proof);
    assert.equal(w.proof.slice(0, 4), parts.bitmap.toString(16).padStart(4, '0'));
    // another index, another leaf: false, and the core's reason when asked
    const other = (w.index + 1) % ws.length;
    assert.equal(settle.sparseVerify(16, w.withdrawalsRoot, other, leaf, w.proof), false);
    assert.throws(() => settle.sparseCheck(16, w.withdrawalsRoot, other, leaf, w.proof), {
      name: 'Error',
      message: /^merkle root mismatch: the proof gives [0-9a-f]{64}, expected [0-9a-f]{64}$/,
    });
  }
  // index 3 is empty, provably (non-membership): siblings leaf 2, then node(leaf 0, leaf 1)
  const [l0, l1, l2] = ws.map(withdrawalLeaf);
  const empty = settle.sparseProofToBytes(16, { bitmap: 0b11, siblings: [l2, settle.hashNode(l0, l1)] });
  assert.equal(empty, `0003${l2}${settle.hashNode(l0, l1)}`);
  assert.equal(settle.sparseVerify(16, ws[0].withdrawalsRoot, 3, ZERO, empty), true);
  assert.equal(settle.sparseVerify(16, ws[0].withdrawalsRoot, 3, l2, empty), false);
  assert.deepEqual(settle.sparseProofFromBytes(16, empty), { bitmap: 3, siblings: [l2, settle.hashNode(l0, l1)] });
});

test("compact proofs: the core's messages for malformed ones", () => {
  const [w] = withdrawals();
  const leaf = withdrawalLeaf(w);
  const short = w.proof.slice(0, -2);
  const n = short.length / 2;
  assert.equal(settle.sparseVerify(16, w.withdrawalsRoot, 0, leaf, short), false);
  assert.throws(() => settle.sparseCheck(16, w.withdrawalsRoot, 0, leaf, short), {
    message: `malformed sparse merkle proof: ${n} bytes is not a 2-byte bitmap followed by 32-byte hashes`,
  });
  assert.throws(() => settle.sparseProofFromBytes(32, w.proof), { message: /^malformed sparse merkle proof: \d+ bytes is not a 4-byte bitmap/ });
  assert.throws(() => settle.sparseProofFromBytes(16, '0003' + ZERO), { message: 'merkle proof has 1 sibling hashes, expected 2' });
  assert.throws(() => settle.sparseComputeRoot(16, 65536, leaf, w.proof), { message: 'leaf index 65536 out of range for a tree of 65536 leaves' });
  assert.equal(settle.sparseVerify(16, w.withdrawalsRoot, 65536, leaf, w.proof), false);
  assert.throws(() => settle.sparseProofToBytes(16, { bitmap: 1 << 20, siblings: [ZERO] }), {
    message: 'malformed sparse merkle proof: bitmap 0x100000 has bits above depth 16',
  });
  assert.throws(() => settle.sparseProofToBytes(16, { bitmap: 1, siblings: [] }), { message: 'merkle proof has 0 sibling hashes, expected 1' });
  // arguments that cannot be read
  assert.throws(() => settle.sparseVerify(40, w.withdrawalsRoot, 0, leaf, w.proof), { message: 'depth: 40 is above the deepest sparse tree (32)' });
  assert.throws(() => settle.sparseVerify(16, '00', 0, leaf, w.proof), { message: 'expected 32 bytes for root, got 1' });
  assert.throws(() => settle.sparseVerify(16, w.withdrawalsRoot, 0, leaf, 'xyz'), { message: /^proof: "xyz" is not hex/ });
  assert.throws(() => settle.sparseProofToBytes(16, { bitmap: 1 }), { message: 'missing field `siblings`' });
});

test('witnesses: the old root with the old leaves, the new root with new ones', () => {
  // depth 2: leaves a, b at 0 and 1, c at 3; the witness of {1, 2}: level 0 siblings
  // a (present) and c (present), level 1 nothing missing
  const [a, b, c, d] = [1, 2, 3, 4].map((i) => settle.hashLeaf(new Uint8Array([i])));
  const root = settle.hashNode(settle.hashNode(a, b), settle.hashNode(ZERO, c));
  const witness = { indices: [1, 2], present: [true, true], hashes: [a, c] };
  assert.equal(settle.sparseWitnessRoot(2, witness, [b, ZERO]), root);
  assert.equal(settle.sparseVerifyMany(2, root, witness, [b, ZERO]), true);
  assert.equal(settle.sparseCheckMany(2, root, witness, [b, ZERO]), undefined);
  // set leaf 2 to d: the same witness gives the new root
  const updated = settle.hashNode(settle.hashNode(a, b), settle.hashNode(d, c));
  assert.equal(settle.sparseWitnessRoot(2, witness, [b, d]), updated);
  assert.equal(settle.sparseVerifyMany(2, root, witness, [b, d]), false);
  assert.throws(() => settle.sparseCheckMany(2, root, witness, [b, d]), { message: /^merkle root mismatch: / });
  // leaf 3 empty: a default sibling is a `false` flag and no hash
  const root2 = settle.hashNode(settle.hashNode(a, b), settle.hashNode(c, ZERO));
  assert.equal(settle.sparseWitnessRoot(2, { indices: [2], present: [false, true], hashes: [settle.hashNode(a, b)] }, [c]), root2);
  // the core's messages
  assert.throws(() => settle.sparseWitnessRoot(2, { ...witness, present: [true, true, false] }, [b, ZERO]), {
    message: 'malformed sparse multiproof: flags do not match the leaf set',
  });
  assert.throws(() => settle.sparseWitnessRoot(2, { ...witness, hashes: [a] }, [b, ZERO]), {
    message: 'malformed sparse multiproof: hashes do not match the leaf set',
  });
  assert.throws(() => settle.sparseWitnessRoot(2, witness, [b]), { message: 'multiproof covers 2 leaves, 1 given' });
  assert.throws(() => settle.sparseWitnessRoot(2, { ...witness, indices: [2, 1] }, [b, ZERO]), { message: 'leaf indices must be strictly increasing' });
  assert.throws(() => settle.sparseWitnessRoot(2, { indices: [], present: [], hashes: [] }, []), { message: 'a multiproof needs at least one leaf' });
  assert.throws(() => settle.sparseCheckMany(2, root, { ...witness, indices: [1, 4] }, [b, ZERO]), {
    message: 'leaf index 4 out of range for a tree of 4 leaves',
  });
  assert.equal(settle.sparseVerifyMany(2, root, { ...witness, indices: [1, 4] }, [b, ZERO]), false);
  assert.throws(() => settle.sparseVerifyMany(2, root, { indices: [1] }, [b]), { message: 'missing field `present`' });
});

test('deposits: encoding and the hash chain', () => {
  const alice = settle.L2Key.fromLabel('alice');
  const refund = '11'.repeat(20);
  const open = { index: 0, to: { newAccount: { pubkey: alice.publicKey } }, amount: '1000', refundTo: refund };
  const credit = { index: 1, to: { account: { index: 7 } }, amount: 30, refundTo: refund };
  const u128 = (v) => BigInt(v).toString(16).padStart(32, '0');
  assert.equal(settle.encodeDeposit(open), `${'00'.repeat(8)}00${alice.publicKey}${u128(1000)}14${refund}`);
  assert.equal(settle.encodeDeposit(credit), `${'00'.repeat(7)}010100000007${u128(30)}14${refund}`);
  // the contract's snake_case spelling is accepted too
  assert.equal(settle.encodeDeposit({ ...open, to: { new_account: { pubkey: alice.publicKey } } }), settle.encodeDeposit(open));
  const chain = (head, d) => settle.keccak256(Buffer.from(settle.tags().deposit + head + settle.encodeDeposit(d), 'hex'));
  const head0 = settle.depositChain(ZERO, open);
  assert.equal(head0, chain(ZERO, open));
  const head1 = settle.depositChain(head0, credit);
  assert.equal(head1, chain(head0, credit));
  assert.notEqual(head1, settle.depositChain(ZERO, credit));
  assert.throws(() => settle.depositChain('00', open), { message: 'expected 32 bytes for head, got 1' });
  const { amount: _, ...noAmount } = open;
  assert.throws(() => settle.encodeDeposit(noAmount), { message: 'missing field `amount`' });
  assert.throws(() => settle.encodeDeposit({ ...open, to: { somewhere: {} } }), { message: /^unknown variant `somewhere`/ });
  assert.throws(() => settle.encodeDeposit({ ...open, to: { newAccount: { pubkey: '02' } } }), {
    message: 'expected 33 bytes for public key, got 1',
  });
});
