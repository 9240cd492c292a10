// Validity-rollup proving benchmark: Groth16 proofs of full batches of the circuit shapes
// {deposits: 1, txs: 1} and {1, 2}, made by the npm package (settle-zk compiled to wasm,
// one thread) in this Node process. The setup (a test one, zkSetup: NOT a ceremony) is
// made first and not timed. Prints a table: setup, each proof, the best, and the best
// per transaction slot; compare with the native figures of
// `cargo run --release -p settle-zk --example figures` (multi-threaded, rayon).
//
//   node packages/wasm/bench/validity.mjs [runs]       (default: 2 proofs per shape)
//
// The first proof of a shape includes V8's tier-up of the prover's code (Liftoff to
// TurboFan), so `best` is the steady figure. Run `cargo xtask npm` first.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { statSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const wasm = path.join(root, 'packages/wasm/pkg/node/settle_wasm_bg.wasm');
const settle = createRequire(import.meta.url)(path.join(root, 'packages/wasm/pkg/node/settle_wasm.js'));

const runs = Math.max(1, Number(process.argv[2] ?? 2));
const shapes = [
  { deposits: 1, txs: 1 },
  { deposits: 1, txs: 2 },
];
const domain = settle.rollupDomain('bench-1', 'wasm1validityrollupbench');
const zero = '00'.repeat(32);
const ms = (t) => performance.now() - t;
const s = (x) => (x / 1000).toFixed(2);

/** A full batch of `shape`: one new account per deposit slot, then signed transactions
 * from the first account (transfers, the last one a withdrawal) in every tx slot. */
function fullBatch(shape) {
  const ledger = new settle.ZkLedger();
  const keys = Array.from({ length: shape.deposits }, (_, i) =>
    settle.ZkKey.fromSeed((i + 1).toString(16).padStart(2, '0').repeat(32)),
  );
  const deposits = keys.map((k) => ({ target: { newAccount: { pubkey: k.publicKey } }, amount: '1000000' }));
  const txs = [];
  for (let i = 0; i < shape.txs; i++) {
    const args = { from: 0, amount: '10', nonce: String(i) };
    txs.push(
      i === shape.txs - 1
        ? ledger.signWithdrawal(keys[0], domain, { ...args, recipient: '42'.repeat(20) })
        : ledger.signTransfer(keys[0], domain, { ...args, to: 0 }),
    );
  }
  const batch = ledger.applyBatch(shape, domain, zero, deposits, txs);
  ledger.free();
  return batch;
}

console.log(`npm package .wasm: ${statSync(wasm).size} bytes`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} (the prover uses one thread)`);
console.log(`${runs} proof(s) per shape after the (untimed) setup\n`);
console.log('| shape | constraints | setup | proofs | best | best per tx slot |');
console.log('| --- | ---: | ---: | --- | ---: | ---: |');

let failures = 0;
for (const shape of shapes) {
  let t = performance.now();
  const prover = settle.zkSetup(shape, 'be'.repeat(32));
  const setup = ms(t);
  const vk = prover.verifyingKey;
  const batch = fullBatch(shape);
  const times = [];
  let constraints = 0;
  for (let r = 0; r < runs; r++) {
    t = performance.now();
    const proof = prover.prove(batch.witness, (stage, info) => {
      if (stage === 'proving') constraints = info.constraints;
    });
    times.push(ms(t));
    if (!settle.verifyGroth16(vk, proof, [batch.publicInput]).valid) {
      failures++;
      console.error(`the proof of shape {${shape.deposits}, ${shape.txs}} does not verify`);
    }
  }
  const best = Math.min(...times);
  console.log(
    `| {${shape.deposits}, ${shape.txs}} | ${constraints} | ${s(setup)} s | ` +
      `${times.map((x) => s(x) + ' s').join(', ')} | ${s(best)} s | ${s(best / shape.txs)} s |`,
  );
  batch.witness.free();
  prover.free();
}
console.log('\nevery proof verifies: ' + (failures ? 'NO' : 'yes'));
process.exit(failures ? 1 : 0);
