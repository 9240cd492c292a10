//! Payment channels (core `channel`): the signing domain, the co-signed state and its
//! canonical encoding, the parties' signatures and their check, the counterparty's join
//! signature, revocations and watchtower authorisations, payment hashes, the payout of a
//! closed channel, and the payment-channels contract's messages.
//!
//! A state travels as a plain object (`ChannelState`: `channelId` a number, `version`,
//! `timeout` and amounts decimal strings, `payer` `"a"` or `"b"`) or as its encoding (a
//! `Uint8Array`, what the contract's `SignedState.state` carries in base64); every
//! function that takes a state takes either. The builders are plain Rust (`sign_state`,
//! `verify`, `payout`, `signed_state`, `open`, `close`, ...) so a native test can run the
//! real contract on their output; the `#[wasm_bindgen]` functions only convert.

use cosmwasm_std::Binary;
pub use payment_channels::msg::{ExecuteMsg, QueryMsg, Revocation, SignedState};
use serde::{Deserialize, Serialize, Serializer};
use settle_core::channel::{
    self as core_channel, ChannelDomain, ChannelState, Htlc, Party, PenaltyRules, StaleClose, BPS,
    MAX_HTLCS,
};
use settle_core::crypto::{valid_pubkey, NativeVerifier};
use settle_core::error::Error;
use settle_core::ledger::PubKey;
use wasm_bindgen::prelude::*;

use crate::convert::{
    self, from_js, to_hex, to_js, to_js_nulls, Base64, Dec, Fixed, Hex32, JsResult, Wire,
};
use crate::msg::Verdict;
use crate::tx::L2Key;

#[wasm_bindgen(typescript_custom_section)]
const TS_CHANNEL_TYPES: &str = r#"
export type ChannelParty = "a" | "b";
/** A hashed time-locked payment from `payer` to the other party; `paymentHash` = `paymentHash(preimage)`, `timeout` in block-time seconds. */
export interface Htlc { amount: Decimal; paymentHash: Hex; timeout: Decimal; payer: ChannelParty; }
/** A channel state both parties sign (what `decodeChannelState` returns: `version`, `timeout` and amounts as decimal strings). `funded`: the funding of A and B the state allocates; `balances`: what each owns outright. */
export interface ChannelState {
  channelId: number;
  version: Decimal;
  funded: [Decimal, Decimal];
  balances: [Decimal, Decimal];
  htlcs: Htlc[];
  isFinal: boolean;
}
/** A state as an object or as its encoding (`encodeChannelState`), a Uint8Array or hex. */
export type ChannelStateInput = ChannelState | Uint8Array | Hex;
/** What `verifyChannelState` checks: the state belongs to `channelId`, allocates at most what each party funded (`funding`, as the contract holds it), and carries both parties' signatures under `domain` (`channelDomain`). */
export interface ChannelVerifyArgs {
  domain: Hex;
  state: ChannelStateInput;
  pubkeyA: Hex;
  pubkeyB: Hex;
  signatureA: Hex;
  signatureB: Hex;
  channelId: number;
  funding: [Decimal, Decimal];
}
/** A unilateral close proven stale (the closer's revocation of the state it closed with was posted): `closer` forfeits the penalty share of its balance; `byWatchtower` when a watchtower the other party authorised proved it. */
export interface StaleCloseArgs { closer: ChannelParty; byWatchtower: boolean; }
/** The contract's `config` response (`penalty_share_bps`, `watchtower_fee_bps`) is accepted for the rules. `penaltyShareBps` defaults to 10000, `watchtowerFeeBps` to 0. */
export interface ChannelPayoutArgs {
  state: ChannelStateInput;
  funding: [Decimal, Decimal];
  stale?: StaleCloseArgs | null;
  penaltyShareBps?: number;
  watchtowerFeeBps?: number;
}
/** Paid to A and B at settlement, to the watchtower that proved a stale close, and held for the HTLCs (settled one by one); the parts add up to the funding. */
export interface ChannelPayout { parties: [string, string]; watchtower: string; htlcs: string; }
/** The contract's `SignedState`: the state's encoding and both 64-byte signatures, all base64 (hex signatures are accepted as input). */
export type SignedState = PaymentChannelsSignedState;
/** `joinWindow`: seconds B has to join (1..=30 days) before A may reclaim. */
export interface OpenChannelArgs { counterparty: string; pubkeyA: Hex; pubkeyB: Hex; disputeWindow: number; joinWindow: number; }
export type OpenChannelMsg = MessageOf<PaymentChannelsExecuteMsg, "open">;
/** What B signs to join channel `channelId` from address `counterparty` (`signChannelJoin`). */
export interface ChannelJoinArgs { domain: Hex; channelId: number; counterparty: string; pubkeyA: Hex; pubkeyB: Hex; }
export type JoinChannelMsg = MessageOf<PaymentChannelsExecuteMsg, "join">;
export type ReclaimChannelMsg = MessageOf<PaymentChannelsExecuteMsg, "reclaim">;
/** A party's signed revocation of every state up to `version` (the contract's `Revocation`). */
export type Revocation = PaymentChannelsRevocation;
/** What a dispute carries besides a newer state: the closer's revocation, and the wronged party's authorisation of the sender as its watchtower. */
export interface DisputeExtras { revocation?: Revocation | null; authorisation?: Hex | Base64 | null; }
export type FundChannelMsg = MessageOf<PaymentChannelsExecuteMsg, "fund">;
export type CooperativeCloseMsg = MessageOf<PaymentChannelsExecuteMsg, "cooperative_close">;
export type CloseChannelMsg = MessageOf<PaymentChannelsExecuteMsg, "close">;
export type DisputeChannelMsg = MessageOf<PaymentChannelsExecuteMsg, "dispute">;
export type SettleChannelMsg = MessageOf<PaymentChannelsExecuteMsg, "settle">;
export type RevealPreimageMsg = MessageOf<PaymentChannelsExecuteMsg, "reveal_preimage">;
export type SettleHtlcMsg = MessageOf<PaymentChannelsExecuteMsg, "settle_htlc">;
export type CheckCloseQuery = MessageOf<PaymentChannelsQueryMsg, "check_close">;
"#;

// ---- the state as JS sees it ------------------------------------------------------

/// `"a"` or `"b"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartyJs {
    #[serde(alias = "A")]
    A,
    #[serde(alias = "B")]
    B,
}

impl From<PartyJs> for Party {
    fn from(p: PartyJs) -> Party {
        match p {
            PartyJs::A => Party::A,
            PartyJs::B => Party::B,
        }
    }
}

impl From<Party> for PartyJs {
    fn from(p: Party) -> PartyJs {
        match p {
            Party::A => PartyJs::A,
            Party::B => PartyJs::B,
        }
    }
}

/// `{ amount, paymentHash, timeout, payer }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HtlcJs {
    pub amount: Dec<u128>,
    #[serde(alias = "payment_hash")]
    pub payment_hash: Hex32,
    pub timeout: Dec<u64>,
    pub payer: PartyJs,
}

fn as_number<S: Serializer>(v: &Dec<u64>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(v.0)
}

/// `{ channelId, version, funded: [a, b], balances: [a, b], htlcs, isFinal }` (snake_case
/// accepted; `htlcs` and `isFinal` may be left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelStateJs {
    #[serde(alias = "channel_id", serialize_with = "as_number")]
    pub channel_id: Dec<u64>,
    pub version: Dec<u64>,
    pub funded: [Dec<u128>; 2],
    pub balances: [Dec<u128>; 2],
    #[serde(default)]
    pub htlcs: Vec<HtlcJs>,
    #[serde(default, alias = "is_final")]
    pub is_final: bool,
}

impl From<&ChannelState> for ChannelStateJs {
    fn from(s: &ChannelState) -> Self {
        ChannelStateJs {
            channel_id: Dec(s.channel_id),
            version: Dec(s.version),
            funded: s.funded.map(Dec),
            balances: s.balances.map(Dec),
            htlcs: s
                .htlcs
                .iter()
                .map(|h| HtlcJs {
                    amount: Dec(h.amount),
                    payment_hash: Fixed(h.payment_hash),
                    timeout: Dec(h.timeout),
                    payer: h.payer.into(),
                })
                .collect(),
            is_final: s.is_final,
        }
    }
}

impl ChannelStateJs {
    /// The core's state. More HTLCs than one state may carry cannot be encoded: the
    /// core's error, as `decode` gives it.
    pub fn to_core(&self) -> JsResult<ChannelState> {
        if self.htlcs.len() > MAX_HTLCS {
            return Err(Error::TooManyHtlcs {
                count: self.htlcs.len(),
            }
            .into());
        }
        Ok(ChannelState {
            channel_id: self.channel_id.0,
            version: self.version.0,
            funded: self.funded.map(|d| d.0),
            balances: self.balances.map(|d| d.0),
            htlcs: self
                .htlcs
                .iter()
                .map(|h| Htlc {
                    amount: h.amount.0,
                    payment_hash: h.payment_hash.0,
                    timeout: h.timeout.0,
                    payer: h.payer.into(),
                })
                .collect(),
            is_final: self.is_final,
        })
    }
}

/// A state argument: its encoding or the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateArg {
    Bytes(Vec<u8>),
    Object(ChannelStateJs),
}

impl StateArg {
    /// The core's state (the encoding must decode: the core's error otherwise).
    pub fn state(&self) -> JsResult<ChannelState> {
        match self {
            StateArg::Bytes(b) => Ok(ChannelState::decode(b)?),
            StateArg::Object(o) => o.to_core(),
        }
    }
}

impl From<&ChannelState> for StateArg {
    fn from(s: &ChannelState) -> Self {
        StateArg::Object(s.into())
    }
}

impl<'de> Deserialize<'de> for StateArg {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StateArgVisitor)
    }
}

struct StateArgVisitor;

impl<'de> serde::de::Visitor<'de> for StateArgVisitor {
    type Value = StateArg;

    fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
        f.write_str("a channel state object or its encoding (a Uint8Array or hex)")
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<StateArg, E> {
        convert::hex_bytes("channel state", s)
            .map(StateArg::Bytes)
            .map_err(|e| E::custom(e.0))
    }

    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<StateArg, E> {
        Ok(StateArg::Bytes(v.to_vec()))
    }

    fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<StateArg, E> {
        Ok(StateArg::Bytes(v))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<StateArg, A::Error> {
        ChannelStateJs::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            .map(StateArg::Object)
    }
}

/// A state argument from JS: a `Uint8Array` (or a hex string) is an encoding, an object
/// the state itself.
fn state_arg(value: JsValue) -> JsResult<StateArg> {
    from_js(value)
}

fn channel_domain_of(hex: &str) -> JsResult<ChannelDomain> {
    Ok(ChannelDomain(convert::hash("domain", hex)?))
}

// ---- domain, encoding, signing ------------------------------------------------------

/// The channel signing domain of a payment-channels contract (hex): binds the chain id and
/// the contract address, so a state signed for one contract is void on any other. The
/// contract's `config` query returns the same value.
#[wasm_bindgen(js_name = channelDomain)]
pub fn channel_domain(
    #[wasm_bindgen(js_name = chainId)] chain_id: &str,
    #[wasm_bindgen(js_name = contractAddress)] contract_address: &str,
) -> String {
    to_hex(ChannelDomain::new(chain_id, contract_address).0)
}

/// The state's canonical encoding (what the contract's `SignedState.state` carries).
#[wasm_bindgen(js_name = encodeChannelState)]
pub fn encode_channel_state(
    #[wasm_bindgen(unchecked_param_type = "ChannelStateInput")] state: JsValue,
) -> JsResult<Vec<u8>> {
    Ok(state_arg(state)?.state()?.encode())
}

/// Decodes exactly one encoded state (the core's error otherwise).
#[wasm_bindgen(js_name = decodeChannelState, unchecked_return_type = "ChannelState")]
pub fn decode_channel_state(bytes: &[u8]) -> JsResult<JsValue> {
    to_js(&ChannelStateJs::from(&ChannelState::decode(bytes)?))
}

/// The 32-byte hash (hex) both parties sign: `keccak(tag || domain || encoding)`.
pub fn signing_hash(domain: &str, state: &StateArg) -> JsResult<String> {
    Ok(to_hex(
        state.state()?.signing_hash(&channel_domain_of(domain)?),
    ))
}

#[wasm_bindgen(js_name = channelSigningHash)]
pub fn channel_signing_hash(
    domain: &str,
    #[wasm_bindgen(unchecked_param_type = "ChannelStateInput")] state: JsValue,
) -> JsResult<String> {
    signing_hash(domain, &state_arg(state)?)
}

/// `key`'s signature (64 bytes `r || s`, low-s, RFC 6979: deterministic) over the state's
/// signing hash. The state must be one some funding could back (core
/// `ChannelState::check` against the funding it declares): a state the contract can
/// never accept is not signed.
pub fn sign_state(key: &L2Key, domain: &str, state: &StateArg) -> JsResult<String> {
    let state = state.state()?;
    state.check(state.channel_id, state.funded)?;
    let hash = state.signing_hash(&channel_domain_of(domain)?);
    Ok(to_hex(key.key.sign_prehash(&hash)))
}

/// `key`'s signature (hex) over the state under `domain` (`channelDomain`).
#[wasm_bindgen(js_name = signChannelState)]
pub fn sign_channel_state(
    key: &L2Key,
    domain: &str,
    #[wasm_bindgen(unchecked_param_type = "ChannelStateInput")] state: JsValue,
) -> JsResult<String> {
    sign_state(key, domain, &state_arg(state)?)
}

/// `verifyChannelState`'s argument.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyArgs {
    pub domain: Hex32,
    pub state: StateArg,
    pub pubkey_a: Fixed<33>,
    pub pubkey_b: Fixed<33>,
    pub signature_a: Fixed<64>,
    pub signature_b: Fixed<64>,
    #[serde(alias = "channel")]
    pub channel_id: u64,
    pub funding: [Dec<u128>; 2],
}

/// The checks the contract runs on a signed state: it decodes, belongs to the channel,
/// allocates what it may (core `ChannelState::check`) and both signatures verify (core
/// `verify_cosigned`). `valid: false` carries the core's reason.
pub fn verify(args: &VerifyArgs) -> Verdict {
    let result = args.state.state().and_then(|state| {
        state.check(args.channel_id, args.funding.map(|d| d.0))?;
        core_channel::verify_cosigned(
            &NativeVerifier,
            &ChannelDomain(args.domain.0),
            &state,
            [&args.pubkey_a.0, &args.pubkey_b.0],
            [&args.signature_a.0, &args.signature_b.0],
        )?;
        Ok(())
    });
    Verdict {
        valid: result.is_ok(),
        reason: result.err().map(|e| e.0),
    }
}

/// Would the contract accept this signed state for `channelId` with `funding`? Throws
/// only for an argument that cannot be read.
#[wasm_bindgen(js_name = verifyChannelState, unchecked_return_type = "Verdict")]
pub fn verify_channel_state(
    #[wasm_bindgen(unchecked_param_type = "ChannelVerifyArgs")] args: JsValue,
) -> JsResult<JsValue> {
    to_js(&verify(&from_js(args)?))
}

// ---- joins, revocations, watchtowers ------------------------------------------------

/// `signChannelJoin`'s argument.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JoinArgs {
    pub domain: Hex32,
    #[serde(alias = "channel", alias = "channel_id")]
    pub channel_id: u64,
    pub counterparty: String,
    #[serde(alias = "pubkey_a")]
    pub pubkey_a: Fixed<33>,
    #[serde(alias = "pubkey_b")]
    pub pubkey_b: Fixed<33>,
}

impl JoinArgs {
    fn hash(&self) -> settle_core::hash::Hash {
        core_channel::join_hash(
            &ChannelDomain(self.domain.0),
            self.channel_id,
            &self.counterparty,
            [&self.pubkey_a.0, &self.pubkey_b.0],
        )
    }
}

/// B's join signature (hex): `key` (B's channel key, which must be `pubkeyB`) over core
/// `join_hash(domain, channel, B's address, key a, key b)`.
pub fn join_signature(key: &L2Key, args: &JoinArgs) -> JsResult<String> {
    let own: PubKey = key.key.public_key();
    if own != args.pubkey_b.0 {
        return Err(Error::BadJoinSignature.into());
    }
    core_channel::check_distinct_keys([&args.pubkey_a.0, &args.pubkey_b.0])?;
    Ok(to_hex(key.key.sign_prehash(&args.hash())))
}

/// The 32-byte hash (hex) B signs to join a channel.
#[wasm_bindgen(js_name = channelJoinHash)]
pub fn channel_join_hash(
    #[wasm_bindgen(unchecked_param_type = "ChannelJoinArgs")] args: JsValue,
) -> JsResult<String> {
    Ok(to_hex(from_js::<JoinArgs>(args)?.hash()))
}

/// B's signature joining a proposed channel (what `joinChannelMsg` carries): `key` must
/// be `pubkeyB`, the key the opener named.
#[wasm_bindgen(js_name = signChannelJoin)]
pub fn sign_channel_join(
    key: &L2Key,
    #[wasm_bindgen(unchecked_param_type = "ChannelJoinArgs")] args: JsValue,
) -> JsResult<String> {
    join_signature(key, &from_js(args)?)
}

/// The contract's `Revocation`: `{ version, signature }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationJs {
    #[serde(serialize_with = "as_number")]
    pub version: Dec<u64>,
    pub signature: Wire<64>,
}

/// `key`'s revocation of every state of `channel_id` up to `version`. Sign it for version
/// `v` only once you hold version `v + 1` with both signatures, and give it to the other
/// party: a close with a revoked state forfeits the closer's balance.
pub fn revoke(key: &L2Key, domain: &str, channel_id: u64, version: u64) -> JsResult<RevocationJs> {
    let hash = core_channel::revocation_hash(&channel_domain_of(domain)?, channel_id, version);
    Ok(RevocationJs {
        version: Dec(version),
        signature: Wire(key.key.sign_prehash(&hash)),
    })
}

/// The 32-byte hash (hex) a party signs to revoke `version` of `channelId`.
#[wasm_bindgen(js_name = channelRevocationHash)]
pub fn channel_revocation_hash(
    domain: &str,
    #[wasm_bindgen(js_name = channelId)] channel_id: f64,
    #[wasm_bindgen(unchecked_param_type = "Decimal")] version: JsValue,
) -> JsResult<String> {
    let version: Dec<u64> = from_js(version)?;
    Ok(to_hex(core_channel::revocation_hash(
        &channel_domain_of(domain)?,
        convert::uint("channelId", channel_id)?,
        version.0,
    )))
}

/// `key`'s `Revocation` of every state of `channelId` up to `version` (sign it once you
/// hold `version + 1` with both signatures; give it to the other party).
#[wasm_bindgen(js_name = revokeChannelState, unchecked_return_type = "Revocation")]
pub fn revoke_channel_state(
    key: &L2Key,
    domain: &str,
    #[wasm_bindgen(js_name = channelId)] channel_id: f64,
    #[wasm_bindgen(unchecked_param_type = "Decimal")] version: JsValue,
) -> JsResult<JsValue> {
    let version: Dec<u64> = from_js(version)?;
    to_js(&revoke(
        key,
        domain,
        convert::uint("channelId", channel_id)?,
        version.0,
    )?)
}

/// `key`'s authorisation (hex) of `watchtower` (its address) to prove a stale close of
/// `channel_id` on its behalf and earn the watchtower fee.
pub fn authorise(key: &L2Key, domain: &str, channel_id: u64, watchtower: &str) -> JsResult<String> {
    let hash = core_channel::watchtower_hash(&channel_domain_of(domain)?, channel_id, watchtower);
    Ok(to_hex(key.key.sign_prehash(&hash)))
}

/// The 32-byte hash (hex) a party signs to authorise `watchtower` for `channelId`.
#[wasm_bindgen(js_name = channelWatchtowerHash)]
pub fn channel_watchtower_hash(
    domain: &str,
    #[wasm_bindgen(js_name = channelId)] channel_id: f64,
    watchtower: &str,
) -> JsResult<String> {
    Ok(to_hex(core_channel::watchtower_hash(
        &channel_domain_of(domain)?,
        convert::uint("channelId", channel_id)?,
        watchtower,
    )))
}

/// `key`'s authorisation of `watchtower` (an address) for `channelId`: what the watchtower
/// attaches to its dispute (`authorisation`) to earn the fee.
#[wasm_bindgen(js_name = authoriseWatchtower)]
pub fn authorise_watchtower(
    key: &L2Key,
    domain: &str,
    #[wasm_bindgen(js_name = channelId)] channel_id: f64,
    watchtower: &str,
) -> JsResult<String> {
    authorise(
        key,
        domain,
        convert::uint("channelId", channel_id)?,
        watchtower,
    )
}

/// The payment hash (hex) of a 32-byte preimage (hex): `sha256(preimage)`.
#[wasm_bindgen(js_name = paymentHash)]
pub fn payment_hash(preimage: &str) -> JsResult<String> {
    let bytes = convert::hex_bytes("preimage", preimage)?;
    Ok(to_hex(core_channel::payment_hash(&bytes)?))
}

// ---- payouts ----------------------------------------------------------------------

/// `{ closer, byWatchtower }`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StaleJs {
    pub closer: PartyJs,
    #[serde(default, alias = "by_watchtower")]
    pub by_watchtower: bool,
}

fn default_share() -> u16 {
    BPS
}

/// `channelPayout`'s argument.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayoutArgs {
    pub state: StateArg,
    pub funding: [Dec<u128>; 2],
    #[serde(default)]
    pub stale: Option<StaleJs>,
    #[serde(default = "default_share", alias = "penalty_share_bps")]
    pub penalty_share_bps: u16,
    #[serde(default, alias = "watchtower_fee_bps")]
    pub watchtower_fee_bps: u16,
}

/// `{ parties: [a, b], watchtower, htlcs }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayoutJs {
    pub parties: [Dec<u128>; 2],
    pub watchtower: Dec<u128>,
    pub htlcs: Dec<u128>,
}

/// Where a channel closed with `state` pays its funding (core `channel::payout`).
pub fn payout(args: &PayoutArgs) -> JsResult<PayoutJs> {
    let p = core_channel::payout(
        &args.state.state()?,
        args.funding.map(|d| d.0),
        args.stale.map(|s| StaleClose {
            closer: s.closer.into(),
            by_watchtower: s.by_watchtower,
        }),
        PenaltyRules {
            share_bps: args.penalty_share_bps,
            watchtower_fee_bps: args.watchtower_fee_bps,
        },
    )?;
    Ok(PayoutJs {
        parties: p.parties.map(Dec),
        watchtower: Dec(p.watchtower),
        htlcs: Dec(p.htlcs),
    })
}

/// What the contract pays when it settles (or cooperatively closes) a channel with
/// `state`: throws the core's error for a state the funding does not back.
#[wasm_bindgen(js_name = channelPayout, unchecked_return_type = "ChannelPayout")]
pub fn channel_payout(
    #[wasm_bindgen(unchecked_param_type = "ChannelPayoutArgs")] args: JsValue,
) -> JsResult<JsValue> {
    to_js(&payout(&from_js(args)?)?)
}

// ---- the contract's messages -------------------------------------------------------

/// The contract's `SignedState`: `{ state (base64), signature_a, signature_b }`
/// (`signatureA`, `signatureB` accepted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedStateJs {
    pub state: Base64,
    #[serde(alias = "signatureA")]
    pub signature_a: Wire<64>,
    #[serde(alias = "signatureB")]
    pub signature_b: Wire<64>,
}

impl SignedStateJs {
    /// The state must decode (the contract decodes it first).
    fn checked(self) -> JsResult<Self> {
        ChannelState::decode(&self.state.0)?;
        Ok(self)
    }
}

impl From<SignedStateJs> for SignedState {
    fn from(s: SignedStateJs) -> Self {
        SignedState {
            state: Binary::new(s.state.0),
            signature_a: Binary::from(s.signature_a.0),
            signature_b: Binary::from(s.signature_b.0),
        }
    }
}

impl From<RevocationJs> for Revocation {
    fn from(r: RevocationJs) -> Self {
        Revocation {
            version: r.version.0,
            signature: Binary::from(r.signature.0),
        }
    }
}

/// `{ state, signature_a, signature_b }` of a state (encoding or object) and both
/// signatures (hex).
pub fn signed_state(
    state: &StateArg,
    signature_a: &str,
    signature_b: &str,
) -> JsResult<SignedStateJs> {
    Ok(SignedStateJs {
        state: Base64(state.state()?.encode()),
        signature_a: Wire::named("signature of party a", signature_a)?,
        signature_b: Wire::named("signature of party b", signature_b)?,
    })
}

/// The contract's `SignedState` JSON.
#[wasm_bindgen(js_name = signedState, unchecked_return_type = "SignedState")]
pub fn signed_state_js(
    #[wasm_bindgen(unchecked_param_type = "ChannelStateInput")] state: JsValue,
    #[wasm_bindgen(js_name = signatureA)] signature_a: &str,
    #[wasm_bindgen(js_name = signatureB)] signature_b: &str,
) -> JsResult<JsValue> {
    to_js(&SignedState::from(signed_state(
        &state_arg(state)?,
        signature_a,
        signature_b,
    )?))
}

/// `open`'s argument.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenArgs {
    pub counterparty: String,
    #[serde(alias = "pubkey_a")]
    pub pubkey_a: Fixed<33>,
    #[serde(alias = "pubkey_b")]
    pub pubkey_b: Fixed<33>,
    #[serde(alias = "dispute_window")]
    pub dispute_window: u64,
    #[serde(alias = "join_window")]
    pub join_window: u64,
}

/// `{ open: { counterparty, pubkey_a, pubkey_b, dispute_window, join_window } }`; both
/// keys must be compressed secp256k1 points and differ, and the join window is bounded
/// (core `join_deadline`): the contract refuses the channel otherwise.
pub fn open(args: OpenArgs) -> JsResult<ExecuteMsg> {
    for (who, key) in [("a", &args.pubkey_a), ("b", &args.pubkey_b)] {
        if !valid_pubkey(&NativeVerifier, &key.0) {
            return Err(Error::InvalidKey(format!(
                "the key of party {who} is not a compressed secp256k1 point"
            ))
            .into());
        }
    }
    core_channel::check_distinct_keys([&args.pubkey_a.0, &args.pubkey_b.0])?;
    core_channel::join_deadline(0, args.join_window)?;
    Ok(ExecuteMsg::Open {
        counterparty: args.counterparty,
        pubkey_a: Binary::from(args.pubkey_a.0),
        pubkey_b: Binary::from(args.pubkey_b.0),
        dispute_window: args.dispute_window,
        join_window: args.join_window,
    })
}

/// `{ cooperative_close | close | dispute: { channel, signed } }`.
pub fn with_signed(kind: &str, channel: u64, signed: SignedStateJs) -> JsResult<ExecuteMsg> {
    let signed = signed.checked()?.into();
    Ok(match kind {
        "cooperative_close" => ExecuteMsg::CooperativeClose { channel, signed },
        "close" => ExecuteMsg::Close { channel, signed },
        _ => ExecuteMsg::Dispute {
            channel,
            signed: Some(signed),
            revocation: None,
            authorisation: None,
        },
    })
}

/// What a dispute carries besides a newer state: `{ revocation?, authorisation? }`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DisputeExtras {
    #[serde(default)]
    pub revocation: Option<RevocationJs>,
    #[serde(default, alias = "authorization")]
    pub authorisation: Option<Wire<64>>,
}

/// `{ dispute: { channel, signed?, revocation?, authorisation? } }`: a newer state, the
/// closer's revocation, or both.
pub fn dispute(
    channel: u64,
    signed: Option<SignedStateJs>,
    extras: DisputeExtras,
) -> JsResult<ExecuteMsg> {
    let signed = signed.map(SignedStateJs::checked).transpose()?;
    if signed.is_none() && extras.revocation.is_none() {
        return Err(Error::NothingToDispute.into());
    }
    Ok(ExecuteMsg::Dispute {
        channel,
        signed: signed.map(Into::into),
        revocation: extras.revocation.map(Into::into),
        authorisation: extras.authorisation.map(|a| Binary::from(a.0)),
    })
}

/// `{ join: { channel, signature } }` of B's join signature (hex, `signChannelJoin`).
pub fn join(channel: u64, signature: &str) -> JsResult<ExecuteMsg> {
    let signature: Wire<64> = Wire::named("join signature", signature)?;
    Ok(ExecuteMsg::Join {
        channel,
        signature: Binary::from(signature.0),
    })
}

/// `{ reveal_preimage: { preimage } }` of a 32-byte preimage (hex).
pub fn reveal_preimage(preimage: &str) -> JsResult<ExecuteMsg> {
    let bytes = convert::hex_bytes("preimage", preimage)?;
    core_channel::payment_hash(&bytes)?;
    let preimage: [u8; 32] = settle_core::error::exact("preimage", &bytes)?;
    Ok(ExecuteMsg::RevealPreimage {
        preimage: Binary::from(preimage),
    })
}

/// `{ check_close: { channel, sender, signed } }`.
pub fn check_close(channel: u64, sender: &str, signed: SignedStateJs) -> JsResult<QueryMsg> {
    check_dispute(channel, sender, Some(signed), DisputeExtras::default())
}

/// `{ check_close: { channel, sender, signed?, revocation?, authorisation? } }`.
pub fn check_dispute(
    channel: u64,
    sender: &str,
    signed: Option<SignedStateJs>,
    extras: DisputeExtras,
) -> JsResult<QueryMsg> {
    Ok(QueryMsg::CheckClose {
        channel,
        sender: sender.to_string(),
        signed: signed
            .map(SignedStateJs::checked)
            .transpose()?
            .map(Into::into),
        revocation: extras.revocation.map(Into::into),
        authorisation: extras.authorisation.map(|a| Binary::from(a.0)),
    })
}

/// An optional JS argument (`undefined` and `null` are none).
fn optional<T: serde::de::DeserializeOwned>(v: JsValue) -> JsResult<Option<T>> {
    if v.is_undefined() || v.is_null() {
        Ok(None)
    } else {
        from_js(v).map(Some)
    }
}

/// The message that opens a channel with `counterparty` (party B; the sender is A); attach
/// A's funding (one coin).
#[wasm_bindgen(js_name = openChannelMsg, unchecked_return_type = "OpenChannelMsg")]
pub fn open_channel_msg(
    #[wasm_bindgen(unchecked_param_type = "OpenChannelArgs")] args: JsValue,
) -> JsResult<JsValue> {
    to_js(&open(from_js(args)?)?)
}

/// B's join of a proposed `channel` with its join signature (`signChannelJoin`); attach
/// B's funding (one coin), if any.
#[wasm_bindgen(js_name = joinChannelMsg, unchecked_return_type = "JoinChannelMsg")]
pub fn join_channel_msg(channel: f64, signature: &str) -> JsResult<JsValue> {
    to_js(&join(convert::uint("channel", channel)?, signature)?)
}

/// A's reclaim of a channel B never joined (after the join deadline).
#[wasm_bindgen(js_name = reclaimChannelMsg, unchecked_return_type = "ReclaimChannelMsg")]
pub fn reclaim_channel_msg(channel: f64) -> JsResult<JsValue> {
    to_js(&ExecuteMsg::Reclaim {
        channel: convert::uint("channel", channel)?,
    })
}

/// The message that adds the attached coin to a party's funding of `channel`.
#[wasm_bindgen(js_name = fundChannelMsg, unchecked_return_type = "FundChannelMsg")]
pub fn fund_channel_msg(channel: f64) -> JsResult<JsValue> {
    to_js(&ExecuteMsg::Fund {
        channel: convert::uint("channel", channel)?,
    })
}

/// Closes `channel` at once with a final state both parties signed (`signedState`).
#[wasm_bindgen(js_name = cooperativeCloseMsg, unchecked_return_type = "CooperativeCloseMsg")]
pub fn cooperative_close_msg(
    channel: f64,
    #[wasm_bindgen(unchecked_param_type = "SignedState")] signed: JsValue,
) -> JsResult<JsValue> {
    to_js(&with_signed(
        "cooperative_close",
        convert::uint("channel", channel)?,
        from_js(signed)?,
    )?)
}

/// A party's unilateral close of `channel` with the latest state it holds.
#[wasm_bindgen(js_name = closeChannelMsg, unchecked_return_type = "CloseChannelMsg")]
pub fn close_channel_msg(
    channel: f64,
    #[wasm_bindgen(unchecked_param_type = "SignedState")] signed: JsValue,
) -> JsResult<JsValue> {
    to_js(&with_signed(
        "close",
        convert::uint("channel", channel)?,
        from_js(signed)?,
    )?)
}

/// A dispute of a closing channel, inside the window: a newer co-signed state (or null)
/// replaces the closing one; `extras.revocation`, the closer's revocation of the version
/// it closed with, proves the close stale; `extras.authorisation` (the wronged party's
/// `authoriseWatchtower` of the sender) earns the sender the watchtower fee.
#[wasm_bindgen(js_name = disputeChannelMsg, unchecked_return_type = "DisputeChannelMsg")]
pub fn dispute_channel_msg(
    channel: f64,
    #[wasm_bindgen(unchecked_param_type = "SignedState | null | undefined")] signed: JsValue,
    #[wasm_bindgen(unchecked_param_type = "DisputeExtras | undefined")] extras: JsValue,
) -> JsResult<JsValue> {
    to_js_nulls(&dispute(
        convert::uint("channel", channel)?,
        optional(signed)?,
        optional(extras)?.unwrap_or_default(),
    )?)
}

/// Pays a closing channel out once its dispute window has passed.
#[wasm_bindgen(js_name = settleChannelMsg, unchecked_return_type = "SettleChannelMsg")]
pub fn settle_channel_msg(channel: f64) -> JsResult<JsValue> {
    to_js(&ExecuteMsg::Settle {
        channel: convert::uint("channel", channel)?,
    })
}

/// Records on chain that the 32-byte preimage (hex) of its payment hash is known now.
#[wasm_bindgen(js_name = revealPreimageMsg, unchecked_return_type = "RevealPreimageMsg")]
pub fn reveal_preimage_msg(preimage: &str) -> JsResult<JsValue> {
    to_js(&reveal_preimage(preimage)?)
}

/// Pays HTLC `index` of a settled channel to its payee or back to its payer.
#[wasm_bindgen(js_name = settleHtlcMsg, unchecked_return_type = "SettleHtlcMsg")]
pub fn settle_htlc_msg(channel: f64, index: f64) -> JsResult<JsValue> {
    let index = convert::uint("index", index)?;
    to_js(&ExecuteMsg::SettleHtlc {
        channel: convert::uint("channel", channel)?,
        htlc: u32::try_from(index)
            .map_err(|_| convert::Failure::new(format!("index: {index} is out of range")))?,
    })
}

/// The `check_close` query: what `sender` (bech32) closing or disputing `channel` with
/// `signed` (and `extras`, as `disputeChannelMsg` takes them) would do now.
#[wasm_bindgen(js_name = checkCloseQuery, unchecked_return_type = "CheckCloseQuery")]
pub fn check_close_query(
    channel: f64,
    sender: &str,
    #[wasm_bindgen(unchecked_param_type = "SignedState | null | undefined")] signed: JsValue,
    #[wasm_bindgen(unchecked_param_type = "DisputeExtras | undefined")] extras: JsValue,
) -> JsResult<JsValue> {
    to_js_nulls(&check_dispute(
        convert::uint("channel", channel)?,
        sender,
        optional(signed)?,
        optional(extras)?.unwrap_or_default(),
    )?)
}
