//! The payment-channels contract on an embedded chain with real bank balances:
//! proposing, joining and reclaiming, cooperative close, unilateral close with the latest
//! state, revoked states punished by the counterparty and by its authorised watchtower,
//! HTLCs claimed with the preimage or refunded after the timeout, and bad input refused
//! with a typed error that changes nothing; the security review's findings C1 to C5 by
//! name. Built on settle-testing's `ChannelSuite`.

use cosmwasm_std::{Binary, StdResult};
use cw_multi_test::AppResponse;
use payment_channels::msg::{
    ChannelPhase, CloseOutcome, ExecuteMsg, QueryMsg, Revocation, SignedState,
};
use payment_channels::ContractError;
use settle_core::channel::{payment_hash, ChannelDomain, ChannelState, Htlc, Party};
use settle_core::crypto::L2Key;
use settle_core::Error as CoreError;
use settle_testing::{assert_refused, ChannelSuite, ChannelSuiteBuilder, JOIN_WINDOW};

const START: u128 = 10_000;
const WINDOW: u64 = 600;

/// A [`ChannelSuite`] with alice, bob, a watchtower and mallory funded, and the two
/// parties' keys.
struct World {
    suite: ChannelSuite,
    keys: [L2Key; 2],
}

impl std::ops::Deref for World {
    type Target = ChannelSuite;
    fn deref(&self) -> &ChannelSuite {
        &self.suite
    }
}

impl std::ops::DerefMut for World {
    fn deref_mut(&mut self) -> &mut ChannelSuite {
        &mut self.suite
    }
}

fn world() -> World {
    let mut b = ChannelSuiteBuilder::new().with_watchtower_fee(1_000);
    for who in ["alice", "bob", "tower", "mallory", "mallory2"] {
        b = b.with_funds(who, START);
    }
    World {
        suite: b.build(),
        keys: [L2Key::from_label("chan-a"), L2Key::from_label("chan-b")],
    }
}

impl World {
    fn bal(&self, who: &str) -> u128 {
        self.balance_of(&self.addr(who))
    }
    fn exec(&mut self, who: &str, msg: &ExecuteMsg, funds: u128) -> StdResult<AppResponse> {
        let (sender, funds) = (self.addr(who), self.coins(funds));
        self.execute(&sender, msg, &funds)
    }
    /// alice (A) opens with 1,000 and bob (B) adds 500: channel 0.
    fn open(&mut self) -> u64 {
        let (alice, bob) = (self.addr("alice"), self.addr("bob"));
        let keys = [self.keys[0].clone(), self.keys[1].clone()];
        let id = self
            .suite
            .open_channel(&alice, &bob, [&keys[0], &keys[1]], 1_000, WINDOW)
            .unwrap();
        self.exec("bob", &ExecuteMsg::Fund { channel: id }, 500)
            .unwrap();
        id
    }
    /// `who` disputes `id` with a newer state, a revocation and an authorisation.
    fn dispute(
        &mut self,
        who: &str,
        id: u64,
        signed: Option<SignedState>,
        revocation: Option<Revocation>,
        authorisation: Option<Binary>,
    ) -> StdResult<AppResponse> {
        let sender = self.addr(who);
        self.suite
            .dispute(&sender, id, signed, revocation, authorisation)
    }
    fn dispute_msg(
        id: u64,
        signed: Option<SignedState>,
        revocation: Option<Revocation>,
        authorisation: Option<Binary>,
    ) -> ExecuteMsg {
        ExecuteMsg::Dispute {
            channel: id,
            signed,
            revocation,
            authorisation,
        }
    }
    /// Party `p`'s revocation of `version` of channel `id`.
    fn revoke(&self, p: Party, id: u64, version: u64) -> Revocation {
        self.suite.revoke(&self.keys[p.index()], id, version)
    }
    /// Bob's authorisation of `watchtower` for channel `id`.
    fn bob_authorises(&self, id: u64, watchtower: &str) -> Binary {
        self.suite
            .authorise(&self.keys[1], id, &self.addr(watchtower))
    }
    fn sign_state(&self, s: &ChannelState) -> SignedState {
        self.suite.sign(s, [&self.keys[0], &self.keys[1]])
    }
    fn sign_for(&self, domain: &ChannelDomain, s: &ChannelState) -> SignedState {
        let h = s.signing_hash(domain);
        SignedState {
            state: Binary::new(s.encode()),
            signature_a: Binary::from(self.keys[0].sign_prehash(&h).as_slice()),
            signature_b: Binary::from(self.keys[1].sign_prehash(&h).as_slice()),
        }
    }
    /// Everything a refused message must leave untouched.
    fn snapshot(&self) -> (String, Vec<u128>) {
        let channels: serde_json::Value = self
            .app
            .wrap()
            .query_wasm_smart(
                &self.contract,
                &QueryMsg::Channels {
                    start_after: None,
                    limit: None,
                },
            )
            .unwrap();
        (
            channels.to_string(),
            ["alice", "bob", "tower", "mallory", "mallory2"]
                .iter()
                .map(|w| self.bal(w))
                .collect(),
        )
    }
    fn refused(
        &mut self,
        who: &str,
        msg: &ExecuteMsg,
        funds: u128,
        expected: impl std::fmt::Display,
    ) {
        let before = self.snapshot();
        assert_refused(self.exec(who, msg, funds), expected);
        assert_eq!(self.snapshot(), before, "a refused message changed state");
    }
}

/// Version `v`: alice has `a`, bob has `1,500 - a - htlcs`.
fn state(v: u64, a: u128, htlcs: Vec<Htlc>) -> ChannelState {
    let held: u128 = htlcs.iter().map(|h| h.amount).sum();
    ChannelState {
        channel_id: 0,
        version: v,
        funded: [1_000, 500],
        balances: [a, 1_500 - a - held],
        htlcs,
        is_final: false,
    }
}

#[test]
fn cooperative_close_pays_at_once() {
    let mut w = world();
    let id = w.open();
    w.assert_reconciles();
    let fin = ChannelState {
        is_final: true,
        ..state(9, 700, vec![])
    };
    // not final: refused
    w.refused(
        "mallory",
        &ExecuteMsg::CooperativeClose {
            channel: id,
            signed: w.sign_state(&state(9, 700, vec![])),
        },
        0,
        CoreError::NotFinal,
    );
    w.exec(
        "mallory",
        &ExecuteMsg::CooperativeClose {
            channel: id,
            signed: w.sign_state(&fin),
        },
        0,
    )
    .unwrap();
    assert_eq!(w.bal("alice"), START - 1_000 + 700);
    assert_eq!(w.bal("bob"), START - 500 + 800);
    assert_eq!(w.channel(id).phase, ChannelPhase::Closed {});
    w.assert_reconciles();
}

#[test]
fn unilateral_close_with_the_latest_state_settles_after_the_window() {
    let mut w = world();
    let id = w.open();
    let latest = w.sign_state(&state(5, 400, vec![]));
    w.exec(
        "bob",
        &ExecuteMsg::Close {
            channel: id,
            signed: latest,
        },
        0,
    )
    .unwrap();
    let deadline = match w.channel(id).phase {
        ChannelPhase::Closing {
            dispute_ends_at,
            stale,
            ..
        } => {
            assert!(!stale);
            dispute_ends_at
        }
        other => panic!("closing, not {other:?}"),
    };
    w.refused(
        "anyone",
        &ExecuteMsg::Settle { channel: id },
        0,
        ContractError::WindowOpen { id, deadline },
    );
    w.advance(WINDOW);
    w.exec("anyone", &ExecuteMsg::Settle { channel: id }, 0)
        .unwrap();
    assert_eq!(w.bal("alice"), START - 1_000 + 400);
    assert_eq!(w.bal("bob"), START - 500 + 1_100);
    w.assert_reconciles();
}

/// Alice revoked version 3 (she got version 4 with both signatures, where she gave bob
/// 500 more) and closes with it anyway: `disputer` posts version 4 and her revocation
/// (a watchtower with bob's authorisation).
fn stale_close_is_punished(disputer: &str) -> World {
    let mut w = world();
    let id = w.open();
    w.exec(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: w.sign_state(&state(3, 900, vec![])),
        },
        0,
    )
    .unwrap();
    let newer = w.sign_state(&state(4, 400, vec![]));
    let revocation = w.revoke(Party::A, id, 3);
    let auth = (disputer != "bob").then(|| w.bob_authorises(id, disputer));
    let dry = w.check_dispute(
        id,
        &w.addr(disputer),
        Some(newer.clone()),
        Some(revocation.clone()),
        auth.clone(),
    );
    assert!(dry.valid, "{dry:?}");
    w.dispute(disputer, id, Some(newer), Some(revocation), auth)
        .unwrap();
    match w.channel(id).phase {
        ChannelPhase::Closing {
            version,
            closed_version,
            stale,
            ..
        } => assert_eq!((version, closed_version, stale), (4, 3, true)),
        other => panic!("closing, not {other:?}"),
    }
    // replaying the stale version (or the same one) is refused
    w.refused(
        "alice",
        &World::dispute_msg(id, Some(w.sign_state(&state(3, 900, vec![]))), None, None),
        0,
        CoreError::NotNewer {
            version: 3,
            current: 4,
        },
    );
    w.advance(WINDOW);
    // after the window no update is taken
    w.refused(
        "bob",
        &World::dispute_msg(id, Some(w.sign_state(&state(5, 100, vec![]))), None, None),
        0,
        "dispute window of channel 0 closed",
    );
    w.exec("anyone", &ExecuteMsg::Settle { channel: id }, 0)
        .unwrap();
    w.assert_reconciles();
    w
}

#[test]
fn a_stale_close_is_punished_by_the_counterparty() {
    let w = stale_close_is_punished("bob");
    // alice's 400 in version 4 goes to bob: bob gets all 1,500
    assert_eq!(w.bal("alice"), START - 1_000);
    assert_eq!(w.bal("bob"), START - 500 + 1_500);
}

#[test]
fn a_stale_close_is_punished_by_an_authorised_watchtower_which_earns_its_fee() {
    let w = stale_close_is_punished("tower");
    // 10% of alice's forfeited 400 goes to the watchtower
    assert_eq!(w.bal("alice"), START - 1_000);
    assert_eq!(w.bal("tower"), START + 40);
    assert_eq!(w.bal("bob"), START - 500 + 1_100 + 360);
}

#[test]
fn htlcs_go_to_the_payee_with_the_preimage_and_back_after_the_timeout() {
    let mut w = world();
    let id = w.open();
    let now = w.now();
    let preimage = [42u8; 32];
    let htlcs = vec![
        // alice pays bob 100 against the preimage
        Htlc {
            amount: 100,
            payment_hash: payment_hash(&preimage).unwrap(),
            timeout: now + 10_000,
            payer: Party::A,
        },
        // bob pays alice 50; nobody reveals
        Htlc {
            amount: 50,
            payment_hash: [9; 32],
            timeout: now + 10_000,
            payer: Party::B,
        },
    ];
    w.exec(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: w.sign_state(&state(2, 800, htlcs)),
        },
        0,
    )
    .unwrap();
    // bob reveals the preimage during the window
    w.exec(
        "bob",
        &ExecuteMsg::RevealPreimage {
            preimage: Binary::from(preimage.as_slice()),
        },
        0,
    )
    .unwrap();
    w.advance(WINDOW);
    w.exec("anyone", &ExecuteMsg::Settle { channel: id }, 0)
        .unwrap();
    assert_eq!(w.bal("alice"), START - 1_000 + 800);
    assert_eq!(w.bal("bob"), START - 500 + 550);
    w.assert_reconciles();
    w.exec(
        "anyone",
        &ExecuteMsg::SettleHtlc {
            channel: id,
            htlc: 0,
        },
        0,
    )
    .unwrap();
    assert_eq!(w.bal("bob"), START - 500 + 650);
    w.refused(
        "anyone",
        &ExecuteMsg::SettleHtlc {
            channel: id,
            htlc: 0,
        },
        0,
        ContractError::HtlcPaid { id, index: 0 },
    );
    w.refused(
        "anyone",
        &ExecuteMsg::SettleHtlc {
            channel: id,
            htlc: 1,
        },
        0,
        ContractError::HtlcPending {
            id,
            index: 1,
            timeout: now + 10_000,
        },
    );
    w.refused(
        "anyone",
        &ExecuteMsg::SettleHtlc {
            channel: id,
            htlc: 2,
        },
        0,
        ContractError::NoSuchHtlc { id, index: 2 },
    );
    w.advance(10_000);
    w.exec(
        "anyone",
        &ExecuteMsg::SettleHtlc {
            channel: id,
            htlc: 1,
        },
        0,
    )
    .unwrap();
    assert_eq!(w.bal("bob"), START - 500 + 700, "refunded to bob");
    assert_eq!(w.channel(id).phase, ChannelPhase::Closed {});
    w.assert_reconciles();
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let mut w = world();
    let id = w.open();
    let good = state(3, 900, vec![]);
    // bad signature (bob's key signs both)
    let mut forged = w.sign_state(&good);
    forged.signature_a = forged.signature_b.clone();
    w.refused(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: forged,
        },
        0,
        CoreError::BadStateSignature { party: Party::A },
    );
    // a state of another channel
    w.refused(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: w.sign_state(&ChannelState {
                channel_id: 1,
                ..good.clone()
            }),
        },
        0,
        CoreError::WrongChannel {
            expected: 0,
            got: 1,
        },
    );
    // signed for another contract, another chain
    for domain in [
        ChannelDomain::new("cosmos-testnet-14002", "elsewhere"),
        ChannelDomain::new("other-chain", w.contract.as_str()),
    ] {
        let signed = w.sign_for(&domain, &good);
        w.refused(
            "alice",
            &ExecuteMsg::Close {
                channel: id,
                signed,
            },
            0,
            CoreError::BadStateSignature { party: Party::A },
        );
    }
    // over-allocated
    w.refused(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: w.sign_state(&ChannelState {
                balances: [1_000, 600],
                ..good.clone()
            }),
        },
        0,
        CoreError::Misallocated {
            allocated: 1_600,
            funded: 1_500,
        },
    );
    // allocating funding that was never put in
    w.refused(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: w.sign_state(&ChannelState {
                funded: [1_000, 600],
                balances: [1_000, 600],
                ..good.clone()
            }),
        },
        0,
        CoreError::Overfunded {
            party: Party::B,
            declared: 600,
            held: 500,
        },
    );
    // amounts that overflow
    w.refused(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: w.sign_state(&ChannelState {
                funded: [1_000, 500],
                balances: [u128::MAX, 2],
                ..good.clone()
            }),
        },
        0,
        CoreError::AmountOverflow,
    );
    // a zero-value HTLC
    w.refused(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: w.sign_state(&state(
                3,
                900,
                vec![Htlc {
                    amount: 0,
                    payment_hash: [1; 32],
                    timeout: 1,
                    payer: Party::A,
                }],
            )),
        },
        0,
        CoreError::ZeroHtlc { index: 0 },
    );
    // garbage bytes
    w.refused(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: SignedState {
                state: Binary::new(vec![1, 2, 3]),
                ..w.sign_state(&good)
            },
        },
        0,
        "malformed channel state",
    );
    // not a party, wrong phase, zero funding, no such channel
    w.refused(
        "mallory",
        &ExecuteMsg::Close {
            channel: id,
            signed: w.sign_state(&good),
        },
        0,
        ContractError::NotAParty {
            id,
            sender: w.addr("mallory").to_string(),
        },
    );
    w.refused(
        "bob",
        &World::dispute_msg(id, Some(w.sign_state(&good)), None, None),
        0,
        ContractError::WrongPhase {
            id,
            phase: "open",
            needed: "closing",
        },
    );
    w.refused("bob", &ExecuteMsg::Fund { channel: id }, 0, "No funds sent");
    w.refused(
        "bob",
        &ExecuteMsg::Fund { channel: 7 },
        5,
        ContractError::NoSuchChannel { id: 7 },
    );
    w.refused(
        "alice",
        &ExecuteMsg::RevealPreimage {
            preimage: Binary::from([1u8; 31].as_slice()),
        },
        0,
        CoreError::Length {
            what: "preimage",
            expected: 32,
            got: 31,
        },
    );
    // opening: a channel with oneself, a bad key, a window too long
    let kb = Binary::from(w.keys[1].public_key().as_slice());
    let open = |counterparty: String, key: Vec<u8>, window: u64| ExecuteMsg::Open {
        counterparty,
        pubkey_a: Binary::from(key),
        pubkey_b: kb.clone(),
        dispute_window: window,
        join_window: JOIN_WINDOW,
    };
    let (alice, bob) = (w.addr("alice").to_string(), w.addr("bob").to_string());
    let ka = w.keys[0].public_key().to_vec();
    w.refused(
        "alice",
        &open(alice, ka.clone(), 60),
        10,
        "a channel needs two different parties",
    );
    let mut bad_key = ka.clone();
    bad_key[0] = 0x05;
    w.refused(
        "alice",
        &open(bob.clone(), bad_key, 60),
        10,
        ContractError::InvalidPubkey { party: "party a" },
    );
    w.refused(
        "alice",
        &open(bob, ka, 86_401),
        10,
        "dispute_window must be in 1..=86400, got 86401",
    );
    w.assert_reconciles();
}

#[test]
fn each_phase_takes_only_its_messages() {
    let mut w = world();
    let id = w.open();
    w.refused(
        "anyone",
        &ExecuteMsg::Settle { channel: id },
        0,
        ContractError::WrongPhase {
            id,
            phase: "open",
            needed: "closing",
        },
    );
    w.refused(
        "anyone",
        &ExecuteMsg::SettleHtlc {
            channel: id,
            htlc: 0,
        },
        0,
        ContractError::WrongPhase {
            id,
            phase: "open",
            needed: "settled",
        },
    );
    w.exec(
        "bob",
        &ExecuteMsg::Close {
            channel: id,
            signed: w.sign_state(&state(1, 1_000, vec![])),
        },
        0,
    )
    .unwrap();
    // closing: no funding, no second close
    w.refused(
        "alice",
        &ExecuteMsg::Fund { channel: id },
        10,
        ContractError::WrongPhase {
            id,
            phase: "closing",
            needed: "open",
        },
    );
    w.refused(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: w.sign_state(&state(2, 1_000, vec![])),
        },
        0,
        ContractError::WrongPhase {
            id,
            phase: "closing",
            needed: "open",
        },
    );
    // funds attached to a message that takes none
    w.refused(
        "bob",
        &ExecuteMsg::Settle { channel: id },
        5,
        "This message does no accept funds",
    );
    // both parties may still agree to end it at once
    let fin = ChannelState {
        is_final: true,
        ..state(2, 1_000, vec![])
    };
    w.exec(
        "anyone",
        &ExecuteMsg::CooperativeClose {
            channel: id,
            signed: w.sign_state(&fin),
        },
        0,
    )
    .unwrap();
    assert_eq!(w.bal("alice"), START);
    assert_eq!(w.bal("bob"), START);
    // closed: nothing more
    for msg in [
        ExecuteMsg::Settle { channel: id },
        ExecuteMsg::CooperativeClose {
            channel: id,
            signed: w.sign_state(&fin),
        },
        World::dispute_msg(id, Some(w.sign_state(&state(3, 1_000, vec![]))), None, None),
    ] {
        let before = w.snapshot();
        assert_refused(w.exec("anyone", &msg, 0), "channel 0 is closed");
        assert_eq!(w.snapshot(), before);
    }
    w.assert_reconciles();
}

#[test]
fn a_late_top_up_goes_back_to_its_funder_and_an_htlc_refunds_exactly_at_its_timeout() {
    let mut w = world();
    let id = w.open();
    let now = w.now();
    // signed before bob's top-up of 200: it allocates 1,500 of the 1,700
    let htlc = Htlc {
        amount: 300,
        payment_hash: [5; 32],
        timeout: now + 1_000,
        payer: Party::B,
    };
    let signed = w.sign_state(&state(4, 600, vec![htlc]));
    w.exec("bob", &ExecuteMsg::Fund { channel: id }, 200)
        .unwrap();
    w.assert_reconciles();
    w.exec(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed,
        },
        0,
    )
    .unwrap();
    w.advance(WINDOW);
    w.exec("anyone", &ExecuteMsg::Settle { channel: id }, 0)
        .unwrap();
    assert_eq!(w.bal("alice"), START - 1_000 + 600);
    // bob: 600 of the state plus his unallocated 200
    assert_eq!(w.bal("bob"), START - 700 + 600 + 200);
    // one second before the timeout it is pending; at the timeout it is refunded
    let wait = now + 1_000 - 1 - w.now();
    w.advance(wait);
    w.refused(
        "anyone",
        &ExecuteMsg::SettleHtlc {
            channel: id,
            htlc: 0,
        },
        0,
        ContractError::HtlcPending {
            id,
            index: 0,
            timeout: now + 1_000,
        },
    );
    w.advance(1);
    w.exec(
        "anyone",
        &ExecuteMsg::SettleHtlc {
            channel: id,
            htlc: 0,
        },
        0,
    )
    .unwrap();
    assert_eq!(w.bal("bob"), START - 700 + 600 + 200 + 300);
    assert_eq!(w.channel(id).phase, ChannelPhase::Closed {});
    w.assert_reconciles();
}

// ---- the security review's findings ---------------------------------------------------

/// C1: alice closes with a state she revoked, bob proves it; alice cannot escape the
/// penalty by closing cooperatively with the final state bob disputed with.
#[test]
fn c1_a_caught_stale_closer_cannot_escape_the_penalty_by_a_cooperative_close() {
    let mut w = world();
    let id = w.open();
    w.exec(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: w.sign_state(&state(3, 900, vec![])),
        },
        0,
    )
    .unwrap();
    let fin = w.sign_state(&ChannelState {
        is_final: true,
        ..state(4, 400, vec![])
    });
    let revocation = w.revoke(Party::A, id, 3);
    w.dispute("bob", id, Some(fin.clone()), Some(revocation), None)
        .unwrap();
    w.refused(
        "alice",
        &ExecuteMsg::CooperativeClose {
            channel: id,
            signed: fin,
        },
        0,
        CoreError::PenaltyEarned { closer: Party::A },
    );
    w.advance(WINDOW);
    w.exec("anyone", &ExecuteMsg::Settle { channel: id }, 0)
        .unwrap();
    assert_eq!(w.bal("alice"), START - 1_000);
    assert_eq!(w.bal("bob"), START - 500 + 1_500);
    w.assert_reconciles();
}

/// C1: once a close is pending, an older final state cannot replace the newer disputed one.
#[test]
fn c1_an_older_final_state_cannot_roll_back_a_pending_close() {
    let mut w = world();
    let id = w.open();
    let old_final = ChannelState {
        is_final: true,
        ..state(4, 1_200, vec![])
    };
    w.exec(
        "bob",
        &ExecuteMsg::Close {
            channel: id,
            signed: w.sign_state(&state(5, 300, vec![])),
        },
        0,
    )
    .unwrap();
    w.refused(
        "alice",
        &ExecuteMsg::CooperativeClose {
            channel: id,
            signed: w.sign_state(&old_final),
        },
        0,
        CoreError::OlderThanPending {
            version: 4,
            pending: 5,
        },
    );
    // a final state at least as new still ends it at once
    let fin = ChannelState {
        is_final: true,
        ..state(6, 300, vec![])
    };
    w.exec(
        "alice",
        &ExecuteMsg::CooperativeClose {
            channel: id,
            signed: w.sign_state(&fin),
        },
        0,
    )
    .unwrap();
    assert_eq!(w.bal("alice"), START - 1_000 + 300);
    assert_eq!(w.bal("bob"), START - 500 + 1_200);
    w.assert_reconciles();
}

/// C4: alice signs version 4 first and bob withholds his signature; alice closes with
/// version 3, the newest she holds with both signatures: bob's version 4 replaces it and
/// nobody is penalised.
#[test]
fn c4_closing_with_the_newest_fully_signed_state_is_never_punished() {
    let mut w = world();
    let id = w.open();
    w.exec(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: w.sign_state(&state(3, 900, vec![])),
        },
        0,
    )
    .unwrap();
    // bob has alice's signature on v4 and adds his own; alice never revoked v3
    let dry = w.check_dispute(
        id,
        &w.addr("bob"),
        Some(w.sign_state(&state(4, 400, vec![]))),
        None,
        None,
    );
    assert!(dry.valid, "{dry:?}");
    assert!(
        matches!(
            dry.outcome,
            Some(CloseOutcome::Disputes {
                replaced_by: Some(4),
                proves_stale: false,
                by_watchtower: false,
                ..
            })
        ),
        "{dry:?}"
    );
    w.dispute(
        "bob",
        id,
        Some(w.sign_state(&state(4, 400, vec![]))),
        None,
        None,
    )
    .unwrap();
    // bob's own revocation of v3 (he signed it too) proves nothing against alice
    w.refused(
        "bob",
        &World::dispute_msg(id, None, Some(w.revoke(Party::B, id, 3)), None),
        0,
        CoreError::BadRevocation {
            party: Party::A,
            version: 3,
        },
    );
    match w.channel(id).phase {
        ChannelPhase::Closing { version, stale, .. } => assert_eq!((version, stale), (4, false)),
        other => panic!("closing, not {other:?}"),
    }
    w.advance(WINDOW);
    w.exec("anyone", &ExecuteMsg::Settle { channel: id }, 0)
        .unwrap();
    // version 4's balances, no penalty
    assert_eq!(w.bal("alice"), START - 1_000 + 400);
    assert_eq!(w.bal("bob"), START - 500 + 1_100);
    w.assert_reconciles();
}

/// C4: alice got version 4 with both signatures, revoked version 3, and closes with it:
/// bob posts version 4 and the revocation, and alice forfeits her balance. A revocation of
/// an older version does not cover the closed one; the revocation may follow the state
/// (even if alice posted version 4 herself to get ahead of bob).
#[test]
fn c4_closing_with_a_revoked_state_forfeits() {
    let mut w = world();
    let id = w.open();
    w.exec(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: w.sign_state(&state(3, 900, vec![])),
        },
        0,
    )
    .unwrap();
    w.refused(
        "bob",
        &World::dispute_msg(id, None, Some(w.revoke(Party::A, id, 2)), None),
        0,
        CoreError::RevocationTooOld {
            revoked: 2,
            closed: 3,
        },
    );
    // alice front-runs bob with version 4 and no revocation: it replaces v3, nothing more
    w.dispute(
        "mallory",
        id,
        Some(w.sign_state(&state(4, 400, vec![]))),
        None,
        None,
    )
    .unwrap();
    // bob's revocation still proves her close stale
    w.dispute("bob", id, None, Some(w.revoke(Party::A, id, 3)), None)
        .unwrap();
    w.refused(
        "bob",
        &World::dispute_msg(id, None, Some(w.revoke(Party::A, id, 3)), None),
        0,
        CoreError::NothingToDispute,
    );
    w.advance(WINDOW);
    w.exec("anyone", &ExecuteMsg::Settle { channel: id }, 0)
        .unwrap();
    assert_eq!(w.bal("alice"), START - 1_000);
    assert_eq!(w.bal("bob"), START - 500 + 1_500);
    w.assert_reconciles();
}

/// C2: a copier who front-runs the victim's dispute (here the cheater's second address)
/// gets no fee: the penalty goes to the victim whole, and the fee is capped at
/// instantiate.
#[test]
fn c2_a_front_running_copier_earns_no_fee_and_the_cheater_recovers_nothing() {
    let mut w = world();
    let id = w.open();
    w.exec(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: w.sign_state(&state(3, 900, vec![])),
        },
        0,
    )
    .unwrap();
    // mallory2 (alice's second address) copies bob's pending dispute and lands first
    let (newer, revocation) = (
        w.sign_state(&state(4, 400, vec![])),
        w.revoke(Party::A, id, 3),
    );
    // the tower's authorisation does not make mallory2 a watchtower
    w.refused(
        "mallory2",
        &World::dispute_msg(
            id,
            Some(newer.clone()),
            Some(revocation.clone()),
            Some(w.bob_authorises(id, "tower")),
        ),
        0,
        CoreError::BadWatchtowerAuthorisation {
            party: Party::B,
            watchtower: w.addr("mallory2").to_string(),
        },
    );
    w.dispute(
        "mallory2",
        id,
        Some(newer.clone()),
        Some(revocation.clone()),
        None,
    )
    .unwrap();
    match w.channel(id).phase {
        ChannelPhase::Closing {
            stale, watchtower, ..
        } => assert_eq!((stale, watchtower), (true, None)),
        other => panic!("closing, not {other:?}"),
    }
    // bob's own copy now brings nothing new
    w.refused(
        "bob",
        &World::dispute_msg(id, Some(newer), Some(revocation), None),
        0,
        CoreError::NotNewer {
            version: 4,
            current: 4,
        },
    );
    w.advance(WINDOW);
    w.exec("anyone", &ExecuteMsg::Settle { channel: id }, 0)
        .unwrap();
    assert_eq!(w.bal("mallory2"), START, "the copier earns nothing");
    assert_eq!(w.bal("alice"), START - 1_000);
    assert_eq!(w.bal("bob"), START - 500 + 1_500);
    w.assert_reconciles();
}

/// C2: the fee is bounded in code; an instantiate above the cap is refused.
#[test]
fn c2_a_watchtower_fee_above_the_cap_is_refused_at_instantiate() {
    use cw_multi_test::Executor;
    use payment_channels::msg::InstantiateMsg;
    let w = world();
    let mut app = cw_multi_test::App::default();
    let code = app.store_code(Box::new(cw_multi_test::ContractWrapper::new(
        payment_channels::contract::execute,
        payment_channels::contract::instantiate,
        payment_channels::contract::query,
    )));
    let inst = |app: &mut cw_multi_test::App, fee| {
        app.instantiate_contract(
            code,
            w.addr("admin"),
            &InstantiateMsg {
                penalty_share_bps: None,
                watchtower_fee_bps: fee,
                max_dispute_window: 600,
            },
            &[],
            "channels",
            None,
        )
    };
    for fee in [5_001, 10_000] {
        assert_refused(
            inst(&mut app, fee),
            format!("watchtower fee of {fee} basis points is more than 5000"),
        );
    }
    assert!(inst(&mut app, 5_000).is_ok());
}

/// C3: alice funds a channel bob never joins: after the join deadline she reclaims it.
#[test]
fn c3_the_opener_reclaims_a_channel_nobody_joined() {
    let mut w = world();
    let (alice, bob) = (w.addr("alice"), w.addr("bob"));
    let keys = [w.keys[0].clone(), w.keys[1].clone()];
    let id = w
        .suite
        .propose(&alice, &bob, [&keys[0], &keys[1]], 1_000, WINDOW, 100)
        .unwrap();
    let deadline = match w.channel(id).phase {
        ChannelPhase::Proposed { join_by } => join_by,
        other => panic!("proposed, not {other:?}"),
    };
    w.refused(
        "alice",
        &ExecuteMsg::Reclaim { channel: id },
        0,
        CoreError::JoinOpen {
            deadline,
            now: w.now(),
        },
    );
    w.advance(100);
    // too late to join; only the opener reclaims
    let sig = w.join_signature(id, &bob, [&keys[0], &keys[1]]);
    w.refused(
        "bob",
        &ExecuteMsg::Join {
            channel: id,
            signature: sig,
        },
        0,
        CoreError::JoinClosed {
            deadline,
            now: w.now(),
        },
    );
    w.refused(
        "bob",
        &ExecuteMsg::Reclaim { channel: id },
        0,
        ContractError::WrongParty {
            id,
            party: "a",
            action: "reclaim",
        },
    );
    w.exec("alice", &ExecuteMsg::Reclaim { channel: id }, 0)
        .unwrap();
    assert_eq!(w.bal("alice"), START);
    assert_eq!(w.channel(id).phase, ChannelPhase::Closed {});
    w.assert_reconciles();
    // a joined channel is not reclaimable
    let id = w.open();
    w.advance(JOIN_WINDOW);
    w.refused(
        "alice",
        &ExecuteMsg::Reclaim { channel: id },
        0,
        ContractError::WrongPhase {
            id,
            phase: "open",
            needed: "proposed",
        },
    );
    w.refused(
        "alice",
        &ExecuteMsg::Open {
            counterparty: w.addr("bob").to_string(),
            pubkey_a: Binary::from(w.keys[0].public_key().as_slice()),
            pubkey_b: Binary::from(w.keys[1].public_key().as_slice()),
            dispute_window: WINDOW,
            join_window: 30 * 24 * 3600 + 1,
        },
        10,
        CoreError::JoinWindow {
            got: 30 * 24 * 3600 + 1,
            max: 30 * 24 * 3600,
        },
    );
}

/// C5: bob proves his key before anything binds to it: a join signed by another key (or
/// for another address), a stranger's join and equal keys are refused; nothing closes
/// before the join.
#[test]
fn c5_the_counterparty_proves_its_key_before_the_channel_opens() {
    let mut w = world();
    let (alice, bob) = (w.addr("alice"), w.addr("bob"));
    let keys = [w.keys[0].clone(), w.keys[1].clone()];
    let ka = Binary::from(keys[0].public_key().as_slice());
    w.refused(
        "alice",
        &ExecuteMsg::Open {
            counterparty: bob.to_string(),
            pubkey_a: ka.clone(),
            pubkey_b: ka,
            dispute_window: WINDOW,
            join_window: JOIN_WINDOW,
        },
        1_000,
        CoreError::SameKeys,
    );
    let id = w
        .suite
        .propose(
            &alice,
            &bob,
            [&keys[0], &keys[1]],
            1_000,
            WINDOW,
            JOIN_WINDOW,
        )
        .unwrap();
    // proposed: no close, no funding
    w.refused(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: w.sign_state(&ChannelState {
                channel_id: id,
                version: 1,
                funded: [1_000, 0],
                balances: [1_000, 0],
                htlcs: vec![],
                is_final: false,
            }),
        },
        0,
        ContractError::WrongPhase {
            id,
            phase: "proposed",
            needed: "open",
        },
    );
    w.refused(
        "bob",
        &ExecuteMsg::Fund { channel: id },
        10,
        ContractError::WrongPhase {
            id,
            phase: "proposed",
            needed: "open",
        },
    );
    // signed by a key bob does not own (the opener named it; mallory signs)
    let mallory_key = L2Key::from_label("mallory");
    let wrong = w.join_signature(id, &bob, [&keys[0], &mallory_key]);
    w.refused(
        "bob",
        &ExecuteMsg::Join {
            channel: id,
            signature: wrong,
        },
        500,
        CoreError::BadJoinSignature,
    );
    // bob's valid join sent by a stranger, and one signed for the stranger's address
    let good = w.join_signature(id, &bob, [&keys[0], &keys[1]]);
    w.refused(
        "mallory",
        &ExecuteMsg::Join {
            channel: id,
            signature: good.clone(),
        },
        0,
        ContractError::WrongParty {
            id,
            party: "b",
            action: "join",
        },
    );
    // bob joins with 500 of his own
    w.exec(
        "bob",
        &ExecuteMsg::Join {
            channel: id,
            signature: good.clone(),
        },
        500,
    )
    .unwrap();
    assert_eq!(w.channel(id).phase, ChannelPhase::Open {});
    assert_eq!(w.channel(id).funded_b.u128(), 500);
    w.refused(
        "bob",
        &ExecuteMsg::Join {
            channel: id,
            signature: good,
        },
        0,
        ContractError::WrongPhase {
            id,
            phase: "open",
            needed: "proposed",
        },
    );
    w.assert_reconciles();
}

/// C2: a deployment stored before the cap (fee above 5,000) is lowered to the cap by
/// `migrate`, so its channels still settle.
#[test]
fn c2_migrate_lowers_a_fee_above_the_cap() {
    use cw_multi_test::Executor;
    use payment_channels::msg::{ConfigResponse, InstantiateMsg, MigrateMsg};
    use payment_channels::state::CONFIG;
    let w = world();
    let admin = w.addr("admin");
    let mut app = cw_multi_test::App::default();
    let code = app.store_code(Box::new(
        cw_multi_test::ContractWrapper::new(
            payment_channels::contract::execute,
            payment_channels::contract::instantiate,
            payment_channels::contract::query,
        )
        .with_migrate(payment_channels::contract::migrate),
    ));
    let contract = app
        .instantiate_contract(
            code,
            admin.clone(),
            &InstantiateMsg {
                penalty_share_bps: None,
                watchtower_fee_bps: 1_000,
                max_dispute_window: 600,
            },
            &[],
            "channels",
            Some(admin.to_string()),
        )
        .unwrap();
    // what an old deployment holds
    {
        let mut store = app.contract_storage_mut(&contract);
        let mut config = CONFIG.load(store.as_ref()).unwrap();
        config.watchtower_fee_bps = 10_000;
        CONFIG.save(store.as_mut(), &config).unwrap();
    }
    app.migrate_contract(admin, contract.clone(), &MigrateMsg {}, code)
        .unwrap();
    let config: ConfigResponse = app
        .wrap()
        .query_wasm_smart(&contract, &QueryMsg::Config {})
        .unwrap();
    assert_eq!(config.watchtower_fee_bps, 5_000);
}
