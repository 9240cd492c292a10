// Panel v: the validity (zk) rollup. Jubjub keys, the contract's deposit queue mirrored in
// the page, signed transactions, batches built on a ZkLedger for the circuit shape of the
// proving key, the Groth16 proof made in a Web Worker (src/zk-worker.ts), its verification,
// the contract's messages (validated against schema/validity-rollup), a checker for any
// pasted proof, L1 exit requests and exodus exits. Every rule comes from the package; this file gathers
// inputs, keeps the page's bookkeeping (which queued deposits and signed transactions
// went into which batch) and shows results.
import type {
  Settle,
  Verdict,
  ZkBatch,
  ZkDeposit,
  ZkDepositTarget,
  ZkKey,
  ZkLedger,
  ZkShape,
  ZkStage,
  ZkStageInfo,
  ZkTx,
} from './settle';
import {
  validateValidityExecuteMsg,
  validateValidityQueryMsg,
  VALIDITY_EXECUTE_SOURCE,
  VALIDITY_QUERY_SOURCE,
} from './schema';
import { base64ToHex, byId, errorMessage, h, inputValue, short, show, table } from './util';
import { messageBoxes } from './msgbox';
import type {
  ExecuteMsg as ValidityExecuteMsg,
  QueryMsg as ValidityQueryMsg,
} from '../../clients/src/ValidityRollup.types';

/** What panel v's boxes show: the generated client's execute and query messages. */
type ValidityRollupMsg = ValidityExecuteMsg | ValidityQueryMsg;
import type { FromWorker, ReplayBatch, ToWorker } from './zk-protocol';

export interface ValidityDefaults {
  chainId: string;
  contract: string;
  /** A bech32 address for withdrawals and exits. */
  recipient: string;
}

/** The deposit chain's head at instantiation (the contract's `status.deposit_head` before any deposit). */
const ZERO = '00'.repeat(32);
/** What `scripts/prepare.mjs` writes next to the page (always, even when no key exists). */
const MANIFEST = 'zk/keys.json';
const HOW_TO_MAKE_A_KEY =
  'No proving key in this build. Make one with `cargo xtask zk-setup --deposits 1 --txs 1` ' +
  '(a single-party test setup, about 15 s natively: target/zk-keys/1x1/), then rebuild the page ' +
  '(`npm run build`, or restart `npm run dev`): scripts/prepare.mjs copies it to public/zk/1x1.pk. ' +
  '`cargo xtask web` does both. Batches can still be built, and pasted proofs checked, without it.';

interface HeldZkKey {
  name: string;
  key: ZkKey;
  publicKey: string;
}

interface QueuedZkDeposit {
  index: number;
  target: ZkDepositTarget;
  amount: string;
  /** The batch that consumed it. */
  batch?: number;
}

interface PendingZkTx {
  tx: ZkTx;
  signer: string;
}

type BatchSummary = Omit<ZkBatch, 'witness'>;

interface BuiltZkBatch {
  index: number;
  /** What applyBatch was given: the worker replays it. */
  replay: ReplayBatch;
  depositIndexes: number[];
  summary: BatchSummary;
  /** The ledger after this batch (what an exit after it is proven against). */
  after: ZkLedger;
  proving?: boolean;
  proof?: string;
  verdict?: Verdict;
  proveMs?: number;
}

/** One entry of zk/keys.json. */
interface KeyFile {
  shape: ZkShape;
  file: string;
  bytes: number;
  verifyingKey?: string;
}

interface LoadedKey {
  file: string;
  shape: ZkShape;
  verifyingKey: string;
  bytes: number;
}

let S: Settle;
let defaults: ValidityDefaults;

const zk = {
  chainId: '',
  contract: '',
  domain: '',
  keys: [] as HeldZkKey[],
  ledger: undefined as ZkLedger | undefined,
  depositHead: ZERO,
  queue: [] as QueuedZkDeposit[],
  pending: [] as PendingZkTx[],
  batches: [] as BuiltZkBatch[],
  /** Bumped by Apply: a proof that comes back for an older ledger is dropped. */
  generation: 0,
  keyFiles: [] as KeyFile[],
  key: undefined as LoadedKey | undefined,
  busy: false,
};

// ---------------------------------------------------------------- helpers

function ledger(): ZkLedger {
  if (!zk.ledger) throw new Error('apply the rollup settings first (v1)');
  return zk.ledger;
}

function clearErrors(): void {
  for (const shown of document.querySelectorAll<HTMLElement>('#panel-zk .error')) {
    shown.hidden = true;
    shown.textContent = '';
  }
}

function fail(errorId: string, e: unknown): void {
  const el = byId(errorId);
  el.hidden = false;
  el.textContent = errorMessage(e);
}

/** Runs `action` (sync or async); a thrown error is shown in `#errorId`. */
function guarded(errorId: string, action: () => void | Promise<void>): () => void {
  return () => {
    try {
      const result = action();
      if (result instanceof Promise) {
        result.then(
          () => clearErrors(),
          (e: unknown) => fail(errorId, e),
        );
      } else {
        clearErrors();
      }
    } catch (e) {
      fail(errorId, e);
    }
  };
}

function on(id: string, event: string, handler: () => void): void {
  byId(id).addEventListener(event, handler);
}

function uint(id: string, what: string): number {
  const text = inputValue(id);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new Error(`${what}: expected a non-negative integer, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function positiveAmount(id: string, what: string): string {
  const text = inputValue(id);
  if (!/^\d+$/.test(text) || BigInt(text) === 0n) {
    throw new Error(`${what}: expected a positive integer (base units), got ${JSON.stringify(text)}`);
  }
  return String(BigInt(text));
}

const shapeText = (s: ZkShape): string =>
  `${s.deposits} deposit${s.deposits === 1 ? '' : 's'} and ${s.txs} transaction${s.txs === 1 ? '' : 's'} per batch`;
const shapeName = (s: ZkShape): string => `${s.deposits}x${s.txs}`;
const sameShape = (a: ZkShape, b: ZkShape): boolean => a.deposits === b.deposits && a.txs === b.txs;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

const keyName = (pubkey: string): string => zk.keys.find((k) => k.publicKey === pubkey)?.name ?? 'not held here';

/** Accounts the next batches open: queued new-account deposits, in queue order. */
function pendingOpens(): { index: number; pubkey: string; amount: string }[] {
  let next = ledger().accountCount;
  return zk.queue
    .filter((d) => d.batch === undefined)
    .flatMap((d) => ('newAccount' in d.target ? [{ index: next++, pubkey: d.target.newAccount.pubkey, amount: d.amount }] : []));
}

/** The held key of account `index` (open, or opened by a queued deposit). */
function signerOf(index: number): HeldZkKey {
  const pubkey = ledger().account(index)?.pubkey ?? pendingOpens().find((o) => o.index === index)?.pubkey;
  if (!pubkey) throw new Error(`there is no account #${index} (open, or opened by a queued deposit)`);
  const held = zk.keys.find((k) => k.publicKey === pubkey);
  if (!held) throw new Error(`account #${index} belongs to a key this page does not hold`);
  return held;
}

/** The nonce of the next transaction of `from`: the ledger's, plus the signed ones waiting. */
function nextNonce(from: number): string {
  const base = BigInt(ledger().account(from)?.nonce ?? '0');
  return String(base + BigInt(zk.pending.filter((p) => p.tx.from === from).length));
}

/** The circuit shape batches are built for: the loaded key's, else the inputs. */
function currentShape(): ZkShape {
  if (zk.key) return zk.key.shape;
  const deposits = uint('zk-shape-deposits', 'deposit slots');
  const txs = uint('zk-shape-txs', 'transaction slots');
  if (txs === 0) throw new Error('transaction slots: at least 1');
  return { deposits, txs };
}

// ---------------------------------------------------------------- messages

type ZkMsgKind = 'deposit' | 'submit' | 'check' | 'verify' | 'request' | 'exit';
const execute = (title: string) => ({ title, validate: validateValidityExecuteMsg, source: VALIDITY_EXECUTE_SOURCE });
const query = (title: string) => ({ title, validate: validateValidityQueryMsg, source: VALIDITY_QUERY_SOURCE });
const ZK_MSG = {
  deposit: execute('ExecuteMsg: deposit'),
  submit: execute('ExecuteMsg: submit_batch'),
  check: query("QueryMsg: check_batch (the contract's dry run of submit_batch)"),
  verify: query('QueryMsg: verify_proof'),
  request: execute('ExecuteMsg: request_exit'),
  exit: execute('ExecuteMsg: exodus_withdraw'),
};
const boxes = messageBoxes<ZkMsgKind, ValidityRollupMsg>({ box: 'zk-box', msg: 'zkmsg' }, ZK_MSG);
const mountMessage = boxes.mount;
const setMessage = boxes.set;

// ---------------------------------------------------------------- v1. settings

function applySettings(): void {
  if (zk.busy) throw new Error('a proof is being made: wait for it (or stop it) before starting a fresh ledger');
  const chainId = inputValue('zk-chain-id');
  const contract = inputValue('zk-contract');
  if (!chainId) throw new Error('chain id: required');
  try {
    S.canonicalAddress(contract);
  } catch (e) {
    throw new Error(`contract address: ${errorMessage(e)}`);
  }
  const domain = S.rollupDomain(chainId, contract);
  zk.ledger?.free();
  for (const b of zk.batches) b.after.free();
  Object.assign(zk, {
    chainId,
    contract,
    domain,
    ledger: new S.ZkLedger(),
    depositHead: ZERO,
    queue: [],
    pending: [],
    batches: [],
    generation: zk.generation + 1,
  });
  byId('zk-domain').textContent = domain;
  for (const kind of Object.keys(ZK_MSG) as ZkMsgKind[]) mountMessage(kind);
  show('zk-batch-note', '');
  resetProofView();
  renderShape();
  renderDeposits();
  renderAccounts();
  renderPending();
  renderBatches();
}

function renderShape(): void {
  const shape = zk.key?.shape;
  for (const id of ['zk-shape-deposits', 'zk-shape-txs']) byId<HTMLInputElement>(id).disabled = shape !== undefined;
  if (shape) {
    byId<HTMLInputElement>('zk-shape-deposits').value = String(shape.deposits);
    byId<HTMLInputElement>('zk-shape-txs').value = String(shape.txs);
  }
  let text: string;
  try {
    const s = currentShape();
    text = `${shapeText(s)} (${zk.key ? `the loaded proving key ${zk.key.file}` : 'no proving key loaded: set by hand'})`;
  } catch (e) {
    text = errorMessage(e);
  }
  show('zk-shape', text);
}

// ---------------------------------------------------------------- v2. keys

function addKey(name: string, key: ZkKey): void {
  const existing = zk.keys.findIndex((k) => k.publicKey === key.publicKey);
  if (existing >= 0) {
    key.free();
    const [held] = zk.keys.splice(existing, 1);
    zk.keys.push(held);
  } else {
    zk.keys.push({ name, key, publicKey: key.publicKey });
  }
  renderKeys();
  renderAccounts();
}

function renderKeys(): void {
  const last = zk.keys.at(-1);
  byId('zk-key-public').textContent = last ? last.publicKey : 'none yet';
  byId('zk-keys').replaceChildren(
    zk.keys.length === 0
      ? ''
      : table(
          ['key', 'public key (Jubjub x || y, 64 bytes, hex)'],
          zk.keys.map((k) => [k.name, h('code', { class: 'hex', title: k.publicKey }, short(k.publicKey, 16))]),
          'zk-key-table',
        ),
  );
  for (const id of ['zk-deposit-key', 'zk-exit-key']) {
    const select = byId<HTMLSelectElement>(id);
    select.replaceChildren(...zk.keys.map((k, i) => h('option', { value: String(i) }, `${k.name} (${short(k.publicKey, 6)})`)));
    select.value = String(zk.keys.length - 1);
  }
}

function deriveFromSeed(): void {
  const seed = inputValue('zk-seed').replace(/^0x/, '');
  if (!seed) throw new Error('seed: 32 bytes of hex (64 digits)');
  let key: ZkKey;
  try {
    key = S.ZkKey.fromSeed(seed);
  } catch (e) {
    throw new Error(`seed: ${errorMessage(e)}`);
  }
  addKey(`seed ${short(seed.toLowerCase(), 4)}`, key);
}

// ---------------------------------------------------------------- v3. deposits

function queueDeposit(): void {
  ledger();
  let target: ZkDepositTarget;
  if (byId<HTMLSelectElement>('zk-deposit-kind').value === 'new') {
    const held = zk.keys[Number(byId<HTMLSelectElement>('zk-deposit-key').value)];
    if (!held) throw new Error('generate or derive a Jubjub key first (v2)');
    target = { newAccount: { pubkey: held.publicKey } };
  } else {
    const index = uint('zk-deposit-account', 'account #');
    // A credit names the key that opened the account too (the contract's `account`
    // query tells it; the page knows the accounts it mirrors), so it never lands in an
    // account someone else opened at that index.
    const pubkey = ledger().account(index)?.pubkey ?? pendingOpens().find((o) => o.index === index)?.pubkey;
    if (!pubkey) {
      // The contract refuses it too: it queues only deposits the circuit can consume.
      throw new Error(`there is no account #${index} (open, or opened by a queued deposit)`);
    }
    target = { account: { index, pubkey } };
  }
  const amount = positiveAmount('zk-deposit-amount', 'amount');
  // validityDepositMsg checks the key as the contract does (a Jubjub point).
  const msg = S.validityDepositMsg(target);
  const index = zk.queue.length;
  zk.queue.push({ index, target, amount });
  setMessage('deposit', msg, `deposit #${index}: sent with one coin of ${amount} of the rollup's denom`);
  renderDeposits();
  renderAccounts();
}

function describeTarget(t: ZkDepositTarget): string {
  if ('newAccount' in t) return `new account for ${keyName(t.newAccount.pubkey)} (${short(t.newAccount.pubkey, 6)})`;
  if ('exit' in t) return `exit request: account #${t.exit.account} withdraws its whole balance`;
  return `account #${t.account.index} (${keyName(t.account.pubkey)})`;
}

function renderDeposits(): void {
  byId('zk-deposit-queue').replaceChildren(
    zk.queue.length === 0
      ? h('p', { class: 'hint' }, 'The deposit queue is empty.')
      : table(
          ['#', 'credits', 'amount', 'status'],
          zk.queue.map((d) => [
            String(d.index),
            describeTarget(d.target),
            d.amount,
            d.batch === undefined ? 'queued' : `consumed by batch ${d.batch}`,
          ]),
          'zk-deposit-table',
        ),
  );
}

// ---------------------------------------------------------------- v4. accounts

function renderAccounts(): void {
  if (!zk.ledger) return;
  const l = zk.ledger;
  const rows: (string | Node)[][] = [];
  for (let i = 0; i < l.accountCount; i++) {
    const a = l.account(i);
    if (a) rows.push([String(i), keyName(a.pubkey), h('code', { title: a.pubkey }, short(a.pubkey, 8)), a.balance, a.nonce, 'open']);
  }
  for (const o of pendingOpens()) {
    rows.push([String(o.index), keyName(o.pubkey), h('code', { title: o.pubkey }, short(o.pubkey, 8)), o.amount, '0', 'opened by a queued deposit']);
  }
  byId('zk-accounts').replaceChildren(
    rows.length === 0
      ? h('p', { class: 'hint' }, 'No account yet: queue a deposit, then build a batch.')
      : h(
          'div',
          {},
          table(['#', 'key', 'public key', 'balance', 'nonce', 'status'], rows, 'zk-account-table'),
          h(
            'p',
            { class: 'hint' },
            'state root ',
            h('code', { id: 'zk-state-root' }, l.stateRoot),
            ` · ${l.accountCount} open after ${zk.batches.length} built batch${zk.batches.length === 1 ? '' : 'es'}`,
          ),
        ),
  );
}

// ---------------------------------------------------------------- v5. transactions

function signTransfer(): void {
  const from = uint('zk-tx-from', 'from');
  const to = uint('zk-tx-to', 'to');
  const amount = positiveAmount('zk-tx-amount', 'amount');
  const signer = signerOf(from);
  const tx = ledger().signTransfer(signer.key, zk.domain, { from, to, amount, nonce: nextNonce(from) });
  addPending(tx, signer);
}

function signWithdrawal(): void {
  const from = uint('zk-wd-from', 'from');
  let recipient: string;
  try {
    recipient = S.canonicalAddress(inputValue('zk-wd-recipient'));
  } catch (e) {
    throw new Error(`recipient: ${errorMessage(e)}`);
  }
  const amount = positiveAmount('zk-wd-amount', 'amount');
  const signer = signerOf(from);
  const tx = ledger().signWithdrawal(signer.key, zk.domain, { from, recipient, amount, nonce: nextNonce(from) });
  addPending(tx, signer);
}

function addPending(tx: ZkTx, signer: HeldZkKey): void {
  zk.pending.push({ tx, signer: signer.name });
  renderPending();
}

function renderPending(): void {
  if (zk.pending.length === 0) {
    byId('zk-tx-list').replaceChildren(h('p', { class: 'hint' }, 'No signed transaction waiting for a batch.'));
    return;
  }
  const clear = h('button', { id: 'zk-tx-clear', type: 'button', class: 'secondary small' }, 'Discard these transactions');
  clear.addEventListener('click', () => {
    zk.pending = [];
    renderPending();
  });
  byId('zk-tx-list').replaceChildren(
    table(
      ['#', 'kind', 'from', 'to', 'amount', 'nonce', 'signed by', 'signature (R || S)'],
      zk.pending.map((p, i) => [
        String(i),
        p.tx.kind,
        `#${p.tx.from}`,
        p.tx.kind === 'transfer' ? `#${p.tx.to}` : h('code', { title: p.tx.recipient ?? '' }, short(p.tx.recipient ?? '', 6)),
        String(p.tx.amount),
        String(p.tx.nonce),
        p.signer,
        h('code', { title: p.tx.signature }, short(p.tx.signature, 8)),
      ]),
      'zk-tx-table',
    ),
    h('div', { class: 'row' }, clear),
  );
}

// ---------------------------------------------------------------- v6. batches

/**
 * Builds the next batch for the current shape: the first queued deposits (up to the
 * deposit slots) and the signed transactions in order (up to the transaction slots). When
 * the ledger refuses a transaction (say, to an account a later deposit opens), the batch
 * stops before it and the rest wait for a later batch.
 */
function buildBatch(): void {
  const l = ledger();
  const shape = currentShape();
  const queued = zk.queue.filter((d) => d.batch === undefined).slice(0, shape.deposits);
  const deposits: ZkDeposit[] = queued.map((d) => ({ target: d.target, amount: d.amount }));
  const candidates = zk.pending.slice(0, shape.txs);
  if (queued.length === 0 && candidates.length === 0) {
    throw new Error('nothing to batch: queue a deposit or sign a transaction first');
  }
  let refusal: string | undefined;
  for (let n = candidates.length; n >= 0; n--) {
    if (n === 0 && queued.length === 0) break;
    const txs = candidates.slice(0, n).map((p) => p.tx);
    const next = l.clone();
    let batch: ZkBatch;
    try {
      batch = next.applyBatch(shape, zk.domain, zk.depositHead, deposits, txs);
    } catch (e) {
      next.free();
      refusal ??= errorMessage(e);
      continue;
    }
    const { witness, ...summary } = batch;
    witness.free(); // the worker rebuilds it from the replay
    const index = zk.batches.length;
    zk.batches.push({
      index,
      replay: { shape, depositsBefore: zk.depositHead, deposits, txs },
      depositIndexes: queued.map((d) => d.index),
      summary,
      after: next.clone(),
    });
    for (const d of queued) d.batch = index;
    zk.pending.splice(0, n);
    zk.depositHead = summary.statement.depositsAfter;
    l.free();
    zk.ledger = next;
    const notes = [`batch ${index}: ${queued.length} deposit(s), ${n} transaction(s), ${atob(summary.data).length} bytes of data`];
    if (n < candidates.length) notes.push(`${candidates.length - n} signed transaction(s) wait for a later batch: ${refusal}`);
    const beyond = zk.pending.length - (candidates.length - n);
    if (beyond > 0) notes.push(`${beyond} more wait: the circuit has ${shape.txs} transaction slot(s)`);
    show('zk-batch-note', notes.join('\n'));
    byId<HTMLInputElement>('zk-prove-batch').value = String(index);
    renderDeposits();
    renderAccounts();
    renderPending();
    renderBatches();
    return;
  }
  throw new Error(refusal ?? 'the batch was refused');
}

function proofCell(b: BuiltZkBatch): string {
  if (b.proving) return 'proving…';
  if (!b.proof) return 'not proven';
  return b.verdict?.valid ? `VALID (${seconds(b.proveMs ?? 0)})` : `INVALID: ${b.verdict?.reason ?? ''}`;
}

function renderBatches(): void {
  byId('zk-batches').replaceChildren(
    zk.batches.length === 0
      ? h('p', { class: 'hint' }, 'No batch built yet.')
      : table(
          ['#', 'shape', 'deposits', 'transactions', 'accounts', 'new state root', 'public input', 'withdrawals paid', 'exits served', 'proof'],
          zk.batches.map((b) => [
            String(b.index),
            shapeName(b.replay.shape),
            b.depositIndexes.length === 0 ? '-' : b.depositIndexes.map((i) => `#${i}`).join(', '),
            b.replay.txs.length === 0 ? '-' : b.replay.txs.map((t) => (t.kind === 'transfer' ? `#${t.from}→#${t.to} ${t.amount}` : `#${t.from} withdraws ${t.amount}`)).join('; '),
            String(b.summary.newAccountCount),
            h('code', { title: b.summary.statement.newStateRoot }, short(b.summary.statement.newStateRoot, 6)),
            h('code', { title: b.summary.publicInput }, short(b.summary.publicInput, 6)),
            b.summary.withdrawals.length === 0
              ? '-'
              : b.summary.withdrawals.map((w) => `${w.amount} to ${short(w.recipient, 4)}`).join('; '),
            b.summary.exits.length === 0 ? '-' : b.summary.exits.join('; '),
            proofCell(b),
          ]),
          'zk-batch-table',
        ),
  );
  // The exit's state: the one the user picked, else the last batch proven here (else built).
  const select = byId<HTMLSelectElement>('zk-exit-batch');
  const picked = select.dataset.picked === 'true' && zk.batches[Number(select.value)] ? select.value : undefined;
  select.replaceChildren(
    ...zk.batches.map((b) => h('option', { value: String(b.index) }, `after batch ${b.index}${b.verdict?.valid ? ' (proven here)' : ''}`)),
  );
  const proven = zk.batches.filter((b) => b.verdict?.valid).at(-1);
  select.value = picked ?? String((proven ?? zk.batches.at(-1))?.index ?? '');
  if (!picked) delete select.dataset.picked;
}

// ---------------------------------------------------------------- v7. the prover (Web Worker)

let worker: Worker | undefined;
let nextRequest = 1;
const requests = new Map<
  number,
  { event: (m: FromWorker) => void; resolve: (m: FromWorker) => void; reject: (e: Error) => void }
>();

function getWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./zk-worker.ts', import.meta.url), { type: 'module', name: 'settle-prover' });
  w.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    const r = requests.get(m.id);
    if (!r) return;
    if (m.type === 'error') {
      requests.delete(m.id);
      r.reject(new Error(m.message));
    } else if (m.type === 'loaded' || m.type === 'proved') {
      requests.delete(m.id);
      r.resolve(m);
    } else {
      r.event(m);
    }
  };
  w.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    stopWorker(`the proving worker failed: ${e.message || 'it could not start'}`);
  };
  worker = w;
  return w;
}

/** Ends the worker (and the proof it is making): the key must be loaded again. */
function stopWorker(reason: string): void {
  worker?.terminate();
  worker = undefined;
  zk.key = undefined;
  for (const r of requests.values()) r.reject(new Error(reason));
  requests.clear();
  renderKeyStatus();
  renderShape();
}

type Request = ToWorker extends infer T ? (T extends { id: number } ? Omit<T, 'id'> : never) : never;

function call<T extends FromWorker>(msg: Request, event: (m: FromWorker) => void): Promise<T> {
  const id = nextRequest++;
  return new Promise<T>((resolve, reject) => {
    requests.set(id, { event, resolve: resolve as (m: FromWorker) => void, reject });
    getWorker().postMessage({ ...msg, id } as ToWorker);
  });
}

const STAGES = ['download', 'load', 'replay', 'synthesizing', 'checking', 'proving', 'done'] as const;
type UiStage = (typeof STAGES)[number];
const STAGE_LABELS: Record<UiStage, string> = {
  download: 'download the proving key',
  load: 'load it (ZkProver.fromTrustedBytes)',
  replay: 'rebuild the witness in the worker',
  synthesizing: 'synthesize the circuit',
  checking: 'check the constraints',
  proving: 'prove (Groth16 over BLS12-381)',
  done: 'proof made',
};
let stageStarted = new Map<UiStage, number>();
let ticker: number | undefined;

function resetStages(): void {
  stageStarted = new Map();
  byId('zk-stages').replaceChildren(
    ...STAGES.map((s) =>
      h('li', { 'data-stage': s }, h('span', { class: 'label' }, STAGE_LABELS[s]), ' ', h('span', { class: 'detail', id: `zk-stage-${s}` })),
    ),
  );
}

/** Marks `stage` as started (and every earlier one as done). */
function enterStage(stage: UiStage, detail = ''): void {
  const now = performance.now();
  const at = STAGES.indexOf(stage);
  for (const [i, s] of STAGES.entries()) {
    const li = byId('zk-stages').querySelector<HTMLElement>(`li[data-stage="${s}"]`);
    if (!li) continue;
    if (i < at && li.classList.contains('active')) {
      li.classList.replace('active', 'done');
      const began = stageStarted.get(s);
      if (began !== undefined) byId(`zk-stage-${s}`).append(` · ${seconds(now - began)}`);
    }
  }
  const li = byId('zk-stages').querySelector<HTMLElement>(`li[data-stage="${stage}"]`);
  li?.classList.add(stage === 'done' ? 'done' : 'active');
  // Entering a stage again only updates its detail: its time runs from the first entry.
  if (!stageStarted.has(stage)) stageStarted.set(stage, now);
  byId(`zk-stage-${stage}`).textContent = detail;
}

function setProveState(state: 'idle' | 'loading' | 'proving' | 'done' | 'error', text: string): void {
  const el = byId('zk-prove-status');
  el.dataset.state = state;
  show('zk-prove-status', text, state === 'done' ? 'ok' : state === 'error' ? 'bad' : undefined);
  byId<HTMLButtonElement>('zk-prove-stop').hidden = !(state === 'loading' || state === 'proving');
}

let tickerStarted = 0;

function startTicker(label: () => string): void {
  stopTicker();
  tickerStarted = performance.now();
  const tick = () =>
    show('zk-prove-elapsed', `${label()} · ${seconds(performance.now() - tickerStarted)} elapsed (the page stays responsive: the worker works)`);
  tick();
  ticker = window.setInterval(tick, 200);
}

function stopTicker(): void {
  if (ticker === undefined) return;
  window.clearInterval(ticker);
  ticker = undefined;
  show('zk-prove-elapsed', `${seconds(performance.now() - tickerStarted)} in all, from the click`);
}

async function loadManifest(): Promise<void> {
  try {
    const res = await fetch(`./${MANIFEST}`, { cache: 'no-store' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const manifest = (await res.json()) as { keys?: KeyFile[] };
    zk.keyFiles = Array.isArray(manifest.keys) ? manifest.keys : [];
  } catch {
    zk.keyFiles = [];
  }
  const select = byId<HTMLSelectElement>('zk-pk-select');
  select.replaceChildren(
    ...zk.keyFiles.map((k, i) =>
      h('option', { value: String(i) }, `${k.file}: ${shapeText(k.shape)}, ${(k.bytes / 1e6).toFixed(1)} MB`),
    ),
  );
  select.disabled = zk.keyFiles.length === 0;
  byId<HTMLButtonElement>('zk-pk-load').disabled = zk.keyFiles.length === 0;
  const first = zk.keyFiles[0];
  if (first && !zk.key) {
    byId<HTMLInputElement>('zk-shape-deposits').value = String(first.shape.deposits);
    byId<HTMLInputElement>('zk-shape-txs').value = String(first.shape.txs);
  }
  renderKeyStatus();
  renderShape();
}

function renderKeyStatus(): void {
  if (zk.key) {
    show(
      'zk-pk-status',
      `loaded in the worker: ${zk.key.file} (${(zk.key.bytes / 1e6).toFixed(1)} MB), ${shapeText(zk.key.shape)}`,
      'ok',
    );
    byId('zk-vk').textContent = zk.key.verifyingKey;
  } else if (zk.keyFiles.length === 0) {
    show('zk-pk-status', HOW_TO_MAKE_A_KEY, 'bad');
    byId('zk-vk').textContent = '-';
  } else {
    show('zk-pk-status', `not loaded yet: ${zk.keyFiles.length} key file(s) in this build (loaded on the first proof, or now with Load)`);
    byId('zk-vk').textContent = '-';
  }
}

/** Loads key file `entry` into the worker (download, then `fromTrustedBytes`). */
async function loadKey(entry: KeyFile): Promise<LoadedKey> {
  const url = new URL(entry.file, document.baseURI).href;
  enterStage('download', `${entry.file}`);
  const loaded = await call<Extract<FromWorker, { type: 'loaded' }>>({ type: 'load', url }, (m) => {
    if (m.type !== 'download' || stageStarted.has('load')) return;
    const total = m.total ?? entry.bytes;
    byId('zk-stage-download').textContent = `${entry.file}: ${(m.received / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`;
    if (m.received >= total) enterStage('load', '');
  });
  enterStage('load', `${(loaded.bytes / 1e6).toFixed(1)} MB, points not checked`);
  if (entry.verifyingKey && entry.verifyingKey !== loaded.verifyingKey) {
    throw new Error(`${entry.file}: its verifying key is not the one zk/keys.json names (a stale copy?)`);
  }
  zk.key = { file: entry.file, shape: loaded.shape, verifyingKey: loaded.verifyingKey, bytes: loaded.bytes };
  renderKeyStatus();
  renderShape();
  return zk.key;
}

async function loadSelectedKey(): Promise<void> {
  if (zk.busy) throw new Error('the worker is busy');
  const entry = zk.keyFiles[Number(byId<HTMLSelectElement>('zk-pk-select').value)];
  if (!entry) throw new Error(HOW_TO_MAKE_A_KEY);
  zk.busy = true;
  resetStages();
  setProveState('loading', `loading ${entry.file}…`);
  startTicker(() => `loading ${entry.file}`);
  try {
    const key = await loadKey(entry);
    setProveState('idle', `proving key ${key.file} loaded: ready to prove a batch of shape ${shapeName(key.shape)}`);
  } catch (e) {
    setProveState('error', `the key did not load: ${errorMessage(e)}`);
    throw e;
  } finally {
    stopTicker();
    zk.busy = false;
  }
}

function resetProofView(): void {
  for (const id of ['zk-proof', 'zk-public-input', 'zk-verdict', 'zk-verdict-reason', 'zk-withdrawals']) show(id, '-');
  show('zk-verdict-reason', '');
}

/** Proves batch `#zk-prove-batch` in the worker, then verifies the proof on this thread. */
async function proveBatch(): Promise<void> {
  if (zk.busy) throw new Error('the worker is busy: wait for the proof (or stop it)');
  const index = uint('zk-prove-batch', 'batch');
  const b = zk.batches[index];
  if (!b) throw new Error(`no batch ${index}: ${zk.batches.length} built`);
  const generation = zk.generation;
  const domain = zk.domain;
  const replay = zk.batches.slice(0, index + 1).map((x) => x.replay);
  zk.busy = true;
  b.proving = true;
  renderBatches();
  resetStages();
  resetProofView();
  let stage = 'starting';
  startTicker(() => `batch ${index}: ${stage}`);
  try {
    let key = zk.key;
    if (!key || !sameShape(key.shape, b.replay.shape)) {
      const entry = zk.keyFiles.find((k) => sameShape(k.shape, b.replay.shape));
      if (!entry) {
        throw new Error(
          zk.keyFiles.length === 0
            ? HOW_TO_MAKE_A_KEY
            : `no proving key of shape ${shapeName(b.replay.shape)} in this build (have: ${zk.keyFiles.map((k) => shapeName(k.shape)).join(', ')})`,
        );
      }
      stage = `loading ${entry.file}`;
      setProveState('loading', `batch ${index}: loading the proving key ${entry.file}…`);
      key = await loadKey(entry);
    } else {
      enterStage('download', `${key.file}: already in the worker`);
      enterStage('load', 'already loaded');
    }
    stage = 'rebuilding the witness';
    setProveState('proving', `batch ${index}: proving in the Web Worker…`);
    enterStage('replay', `${index + 1} batch(es) replayed on a fresh ZkLedger`);
    const proved = await call<Extract<FromWorker, { type: 'proved' }>>(
      { type: 'prove', domain, batches: replay, target: index, publicInput: b.summary.publicInput },
      (m) => {
        if (m.type === 'replayed') byId('zk-stage-replay').textContent = `${index + 1} batch(es) replayed on a fresh ZkLedger, same public input`;
        if (m.type === 'progress') {
          stage = m.stage;
          enterStage(m.stage, describeStage(m.stage, m.info));
        }
      },
    );
    if (generation !== zk.generation) throw new Error('the ledger was reset while proving: proof dropped');
    const started = performance.now();
    const verdict = S.verifyGroth16(key.verifyingKey, proved.proof, [b.summary.publicInput]);
    const verifyMs = performance.now() - started;
    Object.assign(b, { proof: proved.proof, verdict, proveMs: proved.proveMs });
    const done = `batch ${index} proved in ${seconds(proved.proveMs)} in the Web Worker; verified here in ${verifyMs.toFixed(0)} ms`;
    setProveState(verdict.valid ? 'done' : 'error', done);
    byId('zk-prove-status').dataset.proveMs = String(Math.round(proved.proveMs));
    showProof(b, key.verifyingKey, verifyMs);
  } catch (e) {
    setProveState('error', `batch ${index}: ${errorMessage(e)}`);
    throw e;
  } finally {
    stopTicker();
    b.proving = false;
    zk.busy = false;
    renderBatches();
  }
}

function describeStage(stage: ZkStage, info: ZkStageInfo): string {
  if (stage === 'synthesizing') return `${info.deposits ?? '?'} deposit(s), ${info.txs ?? '?'} transaction(s)`;
  if (stage === 'checking' || stage === 'proving') return `${(info.constraints ?? 0).toLocaleString('en-US')} constraints`;
  return '';
}

function showProof(b: BuiltZkBatch, verifyingKey: string, verifyMs: number): void {
  const proof = b.proof ?? '';
  show('zk-proof', proof);
  show('zk-public-input', b.summary.publicInput);
  if (b.verdict?.valid) {
    show('zk-verdict', 'VALID', 'ok');
    show('zk-verdict-reason', `verifyGroth16(the prover's verifying key, proof, [public input]): the contract's own checks, in ${verifyMs.toFixed(0)} ms`);
  } else {
    show('zk-verdict', 'INVALID', 'bad');
    show('zk-verdict-reason', b.verdict?.reason ?? '');
  }
  show(
    'zk-withdrawals',
    b.summary.withdrawals.length === 0
      ? 'none'
      : b.summary.withdrawals.map((w) => `${w.amount} to ${w.recipient}`).join('\n'),
  );
  const args = { ...b.summary, proof };
  setMessage('submit', S.submitBatchMsg(args), `batch ${b.index}: final once the contract verifies the proof; its withdrawals are credited to their recipients, who claim them (validityClaimMsg)`);
  setMessage('check', S.checkBatchQuery(args), 'ask the contract before sending: it recomputes the public input from its own state');
  setMessage('verify', S.verifyProofQuery(proof, [b.summary.publicInput]), 'against the contract\'s current verifying key');
  byId('zk-vk').textContent = verifyingKey;
}

// ---------------------------------------------------------------- v8. check any proof

function readVerifyingKey(text: string): string {
  const t = text.trim();
  return t.startsWith('{') ? S.snarkjsVerifyingKey(t) : t.replace(/\s+/g, '');
}

function readProof(text: string): string {
  const t = text.trim();
  return t.startsWith('{') ? S.snarkjsProof(t) : t.replace(/\s+/g, '');
}

/** Hex field elements (one per line, or a JSON array), or snarkjs's public.json (decimal). */
function readInputs(text: string): string[] {
  const t = text.trim();
  if (t.startsWith('[')) {
    const list: unknown = JSON.parse(t);
    if (!Array.isArray(list)) throw new Error('public inputs: expected a JSON array');
    const hex = list.every((x) => typeof x === 'string' && /^(0x)?[0-9a-fA-F]{64}$/.test(x));
    return hex ? (list as string[]) : S.snarkjsPublicInputs(t);
  }
  return t.split(/[\s,]+/).filter((x) => x.length > 0);
}

function fillChecker(): void {
  const b = zk.batches.filter((x) => x.proof).at(-1);
  if (!b || !b.proof || !zk.key) throw new Error('prove a batch first (v7)');
  byId<HTMLTextAreaElement>('zk-check-vk').value = zk.key.verifyingKey;
  byId<HTMLTextAreaElement>('zk-check-proof').value = b.proof;
  byId<HTMLTextAreaElement>('zk-check-inputs').value = b.summary.publicInput;
  show('zk-check-verdict', '-');
  show('zk-check-reason', `batch ${b.index}'s proof, its public input and the loaded key's verifying key`);
}

function checkPasted(): void {
  let vk: string;
  let proof: string;
  let inputs: string[];
  try {
    vk = readVerifyingKey(byId<HTMLTextAreaElement>('zk-check-vk').value);
    proof = readProof(byId<HTMLTextAreaElement>('zk-check-proof').value);
    inputs = readInputs(byId<HTMLTextAreaElement>('zk-check-inputs').value);
  } catch (e) {
    show('zk-check-verdict', 'UNREADABLE', 'bad');
    show('zk-check-reason', errorMessage(e));
    return;
  }
  let verdict: Verdict;
  try {
    verdict = S.verifyGroth16(vk, proof, inputs);
  } catch (e) {
    // only for an argument that is not hex
    show('zk-check-verdict', 'UNREADABLE', 'bad');
    show('zk-check-reason', errorMessage(e));
    return;
  }
  if (verdict.valid) {
    show('zk-check-verdict', 'VALID', 'ok');
    show('zk-check-reason', `The proof verifies for ${inputs.length} public input(s) under this key (the contract's verify_proof query would say so with this key).`);
  } else {
    show('zk-check-verdict', 'INVALID', 'bad');
    show('zk-check-reason', verdict.reason ?? '');
  }
}

// ---------------------------------------------------------------- v9. exodus

function buildExit(): void {
  const held = zk.keys[Number(byId<HTMLSelectElement>('zk-exit-key').value)];
  if (!held) throw new Error('generate or derive a Jubjub key first (v2)');
  const index = Number(byId<HTMLSelectElement>('zk-exit-batch').value);
  const b = zk.batches[index];
  if (!b || byId<HTMLSelectElement>('zk-exit-batch').value === '') throw new Error('build a batch first (v6): an exit is proven against a batch\'s accounts root');
  const recipient = inputValue('zk-exit-recipient');
  let canonical: string;
  try {
    canonical = S.canonicalAddress(recipient);
  } catch (e) {
    throw new Error(`recipient: ${errorMessage(e)}`);
  }
  const msg = S.exodusWithdrawMsg(b.after, held.key, zk.domain, recipient);
  const e = msg.exodus_withdraw;
  setMessage(
    'exit',
    msg,
    `account #${e.account} (${held.name}) leaves with ${e.balance} against the accounts root after batch ${b.index}: valid only in exodus, and only if that batch is the contract's last verified one`,
  );
  const check = S.zkVerify(held.publicKey, S.exitMessage(zk.domain, e.account, canonical), base64ToHex(e.signature));
  show(
    'zk-exit-check',
    check.valid
      ? `✓ the signature is the key's on exitMessage(domain, ${e.account}, recipient) (zkVerify); path of ${e.path.length} siblings`
      : `✗ ${check.reason ?? 'the signature does not verify'}`,
    check.valid ? 'ok' : 'bad',
  );
}

/**
 * An L1 exit request (V1): the account of the picked key asks on L1 for a full exit to the
 * recipient. It joins the deposit queue, so the next batches must serve it (the batch
 * withdraws the whole balance, posts it in `exits`, and the contract credits the
 * recipient) or exodus starts. Signed at the account's `exit_sequence` (the contract's
 * `account` query; here, the exit requests this page queued for it).
 */
function requestExit(): void {
  const held = zk.keys[Number(byId<HTMLSelectElement>('zk-exit-key').value)];
  if (!held) throw new Error('generate or derive a Jubjub key first (v2)');
  const account = ledger().findAccount(held.publicKey) ?? pendingOpens().find((o) => o.pubkey === held.publicKey)?.index;
  if (account === undefined) throw new Error(`${held.name} holds no account (open, or opened by a queued deposit)`);
  const recipient = inputValue('zk-exit-recipient');
  let canonical: string;
  try {
    canonical = S.canonicalAddress(recipient);
  } catch (e) {
    throw new Error(`recipient: ${errorMessage(e)}`);
  }
  const sequence = zk.queue.filter((d) => 'exit' in d.target && d.target.exit.account === account).length;
  const msg = S.exitRequestMsg(held.key, zk.domain, account, recipient, sequence);
  const index = zk.queue.length;
  // The bond (at least `min_deposit`) is the entry's amount; the batch that serves it
  // credits it back to the sender.
  zk.queue.push({ index, target: { exit: { account } }, amount: '1' });
  setMessage(
    'request',
    msg,
    `queue entry #${index}: sent with a bond of at least min_deposit (returned when a batch serves it); the next batches must serve it or exodus starts`,
  );
  const check = S.zkVerify(held.publicKey, S.exitRequestMessage(zk.domain, account, canonical, sequence), base64ToHex(msg.request_exit.signature));
  show(
    'zk-exit-check',
    check.valid
      ? `✓ the signature is the key's on exitRequestMessage(domain, ${account}, recipient, ${sequence}) (zkVerify)`
      : `✗ ${check.reason ?? 'the signature does not verify'}`,
    check.valid ? 'ok' : 'bad',
  );
  renderDeposits();
}

// ---------------------------------------------------------------- start

export function startValidity(settle: Settle, d: ValidityDefaults): void {
  S = settle;
  defaults = d;
  byId<HTMLInputElement>('zk-chain-id').value = defaults.chainId;
  byId<HTMLInputElement>('zk-contract').value = defaults.contract;
  byId<HTMLInputElement>('zk-wd-recipient').value = defaults.recipient;
  byId<HTMLInputElement>('zk-exit-recipient').value = defaults.recipient;

  on('zk-apply', 'click', guarded('zk-settings-error', applySettings));
  for (const id of ['zk-shape-deposits', 'zk-shape-txs']) on(id, 'input', renderShape);
  on('zk-key-generate', 'click', guarded('zk-key-error', () => addKey(`key ${zk.keys.length + 1} (generated)`, S.ZkKey.generate())));
  on('zk-key-seed', 'click', guarded('zk-key-error', deriveFromSeed));
  on('zk-deposit-add', 'click', guarded('zk-deposit-error', queueDeposit));
  on('zk-tx-transfer', 'click', guarded('zk-tx-error', signTransfer));
  on('zk-tx-withdraw', 'click', guarded('zk-tx-error', signWithdrawal));
  on('zk-batch-build', 'click', guarded('zk-batch-error', buildBatch));
  on('zk-pk-load', 'click', guarded('zk-prove-error', loadSelectedKey));
  on('zk-prove', 'click', guarded('zk-prove-error', proveBatch));
  on('zk-prove-stop', 'click', () => stopWorker('stopped: the worker was ended (the key loads again on the next proof)'));
  on('zk-check-fill', 'click', guarded('zk-check-error', fillChecker));
  on('zk-check', 'click', checkPasted);
  on('zk-exit-build', 'click', guarded('zk-exit-error', buildExit));
  on('zk-exit-request', 'click', guarded('zk-exit-error', requestExit));
  on('zk-exit-batch', 'change', () => {
    byId('zk-exit-batch').dataset.picked = 'true';
  });

  resetStages();
  setProveState('idle', 'no proof yet');
  applySettings();
  void loadManifest().then(() => {
    document.body.dataset.zkKeys = String(zk.keyFiles.length);
  });
}
