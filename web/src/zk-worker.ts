// The proving worker: the package's Groth16 prover (single-threaded wasm, 20-60 s for the
// smallest circuit) runs here, never on the page's thread. It holds its own instance of
// the package and the proving key; see src/zk-protocol.ts for the messages.
import { loadSettle, type Settle, type ZkProver } from './settle';
import type { FromWorker, ToWorker } from './zk-protocol';

/** The parts of a dedicated worker's global scope used here (the project's lib is DOM). */
interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;

let S: Settle | undefined;
let prover: { url: string; prover: ZkProver } | undefined;
/** Messages are handled one at a time, in order. */
let queue: Promise<void> = Promise.resolve();

scope.onmessage = (event) => {
  const msg = event.data;
  queue = queue.then(() =>
    handle(msg).catch((e: unknown) => {
      scope.postMessage({ type: 'error', id: msg.id, message: e instanceof Error ? e.message : String(e) });
    }),
  );
};

async function handle(msg: ToWorker): Promise<void> {
  S ??= await loadSettle();
  if (msg.type === 'load') await load(S, msg.id, msg.url);
  else prove(S, msg);
}

/** Fetches the key file (reporting the download) and loads it without point checks. */
async function load(S: Settle, id: number, url: string): Promise<void> {
  const started = performance.now();
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${new URL(url).pathname}: HTTP ${res.status} ${res.statusText}`);
  const length = Number(res.headers.get('content-length'));
  const total = Number.isSafeInteger(length) && length > 0 ? length : null;
  const chunks: Uint8Array[] = [];
  let received = 0;
  let reported = 0;
  const reader = res.body?.getReader();
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      if (received - reported > 1 << 20) {
        reported = received;
        scope.postMessage({ type: 'download', id, received, total });
      }
    }
  } else {
    const all = new Uint8Array(await res.arrayBuffer());
    chunks.push(all);
    received = all.length;
  }
  scope.postMessage({ type: 'download', id, received, total });
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  const downloaded = performance.now();
  const next = S.ZkProver.fromTrustedBytes(bytes);
  const loaded = performance.now();
  prover?.prover.free();
  prover = { url, prover: next };
  scope.postMessage({
    type: 'loaded',
    id,
    url,
    shape: next.shape,
    verifyingKey: next.verifyingKey,
    bytes: received,
    downloadMs: downloaded - started,
    loadMs: loaded - downloaded,
  });
}

/** Rebuilds the witness of `batches[target]` by replaying the batches, then proves it. */
function prove(S: Settle, msg: Extract<ToWorker, { type: 'prove' }>): void {
  if (!prover) throw new Error('no proving key is loaded');
  const key = prover.prover;
  const started = performance.now();
  const ledger = new S.ZkLedger();
  try {
    for (let i = 0; i < msg.target; i++) {
      const b = msg.batches[i];
      ledger.applyBatch(b.shape, msg.domain, b.depositsBefore, b.deposits, b.txs).witness.free();
    }
    const b = msg.batches[msg.target];
    if (!b) throw new Error(`no batch ${msg.target} to prove`);
    const witness = ledger.applyBatch(b.shape, msg.domain, b.depositsBefore, b.deposits, b.txs).witness;
    try {
      if (witness.publicInput !== msg.publicInput) {
        throw new Error(
          `the worker's replay of batch ${msg.target} gives the public input ${witness.publicInput}, the page's is ${msg.publicInput}`,
        );
      }
      const replayed = performance.now();
      scope.postMessage({ type: 'replayed', id: msg.id, ms: replayed - started });
      const proof = key.prove(witness, (stage, info) => {
        scope.postMessage({ type: 'progress', id: msg.id, stage, info, ms: performance.now() - replayed });
      });
      scope.postMessage({
        type: 'proved',
        id: msg.id,
        proof,
        publicInput: witness.publicInput,
        proveMs: performance.now() - replayed,
      });
    } finally {
      witness.free();
    }
  } finally {
    ledger.free();
  }
}
