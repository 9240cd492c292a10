//! The payment-channels contract on an embedded chain with real bank balances:
//! cooperative close, unilateral close with the latest state, stale closes punished by
//! the counterparty and by a watchtower, HTLCs claimed with the preimage or refunded after
//! the timeout, and bad input refused with a typed error that changes nothing. Built on
//! settle-testing's `ChannelSuite`.

use cosmwasm_std::{Binary, HexBinary, StdResult};
use cw_multi_test::AppResponse;
use payment_channels::msg::{ChannelPhase, ExecuteMsg, QueryMsg, SignedState};
use payment_channels::ContractError;
use settle_core::channel::{payment_hash, ChannelDomain, ChannelState, Htlc, Party};
use settle_core::crypto::L2Key;
use settle_core::Error as CoreError;
use settle_testing::{assert_refused, ChannelSuite, ChannelSuiteBuilder};

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
    for who in ["alice", "bob", "tower", "mallory"] {
        b = b.with_funds(who, START);
    }
    World {
        suite: b.build(),
        keys: [L2Key::from_label("chan-a"), L2Key::from_label("chan-b")],
    }
}

impl World {
    fn bal(&self, who: &str) -> u128 {
        self.balance(&self.addr(who))
    }
    fn exec(&mut self, who: &str, msg: &ExecuteMsg, funds: u128) -> StdResult<AppResponse> {
        let sender = self.addr(who);
        self.execute(&sender, msg, funds)
    }
    /// alice (A) opens with 1,000 and bob (B) adds 500: channel 0.
    fn open(&mut self) -> u64 {
        let (alice, bob) = (self.addr("alice"), self.addr("bob"));
        let keys = [self.keys[0].clone(), self.keys[1].clone()];
        let id = self
            .suite
            .open(&alice, &bob, [&keys[0], &keys[1]], 1_000, WINDOW)
            .unwrap();
        self.exec("bob", &ExecuteMsg::Fund { channel: id }, 500)
            .unwrap();
        id
    }
    fn sign_state(&self, s: &ChannelState) -> SignedState {
        self.suite.sign(s, [&self.keys[0], &self.keys[1]])
    }
    fn sign_for(&self, domain: &ChannelDomain, s: &ChannelState) -> SignedState {
        let h = s.signing_hash(domain);
        SignedState {
            state: Binary::new(s.encode()),
            signature_a: HexBinary::from(self.keys[0].sign_prehash(&h).as_slice()),
            signature_b: HexBinary::from(self.keys[1].sign_prehash(&h).as_slice()),
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
            ["alice", "bob", "tower", "mallory"]
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
        ContractError::NotFinal,
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
            deadline, stale, ..
        } => {
            assert!(!stale);
            deadline
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

fn stale_close_is_punished(disputer: &str) -> World {
    let mut w = world();
    let id = w.open();
    // alice closes with version 3, where she still had 900; version 4 gave bob 500 more
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
    let dry = w.check_close(id, &w.addr(disputer), &newer);
    assert!(dry.valid, "{dry:?}");
    w.exec(
        disputer,
        &ExecuteMsg::Dispute {
            channel: id,
            signed: newer,
        },
        0,
    )
    .unwrap();
    // replaying the stale version (or the same one) is refused
    w.refused(
        "alice",
        &ExecuteMsg::Dispute {
            channel: id,
            signed: w.sign_state(&state(3, 900, vec![])),
        },
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
        &ExecuteMsg::Dispute {
            channel: id,
            signed: w.sign_state(&state(5, 100, vec![])),
        },
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
fn a_stale_close_is_punished_by_a_watchtower_which_earns_its_fee() {
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
            preimage: HexBinary::from(preimage.as_slice()),
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
            index: 0,
        },
        0,
    )
    .unwrap();
    assert_eq!(w.bal("bob"), START - 500 + 650);
    w.refused(
        "anyone",
        &ExecuteMsg::SettleHtlc {
            channel: id,
            index: 0,
        },
        0,
        ContractError::HtlcPaid { id, index: 0 },
    );
    w.refused(
        "anyone",
        &ExecuteMsg::SettleHtlc {
            channel: id,
            index: 1,
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
            index: 2,
        },
        0,
        ContractError::NoSuchHtlc { id, index: 2 },
    );
    w.advance(10_000);
    w.exec(
        "anyone",
        &ExecuteMsg::SettleHtlc {
            channel: id,
            index: 1,
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
        &ExecuteMsg::Dispute {
            channel: id,
            signed: w.sign_state(&good),
        },
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
            preimage: HexBinary::from([1u8; 31].as_slice()),
        },
        0,
        CoreError::Length {
            what: "preimage",
            expected: 32,
            got: 31,
        },
    );
    // opening: a channel with oneself, a bad key, a window too long
    let kb = HexBinary::from(w.keys[1].public_key().as_slice());
    let open = |counterparty: String, key: Vec<u8>, window: u64| ExecuteMsg::Open {
        counterparty,
        pubkey_a: HexBinary::from(key),
        pubkey_b: kb.clone(),
        dispute_window: window,
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
            index: 0,
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
        ExecuteMsg::Dispute {
            channel: id,
            signed: w.sign_state(&state(3, 1_000, vec![])),
        },
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
            index: 0,
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
            index: 0,
        },
        0,
    )
    .unwrap();
    assert_eq!(w.bal("bob"), START - 700 + 600 + 200 + 300);
    assert_eq!(w.channel(id).phase, ChannelPhase::Closed {});
    w.assert_reconciles();
}
