//! # settle-wasm
//!
//! The browser (and Node) face of `settle-core`: a dApp builds and checks exactly the
//! keys, signatures, batches, Merkle proofs, withdrawal proofs and contract messages the
//! optimistic-rollup contract accepts, because the same core made both.
//!
//! A thin crate in the manner of ruff's `ruff_wasm`: every exported function converts its
//! arguments ([`convert`]), calls the core, and converts the result back. Errors are JS
//! `Error`s carrying the core's message. There is no protocol logic here.
//!
//! - [`tx`]: `domain`, `L2Key`, `signTransfer`, `signWithdrawal`, `decodeTx`,
//!   `encodeBatch`, `splitSteps`, `dataRoot`, `signingHash`, `canonicalAddress`,
//!   `humanAddress`.
//! - [`hash`]: `keccak256`, `hashNode`, `tags`.
//! - [`merkle`]: `MerkleTree`, `hashLeaf`, `merkleVerify`/`merkleCheck` (and `*Many`).
//! - [`sparse`]: `sparseComputeRoot`, `sparseVerify`/`sparseCheck`,
//!   `sparseProofFromBytes`/`sparseProofToBytes`, `sparseWitnessRoot`,
//!   `sparseVerifyMany`/`sparseCheckMany`, `defaultNode`.
//! - [`oz`]: `StandardMerkleTree` (OpenZeppelin), `ozVerify`, `ozVerifyMultiProof`.
//! - [`node`]: `RollupNode` (deposit mirror, batches, account and withdrawal proofs,
//!   `batchTrace`, `rollBack`), `encodeDeposit`, `depositChain`.
//! - [`dispute`]: fraud proofs: `BatchTrace` (true roots, one-step proofs, `nextMove`),
//!   `oneStep`, `decodeOneStepProof`, `genesisRoot`.
//! - [`msg`]: `depositMsg`, `proposeBatchMsg`, `withdrawMsg`, `verifyWithdrawal`, and the
//!   game's `challengeMsg`, `bisectMsg`, `chooseMsg`, `proveStepMsg`, `resolveGameMsg`,
//!   `claimMsg`, `checkMoveQuery`.
//! - [`channel`]: payment channels: `channelDomain`, `encodeChannelState`,
//!   `decodeChannelState`, `channelSigningHash`, `signChannelState`, `verifyChannelState`,
//!   `paymentHash`, `channelPayout`, `signedState`, the payment-channels contract's
//!   `openChannelMsg`, `fundChannelMsg`, `cooperativeCloseMsg`, `closeChannelMsg`,
//!   `disputeChannelMsg`, `settleChannelMsg`, `revealPreimageMsg`, `settleHtlcMsg` and
//!   `checkCloseQuery`.
//! - [`validity`]: the validity (zk) rollup: `ZkKey` (Jubjub), `zkVerify`, `rollupDomain`,
//!   `exitMessage`, `ZkLedger` (deposits, signed transactions, `applyBatch`), `ZkProver`
//!   (Groth16, settle-zk) and the test-only `zkSetup`, `verifyGroth16`, the snarkjs
//!   conversions (`snarkjsVerifyingKey`, `snarkjsProof`, `snarkjsPublicInputs`), and the
//!   validity-rollup contract's `validityDepositMsg`, `submitBatchMsg`,
//!   `exodusWithdrawMsg`, `reclaimDepositMsg`, `checkBatchQuery`, `verifyProofQuery`.
#![forbid(unsafe_code)]

pub mod channel;
pub mod convert;
pub mod dispute;
pub mod hash;
pub mod merkle;
pub mod msg;
pub mod node;
pub mod oz;
pub mod sparse;
pub mod tx;
pub mod validity;

pub use convert::{Failure, JsResult};

use wasm_bindgen::prelude::*;

/// The shapes of the plain objects the functions take and return (serde on the Rust
/// side; see `convert` for the conventions).
#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
// The contracts' messages are the generated clients' types (@settle/clients, made by
// ts-codegen from schema/): this package builds their values and declares none of them.
import type { ExecuteMsg as OptimisticRollupExecuteMsg, QueryMsg as OptimisticRollupQueryMsg, DisputeContextResponse as OptimisticRollupDisputeContextResponse, GameResponse as OptimisticRollupGameResponse, GamePhase as OptimisticRollupGamePhase, GameTerms as OptimisticRollupGameTerms, Side as OptimisticRollupSide, BatchResponse as OptimisticRollupBatchResponse } from "@settle/clients/OptimisticRollup.types";
import type { ExecuteMsg as PaymentChannelsExecuteMsg, QueryMsg as PaymentChannelsQueryMsg, SignedState as PaymentChannelsSignedState, Revocation as PaymentChannelsRevocation } from "@settle/clients/PaymentChannels.types";
import type { ExecuteMsg as ValidityRollupExecuteMsg, QueryMsg as ValidityRollupQueryMsg, AccountResponse as ValidityRollupAccountResponse } from "@settle/clients/ValidityRollup.types";
/** The member of a generated message union `U` whose variant is `K`: `MessageOf<OptimisticRollupExecuteMsg, "withdraw">` is `{ withdraw: { ... } }`. */
export type MessageOf<U, K extends string> = Extract<U, Record<K, unknown>>;
/** Amounts (u128) and nonces (u64) are decimal strings; a safe-integer number or a bigint below 2^64 is accepted as input. */
export type Decimal = string | number | bigint;
/** Hashes, keys, signatures, canonical addresses: lowercase hex (a `0x` prefix is accepted as input). */
export type Hex = string;
/** Bytes in a contract message (CosmWasm's `Binary`): standard base64 with padding. */
export type Base64 = string;

export interface TransferArgs { from: number; to: number; amount: Decimal; nonce: Decimal; }
/** `recipient`: canonical L1 address bytes (hex), see `canonicalAddress`. */
export interface WithdrawalArgs { from: number; recipient: Hex; amount: Decimal; nonce: Decimal; }
export interface DecodedTx {
  kind: "transfer" | "withdraw";
  from: number;
  to?: number;
  recipient?: Hex;
  amount: string;
  nonce: string;
  signature: Hex;
}

export interface MerkleProof { index: number; leafCount: number; siblings: Hex[]; }
export interface MerkleMultiProof { indices: number[]; leafCount: number; hashes: Hex[]; }

/** The domain tags, as hex: the one-byte leaf and node prefixes and the ASCII tags of the other commitments. */
export interface Tags { leaf: Hex; node: Hex; state: Hex; output: Hex; data: Hex; txDomain: Hex; deposit: Hex; }

/** A compact sparse-tree proof: bit `l` of `bitmap` set = the level-`l` sibling is not the default node; `siblings` are the non-default ones, from the leaf up. */
export interface SparseProof { bitmap: number; siblings: Hex[]; }
/** A witness for several leaves of a sparse tree: `indices` strictly increasing; one `present` flag per sibling the verifier cannot compute (`true` takes the next of `hashes`, `false` is the default node). */
export interface SparseWitness { indices: number[]; present: boolean[]; hashes: Hex[]; }

/** `[address (0x-hex, 20 bytes), amount (uint256: a decimal or 0x-hex string, or a safe integer)]`. */
export type OzValue = [string, string | number];
/** As `@openzeppelin/merkle-tree`'s `getMultiProof`: leaves are the values, in the order the verifier consumes them; the verifier hashes them as leaves. */
export interface OzMultiProof { leaves: OzValue[]; proof: string[]; proofFlags: boolean[]; }

/** The contract's snake_case `{ new_account: { pubkey } }` is accepted too. */
export type DepositTo = { newAccount: { pubkey: Hex } } | { account: { index: number } };
/** `refundTo`: the depositor's canonical address (hex). */
export interface Deposit { index: number; to: DepositTo; amount: Decimal; refundTo: Hex; }
/** `data` in base64, as `propose_batch` takes it. */
export interface Proposal { index: number; data: string; depositsConsumed: number; outputRoot: Hex; }
export interface Account { pubkey: Hex; balance: string; nonce: string; }
/** A compact proof in the depth-32 account tree. */
export type AccountProof = SparseProof;
export interface TxEffect { applied: boolean; reason?: string; withdrawalIndex?: number; }
export interface BatchOutput {
  batch: number;
  stateRoot: Hex;
  withdrawalsRoot: Hex;
  depositCursor: number;
  dataRoot: Hex;
  outputRoot: Hex;
}
/** Everything the contract's `withdraw` needs; `proof` is the compact sparse-Merkle proof (hex). */
export interface WithdrawalProof {
  batch: number;
  index: number;
  recipient: Hex;
  amount: Decimal;
  stateRoot: Hex;
  withdrawalsRoot: Hex;
  proof: Hex;
}
/** What the contract stores of a batch: these fields, or the contract's `batch` query response as it comes (the generated `BatchResponse`: `output_root`, `batch`, `deposits_to`, `data_root`, roots in base64). */
export type BatchCommitment = { outputRoot: Hex; batch: number; depositCursor: number; dataRoot: Hex } | OptimisticRollupBatchResponse;
export type WithdrawalClaim = Omit<WithdrawalProof, "batch">;
export interface Verdict { valid: boolean; reason?: string; }

export type DepositMsg = MessageOf<OptimisticRollupExecuteMsg, "deposit">;
export type ProposeBatchMsg = MessageOf<OptimisticRollupExecuteMsg, "propose_batch">;
export type WithdrawMsg = MessageOf<OptimisticRollupExecuteMsg, "withdraw">;
"#;
