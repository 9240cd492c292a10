//! The payment-channels contract under soak: several parties open, join and fund channels
//! in two denoms, move money off-chain with co-signed states (payments, HTLCs added and
//! resolved), revoke old states and authorise watchtowers, then close cooperatively or
//! unilaterally (with the latest state or a stale one), dispute (the counterparty, an
//! authorised watchtower, an unauthorised one, with newer, equal, foreign or over-allocated
//! states), settle after the window and settle HTLCs (preimage before the timeout, refund
//! after it), with time passing and invalid or unauthorised messages mixed in.
//!
//! The model is plain: per channel its phase, funding and the states both parties signed;
//! per address and denom its bank balance. It predicts whether the contract must accept
//! each message and what every payout is, and it is written from the contract's
//! documented rules, not by calling settle-core's (signing and encoding aside).

use std::collections::{BTreeMap, BTreeSet};

use cosmwasm_std::{Addr, Binary, Coin, Uint128};
use cw_multi_test::{AppResponse, Executor};
use rand::rngs::StdRng;
use rand::Rng;

use payment_channels::msg::{
    ChannelPhase, ChannelResponse, ExecuteMsg, QueryMsg, Revocation, SignedState,
};
use settle_core::channel::{
    join_hash, payment_hash, revocation_hash, watchtower_hash, ChannelState, Htlc, Party,
    MAX_JOIN_WINDOW,
};
use settle_core::crypto::L2Key;
use settle_testing::{ChannelSuite, ChannelSuiteBuilder};

use super::{err_text, expect, storage_bytes, Machine, Outcome};

/// The two denoms channels are funded in.
const DENOMS: [&str; 2] = [settle_testing::CHANNEL_DENOM, "ueur"];
/// Every party's genesis balance in each denom.
const FUNDS: u128 = 1_000_000_000_000;
const PARTIES: usize = 4;
const TOWERS: usize = 2;
/// Preimages known from the start (more join as HTLCs are added, each with its own).
const PREIMAGES: usize = 12;
/// A reveal names one of the newest this many preimages.
const RECENT: usize = 5;
/// Most HTLCs the soak puts in one state.
const MAX_SOAK_HTLCS: usize = 5;

/// A sender, resolved against the channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    A,
    B,
    Tower(u8),
    /// An address with funds and no part in any channel.
    Outsider,
}

/// Which signed state a close or dispute carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// The newest state both parties signed.
    Latest,
    /// `n` versions before the newest (a stale state once revoked).
    Older(u8),
    /// The state the pending close holds now (an equal version).
    Current,
    /// A co-signed state naming another channel (same keys).
    OtherChannel,
    /// Allocates one more than its declared funding.
    Overallocated,
    /// Declares more funding than the channel holds (balances at the top of u128).
    Overflow,
    /// B's signature made with A's key.
    BadSignature,
}

/// Which revocation a dispute carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevPick {
    None,
    /// The closer's newest revocation (if it gave any).
    Closer,
    /// The other party's newest revocation (not the closer's: refused).
    OtherParty,
    /// 63 bytes of signature.
    WrongLength,
}

/// Which watchtower authorisation a dispute carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthPick {
    None,
    /// The wronged party's authorisation of the sender, if the sender holds one.
    Held,
    /// The wronged party's authorisation of the sender for another channel.
    OtherChannel,
    /// Signed by the closer instead of the wronged party.
    WrongSigner,
}

/// What a cooperative close carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoopPick {
    /// A final state one version past the newest (HTLCs back to their payers).
    Next,
    /// A final state with the newest version.
    Same,
    /// A final state `n` versions before the newest.
    Older(u8),
    /// Not marked final.
    NotFinal,
    /// Allocates more than the funding.
    Overallocated,
}

/// An off-chain change both parties sign as the next version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// `from` (0 = A, 1 = B) pays `bps` of its balance to the other.
    Pay { from: u8, bps: u16 },
    /// `payer` locks `bps` of its balance in an HTLC to preimage `preimage`, timing out
    /// `timeout` seconds from now.
    AddHtlc {
        payer: u8,
        bps: u16,
        preimage: u8,
        timeout: u64,
    },
    /// HTLC `index` resolved off-chain, to its payee or back to its payer.
    Resolve { index: u8, to_payee: bool },
    /// Same balances, next version.
    Bump,
}

/// Faults of an open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenFault {
    None,
    /// The counterparty is the sender.
    SelfChannel,
    ZeroWindow,
    /// One second past the configured maximum.
    LongWindow,
    /// One second past the 30-day join window limit.
    LongJoin,
    /// Both keys the same.
    SameKeys,
    /// Not a point.
    BadKey,
    /// No coin attached.
    NoFunds,
    /// A coin of each denom attached.
    TwoCoins,
}

/// Faults of a join.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinFault {
    None,
    /// Sent by A (with B's signature).
    NotB,
    /// Signed with A's key.
    WrongKey,
    /// The other denom attached.
    WrongDenom,
}

/// Messages the contract must refuse outright.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Garbage {
    /// A settle of a channel that does not exist.
    NoSuchChannel,
    /// A settle with a coin attached.
    SettleWithFunds,
    /// A close whose signature is 63 bytes.
    ShortSignature,
    /// A close with bytes that are no state.
    Undecodable,
    /// A settle of an HTLC index past the state's.
    NoSuchHtlc,
}

/// One soak operation (a recipe: channels by index, resolved when applied).
#[derive(Clone, Debug)]
pub enum Op {
    Open {
        a: u8,
        b: u8,
        denom: u8,
        amount: u64,
        window: u64,
        join_window: u64,
        fault: OpenFault,
    },
    Join {
        ch: usize,
        amount: u64,
        fault: JoinFault,
    },
    Reclaim {
        ch: usize,
        by: Who,
    },
    Fund {
        ch: usize,
        by: Who,
        amount: u64,
        wrong_denom: bool,
    },
    /// Off-chain: the next co-signed state; `revoke` says which parties then revoke the
    /// previous one (bit 0: A, bit 1: B).
    Update {
        ch: usize,
        change: Change,
        revoke: u8,
    },
    /// Off-chain: party `side` authorises watchtower `tower` for the channel.
    Authorise {
        ch: usize,
        side: u8,
        tower: u8,
    },
    CoopClose {
        ch: usize,
        by: Who,
        pick: CoopPick,
    },
    Close {
        ch: usize,
        by: Who,
        pick: Pick,
    },
    Dispute {
        ch: usize,
        by: Who,
        newer: Option<Pick>,
        revocation: RevPick,
        auth: AuthPick,
    },
    Settle {
        ch: usize,
        by: Who,
    },
    Reveal {
        preimage: u8,
        bad_length: bool,
    },
    SettleHtlc {
        ch: usize,
        index: u8,
    },
    Advance {
        seconds: u64,
    },
    Garbage {
        ch: usize,
        kind: Garbage,
    },
}

#[derive(Clone, Debug)]
enum Phase {
    Proposed {
        deadline: u64,
    },
    Open,
    Closing {
        closer: usize,
        closed_version: u64,
        current: ChannelState,
        deadline: u64,
        stale: bool,
        tower: Option<usize>,
    },
    Settled {
        state: ChannelState,
        paid: Vec<bool>,
    },
    Closed,
}

impl Phase {
    fn name(&self) -> &'static str {
        match self {
            Phase::Proposed { .. } => "proposed",
            Phase::Open => "open",
            Phase::Closing { .. } => "closing",
            Phase::Settled { .. } => "settled",
            Phase::Closed => "closed",
        }
    }
}

#[derive(Clone, Debug)]
struct Chan {
    /// Party indices of A and B.
    parties: [usize; 2],
    denom: usize,
    funding: [u128; 2],
    window: u64,
    phase: Phase,
    /// Every state both parties signed: `states[v].version == v`.
    states: Vec<ChannelState>,
    /// Newest version each party revoked.
    revoked: [Option<u64>; 2],
    /// (side, tower) authorisations given.
    auths: BTreeSet<(usize, usize)>,
}

impl Chan {
    fn latest(&self) -> Option<&ChannelState> {
        self.states.last()
    }
}

/// The payment-channels contract, its parties and the model.
pub struct ChannelsSoak {
    suite: ChannelSuite,
    parties: Vec<Addr>,
    keys: Vec<L2Key>,
    towers: Vec<Addr>,
    outsider: Addr,
    share_bps: u128,
    fee_bps: u128,
    max_window: u64,
    channels: Vec<Chan>,
    preimages: Vec<[u8; 32]>,
    /// Payment hash -> first reveal time.
    revealed: BTreeMap<[u8; 32], u64>,
    /// (address, denom index) -> balance.
    bank: BTreeMap<(Addr, usize), u128>,
    /// What the contract owes per denom (every denom ever deposited has an entry).
    owed: BTreeMap<usize, u128>,
    /// The channel the last step touched (its on-chain record is compared in `check`).
    touched: Option<usize>,
    pub stats: Stats,
}

/// What the soak's settlements did (printed with `SOAK_STATS` set).
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    /// Settlements of a close proven stale (the closer's penalty applied).
    pub stale_punished: u64,
    /// ... of which proven by an authorised watchtower.
    pub by_watchtower: u64,
    /// Settlements on the newest state both signed (the honest-party check ran).
    pub on_latest: u64,
    /// HTLCs paid to their payee (preimage in time) and back to their payer.
    pub htlc_claimed: u64,
    pub htlc_refunded: u64,
}

impl Drop for ChannelsSoak {
    fn drop(&mut self) {
        if std::env::var_os("SOAK_STATS").is_some() {
            eprintln!("payment-channels stats: {:?}", self.stats);
        }
    }
}

fn share(amount: u128, bps: u128) -> u128 {
    amount * bps / 10_000
}

fn bps_of(amount: u128, bps: u16) -> u128 {
    amount * bps as u128 / 10_000
}

impl ChannelsSoak {
    fn now(&self) -> u64 {
        self.suite.now()
    }

    fn addr_of(&self, ch: &Chan, who: Who) -> Addr {
        match who {
            Who::A => self.parties[ch.parties[0]].clone(),
            Who::B => self.parties[ch.parties[1]].clone(),
            Who::Tower(t) => self.towers[t as usize % TOWERS].clone(),
            Who::Outsider => self.outsider.clone(),
        }
    }

    fn side_of(who: Who) -> Option<usize> {
        match who {
            Who::A => Some(0),
            Who::B => Some(1),
            _ => None,
        }
    }

    fn resolve(&self, ch: usize) -> usize {
        ch % self.channels.len().max(1)
    }

    fn keys_of(&self, ch: &Chan) -> [&L2Key; 2] {
        [&self.keys[ch.parties[0]], &self.keys[ch.parties[1]]]
    }

    fn bal(&self, who: &Addr, denom: usize) -> u128 {
        self.bank.get(&(who.clone(), denom)).copied().unwrap_or(0)
    }

    /// `who` sends `amount` of `denom` to the contract (model).
    fn take(&mut self, who: &Addr, denom: usize, amount: u128) {
        *self.bank.entry((who.clone(), denom)).or_default() -= amount;
        *self
            .bank
            .entry((self.suite.contract.clone(), denom))
            .or_default() += amount;
        *self.owed.entry(denom).or_default() += amount;
    }

    /// The contract pays `amount` of `denom` to `who` (model).
    fn pay(&mut self, who: &Addr, denom: usize, amount: u128) {
        *self
            .bank
            .entry((self.suite.contract.clone(), denom))
            .or_default() -= amount;
        *self.bank.entry((who.clone(), denom)).or_default() += amount;
        *self.owed.entry(denom).or_default() -= amount;
    }

    fn exec(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> Result<AppResponse, String> {
        self.suite
            .app
            .execute_contract(sender.clone(), self.suite.contract.clone(), msg, funds)
            .map_err(err_text)
    }

    fn signed(&self, ch: &Chan, state: &ChannelState) -> SignedState {
        self.suite.sign(state, self.keys_of(ch))
    }

    /// A state for a channel that has none yet (proposed): its funding as balances.
    fn initial(id: u64, funding: [u128; 2]) -> ChannelState {
        ChannelState {
            channel_id: id,
            version: 0,
            funded: funding,
            balances: funding,
            htlcs: vec![],
            is_final: false,
        }
    }

    /// Whether the contract's state checks pass for `s` on channel `id` (the documented
    /// rules: its channel, declared funding at most what each put in, at most 32 HTLCs,
    /// none of zero, a final state without HTLCs, allocating exactly its funding).
    fn state_ok(id: u64, funding: [u128; 2], s: &ChannelState) -> bool {
        if s.channel_id != id || s.funded[0] > funding[0] || s.funded[1] > funding[1] {
            return false;
        }
        if s.htlcs.len() > 32 || s.htlcs.iter().any(|h| h.amount == 0) {
            return false;
        }
        if s.is_final && !s.htlcs.is_empty() {
            return false;
        }
        let mut allocated: Option<u128> = s.balances[0].checked_add(s.balances[1]);
        for h in &s.htlcs {
            allocated = allocated.and_then(|a| a.checked_add(h.amount));
        }
        let funded = s.funded[0].checked_add(s.funded[1]);
        matches!((allocated, funded), (Some(a), Some(f)) if a == f)
    }

    /// The state a pick names, its signed form, and whether its signatures are good.
    fn pick_state(&self, idx: usize, pick: Pick) -> (ChannelState, SignedState, bool) {
        let ch = &self.channels[idx];
        let id = idx as u64;
        let base = ch
            .latest()
            .cloned()
            .unwrap_or_else(|| Self::initial(id, ch.funding));
        let mut good_sigs = true;
        let state = match pick {
            Pick::Latest | Pick::BadSignature => base,
            Pick::Older(n) => {
                let v = base.version.saturating_sub(n as u64) as usize;
                ch.states.get(v).cloned().unwrap_or(base)
            }
            Pick::Current => match &ch.phase {
                Phase::Closing { current, .. } => current.clone(),
                _ => base,
            },
            Pick::OtherChannel => ChannelState {
                channel_id: id + 1 + (self.channels.len() as u64 % 3),
                ..base
            },
            Pick::Overallocated => {
                let mut s = base;
                s.version += 1;
                s.balances[0] += 1;
                s
            }
            Pick::Overflow => {
                let mut s = base;
                s.version += 1;
                s.funded = [u128::MAX, 1];
                s.balances = [u128::MAX, 1];
                s.htlcs.clear();
                s
            }
        };
        let mut signed = self.signed(ch, &state);
        if pick == Pick::BadSignature {
            let h = state.signing_hash(&self.suite.domain);
            let k = &self.keys[ch.parties[0]];
            signed.signature_b = Binary::from(k.sign_prehash(&h).as_slice());
            good_sigs = false;
        }
        (state, signed, good_sigs)
    }

    /// The closer's (or another party's) newest revocation, signed.
    fn revocation(&self, idx: usize, side: usize) -> Option<(u64, Revocation)> {
        let ch = &self.channels[idx];
        let v = ch.revoked[side]?;
        let key = &self.keys[ch.parties[side]];
        let h = revocation_hash(&self.suite.domain, idx as u64, v);
        Some((
            v,
            Revocation {
                version: v,
                signature: Binary::from(key.sign_prehash(&h).as_slice()),
            },
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn step_open(
        &mut self,
        a: u8,
        b: u8,
        denom: u8,
        amount: u64,
        window: u64,
        join_window: u64,
        fault: OpenFault,
    ) -> Result<Outcome, String> {
        let ai = a as usize % PARTIES;
        let mut bi = b as usize % PARTIES;
        if bi == ai {
            bi = (bi + 1) % PARTIES;
        }
        if fault == OpenFault::SelfChannel {
            bi = ai;
        }
        let denom = denom as usize % 2;
        let amount = (amount as u128).max(1);
        let window = match fault {
            OpenFault::ZeroWindow => 0,
            OpenFault::LongWindow => self.max_window + 1,
            _ => window,
        };
        let join_window = if fault == OpenFault::LongJoin {
            MAX_JOIN_WINDOW + 1
        } else {
            join_window
        };
        let ka = self.keys[ai].public_key().to_vec();
        let kb = match fault {
            OpenFault::SameKeys => ka.clone(),
            OpenFault::BadKey => {
                let mut k = vec![0x05u8];
                k.extend_from_slice(&[7u8; 32]);
                k
            }
            _ => self.keys[bi].public_key().to_vec(),
        };
        let funds = match fault {
            OpenFault::NoFunds => vec![],
            OpenFault::TwoCoins => vec![Coin::new(amount, DENOMS[0]), Coin::new(amount, DENOMS[1])],
            _ => vec![Coin::new(amount, DENOMS[denom])],
        };
        let sender = self.parties[ai].clone();
        let affordable = funds.iter().all(|c| {
            let d = DENOMS
                .iter()
                .position(|d| *d == c.denom)
                .expect("a soak denom");
            Uint128::try_from(c.amount).is_ok_and(|a| self.bal(&sender, d) >= a.u128())
        });
        let predicted = fault == OpenFault::None
            && affordable
            && (1..=self.max_window).contains(&window)
            && (1..=MAX_JOIN_WINDOW).contains(&join_window);
        let msg = ExecuteMsg::Open {
            counterparty: self.parties[bi].to_string(),
            pubkey_a: Binary::from(ka),
            pubkey_b: Binary::from(kb),
            dispute_window: window,
            join_window,
        };
        let res = self.exec(&sender, &msg, &funds);
        let out = expect("open", predicted, &res)?;
        if out == Outcome::Accepted {
            let id = self.channels.len();
            let got = settle_testing::event_attr_of(
                res.as_ref().unwrap(),
                payment_channels::contract::EVENT,
                "open",
                "channel",
            );
            if got.as_deref() != Some(id.to_string().as_str()) {
                return Err(format!("open: channel id {got:?}, the model expects {id}"));
            }
            self.take(&sender, denom, amount);
            let deadline = self.now() + join_window;
            self.channels.push(Chan {
                parties: [ai, bi],
                denom,
                funding: [amount, 0],
                window,
                phase: Phase::Proposed { deadline },
                states: vec![],
                revoked: [None, None],
                auths: BTreeSet::new(),
            });
            self.touched = Some(id);
        }
        Ok(out)
    }

    fn step_join(&mut self, ch: usize, amount: u64, fault: JoinFault) -> Result<Outcome, String> {
        let idx = self.resolve(ch);
        let Some(c) = self.channels.get(idx).cloned() else {
            return self.absent("join");
        };
        let id = idx as u64;
        let (pa, pb) = (
            self.keys[c.parties[0]].public_key(),
            self.keys[c.parties[1]].public_key(),
        );
        let b_addr = self.parties[c.parties[1]].clone();
        let signer = if fault == JoinFault::WrongKey {
            &self.keys[c.parties[0]]
        } else {
            &self.keys[c.parties[1]]
        };
        let h = join_hash(&self.suite.domain, id, b_addr.as_str(), [&pa, &pb]);
        let signature = Binary::from(signer.sign_prehash(&h).as_slice());
        let sender = if fault == JoinFault::NotB {
            self.parties[c.parties[0]].clone()
        } else {
            b_addr
        };
        let amount = amount as u128;
        let denom = if fault == JoinFault::WrongDenom {
            1 - c.denom
        } else {
            c.denom
        };
        let funds = if amount > 0 {
            vec![Coin::new(amount, DENOMS[denom])]
        } else {
            vec![]
        };
        let now = self.now();
        let fault_bites = match fault {
            JoinFault::None => false,
            // No coin attached: no denom to be wrong.
            JoinFault::WrongDenom => amount > 0,
            _ => true,
        };
        let predicted = !fault_bites
            && matches!(c.phase, Phase::Proposed { deadline } if now < deadline)
            && self.bal(&sender, denom) >= amount;
        let res = self.exec(
            &sender,
            &ExecuteMsg::Join {
                channel: id,
                signature,
            },
            &funds,
        );
        let out = expect("join", predicted, &res)?;
        if out == Outcome::Accepted {
            // Accepted: the channel's denom, or no coin at all.
            self.take(&sender, c.denom, amount);
            let c = &mut self.channels[idx];
            c.funding[1] += amount;
            c.phase = Phase::Open;
            c.states = vec![Self::initial(id, c.funding)];
            self.touched = Some(idx);
        }
        Ok(out)
    }

    /// An operation on a channel when no channel exists: sent for channel 0, refused.
    fn absent(&mut self, what: &str) -> Result<Outcome, String> {
        let sender = self.outsider.clone();
        let res = self.exec(&sender, &ExecuteMsg::Settle { channel: 0 }, &[]);
        expect(what, false, &res)
    }

    fn step_reclaim(&mut self, ch: usize, by: Who) -> Result<Outcome, String> {
        let idx = self.resolve(ch);
        let Some(c) = self.channels.get(idx).cloned() else {
            return self.absent("reclaim");
        };
        let sender = self.addr_of(&c, by);
        let now = self.now();
        let predicted =
            by == Who::A && matches!(c.phase, Phase::Proposed { deadline } if now >= deadline);
        let res = self.exec(
            &sender,
            &ExecuteMsg::Reclaim {
                channel: idx as u64,
            },
            &[],
        );
        let out = expect("reclaim", predicted, &res)?;
        if out == Outcome::Accepted {
            let total = c.funding[0] + c.funding[1];
            self.pay(&sender, c.denom, total);
            self.channels[idx].phase = Phase::Closed;
            self.touched = Some(idx);
        }
        Ok(out)
    }

    fn step_fund(
        &mut self,
        ch: usize,
        by: Who,
        amount: u64,
        wrong_denom: bool,
    ) -> Result<Outcome, String> {
        let idx = self.resolve(ch);
        let Some(c) = self.channels.get(idx).cloned() else {
            return self.absent("fund");
        };
        let sender = self.addr_of(&c, by);
        let amount = (amount as u128).max(1);
        let denom = if wrong_denom { 1 - c.denom } else { c.denom };
        let side = Self::side_of(by);
        let predicted = side.is_some()
            && !wrong_denom
            && matches!(c.phase, Phase::Open)
            && self.bal(&sender, denom) >= amount;
        let res = self.exec(
            &sender,
            &ExecuteMsg::Fund {
                channel: idx as u64,
            },
            &[Coin::new(amount, DENOMS[denom])],
        );
        let out = expect("fund", predicted, &res)?;
        if out == Outcome::Accepted {
            self.take(&sender, denom, amount);
            self.channels[idx].funding[side.unwrap()] += amount;
            self.touched = Some(idx);
        }
        Ok(out)
    }

    /// Off-chain: the next co-signed state. Nothing goes to the chain.
    fn step_update(&mut self, ch: usize, change: Change, revoke: u8) -> Result<Outcome, String> {
        let idx = self.resolve(ch);
        let now = self.now();
        let Some(c) = self.channels.get_mut(idx) else {
            return Ok(Outcome::Refused);
        };
        if !matches!(c.phase, Phase::Open) {
            return Ok(Outcome::Refused);
        }
        let prev = c.latest().expect("an open channel has a state").clone();
        let mut next = prev.clone();
        next.version += 1;
        for i in 0..2 {
            next.balances[i] += c.funding[i] - prev.funded[i];
        }
        next.funded = c.funding;
        match change {
            Change::Pay { from, bps } => {
                let f = from as usize % 2;
                let amount = bps_of(next.balances[f], bps);
                next.balances[f] -= amount;
                next.balances[1 - f] += amount;
            }
            Change::AddHtlc {
                payer,
                bps,
                preimage,
                timeout,
            } => {
                let p = payer as usize % 2;
                let amount = bps_of(next.balances[p], bps).max(1);
                if next.htlcs.len() < MAX_SOAK_HTLCS && next.balances[p] >= amount {
                    // Mostly a preimage of its own (so that many are never revealed and
                    // time out), now and then one another HTLC locks to.
                    let fresh = if preimage % 4 == 0 {
                        self.preimages[preimage as usize % self.preimages.len()]
                    } else {
                        let mut fresh = [0u8; 32];
                        fresh[..8].copy_from_slice(&(idx as u64).to_be_bytes());
                        fresh[8..16].copy_from_slice(&next.version.to_be_bytes());
                        fresh[16] = preimage;
                        fresh[31] = 0x5a;
                        self.preimages.push(fresh);
                        fresh
                    };
                    next.balances[p] -= amount;
                    next.htlcs.push(Htlc {
                        amount,
                        payment_hash: payment_hash(&fresh).expect("32 bytes"),
                        timeout: now + timeout,
                        payer: if p == 0 { Party::A } else { Party::B },
                    });
                }
            }
            Change::Resolve { index, to_payee } => {
                if !next.htlcs.is_empty() {
                    let h = next.htlcs.remove(index as usize % next.htlcs.len());
                    let to = if to_payee { h.payee() } else { h.payer };
                    next.balances[to.index()] += h.amount;
                }
            }
            Change::Bump => {}
        }
        c.states.push(next);
        for side in 0..2 {
            if revoke & (1 << side) != 0 {
                c.revoked[side] = Some(prev.version);
            }
        }
        Ok(Outcome::Accepted)
    }

    fn step_authorise(&mut self, ch: usize, side: u8, tower: u8) -> Result<Outcome, String> {
        let idx = self.resolve(ch);
        let Some(c) = self.channels.get_mut(idx) else {
            return Ok(Outcome::Refused);
        };
        c.auths.insert((side as usize % 2, tower as usize % TOWERS));
        Ok(Outcome::Accepted)
    }

    fn step_coop(&mut self, ch: usize, by: Who, pick: CoopPick) -> Result<Outcome, String> {
        let idx = self.resolve(ch);
        let Some(c) = self.channels.get(idx).cloned() else {
            return self.absent("cooperative close");
        };
        let id = idx as u64;
        let base = c
            .latest()
            .cloned()
            .unwrap_or_else(|| Self::initial(id, c.funding));
        let mut s = base.clone();
        for i in 0..2 {
            s.balances[i] += c.funding[i] - base.funded[i];
        }
        s.funded = c.funding;
        for h in std::mem::take(&mut s.htlcs) {
            s.balances[h.payer.index()] += h.amount;
        }
        s.is_final = true;
        match pick {
            CoopPick::Next => s.version = base.version + 1,
            CoopPick::Same => {}
            CoopPick::Older(n) => s.version = base.version.saturating_sub(n as u64),
            CoopPick::NotFinal => {
                s.version = base.version + 1;
                s.is_final = false;
            }
            CoopPick::Overallocated => {
                s.version = base.version + 1;
                s.balances[1] += 1;
            }
        }
        let signed = self.signed(&c, &s);
        let sender = self.addr_of(&c, by);
        let ok_state = Self::state_ok(id, c.funding, &s) && s.is_final;
        let ok_phase = match &c.phase {
            Phase::Open => true,
            Phase::Closing { current, stale, .. } => !stale && s.version >= current.version,
            _ => false,
        };
        let predicted = ok_state && ok_phase;
        let res = self.exec(
            &sender,
            &ExecuteMsg::CooperativeClose {
                channel: id,
                signed,
            },
            &[],
        );
        let out = expect("cooperative close", predicted, &res)?;
        if out == Outcome::Accepted {
            let (a, b) = (
                self.parties[c.parties[0]].clone(),
                self.parties[c.parties[1]].clone(),
            );
            // The final state allocates exactly the funding: nothing unaccounted.
            self.pay(&a, c.denom, s.balances[0]);
            self.pay(&b, c.denom, s.balances[1]);
            self.channels[idx].phase = Phase::Closed;
            self.touched = Some(idx);
        }
        Ok(out)
    }

    fn step_close(&mut self, ch: usize, by: Who, pick: Pick) -> Result<Outcome, String> {
        let idx = self.resolve(ch);
        let Some(c) = self.channels.get(idx).cloned() else {
            return self.absent("close");
        };
        let id = idx as u64;
        let (state, signed, good) = self.pick_state(idx, pick);
        let sender = self.addr_of(&c, by);
        let side = Self::side_of(by);
        let predicted = matches!(c.phase, Phase::Open)
            && side.is_some()
            && good
            && Self::state_ok(id, c.funding, &state);
        let res = self.exec(
            &sender,
            &ExecuteMsg::Close {
                channel: id,
                signed,
            },
            &[],
        );
        let out = expect("close", predicted, &res)?;
        if out == Outcome::Accepted {
            let deadline = self.now() + c.window;
            self.channels[idx].phase = Phase::Closing {
                closer: side.unwrap(),
                closed_version: state.version,
                current: state,
                deadline,
                stale: false,
                tower: None,
            };
            self.touched = Some(idx);
        }
        Ok(out)
    }

    fn step_dispute(
        &mut self,
        ch: usize,
        by: Who,
        newer: Option<Pick>,
        revocation: RevPick,
        auth: AuthPick,
    ) -> Result<Outcome, String> {
        let idx = self.resolve(ch);
        let Some(c) = self.channels.get(idx).cloned() else {
            return self.absent("dispute");
        };
        let id = idx as u64;
        let sender = self.addr_of(&c, by);
        let side = Self::side_of(by);
        let now = self.now();
        // The closer as the pending close says (A when the channel is not closing).
        let closer = match &c.phase {
            Phase::Closing { closer, .. } => *closer,
            _ => 0,
        };
        let wronged = 1 - closer;
        let newer_state = newer.map(|p| self.pick_state(idx, p));
        let rev = match revocation {
            RevPick::None => None,
            RevPick::Closer => self.revocation(idx, closer).map(|(v, r)| (v, r, true)),
            RevPick::OtherParty => self.revocation(idx, wronged).map(|(v, r)| (v, r, false)),
            RevPick::WrongLength => self.revocation(idx, closer).map(|(v, mut r)| {
                r.signature = Binary::from(&r.signature.as_slice()[..63]);
                (v, r, false)
            }),
        };
        let tower_auth = |key: &L2Key, channel: u64| {
            let h = watchtower_hash(&self.suite.domain, channel, sender.as_str());
            Binary::from(key.sign_prehash(&h).as_slice())
        };
        let wronged_key = &self.keys[c.parties[wronged]];
        let held = match by {
            Who::Tower(t) => c.auths.contains(&(wronged, t as usize % TOWERS)),
            _ => false,
        };
        let authorisation = match auth {
            AuthPick::None => None,
            AuthPick::Held => held.then(|| (tower_auth(wronged_key, id), true)),
            AuthPick::OtherChannel => Some((tower_auth(wronged_key, id + 1), false)),
            AuthPick::WrongSigner => Some((tower_auth(&self.keys[c.parties[closer]], id), false)),
        };
        // The model's verdict.
        let verdict = (|| {
            let Phase::Closing {
                closed_version,
                current,
                deadline,
                stale,
                tower,
                ..
            } = &c.phase
            else {
                return None;
            };
            if now >= *deadline {
                return None;
            }
            if let Some((s, _, good)) = &newer_state {
                if !good || !Self::state_ok(id, c.funding, s) || s.version <= current.version {
                    return None;
                }
            }
            let mut proves = false;
            if let Some((v, _, good)) = &rev {
                if !good || *v < *closed_version {
                    return None;
                }
                proves = !stale;
            }
            if newer_state.is_none() && !proves {
                return None;
            }
            let mut by_tower = false;
            if let (None, Some((_, good))) = (side, &authorisation) {
                if !good {
                    return None;
                }
                by_tower = true;
            }
            let tower_now = if proves {
                by_tower.then(|| match by {
                    Who::Tower(t) => t as usize % TOWERS,
                    _ => unreachable!("only towers hold authorisations"),
                })
            } else {
                *tower
            };
            Some((proves || *stale, tower_now))
        })();
        let msg = ExecuteMsg::Dispute {
            channel: id,
            signed: newer_state.as_ref().map(|(_, s, _)| s.clone()),
            revocation: rev.as_ref().map(|(_, r, _)| r.clone()),
            authorisation: authorisation.as_ref().map(|(a, _)| a.clone()),
        };
        let res = self.exec(&sender, &msg, &[]);
        let out = expect("dispute", verdict.is_some(), &res)?;
        if let Some((stale_now, tower_now)) = verdict {
            let c = &mut self.channels[idx];
            if let Phase::Closing {
                current,
                stale,
                tower,
                ..
            } = &mut c.phase
            {
                if let Some((s, _, _)) = newer_state {
                    *current = s;
                }
                *stale = stale_now;
                *tower = tower_now;
            }
            self.touched = Some(idx);
        }
        Ok(out)
    }

    fn step_settle(&mut self, ch: usize, by: Who) -> Result<Outcome, String> {
        let idx = self.resolve(ch);
        let Some(c) = self.channels.get(idx).cloned() else {
            return self.absent("settle");
        };
        let sender = self.addr_of(&c, by);
        let now = self.now();
        let predicted = matches!(&c.phase, Phase::Closing { deadline, .. } if now >= *deadline);
        let addrs = [
            self.parties[c.parties[0]].clone(),
            self.parties[c.parties[1]].clone(),
        ];
        let before = [
            self.chain_balance(&addrs[0], c.denom),
            self.chain_balance(&addrs[1], c.denom),
        ];
        let res = self.exec(
            &sender,
            &ExecuteMsg::Settle {
                channel: idx as u64,
            },
            &[],
        );
        let out = expect("settle", predicted, &res)?;
        if out == Outcome::Accepted {
            let Phase::Closing {
                closer,
                current: s,
                stale,
                tower,
                ..
            } = c.phase.clone()
            else {
                unreachable!()
            };
            let mut parties: [u128; 2] =
                std::array::from_fn(|i| s.balances[i] + (c.funding[i] - s.funded[i]));
            let mut fee = 0;
            if stale {
                let forfeited = share(s.balances[closer], self.share_bps);
                fee = if tower.is_some() {
                    share(forfeited, self.fee_bps)
                } else {
                    0
                };
                parties[closer] -= forfeited;
                parties[1 - closer] += forfeited - fee;
            }
            // An honest party (not a proven stale closer) whose channel settles on the
            // newest state it signed gets at least that state's balance and the funding
            // it added since, as the bank sees it.
            let latest = c.latest().expect("a closed channel had states");
            if stale {
                self.stats.stale_punished += 1;
                self.stats.by_watchtower += u64::from(tower.is_some());
            }
            if s.version == latest.version {
                self.stats.on_latest += 1;
                for i in 0..2 {
                    if stale && i == closer {
                        continue;
                    }
                    let got = self.chain_balance(&addrs[i], c.denom) - before[i];
                    let owed = latest.balances[i] + (c.funding[i] - latest.funded[i]);
                    if got < owed {
                        return Err(format!(
                            "settle of channel {idx}: honest party {i} got {got}, its newest state gives it {owed}"
                        ));
                    }
                }
            }
            self.pay(&addrs[0], c.denom, parties[0]);
            self.pay(&addrs[1], c.denom, parties[1]);
            if let Some(t) = tower {
                let t = self.towers[t].clone();
                self.pay(&t, c.denom, fee);
            }
            self.channels[idx].phase = if s.htlcs.is_empty() {
                Phase::Closed
            } else {
                Phase::Settled {
                    paid: vec![false; s.htlcs.len()],
                    state: s,
                }
            };
            self.touched = Some(idx);
        }
        Ok(out)
    }

    fn step_reveal(&mut self, preimage: u8, bad_length: bool) -> Result<Outcome, String> {
        let n = self.preimages.len();
        let p = self.preimages[n - 1 - preimage as usize % n.min(RECENT)];
        let bytes = if bad_length {
            p[..31].to_vec()
        } else {
            p.to_vec()
        };
        let sender = self.outsider.clone();
        let res = self.exec(
            &sender,
            &ExecuteMsg::RevealPreimage {
                preimage: Binary::from(bytes),
            },
            &[],
        );
        let out = expect("reveal preimage", !bad_length, &res)?;
        if out == Outcome::Accepted {
            let now = self.now();
            self.revealed
                .entry(payment_hash(&p).expect("32 bytes"))
                .or_insert(now);
        }
        Ok(out)
    }

    fn step_settle_htlc(&mut self, ch: usize, index: u8) -> Result<Outcome, String> {
        let idx = self.resolve(ch);
        let Some(c) = self.channels.get(idx).cloned() else {
            return self.absent("settle htlc");
        };
        let now = self.now();
        let index = match &c.phase {
            Phase::Settled { state, .. } => index as usize % state.htlcs.len(),
            _ => index as usize,
        };
        let to = match &c.phase {
            Phase::Settled { state, paid } if !paid[index] => {
                let h = &state.htlcs[index];
                match self.revealed.get(&h.payment_hash) {
                    Some(t) if *t < h.timeout => Some((h.payee(), h.amount)),
                    _ if now >= h.timeout => Some((h.payer, h.amount)),
                    _ => None,
                }
            }
            _ => None,
        };
        let sender = self.outsider.clone();
        let res = self.exec(
            &sender,
            &ExecuteMsg::SettleHtlc {
                channel: idx as u64,
                htlc: index as u32,
            },
            &[],
        );
        let out = expect("settle htlc", to.is_some(), &res)?;
        if let Some((party, amount)) = to {
            if let Phase::Settled { state, .. } = &c.phase {
                if party == state.htlcs[index].payer {
                    self.stats.htlc_refunded += 1;
                } else {
                    self.stats.htlc_claimed += 1;
                }
            }
            let who = self.parties[c.parties[party.index()]].clone();
            self.pay(&who, c.denom, amount);
            let ch = &mut self.channels[idx];
            if let Phase::Settled { paid, .. } = &mut ch.phase {
                paid[index] = true;
                if paid.iter().all(|p| *p) {
                    ch.phase = Phase::Closed;
                }
            }
            self.touched = Some(idx);
        }
        Ok(out)
    }

    fn step_garbage(&mut self, ch: usize, kind: Garbage) -> Result<Outcome, String> {
        let idx = self.resolve(ch);
        let sender = self.outsider.clone();
        let res = match kind {
            Garbage::NoSuchChannel => self.exec(
                &sender,
                &ExecuteMsg::Settle {
                    channel: self.channels.len() as u64 + 3,
                },
                &[],
            ),
            Garbage::SettleWithFunds => self.exec(
                &sender,
                &ExecuteMsg::Settle {
                    channel: idx as u64,
                },
                &[Coin::new(1u128, DENOMS[0])],
            ),
            Garbage::ShortSignature | Garbage::Undecodable => {
                let Some(c) = self.channels.get(idx).cloned() else {
                    return self.absent("garbage");
                };
                let (_, mut signed, _) = self.pick_state(idx, Pick::Latest);
                if kind == Garbage::ShortSignature {
                    signed.signature_a = Binary::from(&signed.signature_a.as_slice()[..63]);
                } else {
                    signed.state = Binary::from(vec![1u8; 40]);
                }
                let a = self.addr_of(&c, Who::A);
                self.exec(
                    &a,
                    &ExecuteMsg::Close {
                        channel: idx as u64,
                        signed,
                    },
                    &[],
                )
            }
            Garbage::NoSuchHtlc => self.exec(
                &sender,
                &ExecuteMsg::SettleHtlc {
                    channel: idx as u64,
                    htlc: MAX_SOAK_HTLCS as u32 + 1,
                },
                &[],
            ),
        };
        expect("garbage", false, &res)
    }

    fn chain_balance(&self, who: &Addr, denom: usize) -> u128 {
        let c = self
            .suite
            .app
            .wrap()
            .query_balance(who.as_str(), DENOMS[denom])
            .expect("balance");
        Uint128::try_from(c.amount).expect("fits").u128()
    }

    fn known_addresses(&self) -> Vec<Addr> {
        let mut all = self.parties.clone();
        all.extend(self.towers.iter().cloned());
        all.push(self.outsider.clone());
        all.push(self.suite.contract.clone());
        all
    }

    /// A close in its window that a newer state or the closer's revocation can answer.
    fn disputable(c: &Chan, now: u64) -> bool {
        match &c.phase {
            Phase::Closing {
                closer,
                current,
                closed_version,
                deadline,
                stale,
                ..
            } => {
                now < *deadline
                    && (c.latest().is_some_and(|l| l.version > current.version)
                        || (!stale && c.revoked[*closer].is_some_and(|v| v >= *closed_version)))
            }
            _ => false,
        }
    }

    /// Picks a channel index in one of `phases` (any channel if none is).
    fn channel_in(&self, rng: &mut StdRng, phases: &[&str]) -> usize {
        self.channel_where(rng, |c| phases.contains(&c.phase.name()))
    }

    /// Picks a channel index for which `fits` holds (now and then, or when none does, any
    /// channel: the wrong-phase refusals).
    fn channel_where(&self, rng: &mut StdRng, fits: impl Fn(&Chan) -> bool) -> usize {
        let fits: Vec<usize> = self
            .channels
            .iter()
            .enumerate()
            .filter(|(_, c)| fits(c))
            .map(|(i, _)| i)
            .collect();
        if fits.is_empty() || rng.gen_bool(0.03) {
            rng.gen_range(0..self.channels.len().max(1))
        } else {
            fits[rng.gen_range(0..fits.len())]
        }
    }
}

fn who(rng: &mut StdRng) -> Who {
    match rng.gen_range(0..10) {
        0..=3 => Who::A,
        4..=7 => Who::B,
        8 => Who::Tower(rng.gen_range(0..TOWERS as u8)),
        _ => Who::Outsider,
    }
}

impl Machine for ChannelsSoak {
    type Op = Op;
    const NAME: &'static str = "payment-channels";

    fn new(seed: u64) -> Self {
        let share = [10_000u16, 5_000, 0, 7_500][(seed % 4) as usize];
        let fee = [1_000u16, 5_000, 0][((seed / 4) % 3) as usize];
        let max_window = 86_400;
        let mut b = ChannelSuiteBuilder::new()
            .with_penalty_share(share)
            .with_watchtower_fee(fee)
            .with_max_dispute_window(max_window);
        let labels: Vec<String> = (0..PARTIES).map(|i| format!("party{i}")).collect();
        for l in &labels {
            b = b.with_funds(l, FUNDS);
        }
        b = b.with_funds("outsider", FUNDS);
        let mut suite = b.build();
        let parties: Vec<Addr> = labels.iter().map(|l| suite.addr(l)).collect();
        let outsider = suite.addr("outsider");
        let towers: Vec<Addr> = (0..TOWERS)
            .map(|i| suite.addr(&format!("tower{i}")))
            .collect();
        // The second denom, for the same holders.
        let holders: Vec<Addr> = parties.iter().chain([&outsider]).cloned().collect();
        suite.app.init_modules(|router, _, storage| {
            for h in &holders {
                router
                    .bank
                    .init_balance(
                        storage,
                        h,
                        vec![Coin::new(FUNDS, DENOMS[0]), Coin::new(FUNDS, DENOMS[1])],
                    )
                    .expect("genesis balances");
            }
        });
        let mut bank = BTreeMap::new();
        for h in &holders {
            for d in 0..2 {
                bank.insert((h.clone(), d), FUNDS);
            }
        }
        let keys = (0..PARTIES)
            .map(|i| L2Key::from_label(&format!("soak-channel-key-{i}")))
            .collect();
        let preimages = (0..PREIMAGES)
            .map(|i| {
                let mut p = [0u8; 32];
                p[0] = i as u8;
                p[31] = 0xa5;
                p
            })
            .collect();
        ChannelsSoak {
            suite,
            parties,
            keys,
            towers,
            outsider,
            share_bps: share as u128,
            fee_bps: fee as u128,
            max_window,
            channels: vec![],
            preimages,
            revealed: BTreeMap::new(),
            bank,
            owed: BTreeMap::new(),
            touched: None,
            stats: Stats::default(),
        }
    }

    fn generate(&mut self, rng: &mut StdRng) -> Op {
        let now = self.now();
        let count = |fits: &dyn Fn(&Chan) -> bool| self.channels.iter().filter(|c| fits(c)).count();
        let joinable =
            count(&|c| matches!(c.phase, Phase::Proposed { deadline } if now < deadline));
        let reclaimable =
            count(&|c| matches!(c.phase, Phase::Proposed { deadline } if now >= deadline));
        let open = count(&|c| matches!(c.phase, Phase::Open));
        let disputable = count(&|c| Self::disputable(c, now));
        let in_window =
            count(&|c| matches!(c.phase, Phase::Closing { deadline, .. } if now < deadline));
        let settleable =
            count(&|c| matches!(c.phase, Phase::Closing { deadline, .. } if now >= deadline));
        let settled = count(&|c| matches!(c.phase, Phase::Settled { .. }));
        let live = self
            .channels
            .iter()
            .filter(|c| !matches!(c.phase, Phase::Closed))
            .count();
        // Each kind mostly where a channel is in the phase it needs (a few strays test
        // the wrong-phase refusals).
        let when = |n: usize, w: u32| if n > 0 { w } else { 1 };
        let open_weight = if live < 4 {
            25
        } else if live < 12 {
            6
        } else {
            1
        };
        let weights: [(u32, u8); 14] = [
            (open_weight, 0),
            (when(joinable, 14), 1),                           // join
            (when(reclaimable, 3), 2),                         // reclaim
            (when(open, 4), 3),                                // fund
            (when(open, 22), 4),                               // update
            (when(open + in_window, 5), 5),                    // authorise
            (when(open + in_window, 3), 6),                    // coop close
            (when(open, 6), 7),                                // close
            (when(disputable, 16).max(when(in_window, 2)), 8), // dispute
            (when(settleable, 8), 9),                          // settle
            (5, 10),                                           // reveal
            (when(settled, 8), 11),                            // settle htlc
            (9, 12),                                           // advance
            (3, 13),                                           // garbage
        ];
        let total: u32 = weights.iter().map(|w| w.0).sum();
        let mut roll = rng.gen_range(0..total);
        let mut kind = 0;
        for (w, k) in weights {
            if roll < w {
                kind = k;
                break;
            }
            roll -= w;
        }
        match kind {
            0 => Op::Open {
                a: rng.gen_range(0..PARTIES as u8),
                b: rng.gen_range(0..PARTIES as u8),
                denom: rng.gen_range(0..2),
                amount: rng.gen_range(1..1_000_000),
                window: rng.gen_range(50..2_000),
                join_window: rng.gen_range(1_000..20_000),
                fault: match rng.gen_range(0..40) {
                    0 => OpenFault::SelfChannel,
                    1 => OpenFault::ZeroWindow,
                    2 => OpenFault::LongWindow,
                    3 => OpenFault::LongJoin,
                    4 => OpenFault::SameKeys,
                    5 => OpenFault::BadKey,
                    6 => OpenFault::NoFunds,
                    7 => OpenFault::TwoCoins,
                    _ => OpenFault::None,
                },
            },
            1 => Op::Join {
                ch: self.channel_where(
                    rng,
                    |c| matches!(c.phase, Phase::Proposed { deadline } if now < deadline),
                ),
                amount: if rng.gen_bool(0.5) {
                    0
                } else {
                    rng.gen_range(1..1_000_000)
                },
                fault: match rng.gen_range(0..12) {
                    0 => JoinFault::NotB,
                    1 => JoinFault::WrongKey,
                    2 => JoinFault::WrongDenom,
                    _ => JoinFault::None,
                },
            },
            2 => Op::Reclaim {
                ch: self.channel_where(
                    rng,
                    |c| matches!(c.phase, Phase::Proposed { deadline } if now >= deadline),
                ),
                by: if rng.gen_bool(0.8) { Who::A } else { who(rng) },
            },
            3 => Op::Fund {
                ch: self.channel_in(rng, &["open"]),
                by: who(rng),
                amount: rng.gen_range(1..500_000),
                wrong_denom: rng.gen_bool(0.08),
            },
            4 => Op::Update {
                ch: self.channel_in(rng, &["open"]),
                change: match rng.gen_range(0..10) {
                    0..=3 => Change::Pay {
                        from: rng.gen_range(0..2),
                        bps: rng.gen_range(0..=10_000),
                    },
                    4..=6 => Change::AddHtlc {
                        payer: rng.gen_range(0..2),
                        bps: rng.gen_range(0..5_000),
                        preimage: rng.gen_range(0..PREIMAGES as u8),
                        timeout: rng.gen_range(100..5_000),
                    },
                    7 | 8 => Change::Resolve {
                        index: rng.gen(),
                        to_payee: rng.gen(),
                    },
                    _ => Change::Bump,
                },
                revoke: if rng.gen_bool(0.85) {
                    3
                } else {
                    rng.gen_range(0..3)
                },
            },
            5 => Op::Authorise {
                ch: self.channel_in(rng, &["open", "closing"]),
                side: rng.gen_range(0..2),
                tower: rng.gen_range(0..TOWERS as u8),
            },
            6 => Op::CoopClose {
                ch: self.channel_in(rng, &["open", "closing"]),
                by: who(rng),
                pick: match rng.gen_range(0..10) {
                    0..=4 => CoopPick::Next,
                    5 => CoopPick::Same,
                    6 => CoopPick::Older(rng.gen_range(1..4)),
                    7 => CoopPick::NotFinal,
                    _ => CoopPick::Overallocated,
                },
            },
            7 => Op::Close {
                ch: self.channel_in(rng, &["open"]),
                by: who(rng),
                pick: match rng.gen_range(0..20) {
                    0..=9 => Pick::Latest,
                    10..=15 => Pick::Older(rng.gen_range(1..4)),
                    16 => Pick::OtherChannel,
                    17 => Pick::Overallocated,
                    18 => Pick::Overflow,
                    _ => Pick::BadSignature,
                },
            },
            8 => {
                let ch = if rng.gen_bool(0.8) {
                    self.channel_where(rng, |c| Self::disputable(c, now))
                } else {
                    self.channel_where(
                        rng,
                        |c| matches!(c.phase, Phase::Closing { deadline, .. } if now < deadline),
                    )
                };
                // Mostly the wronged side or a tower answering with what it holds: a newer
                // state if there is one, the closer's revocation if it covers the close.
                // A tower the wronged party authorised, if any.
                let authorised = self.channels.get(ch).and_then(|c| match &c.phase {
                    Phase::Closing { closer, .. } => c
                        .auths
                        .iter()
                        .find(|(side, _)| *side == 1 - *closer)
                        .map(|(_, t)| *t as u8),
                    _ => None,
                });
                let (wronged, behind, revoked) = match self.channels.get(ch) {
                    Some(Chan {
                        phase:
                            Phase::Closing {
                                closer,
                                current,
                                closed_version,
                                ..
                            },
                        states,
                        revoked,
                        ..
                    }) => (
                        if *closer == 0 { Who::B } else { Who::A },
                        states.last().is_some_and(|l| l.version > current.version),
                        revoked[*closer].is_some_and(|v| v >= *closed_version),
                    ),
                    _ => (Who::A, false, false),
                };
                let by = match rng.gen_range(0..10) {
                    0..=4 => wronged,
                    5 | 6 => match authorised {
                        Some(t) => Who::Tower(t),
                        None => Who::Tower(rng.gen_range(0..TOWERS as u8)),
                    },
                    7 => Who::Tower(rng.gen_range(0..TOWERS as u8)),
                    _ => who(rng),
                };
                let newer = match rng.gen_range(0..20) {
                    0..=10 if behind => Some(Pick::Latest),
                    0..=10 => None,
                    11 | 12 => Some(Pick::Older(rng.gen_range(1..3))),
                    13 => Some(Pick::Current),
                    14 => Some(Pick::OtherChannel),
                    15 => Some(Pick::Overallocated),
                    16 => Some(Pick::Overflow),
                    17 => Some(Pick::BadSignature),
                    _ => None,
                };
                let revocation = match rng.gen_range(0..10) {
                    0..=5 if revoked => RevPick::Closer,
                    0..=2 => RevPick::Closer,
                    3..=7 => RevPick::None,
                    8 => RevPick::OtherParty,
                    _ => RevPick::WrongLength,
                };
                Op::Dispute {
                    ch,
                    by,
                    newer,
                    revocation,
                    auth: match rng.gen_range(0..10) {
                        0..=5 => AuthPick::Held,
                        6 | 7 => AuthPick::None,
                        8 => AuthPick::OtherChannel,
                        _ => AuthPick::WrongSigner,
                    },
                }
            }
            9 => Op::Settle {
                ch: self.channel_where(
                    rng,
                    |c| matches!(c.phase, Phase::Closing { deadline, .. } if now >= deadline),
                ),
                by: who(rng),
            },
            10 => Op::Reveal {
                preimage: rng.gen_range(0..PREIMAGES as u8),
                bad_length: rng.gen_bool(0.1),
            },
            11 => Op::SettleHtlc {
                ch: self.channel_in(rng, &["settled"]),
                index: rng.gen(),
            },
            12 => Op::Advance {
                seconds: match rng.gen_range(0..20) {
                    0..=13 => rng.gen_range(1..300),
                    14..=18 => rng.gen_range(300..3_000),
                    _ => rng.gen_range(3_000..20_000),
                },
            },
            _ => Op::Garbage {
                ch: rng.gen_range(0..self.channels.len().max(1)),
                kind: match rng.gen_range(0..5) {
                    0 => Garbage::NoSuchChannel,
                    1 => Garbage::SettleWithFunds,
                    2 => Garbage::ShortSignature,
                    3 => Garbage::Undecodable,
                    _ => Garbage::NoSuchHtlc,
                },
            },
        }
    }

    fn kind(op: &Op) -> &'static str {
        match op {
            Op::Open { fault, .. } if *fault != OpenFault::None => "open (faulty)",
            Op::Open { .. } => "open",
            Op::Join { .. } => "join",
            Op::Reclaim { .. } => "reclaim",
            Op::Fund { .. } => "fund",
            Op::Update { .. } => "update (off-chain)",
            Op::Authorise { .. } => "authorise (off-chain)",
            Op::CoopClose { .. } => "cooperative_close",
            Op::Close {
                pick: Pick::Older(_),
                ..
            } => "close (older state)",
            Op::Close { .. } => "close",
            Op::Dispute {
                by: Who::Tower(_), ..
            } => "dispute (watchtower)",
            Op::Dispute { .. } => "dispute",
            Op::Settle { .. } => "settle",
            Op::Reveal { .. } => "reveal_preimage",
            Op::SettleHtlc { .. } => "settle_htlc",
            Op::Advance { .. } => "time passes",
            Op::Garbage { .. } => "invalid message",
        }
    }

    fn step(&mut self, op: &Op) -> Result<Outcome, String> {
        self.touched = None;
        match *op {
            Op::Open {
                a,
                b,
                denom,
                amount,
                window,
                join_window,
                fault,
            } => self.step_open(a, b, denom, amount, window, join_window, fault),
            Op::Join { ch, amount, fault } => self.step_join(ch, amount, fault),
            Op::Reclaim { ch, by } => self.step_reclaim(ch, by),
            Op::Fund {
                ch,
                by,
                amount,
                wrong_denom,
            } => self.step_fund(ch, by, amount, wrong_denom),
            Op::Update { ch, change, revoke } => self.step_update(ch, change, revoke),
            Op::Authorise { ch, side, tower } => self.step_authorise(ch, side, tower),
            Op::CoopClose { ch, by, pick } => self.step_coop(ch, by, pick),
            Op::Close { ch, by, pick } => self.step_close(ch, by, pick),
            Op::Dispute {
                ch,
                by,
                newer,
                revocation,
                auth,
            } => self.step_dispute(ch, by, newer, revocation, auth),
            Op::Settle { ch, by } => self.step_settle(ch, by),
            Op::Reveal {
                preimage,
                bad_length,
            } => self.step_reveal(preimage, bad_length),
            Op::SettleHtlc { ch, index } => self.step_settle_htlc(ch, index),
            Op::Advance { seconds } => {
                self.suite.advance(seconds);
                Ok(Outcome::Accepted)
            }
            Op::Garbage { ch, kind } => self.step_garbage(ch, kind),
        }
    }

    fn check(&self) -> Result<(), String> {
        // Every bank balance the soak knows, per denom, is what the model says.
        for who in self.known_addresses() {
            for (d, denom) in DENOMS.iter().enumerate() {
                let chain = self.chain_balance(&who, d);
                let model = self.bal(&who, d);
                if chain != model {
                    return Err(format!(
                        "{who} holds {chain} {denom}, the model says {model}"
                    ));
                }
            }
        }
        // The contract holds exactly what it owes per denom: what the model's channels
        // have not paid out, and what its own solvency query says.
        let mut unpaid: BTreeMap<usize, u128> = BTreeMap::new();
        for c in &self.channels {
            let held = match &c.phase {
                Phase::Closed => 0,
                Phase::Settled { state, paid } => state
                    .htlcs
                    .iter()
                    .zip(paid)
                    .filter(|(_, p)| !**p)
                    .map(|(h, _)| h.amount)
                    .sum(),
                _ => c.funding[0] + c.funding[1],
            };
            *unpaid.entry(c.denom).or_default() += held;
        }
        for (d, denom) in DENOMS.iter().enumerate() {
            let owed = self.owed.get(&d).copied().unwrap_or(0);
            let from_channels = unpaid.get(&d).copied().unwrap_or(0);
            let held = self.bal(&self.suite.contract, d);
            if owed != from_channels || held != owed {
                return Err(format!(
                    "{}: the contract holds {held}, owes {owed}, its channels hold {from_channels}",
                    denom
                ));
            }
        }
        let s = self.suite.solvency();
        if !s.solvent {
            return Err(format!("the solvency query says insolvent: {s:?}"));
        }
        let listed: Vec<String> = s.denoms.iter().map(|d| d.denom.clone()).collect();
        let mut expected: Vec<String> = self.owed.keys().map(|d| DENOMS[*d].to_string()).collect();
        expected.sort();
        if listed != expected {
            return Err(format!("solvency lists {listed:?}, the model {expected:?}"));
        }
        for d in &s.denoms {
            let i = DENOMS
                .iter()
                .position(|x| *x == d.denom)
                .expect("known denom");
            let owed = self.owed[&i];
            if d.held.to_string() != owed.to_string() || d.owed.to_string() != owed.to_string() {
                return Err(format!(
                    "solvency of {}: {d:?}, the model owes {owed}",
                    d.denom
                ));
            }
        }
        // The channel the step touched reads as the model has it.
        if let Some(idx) = self.touched {
            let c = &self.channels[idx];
            let r: ChannelResponse = self
                .suite
                .app
                .wrap()
                .query_wasm_smart(
                    &self.suite.contract,
                    &QueryMsg::Channel {
                        channel: idx as u64,
                    },
                )
                .map_err(err_text)?;
            let phase = match &r.phase {
                ChannelPhase::Proposed { .. } => "proposed",
                ChannelPhase::Open {} => "open",
                ChannelPhase::Closing { .. } => "closing",
                ChannelPhase::Settled { .. } => "settled",
                ChannelPhase::Closed {} => "closed",
            };
            if phase != c.phase.name()
                || r.funded_a.u128() != c.funding[0]
                || r.funded_b.u128() != c.funding[1]
                || r.denom != DENOMS[c.denom]
            {
                return Err(format!(
                    "channel {idx} reads {phase} funded {}/{} {}, the model has {} funded {:?} {}",
                    r.funded_a,
                    r.funded_b,
                    r.denom,
                    c.phase.name(),
                    c.funding,
                    DENOMS[c.denom]
                ));
            }
            if let (
                ChannelPhase::Closing {
                    stale, watchtower, ..
                },
                Phase::Closing {
                    stale: ms,
                    tower,
                    current,
                    ..
                },
            ) = (&r.phase, &c.phase)
            {
                let mt = tower.map(|t| self.towers[t].clone());
                if stale != ms
                    || *watchtower != mt
                    || r.state.as_ref().map(|b| b.to_vec()) != Some(current.encode())
                {
                    return Err(format!(
                        "channel {idx} closing: stale {stale}, watchtower {watchtower:?}; the model: {ms}, {mt:?} (or the state differs)"
                    ));
                }
            }
        }
        Ok(())
    }

    fn fingerprint(&self) -> Vec<u8> {
        let mut out = storage_bytes(&*self.suite.app.contract_storage(&self.suite.contract));
        for who in self.known_addresses() {
            for d in 0..2 {
                out.extend_from_slice(&self.chain_balance(&who, d).to_be_bytes());
            }
        }
        out
    }
}
