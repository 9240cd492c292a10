// The messages between the page (src/validity.ts) and the proving worker
// (src/zk-worker.ts). A witness is a wasm object of the page's instance of the package and
// cannot cross to the worker's instance: the worker rebuilds it by replaying the page's
// batches (their deposits and signed transactions, plain JSON) on a fresh ZkLedger with
// the same package calls, and checks that it reaches the public input the page computed.
import type { ZkDeposit, ZkShape, ZkStage, ZkStageInfo, ZkTx } from './settle';

/** One batch as the page built it: what `ZkLedger.applyBatch` was given. */
export interface ReplayBatch {
  shape: ZkShape;
  depositsBefore: string;
  deposits: ZkDeposit[];
  txs: ZkTx[];
}

export type ToWorker =
  /** Fetch a proving key file (an absolute URL of the page's origin) and load it. */
  | { type: 'load'; id: number; url: string }
  /** Prove `batches[target]` of the ledger that `batches` (applied in order to an empty ledger) builds. */
  | { type: 'prove'; id: number; domain: string; batches: ReplayBatch[]; target: number; publicInput: string };

export type FromWorker =
  | { type: 'download'; id: number; received: number; total: number | null }
  | { type: 'loaded'; id: number; url: string; shape: ZkShape; verifyingKey: string; bytes: number; downloadMs: number; loadMs: number }
  | { type: 'replayed'; id: number; ms: number }
  | { type: 'progress'; id: number; stage: ZkStage; info: ZkStageInfo; ms: number }
  | { type: 'proved'; id: number; proof: string; publicInput: string; proveMs: number }
  | { type: 'error'; id: number; message: string };
