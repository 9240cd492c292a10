// One flow of each contract on a running wasmd network, as a dApp does it: CosmJS signs,
// the generated clients (../src) send and query, @settle/wasm (its Node build) builds the
// proof payloads and the contracts' messages. Nothing here declares a message type: the
// messages @settle/wasm returns are typed by the generated clients' types, and assigning
// them to those types below is checked by tsc.
//
// `cargo xtask e2e` (xtask/src/e2e/clients.rs) compiles this file with tsc and runs it with,
// in the environment:
//   SETTLE_RPC            the node's CometBFT RPC
//   SETTLE_PREFIX         the chain's bech32 prefix
//   SETTLE_GAS_PRICE      e.g. "0.025stake"
//   SETTLE_KEY_A/B        two funded accounts' secp256k1 secret keys (hex)
//   SETTLE_DENOM          the coin deposits, channels and bonds use
//   SETTLE_CODES          {"optimistic-rollup": id, "payment-channels": id, "validity-rollup": id}
//   SETTLE_OR_INIT        the optimistic rollup's instantiate message (JSON)
//   SETTLE_VALIDITY_INIT  the validity rollup's instantiate message (JSON); its verifying
//                         key and shape are replaced by the wasm prover's
//   SETTLE_WASM_PKG       the path of @settle/wasm's Node build (settle_wasm.js)
// Prints one line per flow and exits non-zero on the first failure.

import { strict as assert } from "node:assert";
import { SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate";
import { fromBase64, fromHex, toBase64, toHex } from "@cosmjs/encoding";
import { DirectSecp256k1Wallet } from "@cosmjs/proto-signing";
import { GasPrice } from "@cosmjs/stargate";
import { OptimisticRollupClient } from "../src/OptimisticRollup.client";
import type {
  ExecuteMsg as RollupExecuteMsg,
  InstantiateMsg as RollupInit,
} from "../src/OptimisticRollup.types";
import { PaymentChannelsClient } from "../src/PaymentChannels.client";
import type {
  CloseCheckResponse,
  ExecuteMsg as ChannelsExecuteMsg,
  InstantiateMsg as ChannelsInit,
  QueryMsg as ChannelsQueryMsg,
} from "../src/PaymentChannels.types";
import { ValidityRollupClient } from "../src/ValidityRollup.client";
import type {
  ExecuteMsg as ValidityExecuteMsg,
  InstantiateMsg as ValidityInit,
} from "../src/ValidityRollup.types";
import type * as Wasm from "../../packages/wasm/pkg/node/settle_wasm";

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const wasm: typeof Wasm = require(env("SETTLE_WASM_PKG"));
const denom = env("SETTLE_DENOM");
const codes: Record<string, number> = JSON.parse(env("SETTLE_CODES"));

/** Bytes the contracts answer in (`Binary`, base64) as the hex @settle/wasm reads. */
const hexOf = (base64: string): string => toHex(fromBase64(base64));
/** An address's canonical bytes (hex), as the contracts and the L2 transactions use them. */
const canonical = (address: string): string => wasm.canonicalAddress(address);

interface Party {
  address: string;
  client: SigningCosmWasmClient;
}

async function party(secretHex: string): Promise<Party> {
  const wallet = await DirectSecp256k1Wallet.fromKey(fromHex(secretHex), env("SETTLE_PREFIX"));
  const [account] = await wallet.getAccounts();
  const client = await SigningCosmWasmClient.connectWithSigner(env("SETTLE_RPC"), wallet, {
    gasPrice: GasPrice.fromString(env("SETTLE_GAS_PRICE")),
  });
  return { address: account.address, client };
}

async function balance(p: Party, address: string): Promise<bigint> {
  return BigInt((await p.client.getBalance(address, denom)).amount);
}

/** Deposits into two L2 accounts, an L2 transfer and a withdrawal signed in wasm, the
 *  batch built by @settle/wasm's RollupNode and posted: the contract's batch and
 *  withdrawal answers agree with the node's. */
async function optimisticRollup(a: Party): Promise<string> {
  const init: RollupInit = JSON.parse(env("SETTLE_OR_INIT"));
  const { contractAddress } = await a.client.instantiate(
    a.address,
    codes["optimistic-rollup"],
    init,
    "clients test: optimistic rollup",
    "auto",
  );
  const rollup = new OptimisticRollupClient(a.client, a.address, contractAddress);
  const domain = hexOf((await rollup.config()).domain);
  await rollup.bond("auto", undefined, [{ denom: init.bond_denom, amount: init.proposer_bond }]);

  const node = new wasm.RollupNode(domain);
  const [alice, bob] = [wasm.L2Key.generate(), wasm.L2Key.generate()];
  for (const [i, key] of [alice, bob].entries()) {
    // The generated client's method takes the message's body; @settle/wasm built it.
    const msg: RollupExecuteMsg = wasm.depositMsg({ newAccount: { pubkey: key.publicKey } });
    assert.ok("deposit" in msg);
    await rollup.deposit(msg.deposit, "auto", undefined, [{ denom, amount: "1000000" }]);
    const queued = await rollup.queuedDeposit({ deposit: i });
    assert.equal(queued.amount, "1000000");
    assert.equal(queued.depositor, a.address);
    node.observeDeposit({
      index: i,
      to: { newAccount: { pubkey: key.publicKey } },
      amount: "1000000",
      refundTo: canonical(a.address),
    });
  }
  const transfer = wasm.signTransfer(alice, domain, { from: 0, to: 1, amount: "250000", nonce: "0" });
  const withdrawal = wasm.signWithdrawal(bob, domain, {
    from: 1,
    recipient: canonical(a.address),
    amount: "400000",
    nonce: "0",
  });
  const proposal = node.propose(wasm.encodeBatch([transfer, withdrawal]));
  assert.deepEqual(
    node.batchEffects(0).map((e) => e.applied),
    [true, true],
    "the transfer and the withdrawal apply (after the two deposits)",
  );
  const post: RollupExecuteMsg = wasm.proposeBatchMsg(proposal);
  const posted = await a.client.execute(a.address, contractAddress, post, "auto");
  const batch = await rollup.batch({ batch: 0 });
  assert.equal(hexOf(batch.output_root), proposal.outputRoot.replace(/^0x/, ""));
  assert.equal(batch.status, "proposed");
  // The withdrawal proof from the node checks against what the contract stored.
  const proof = node.withdrawalProof(0, 0);
  assert.deepEqual(wasm.verifyWithdrawal(batch, proof), { valid: true });
  assert.deepEqual(wasm.verifyWithdrawal(batch, { ...proof, amount: "400001" }).valid, false);
  const status = await rollup.withdrawalStatus({ batch: 0, index: 0 });
  assert.ok("not_yet_provable" in status.status, JSON.stringify(status));
  const solvency = await rollup.solvency();
  const held = await balance(a, contractAddress);
  assert.ok(solvency.denoms.some((d) => d.denom === denom && BigInt(d.held) === held));
  return `2 deposits, a transfer and a withdrawal in batch 0 (height ${posted.height}, gas ${posted.gasUsed}); the contract's root and withdrawal proof agree with the wasm node`;
}

/** Open (A) and join (B) with keys and signatures from @settle/wasm, the contract's
 *  dry run of a close, a cooperative close paying each side its balance. */
async function paymentChannels(a: Party, b: Party): Promise<string> {
  const init: ChannelsInit = { max_dispute_window: 3_600, watchtower_fee_bps: 1_000 };
  const { contractAddress } = await a.client.instantiate(
    a.address,
    codes["payment-channels"],
    init,
    "clients test: payment channels",
    "auto",
  );
  const asA = new PaymentChannelsClient(a.client, a.address, contractAddress);
  const asB = new PaymentChannelsClient(b.client, b.address, contractAddress);
  const domain = hexOf((await asA.config()).domain);
  const [ka, kb] = [wasm.L2Key.generate(), wasm.L2Key.generate()];
  const open: ChannelsExecuteMsg = wasm.openChannelMsg({
    counterparty: b.address,
    pubkeyA: ka.publicKey,
    pubkeyB: kb.publicKey,
    disputeWindow: 60,
    joinWindow: 600,
  });
  await a.client.execute(a.address, contractAddress, open, "auto", undefined, [{ denom, amount: "1000" }]);
  const channel = (await asA.channels({})).channels.at(-1)!.channel;
  const joinSig = wasm.signChannelJoin(kb, {
    domain,
    channelId: channel,
    counterparty: b.address,
    pubkeyA: ka.publicKey,
    pubkeyB: kb.publicKey,
  });
  const join: ChannelsExecuteMsg = wasm.joinChannelMsg(channel, joinSig);
  await b.client.execute(b.address, contractAddress, join, "auto", undefined, [{ denom, amount: "500" }]);

  const state: Wasm.ChannelStateInput = {
    channelId: channel,
    version: "1",
    funded: ["1000", "500"],
    balances: ["700", "800"],
    htlcs: [],
    isFinal: true,
  };
  const signed = wasm.signedState(
    state,
    wasm.signChannelState(ka, domain, state),
    wasm.signChannelState(kb, domain, state),
  );
  const check: ChannelsQueryMsg = wasm.checkCloseQuery(channel, b.address, signed, undefined);
  const dryRun: CloseCheckResponse = await a.client.queryContractSmart(contractAddress, check);
  assert.ok(dryRun.valid, JSON.stringify(dryRun));

  const before = await balance(a, a.address);
  // B sends it (and pays the fee): A's balance moves by its payout alone.
  await asB.cooperativeClose({ channel, signed });
  assert.equal((await balance(a, a.address)) - before, 700n);
  assert.equal(await balance(a, contractAddress), 0n);
  return `channel ${channel} opened, joined and closed cooperatively: A paid 700, B 800, the contract holds 0`;
}

/** A deposit through the generated client, the batch built by @settle/wasm's ZkLedger and
 *  proven in wasm (Groth16 over BLS12-381), verified by the contract with the chain's
 *  pairing; the withdrawal it credits claimed by B. */
async function validityRollup(a: Party, b: Party, prover: Wasm.ZkProver): Promise<string> {
  const shape = prover.shape;
  const init: ValidityInit = {
    ...JSON.parse(env("SETTLE_VALIDITY_INIT")),
    denom,
    shape,
    verifying_key: toBase64(fromHex(prover.verifyingKey)),
  };
  const { contractAddress } = await a.client.instantiate(
    a.address,
    codes["validity-rollup"],
    init,
    "clients test: validity rollup",
    "auto",
  );
  const rollup = new ValidityRollupClient(a.client, a.address, contractAddress);
  const asB = new ValidityRollupClient(b.client, b.address, contractAddress);
  const domain = hexOf((await rollup.config()).domain);
  const key = wasm.ZkKey.generate();
  const deposit: ValidityExecuteMsg = wasm.validityDepositMsg({ newAccount: { pubkey: key.publicKey } });
  assert.ok("deposit" in deposit);
  const head = hexOf((await rollup.status()).deposit_head);
  await rollup.deposit(deposit.deposit, "auto", undefined, [{ denom, amount: "5000" }]);
  assert.equal((await rollup.queuedDeposit({ deposit: 0 })).amount, "5000");

  const ledger = new wasm.ZkLedger();
  const withdrawal = ledger.signWithdrawal(key, domain, {
    from: 0,
    recipient: canonical(b.address),
    amount: "1200",
  });
  const batch = ledger.applyBatch(
    shape,
    domain,
    head,
    [{ target: { newAccount: { pubkey: key.publicKey } }, amount: "5000" }],
    [withdrawal],
  );
  const started = performance.now();
  const proof = prover.prove(batch.witness);
  const proveSeconds = (performance.now() - started) / 1000;
  await idleConnectionsClose();
  const submit: ValidityExecuteMsg = wasm.submitBatchMsg({ ...batch, proof });
  const submitted = await a.client.execute(a.address, contractAddress, submit, "auto");
  const status = await rollup.status();
  assert.equal(status.batches, 1);
  assert.equal(hexOf(status.state_root), batch.statement.newStateRoot.replace(/^0x/, ""));

  assert.equal((await rollup.credit({ address: b.address })).amount, "1200");
  const held = await balance(a, contractAddress);
  await asB.claim();
  assert.equal(held - (await balance(a, contractAddress)), 1200n);
  assert.equal((await rollup.credit({ address: b.address })).amount, "0");
  return (
    `a deposit, a batch proven in wasm (proof ${proveSeconds.toFixed(1)} s) ` +
    `and verified on chain (gas ${submitted.gasUsed}); B claimed the 1200 it credited`
  );
}

/** Proving blocks Node's event loop for seconds; meanwhile the node may close the idle
 *  keep-alive connection. Let the loop see that before the next request reuses it. */
async function idleConnectionsClose(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 250));
}

async function main(): Promise<void> {
  // The validity rollup's keys first (a test setup of the 1x1 circuit, seconds of work
  // that would block the connections below).
  const started = performance.now();
  const prover = wasm.zkSetup({ deposits: 1, txs: 1 }, toHex(crypto.getRandomValues(new Uint8Array(32))));
  console.log(`zk setup of the 1x1 circuit in wasm: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const a = await party(env("SETTLE_KEY_A"));
  const b = await party(env("SETTLE_KEY_B"));
  const flows: [string, () => Promise<string>][] = [
    ["optimistic-rollup", () => optimisticRollup(a)],
    ["payment-channels", () => paymentChannels(a, b)],
    ["validity-rollup", () => validityRollup(a, b, prover)],
  ];
  for (const [name, flow] of flows) {
    const said = await flow();
    console.log(`ok    ${name}: ${said}`);
  }
  console.log(`clients: ${flows.length} flows passed`);
}

main().catch((e) => {
  console.error(`FAIL  ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
