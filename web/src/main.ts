// The dApp page: panels a (keys), b (settings), c (local rollup), d (proof checkers), and
// v (the validity rollup, src/validity.ts).
// Every rule (keys, signatures, encodings, roots, proofs, messages) comes from the
// package; this file only gathers inputs and shows results.
import './style.css';
import {
  loadSettle,
  type Settle,
  type L2Key,
  type RollupNode,
  type DepositTo,
  type WithdrawalProof,
  type BatchOutput,
  type MerkleProof,
  type OzValue,
  type StepKind,
  type DecodedOneStepProof,
  type OneStepArgs,
} from './settle';
import { validateExecuteMsg, SCHEMA_SOURCE } from './schema';
import { messageBoxes } from './msgbox';
import type { ExecuteMsg as OptimisticRollupMsg } from '../../clients/src/OptimisticRollup.types';
import { startValidity } from './validity';
import {
  byId,
  bytesToHex,
  errorMessage,
  h,
  hexToBytes,
  inputValue,
  pretty,
  short,
  show,
  table,
} from './util';

if (new URLSearchParams(location.search).has('parity')) {
  location.replace(`./parity.html${location.hash}`);
}

/** The deployment the parity vectors use (cw-multi-test's first contract address). */
const DEFAULT_CHAIN_ID = 'cosmos-testnet-14002';
const DEFAULT_CONTRACT = 'cosmwasm1mzdhwvvh22wrt07w59wxyd58822qavwkx5lcej7aqfkpqqlhaqfsgn6fq2';
/** cosmwasm MockApi addresses (`addr_make("alice")`, `addr_make("dave")`). */
const DEMO_DEPOSITOR = 'cosmwasm190vqdjtlpcq27xslcveglfmr4ynfwg7gmw86cnun4acakxrdd6gqvdcx9h';
const DEMO_RECIPIENT = 'cosmwasm1v84qsqlcs56j8dmh6s22eccnpn2d87fdutxhl7rftseh67wzamhqkqc9ts';

interface HeldKey {
  name: string;
  key: L2Key;
  publicKey: string;
}

interface QueuedDeposit {
  index: number;
  to: DepositTo;
  amount: string;
  depositor: string;
  consumedBy?: number;
}

interface Draft {
  kind: 'transfer' | 'withdraw';
  from: number;
  to?: number;
  recipient?: string; // bech32, withdrawals only
  amount: string;
  nonce: string;
  bytes: Uint8Array;
  signingHash: string;
}

interface ProvenWithdrawal {
  proof: WithdrawalProof;
  output: BatchOutput;
  recipient: string; // bech32
  source: string;
}

let S: Settle;
const state = {
  keys: [] as HeldKey[],
  chainId: '',
  contract: '',
  prefix: '',
  domain: '',
  node: undefined as RollupNode | undefined,
  deposits: [] as QueuedDeposit[],
  drafts: [] as Draft[],
  encoded: undefined as Uint8Array | undefined,
  withdrawals: [] as ProvenWithdrawal[],
};

// ---------------------------------------------------------------- helpers

function node(): RollupNode {
  if (!state.node) throw new Error('apply the rollup settings first (panel b)');
  return state.node;
}

/** Runs `action`; a thrown error is shown in `#errorId`. */
function guarded(errorId: string, action: () => void): () => void {
  return () => {
    const el = byId(errorId);
    try {
      action();
      // An error message is about the last action: a success clears them all.
      for (const shown of document.querySelectorAll<HTMLElement>('.error')) {
        shown.hidden = true;
        shown.textContent = '';
      }
    } catch (e) {
      el.hidden = false;
      el.textContent = errorMessage(e);
    }
  };
}

function on(id: string, event: string, handler: () => void): void {
  byId(id).addEventListener(event, handler);
}

function positiveAmount(text: string, what: string): string {
  if (!/^\d+$/.test(text) || BigInt(text) === 0n) {
    throw new Error(`${what}: expected a positive integer (base units), got ${JSON.stringify(text)}`);
  }
  return text;
}

function accountIndex(id: string, what: string): number {
  const text = inputValue(id);
  if (!/^\d+$/.test(text) || Number(text) > 0xffff_ffff) {
    throw new Error(`${what}: expected an account index, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

const keyName = (pubkey: string): string =>
  state.keys.find((k) => k.publicKey === pubkey)?.name ?? 'not held here';

/** Accounts the next batch opens: pending new-account deposits, in queue order. */
function pendingOpens(): { index: number; pubkey: string; amount: string }[] {
  const n = node();
  let next = n.accountCount;
  return n.pendingDeposits.flatMap((d) =>
    'newAccount' in d.to ? [{ index: next++, pubkey: d.to.newAccount.pubkey, amount: String(d.amount) }] : [],
  );
}

/** The key of account `index`, open or opened by the next batch. */
function signerOf(index: number): HeldKey {
  const n = node();
  const pubkey = n.account(index)?.pubkey ?? pendingOpens().find((o) => o.index === index)?.pubkey;
  if (!pubkey) throw new Error(`there is no account #${index} (open or opened by the next batch)`);
  const held = state.keys.find((k) => k.publicKey === pubkey);
  if (!held) throw new Error(`account #${index} belongs to a key this page does not hold`);
  return held;
}

/** The nonce the next transaction of `from` takes: the ledger's, plus the drafts. */
function nextNonce(from: number): string {
  const base = BigInt(node().account(from)?.nonce ?? '0');
  return String(base + BigInt(state.drafts.filter((d) => d.from === from).length));
}

// ---------------------------------------------------------------- messages

type MsgKind = 'deposit' | 'propose' | 'withdraw' | 'prove';
const execute = (title: string) => ({ title, validate: validateExecuteMsg, source: SCHEMA_SOURCE });
const boxes = messageBoxes<MsgKind, OptimisticRollupMsg>(
  { box: 'box', msg: 'msg' },
  {
    deposit: execute('ExecuteMsg: deposit'),
    propose: execute('ExecuteMsg: propose_batch'),
    withdraw: execute('ExecuteMsg: withdraw'),
    prove: execute('ExecuteMsg: prove_step'),
  },
);
const mountMessage = boxes.mount;
const setMessage = boxes.set;

// ---------------------------------------------------------------- a. keys

function addKey(name: string, key: L2Key): void {
  const existing = state.keys.findIndex((k) => k.publicKey === key.publicKey);
  if (existing >= 0) {
    key.free();
    const [held] = state.keys.splice(existing, 1);
    state.keys.push(held); // the key shown is the last one asked for
  } else {
    state.keys.push({ name, key, publicKey: key.publicKey });
  }
  renderKeys();
  renderAccounts();
}

function renderKeys(): void {
  const last = state.keys.at(-1);
  byId('key-public').textContent = last ? last.publicKey : 'none yet';
  byId('key-list').replaceChildren(
    state.keys.length === 0
      ? ''
      : table(
          ['key', 'public key (33-byte compressed secp256k1, hex)'],
          state.keys.map((k) => [k.name, h('code', { class: 'hex' }, k.publicKey)]),
          'key-table',
        ),
  );
  const select = byId<HTMLSelectElement>('deposit-key');
  select.replaceChildren(
    ...state.keys.map((k, i) => h('option', { value: String(i) }, `${k.name} (${short(k.publicKey, 6)})`)),
  );
  select.value = String(state.keys.length - 1);
}

// ---------------------------------------------------------------- b. settings

function applySettings(): void {
  const chainId = inputValue('chain-id');
  const contract = inputValue('contract');
  if (!chainId) throw new Error('chain id: required');
  try {
    S.canonicalAddress(contract);
  } catch (e) {
    throw new Error(`contract address: ${errorMessage(e)}`);
  }
  const domain = S.domain(chainId, contract);
  state.node?.free();
  Object.assign(state, {
    chainId,
    contract,
    prefix: contract.slice(0, contract.lastIndexOf('1')),
    domain,
    node: new S.RollupNode(domain),
    deposits: [],
    drafts: [],
    encoded: undefined,
    withdrawals: [],
  });
  byId('domain').textContent = domain;
  for (const kind of ['deposit', 'propose', 'withdraw', 'prove'] as const) mountMessage(kind);
  byId('claim-box').hidden = true;
  show('prove-steps', 'No batch proposed yet.');
  renderDeposits();
  renderAccounts();
  renderDrafts();
  renderBatch(undefined);
  renderWithdrawals();
}

// ---------------------------------------------------------------- c1. deposits

function queueDeposit(): void {
  const n = node();
  let to: DepositTo;
  if (byId<HTMLSelectElement>('deposit-kind').value === 'new') {
    const held = state.keys[Number(byId<HTMLSelectElement>('deposit-key').value)];
    if (!held) throw new Error('generate or load a key first (panel a)');
    to = { newAccount: { pubkey: held.publicKey } };
  } else {
    to = { account: { index: accountIndex('deposit-account', 'account #') } };
  }
  const amount = positiveAmount(inputValue('deposit-amount'), 'amount');
  const depositor = inputValue('deposit-from');
  let refundTo: string;
  try {
    refundTo = S.canonicalAddress(depositor);
  } catch (e) {
    throw new Error(`depositor: ${errorMessage(e)}`);
  }
  // depositMsg checks the key as the contract does (a compressed secp256k1 point).
  const msg = S.depositMsg(to);
  const index = state.deposits.length;
  n.observeDeposit({ index, to, amount, refundTo });
  state.deposits.push({ index, to, amount, depositor });
  setMessage('deposit', msg, `deposit #${index}: sent by ${short(depositor, 12)} with one coin of ${amount}`);
  renderDeposits();
  renderAccounts();
}

function describeTarget(to: DepositTo): string {
  return 'newAccount' in to
    ? `new account for ${keyName(to.newAccount.pubkey)} (${short(to.newAccount.pubkey, 6)})`
    : `account #${to.account.index}`;
}

function renderDeposits(): void {
  byId('deposit-queue').replaceChildren(
    state.deposits.length === 0
      ? h('p', { class: 'hint' }, 'The deposit queue is empty.')
      : table(
          ['#', 'credits', 'amount', 'depositor', 'status'],
          state.deposits.map((d) => [
            String(d.index),
            describeTarget(d.to),
            d.amount,
            short(d.depositor, 12),
            d.consumedBy === undefined ? 'queued' : `applied by batch ${d.consumedBy}`,
          ]),
          'deposit-table',
        ),
  );
}

// ---------------------------------------------------------------- c2. accounts

function renderAccounts(): void {
  if (!state.node) return;
  const n = state.node;
  const rows: (string | Node)[][] = [];
  for (let i = 0; i < n.accountCount; i++) {
    const a = n.account(i);
    if (a) rows.push([String(i), keyName(a.pubkey), h('code', {}, short(a.pubkey, 8)), a.balance, a.nonce, 'open']);
  }
  for (const o of pendingOpens()) {
    rows.push([String(o.index), keyName(o.pubkey), h('code', {}, short(o.pubkey, 8)), o.amount, '0', 'opens with the next batch']);
  }
  byId('accounts').replaceChildren(
    rows.length === 0
      ? h('p', { class: 'hint' }, 'No account yet: queue a deposit, then propose a batch.')
      : h(
          'div',
          {},
          table(['#', 'key', 'public key', 'balance', 'nonce', 'status'], rows, 'account-table'),
          h('p', { class: 'hint' }, `state root `, h('code', { id: 'state-root' }, n.stateRoot), ` · ${n.accountCount} open, ${n.batchCount} batches`),
        ),
  );
}

// ---------------------------------------------------------------- c3. transactions

function signTransfer(): void {
  const from = accountIndex('tx-from', 'from');
  const to = accountIndex('tx-to', 'to');
  const amount = inputValue('tx-amount');
  const nonce = inputValue('tx-nonce') || nextNonce(from);
  const signer = signerOf(from);
  const bytes = S.signTransfer(signer.key, state.domain, { from, to, amount, nonce });
  addDraft({ kind: 'transfer', from, to, amount, nonce, bytes, signingHash: S.signingHash(state.domain, bytes) });
}

function signWithdrawal(): void {
  const from = accountIndex('wd-from', 'from');
  const recipient = inputValue('wd-recipient');
  let canonical: string;
  try {
    canonical = S.canonicalAddress(recipient);
  } catch (e) {
    throw new Error(`recipient: ${errorMessage(e)}`);
  }
  const amount = inputValue('wd-amount');
  const nonce = nextNonce(from);
  const signer = signerOf(from);
  const bytes = S.signWithdrawal(signer.key, state.domain, { from, recipient: canonical, amount, nonce });
  addDraft({ kind: 'withdraw', from, recipient, amount, nonce, bytes, signingHash: S.signingHash(state.domain, bytes) });
}

function addDraft(draft: Draft): void {
  // The decoding must give back what was signed (it is what the batch carries).
  const decoded = S.decodeTx(draft.bytes);
  if (decoded.from !== draft.from || decoded.nonce !== String(BigInt(draft.nonce))) {
    throw new Error(`the signed bytes decode to ${pretty(decoded)}`);
  }
  draft.amount = decoded.amount;
  draft.nonce = decoded.nonce;
  state.drafts.push(draft);
  state.encoded = undefined;
  byId<HTMLInputElement>('tx-nonce').value = '';
  renderDrafts();
  renderBatch(undefined);
}

function renderDrafts(): void {
  if (state.drafts.length === 0) {
    byId('tx-list').replaceChildren(h('p', { class: 'hint' }, 'No transaction signed yet.'));
    return;
  }
  const clear = h('button', { id: 'tx-clear', type: 'button', class: 'secondary small' }, 'Discard these transactions');
  clear.addEventListener('click', () => {
    state.drafts = [];
    state.encoded = undefined;
    renderDrafts();
    renderBatch(undefined);
  });
  byId('tx-list').replaceChildren(
    table(
      ['#', 'kind', 'from', 'to', 'amount', 'nonce', 'bytes', 'signing hash'],
      state.drafts.map((d, i) => [
        String(i),
        d.kind,
        `#${d.from}`,
        d.kind === 'transfer' ? `#${d.to}` : short(d.recipient ?? '', 12),
        d.amount,
        d.nonce,
        String(d.bytes.length),
        h('code', {}, short(d.signingHash, 8)),
      ]),
      'tx-table',
    ),
    clear,
  );
}

// ---------------------------------------------------------------- c4. batch

function encode(): Uint8Array {
  const data = S.encodeBatch(state.drafts.map((d) => d.bytes));
  state.encoded = data;
  renderBatch(data);
  return data;
}

function renderBatch(data: Uint8Array | undefined): void {
  const n = state.drafts.length;
  if (!data) {
    for (const id of ['batch-bytes', 'batch-txs', 'batch-per-tx', 'batch-data-root', 'batch-hex']) show(id, '-');
    return;
  }
  show('batch-bytes', String(data.length));
  show('batch-txs', String(n));
  show('batch-per-tx', n === 0 ? '-' : (data.length / n).toFixed(1));
  show('batch-data-root', S.dataRoot(data));
  // One line per step, as the contract splits the data.
  const steps = S.splitSteps(data);
  show(
    'batch-hex',
    steps.length === 0 ? '(empty: a batch of deposits only)' : steps.map((s, i) => `#${i} (${s.length} B) ${bytesToHex(s)}`).join('\n'),
  );
}

function propose(): void {
  const n = node();
  const data = state.encoded ?? encode();
  const proposal = n.propose(data);
  const output = n.batchOutput(proposal.index);
  let consumed = 0;
  for (const d of state.deposits) {
    if (d.consumedBy === undefined && consumed < proposal.depositsConsumed) {
      d.consumedBy = proposal.index;
      consumed++;
    }
  }
  show('batch-index', String(proposal.index));
  show('batch-deposits', String(proposal.depositsConsumed));
  show('batch-output-root', proposal.outputRoot);

  const effects = n.batchEffects(proposal.index);
  byId('batch-effects').replaceChildren(
    effects.length === 0
      ? ''
      : table(
          ['step', 'transaction', 'effect'],
          effects.map((e, i) => {
            const d = state.drafts[i];
            const what = d ? `${d.kind} from #${d.from}, ${d.amount}` : '(undecodable rest)';
            const effect = e.applied
              ? e.withdrawalIndex === undefined
                ? 'applied'
                : `applied: withdrawal ${e.withdrawalIndex}`
              : `no-op: ${e.reason}`;
            return [String(i), what, h('span', { class: e.applied ? 'ok' : 'bad' }, effect)];
          }),
          'effects-table',
        ),
  );
  setMessage(
    'propose',
    S.proposeBatchMsg(proposal),
    `batch ${proposal.index}: ${data.length} bytes, ${proposal.depositsConsumed} deposits consumed (bonded proposer only)`,
  );

  // The batch's withdrawals: those of transactions and the refunds of deposits that could
  // not be credited.
  const sources = new Map<number, string>();
  effects.forEach((e, i) => {
    if (e.withdrawalIndex !== undefined) sources.set(e.withdrawalIndex, `transaction ${i}`);
  });
  for (const proof of n.batchWithdrawals(proposal.index)) {
    state.withdrawals.push({
      proof,
      output,
      recipient: S.humanAddress(proof.recipient, state.prefix),
      source: sources.get(proof.index) ?? 'deposit refund',
    });
  }
  state.drafts = [];
  state.encoded = undefined;
  renderDrafts();
  renderDeposits();
  renderAccounts();
  renderWithdrawals();
  const latest = state.withdrawals.filter((w) => w.proof.batch === proposal.index).at(-1);
  if (latest) selectWithdrawal(latest);
  byId<HTMLInputElement>('prove-batch').value = String(proposal.index);
  renderSteps(proposal.index);
}

// ---------------------------------------------------------------- c5. withdrawals

function claimOf(w: ProvenWithdrawal) {
  return {
    batch: w.proof.batch,
    index: w.proof.index,
    recipient: w.recipient,
    recipientCanonical: w.proof.recipient,
    amount: String(w.proof.amount),
    depositCursor: w.output.depositCursor,
    dataRoot: w.output.dataRoot,
    outputRoot: w.output.outputRoot,
    stateRoot: w.proof.stateRoot,
    withdrawalsRoot: w.proof.withdrawalsRoot,
    proof: w.proof.proof,
  };
}

function renderWithdrawals(): void {
  byId('withdrawals').replaceChildren(
    state.withdrawals.length === 0
      ? h('p', { class: 'hint' }, 'No withdrawal yet: sign one, then propose the batch.')
      : table(
          ['batch', 'index', 'recipient', 'amount', 'from', ''],
          state.withdrawals.map((w, i) => {
            const button = h('button', { type: 'button', class: 'secondary small', id: `withdrawal-show-${i}` }, 'Show');
            button.addEventListener('click', () => selectWithdrawal(w));
            return [String(w.proof.batch), String(w.proof.index), short(w.recipient, 14), String(w.proof.amount), w.source, button];
          }),
          'withdrawal-table',
        ),
  );
}

function selectWithdrawal(w: ProvenWithdrawal): void {
  setMessage(
    'withdraw',
    S.withdrawMsg(w.proof, w.recipient),
    `batch ${w.proof.batch}, withdrawal ${w.proof.index}: payable once the batch is final`,
  );
  byId('claim-box').hidden = false;
  byId('claim-json').textContent = pretty(claimOf(w));
}

// ---------------------------------------------------------------- c6. one-step proofs

function describeStep(k: StepKind): string {
  switch (k.kind) {
    case 'deposit':
      return `deposit ${k.queueIndex}`;
    case 'tx':
      return `transaction step ${k.index}`;
    default:
      return k.kind;
  }
}

/** The steps of batch `b`, as the node's trace numbers them. */
function renderSteps(b: number): void {
  const trace = node().batchTrace(b);
  try {
    const kinds = Array.from({ length: trace.steps }, (_, j) => `${j} ${describeStep(trace.stepKind(j))}`);
    show('prove-steps', `batch ${b} has ${trace.steps} steps (step j runs from position j to j + 1): ${kinds.join(' · ')}`);
  } finally {
    trace.free();
  }
}

function uintValue(id: string, what: string): number {
  const text = inputValue(id);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new Error(`${what}: expected a non-negative integer, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** Proves step `n` of local batch `b`: fills the one-step checker and the prove_step message. */
function proveStep(): void {
  const step = uintValue('prove-step', 'step');
  const b = uintValue('prove-batch', 'batch');
  const trace = node().batchTrace(b);
  try {
    const kind = trace.stepKind(step);
    const proof = trace.proof(step);
    const input = {
      kind,
      context: trace.context,
      domain: trace.domain,
      step,
      preRoot: trace.rootAt(step),
      deposit: kind.kind === 'deposit' ? trace.deposit(kind.queueIndex) : null,
      proof: bytesToHex(proof),
      postRoot: trace.rootAt(step + 1),
    };
    const area = byId<HTMLTextAreaElement>('step-input');
    area.value = pretty(input);
    for (const id of ['step-verdict', 'step-kind', 'step-witness']) show(id, '-');
    show('step-reason', `step ${step} of the local batch ${b}: check it in panel d`);
    setMessage(
      'prove',
      S.proveStepMsg(0, step, proof),
      `step ${step} (${describeStep(kind)}) of batch ${b}, ${proof.length} bytes of proof. ` +
        'game 0 is a placeholder: put the id of your game (the "game" attribute of the challenge ' +
        'transaction, or the contract\'s games query) before sending',
    );
  } finally {
    trace.free();
  }
}

// ---------------------------------------------------------------- d. checkers

function checkClaim(): void {
  show('claim-anchor', '');
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(byId<HTMLTextAreaElement>('claim-input').value);
    if (!c || typeof c !== 'object' || Array.isArray(c)) throw new Error('expected a JSON object');
  } catch (e) {
    show('claim-verdict', 'UNREADABLE', 'bad');
    show('claim-reason', `not a claim: ${errorMessage(e)}`);
    return;
  }
  const missing = ['batch', 'depositCursor', 'dataRoot', 'outputRoot', 'index', 'recipient', 'amount', 'stateRoot', 'withdrawalsRoot', 'proof'].filter(
    (k) => !(k in c),
  );
  if (missing.length > 0) {
    show('claim-verdict', 'UNREADABLE', 'bad');
    show('claim-reason', `missing field(s): ${missing.join(', ')}`);
    return;
  }
  try {
    // The claim names its recipient as bech32 (the `withdraw` field); the leaf hashes the
    // canonical bytes. `recipientCanonical`, when present, is what is checked.
    const recipient = String(c.recipient);
    const canonical =
      typeof c.recipientCanonical === 'string'
        ? c.recipientCanonical
        : /^(0x)?[0-9a-fA-F]+$/.test(recipient)
          ? recipient
          : S.canonicalAddress(recipient);
    const verdict = S.verifyWithdrawal(
      { outputRoot: c.outputRoot as string, batch: c.batch as number, depositCursor: c.depositCursor as number, dataRoot: c.dataRoot as string },
      {
        index: c.index as number,
        recipient: canonical,
        amount: c.amount as string,
        stateRoot: c.stateRoot as string,
        withdrawalsRoot: c.withdrawalsRoot as string,
        proof: c.proof as string,
      },
    );
    if (verdict.valid) {
      show('claim-verdict', 'VALID', 'ok');
      show('claim-reason', 'The contract would pay this withdrawal once its batch is final (and only once).');
    } else {
      show('claim-verdict', 'INVALID', 'bad');
      show('claim-reason', verdict.reason ?? '');
    }
  } catch (e) {
    show('claim-verdict', 'UNREADABLE', 'bad');
    show('claim-reason', errorMessage(e));
    return;
  }
  // The verdict is against the output root the claim names; on a chain, that root comes
  // from the contract's `batch` query. Here the local node can vouch for its own batches.
  const b = Number(c.batch);
  if (state.node && Number.isInteger(b) && b >= 0 && b < state.node.batchCount) {
    const mine = state.node.batchOutput(b).outputRoot;
    show(
      'claim-anchor',
      mine === String(c.outputRoot).replace(/^0x/, '').toLowerCase()
        ? `The output root is the local node's batch ${b}.`
        : `The claim's output root is not the local node's batch ${b} (${short(mine)}): the verdict above is against the claim's own root.`,
    );
  } else {
    show('claim-anchor', 'Checked against the output root the claim names; on a chain, take it from the contract\'s `batch` query.');
  }
}

function merkleModeChanged(): void {
  const oz = byId<HTMLSelectElement>('merkle-mode').value === 'oz';
  byId('merkle-leaf-label').textContent = oz ? 'value (JSON: ["0x address", "amount"])' : 'leaf data (0x-hex, or text)';
  byId('merkle-proof-label').textContent = oz ? 'proof (JSON: ["0x…", …])' : 'proof (JSON: { index, leafCount, siblings })';
  for (const id of ['merkle-root', 'merkle-leaf', 'merkle-proof']) byId<HTMLInputElement>(id).value = '';
  show('merkle-verdict', '-');
  show('merkle-reason', '');
}

function merkleExample(): void {
  const enc = new TextEncoder();
  if (byId<HTMLSelectElement>('merkle-mode').value === 'oz') {
    const values: OzValue[] = [
      ['0x1111111111111111111111111111111111111111', '5000000000000000000'],
      ['0x2222222222222222222222222222222222222222', '2500000000000000000'],
      ['0x3333333333333333333333333333333333333333', '42'],
    ];
    const tree = S.StandardMerkleTree.of(values);
    byId<HTMLInputElement>('merkle-root').value = tree.root;
    byId<HTMLInputElement>('merkle-leaf').value = JSON.stringify(values[1]);
    byId<HTMLTextAreaElement>('merkle-proof').value = pretty(tree.getProof(1));
    tree.free();
  } else {
    const items = ['alice:100', 'bob:250', 'carol:75', 'dave:40', 'erin:5'].map((s) => enc.encode(s));
    const tree = new S.MerkleTree(items);
    byId<HTMLInputElement>('merkle-root').value = tree.root;
    byId<HTMLInputElement>('merkle-leaf').value = 'dave:40';
    byId<HTMLTextAreaElement>('merkle-proof').value = pretty(tree.prove(3));
    tree.free();
  }
  show('merkle-verdict', '-');
  show('merkle-reason', '');
}

function merkleCheck(): void {
  const oz = byId<HTMLSelectElement>('merkle-mode').value === 'oz';
  const root = inputValue('merkle-root');
  try {
    const proof: unknown = JSON.parse(byId<HTMLTextAreaElement>('merkle-proof').value);
    if (oz) {
      const value = JSON.parse(inputValue('merkle-leaf')) as OzValue;
      if (S.ozVerify(root, value, proof as string[])) {
        show('merkle-verdict', 'VALID', 'ok');
        show('merkle-reason', 'StandardMerkleTree.verify(root, ["address", "uint256"], value, proof) holds.');
      } else {
        show('merkle-verdict', 'INVALID', 'bad');
        show('merkle-reason', 'the proof does not lead from this value to this root (ozVerify gives no further reason)');
      }
    } else {
      // leaf DATA: the verifier hashes it as a leaf, so an inner node cannot pass as one
      const leaf = inputValue('merkle-leaf');
      const data = leaf.startsWith('0x') ? hexToBytes(leaf) : new TextEncoder().encode(leaf);
      S.merkleCheck(root, data, proof as MerkleProof);
      show('merkle-verdict', 'VALID', 'ok');
      show('merkle-reason', 'The proof puts this leaf (keccak256(0x00 || data)) under this root.');
    }
  } catch (e) {
    // merkleCheck throws the core's reason; unreadable arguments throw too.
    show('merkle-verdict', 'INVALID', 'bad');
    show('merkle-reason', errorMessage(e));
  }
}

/** What a decoded one-step proof claims to witness, one line each (nothing checked yet). */
function describeProof(p: DecodedOneStepProof): string[] {
  if (p.kind === 'open') {
    return [
      p.parent
        ? `the parent output's preimage: state root ${short(p.parent.stateRoot)}, withdrawals root ${short(p.parent.withdrawalsRoot)}`
        : 'no parent output (the first batch opens from genesisRoot())',
    ];
  }
  const lines = [
    `the pre-state: root ${short(p.pre.root)}, ${p.pre.accountCount} accounts, ${p.pre.withdrawalCount} withdrawals`,
  ];
  if (p.kind === 'close') return lines;
  if (p.kind === 'tx') {
    let tx: string;
    try {
      const t = S.decodeTx(hexToBytes(p.tx));
      tx = t.kind === 'transfer' ? `transfer #${t.from} → #${t.to}` : `withdrawal from #${t.from}`;
      tx += `, ${t.amount}, nonce ${t.nonce}`;
    } catch {
      tx = 'bytes that do not decode as a transaction';
    }
    lines.push(`the step's ${p.tx.length / 2} bytes of batch data (${tx}), with ${p.txSiblings.length} sibling hashes`);
  }
  const accounts = p.accounts.accounts.map((a) =>
    a.account ? `#${a.index} (balance ${a.account.balance}, nonce ${a.account.nonce})` : `#${a.index} (empty)`,
  );
  lines.push(`account${accounts.length === 1 ? '' : 's'} ${accounts.join(', ') || 'none'}, with ${p.accounts.hashes.length} sibling hashes`);
  if (p.withdrawalSlot) lines.push(`the empty withdrawal slot the step fills (${p.withdrawalSlot.siblings.length} sibling hashes)`);
  return lines;
}

function checkStep(): void {
  for (const id of ['step-kind', 'step-witness']) show(id, '-');
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(byId<HTMLTextAreaElement>('step-input').value);
    if (!c || typeof c !== 'object' || Array.isArray(c)) throw new Error('expected a JSON object');
  } catch (e) {
    show('step-verdict', 'UNREADABLE', 'bad');
    show('step-reason', `not a one-step case: ${errorMessage(e)}`);
    return;
  }
  // postRoot is checked last: a proof that proves nothing is INVALID whatever root it names
  // (the vectors' negative cases name none).
  const missing = ['context', 'domain', 'step', 'preRoot', 'proof'].filter((k) => !(k in c));
  if (missing.length > 0) {
    show('step-verdict', 'UNREADABLE', 'bad');
    show('step-reason', `missing field(s): ${missing.join(', ')}`);
    return;
  }
  // What the proof says it is: the decoding alone proves nothing.
  try {
    const proof = S.decodeOneStepProof(typeof c.proof === 'string' ? hexToBytes(c.proof) : (c.proof as number[]));
    show('step-kind', proof.kind);
    show('step-witness', describeProof(proof).join('\n'));
  } catch (e) {
    show('step-kind', 'does not decode', 'bad');
    show('step-witness', errorMessage(e));
  }
  try {
    const post = S.oneStep(c as unknown as OneStepArgs);
    const want = String(c.postRoot).replace(/^0x/, '').toLowerCase();
    if (!('postRoot' in c)) {
      show('step-verdict', 'UNREADABLE', 'bad');
      show('step-reason', `missing field(s): postRoot (step ${String(c.step)} yields root ${post})`);
    } else if (post === want) {
      show('step-verdict', 'VALID', 'ok');
      show('step-reason', `Step ${String(c.step)}, re-executed from preRoot by the contract's one-step rule, yields postRoot.`);
    } else {
      show('step-verdict', 'INVALID', 'bad');
      show('step-reason', `step ${String(c.step)} yields root ${post}, not ${String(c.postRoot)}`);
    }
  } catch (e) {
    // oneStep throws the core's reason (and the reason an argument cannot be read).
    show('step-verdict', 'INVALID', 'bad');
    show('step-reason', errorMessage(e));
  }
}

// ---------------------------------------------------------------- start

async function start(): Promise<void> {
  S = await loadSettle();
  byId<HTMLInputElement>('chain-id').value = DEFAULT_CHAIN_ID;
  byId<HTMLInputElement>('contract').value = DEFAULT_CONTRACT;
  byId<HTMLInputElement>('deposit-from').value = DEMO_DEPOSITOR;
  byId<HTMLInputElement>('wd-recipient').value = DEMO_RECIPIENT;

  on('key-generate', 'click', guarded('key-error', () => addKey(`key ${state.keys.length + 1} (generated)`, S.L2Key.generate())));
  on(
    'key-demo',
    'click',
    guarded('key-error', () => {
      const label = inputValue('key-demo-label');
      if (!label) throw new Error('label: required');
      addKey(`demo "${label}"`, S.L2Key.fromLabel(label));
    }),
  );
  on('apply-domain', 'click', guarded('settings-error', applySettings));
  on('deposit-add', 'click', guarded('deposit-error', queueDeposit));
  on('tx-transfer', 'click', guarded('tx-error', signTransfer));
  on('tx-withdraw', 'click', guarded('tx-error', signWithdrawal));
  on('batch-encode', 'click', guarded('batch-error', () => void encode()));
  on('batch-propose', 'click', guarded('batch-error', propose));
  on('claim-to-checker', 'click', () => {
    byId<HTMLTextAreaElement>('claim-input').value = byId('claim-json').textContent ?? '';
    byId('panel-check').scrollIntoView({ behavior: 'smooth' });
  });
  on('claim-check', 'click', checkClaim);
  on('merkle-mode', 'change', merkleModeChanged);
  on('merkle-example', 'click', () => {
    try {
      merkleExample();
    } catch (e) {
      show('merkle-reason', errorMessage(e));
    }
  });
  on('merkle-check', 'click', merkleCheck);
  on('prove-fill', 'click', guarded('prove-error', proveStep));
  on('step-check', 'click', checkStep);
  merkleModeChanged();

  applySettings();
  startValidity(S, { chainId: DEFAULT_CHAIN_ID, contract: DEFAULT_CONTRACT, recipient: DEMO_RECIPIENT });
  document.body.dataset.ready = 'true';
  show('status', 'core loaded: @settle/wasm (WebAssembly) is ready. Nothing leaves this page.', 'ok');
}

start().catch((e: unknown) => {
  show('status', `the core failed to load: ${errorMessage(e)}`, 'bad');
  document.body.dataset.ready = 'error';
});
