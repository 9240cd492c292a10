// Every failure is a JS Error whose message is the core's (or names the argument that
// cannot be read).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle } from './helpers.mjs';

const d = settle.domain('test-1', 'rollup');
const alice = settle.L2Key.fromLabel('alice');

/** Asserts that `f` throws an `Error` with exactly (or matching) `message`. */
function throwsError(f, message) {
  let thrown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof Error, `expected an Error, got ${thrown}`);
  assert.equal(thrown.name, 'Error');
  if (message instanceof RegExp) assert.match(thrown.message, message);
  else assert.equal(thrown.message, message);
}

test("the core's messages", () => {
  const tree = new settle.MerkleTree([new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])]);
  throwsError(() => tree.prove(3), 'leaf index 3 out of range for a tree of 3 leaves');
  throwsError(() => tree.proveMany([2, 1]), 'leaf indices must be strictly increasing');
  throwsError(() => tree.proveMany([]), 'a multiproof needs at least one leaf');
  throwsError(() => new settle.MerkleTree([]).prove(0), 'leaf index 0 out of range for a tree of 0 leaves');
  throwsError(() => settle.merkleCheck(tree.root, new Uint8Array([2]), tree.prove(0)), /^merkle root mismatch: /);
  throwsError(() => settle.decodeTx(new Uint8Array([0, 1])), 'input ends inside a value');
  throwsError(() => settle.decodeTx(new Uint8Array(80).fill(0xe0)), 'unknown transaction kind 7');
  throwsError(() => settle.signWithdrawal(alice, d, { from: 0, recipient: 'aa'.repeat(65), amount: '1', nonce: '0' }),
    'length 65 out of range');
  throwsError(() => settle.L2Key.fromSecret('00'.repeat(32)), /^invalid secp256k1 key: /);
  throwsError(() => settle.L2Key.fromSecret('ff'.repeat(32)), /^invalid secp256k1 key: /);
  throwsError(() => settle.StandardMerkleTree.of([]), 'an empty tree has no proofs');

  const node = new settle.RollupNode(d);
  throwsError(() => node.observeDeposit({ index: 1, to: { account: { index: 0 } }, amount: '1', refundTo: 'aa' }),
    'malformed deposit: deposit 1 observed where 0 is next');
  throwsError(() => node.proposeWith(new Uint8Array(), 2), 'malformed batch: 2 deposits requested, 0 pending');
  throwsError(() => node.withdrawalProof(0, 0), 'no such batch (0): 0 applied so far');
  node.propose(new Uint8Array());
  throwsError(() => node.withdrawalProof(0, 0), 'leaf index 0 out of range for a tree of 0 leaves');
  throwsError(() => node.batchEffects(1), 'no such batch (1): 1 applied so far');
  throwsError(() => node.batchWithdrawals(1), 'no such batch (1): 1 applied so far');
  assert.deepEqual(node.batchWithdrawals(0), []);
  throwsError(() => settle.depositMsg({ newAccount: { pubkey: '05' + alice.publicKey.slice(2) } }),
    'invalid secp256k1 key: not a compressed secp256k1 point');
});

test('arguments that cannot be read name the problem', () => {
  throwsError(() => new settle.RollupNode('beef'), 'expected 32 bytes for domain, got 2');
  throwsError(() => settle.signTransfer(alice, 'zz', { from: 0, to: 1, amount: '1', nonce: '0' }),
    /^domain: "zz" is not hex/);
  throwsError(() => settle.signTransfer(alice, d, { from: 0, to: 1, nonce: '0' }), 'missing field `amount`');
  throwsError(() => settle.signTransfer(alice, d, { from: 0, to: 1, amount: '-1', nonce: '0' }),
    /^invalid value: string "-1", expected a decimal string/);
  throwsError(() => settle.signTransfer(alice, d, { from: 0, to: 1, amount: 1.5, nonce: '0' }),
    /^invalid value: floating point `1.5`/);
  throwsError(() => settle.signTransfer(alice, d, { from: 0, to: 1, amount: (1n << 128n).toString(), nonce: '0' }),
    /fits a u128$/);
  throwsError(() => settle.merkleVerify('00', new Uint8Array(32), { index: 0, leafCount: 1, siblings: [] }),
    'expected 32 bytes for root, got 1');
  throwsError(() => new settle.MerkleTree([]).leaf(-1), 'index: -1 is not a non-negative safe integer');
  throwsError(() => settle.StandardMerkleTree.of([['0x11', '1']]), 'expected 20 bytes for address, got 1');
  throwsError(() => settle.canonicalAddress('wasm1notbech32'), /^invalid bech32 address "wasm1notbech32": /);
  throwsError(() => settle.humanAddress('42', 'Bad Prefix'), /^invalid bech32 prefix/);
  throwsError(() => settle.verifyWithdrawal({}, {}), /^missing field `/);
  throwsError(() => settle.depositMsg({ somewhere: {} }), /^unknown variant `somewhere`/);
});
