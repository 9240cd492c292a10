//! Messages of the payment-channels contract. A channel state travels as its settle-core
//! encoding (`ChannelState::encode`, base64 in JSON) with both parties' 64-byte
//! signatures over its signing hash (hex).

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, HexBinary, Timestamp, Uint128, Uint256};

#[cw_serde]
pub struct InstantiateMsg {
    /// Share of a stale closer's balance forfeited to the other party, in basis points
    /// (0 ..= 10000; default 10000: all of it, as in Lightning).
    pub penalty_share_bps: Option<u16>,
    /// Share of the forfeit paid to a watchtower that proved the stale close on behalf of
    /// the wronged party (which authorised it), in basis points (0 ..= 5000: the wronged
    /// party always keeps at least as much of the forfeit as its watchtower earns).
    pub watchtower_fee_bps: u16,
    /// Longest dispute window a channel may set, in seconds (1 ..= ten years).
    pub max_dispute_window: u64,
}

/// A state with both signatures.
#[cw_serde]
pub struct SignedState {
    /// settle-core `ChannelState::encode()` bytes.
    pub state: Binary,
    /// 64-byte compact secp256k1 signature of party A over the state's signing hash.
    pub signature_a: HexBinary,
    /// The same of party B.
    pub signature_b: HexBinary,
}

/// A party's signed revocation of every state up to `version`: a party signs it for
/// version `v` once it holds version `v + 1` with both signatures, and gives it to the
/// other party.
#[cw_serde]
pub struct Revocation {
    pub version: u64,
    /// 64-byte compact secp256k1 signature over settle-core
    /// `channel::revocation_hash(domain, channel, version)`.
    pub signature: HexBinary,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Proposes a channel between the sender (party A) and `counterparty` (party B),
    /// funded with the one coin attached (its denom is the channel's). The channel is
    /// proposed until B joins; if B has not joined after `join_window`, A may reclaim.
    Open {
        counterparty: String,
        /// A's 33-byte compressed secp256k1 key (signs states).
        pubkey_a: HexBinary,
        /// B's key (B proves it holds it when it joins); not A's.
        pubkey_b: HexBinary,
        /// Seconds a unilateral close stays open to disputes (1 ..= `max_dispute_window`).
        dispute_window: u64,
        /// Seconds B has to join (1 ..= 30 days).
        join_window: u64,
    },
    /// B, from its address, before the join deadline: joins a proposed channel with its
    /// key's 64-byte signature over settle-core `channel::join_hash(domain, channel, B's
    /// address, key a, key b)`, adding the coin attached, if any (the channel's denom).
    Join { channel: u64, signature: HexBinary },
    /// A, after the join deadline of a channel B never joined: takes its funds back.
    Reclaim { channel: u64 },
    /// A party adds the one coin attached (the channel's denom) while the channel is open.
    Fund { channel: u64 },
    /// Anyone: closes at once with a final state both parties signed. During a unilateral
    /// close: only a state at least as new as the pending one, and not once the close was
    /// proven stale (the penalty stands).
    CooperativeClose { channel: u64, signed: SignedState },
    /// A party closes with the latest state it holds; the dispute window opens.
    Close { channel: u64, signed: SignedState },
    /// Anyone, inside the window: a newer co-signed state replaces the closing one (no
    /// penalty), and/or the closer's revocation of a version at least the one it closed
    /// with proves the close stale (the closer forfeits its penalty share). A third party
    /// earns the watchtower fee for that proof only with `authorisation`: the wronged
    /// party's 64-byte signature over settle-core `channel::watchtower_hash(domain,
    /// channel, sender address)`.
    Dispute {
        channel: u64,
        signed: Option<SignedState>,
        revocation: Option<Revocation>,
        authorisation: Option<HexBinary>,
    },
    /// Anyone: after the window, pays the balances of the closing state (and the
    /// penalty); its HTLCs are settled one by one.
    Settle { channel: u64 },
    /// Anyone: records that the 32-byte `preimage` of `sha256(preimage)` is known now.
    RevealPreimage { preimage: HexBinary },
    /// Anyone: pays HTLC `index` of a settled channel to its payee (preimage revealed
    /// before the timeout) or back to its payer (timed out).
    SettleHtlc { channel: u64, index: u32 },
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(ConfigResponse)]
    Config {},
    #[returns(ChannelResponse)]
    Channel { id: u64 },
    #[returns(ChannelsResponse)]
    Channels {
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// When the preimage of `payment_hash` (32 bytes) was revealed, if it was.
    #[returns(PreimageResponse)]
    Preimage { payment_hash: HexBinary },
    /// What `sender` closing (or disputing) `channel` with `signed`, `revocation` and
    /// `authorisation` (as in `close` and `dispute`) would do now.
    #[returns(CloseCheckResponse)]
    CheckClose {
        channel: u64,
        sender: String,
        signed: Option<SignedState>,
        revocation: Option<Revocation>,
        authorisation: Option<HexBinary>,
    },
    /// Assets held against every channel's funds, per denom. Refused when channels are
    /// funded in more than 100 denoms: page through them with `solvency_page`.
    #[returns(SolvencyResponse)]
    Solvency {},
    /// [`QueryMsg::Solvency`] for at most `limit` (at most 100, default 30) denoms after
    /// `start_after`, in order; `solvent` covers this page.
    #[returns(SolvencyResponse)]
    SolvencyPage {
        start_after: Option<String>,
        limit: Option<u32>,
    },
}

#[cw_serde]
pub struct ConfigResponse {
    pub penalty_share_bps: u16,
    pub watchtower_fee_bps: u16,
    pub max_dispute_window: u64,
    /// The channel signing domain: keccak of the chain id and this contract's address.
    pub domain: HexBinary,
}

#[cw_serde]
pub enum Party {
    A,
    B,
}

#[cw_serde]
pub enum ChannelPhase {
    /// Opened by A, waiting for B to join until `join_deadline` (then A may reclaim).
    Proposed {
        join_deadline: Timestamp,
    },
    Open {},
    /// A unilateral close by `closer` with the state of `closed_version`, now at state
    /// `version`, open to disputes until `deadline`; `stale` once the closer's revocation
    /// proved the close stale; `watchtower`, the authorised watchtower that proved it.
    Closing {
        closer: Party,
        version: u64,
        closed_version: u64,
        deadline: Timestamp,
        stale: bool,
        watchtower: Option<Addr>,
    },
    /// Balances paid; `htlcs_paid[i]` says whether HTLC `i` of `version` is settled.
    Settled {
        version: u64,
        htlcs_paid: Vec<bool>,
    },
    Closed {},
}

#[cw_serde]
pub struct ChannelResponse {
    pub id: u64,
    pub a: Addr,
    pub b: Addr,
    pub pubkey_a: HexBinary,
    pub pubkey_b: HexBinary,
    pub denom: String,
    pub funded_a: Uint128,
    pub funded_b: Uint128,
    pub dispute_window: u64,
    pub phase: ChannelPhase,
    /// The closing (or settled) state's encoding, if any.
    pub state: Option<Binary>,
}

#[cw_serde]
pub struct ChannelsResponse {
    pub channels: Vec<ChannelResponse>,
}

#[cw_serde]
pub struct PreimageResponse {
    pub revealed_at: Option<Timestamp>,
}

#[cw_serde]
pub struct CloseCheckResponse {
    pub valid: bool,
    pub reason: Option<String>,
    /// What it would do ("opens the dispute window until ...", "replaces version ...").
    pub outcome: Option<String>,
}

#[cw_serde]
pub struct DenomSolvency {
    pub denom: String,
    pub held: Uint256,
    pub owed: Uint256,
    pub surplus: Uint256,
    pub deficit: Uint256,
}

#[cw_serde]
pub struct SolvencyResponse {
    pub denoms: Vec<DenomSolvency>,
    pub solvent: bool,
}
