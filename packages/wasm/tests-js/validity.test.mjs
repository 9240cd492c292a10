// The validity (zk) rollup through the built package: Jubjub keys, the ledger, snarkjs's
// fixtures verified with verifyGroth16, the contract's messages, and a batch proven in
// wasm (a test setup of the smallest circuit, made in wasm too) and verified. Timings are
// printed as diagnostics, never asserted (the figures come from bench/validity.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settle, repoRoot, b64 } from './helpers.mjs';

/** A message's base64 bytes as the hex the package's checks take. */
const hex = (base64) => Buffer.from(base64, 'base64').toString('hex');

const fixtures = join(repoRoot, 'tests', 'interop', 'snarkjs', 'fixtures');
const fixture = (name) => readFileSync(join(fixtures, name), 'utf8');

const domain = settle.rollupDomain('test-1', 'wasm1validityrollup');
const zero = '00'.repeat(32);
const seconds = (t) => ((performance.now() - t) / 1000).toFixed(1);

test('Jubjub keys sign and verify; a tampered message fails with the core reason', () => {
  const alice = settle.ZkKey.fromSeed(new Uint8Array(32).fill(1));
  assert.match(alice.publicKey, /^[0-9a-f]{128}$/);
  assert.equal(settle.ZkKey.fromSeed('01'.repeat(32)).publicKey, alice.publicKey);
  assert.equal(settle.ZkKey.fromSeed(alice.seed).publicKey, alice.publicKey);
  assert.notEqual(settle.ZkKey.generate().seed, settle.ZkKey.generate().seed);

  const message = settle.exitMessage(domain, 0, 'ab'.repeat(20));
  assert.match(message, /^[0-9a-f]{64}$/);
  const signature = alice.sign(message);
  assert.match(signature, /^[0-9a-f]{192}$/);
  assert.equal(alice.sign(message), signature); // deterministic
  assert.deepEqual(settle.zkVerify(alice.publicKey, message, signature), { valid: true });
  const other = settle.exitMessage(domain, 1, 'ab'.repeat(20));
  assert.deepEqual(settle.zkVerify(alice.publicKey, other, signature), { valid: false, reason: 'bad signature' });
  assert.deepEqual(settle.zkVerify(alice.publicKey, message, signature.slice(2)), {
    valid: false,
    reason: 'expected 96 bytes for jubjub signature, got 95',
  });
  assert.throws(() => settle.ZkKey.fromSeed(new Uint8Array(31)), { message: 'expected 32 bytes for seed, got 31' });
  assert.throws(() => alice.sign('ff'.repeat(32)), {
    message: 'message is not a canonical field element (it must be below the modulus)',
  });
});

test('snarkjs fixtures convert and verify; tampering fails with the core reason', () => {
  const vk = settle.snarkjsVerifyingKey(fixture('vk.json'));
  assert.equal(settle.snarkjsVerifyingKey(JSON.parse(fixture('vk.json'))), vk);
  assert.equal(vk.length, 2 * (48 + 3 * 96 + 4 + 2 * 48));
  const proof = settle.snarkjsProof(fixture('proof.json'));
  assert.equal(proof.length, 2 * 192);
  assert.equal(settle.snarkjsProof(JSON.parse(fixture('proof.json'))), proof);
  const inputs = settle.snarkjsPublicInputs(fixture('public.json'));
  assert.deepEqual(settle.snarkjsPublicInputs(JSON.parse(fixture('public.json'))), inputs);
  assert.equal(BigInt('0x' + inputs[0]).toString(), JSON.parse(fixture('public.json'))[0]);

  assert.deepEqual(settle.verifyGroth16(vk, proof, inputs), { valid: true });
  const tampered = inputs[0].slice(0, 63) + (inputs[0][63] === '0' ? '1' : '0');
  assert.deepEqual(settle.verifyGroth16(vk, proof, [tampered]), {
    valid: false,
    reason: 'groth16 proof rejected: the pairing equation does not hold',
  });
  // C moved off the curve: the point is named
  const flipped = proof.slice(0, 380) + (proof[380] === '0' ? '1' : '0') + proof.slice(381);
  assert.deepEqual(settle.verifyGroth16(vk, flipped, inputs), {
    valid: false,
    reason: 'proof point c is not a valid point: not on the curve or not in the prime-order subgroup',
  });
  assert.deepEqual(settle.verifyGroth16(vk, proof, []), {
    valid: false,
    reason: 'the verifying key takes 1 public input(s), 0 given',
  });
  assert.throws(() => settle.snarkjsProof('{"pi_a": []}'), {
    message: 'malformed snarkjs proof: missing field `pi_b` at line 1 column 12',
  });
  // what the contract's verify_proof query takes
  assert.deepEqual(settle.verifyProofQuery(proof, inputs), {
    verify_proof: { proof: b64(proof), public_inputs: inputs.map(b64) },
  });
});

test('the ledger applies batches; the messages have the contract shape', () => {
  const alice = settle.ZkKey.fromSeed('01'.repeat(32));
  const bob = settle.ZkKey.fromSeed('02'.repeat(32));
  const ledger = new settle.ZkLedger();
  const empty = ledger.stateRoot;
  assert.equal(ledger.accountCount, 0);
  // the contract's `queued_deposit` query response (keys in base64) is a ZkDeposit as it is
  const deposit = {
    deposit: 0, depositor: 'wasm1alice', amount: '100',
    target: { new_account: { pubkey: b64(alice.publicKey), account: 1 } }, queued_at: 1,
  };
  assert.deepEqual(settle.validityDepositMsg({ new_account: { pubkey: alice.publicKey } }), {
    deposit: { target: { new_account: { pubkey: b64(alice.publicKey) } } },
  });
  assert.deepEqual(settle.validityDepositMsg(deposit.target), settle.validityDepositMsg({ new_account: { pubkey: alice.publicKey } }));
  // a credit names the key that opened the account too (the contract checks it)
  assert.deepEqual(settle.validityDepositMsg({ account: { index: 0, pubkey: bob.publicKey } }), {
    deposit: { target: { account: { account: 0, pubkey: b64(bob.publicKey) } } },
  });
  assert.throws(() => settle.validityDepositMsg({ account: { index: 0 } }), { message: /pubkey/ });
  assert.throws(() => settle.validityDepositMsg({ exit: { account: 0 } }), {
    message: 'an exit is no deposit target: use exitRequestMsg',
  });
  assert.deepEqual(settle.validityAccountQuery(3), { account: { account: 3 } });
  const bobs = { target: { newAccount: { pubkey: bob.publicKey } }, amount: '5' };
  assert.equal(ledger.applyDeposit(bobs), 0);
  const t = ledger.signTransfer(alice, domain, { from: 1, to: 0, amount: '30' });
  assert.deepEqual({ ...t, signature: undefined }, { kind: 'transfer', from: 1, to: 0, amount: '30', nonce: '0', signature: undefined });
  assert.equal(ledger.checkTx(domain, t), 'no account 1'); // opened by the batch's deposit

  const batch = ledger.applyBatch({ deposits: 1, txs: 1 }, domain, zero, [deposit], [t]);
  assert.notEqual(ledger.stateRoot, empty);
  assert.equal(batch.statement.newStateRoot, ledger.stateRoot);
  assert.equal(batch.newAccountsRoot, ledger.accountsRoot);
  assert.equal(batch.newAccountCount, 2);
  assert.equal(batch.witness.publicInput, batch.publicInput);
  assert.deepEqual(ledger.account(0), { pubkey: bob.publicKey, balance: '35', nonce: '0' });
  assert.deepEqual(ledger.account(1), { pubkey: alice.publicKey, balance: '70', nonce: '1' });
  assert.equal(ledger.findAccount(alice.publicKey), 1);
  assert.equal(ledger.path(1).length, 20);
  // replayed: refused with the core's reason, nothing changes
  const root = ledger.stateRoot;
  assert.equal(ledger.checkTx(domain, t), 'nonce 0, expected 1');
  assert.throws(() => ledger.applyBatch({ deposits: 1, txs: 1 }, domain, zero, [], [t]), {
    message: 'malformed batch: transaction 0: malformed transaction: nonce 0, expected 1',
  });
  assert.equal(ledger.stateRoot, root);

  const proof = settle.snarkjsProof(fixture('proof.json')); // any well-formed proof
  const submit = settle.submitBatchMsg({ ...batch, proof });
  assert.deepEqual(submit, {
    submit_batch: {
      data: batch.data,
      deposits_consumed: 1,
      new_accounts_root: b64(batch.newAccountsRoot),
      new_account_count: 2,
      proof: b64(proof),
    },
  });
  assert.deepEqual(settle.checkBatchQuery({ ...batch, proof }), { check_batch: submit.submit_batch });
  assert.throws(() => settle.submitBatchMsg({ ...batch, proof: proof.slice(2) }), {
    message: 'expected 192 bytes for groth16 proof, got 191',
  });
  assert.deepEqual(settle.reclaimDepositMsg(2), { reclaim_deposit: { deposit: 2 } });

  const recipient = settle.humanAddress('42'.repeat(20), 'wasm');
  const exit = settle.exodusWithdrawMsg(ledger, alice, domain, recipient);
  assert.deepEqual(exit.exodus_withdraw.path, ledger.path(1).map(b64));
  assert.equal(exit.exodus_withdraw.account, 1);
  assert.equal(exit.exodus_withdraw.balance, '70');
  assert.equal(exit.exodus_withdraw.nonce, 1);
  assert.equal(exit.exodus_withdraw.recipient, recipient);
  const message = settle.exitMessage(domain, 1, settle.canonicalAddress(recipient));
  assert.deepEqual(settle.zkVerify(alice.publicKey, message, hex(exit.exodus_withdraw.signature)), { valid: true });
  assert.throws(() => settle.exodusWithdrawMsg(ledger, alice, domain, recipient, 0), {
    message: 'account 0 is held by another key',
  });

  // an L1 exit request of account 1, signed at the contract's `exit_sequence`
  const request = settle.exitRequestMsg(alice, domain, 1, recipient, 0);
  assert.deepEqual(Object.keys(request.request_exit).sort(), ['account', 'recipient', 'signature']);
  assert.equal(request.request_exit.account, 1);
  assert.equal(request.request_exit.recipient, recipient);
  const asked = settle.exitRequestMessage(domain, 1, settle.canonicalAddress(recipient), 0);
  assert.deepEqual(settle.zkVerify(alice.publicKey, asked, hex(request.request_exit.signature)), { valid: true });
  // each sequence is another message; the exodus exit message is another still
  assert.notEqual(settle.exitRequestMessage(domain, 1, settle.canonicalAddress(recipient), 1), asked);
  assert.notEqual(message, asked);
  assert.throws(() => settle.exitRequestMsg(alice, domain, 1, recipient, 1.5), {
    message: 'sequence: 1.5 is not a non-negative safe integer',
  });
  assert.throws(() => settle.exitRequestMessage(domain, 1, '', 0), { message: /recipient/ });
});

test('a batch of shape {1, 1} is proven in wasm and verifies', (t) => {
  const shape = { deposits: 1, txs: 1 };
  let start = performance.now();
  const prover = settle.zkSetup(shape, '5e'.repeat(32)); // a test setup, NOT a ceremony
  t.diagnostic(`zkSetup {1, 1} in wasm: ${seconds(start)} s`);
  assert.deepEqual(prover.shape, shape);
  const vk = prover.verifyingKey;
  assert.equal(vk.length, 2 * 436);

  // the key file round trip: the uncompressed form loads at once, unchecked
  const bytes = prover.toBytes();
  start = performance.now();
  const loaded = settle.ZkProver.fromTrustedBytes(bytes);
  t.diagnostic(`fromTrustedBytes (${(bytes.length / 1e6).toFixed(1)} MB): ${seconds(start)} s`);
  assert.equal(loaded.verifyingKey, vk);
  assert.deepEqual(loaded.shape, shape);

  const alice = settle.ZkKey.fromSeed('0a'.repeat(32));
  const ledger = new settle.ZkLedger();
  const deposits = [{ target: { newAccount: { pubkey: alice.publicKey } }, amount: '1000' }];
  const w = ledger.signWithdrawal(alice, domain, { from: 0, recipient: '42'.repeat(20), amount: '250' });
  const batch = ledger.applyBatch(shape, domain, zero, deposits, [w]);
  assert.deepEqual(batch.withdrawals, [{ recipient: '42'.repeat(20), amount: '250' }]);

  const stages = [];
  start = performance.now();
  const proof = loaded.prove(batch.witness, (stage, info) => {
    stages.push(stage);
    if (stage === 'synthesizing') assert.deepEqual(info, { deposits: 1, txs: 1 });
    if (stage === 'proving') assert.ok(info.constraints > 40_000);
  });
  t.diagnostic(`prove {1, 1} in wasm: ${seconds(start)} s`);
  assert.deepEqual(stages, ['synthesizing', 'checking', 'proving', 'done']);
  assert.match(proof, /^[0-9a-f]{384}$/);
  assert.deepEqual(settle.verifyGroth16(vk, proof, [batch.publicInput]), { valid: true });
  assert.deepEqual(settle.verifyGroth16(vk, proof, [batch.statement.newStateRoot]), {
    valid: false,
    reason: 'groth16 proof rejected: the pairing equation does not hold',
  });
  assert.equal(settle.submitBatchMsg({ ...batch, proof }).submit_batch.proof, b64(proof));

  // the next batch follows from this one's statement
  const next = ledger.clone();
  const transfer = next.signTransfer(alice, domain, { to: 0, amount: '1' });
  assert.equal(transfer.nonce, '1');
  const second = next.applyBatch(shape, domain, batch.statement.depositsAfter, [], [transfer]);
  assert.equal(second.statement.prevStateRoot, batch.statement.newStateRoot);
  assert.equal(second.statement.depositsBefore, batch.statement.depositsAfter);

  // a witness of another shape is refused with settle-zk's error, before any work
  const wide = ledger.clone().applyBatch({ deposits: 1, txs: 2 }, domain, zero, [], [transfer]);
  assert.throws(() => prover.prove(wide.witness), {
    message: 'the key is for 1 deposit and 1 transaction slots, the batch for 1 and 2',
  });
  // an exception in the callback is rethrown once the proof is done (the callback is
  // optional: `prover.prove(second.witness)`)
  assert.throws(
    () =>
      prover.prove(second.witness, (stage) => {
        if (stage === 'done') throw new Error('the page went away');
      }),
    { message: 'the page went away' },
  );
  for (const x of [prover, loaded, batch.witness, second.witness, wide.witness, ledger, next]) x.free();
});

test("anyone rebuilds the ledger from the chain's deposits and posted data, and exits", () => {
  const alice = settle.ZkKey.fromSeed('0b'.repeat(32));
  const bob = settle.ZkKey.fromSeed('0c'.repeat(32));
  const shape = { deposits: 2, txs: 2 };
  const operator = new settle.ZkLedger();
  // the contract's `deposit` query responses, as they are
  const deposits = [
    { index: 0, amount: '500', target: { new_account: { pubkey: alice.publicKey } } },
    { index: 1, amount: '20', target: { new_account: { pubkey: bob.publicKey } } },
  ];
  const b0 = operator.applyBatch(shape, domain, zero, deposits, []);
  const pay = operator.signTransfer(alice, domain, { to: 1, amount: '120' });
  const out = operator.signWithdrawal(bob, domain, { recipient: '42'.repeat(20), amount: '40' });
  const b1 = operator.applyBatch(shape, domain, b0.statement.depositsAfter, [], [pay, out]);

  // what a user sees on chain: deposits, each batch's posted data and recorded state root
  const user = new settle.ZkLedger();
  user.replayBatch(deposits, b0.data, b0.statement.newStateRoot);
  user.replayBatch([], b1.data, b1.statement.newStateRoot);
  assert.equal(user.stateRoot, operator.stateRoot);
  assert.deepEqual(user.account(1), { pubkey: bob.publicKey, balance: '100', nonce: '1' });
  assert.deepEqual(user.path(1), operator.path(1));
  const recipient = settle.humanAddress('42'.repeat(20), 'wasm');
  assert.deepEqual(
    settle.exodusWithdrawMsg(user, bob, domain, recipient),
    settle.exodusWithdrawMsg(operator, bob, domain, recipient),
  );

  // data that does not reach the recorded root is refused with the core's reason, and
  // the ledger is left as it was
  const fresh = new settle.ZkLedger();
  fresh.replayBatch(deposits, b0.data, b0.statement.newStateRoot);
  const root = fresh.stateRoot;
  assert.throws(() => fresh.replayBatch([], b1.data, b0.statement.newStateRoot), {
    message: /^the replayed ledger's state root is [0-9a-f]{64}, the batch's recorded root is [0-9a-f]{64}$/,
  });
  assert.throws(() => fresh.replayBatch([], b0.data, b1.statement.newStateRoot), {
    message: /^the replayed ledger's state root/,
  });
  assert.throws(() => fresh.replayBatch([], '%%%', b1.statement.newStateRoot), { message: /is not base64/ });
  assert.equal(fresh.stateRoot, root);
  fresh.replayBatch([], b1.data, b1.statement.newStateRoot);
  assert.equal(fresh.stateRoot, operator.stateRoot);

  // an L1 exit request of bob's account, as the contract's `deposit` query reports it:
  // the batch empties the account and posts the 100 it withdrew; a user replays it
  const exit = { index: 2, amount: '1', target: { exit: { account: 1, recipient } } };
  const b2 = operator.applyBatch(shape, domain, b1.statement.depositsAfter, [exit], []);
  assert.deepEqual(b2.exits, ['100']);
  assert.deepEqual(b2.withdrawals, []);
  assert.deepEqual(b1.exits, []);
  assert.deepEqual(operator.account(1), { pubkey: bob.publicKey, balance: '0', nonce: '1' });
  user.replayBatch([exit], b2.data, b2.statement.newStateRoot);
  assert.equal(user.stateRoot, operator.stateRoot);
  // without the exit entry the posted exit amount matches nothing: refused
  assert.throws(() => fresh.replayBatch([], b2.data, b2.statement.newStateRoot), {
    message: /exit amounts \["100"\]|exit amounts \[100\]/,
  });
});

test("the parity vectors' validity scenario: batches replayed, the L1 exit request signed and served", () => {
  const v = JSON.parse(readFileSync(join(repoRoot, 'packages', 'core', 'tests', 'vectors', 'parity-v1.json'), 'utf8')).validity;
  const keys = new Map(v.users.filter((u) => u.zkSeed).map((u) => [u.label, settle.ZkKey.fromSeed(u.zkSeed)]));
  assert.ok(v.exitRequests.length > 0);
  for (const r of v.exitRequests) {
    assert.deepEqual(v.deposits[r.queueIndex].target, { exit: { account: r.account, recipient: r.recipient } });
    assert.equal(settle.canonicalAddress(r.recipient), r.canonical);
    assert.equal(settle.exitRequestMessage(v.domain, r.account, r.canonical, r.sequence), r.message);
    assert.deepEqual(settle.exitRequestMsg(keys.get(r.owner), v.domain, r.account, r.recipient, r.sequence), {
      request_exit: { account: r.account, recipient: r.recipient, signature: b64(r.signature) },
    });
  }
  // every batch, from the chain's data alone: the exit request's entry is a ZkDeposit as
  // the contract's `deposit` query reports it
  const user = new settle.ZkLedger();
  let cursor = 0;
  let served = 0;
  for (const b of v.batches) {
    const data = Buffer.from(b.data, 'hex').toString('base64');
    user.replayBatch(v.deposits.slice(cursor, cursor + b.deposits), data, b.statement.newStateRoot);
    cursor += b.deposits;
    served += b.exits.length;
    assert.equal(user.stateRoot, b.statement.newStateRoot);
  }
  assert.equal(served, v.exitRequests.length);
  for (const a of v.batches.at(-1).accounts) {
    assert.deepEqual(user.account(a.index), { pubkey: a.publicKey, balance: a.balance, nonce: a.nonce });
  }
  user.free();
  for (const k of keys.values()) k.free();
});
