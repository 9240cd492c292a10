// The whole story from JS: keys, signed transactions, a batch applied by RollupNode,
// withdrawal proofs checked by the core's verify_withdrawal, and the contract messages,
// validated against the contract's committed JSON schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle, isExecuteMsg, schemaProblems, contractSchema, b64 } from './helpers.mjs';

const CHAIN = 'test-1';
const ROLLUP = 'wasm14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s0phg4d';
const d = settle.domain(CHAIN, ROLLUP);

function scenario() {
  const alice = settle.L2Key.fromLabel('alice');
  const bob = settle.L2Key.generate();
  const depositor = settle.humanAddress('11'.repeat(20), 'wasm');
  const refundTo = settle.canonicalAddress(depositor);
  const node = new settle.RollupNode(d);
  node.observeDeposit({ index: 0, to: { newAccount: { pubkey: alice.publicKey } }, amount: '1000', refundTo });
  node.observeDeposit({ index: 1, to: { newAccount: { pubkey: bob.publicKey } }, amount: 500, refundTo });
  node.observeDeposit({ index: 2, to: { account: { index: 9 } }, amount: '30', refundTo }); // refunded
  const recipient = settle.humanAddress('42'.repeat(20), 'wasm');
  const txs = [
    settle.signTransfer(alice, d, { from: 0, to: 1, amount: '100', nonce: '0' }),
    settle.signWithdrawal(bob, d, { from: 1, recipient: settle.canonicalAddress(recipient), amount: '250', nonce: 0 }),
    // signed for another rollup: a replay, so a no-op
    settle.signTransfer(alice, settle.domain('other-chain', ROLLUP), { from: 0, to: 1, amount: '1', nonce: '1' }),
    settle.signTransfer(alice, d, { from: 0, to: 1, amount: '5000', nonce: '1' }), // too much
  ];
  const data = settle.encodeBatch(txs);
  const proposal = node.propose(data);
  return { alice, bob, node, recipient, depositor, refundTo, txs, data, proposal };
}

test('keys: generate, secret round trip, deterministic labels', () => {
  const k = settle.L2Key.generate();
  assert.match(k.publicKey, /^0[23][0-9a-f]{64}$/);
  assert.match(k.secret, /^[0-9a-f]{64}$/);
  assert.equal(settle.L2Key.fromSecret(k.secret).publicKey, k.publicKey);
  assert.equal(settle.L2Key.fromSecret('0x' + k.secret).publicKey, k.publicKey);
  assert.notEqual(settle.L2Key.generate().secret, k.secret);
  assert.equal(settle.L2Key.fromLabel('alice').publicKey, settle.L2Key.fromLabel('alice').publicKey);
  k.free();
});

test('transactions: sign, decode, batch, steps, signing hash', () => {
  const alice = settle.L2Key.fromLabel('alice');
  const t = settle.signTransfer(alice, d, { from: 3, to: 4, amount: '25000000', nonce: 7n });
  assert.ok(t instanceof Uint8Array);
  assert.equal(t.length, 69); // round amounts are cheap: one tag byte carries the exponent
  const decoded = settle.decodeTx(t);
  assert.deepEqual(decoded, {
    kind: 'transfer', from: 3, to: 4, amount: '25000000', nonce: '7',
    signature: Buffer.from(t.subarray(t.length - 64)).toString('hex'),
  });
  const recipient = 'ab'.repeat(32);
  const w = settle.signWithdrawal(alice, d, { from: 3, recipient, amount: '340282366920938463463374607431768211455', nonce: '8' });
  const dw = settle.decodeTx(w);
  assert.equal(dw.kind, 'withdraw');
  assert.equal(dw.recipient, recipient);
  assert.equal(dw.amount, '340282366920938463463374607431768211455');
  assert.equal(dw.to, undefined);

  const data = settle.encodeBatch([t, w]);
  assert.deepEqual(Buffer.from(data), Buffer.concat([t, w]));
  const steps = settle.splitSteps(data);
  assert.equal(steps.length, 2);
  assert.deepEqual(Buffer.from(steps[1]), Buffer.from(w));
  assert.match(settle.dataRoot(data), /^[0-9a-f]{64}$/);
  assert.notEqual(settle.dataRoot(data), settle.dataRoot(t));
  // same bytes, another domain: another signing hash
  assert.notEqual(settle.signingHash(d, t), settle.signingHash(settle.domain('x', 'y'), t));
  // deterministic signatures (RFC 6979)
  assert.deepEqual(t, settle.signTransfer(alice, d, { from: 3, to: 4, amount: 25000000, nonce: '7' }));
});

test('addresses: bech32 <-> canonical', () => {
  const canonical = '42'.repeat(32);
  const addr = settle.humanAddress(canonical, 'wasm');
  assert.match(addr, /^wasm1[02-9ac-hj-np-z]+$/);
  assert.equal(settle.canonicalAddress(addr), canonical);
  assert.equal(settle.canonicalAddress(ROLLUP).length, 64);
});

test('rollup node: deposits, batch effects, accounts', () => {
  const s = scenario();
  const { node, proposal, data } = s;
  const output = node.batchOutput(0);
  assert.deepEqual(proposal, {
    index: 0,
    data: Buffer.from(data).toString('base64'),
    depositsConsumed: 3,
    outputRoot: output.outputRoot,
  });
  assert.equal(output.depositCursor, 3);
  assert.equal(output.dataRoot, settle.dataRoot(data));
  assert.equal(output.stateRoot, node.stateRoot);
  assert.deepEqual(node.pendingDeposits, []);
  assert.deepEqual(node.batchEffects(0), [
    { applied: true },
    { applied: true, withdrawalIndex: 1 },
    { applied: false, reason: 'bad signature' },
    { applied: false, reason: 'balance 900 is short of 5000' },
  ]);
  assert.deepEqual(node.account(0), { pubkey: s.alice.publicKey, balance: '900', nonce: '1' });
  assert.deepEqual(node.account(1), { pubkey: s.bob.publicKey, balance: '350', nonce: '1' });
  assert.equal(node.account(2), undefined);
  assert.equal(node.accountCount, 2);
  assert.equal(node.batchCount, 1);
  assert.equal(node.findAccount(s.bob.publicKey), 1);
  const ap = node.accountProof(1);
  assert.equal(typeof ap.bitmap, 'number');
  assert.ok(ap.siblings.every(h => /^[0-9a-f]{64}$/.test(h)));
  // an empty second batch keeps the state
  const next = node.proposeWith(new Uint8Array(), 0);
  assert.equal(next.index, 1);
  assert.equal(node.batchOutput(1).stateRoot, output.stateRoot);
  assert.deepEqual(node.batchEffects(1), []);
});

test('withdrawal proofs verify; every tampering fails with the core reason', () => {
  const { node, recipient, refundTo } = scenario();
  const output = node.batchOutput(0);
  const proof = node.withdrawalProof(0, 1);
  assert.equal(proof.batch, 0);
  assert.equal(proof.index, 1);
  assert.equal(proof.recipient, settle.canonicalAddress(recipient));
  assert.equal(proof.amount, '250');
  assert.deepEqual(settle.verifyWithdrawal(output, proof), { valid: true });
  // the refund of deposit 2 is withdrawal 0, to the depositor
  const refund = node.withdrawalProof(0, 0);
  assert.equal(refund.recipient, refundTo);
  assert.equal(refund.amount, '30');
  assert.deepEqual(settle.verifyWithdrawal(output, refund), { valid: true });
  // the batch's whole list: the refund and the withdrawal, in tree order
  assert.deepEqual(node.batchWithdrawals(0), [refund, proof]);
  // the contract's `batch` query response, as it comes
  const batchResponse = {
    batch: 0, proposer: 'wasm1...', output_root: output.outputRoot, data_root: output.dataRoot,
    data_bytes: 0, tx_steps: 4, deposits_from: 0, deposits_to: 3, status: 'finalized',
  };
  assert.deepEqual(settle.verifyWithdrawal(batchResponse, proof), { valid: true });

  const mismatch = /^merkle root mismatch: the proof gives [0-9a-f]{64}, expected [0-9a-f]{64}$/;
  const cases = [
    [{ ...proof, amount: '251' }, mismatch],
    [{ ...proof, index: 0 }, mismatch],
    [{ ...proof, recipient: refundTo }, mismatch],
    [{ ...proof, withdrawalsRoot: refund.stateRoot }, /^output preimage does not match the output root of batch 0$/],
    [{ ...proof, stateRoot: '00'.repeat(32) }, /^output preimage does not match the output root of batch 0$/],
    [{ ...proof, proof: proof.proof.slice(0, 10) }, /^malformed sparse merkle proof: 5 bytes is not a 2-byte bitmap/],
    [{ ...proof, proof: proof.proof.slice(0, -64) }, /^merkle proof has \d+ sibling hashes, expected \d+$/],
  ];
  // a flipped bit anywhere in the proof bytes
  const flipped = Buffer.from(proof.proof, 'hex');
  flipped[flipped.length - 1] ^= 1;
  cases.push([{ ...proof, proof: flipped.toString('hex') }, mismatch]);
  for (const [claim, reason] of cases) {
    const v = settle.verifyWithdrawal(output, claim);
    assert.equal(v.valid, false, JSON.stringify(claim));
    assert.match(v.reason, reason);
  }
  // the right proof against another batch's commitment
  for (const other of [{ ...output, batch: 1 }, { ...output, depositCursor: 2 }, { ...output, dataRoot: '00'.repeat(32) }]) {
    assert.deepEqual(settle.verifyWithdrawal(other, proof), {
      valid: false,
      reason: `output preimage does not match the output root of batch ${other.batch}`,
    });
  }
});

test('contract messages match the committed schema and the contract shape', () => {
  const { node, recipient, alice, proposal } = scenario();
  const proof = node.withdrawalProof(0, 1);
  const withdraw = settle.withdrawMsg(proof, recipient);
  assert.deepEqual(withdraw, {
    withdraw: {
      batch: 0,
      index: 1,
      recipient,
      amount: '250',
      output: { state_root: b64(proof.stateRoot), withdrawals_root: b64(proof.withdrawalsRoot) },
      proof: Buffer.from(proof.proof, 'hex').toString('base64'),
    },
  });
  const propose = settle.proposeBatchMsg(proposal);
  assert.deepEqual(propose, {
    propose_batch: { data: proposal.data, deposits_consumed: 3, output_root: b64(proposal.outputRoot) },
  });
  const deposit = settle.depositMsg({ newAccount: { pubkey: alice.publicKey } });
  assert.deepEqual(deposit, { deposit: { target: { new_account: { pubkey: b64(alice.publicKey) } } } });
  const topUp = settle.depositMsg({ account: { index: 0 } });
  assert.deepEqual(topUp, { deposit: { target: { account: { account: 0 } } } });
  for (const msg of [withdraw, propose, deposit, topUp]) {
    assert.deepEqual(isExecuteMsg(msg), [], JSON.stringify(msg));
  }
  // the validator does reject what the contract would
  assert.notDeepEqual(isExecuteMsg({ withdraw: { ...withdraw.withdraw, extra: 1 } }), []);
  assert.notDeepEqual(schemaProblems(contractSchema.execute, { deposit: { target: { newAccount: {} } } }), []);
  // a withdrawal is paid only to the address it names
  assert.throws(() => settle.withdrawMsg(proof, settle.humanAddress('43'.repeat(20), 'wasm')), {
    name: 'Error',
    message: /^recipient wasm1\S+ is (43){20}, but the withdrawal pays (42){20}$/,
  });
});
