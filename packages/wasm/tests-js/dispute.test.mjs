// Fraud proofs from JS: a node with two batches (transfers, withdrawals, invalid
// transactions, deposits that open, credit and are refunded, an undecodable tail), every
// step's one-step proof checked against the replayed roots, and whole games played
// between the package's honest player (`nextMove`) and a lying defender on a small game
// simulator that does what the contract does (bisection, then `oneStep` decides).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle, isExecuteMsg, schemaProblems, contractSchema, b64 } from './helpers.mjs';

const d = settle.domain('test-1', 'wasm1rollup');
const refundTo = '11'.repeat(20);
const hexOf = (bytes) => Buffer.from(bytes).toString('hex');
const fromBase64 = (s) => new Uint8Array(Buffer.from(s, 'base64'));

/** Deposits 0-2 and batch 0, then deposits 3-4 and batch 1; returns the node and what the
 * chain would store (the deposits of its queue and each batch's proposal and data). */
function scenario() {
  const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((l) => settle.L2Key.fromLabel(l));
  const node = new settle.RollupNode(d);
  const queue = [
    { index: 0, to: { newAccount: { pubkey: alice.publicKey } }, amount: '1000', refundTo },
    { index: 1, to: { newAccount: { pubkey: bob.publicKey } }, amount: '500', refundTo },
    { index: 2, to: { account: { index: 9 } }, amount: '30', refundTo }, // refunded
    { index: 3, to: { newAccount: { pubkey: carol.publicKey } }, amount: '30', refundTo },
    { index: 4, to: { account: { index: 1 } }, amount: '3', refundTo }, // credited
  ];
  const batches = [];
  const propose = (data) => {
    const proposal = node.propose(data);
    batches.push({ proposal, data });
  };
  queue.slice(0, 3).forEach((q) => node.observeDeposit(q));
  const batch0 = [
    settle.signTransfer(alice, d, { from: 0, to: 1, amount: '100', nonce: 0 }),
    settle.signTransfer(bob, d, { from: 1, to: 0, amount: '7', nonce: 0 }),
    settle.signWithdrawal(alice, d, { from: 0, recipient: 'ee'.repeat(20), amount: '50', nonce: 1 }),
    settle.signTransfer(bob, d, { from: 0, to: 1, amount: '1', nonce: 2 }), // signed by the wrong key
    settle.signTransfer(alice, d, { from: 0, to: 1, amount: '1', nonce: 9 }), // stale nonce
  ];
  propose(settle.encodeBatch(batch0));
  queue.slice(3).forEach((q) => node.observeDeposit(q));
  const tail = new Uint8Array([0xe0, 0x01, 0x02]);
  const batch1 = settle.encodeBatch([
    settle.signTransfer(carol, d, { from: 2, to: 0, amount: '30', nonce: 0 }),
    settle.signWithdrawal(bob, d, { from: 1, recipient: 'ef'.repeat(32), amount: '3', nonce: 1 }),
    settle.signTransfer(alice, settle.domain('other-chain', 'wasm1rollup'), { from: 0, to: 1, amount: '1', nonce: 2 }),
  ]);
  propose(new Uint8Array([...batch1, ...tail]));
  return { node, queue, batches, keys: { alice, bob, carol } };
}

/** What the contract's `dispute_context` query answers for batch `b` (snake_case),
 * derived from what it stores, not from the trace. */
function chainContext({ node, batches }, b) {
  const { proposal, data } = batches[b];
  const parent = b === 0 ? null : node.batchOutput(b - 1);
  const depositsFrom = parent ? parent.depositCursor : 0;
  const txSteps = settle.splitSteps(data).length;
  return {
    batch: b,
    parent: parent && { output_root: parent.outputRoot, deposit_cursor: parent.depositCursor, data_root: parent.dataRoot },
    anchor_root: parent ? parent.outputRoot : settle.genesisRoot(),
    deposits_from: depositsFrom,
    deposits: proposal.depositsConsumed,
    tx_steps: txSteps,
    data_root: settle.dataRoot(data),
    output_root: proposal.outputRoot,
    steps: proposal.depositsConsumed + txSteps + 2,
  };
}

/** The queue entry step `step` consumes, from the chain's queue (null for other steps). */
function depositOf(s, ctx, step) {
  return step >= 1 && step <= ctx.deposits ? s.queue[ctx.deposits_from + step - 1] : null;
}

test('every step of every batch: oneStep(proof(step)) is the root at step + 1', () => {
  const s = scenario();
  for (let b = 0; b < 2; b++) {
    const ctx = chainContext(s, b);
    const trace = s.node.batchTrace(b);
    assert.equal(trace.batchIndex, b);
    assert.equal(trace.steps, ctx.steps);
    assert.equal(trace.domain, d);
    assert.deepEqual(trace.context, {
      batch: b,
      parent: ctx.parent && { outputRoot: ctx.parent.output_root, depositCursor: ctx.parent.deposit_cursor, dataRoot: ctx.parent.data_root },
      anchorRoot: ctx.anchor_root,
      depositsFrom: ctx.deposits_from,
      deposits: ctx.deposits,
      txSteps: ctx.tx_steps,
      dataRoot: ctx.data_root,
      outputRoot: ctx.output_root,
      steps: ctx.steps,
    });
    const roots = trace.roots();
    assert.equal(roots.length, ctx.steps + 1);
    assert.equal(roots[0], ctx.anchor_root, 'position 0 is the agreed anchor');
    assert.equal(roots[ctx.steps], ctx.output_root, 'position n is the posted output root');
    assert.deepEqual(trace.roots(), roots, 'the cached roots are the same');
    for (let step = 0; step < ctx.steps; step++) {
      const kind = trace.stepKind(step);
      const expectedKind =
        step === 0 ? { kind: 'open' }
        : step <= ctx.deposits ? { kind: 'deposit', queueIndex: ctx.deposits_from + step - 1 }
        : step <= ctx.deposits + ctx.tx_steps ? { kind: 'tx', index: step - ctx.deposits - 1 }
        : { kind: 'close' };
      assert.deepEqual(kind, expectedKind, `batch ${b} step ${step}`);
      const proof = trace.proof(step);
      assert.ok(proof instanceof Uint8Array);
      const deposit = depositOf(s, ctx, step);
      if (deposit) assert.deepEqual(trace.deposit(kind.queueIndex), deposit);
      const post = settle.oneStep({ context: ctx, domain: d, step, preRoot: trace.rootAt(step), deposit, proof });
      assert.equal(post, trace.rootAt(step + 1), `batch ${b} step ${step}`);
      // the trace's own camelCase context, and the proof as hex, give the same
      assert.equal(settle.oneStep({ context: trace.context, domain: d, step, preRoot: roots[step], deposit, proof: hexOf(proof) }), post);
      const decoded = settle.decodeOneStepProof(proof);
      assert.equal(decoded.kind, kind.kind);
      if (decoded.kind !== 'open') assert.equal(decoded.pre.root, roots[step]);
    }
  }
});

test('decoded proofs show the witnessed accounts, balances as decimal strings', () => {
  const s = scenario();
  const trace = s.node.batchTrace(0);
  // step 4 is the first transfer (open, three deposits): alice pays bob 100
  const p = settle.decodeOneStepProof(trace.proof(4));
  assert.equal(p.kind, 'tx');
  assert.equal(p.pre.accountCount, 2);
  assert.equal(p.pre.withdrawalCount, 1, 'the refund of deposit 2 came first');
  assert.deepEqual(p.accounts.accounts, [
    { index: 0, account: { pubkey: s.keys.alice.publicKey, balance: '1000', nonce: '0' } },
    { index: 1, account: { pubkey: s.keys.bob.publicKey, balance: '500', nonce: '0' } },
  ]);
  assert.equal(p.tx, hexOf(settle.splitSteps(s.batches[0].data)[0]));
  assert.deepEqual(settle.decodeTx(Buffer.from(p.tx, 'hex')).amount, '100');
  assert.equal(p.withdrawalSlot, null, 'a transfer records no withdrawal');
  // the withdrawal (step 6) proves the next withdrawal slot empty
  const w = settle.decodeOneStepProof(trace.proof(6));
  assert.equal(typeof w.withdrawalSlot.bitmap, 'number');
  assert.deepEqual(settle.decodeOneStepProof(trace.proof(0)), { kind: 'open', parent: null });
  const o = s.node.batchOutput(0);
  assert.deepEqual(settle.decodeOneStepProof(s.node.batchTrace(1).proof(0)), {
    kind: 'open',
    parent: { stateRoot: o.stateRoot, withdrawalsRoot: o.withdrawalsRoot },
  });
  const close = settle.decodeOneStepProof(trace.proof(trace.steps - 1));
  assert.equal(close.kind, 'close');
  assert.equal(close.pre.stateRoot, o.stateRoot);
});

/** A lie from position `from` on: the true root before, garbage after. */
const lie = (trace, from) => (p) => (p < from ? trace.rootAt(p) : settle.keccak256(Buffer.from(`lie ${p}`)));

/** The contract's game, reduced to what the moves touch; `response()` has the shape of the
 * `game` query response. */
class GameSim {
  constructor(s, batch, id, claimedOutput) {
    this.s = s;
    this.ctx = chainContext(s, batch);
    Object.assign(this, { id, batch, steps: this.ctx.steps, lo: 0, hi: this.ctx.steps, moves: 0 });
    this.loRoot = this.ctx.anchor_root;
    this.hiRoot = claimedOutput;
    this.mid = null;
    this.winner = null;
  }
  get position() {
    return this.lo + Math.floor((this.hi - this.lo) / 2);
  }
  phase() {
    if (this.winner) return { resolved: { winner: this.winner, reason: 'proof' } };
    if (this.hi - this.lo <= 1) return { one_step: { step: this.lo } };
    if (this.mid !== null) return { choose: { position: this.position, root: b64(this.mid) } };
    return { bisect: { position: this.position } };
  }
  response() {
    return {
      game: this.id, batch: this.batch, defender: 'wasm1proposer', challenger: 'wasm1challenger', bond: '500',
      steps: this.steps, lo: this.lo, hi: this.hi, lo_root: b64(this.loRoot), hi_root: b64(this.hiRoot), phase: this.phase(),
      defender_left: 3600, challenger_left: 3600, clock_runs_out_at: 1700000000, moves: this.moves,
      opened_at: 1690000000,
    };
  }
  /** Executes an ExecuteMsg from `side`; throws what the contract would refuse. */
  execute(side, msg) {
    assert.deepEqual(isExecuteMsg(msg), [], JSON.stringify(msg));
    const phase = this.phase();
    if (msg.bisect) {
      assert.equal(side, 'defender');
      assert.equal(msg.bisect.game, this.id);
      assert.deepEqual(phase, { bisect: { position: msg.bisect.position } });
      // the contract keeps the root; this simulator keeps it in hex, as the trace gives roots
      this.mid = Buffer.from(msg.bisect.root, 'base64').toString('hex');
      this.moves++;
    } else if (msg.choose) {
      assert.equal(side, 'challenger');
      assert.equal(msg.choose.game, this.id);
      assert.equal(phase.choose?.position, msg.choose.position);
      if (msg.choose.agree) [this.lo, this.loRoot] = [this.position, this.mid];
      else [this.hi, this.hiRoot] = [this.position, this.mid];
      this.mid = null;
      this.moves++;
    } else if (msg.prove_step) {
      const { game, step, proof } = msg.prove_step;
      assert.equal(game, this.id);
      assert.deepEqual(phase, { one_step: { step } });
      const post = settle.oneStep({
        context: this.ctx, domain: d, step, preRoot: this.loRoot,
        deposit: depositOf(this.s, this.ctx, step), proof: fromBase64(proof),
      });
      this.winner = post === this.hiRoot ? 'defender' : 'challenger';
    } else {
      throw new Error(`unexpected message ${JSON.stringify(msg)}`);
    }
  }
}

/** Plays a game on `batch`: the defender answers with `claim(p)`, the challenger with
 * `nextMove`. Returns the simulator at the end. */
function play(s, batch, claim) {
  const trace = s.node.batchTrace(batch);
  const g = new GameSim(s, batch, 3, claim(trace.steps));
  for (let turn = 0; turn < 100 && !g.winner; turn++) {
    const phase = g.phase();
    if (phase.bisect) {
      const honest = trace.nextMove(g.response(), 'defender');
      assert.deepEqual(honest, { bisect: { game: 3, position: phase.bisect.position, root: b64(trace.rootAt(phase.bisect.position)) } });
      assert.equal(trace.nextMove(g.response(), 'challenger'), null, "not the challenger's turn");
      g.execute('defender', settle.bisectMsg(g.id, phase.bisect.position, claim(phase.bisect.position)));
    } else {
      const move = trace.nextMove(g.response(), 'challenger');
      assert.notEqual(move, null, JSON.stringify(phase));
      // the contract's dry run of the same move
      const query = settle.checkMoveQuery(g.id, 'wasm1challenger', move);
      assert.deepEqual(schemaProblems(contractSchema.query, JSON.parse(JSON.stringify(query))), []);
      g.execute('challenger', move);
    }
  }
  return { g, trace };
}

test('an honest challenger with nextMove beats a lying defender at every position', () => {
  const s = scenario();
  for (let b = 0; b < 2; b++) {
    const steps = s.node.batchTrace(b).steps;
    const maxMoves = 2 * Math.ceil(Math.log2(steps));
    for (let from = 1; from <= steps; from++) {
      const { g, trace } = play(s, b, lie(s.node.batchTrace(b), from));
      assert.equal(g.winner, 'challenger', `batch ${b}, lie from position ${from}`);
      assert.equal(g.lo, from - 1, 'narrowed to the first false step');
      assert.ok(g.moves <= maxMoves, `${g.moves} moves`);
      // over: neither side has a move left
      assert.equal(trace.nextMove(g.response(), 'challenger'), null);
      assert.equal(trace.nextMove(g.response(), 'defender'), null);
    }
  }
});

test('against the truth the honest challenger proves the defender right', () => {
  const s = scenario();
  const trace = s.node.batchTrace(1);
  const { g } = play(s, 1, (p) => trace.rootAt(p));
  assert.equal(g.winner, 'defender');
  assert.equal(g.lo, trace.steps - 1, 'agreed all the way to the close step');
});

test('a tampered or truncated proof is refused with the core message', () => {
  const s = scenario();
  const ctx = chainContext(s, 0);
  const trace = s.node.batchTrace(0);
  const step = 4; // alice pays bob
  const proof = trace.proof(step);
  const args = { context: ctx, domain: d, step, preRoot: trace.rootAt(step), deposit: null };
  // a pre-state that is not the agreed root's preimage: the root it does give is named
  const tampered = proof.slice();
  tampered[1 + 33] ^= 1; // inside the pre-state's account count
  const computed = settle.decodeOneStepProof(tampered).pre.root;
  assert.notEqual(computed, trace.rootAt(step));
  assert.throws(() => settle.oneStep({ ...args, proof: tampered }), {
    name: 'Error',
    message: `the proof's pre-state gives root ${computed}, the agreed root is ${trace.rootAt(step)}`,
  });
  assert.throws(() => settle.oneStep({ ...args, proof: proof.subarray(0, 60) }), {
    name: 'Error',
    message: 'malformed one-step proof: input ends inside a value',
  });
  assert.throws(() => settle.oneStep({ ...args, proof: new Uint8Array([...proof, 0]) }), {
    message: 'malformed one-step proof: 1 bytes left after the proof',
  });
  assert.throws(() => settle.oneStep({ ...args, step: 1, preRoot: trace.rootAt(1), deposit: s.queue[0], proof }), {
    message: 'malformed one-step proof: step 1 is a deposit step, the proof is for a transaction step',
  });
  assert.throws(() => settle.oneStep({ ...args, step: 1, preRoot: trace.rootAt(1), proof: trace.proof(1) }), {
    message: 'malformed one-step proof: the deposit of this step is missing',
  });
  assert.throws(() => settle.proveStepMsg(0, step, proof.subarray(0, 60)), {
    message: 'malformed one-step proof: input ends inside a value',
  });
  assert.throws(() => settle.decodeOneStepProof(new Uint8Array([7])), {
    message: 'malformed one-step proof: unknown step kind 7',
  });

  // in a game, the tampered proof settles nothing: the right one still wins
  const g = new GameSim(s, 0, 1, lie(trace, step + 1)(trace.steps));
  g.lo = step;
  g.hi = step + 1;
  g.loRoot = trace.rootAt(step);
  g.hiRoot = lie(trace, step + 1)(step + 1);
  const bad = { prove_step: { game: 1, step, proof: Buffer.from(tampered).toString('base64') } };
  assert.throws(() => g.execute('challenger', bad), /^Error: the proof's pre-state gives root /);
  assert.equal(g.winner, null);
  g.execute('challenger', trace.nextMove(g.response(), 'challenger'));
  assert.equal(g.winner, 'challenger');
});

test('game messages match the committed schema', () => {
  const s = scenario();
  const trace = s.node.batchTrace(1);
  const proof = trace.proof(2);
  const msgs = [
    [settle.challengeMsg(1), { challenge: { batch: 1 } }],
    [settle.bisectMsg(2, 3, trace.rootAt(3)), { bisect: { game: 2, position: 3, root: b64(trace.rootAt(3)) } }],
    [settle.chooseMsg(2, 3, true), { choose: { game: 2, position: 3, agree: true } }],
    [settle.proveStepMsg(2, 2, proof), { prove_step: { game: 2, step: 2, proof: Buffer.from(proof).toString('base64') } }],
    [settle.resolveGameMsg(2), { resolve_game: { game: 2 } }],
  ];
  for (const [msg, want] of msgs) {
    assert.deepEqual(msg, want);
    assert.deepEqual(isExecuteMsg(msg), [], JSON.stringify(msg));
  }
  const queries = [
    settle.checkMoveQuery(2, 'wasm1x', { resolve_game: {} }),
    settle.checkMoveQuery(2, 'wasm1x', settle.resolveGameMsg(2)),
    settle.checkMoveQuery(2, 'wasm1x', { prove_step: { step: 2, proof } }),
    settle.checkMoveQuery(2, 'wasm1x', settle.chooseMsg(2, 3, false)),
  ];
  assert.deepEqual(queries[0], { check_move: { game: 2, sender: 'wasm1x', move: { resolve_game: {} } } });
  assert.deepEqual(queries[1], queries[0]);
  assert.deepEqual(queries[2].check_move.move, { prove_step: { step: 2, proof: Buffer.from(proof).toString('base64') } });
  for (const q of queries) assert.deepEqual(schemaProblems(contractSchema.query, q), [], JSON.stringify(q));
  assert.throws(() => settle.checkMoveQuery(3, 'wasm1x', settle.chooseMsg(2, 3, false)), {
    message: 'the move is for game 2, not game 3',
  });
});

test('rollBack forgets a removed batch and its deposits are pending again', () => {
  const s = scenario();
  const before = s.node.batchOutput(1);
  s.node.rollBack(1);
  assert.equal(s.node.batchCount, 1);
  assert.deepEqual(s.node.pendingDeposits, s.queue.slice(3));
  assert.equal(s.node.stateRoot, s.node.batchOutput(0).stateRoot);
  assert.throws(() => s.node.batchTrace(1), { message: 'no such batch (1): 1 applied so far' });
  // the same data again gives the same output
  const again = s.node.propose(s.batches[1].data);
  assert.equal(again.outputRoot, before.outputRoot);
});
