//! Messages of the payment-channels contract, in the suite's one API style (ARCHITECTURE.md
//! "API conventions": times in unix seconds, bytes as `Binary`, `Addr` in answers, enums for
//! verdicts). A channel state travels as its settle-core encoding (`ChannelState::encode`)
//! with both parties' 64-byte signatures over its signing hash.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, Uint128};

pub use settle_host::solvency::{DenomSolvency, SolvencyResponse};

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
    /// 64-byte compact secp256k1 signature (r || s, low s) of party A over the state's
    /// signing hash.
    pub signature_a: Binary,
    /// 64-byte compact secp256k1 signature (r || s, low s) of party B over the state's
    /// signing hash.
    pub signature_b: Binary,
}

/// A party's signed revocation of every state up to `version`: a party signs it for
/// version `v` once it holds version `v + 1` with both signatures, and gives it to the
/// other party.
#[cw_serde]
pub struct Revocation {
    /// The newest revoked state version (every older one is revoked too).
    pub version: u64,
    /// 64-byte compact secp256k1 signature over settle-core
    /// `channel::revocation_hash(domain, channel, version)`.
    pub signature: Binary,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Proposes a channel between the sender (party A) and `counterparty` (party B),
    /// funded with the one coin attached (its denom is the channel's). The channel is
    /// proposed until B joins; if B has not joined after `join_window`, A may reclaim.
    Open {
        /// Party B's address (bech32; validated).
        counterparty: String,
        /// A's 33-byte compressed secp256k1 key (signs states).
        pubkey_a: Binary,
        /// B's 33-byte compressed secp256k1 key (B proves it holds it when it joins); not
        /// A's.
        pubkey_b: Binary,
        /// Seconds a unilateral close stays open to disputes (1 ..= `max_dispute_window`).
        dispute_window: u64,
        /// Seconds B has to join (1 ..= 30 days).
        join_window: u64,
    },
    /// B, from its address, before the join deadline: joins a proposed channel, adding
    /// the coin attached, if any (the channel's denom).
    Join {
        /// The channel's id.
        channel: u64,
        /// B's key's 64-byte signature over settle-core `channel::join_hash(domain,
        /// channel, B's address, key a, key b)`.
        signature: Binary,
    },
    /// A, after the join deadline of a channel B never joined: takes its funds back.
    Reclaim {
        /// The channel's id.
        channel: u64,
    },
    /// A party adds the one coin attached (the channel's denom) while the channel is open.
    Fund {
        /// The channel's id.
        channel: u64,
    },
    /// Anyone: closes at once with a final state both parties signed. During a unilateral
    /// close: only a state at least as new as the pending one, and not once the close was
    /// proven stale (the penalty stands).
    CooperativeClose {
        /// The channel's id.
        channel: u64,
        /// The final state, signed by both parties.
        signed: SignedState,
    },
    /// A party closes with the latest state it holds; the dispute window opens.
    Close {
        /// The channel's id.
        channel: u64,
        /// The state the closer holds, signed by both parties.
        signed: SignedState,
    },
    /// Anyone, inside the window: a newer co-signed state replaces the closing one (no
    /// penalty), and/or the closer's revocation of a version at least the one it closed
    /// with proves the close stale (the closer forfeits its penalty share).
    Dispute {
        /// The channel's id.
        channel: u64,
        /// A newer state signed by both parties, if any.
        signed: Option<SignedState>,
        /// The closer's revocation of the version it closed with (or a later one), if any.
        revocation: Option<Revocation>,
        /// A third party earns the watchtower fee for a stale-close proof only with this:
        /// the wronged party's 64-byte signature over settle-core
        /// `channel::watchtower_hash(domain, channel, sender address)`.
        authorisation: Option<Binary>,
    },
    /// Anyone: after the window, pays the balances of the closing state (and the
    /// penalty); its HTLCs are settled one by one.
    Settle {
        /// The channel's id.
        channel: u64,
    },
    /// Anyone: records that the preimage of `sha256(preimage)` is known now.
    RevealPreimage {
        /// The 32-byte preimage.
        preimage: Binary,
    },
    /// Anyone: pays HTLC `htlc` of a settled channel to its payee (preimage revealed
    /// before the timeout) or back to its payer (timed out).
    SettleHtlc {
        /// The channel's id.
        channel: u64,
        /// Position of the HTLC in the settled state's HTLC list.
        htlc: u32,
    },
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// The contract's parameters.
    #[returns(ConfigResponse)]
    Config {},
    /// One channel.
    #[returns(ChannelResponse)]
    Channel {
        /// The channel's id.
        channel: u64,
    },
    /// Channels in id order.
    #[returns(ChannelsResponse)]
    Channels {
        /// List channels with a greater id only.
        start_after: Option<u64>,
        /// At most this many (default 30, at most 100).
        limit: Option<u32>,
    },
    /// When the preimage of `payment_hash` was revealed, if it was.
    #[returns(PreimageResponse)]
    Preimage {
        /// The 32-byte `sha256(preimage)`.
        payment_hash: Binary,
    },
    /// What `sender` closing (or disputing) `channel` with `signed`, `revocation` and
    /// `authorisation` (as in `close` and `dispute`) would do now (a dry run).
    #[returns(CloseCheckResponse)]
    CheckClose {
        /// The channel's id.
        channel: u64,
        /// The address that would send the message (bech32; validated).
        sender: String,
        /// As in `close` / `dispute`.
        signed: Option<SignedState>,
        /// As in `dispute`.
        revocation: Option<Revocation>,
        /// As in `dispute`: 64-byte signature.
        authorisation: Option<Binary>,
    },
    /// Assets held against every channel's funds, per denom. Refused when channels are
    /// funded in more than 100 denoms: page through them with `solvency_page`.
    #[returns(SolvencyResponse)]
    Solvency {},
    /// [`QueryMsg::Solvency`] for some denoms, in order; `solvent` covers this page.
    #[returns(SolvencyResponse)]
    SolvencyPage {
        /// List denoms after this one only.
        start_after: Option<String>,
        /// At most this many denoms (default 30, at most 100).
        limit: Option<u32>,
    },
}

#[cw_serde]
pub struct ConfigResponse {
    /// Share of a stale closer's balance forfeited, in basis points.
    pub penalty_share_bps: u16,
    /// Share of the forfeit paid to an authorised watchtower, in basis points.
    pub watchtower_fee_bps: u16,
    /// Longest dispute window a channel may set, in seconds.
    pub max_dispute_window: u64,
    /// The 32-byte channel signing domain: keccak of the chain id and this contract's
    /// address.
    pub domain: Binary,
}

/// One of the two parties of a channel.
#[cw_serde]
pub enum Party {
    /// The party that opened the channel.
    A,
    /// The counterparty.
    B,
}

#[cw_serde]
pub enum ChannelPhase {
    /// Opened by A, waiting for B to join until `join_by` (then A may reclaim).
    Proposed {
        /// Unix seconds: B may join before this time, A may reclaim from it on.
        join_by: u64,
    },
    /// Both parties are in; states move off-chain.
    Open {},
    /// A unilateral close, open to disputes.
    Closing {
        /// The party that closed.
        closer: Party,
        /// The version of the state now closing (newer than `closed_version` once a
        /// dispute replaced it).
        version: u64,
        /// The version the closer closed with.
        closed_version: u64,
        /// Unix seconds: disputes are accepted before this time, `settle` from it on.
        dispute_ends_at: u64,
        /// Whether the closer's revocation proved the close stale (it forfeits).
        stale: bool,
        /// The authorised watchtower that proved it stale, if one did.
        watchtower: Option<Addr>,
    },
    /// Balances paid.
    Settled {
        /// The version of the settled state.
        version: u64,
        /// `htlcs_paid[i]` says whether HTLC `i` of the settled state is settled.
        htlcs_paid: Vec<bool>,
    },
    /// Closed cooperatively or reclaimed: nothing left.
    Closed {},
}

#[cw_serde]
pub struct ChannelResponse {
    /// The channel's id.
    pub channel: u64,
    /// Party A (opened the channel).
    pub a: Addr,
    /// Party B (the counterparty).
    pub b: Addr,
    /// A's 33-byte compressed secp256k1 key.
    pub pubkey_a: Binary,
    /// B's 33-byte compressed secp256k1 key.
    pub pubkey_b: Binary,
    /// The channel's native denom.
    pub denom: String,
    /// What A has put in.
    pub funded_a: Uint128,
    /// What B has put in.
    pub funded_b: Uint128,
    /// Seconds a unilateral close stays open to disputes.
    pub dispute_window: u64,
    /// Where the channel is in its life.
    pub phase: ChannelPhase,
    /// The closing (or settled) state's settle-core encoding, if any.
    pub state: Option<Binary>,
}

#[cw_serde]
pub struct ChannelsResponse {
    /// The channels of the page, in id order.
    pub channels: Vec<ChannelResponse>,
}

#[cw_serde]
pub struct PreimageResponse {
    /// Unix seconds of the block that first revealed the preimage, if any did.
    pub revealed_at: Option<u64>,
}

/// What a close or dispute would do.
#[cw_serde]
pub enum CloseOutcome {
    /// A `close` of an open channel: the dispute window opens.
    Closes {
        /// The party closing.
        closer: Party,
        /// The version of the state it closes with.
        version: u64,
        /// Unix seconds at which the dispute window ends.
        dispute_ends_at: u64,
    },
    /// A `dispute` of a closing channel.
    Disputes {
        /// The version of the newer state that replaces the closing one, if any.
        replaced_by: Option<u64>,
        /// The version it replaces (the one closing now), when `replaced_by` is set.
        replaced: Option<u64>,
        /// The closer's revocation proves the close stale: it forfeits its penalty share.
        proves_stale: bool,
        /// The stale proof earns the sender the watchtower fee (it is an authorised third
        /// party).
        by_watchtower: bool,
    },
}

#[cw_serde]
pub struct CloseCheckResponse {
    /// Whether the message would be accepted now.
    pub valid: bool,
    /// Why not: the message of the error the contract would refuse it with.
    pub reason: Option<String>,
    /// What it would do, when valid.
    pub outcome: Option<CloseOutcome>,
}
