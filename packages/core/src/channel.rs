//! Payment channels: the co-signed off-chain state, what it may allocate, who may join,
//! close and dispute, when a closer is penalised, and how a closed channel pays out. The
//! contract and the browser package only call these rules.
//!
//! ```text
//!   open by A (A's funds, B's key named; the channel is proposed)
//!     ├── B never joins: after the join deadline A reclaims its funds ────> closed
//!     └── join by B: B signs (domain, channel, B's address, both keys) with its
//!         channel key (and may add funds); the channel is open
//!            │  off-chain: states v0, v1, v2, ... each signed by A and B; once a party
//!            │  holds v+1 with both signatures it signs a revocation of v for the other
//!            ├── cooperative close: a final state, both signatures ───────> paid at once
//!            └── unilateral close by X with state v ── dispute window ──> settle
//!                   inside the window anyone may post a co-signed state v' > v (it
//!                   replaces v, no penalty) and X's signed revocation of a version
//!                   >= v (X closed with a state it had given up: X's balance is
//!                   forfeited to the other party; a watchtower the other party
//!                   authorised, if it posted the revocation, earns a fee)
//!   settle: balances paid; each HTLC goes to its payee if its preimage was
//!           revealed before its timeout, back to its payer once it timed out
//! ```
//!
//! A state binds the channel id, and its signing hash binds the chain id and the
//! contract address (a [`ChannelDomain`]), so no signature replays across channels,
//! contracts or chains; joins, revocations and watchtower authorisations are signed under
//! the same domain with their own tags. A state also says how much funding of each party
//! it accounts for: funding added after it was signed is not the state's to allocate and
//! goes back to whoever added it, so a late top-up never makes the latest state invalid.
//!
//! Penalties follow Lightning's revocation order: closing with the newest state one holds
//! with both signatures is never punished (the other party may hold a newer one, which
//! simply replaces it); only a state the closer itself revoked is.

use alloc::vec::Vec;

use crate::crypto::{is_low_s, Verifier};
use crate::error::Error;
use crate::hash::{
    keccak256, keccak256_concat, Hash, CHANNEL_DOMAIN_TAG, CHANNEL_JOIN_TAG, CHANNEL_REVOKE_TAG,
    CHANNEL_STATE_TAG, CHANNEL_WATCHTOWER_TAG,
};
use crate::ledger::PubKey;

/// Most pending HTLCs one state may carry.
pub const MAX_HTLCS: usize = 32;
/// Basis points in one whole.
pub const BPS: u16 = 10_000;
/// Largest watchtower fee a deployment may set: half of a forfeit. The party a stale
/// close wronged always keeps at least as much of the forfeit as its watchtower earns,
/// and a closer colluding with a watchtower still loses at least half of what it
/// forfeits, so cheating is never free.
pub const MAX_WATCHTOWER_FEE_BPS: u16 = 5_000;
/// Longest time an opener may give the counterparty to join (30 days): the opener's
/// funds are locked at most this long if the counterparty never joins.
pub const MAX_JOIN_WINDOW: u64 = 30 * 24 * 3600;

/// Binds channel states to one contract on one chain:
/// `keccak(tag || keccak(chain_id) || keccak(contract_address))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelDomain(pub Hash);

impl ChannelDomain {
    pub fn new(chain_id: &str, contract_address: &str) -> Self {
        ChannelDomain(keccak256_concat(&[
            CHANNEL_DOMAIN_TAG,
            &keccak256(chain_id.as_bytes()),
            &keccak256(contract_address.as_bytes()),
        ]))
    }
}

/// One of the two parties of a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    A,
    B,
}

impl Party {
    pub fn other(self) -> Party {
        match self {
            Party::A => Party::B,
            Party::B => Party::A,
        }
    }

    /// 0 for A, 1 for B (the position in per-party arrays).
    pub fn index(self) -> usize {
        match self {
            Party::A => 0,
            Party::B => 1,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Party::A => "a",
            Party::B => "b",
        }
    }
}

impl core::fmt::Display for Party {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "party {}", self.name())
    }
}

/// A hashed time-locked payment from `payer` to the other party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Htlc {
    pub amount: u128,
    /// `sha256(preimage)` of a 32-byte preimage (as in Lightning).
    pub payment_hash: Hash,
    /// Block time (seconds) from which the payment can no longer be claimed and goes back
    /// to the payer.
    pub timeout: u64,
    pub payer: Party,
}

impl Htlc {
    pub fn payee(&self) -> Party {
        self.payer.other()
    }
}

/// The payment hash of a 32-byte preimage: `sha256(preimage)`.
pub fn payment_hash(preimage: &[u8]) -> Result<Hash, Error> {
    let p: [u8; 32] = crate::error::exact("preimage", preimage)?;
    use sha2::Digest;
    Ok(sha2::Sha256::digest(p).into())
}

/// A channel state both parties sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelState {
    pub channel_id: u64,
    /// Higher versions replace lower ones.
    pub version: u64,
    /// Funding of A and B this state allocates (at most what each has put in).
    pub funded: [u128; 2],
    /// What A and B own outright.
    pub balances: [u128; 2],
    pub htlcs: Vec<Htlc>,
    /// A final state closes the channel cooperatively (it carries no HTLC).
    pub is_final: bool,
}

const HTLC_LEN: usize = 16 + 32 + 8 + 1;
const HEAD_LEN: usize = 8 + 8 + 4 * 16 + 1;

fn party_byte(p: Party) -> u8 {
    p.index() as u8
}

impl ChannelState {
    /// `channel_id (8 BE) || version (8 BE) || funded a, b (16 BE each) || balance a, b
    /// (16 BE each) || htlc count (1) || per HTLC: amount (16 BE), payment hash, timeout
    /// (8 BE), payer (0 = a, 1 = b) || final (0 or 1)`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEAD_LEN + 1 + HTLC_LEN * self.htlcs.len());
        out.extend_from_slice(&self.channel_id.to_be_bytes());
        out.extend_from_slice(&self.version.to_be_bytes());
        for v in self.funded.iter().chain(self.balances.iter()) {
            out.extend_from_slice(&v.to_be_bytes());
        }
        out.push(self.htlcs.len().min(255) as u8);
        for h in &self.htlcs {
            out.extend_from_slice(&h.amount.to_be_bytes());
            out.extend_from_slice(&h.payment_hash);
            out.extend_from_slice(&h.timeout.to_be_bytes());
            out.push(party_byte(h.payer));
        }
        out.push(self.is_final as u8);
        out
    }

    /// Parses [`ChannelState::encode`]'s form; one state has exactly one byte string.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let bad = |reason: alloc::string::String| Error::malformed("channel state", reason);
        if bytes.len() < HEAD_LEN {
            return Err(bad(alloc::format!("{} bytes is too short", bytes.len())));
        }
        let n = bytes[HEAD_LEN - 1] as usize;
        if n > MAX_HTLCS {
            return Err(Error::TooManyHtlcs { count: n });
        }
        let len = HEAD_LEN + HTLC_LEN * n + 1;
        if bytes.len() != len {
            return Err(bad(alloc::format!(
                "{} bytes for {n} HTLCs, expected {len}",
                bytes.len()
            )));
        }
        let u64_at = |i: usize| u64::from_be_bytes(bytes[i..i + 8].try_into().expect("8"));
        let u128_at = |i: usize| u128::from_be_bytes(bytes[i..i + 16].try_into().expect("16"));
        let party = |b: u8| match b {
            0 => Ok(Party::A),
            1 => Ok(Party::B),
            b => Err(bad(alloc::format!("payer byte {b} is not 0 or 1"))),
        };
        let mut htlcs = Vec::with_capacity(n);
        for k in 0..n {
            let at = HEAD_LEN + k * HTLC_LEN;
            htlcs.push(Htlc {
                amount: u128_at(at),
                payment_hash: bytes[at + 16..at + 48].try_into().expect("32"),
                timeout: u64_at(at + 48),
                payer: party(bytes[at + 56])?,
            });
        }
        let is_final = match bytes[len - 1] {
            0 => false,
            1 => true,
            b => return Err(bad(alloc::format!("final byte {b} is not 0 or 1"))),
        };
        Ok(ChannelState {
            channel_id: u64_at(0),
            version: u64_at(8),
            funded: [u128_at(16), u128_at(32)],
            balances: [u128_at(48), u128_at(64)],
            htlcs,
            is_final,
        })
    }

    /// What both parties sign: `keccak(tag || domain || encode())`.
    pub fn signing_hash(&self, domain: &ChannelDomain) -> Hash {
        keccak256_concat(&[CHANNEL_STATE_TAG, &domain.0, &self.encode()])
    }

    /// Balances plus HTLC amounts.
    pub fn allocated(&self) -> Result<u128, Error> {
        self.htlcs
            .iter()
            .try_fold(self.balances[0], |acc, h| acc.checked_add(h.amount))
            .and_then(|acc| acc.checked_add(self.balances[1]))
            .ok_or(Error::AmountOverflow)
    }

    /// Checks that the state belongs to `channel_id` and allocates exactly the funding it
    /// declares, which is at most what each party has put in (`funding`).
    pub fn check(&self, channel_id: u64, funding: [u128; 2]) -> Result<(), Error> {
        if self.channel_id != channel_id {
            return Err(Error::WrongChannel {
                expected: channel_id,
                got: self.channel_id,
            });
        }
        for p in [Party::A, Party::B] {
            let (declared, held) = (self.funded[p.index()], funding[p.index()]);
            if declared > held {
                return Err(Error::Overfunded {
                    party: p,
                    declared,
                    held,
                });
            }
        }
        if self.htlcs.len() > MAX_HTLCS {
            return Err(Error::TooManyHtlcs {
                count: self.htlcs.len(),
            });
        }
        if let Some(k) = self.htlcs.iter().position(|h| h.amount == 0) {
            return Err(Error::ZeroHtlc { index: k });
        }
        if self.is_final && !self.htlcs.is_empty() {
            return Err(Error::FinalWithHtlcs {
                count: self.htlcs.len(),
            });
        }
        let funded = self.funded[0]
            .checked_add(self.funded[1])
            .ok_or(Error::AmountOverflow)?;
        let allocated = self.allocated()?;
        if allocated != funded {
            return Err(Error::Misallocated { allocated, funded });
        }
        Ok(())
    }
}

/// Checks both parties' signatures (low-s, as the core requires everywhere) over `state`.
pub fn verify_cosigned<V: Verifier + ?Sized>(
    verifier: &V,
    domain: &ChannelDomain,
    state: &ChannelState,
    pubkeys: [&PubKey; 2],
    signatures: [&[u8; 64]; 2],
) -> Result<(), Error> {
    let hash = state.signing_hash(domain);
    for p in [Party::A, Party::B] {
        let sig = signatures[p.index()];
        if !is_low_s(sig) || !verifier.secp256k1_verify(&hash, sig, pubkeys[p.index()]) {
            return Err(Error::BadStateSignature { party: p });
        }
    }
    Ok(())
}

/// `newer` may replace `current` only with a strictly higher version.
pub fn supersedes(current: &ChannelState, newer: &ChannelState) -> Result<(), Error> {
    if newer.version <= current.version {
        return Err(Error::NotNewer {
            version: newer.version,
            current: current.version,
        });
    }
    Ok(())
}

// ---- joining ------------------------------------------------------------------------

/// The two parties need two different keys (otherwise one signature stands for both).
pub fn check_distinct_keys(keys: [&PubKey; 2]) -> Result<(), Error> {
    if keys[0] == keys[1] {
        return Err(Error::SameKeys);
    }
    Ok(())
}

/// When a channel opened at `now` (seconds) with `join_window` stops accepting the
/// counterparty's join (and its opener may reclaim): `now + join_window`, the window in
/// `1..=MAX_JOIN_WINDOW`.
pub fn join_deadline(now: u64, join_window: u64) -> Result<u64, Error> {
    if join_window == 0 || join_window > MAX_JOIN_WINDOW {
        return Err(Error::JoinWindow {
            got: join_window,
            max: MAX_JOIN_WINDOW,
        });
    }
    now.checked_add(join_window).ok_or(Error::AmountOverflow)
}

/// What the counterparty signs with its channel key to join: `keccak(tag || domain ||
/// channel_id (8 BE) || keccak(counterparty address) || key a || key b)`.
pub fn join_hash(
    domain: &ChannelDomain,
    channel_id: u64,
    counterparty: &str,
    keys: [&PubKey; 2],
) -> Hash {
    keccak256_concat(&[
        CHANNEL_JOIN_TAG,
        &domain.0,
        &channel_id.to_be_bytes(),
        &keccak256(counterparty.as_bytes()),
        keys[0],
        keys[1],
    ])
}

#[allow(clippy::too_many_arguments)]
/// Checks a join by `counterparty` (its address) at `now`: before the deadline, with a
/// signature of key b over [`join_hash`] (so the key is the counterparty's, and the
/// counterparty agrees to this channel, this address and this key pair).
pub fn verify_join<V: Verifier + ?Sized>(
    verifier: &V,
    domain: &ChannelDomain,
    channel_id: u64,
    counterparty: &str,
    keys: [&PubKey; 2],
    signature: &[u8; 64],
    now: u64,
    deadline: u64,
) -> Result<(), Error> {
    if now >= deadline {
        return Err(Error::JoinClosed { deadline, now });
    }
    let hash = join_hash(domain, channel_id, counterparty, keys);
    if !is_low_s(signature) || !verifier.secp256k1_verify(&hash, signature, keys[1]) {
        return Err(Error::BadJoinSignature);
    }
    Ok(())
}

/// The opener takes its funds back from a channel nobody joined once the deadline passed.
pub fn check_reclaim(now: u64, deadline: u64) -> Result<(), Error> {
    if now < deadline {
        return Err(Error::JoinOpen { deadline, now });
    }
    Ok(())
}

// ---- revocations and watchtowers ------------------------------------------------------

/// What a party signs to give up every state of `channel_id` up to `version`:
/// `keccak(tag || domain || channel_id (8 BE) || version (8 BE))`. A party signs it for
/// version `v` only once it holds version `v + 1` with both signatures.
pub fn revocation_hash(domain: &ChannelDomain, channel_id: u64, version: u64) -> Hash {
    keccak256_concat(&[
        CHANNEL_REVOKE_TAG,
        &domain.0,
        &channel_id.to_be_bytes(),
        &version.to_be_bytes(),
    ])
}

/// A party's signed revocation of `version` (and so of every older one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revocation {
    pub version: u64,
    pub signature: [u8; 64],
}

/// Checks that `party` (key `key`) signed `revocation` for `channel_id`.
pub fn verify_revocation<V: Verifier + ?Sized>(
    verifier: &V,
    domain: &ChannelDomain,
    channel_id: u64,
    party: Party,
    key: &PubKey,
    revocation: &Revocation,
) -> Result<(), Error> {
    let hash = revocation_hash(domain, channel_id, revocation.version);
    let sig = &revocation.signature;
    if !is_low_s(sig) || !verifier.secp256k1_verify(&hash, sig, key) {
        return Err(Error::BadRevocation {
            party,
            version: revocation.version,
        });
    }
    Ok(())
}

/// What a party signs to let `watchtower` (an address) earn the fee for proving a stale
/// close of `channel_id` on its behalf: `keccak(tag || domain || channel_id (8 BE) ||
/// keccak(watchtower address))`.
pub fn watchtower_hash(domain: &ChannelDomain, channel_id: u64, watchtower: &str) -> Hash {
    keccak256_concat(&[
        CHANNEL_WATCHTOWER_TAG,
        &domain.0,
        &channel_id.to_be_bytes(),
        &keccak256(watchtower.as_bytes()),
    ])
}

/// Checks that `party` (key `key`) authorised `watchtower` (an address) for `channel_id`:
/// its low-s signature over [`watchtower_hash`].
pub fn verify_watchtower_authorisation<V: Verifier + ?Sized>(
    verifier: &V,
    domain: &ChannelDomain,
    channel_id: u64,
    party: Party,
    key: &PubKey,
    watchtower: &str,
    authorisation: &[u8; 64],
) -> Result<(), Error> {
    let hash = watchtower_hash(domain, channel_id, watchtower);
    if !is_low_s(authorisation) || !verifier.secp256k1_verify(&hash, authorisation, key) {
        return Err(Error::BadWatchtowerAuthorisation {
            party,
            watchtower: watchtower.into(),
        });
    }
    Ok(())
}

// ---- closing and disputes ---------------------------------------------------------------

/// A unilateral close in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closing {
    pub closer: Party,
    /// The version the closer closed with: a revocation of it (or of a newer version) by
    /// the closer proves the close stale.
    pub closed_version: u64,
    /// Proven stale: the closer forfeits its penalty share at settlement.
    pub stale: bool,
    /// The proof came from a watchtower the wronged party authorised (it earns the fee).
    pub by_watchtower: bool,
}

impl Closing {
    /// `closer` closes with `state` (already checked and co-signed).
    pub fn new(closer: Party, state: &ChannelState) -> Self {
        Closing {
            closer,
            closed_version: state.version,
            stale: false,
            by_watchtower: false,
        }
    }

    /// The penalty a settlement applies, if any.
    pub fn stale_close(&self) -> Option<StaleClose> {
        self.stale.then_some(StaleClose {
            closer: self.closer,
            by_watchtower: self.by_watchtower,
        })
    }
}

/// Who sends a dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disputer<'a> {
    /// One of the parties.
    Party(Party),
    /// Anyone else, by address (a watchtower, or anybody who copied a dispute).
    Other(&'a str),
}

/// What a dispute does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisputeOutcome {
    pub closing: Closing,
    /// A newer state replaces the closing one.
    pub replaces: bool,
    /// This dispute proved the close stale.
    pub proves_stale: bool,
}

/// A dispute of `closing` (whose current state is `current`) by `by`, inside the window:
/// - `newer` (checked and co-signed by the caller) replaces `current` if its version is
///   strictly higher; that alone never penalises anyone (the closer may simply not have
///   had it with both signatures);
/// - `revocation`, the closer's signed revocation of a version at least the one it closed
///   with, proves the close stale: the closer forfeits its penalty share;
/// - the fee for that proof goes only to a third party that shows `authorisation`, the
///   wronged party's signature over [`watchtower_hash`] of its address; the wronged
///   party's own dispute and an unauthorised third party's earn none.
///
/// A dispute that brings neither a newer state nor a new proof is refused.
#[allow(clippy::too_many_arguments)]
pub fn dispute<V: Verifier + ?Sized>(
    verifier: &V,
    domain: &ChannelDomain,
    channel_id: u64,
    keys: [&PubKey; 2],
    closing: &Closing,
    current: &ChannelState,
    newer: Option<&ChannelState>,
    revocation: Option<&Revocation>,
    by: Disputer<'_>,
    authorisation: Option<&[u8; 64]>,
) -> Result<DisputeOutcome, Error> {
    if let Some(newer) = newer {
        supersedes(current, newer)?;
    }
    let closer = closing.closer;
    let wronged = closer.other();
    let mut proves_stale = false;
    if let Some(r) = revocation {
        verify_revocation(
            verifier,
            domain,
            channel_id,
            closer,
            keys[closer.index()],
            r,
        )?;
        if r.version < closing.closed_version {
            return Err(Error::RevocationTooOld {
                revoked: r.version,
                closed: closing.closed_version,
            });
        }
        proves_stale = !closing.stale;
    }
    if newer.is_none() && !proves_stale {
        return Err(Error::NothingToDispute);
    }
    let mut by_watchtower = false;
    if let (Disputer::Other(addr), Some(sig)) = (by, authorisation) {
        verify_watchtower_authorisation(
            verifier,
            domain,
            channel_id,
            wronged,
            keys[wronged.index()],
            addr,
            sig,
        )?;
        by_watchtower = true;
    }
    let mut next = *closing;
    if proves_stale {
        next.stale = true;
        next.by_watchtower = by_watchtower;
    }
    Ok(DisputeOutcome {
        closing: next,
        replaces: newer.is_some(),
        proves_stale,
    })
}

/// A cooperative close with `state`, on an open channel (`pending` None) or during a
/// unilateral close (`pending`: the close and its current state). The state must be final;
/// once a close is pending it must be at least as new as the pending state (no rollback),
/// and once the close was proven stale the penalty stands: the channel settles through
/// its window.
pub fn check_cooperative(
    state: &ChannelState,
    pending: Option<(&Closing, &ChannelState)>,
) -> Result<(), Error> {
    if !state.is_final {
        return Err(Error::NotFinal);
    }
    if let Some((closing, current)) = pending {
        if closing.stale {
            return Err(Error::PenaltyEarned {
                closer: closing.closer,
            });
        }
        if state.version < current.version {
            return Err(Error::OlderThanPending {
                version: state.version,
                pending: current.version,
            });
        }
    }
    Ok(())
}

/// How a stale close is punished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PenaltyRules {
    /// Share of the stale closer's balance forfeited to the other party (basis points;
    /// 10,000 = all of it, as in Lightning).
    pub share_bps: u16,
    /// Share of the forfeited amount paid to the watchtower (authorised by the wronged
    /// party) that proved the stale close (basis points, at most
    /// [`MAX_WATCHTOWER_FEE_BPS`]).
    pub watchtower_fee_bps: u16,
}

impl PenaltyRules {
    pub fn check(&self) -> Result<(), Error> {
        for (what, v, max) in [
            ("penalty share", self.share_bps, BPS),
            (
                "watchtower fee",
                self.watchtower_fee_bps,
                MAX_WATCHTOWER_FEE_BPS,
            ),
        ] {
            if v > max {
                return Err(Error::malformed(
                    "penalty rules",
                    alloc::format!("{what} of {v} basis points is more than {max}"),
                ));
            }
        }
        Ok(())
    }
}

/// `amount * bps / 10,000`, rounded down, without overflow.
fn share(amount: u128, bps: u16) -> u128 {
    let (bps, whole) = (bps as u128, BPS as u128);
    (amount / whole) * bps + (amount % whole) * bps / whole
}

/// A stale close: proven by the closer's revocation of the state it closed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaleClose {
    /// Who closed with the stale state.
    pub closer: Party,
    /// Whether a watchtower the wronged party authorised proved it (and earns the fee).
    pub by_watchtower: bool,
}

/// Where a settled channel's funds go (HTLC amounts are settled one by one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payout {
    /// Paid to A and B now.
    pub parties: [u128; 2],
    /// Paid to the watchtower that proved a stale close.
    pub watchtower: u128,
    /// Held for the state's HTLCs.
    pub htlcs: u128,
}

impl Payout {
    pub fn total(&self) -> Option<u128> {
        self.parties[0]
            .checked_add(self.parties[1])?
            .checked_add(self.watchtower)?
            .checked_add(self.htlcs)
    }
}

/// Splits a channel's `funding` by its closing `state`: the balances (minus a stale
/// closer's penalty), funding the state did not account for back to its funder, and the
/// HTLC amounts held. The parts always add up to the funding exactly.
pub fn payout(
    state: &ChannelState,
    funding: [u128; 2],
    stale: Option<StaleClose>,
    rules: PenaltyRules,
) -> Result<Payout, Error> {
    rules.check()?;
    state.check(state.channel_id, funding)?;
    let mut parties = [0u128; 2];
    for p in [Party::A, Party::B] {
        let i = p.index();
        // checked above: funded <= funding
        parties[i] = state.balances[i]
            .checked_add(funding[i] - state.funded[i])
            .ok_or(Error::AmountOverflow)?;
    }
    let mut watchtower = 0;
    if let Some(s) = stale {
        let (c, o) = (s.closer.index(), s.closer.other().index());
        let forfeited = share(state.balances[c], rules.share_bps);
        let fee = if s.by_watchtower {
            share(forfeited, rules.watchtower_fee_bps)
        } else {
            0
        };
        parties[c] -= forfeited;
        parties[o] = parties[o]
            .checked_add(forfeited - fee)
            .ok_or(Error::AmountOverflow)?;
        watchtower = fee;
    }
    let htlcs = state
        .htlcs
        .iter()
        .try_fold(0u128, |acc, h| acc.checked_add(h.amount))
        .ok_or(Error::AmountOverflow)?;
    let out = Payout {
        parties,
        watchtower,
        htlcs,
    };
    debug_assert_eq!(
        out.total(),
        funding[0].checked_add(funding[1]),
        "a payout conserves the funding"
    );
    Ok(out)
}

/// What happens to an HTLC of a settled channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HtlcOutcome {
    /// Neither claimed nor timed out yet.
    Pending,
    /// The preimage was revealed before the timeout: the payee takes it.
    ToPayee,
    /// Timed out unclaimed: back to the payer.
    ToPayer,
}

/// The fate of `htlc` at `now`, given when (if ever) its preimage was revealed on chain.
pub fn htlc_outcome(htlc: &Htlc, revealed_at: Option<u64>, now: u64) -> HtlcOutcome {
    match revealed_at {
        Some(t) if t < htlc.timeout => HtlcOutcome::ToPayee,
        _ if now >= htlc.timeout => HtlcOutcome::ToPayer,
        _ => HtlcOutcome::Pending,
    }
}

#[cfg(all(test, feature = "native"))]
mod tests {
    use super::*;
    use crate::crypto::{L2Key, NativeVerifier};
    use proptest::prelude::*;

    fn state() -> ChannelState {
        ChannelState {
            channel_id: 7,
            version: 3,
            funded: [1_000, 500],
            balances: [900, 400],
            htlcs: alloc::vec![
                Htlc {
                    amount: 150,
                    payment_hash: payment_hash(&[1; 32]).unwrap(),
                    timeout: 1_000,
                    payer: Party::A,
                },
                Htlc {
                    amount: 50,
                    payment_hash: [2; 32],
                    timeout: 2_000,
                    payer: Party::B,
                },
            ],
            is_final: false,
        }
    }

    #[test]
    fn states_encode_canonically() {
        let s = state();
        let bytes = s.encode();
        assert_eq!(bytes.len(), HEAD_LEN + 2 * HTLC_LEN + 1);
        assert_eq!(ChannelState::decode(&bytes), Ok(s.clone()));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(ChannelState::decode(&longer).is_err());
        assert!(ChannelState::decode(&bytes[..bytes.len() - 1]).is_err());
        let mut bad_final = bytes.clone();
        *bad_final.last_mut().unwrap() = 2;
        assert!(ChannelState::decode(&bad_final).is_err());
        let mut bad_payer = bytes.clone();
        bad_payer[HEAD_LEN + 56] = 7;
        assert!(ChannelState::decode(&bad_payer).is_err());
        let mut many = bytes;
        many[HEAD_LEN - 1] = 33;
        assert_eq!(
            ChannelState::decode(&many),
            Err(Error::TooManyHtlcs { count: 33 })
        );
    }

    #[test]
    fn payment_hashes_are_sha256_of_32_bytes() {
        // sha256 of 32 zero bytes
        assert_eq!(
            hex::encode(payment_hash(&[0; 32]).unwrap()),
            "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
        );
        assert!(payment_hash(&[0; 31]).is_err());
    }

    #[test]
    fn allocation_rules() {
        let s = state();
        assert_eq!(s.check(7, [1_000, 500]), Ok(()));
        // a later top-up by b does not invalidate the state
        assert_eq!(s.check(7, [1_000, 800]), Ok(()));
        assert_eq!(
            s.check(8, [1_000, 500]),
            Err(Error::WrongChannel {
                expected: 8,
                got: 7
            })
        );
        assert_eq!(
            s.check(7, [999, 500]),
            Err(Error::Overfunded {
                party: Party::A,
                declared: 1_000,
                held: 999
            })
        );
        let over = ChannelState {
            balances: [901, 400],
            ..s.clone()
        };
        assert_eq!(
            over.check(7, [1_000, 500]),
            Err(Error::Misallocated {
                allocated: 1_501,
                funded: 1_500
            })
        );
        let mut zero = s.clone();
        zero.htlcs[1].amount = 0;
        assert_eq!(
            zero.check(7, [1_000, 500]),
            Err(Error::ZeroHtlc { index: 1 })
        );
        let fin = ChannelState {
            is_final: true,
            ..s.clone()
        };
        assert_eq!(
            fin.check(7, [1_000, 500]),
            Err(Error::FinalWithHtlcs { count: 2 })
        );
        let huge = ChannelState {
            funded: [u128::MAX, 1],
            balances: [u128::MAX, 1],
            htlcs: alloc::vec![],
            ..s
        };
        assert_eq!(huge.allocated(), Err(Error::AmountOverflow));
        assert_eq!(huge.check(7, [u128::MAX, 1]), Err(Error::AmountOverflow));
    }

    #[test]
    fn signatures_bind_the_channel_the_contract_and_the_chain() {
        let (ka, kb) = (L2Key::from_label("ch-a"), L2Key::from_label("ch-b"));
        let (pa, pb) = (ka.public_key(), kb.public_key());
        let domain = ChannelDomain::new("chain-1", "contract-1");
        let s = state();
        let h = s.signing_hash(&domain);
        let (sa, sb) = (ka.sign_prehash(&h), kb.sign_prehash(&h));
        let v = NativeVerifier;
        assert_eq!(
            verify_cosigned(&v, &domain, &s, [&pa, &pb], [&sa, &sb]),
            Ok(())
        );
        assert_eq!(
            verify_cosigned(&v, &domain, &s, [&pa, &pb], [&sb, &sa]),
            Err(Error::BadStateSignature { party: Party::A })
        );
        assert_eq!(
            verify_cosigned(&v, &domain, &s, [&pa, &pb], [&sa, &sa]),
            Err(Error::BadStateSignature { party: Party::B })
        );
        for other in [
            ChannelDomain::new("chain-2", "contract-1"),
            ChannelDomain::new("chain-1", "contract-2"),
        ] {
            assert!(verify_cosigned(&v, &other, &s, [&pa, &pb], [&sa, &sb]).is_err());
        }
        let other_channel = ChannelState {
            channel_id: 8,
            ..s.clone()
        };
        assert!(verify_cosigned(&v, &domain, &other_channel, [&pa, &pb], [&sa, &sb]).is_err());
        // the channel domain is not the rollup's transaction domain
        assert_ne!(domain.0, crate::tx::Domain::new("chain-1", "contract-1").0);
    }

    #[test]
    fn newer_versions_replace_and_stale_closers_pay() {
        let s = state();
        let newer = ChannelState {
            version: 4,
            ..s.clone()
        };
        assert_eq!(supersedes(&s, &newer), Ok(()));
        assert_eq!(
            supersedes(&newer, &s),
            Err(Error::NotNewer {
                version: 3,
                current: 4
            })
        );
        assert!(supersedes(&s, &s).is_err());
        let all = PenaltyRules {
            share_bps: BPS,
            watchtower_fee_bps: 1_000,
        };
        // no penalty: balances, plus b's late top-up of 300 back to b
        assert_eq!(
            payout(&s, [1_000, 800], None, all),
            Ok(Payout {
                parties: [900, 700],
                watchtower: 0,
                htlcs: 200
            })
        );
        // a closed with a stale state and b proved it: a forfeits its 900
        assert_eq!(
            payout(
                &s,
                [1_000, 500],
                Some(StaleClose {
                    closer: Party::A,
                    by_watchtower: false
                }),
                all
            ),
            Ok(Payout {
                parties: [0, 1_300],
                watchtower: 0,
                htlcs: 200
            })
        );
        // a watchtower proved it: 10% of the forfeit is its fee
        assert_eq!(
            payout(
                &s,
                [1_000, 500],
                Some(StaleClose {
                    closer: Party::A,
                    by_watchtower: true
                }),
                all
            ),
            Ok(Payout {
                parties: [0, 1_210],
                watchtower: 90,
                htlcs: 200
            })
        );
        assert!(payout(
            &s,
            [1_000, 500],
            None,
            PenaltyRules {
                share_bps: BPS + 1,
                watchtower_fee_bps: 0
            }
        )
        .is_err());
    }

    #[test]
    fn htlcs_go_to_the_payee_with_a_timely_preimage_and_back_after_the_timeout() {
        let h = state().htlcs[0];
        assert_eq!(h.payee(), Party::B);
        assert_eq!(htlc_outcome(&h, None, 999), HtlcOutcome::Pending);
        assert_eq!(htlc_outcome(&h, Some(999), 5_000), HtlcOutcome::ToPayee);
        assert_eq!(htlc_outcome(&h, Some(1_000), 1_000), HtlcOutcome::ToPayer);
        assert_eq!(htlc_outcome(&h, None, 1_000), HtlcOutcome::ToPayer);
    }

    fn keys() -> (L2Key, L2Key, PubKey, PubKey) {
        let (ka, kb) = (L2Key::from_label("ch-a"), L2Key::from_label("ch-b"));
        let (pa, pb) = (ka.public_key(), kb.public_key());
        (ka, kb, pa, pb)
    }

    fn revoke(k: &L2Key, d: &ChannelDomain, id: u64, version: u64) -> Revocation {
        Revocation {
            version,
            signature: k.sign_prehash(&revocation_hash(d, id, version)),
        }
    }

    #[test]
    fn c5_the_counterparty_proves_its_key_and_keys_differ() {
        let (ka, kb, pa, pb) = keys();
        let d = ChannelDomain::new("chain-1", "contract-1");
        let v = NativeVerifier;
        assert_eq!(check_distinct_keys([&pa, &pa]), Err(Error::SameKeys));
        assert_eq!(check_distinct_keys([&pa, &pb]), Ok(()));
        let sig = kb.sign_prehash(&join_hash(&d, 3, "bob", [&pa, &pb]));
        assert_eq!(
            verify_join(&v, &d, 3, "bob", [&pa, &pb], &sig, 10, 11),
            Ok(())
        );
        // another address, channel, key pair or domain, or the opener's key: refused
        for (id, who, keys, dom) in [
            (3, "mallory", [&pa, &pb], d),
            (4, "bob", [&pa, &pb], d),
            (3, "bob", [&pb, &pb], d),
            (
                3,
                "bob",
                [&pa, &pb],
                ChannelDomain::new("chain-2", "contract-1"),
            ),
        ] {
            assert_eq!(
                verify_join(&v, &dom, id, who, keys, &sig, 10, 11),
                Err(Error::BadJoinSignature)
            );
        }
        let by_a = ka.sign_prehash(&join_hash(&d, 3, "bob", [&pa, &pb]));
        assert_eq!(
            verify_join(&v, &d, 3, "bob", [&pa, &pb], &by_a, 10, 11),
            Err(Error::BadJoinSignature)
        );
        assert_eq!(
            verify_join(&v, &d, 3, "bob", [&pa, &pb], &sig, 11, 11),
            Err(Error::JoinClosed {
                deadline: 11,
                now: 11
            })
        );
    }

    #[test]
    fn c3_an_unjoined_channel_is_reclaimable_after_a_bounded_join_window() {
        assert_eq!(join_deadline(100, 50), Ok(150));
        assert!(join_deadline(100, 0).is_err());
        assert_eq!(
            join_deadline(0, MAX_JOIN_WINDOW + 1),
            Err(Error::JoinWindow {
                got: MAX_JOIN_WINDOW + 1,
                max: MAX_JOIN_WINDOW
            })
        );
        assert_eq!(
            check_reclaim(149, 150),
            Err(Error::JoinOpen {
                deadline: 150,
                now: 149
            })
        );
        assert_eq!(check_reclaim(150, 150), Ok(()));
    }

    #[test]
    fn c4_only_a_revoked_state_is_punished() {
        let (ka, kb, pa, pb) = keys();
        let d = ChannelDomain::new("chain-1", "contract-1");
        let v = NativeVerifier;
        let v3 = state();
        let v4 = ChannelState {
            version: 4,
            ..state()
        };
        // alice closes with v3, her newest state with both signatures (bob withheld his
        // signature on v4): bob's v4 replaces it, nobody is penalised
        let closing = Closing::new(Party::A, &v3);
        let out = dispute(
            &v,
            &d,
            7,
            [&pa, &pb],
            &closing,
            &v3,
            Some(&v4),
            None,
            Disputer::Party(Party::B),
            None,
        )
        .unwrap();
        assert!(out.replaces && !out.proves_stale);
        assert_eq!(out.closing.stale_close(), None);
        // alice had revoked v3 (after getting v4 with both signatures): bob's v4 and her
        // revocation make her forfeit
        let out = dispute(
            &v,
            &d,
            7,
            [&pa, &pb],
            &closing,
            &v3,
            Some(&v4),
            Some(&revoke(&ka, &d, 7, 3)),
            Disputer::Party(Party::B),
            None,
        )
        .unwrap();
        assert_eq!(
            out.closing.stale_close(),
            Some(StaleClose {
                closer: Party::A,
                by_watchtower: false
            })
        );
        // a revocation of a later version covers v3 too; an earlier one does not
        assert!(
            dispute(
                &v,
                &d,
                7,
                [&pa, &pb],
                &closing,
                &v3,
                None,
                Some(&revoke(&ka, &d, 7, 9)),
                Disputer::Party(Party::B),
                None,
            )
            .unwrap()
            .proves_stale
        );
        assert_eq!(
            dispute(
                &v,
                &d,
                7,
                [&pa, &pb],
                &closing,
                &v3,
                Some(&v4),
                Some(&revoke(&ka, &d, 7, 2)),
                Disputer::Party(Party::B),
                None,
            ),
            Err(Error::RevocationTooOld {
                revoked: 2,
                closed: 3
            })
        );
        // only the closer's revocation, for this channel and domain, counts
        for r in [
            revoke(&kb, &d, 7, 3),
            revoke(&ka, &d, 8, 3),
            revoke(&ka, &ChannelDomain::new("chain-2", "contract-1"), 7, 3),
        ] {
            assert_eq!(
                dispute(
                    &v,
                    &d,
                    7,
                    [&pa, &pb],
                    &closing,
                    &v3,
                    Some(&v4),
                    Some(&r),
                    Disputer::Party(Party::B),
                    None,
                ),
                Err(Error::BadRevocation {
                    party: Party::A,
                    version: 3
                })
            );
        }
        // the revocation may come after the newer state (even if the closer posted it)
        let replaced = dispute(
            &v,
            &d,
            7,
            [&pa, &pb],
            &closing,
            &v3,
            Some(&v4),
            None,
            Disputer::Party(Party::A),
            None,
        )
        .unwrap()
        .closing;
        let late = dispute(
            &v,
            &d,
            7,
            [&pa, &pb],
            &replaced,
            &v4,
            None,
            Some(&revoke(&ka, &d, 7, 3)),
            Disputer::Party(Party::B),
            None,
        )
        .unwrap();
        assert!(late.proves_stale && !late.replaces);
        // nothing new: refused
        assert_eq!(
            dispute(
                &v,
                &d,
                7,
                [&pa, &pb],
                &late.closing,
                &v4,
                None,
                Some(&revoke(&ka, &d, 7, 3)),
                Disputer::Party(Party::B),
                None,
            ),
            Err(Error::NothingToDispute)
        );
        assert_eq!(
            dispute(
                &v,
                &d,
                7,
                [&pa, &pb],
                &closing,
                &v3,
                Some(&v3),
                None,
                Disputer::Party(Party::B),
                None,
            ),
            Err(Error::NotNewer {
                version: 3,
                current: 3
            })
        );
    }

    #[test]
    fn c2_only_an_authorised_watchtower_earns_the_fee() {
        let (ka, kb, pa, pb) = keys();
        let d = ChannelDomain::new("chain-1", "contract-1");
        let v = NativeVerifier;
        let v3 = state();
        let v4 = ChannelState {
            version: 4,
            ..state()
        };
        let closing = Closing::new(Party::A, &v3);
        let rev = revoke(&ka, &d, 7, 3);
        let auth = kb.sign_prehash(&watchtower_hash(&d, 7, "tower"));
        let run = |by, auth: Option<&[u8; 64]>| {
            dispute(
                &v,
                &d,
                7,
                [&pa, &pb],
                &closing,
                &v3,
                Some(&v4),
                Some(&rev),
                by,
                auth,
            )
        };
        assert!(
            run(Disputer::Other("tower"), Some(&auth))
                .unwrap()
                .closing
                .by_watchtower
        );
        // a copier (the cheater's second address) without an authorisation: the penalty
        // stands, no fee
        let copied = run(Disputer::Other("copier"), None).unwrap();
        assert!(copied.closing.stale && !copied.closing.by_watchtower);
        // the tower's authorisation does not work for another address, nor one by alice
        assert_eq!(
            run(Disputer::Other("copier"), Some(&auth)),
            Err(Error::BadWatchtowerAuthorisation {
                party: Party::B,
                watchtower: "copier".into()
            })
        );
        let by_alice = ka.sign_prehash(&watchtower_hash(&d, 7, "copier"));
        assert!(run(Disputer::Other("copier"), Some(&by_alice)).is_err());
        // bob's own dispute earns no fee
        assert!(
            !run(Disputer::Party(Party::B), Some(&auth))
                .unwrap()
                .closing
                .by_watchtower
        );
        // the fee is capped at half of the forfeit
        let rules = |fee| PenaltyRules {
            share_bps: BPS,
            watchtower_fee_bps: fee,
        };
        assert_eq!(rules(MAX_WATCHTOWER_FEE_BPS).check(), Ok(()));
        assert!(rules(MAX_WATCHTOWER_FEE_BPS + 1).check().is_err());
        assert!(rules(BPS).check().is_err());
    }

    #[test]
    fn c1_a_pending_close_admits_no_older_state_and_no_escape_from_a_penalty() {
        let v3 = state();
        let fin = |version| ChannelState {
            version,
            is_final: true,
            htlcs: alloc::vec![],
            balances: [1_100, 400],
            ..state()
        };
        assert_eq!(check_cooperative(&fin(1), None), Ok(()));
        assert_eq!(check_cooperative(&v3, None), Err(Error::NotFinal));
        let pending = ChannelState {
            version: 5,
            ..state()
        };
        let mut closing = Closing::new(Party::A, &v3);
        assert_eq!(
            check_cooperative(&fin(4), Some((&closing, &pending))),
            Err(Error::OlderThanPending {
                version: 4,
                pending: 5
            })
        );
        assert_eq!(
            check_cooperative(&fin(5), Some((&closing, &pending))),
            Ok(())
        );
        assert_eq!(
            check_cooperative(&fin(6), Some((&closing, &pending))),
            Ok(())
        );
        closing.stale = true;
        assert_eq!(
            check_cooperative(&fin(6), Some((&closing, &pending))),
            Err(Error::PenaltyEarned { closer: Party::A })
        );
    }

    proptest! {
        #[test]
        fn payouts_conserve_the_funding(
            fa in 0u128..1u128 << 100,
            fb in 0u128..1u128 << 100,
            extra_a in 0u128..1u128 << 90,
            extra_b in 0u128..1u128 << 90,
            cut in 0u128..1u128 << 100,
            htlc in 0u128..1u128 << 90,
            share_bps in 0u16..=BPS,
            fee_bps in 0u16..=MAX_WATCHTOWER_FEE_BPS,
            stale in 0u8..4,
        ) {
            let total = fa + fb;
            let htlc = htlc.min(total);
            let a = cut.min(total - htlc);
            let s = ChannelState {
                channel_id: 1,
                version: 0,
                funded: [fa, fb],
                balances: [a, total - htlc - a],
                htlcs: if htlc > 0 {
                    alloc::vec![Htlc { amount: htlc, payment_hash: [0; 32], timeout: 9, payer: Party::A }]
                } else {
                    alloc::vec![]
                },
                is_final: false,
            };
            let stale = match stale {
                0 => None,
                1 => Some(StaleClose { closer: Party::A, by_watchtower: false }),
                2 => Some(StaleClose { closer: Party::B, by_watchtower: true }),
                _ => Some(StaleClose { closer: Party::A, by_watchtower: true }),
            };
            let funding = [fa + extra_a, fb + extra_b];
            let p = payout(&s, funding, stale, PenaltyRules { share_bps, watchtower_fee_bps: fee_bps }).unwrap();
            prop_assert_eq!(p.total(), Some(funding[0] + funding[1]));
            prop_assert_eq!(p.htlcs, htlc);
        }
    }
}
