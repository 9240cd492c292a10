// End-to-end test of the built dApp in Chromium: `node web/tests/e2e.mjs`.
//
// Builds nothing: it expects web/dist (`npm run build` in web/). It serves dist with
// `python3 -m http.server` on a free loopback port, drives the page like a user through
// playwright-core and the system Chromium (/usr/bin/chromium), proves a validity-rollup
// batch in the page's Web Worker (it needs web/dist/zk/1x1.pk: `cargo xtask web` makes
// it), replays the parity vectors on the parity page, saves target/web/flow.png (and
// validity.png, parity.png), always stops the server and the browser, and ends with the
// line `N passed, M failed` (N = assertions passed). Exit status 0 only when nothing failed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
/** Hex as a contract message carries the bytes (`Binary`: base64), and back. */
const b64 = (hex) => Buffer.from(hex.replace(/^0x/, ''), 'hex').toString('base64');
const unb64 = (base64) => Buffer.from(base64 ?? '', 'base64').toString('hex');
const web = join(here, '..');
const repo = join(web, '..');
const dist = join(web, 'dist');
const shots = join(repo, 'target', 'web');

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** The parity page must pass at least this many checks (954 pass with parity-v1.json and @settle/wasm 0.1.0, 189 of them in oneStep, 116 in channel). */
const PARITY_FLOOR = 1100;
/** Proving a 1x1 batch takes 20-60 s in wasm on an idle machine; much more on a loaded one. */
const OVERALL_TIMEOUT_MS = 900_000;
const STEP_TIMEOUT_MS = 15_000;
const PROVE_TIMEOUT_MS = 600_000;

const vectors = JSON.parse(readFileSync(join(repo, 'packages/core/tests/vectors/parity-v1.json'), 'utf8'));
const R = vectors.rollup;
const DAVE = R.users.find((u) => u.label === 'dave');
const BOB = R.users.find((u) => u.label === 'bob');
/** The validity section of the vectors (used when present). */
const V = vectors.validity;
/** The package's Node build: independent answers to check the browser's against. */
const node = createRequire(import.meta.url)(join(repo, 'packages/wasm/pkg/node/settle_wasm.js'));
const snarkjsFixture = (name) => readFileSync(join(repo, 'tests/interop/snarkjs/fixtures', name), 'utf8');

// ---------------------------------------------------------------- assertions

let passed = 0;
let failed = 0;

function check(name, ok, detail = '') {
  if (ok) {
    passed++;
    console.log(`  ok   ${name}`);
  } else {
    failed++;
    console.log(`  FAIL ${name}${detail ? `\n       ${String(detail).replace(/\n/g, '\n       ')}` : ''}`);
  }
  return ok;
}
const eq = (name, got, want) => check(name, got === want, `got  ${JSON.stringify(got)}\nwant ${JSON.stringify(want)}`);
const matches = (name, got, re) => check(name, re.test(got ?? ''), `got ${JSON.stringify(got)}, want ${re}`);

// ---------------------------------------------------------------- processes

let server;
let context;
let userDataDir;
let finished = false;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startServer(port) {
  server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dist], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  server.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`http.server exited (${server.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/index.html`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`http.server did not answer on port ${port} within 15 s: ${stderr}`);
}

/** Pids of the Chromium processes started with our user-data-dir (ours alone). */
function chromiumPids() {
  if (!userDataDir) return [];
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(userDataDir)) pids.push(Number(entry));
    } catch {
      // gone already
    }
  }
  return pids;
}

async function cleanup() {
  if (context) {
    const closing = context.close().catch(() => {});
    await Promise.race([closing, new Promise((r) => setTimeout(r, 10_000))]);
    context = undefined;
  }
  for (const pid of chromiumPids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    const exited = new Promise((r) => server.once('exit', r));
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
}

function finish(code) {
  if (finished) return;
  finished = true;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code);
}

const watchdog = setTimeout(async () => {
  console.error(`e2e: still running after ${OVERALL_TIMEOUT_MS / 1000} s: giving up`);
  failed++;
  await Promise.race([cleanup(), new Promise((r) => setTimeout(r, 15_000))]);
  finish(1);
}, OVERALL_TIMEOUT_MS);

// ---------------------------------------------------------------- the flow

async function main() {
  if (!existsSync(join(dist, 'index.html')) || !existsSync(join(dist, 'parity.html'))) {
    throw new Error(`${relative(repo, dist)} is missing: run \`npm ci && npm run build\` in web/ first`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  mkdirSync(shots, { recursive: true });

  const port = await freePort();
  await startServer(port);
  const origin = `http://127.0.0.1:${port}`;
  console.log(`serving ${relative(repo, dist)} at ${origin}`);

  userDataDir = mkdtempSync(join(tmpdir(), 'settle-e2e-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    timeout: 60_000,
  });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);

  // Offline: only the local server may be asked for anything.
  const outside = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin === origin || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
    outside.push(url.href);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
  });

  const text = async (sel) => ((await page.locator(sel).textContent()) ?? '').trim();
  const value = (sel) => page.locator(sel).inputValue();
  const rows = (sel) => page.locator(`${sel} tbody tr`).count();
  const json = async (sel) => JSON.parse(await value(sel));

  // ------------------------------------------------ load
  console.log('main page');
  await page.goto(`${origin}/`, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
  eq('the core loads (body[data-ready])', await page.getAttribute('body', 'data-ready'), 'true');
  matches('status says the core is loaded', await text('#status'), /core loaded/);

  // ------------------------------------------------ a. keys
  console.log('a. L2 keys');
  await page.click('#key-generate');
  const myKey = await text('#key-public');
  matches('a generated key shows a compressed public key', myKey, /^0[23][0-9a-f]{64}$/);
  await page.click('#key-generate');
  const second = await text('#key-public');
  check('a second generated key differs', second !== myKey && /^0[23][0-9a-f]{64}$/.test(second), second);
  await page.fill('#key-demo-label', BOB.l2Key.label);
  await page.click('#key-demo');
  eq(`demo key "${BOB.l2Key.label}" is the vectors' key`, await text('#key-public'), BOB.l2Key.publicKey);
  eq('three keys are listed', await rows('#key-table'), 3);

  // ------------------------------------------------ b. settings
  console.log('b. rollup settings');
  await page.fill('#contract', 'not-an-address');
  await page.click('#apply-domain');
  matches('a bad contract address is refused', await text('#settings-error'), /^contract address: invalid bech32/);
  await page.fill('#chain-id', R.chainId);
  await page.fill('#contract', R.contract);
  await page.click('#apply-domain');
  check('the error is gone once the address is good', await page.locator('#settings-error').isHidden());
  eq('domain of the vectors\' deployment', await text('#domain'), R.domain);

  // ------------------------------------------------ c. deposits
  console.log('c. deposits');
  const deposit = async (kind, keyOrAccount, amount) => {
    await page.selectOption('#deposit-kind', kind);
    if (kind === 'new') await page.selectOption('#deposit-key', { label: keyOrAccount });
    else await page.fill('#deposit-account', String(keyOrAccount));
    await page.fill('#deposit-amount', amount);
    await page.click('#deposit-add');
    return { msg: await json('#msg-deposit'), status: await text('#msg-deposit-status') };
  };
  const keyOption = async (i) => (await page.locator('#deposit-key option').nth(i).textContent()).trim();
  let d = await deposit('new', await keyOption(0), '1000000');
  check('deposit 0: new account for the generated key', d.msg?.deposit?.target?.new_account?.pubkey === b64(myKey), JSON.stringify(d.msg));
  matches('deposit 0: valid per schema', d.status, /^✓ valid per schema/);
  d = await deposit('new', await keyOption(2), '500000');
  check('deposit 1: new account for the demo key', d.msg?.deposit?.target?.new_account?.pubkey === b64(BOB.l2Key.publicKey), JSON.stringify(d.msg));
  matches('deposit 1: valid per schema', d.status, /^✓ valid per schema/);
  d = await deposit('account', 0, '250000');
  eq('deposit 2: top-up of account 0', JSON.stringify(d.msg), JSON.stringify({ deposit: { target: { account: { account: 0 } } } }));
  matches('deposit 2: valid per schema', d.status, /^✓ valid per schema/);
  await page.fill('#deposit-amount', '0');
  await page.click('#deposit-add');
  matches('a zero deposit is refused', await text('#deposit-error'), /amount: expected a positive integer/);
  eq('the queue holds three deposits', await rows('#deposit-table'), 3);
  eq('two accounts open with the next batch', await page.locator('#account-table tbody tr', { hasText: 'opens with the next batch' }).count(), 2);

  // ------------------------------------------------ c. transactions
  console.log('c. transactions');
  const transfer = async (from, to, amount) => {
    await page.fill('#tx-from', String(from));
    await page.fill('#tx-to', String(to));
    await page.fill('#tx-amount', amount);
    await page.click('#tx-transfer');
  };
  await transfer(0, 1, '250000');
  await transfer(1, 0, '100000');
  await transfer(0, 1, '50000');
  await page.fill('#wd-from', '1');
  await page.fill('#wd-recipient', DAVE.address);
  await page.fill('#wd-amount', '100000');
  await page.click('#tx-withdraw');
  const ALICE = R.users.find((u) => u.label === 'alice');
  await page.fill('#wd-from', '0');
  await page.fill('#wd-recipient', ALICE.address);
  await page.fill('#wd-amount', '50000');
  await page.click('#tx-withdraw');
  eq('five transactions signed', await rows('#tx-table'), 5);
  const txCells = await page.locator('#tx-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent.trim())),
  );
  eq('nonces are assigned per account (0, 0, 1, 1, 2)', txCells.map((c) => c[5]).join(','), '0,0,1,1,2');
  const txBytes = txCells.map((c) => Number(c[6]));
  check('each transaction is 69-110 bytes', txBytes.every((n) => n >= 69 && n <= 110), txBytes.join(','));
  await transfer(5, 0, '1');
  matches('signing for an account that does not exist is refused', await text('#tx-error'), /no account #5/);
  eq('the refused transfer was not added', await rows('#tx-table'), 5);

  // ------------------------------------------------ c. batch
  console.log('c. batch');
  await page.click('#batch-encode');
  const total = txBytes.reduce((a, b) => a + b, 0);
  eq('batch bytes are the sum of the transactions', Number(await text('#batch-bytes')), total);
  eq('bytes per transaction', await text('#batch-per-tx'), (total / txBytes.length).toFixed(1));
  eq('the hex dump has one line per step', (await text('#batch-hex')).split('\n').length, txBytes.length);
  matches('data root shown', await text('#batch-data-root'), /^[0-9a-f]{64}$/);
  await page.click('#batch-propose');
  const outputRoot = await text('#batch-output-root');
  matches('output root shown', outputRoot, /^[0-9a-f]{64}$/);
  eq('batch index', await text('#batch-index'), '0');
  eq('deposits consumed', await text('#batch-deposits'), '3');
  const effects = await page.locator('#effects-table tbody tr td:nth-child(3)').allTextContents();
  eq('every step applied', effects.join(' | '), 'applied | applied | applied | applied: withdrawal 0 | applied: withdrawal 1');
  const propose = await json('#msg-propose');
  matches('propose_batch: valid per schema', await text('#msg-propose-status'), /^✓ valid per schema/);
  eq('propose_batch carries the output root', propose?.propose_batch?.output_root, b64(outputRoot));
  eq('propose_batch consumes the three deposits', propose?.propose_batch?.deposits_consumed, 3);
  eq('propose_batch data is the batch (base64)', Buffer.from(propose?.propose_batch?.data ?? '', 'base64').length, total);
  const accounts = await page.locator('#account-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent.trim())),
  );
  // 0: 1,000,000 + 250,000 - 250,000 + 100,000 - 50,000 - 50,000; 1: 500,000 + 250,000 - 100,000 + 50,000 - 100,000
  eq('balances and nonces after the batch', accounts.map((a) => `${a[0]}:${a[3]}:${a[4]}`).join(' '), '0:1000000:3 1:600000:2');

  // ------------------------------------------------ c. withdrawal
  console.log('c. withdrawal');
  eq('two withdrawals proven', await rows('#withdrawal-table'), 2);
  let withdraw = await json('#msg-withdraw');
  matches('withdraw (the last one): valid per schema', await text('#msg-withdraw-status'), /^✓ valid per schema/);
  eq('withdraw pays its recipient', withdraw?.withdraw?.recipient, ALICE.address);
  eq('withdraw index and amount', `${withdraw?.withdraw?.index}:${withdraw?.withdraw?.amount}`, '1:50000');
  await page.click('#withdrawal-show-0');
  withdraw = await json('#msg-withdraw');
  matches('withdraw (the first one): valid per schema', await text('#msg-withdraw-status'), /^✓ valid per schema/);
  eq('withdraw pays its recipient', withdraw?.withdraw?.recipient, DAVE.address);
  eq('withdraw index and amount', `${withdraw?.withdraw?.index}:${withdraw?.withdraw?.amount}`, '0:100000');
  // a 2-byte bitmap and one sibling: the other withdrawal's leaf
  eq('withdraw proof: bitmap and one sibling', Buffer.from(withdraw?.withdraw?.proof ?? '', 'base64').length, 2 + 32);

  // The message boxes are editable: the validator's errors show.
  const good = await value('#msg-propose');
  const broken = { propose_batch: { ...propose.propose_batch, deposits_consumed: -1, extra: true } };
  await page.fill('#msg-propose', JSON.stringify(broken, null, 2));
  const brokenStatus = await text('#msg-propose-status');
  matches('an edited message shows the validator errors', brokenStatus, /^✗ invalid per schema/);
  check('... naming the field and the extra property', /deposits_consumed must be >= 0/.test(brokenStatus) && /extra/.test(brokenStatus), brokenStatus);
  await page.fill('#msg-propose', good);
  matches('restored message: valid per schema again', await text('#msg-propose-status'), /^✓ valid per schema/);

  // ------------------------------------------------ d. claims
  console.log('d. check a proof');
  const claimFromPage = JSON.parse(await text('#claim-json'));
  await page.click('#claim-to-checker');
  const verdict = async (claim) => {
    if (claim !== undefined) await page.fill('#claim-input', typeof claim === 'string' ? claim : JSON.stringify(claim, null, 2));
    await page.click('#claim-check');
    return { verdict: await text('#claim-verdict'), reason: await text('#claim-reason'), anchor: await text('#claim-anchor') };
  };
  let v = await verdict(undefined);
  eq("the page's own claim: VALID", v.verdict, 'VALID');
  matches("... anchored to the local node's batch", v.anchor, /is the local node's batch 0/);
  v = await verdict({ ...claimFromPage, amount: String(BigInt(claimFromPage.amount) + 1n) });
  eq('the amount raised by one: INVALID', v.verdict, 'INVALID');
  matches('... with the core reason', v.reason, /^merkle root mismatch: the proof gives [0-9a-f]{64}, expected [0-9a-f]{64}$/);
  const flipped = claimFromPage.stateRoot.slice(0, -1) + (claimFromPage.stateRoot.endsWith('0') ? '1' : '0');
  v = await verdict({ ...claimFromPage, stateRoot: flipped });
  eq('a tampered state root: INVALID', v.verdict, 'INVALID');
  eq('... with the core reason', v.reason, 'output preimage does not match the output root of batch 0');
  v = await verdict('{ "batch": 0 ');
  eq('unreadable JSON: UNREADABLE', v.verdict, 'UNREADABLE');
  const vectorClaim = R.batches[0].withdrawals[0];
  v = await verdict(vectorClaim);
  eq("a vectors' withdrawal (pasted as is): VALID", v.verdict, 'VALID');
  for (const n of [R.negativeClaims[1], R.negativeClaims[R.negativeClaims.length - 2]]) {
    const { error, description, ...claim } = n;
    v = await verdict(claim);
    check(`vectors' negative claim "${description}": INVALID with the recorded error`, v.verdict === 'INVALID' && v.reason === error, `${v.verdict}: ${v.reason}\nwant ${error}`);
  }
  v = await verdict(JSON.stringify(claimFromPage, null, 2));
  eq('the good claim again: VALID', v.verdict, 'VALID');

  // ------------------------------------------------ d. Merkle proofs
  console.log('d. Merkle proofs');
  const merkle = async () => {
    await page.click('#merkle-check');
    return { verdict: await text('#merkle-verdict'), reason: await text('#merkle-reason') };
  };
  const tamperLast = (s) => s.slice(0, -1) + (s.endsWith('0') ? '1' : '0');
  await page.selectOption('#merkle-mode', 'core');
  await page.click('#merkle-example');
  const leaf = await value('#merkle-leaf');
  await page.fill('#merkle-leaf', tamperLast(leaf));
  let m = await merkle();
  eq('core mode, tampered leaf: INVALID', m.verdict, 'INVALID');
  matches('... with the core reason', m.reason, /^merkle root mismatch: the proof gives [0-9a-f]{64}, expected [0-9a-f]{64}$/);
  const proof = JSON.parse(await value('#merkle-proof'));
  await page.fill('#merkle-leaf', leaf);
  await page.fill('#merkle-proof', JSON.stringify({ ...proof, siblings: proof.siblings.slice(1) }));
  m = await merkle();
  check('core mode, a sibling missing: INVALID with the count', m.verdict === 'INVALID' && /^merkle proof has \d+ sibling hashes, expected \d+$/.test(m.reason), `${m.verdict}: ${m.reason}`);
  await page.fill('#merkle-proof', JSON.stringify(proof, null, 2));
  m = await merkle();
  eq('core mode, the example proof: VALID', m.verdict, 'VALID');
  await page.selectOption('#merkle-mode', 'oz');
  await page.click('#merkle-example');
  const value0 = JSON.parse(await value('#merkle-leaf'));
  await page.fill('#merkle-leaf', JSON.stringify([value0[0], '1']));
  m = await merkle();
  eq('OpenZeppelin mode, another amount: INVALID', m.verdict, 'INVALID');
  await page.fill('#merkle-leaf', JSON.stringify(value0));
  m = await merkle();
  eq('OpenZeppelin mode, the example proof: VALID', m.verdict, 'VALID');

  // ------------------------------------------------ c/d. one-step fraud proofs
  console.log('c/d. one-step fraud proofs');
  // batch 0: open, the three deposits, the five transactions, close
  matches(
    "the proposed batch's steps are listed",
    await text('#prove-steps'),
    /^batch 0 has 10 steps .*: 0 open · 1 deposit 0 · 2 deposit 1 · 3 deposit 2 · 4 transaction step 0 · .* · 8 transaction step 4 · 9 close$/,
  );
  eq('the step control points at the proposed batch', await value('#prove-batch'), '0');
  const proveStep = async (step, batch = 0) => {
    await page.fill('#prove-step', String(step));
    await page.fill('#prove-batch', String(batch));
    await page.click('#prove-fill');
    return json('#step-input');
  };
  const stepVerdict = async (input) => {
    if (input !== undefined) await page.fill('#step-input', typeof input === 'string' ? input : JSON.stringify(input, null, 2));
    await page.click('#step-check');
    return { verdict: await text('#step-verdict'), reason: await text('#step-reason'), kind: await text('#step-kind'), witness: await text('#step-witness') };
  };
  const flipAt = (hex, i) => hex.slice(0, i) + (hex[i] === '0' ? '1' : '0') + hex.slice(i + 1);
  const preStateReason = (c) => new RegExp(`^the proof's pre-state gives root [0-9a-f]{64}, the agreed root is ${c.preRoot}$`);

  // a transfer step: transaction 0, #0 sends 250000 to #1
  const transferCase = await proveStep(4);
  eq('step 4 is transaction step 0', JSON.stringify(transferCase.kind), JSON.stringify({ kind: 'tx', index: 0 }));
  check(
    '... its case: the roots around the step, no deposit, the proof in hex',
    /^[0-9a-f]{64}$/.test(transferCase.preRoot) &&
      /^[0-9a-f]{64}$/.test(transferCase.postRoot) &&
      transferCase.preRoot !== transferCase.postRoot &&
      transferCase.deposit === null &&
      transferCase.domain === R.domain &&
      /^([0-9a-f]{2})+$/.test(transferCase.proof),
    JSON.stringify(transferCase).slice(0, 600),
  );
  let s = await stepVerdict();
  eq('the transfer step: VALID', s.verdict, 'VALID');
  eq('... a tx proof', s.kind, 'tx');
  check(
    '... witnessing the transfer and both accounts before it',
    /transfer #0 → #1, 250000, nonce 0/.test(s.witness) && /#0 \(balance 1250000, nonce 0\), #1 \(balance 500000, nonce 0\)/.test(s.witness),
    s.witness,
  );
  const proveMsg = await json('#msg-prove');
  matches('prove_step (step 4): valid per schema', await text('#msg-prove-status'), /^✓ valid per schema/);
  eq(
    'prove_step carries game 0, the step and the proof (base64)',
    JSON.stringify(proveMsg),
    JSON.stringify({ prove_step: { game: 0, step: 4, proof: Buffer.from(transferCase.proof, 'hex').toString('base64') } }),
  );
  matches('... and says the game id is a placeholder', await text('#msg-prove-note'), /game 0 is a placeholder/);
  const otherRoot = tamperLast(transferCase.postRoot);
  s = await stepVerdict({ ...transferCase, postRoot: otherRoot });
  eq('the transfer step, postRoot changed: INVALID', s.verdict, 'INVALID');
  eq('... the step yields the true root', s.reason, `step 4 yields root ${transferCase.postRoot}, not ${otherRoot}`);
  // the first digit of the pre-state's accounts root (after the kind byte)
  s = await stepVerdict({ ...transferCase, proof: flipAt(transferCase.proof, 2) });
  eq('the transfer step, one proof digit changed: INVALID', s.verdict, 'INVALID');
  matches('... with the core reason', s.reason, preStateReason(transferCase));

  // a deposit step: deposit 0 opens account #0 for the generated key
  const depositCase = await proveStep(1);
  eq('step 1 applies deposit 0', JSON.stringify(depositCase.kind), JSON.stringify({ kind: 'deposit', queueIndex: 0 }));
  check(
    '... its case carries the queue entry',
    depositCase.deposit?.index === 0 && depositCase.deposit?.to?.newAccount?.pubkey === myKey && depositCase.deposit?.amount === '1000000',
    JSON.stringify(depositCase.deposit),
  );
  s = await stepVerdict();
  eq('the deposit step: VALID', s.verdict, 'VALID');
  eq('... a deposit proof', s.kind, 'deposit');
  matches('... witnessing the empty slot of account #0', s.witness, /account #0 \(empty\)/);
  matches('prove_step (step 1): valid per schema', await text('#msg-prove-status'), /^✓ valid per schema/);
  eq('prove_step names step 1', (await json('#msg-prove'))?.prove_step?.step, 1);
  s = await stepVerdict({ ...depositCase, postRoot: transferCase.postRoot });
  eq('the deposit step, postRoot changed: INVALID', s.verdict, 'INVALID');
  eq('... the step yields the true root', s.reason, `step 1 yields root ${depositCase.postRoot}, not ${transferCase.postRoot}`);
  s = await stepVerdict({ ...depositCase, proof: flipAt(depositCase.proof, 2) });
  eq('the deposit step, one proof digit changed: INVALID', s.verdict, 'INVALID');
  matches('... with the core reason', s.reason, preStateReason(depositCase));
  s = await stepVerdict({ ...depositCase, deposit: null });
  eq('the deposit step without its deposit: INVALID', s.verdict, 'INVALID');
  eq('... with the core reason', s.reason, 'malformed one-step proof: the deposit of this step is missing');

  // pasted cases
  s = await stepVerdict('{ "step": 4, ');
  eq('unreadable JSON: UNREADABLE', s.verdict, 'UNREADABLE');
  const { postRoot: _dropped, ...noPost } = transferCase;
  s = await stepVerdict(noPost);
  check(
    'a case without postRoot: UNREADABLE, naming it and the root the step yields',
    s.verdict === 'UNREADABLE' && s.reason === `missing field(s): postRoot (step 4 yields root ${transferCase.postRoot})`,
    `${s.verdict}: ${s.reason}`,
  );
  const vectorCase = vectors.oneStep.cases.find((c) => c.kind.kind === 'tx');
  s = await stepVerdict(vectorCase);
  eq(`a vectors' case "${vectorCase.name}" (pasted as is): VALID`, s.verdict, 'VALID');
  const vectorNegative = vectors.oneStep.negative.find((n) => /one more unit/.test(n.name)) ?? vectors.oneStep.negative[0];
  s = await stepVerdict(vectorNegative);
  check(
    `vectors' negative case "${vectorNegative.name}": INVALID with the recorded error`,
    s.verdict === 'INVALID' && s.reason === vectorNegative.error,
    `${s.verdict}: ${s.reason}\nwant ${vectorNegative.error}`,
  );

  // the control refuses what the node cannot prove
  await proveStep(10);
  matches('step 10 of a 10-step batch is refused', await text('#prove-error'), /^no step 10: /);
  await proveStep(0, 1);
  matches('a batch the node has not proposed is refused', await text('#prove-error'), /^no such batch \(1\)/);
  await proveStep(4);
  check('the error is gone once the step exists', await page.locator('#prove-error').isHidden());
  s = await stepVerdict();
  eq('the transfer step again: VALID', s.verdict, 'VALID');

  check('no error in the page', pageErrors.length === 0, pageErrors.join('\n'));
  await page.screenshot({ path: join(shots, 'flow.png'), fullPage: true });
  console.log(`screenshot: ${relative(repo, join(shots, 'flow.png'))}`);


  // ------------------------------------------------ v. validity rollup
  console.log('v. validity rollup');
  await validityFlow(page, { text, value, rows, json });
  check('no error in the page after the validity flow', pageErrors.length === 0, pageErrors.join('\n'));
  await page.locator('#panel-zk').screenshot({ path: join(shots, 'validity.png') });
  console.log(`screenshot: ${relative(repo, join(shots, 'validity.png'))}`);

  // ------------------------------------------------ e. parity
  console.log('e. parity vectors');
  await page.goto(`${origin}/?parity`, { waitUntil: 'load' });
  await page.waitForURL(/\/parity\.html$/, { timeout: STEP_TIMEOUT_MS });
  check('?parity opens the parity page', page.url().endsWith('/parity.html'), page.url());
  await page.waitForSelector('body[data-done="true"]', { timeout: 90_000 });
  const summary = await text('#parity-result');
  const [, n, f] = summary.match(/^(\d+) passed, (\d+) failed$/) ?? [];
  check('the parity page shows "N passed, M failed"', n !== undefined, summary);
  eq('parity: no vector fails in Chromium', Number(f), 0);
  check(`parity: at least ${PARITY_FLOOR} checks pass`, Number(n) >= PARITY_FLOOR, `${n} passed`);
  if (Number(f) > 0) console.log((await page.locator('#parity-failures').innerText()).slice(0, 4000));
  console.log(`parity in Chromium: ${summary}; ${await text('#parity-skipped')}`);
  await page.screenshot({ path: join(shots, 'parity.png'), fullPage: true });

  check('no request left the machine', outside.length === 0, outside.join('\n'));
  check('no error in the pages', pageErrors.length === 0, pageErrors.join('\n'));
}

// ---------------------------------------------------------------- v. the validity rollup

/** Panel v: keys, deposits, transactions, batches, a proof made in the page's worker, checks, exodus. */
async function validityFlow(page, { text, value, rows, json }) {
  const flip = (hex, i) => hex.slice(0, i) + (hex[i] === '0' ? '1' : '0') + hex.slice(i + 1);

  // ---- v1. domain
  const chainId = await value('#zk-chain-id');
  const contract = await value('#zk-contract');
  eq('v1: the default domain is rollupDomain(chain id, contract) (Node)', await text('#zk-domain'), node.rollupDomain(chainId, contract));
  await page.fill('#zk-contract', 'cosmwasm1notanaddress');
  await page.click('#zk-apply');
  matches('v1: a bad contract address is refused', await text('#zk-settings-error'), /^contract address: /);
  if (V) {
    await page.fill('#zk-chain-id', V.chainId);
    await page.fill('#zk-contract', V.contract);
  } else {
    await page.fill('#zk-contract', contract);
  }
  await page.click('#zk-apply');
  check('v1: the error is gone once the address is good', await page.locator('#zk-settings-error').isHidden());
  if (V) eq("v1: the domain of the vectors' validity deployment", await text('#zk-domain'), V.domain);
  const domain = await text('#zk-domain');

  // ---- v7 (key list): the build carries a proving key, or the page says how to make one
  await page.waitForSelector('body[data-zk-keys]');
  const keyCount = Number(await page.getAttribute('body', 'data-zk-keys'));
  if (!check('v7: the build lists a proving key (web/dist/zk/keys.json)', keyCount > 0, `none: ${await text('#zk-pk-status')}`)) {
    matches('v7: ... and the page says how to make one', await text('#zk-pk-status'), /cargo xtask zk-setup --deposits 1 --txs 1/);
    return;
  }
  const manifest = JSON.parse(readFileSync(join(dist, 'zk', 'keys.json'), 'utf8'));
  const entry = manifest.keys.find((k) => k.shape.deposits === 1 && k.shape.txs === 1);
  check('v7: ... of shape 1x1 (zk/1x1.pk)', entry?.file === 'zk/1x1.pk', JSON.stringify(manifest.keys.map((k) => k.file)));
  matches('v1: batches are built for the key\'s shape', await text('#zk-shape'), /^1 deposit and 1 transaction per batch/);

  // ---- v2. keys
  await page.click('#zk-key-generate');
  const alice = await text('#zk-key-public');
  matches('v2: a generated Jubjub key (x || y, 64 bytes)', alice, /^[0-9a-f]{128}$/);
  await page.fill('#zk-seed', '01'.repeat(31));
  await page.click('#zk-key-seed');
  eq('v2: a 31-byte seed is refused', await text('#zk-key-error'), 'seed: expected 32 bytes for seed, got 31');
  const seed = V?.users?.[1]?.zkSeed ?? '42'.repeat(32);
  await page.fill('#zk-seed', seed);
  await page.click('#zk-key-seed');
  const bob = await text('#zk-key-public');
  eq('v2: the key derived from a seed is ZkKey.fromSeed(seed) (Node)', bob, node.ZkKey.fromSeed(seed).publicKey);
  if (V?.users?.[1]?.zkPublicKey) eq("v2: ... and the vectors' key for that seed", bob, V.users[1].zkPublicKey);
  eq('v2: two keys are listed', await rows('#zk-key-table'), 2);

  // ---- v3. deposits
  const deposit = async (keyIndex, amount) => {
    await page.selectOption('#zk-deposit-kind', 'new');
    await page.selectOption('#zk-deposit-key', String(keyIndex));
    await page.fill('#zk-deposit-amount', amount);
    await page.click('#zk-deposit-add');
    return { msg: await json('#zkmsg-deposit'), status: await text('#zkmsg-deposit-status') };
  };
  let d = await deposit(0, '1000000');
  eq('v3: deposit 0 opens an account for the generated key', JSON.stringify(d.msg), JSON.stringify({ deposit: { target: { new_account: { pubkey: b64(alice) } } } }));
  matches('v3: ... valid per the validity-rollup schema', d.status, /^✓ valid per schema \(schema\/validity-rollup\/raw\/execute\.json\)/);
  d = await deposit(1, '500000');
  eq('v3: deposit 1 opens an account for the seed key', d.msg?.deposit?.target?.new_account?.pubkey, b64(bob));
  matches('v3: ... valid per schema', d.status, /^✓ valid per schema/);
  await page.selectOption('#zk-deposit-kind', 'account');
  await page.fill('#zk-deposit-account', '7');
  await page.fill('#zk-deposit-amount', '5');
  await page.click('#zk-deposit-add');
  matches('v3: a deposit to an account that will not exist is refused', await text('#zk-deposit-error'), /^there is no account #7/);
  await page.selectOption('#zk-deposit-kind', 'new');
  await page.fill('#zk-deposit-amount', '0');
  await page.click('#zk-deposit-add');
  matches('v3: a zero deposit is refused', await text('#zk-deposit-error'), /amount: expected a positive integer/);
  eq('v3: the queue holds two deposits', await rows('#zk-deposit-table'), 2);
  eq('v4: two accounts are opened by queued deposits', await page.locator('#zk-account-table tbody tr', { hasText: 'opened by a queued deposit' }).count(), 2);

  // ---- v5/v6. a transfer, batches of shape 1x1
  await page.fill('#zk-tx-from', '0');
  await page.fill('#zk-tx-to', '1');
  await page.fill('#zk-tx-amount', '250000');
  await page.click('#zk-tx-transfer');
  const pending = await page.locator('#zk-tx-table tbody tr td').allTextContents();
  eq('v5: the transfer is signed (#0 → #1, nonce 0, by the generated key)', pending.slice(1, 7).join('|'), 'transfer|#0|#1|250000|0|key 1 (generated)');
  await page.click('#zk-batch-build');
  matches(
    'v6: batch 0 takes deposit 0; the transfer to #1 waits, with the core reason',
    await text('#zk-batch-note'),
    /^batch 0: 1 deposit\(s\), 0 transaction\(s\), \d+ bytes of data\n1 signed transaction\(s\) wait for a later batch: malformed batch: transaction 0: /,
  );
  await page.click('#zk-batch-build');
  matches('v6: batch 1 takes deposit 1 and the transfer', await text('#zk-batch-note'), /^batch 1: 1 deposit\(s\), 1 transaction\(s\), \d+ bytes of data$/);
  await page.fill('#zk-wd-from', '1');
  await page.fill('#zk-wd-recipient', DAVE.address);
  await page.fill('#zk-wd-amount', '100000');
  await page.click('#zk-tx-withdraw');
  await page.click('#zk-batch-build');
  matches('v6: batch 2 takes the withdrawal', await text('#zk-batch-note'), /^batch 2: 0 deposit\(s\), 1 transaction\(s\)/);
  eq('v6: three batches built', await rows('#zk-batch-table'), 3);
  const batchCells = await page.locator('#zk-batch-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent.trim())),
  );
  eq('v6: batch 2 pays the withdrawal at once', batchCells[2][7], `100000 to ${node.canonicalAddress(DAVE.address).slice(0, 4)}…${node.canonicalAddress(DAVE.address).slice(-4)}`);
  const zkAccounts = await page.locator('#zk-account-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent.trim())),
  );
  // #0: 1,000,000 - 250,000; #1: 500,000 + 250,000 - 100,000
  eq('v4: balances and nonces after the batches', zkAccounts.map((a) => `${a[0]}:${a[3]}:${a[4]}`).join(' '), '0:750000:1 1:650000:1');

  // ---- v7. prove batch 1 (a deposit and the transfer) in the Web Worker
  await page.fill('#zk-prove-batch', '1');
  await page.click('#zk-prove');
  await page.waitForSelector('#zk-prove-status[data-state="proving"]', { timeout: 120_000 });
  matches('v7: the proving key was downloaded and loaded in the worker', await text('#zk-pk-status'), /^loaded in the worker: zk\/1x1\.pk \(26\.\d MB\)/);
  // The page answers while the worker proves.
  const elapsed0 = await text('#zk-prove-elapsed');
  let started = Date.now();
  await page.click('#zk-key-generate');
  const keysWhileProving = await rows('#zk-key-table');
  const answered = Date.now() - started;
  check(`v7: the page stays responsive while proving (a click answered in ${answered} ms)`, keysWhileProving === 3 && answered < 5_000, `${keysWhileProving} keys, ${answered} ms`);
  await page.waitForTimeout(1_200);
  const elapsed1 = await text('#zk-prove-elapsed');
  check('v7: ... its elapsed time keeps ticking', elapsed0 !== elapsed1 && /elapsed/.test(elapsed1), `${elapsed0} → ${elapsed1}`);
  started = Date.now();
  await page.waitForSelector('#zk-prove-status[data-state="done"], #zk-prove-status[data-state="error"]', { timeout: PROVE_TIMEOUT_MS });
  const waited = ((Date.now() - started) / 1000).toFixed(1);
  const status = await text('#zk-prove-status');
  if (!eq('v7: the proof is made', await page.getAttribute('#zk-prove-status', 'data-state'), 'done')) {
    console.log(`       ${status}\n       ${await text('#zk-prove-error')}`);
    return;
  }
  const proveMs = Number(await page.getAttribute('#zk-prove-status', 'data-prove-ms'));
  console.log(`  in-browser proving of a 1x1 batch (Chromium, Web Worker, single-threaded wasm): ${(proveMs / 1000).toFixed(1)} s (waited ${waited} s after the key loaded)`);
  matches('v7: the status says where and how long', status, /^batch 1 proved in \d+\.\d s in the Web Worker; verified here in \d+ ms$/);
  eq('v7: every stage is done', await page.locator('#zk-stages li.done').count(), 7);
  matches('v7: synthesizing reports the batch (onProgress)', await text('#zk-stage-synthesizing'), /^1 deposit\(s\), 1 transaction\(s\) · \d+\.\d s$/);
  const constraints = Number(((await text('#zk-stage-proving')).match(/^([\d,]+) constraints/)?.[1] ?? '0').replace(/,/g, ''));
  check('v7: proving reports the constraint count (onProgress)', constraints > 40_000, `${constraints}`);
  eq('v7: verifyGroth16 against the prover\'s verifying key: VALID', await text('#zk-verdict'), 'VALID');
  const proof = await text('#zk-proof');
  const publicInput = await text('#zk-public-input');
  const vk = await text('#zk-vk');
  matches('v7: a 192-byte proof', proof, /^[0-9a-f]{384}$/);
  if (entry.verifyingKey) eq("v7: the prover's verifying key is the setup's (verifying-key.hex)", vk, entry.verifyingKey);
  eq('v7: the browser\'s proof verifies under Node too (verifyGroth16)', JSON.stringify(node.verifyGroth16(vk, proof, [publicInput])), JSON.stringify({ valid: true }));
  matches('v7: the batch table says VALID', (await page.locator('#zk-batch-table tbody tr').nth(1).locator('td').last().textContent()).trim(), /^VALID \(\d+\.\d s\)$/);

  // ---- v7. the contract's messages
  const submit = await json('#zkmsg-submit');
  matches('v7: submit_batch valid per the validity-rollup schema', await text('#zkmsg-submit-status'), /^✓ valid per schema \(schema\/validity-rollup\/raw\/execute\.json\)/);
  check(
    'v7: submit_batch carries the proof, one deposit and two accounts',
    submit?.submit_batch?.proof === b64(proof) && submit.submit_batch.deposits_consumed === 1 && submit.submit_batch.new_account_count === 2 && /^[0-9a-f]{64}$/.test(unb64(submit.submit_batch.new_accounts_root)),
    JSON.stringify(submit).slice(0, 400),
  );
  const checkBatch = await json('#zkmsg-check');
  matches('v7: check_batch valid per the query schema', await text('#zkmsg-check-status'), /^✓ valid per schema \(schema\/validity-rollup\/raw\/query\.json\)/);
  eq('v7: check_batch asks about the same batch', JSON.stringify(checkBatch), JSON.stringify({ check_batch: submit.submit_batch }));
  eq('v7: verify_proof query', JSON.stringify(await json('#zkmsg-verify')), JSON.stringify({ verify_proof: { proof: b64(proof), public_inputs: [b64(publicInput)] } }));
  const goodSubmit = await value('#zkmsg-submit');
  await page.fill('#zkmsg-submit', JSON.stringify({ submit_batch: { ...submit.submit_batch, deposits_consumed: -1 } }));
  matches('v7: an edited submit_batch shows the validator errors', await text('#zkmsg-submit-status'), /^✗ invalid per schema[\s\S]*\/submit_batch\/deposits_consumed must be >= 0/);
  await page.fill('#zkmsg-submit', goodSubmit);
  matches('v7: restored: valid per schema again', await text('#zkmsg-submit-status'), /^✓ valid per schema/);

  // ---- v8. check pasted proofs
  const verdict = async (fields) => {
    for (const [id, v] of Object.entries(fields ?? {})) await page.fill(id, v);
    await page.click('#zk-check');
    return { verdict: await text('#zk-check-verdict'), reason: await text('#zk-check-reason') };
  };
  await page.click('#zk-check-fill');
  let c = await verdict();
  eq('v8: the proven batch, pasted: VALID', c.verdict, 'VALID');
  // a digit in the middle of C (bytes 144..191; not its flag byte)
  const badProof = flip(proof, 300);
  c = await verdict({ '#zk-check-proof': badProof });
  const nodeReason = node.verifyGroth16(vk, badProof, [publicInput]).reason;
  check('v8: a tampered proof: INVALID with the core\'s reason (as Node\'s verifyGroth16 gives it)', c.verdict === 'INVALID' && c.reason === nodeReason, `${c.verdict}: ${c.reason}\nNode: ${nodeReason}`);
  matches('v8: ... naming the point', c.reason, /^proof point c is not a valid point/);
  c = await verdict({ '#zk-check-proof': proof, '#zk-check-inputs': flip(publicInput, 63) });
  check('v8: the proof for another input: INVALID, the pairing does not hold', c.verdict === 'INVALID' && c.reason === 'groth16 proof rejected: the pairing equation does not hold', `${c.verdict}: ${c.reason}`);
  c = await verdict({ '#zk-check-inputs': JSON.stringify([publicInput, publicInput]) });
  check('v8: two inputs for a one-input key: INVALID with the count', c.verdict === 'INVALID' && c.reason === node.verifyGroth16(vk, proof, [publicInput, publicInput]).reason, `${c.verdict}: ${c.reason}`);
  c = await verdict({ '#zk-check-proof': 'zz' });
  eq('v8: a proof that is not hex: UNREADABLE', c.verdict, 'UNREADABLE');
  c = await verdict({ '#zk-check-vk': snarkjsFixture('vk.json'), '#zk-check-proof': snarkjsFixture('proof.json'), '#zk-check-inputs': snarkjsFixture('public.json') });
  eq("v8: snarkjs's fixture (JSON as snarkjs writes it): VALID", c.verdict, 'VALID');
  const vectorCheck = V?.proofChecks?.find((p) => !p.valid);
  if (vectorCheck) {
    c = await verdict({ '#zk-check-vk': V.verifyingKey, '#zk-check-proof': vectorCheck.proof, '#zk-check-inputs': vectorCheck.publicInputs.join('\n') });
    check(`v8: vectors' "${vectorCheck.name}": INVALID with the recorded error`, c.verdict === 'INVALID' && c.reason === vectorCheck.error, `${c.verdict}: ${c.reason}\nwant ${vectorCheck.error}`);
  }

  // ---- v9. exodus
  await page.selectOption('#zk-exit-key', { index: 1 });
  eq('v9: the exit is proven against the last batch proven here', await value('#zk-exit-batch'), '1');
  const ALICE = R.users.find((u) => u.label === 'alice');
  await page.fill('#zk-exit-recipient', ALICE.address);
  await page.click('#zk-exit-build');
  const exit = (await json('#zkmsg-exit'))?.exodus_withdraw;
  matches('v9: exodus_withdraw valid per schema', await text('#zkmsg-exit-status'), /^✓ valid per schema/);
  eq('v9: the seed key\'s account after batch 1 (#1, 750000, nonce 0)', `${exit?.account}:${exit?.balance}:${exit?.nonce}:${exit?.pubkey === b64(bob)}`, '1:750000:0:true');
  check('v9: a Merkle path of 20 siblings, the recipient as given', exit?.path?.length === 20 && exit.recipient === ALICE.address, JSON.stringify(exit).slice(0, 300));
  const exitMessage = node.exitMessage(domain, exit.account, node.canonicalAddress(ALICE.address));
  eq('v9: the key\'s signature on the exit message (Node zkVerify)', JSON.stringify(node.zkVerify(bob, exitMessage, unb64(exit.signature))), JSON.stringify({ valid: true }));
  matches('v9: ... and the page says so', await text('#zk-exit-check'), /^✓ the signature is the key's/);

  // An L1 exit request of the same account (V1): signed at sequence 0, queued after the
  // deposits, what the contract's schema takes.
  await page.click('#zk-exit-request');
  const request = (await json('#zkmsg-request'))?.request_exit;
  matches('v9: request_exit valid per schema', await text('#zkmsg-request-status'), /^✓ valid per schema/);
  eq('v9: the request names the account and the recipient', `${request?.account}:${request?.recipient}`, `1:${ALICE.address}`);
  const requestMessage = node.exitRequestMessage(domain, 1, node.canonicalAddress(ALICE.address), 0);
  eq('v9: the key\'s signature on the exit request message at sequence 0 (Node zkVerify)', JSON.stringify(node.zkVerify(bob, requestMessage, unb64(request?.signature))), JSON.stringify({ valid: true }));
  check('v9: ... not the exodus signature (another message)', request?.signature !== exit.signature, request?.signature);
  matches('v9: ... and the page says so', await text('#zk-exit-check'), /^✓ the signature is the key's on exitRequestMessage/);
}

let code = 0;
try {
  await main();
} catch (e) {
  failed++;
  console.error(`e2e: ${e?.stack ?? e}`);
} finally {
  await cleanup();
  clearTimeout(watchdog);
  code = failed === 0 ? 0 : 1;
}
finish(code);
