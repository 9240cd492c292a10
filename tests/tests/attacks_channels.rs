//! The attack catalog (SECURITY.md) against the payment-channels contract: each
//! `attack_` test performs one named attack on an embedded chain with real bank balances
//! and checks that it fails closed: the typed error, no state change, no funds moved, and
//! the contract still holding exactly what its channels owe.

use cosmwasm_std::{Binary, StdResult};
use cw_multi_test::AppResponse;
use payment_channels::msg::{ChannelPhase, ExecuteMsg, QueryMsg, Revocation, SignedState};
use payment_channels::ContractError;
use settle_core::channel::{payment_hash, ChannelDomain, ChannelState, Htlc, Party, MAX_HTLCS};
use settle_core::crypto::L2Key;
use settle_core::Error as CoreError;
use settle_testing::{assert_refused, ChannelSuite, ChannelSuiteBuilder};

const START: u128 = 10_000;
const WINDOW: u64 = 600;
const PEOPLE: [&str; 5] = ["alice", "bob", "tower", "mallory", "anyone"];

/// Alice (A) and bob (B) with channel keys, a watchtower and mallory, all funded.
struct World {
    s: ChannelSuite,
    keys: [L2Key; 2],
}

fn world() -> World {
    let mut b = ChannelSuiteBuilder::new().with_watchtower_fee(1_000);
    for who in PEOPLE {
        b = b.with_funds(who, START);
    }
    World {
        s: b.build(),
        keys: [L2Key::from_label("atk-a"), L2Key::from_label("atk-b")],
    }
}

/// Version `v` of channel `id`: alice 1,000 and bob 500 in, alice holds `a`.
fn state(id: u64, v: u64, a: u128, htlcs: Vec<Htlc>) -> ChannelState {
    let held: u128 = htlcs.iter().map(|h| h.amount).sum();
    ChannelState {
        channel_id: id,
        version: v,
        funded: [1_000, 500],
        balances: [a, 1_500 - a - held],
        htlcs,
        is_final: false,
    }
}

/// `sig` with `s` replaced by `n - s`: the other, high-s, signature of the same message.
fn high_s(sig: &[u8]) -> Vec<u8> {
    const N: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36,
        0x41, 0x41,
    ];
    let mut out = sig.to_vec();
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = N[i] as i16 - sig[32 + i] as i16 - borrow;
        borrow = i16::from(d < 0);
        out[32 + i] = d.rem_euclid(256) as u8;
    }
    out
}

impl World {
    fn bal(&self, who: &str) -> u128 {
        self.s.balance_of(&self.s.addr(who))
    }

    fn exec(&mut self, who: &str, msg: &ExecuteMsg, funds: u128) -> StdResult<AppResponse> {
        let (sender, funds) = (self.s.addr(who), self.s.coins(funds));
        self.s.execute(&sender, msg, &funds)
    }

    /// alice opens with 1,000, bob joins and adds 500; returns the channel id.
    fn open(&mut self) -> u64 {
        let (alice, bob) = (self.s.addr("alice"), self.s.addr("bob"));
        let keys = self.keys.clone();
        let id = self
            .s
            .open_channel(&alice, &bob, [&keys[0], &keys[1]], 1_000, WINDOW)
            .unwrap();
        self.exec("bob", &ExecuteMsg::Fund { channel: id }, 500)
            .unwrap();
        id
    }

    fn sign(&self, st: &ChannelState) -> SignedState {
        self.s.sign(st, [&self.keys[0], &self.keys[1]])
    }

    fn sign_for(&self, domain: &ChannelDomain, st: &ChannelState) -> SignedState {
        let h = st.signing_hash(domain);
        SignedState {
            state: Binary::new(st.encode()),
            signature_a: Binary::from(self.keys[0].sign_prehash(&h).as_slice()),
            signature_b: Binary::from(self.keys[1].sign_prehash(&h).as_slice()),
        }
    }

    fn revoke(&self, p: Party, id: u64, version: u64) -> Revocation {
        self.s.revoke(&self.keys[p.index()], id, version)
    }

    fn close(&mut self, who: &str, id: u64, st: &ChannelState) {
        let signed = self.sign(st);
        self.exec(
            who,
            &ExecuteMsg::Close {
                channel: id,
                signed,
            },
            0,
        )
        .unwrap();
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

    /// Every channel, every balance, and the contract's own balance.
    fn snapshot(&self) -> (String, Vec<u128>) {
        let channels: serde_json::Value = self
            .s
            .app
            .wrap()
            .query_wasm_smart(
                &self.s.contract,
                &QueryMsg::Channels {
                    start_after: None,
                    limit: None,
                },
            )
            .unwrap();
        let mut balances: Vec<u128> = PEOPLE.iter().map(|w| self.bal(w)).collect();
        balances.push(self.s.balance_of(&self.s.contract));
        (channels.to_string(), balances)
    }

    /// `who` sends `msg`: refused with `expected`, nothing changed, still solvent.
    fn refused(&mut self, who: &str, msg: &ExecuteMsg, funds: u128, expected: impl ToString) {
        let before = self.snapshot();
        assert_refused(self.exec(who, msg, funds), expected.to_string());
        assert_eq!(self.snapshot(), before, "a refused message changed state");
        self.s.assert_reconciles();
    }

    fn settle(&mut self, id: u64) {
        self.exec("anyone", &ExecuteMsg::Settle { channel: id }, 0)
            .unwrap();
    }
}

/// Alice holds version 4 with both signatures and has revoked version 3, which paid her
/// more; she closes with version 3. Bob's dispute proves it stale: she forfeits, and her
/// stale state can never come back.
#[test]
fn attack_stale_channel_close_is_punished() {
    let mut w = world();
    let id = w.open();
    w.close("alice", id, &state(id, 3, 900, vec![]));
    let v4 = w.sign(&state(id, 4, 400, vec![]));
    w.s.dispute(
        &w.s.addr("bob"),
        id,
        Some(v4),
        Some(w.revoke(Party::A, id, 3)),
        None,
    )
    .unwrap();
    // alice cannot bring her stale state back, nor escape by a cooperative close
    let v3 = w.sign(&state(id, 3, 900, vec![]));
    w.refused(
        "alice",
        &World::dispute_msg(id, Some(v3), None, None),
        0,
        CoreError::NotNewer {
            version: 3,
            current: 4,
        },
    );
    let fin = w.sign(&ChannelState {
        is_final: true,
        ..state(id, 5, 1_000, vec![])
    });
    w.refused(
        "alice",
        &ExecuteMsg::CooperativeClose {
            channel: id,
            signed: fin,
        },
        0,
        CoreError::PenaltyEarned { closer: Party::A },
    );
    w.s.advance(WINDOW);
    w.settle(id);
    assert_eq!(w.bal("alice"), START - 1_000, "the stale closer forfeits");
    assert_eq!(w.bal("bob"), START - 500 + 1_500);
    w.s.assert_reconciles();
}

/// A watchtower tries to penalise alice's close of channel 0 with material of channel 1
/// (between the same parties, same keys): a newer state, a revocation and an
/// authorisation, each of the other channel. Every one is refused.
#[test]
fn attack_watchtower_penalty_with_a_state_for_another_channel() {
    let mut w = world();
    let id0 = w.open();
    let id1 = w.open();
    w.close("alice", id0, &state(id0, 3, 900, vec![]));
    let tower = w.s.addr("tower");
    let auth0 = w.s.authorise(&w.keys[1], id0, &tower);
    let auth1 = w.s.authorise(&w.keys[1], id1, &tower);
    // channel 1's newer state
    let other = w.sign(&state(id1, 9, 100, vec![]));
    w.refused(
        "tower",
        &World::dispute_msg(id0, Some(other), None, Some(auth0.clone())),
        0,
        CoreError::WrongChannel {
            expected: id0,
            got: id1,
        },
    );
    // alice's revocation of version 3 of channel 1
    w.refused(
        "tower",
        &World::dispute_msg(id0, None, Some(w.revoke(Party::A, id1, 3)), Some(auth0)),
        0,
        CoreError::BadRevocation {
            party: Party::A,
            version: 3,
        },
    );
    // bob's authorisation of the tower for channel 1
    w.refused(
        "tower",
        &World::dispute_msg(id0, None, Some(w.revoke(Party::A, id0, 3)), Some(auth1)),
        0,
        CoreError::BadWatchtowerAuthorisation {
            party: Party::B,
            watchtower: tower.to_string(),
        },
    );
    match w.s.channel(id0).phase {
        ChannelPhase::Closing { version, stale, .. } => assert_eq!((version, stale), (3, false)),
        other => panic!("closing, not {other:?}"),
    }
}

/// Bob's authorised watchtower (or a copier) cannot close a channel at all, with any
/// state: only the parties close; and the tower cannot use bob's own revocation (bob
/// revoked the version too) to penalise alice, who never revoked it.
#[test]
fn attack_watchtower_closes_with_an_old_revoked_state() {
    let mut w = world();
    let id = w.open();
    let old = w.sign(&state(id, 1, 200, vec![]));
    w.refused(
        "tower",
        &ExecuteMsg::Close {
            channel: id,
            signed: old,
        },
        0,
        ContractError::NotAParty {
            id,
            sender: w.s.addr("tower").to_string(),
        },
    );
    // alice closes with version 3, the newest she holds; bob revoked version 3 himself
    w.close("alice", id, &state(id, 3, 900, vec![]));
    let auth = w.s.authorise(&w.keys[1], id, &w.s.addr("tower"));
    w.refused(
        "tower",
        &World::dispute_msg(id, None, Some(w.revoke(Party::B, id, 3)), Some(auth)),
        0,
        CoreError::BadRevocation {
            party: Party::A,
            version: 3,
        },
    );
    w.s.advance(WINDOW);
    w.settle(id);
    assert_eq!(
        w.bal("alice"),
        START - 1_000 + 900,
        "no penalty without cause"
    );
    assert_eq!(w.bal("tower"), START);
}

/// Mallory watches the mempool and front-runs bob's dispute with a copy of it, claiming
/// the watchtower fee with the real tower's authorisation: refused; a plain copy lands
/// but earns nothing, and bob (the wronged party) still receives the whole forfeit.
#[test]
fn attack_front_run_dispute() {
    let mut w = world();
    let id = w.open();
    w.close("alice", id, &state(id, 3, 900, vec![]));
    let v4 = w.sign(&state(id, 4, 400, vec![]));
    let rev = w.revoke(Party::A, id, 3);
    let tower_auth = w.s.authorise(&w.keys[1], id, &w.s.addr("tower"));
    w.refused(
        "mallory",
        &World::dispute_msg(id, Some(v4.clone()), Some(rev.clone()), Some(tower_auth)),
        0,
        CoreError::BadWatchtowerAuthorisation {
            party: Party::B,
            watchtower: w.s.addr("mallory").to_string(),
        },
    );
    w.exec(
        "mallory",
        &World::dispute_msg(id, Some(v4.clone()), Some(rev.clone()), None),
        0,
    )
    .unwrap();
    match w.s.channel(id).phase {
        ChannelPhase::Closing {
            stale, watchtower, ..
        } => assert_eq!((stale, watchtower), (true, None)),
        other => panic!("closing, not {other:?}"),
    }
    // bob's own (now late) copy brings nothing new
    w.refused(
        "bob",
        &World::dispute_msg(id, Some(v4), Some(rev), None),
        0,
        CoreError::NotNewer {
            version: 4,
            current: 4,
        },
    );
    w.s.advance(WINDOW);
    w.settle(id);
    assert_eq!(w.bal("mallory"), START, "the copier earns nothing");
    assert_eq!(w.bal("bob"), START - 500 + 1_500);
    assert_eq!(w.bal("alice"), START - 1_000);
    w.s.assert_reconciles();
}

/// A newer state or a revocation posted once the dispute window closed is refused: the
/// close stands as it was at the deadline.
#[test]
fn attack_update_after_the_dispute_window() {
    let mut w = world();
    let id = w.open();
    w.close("alice", id, &state(id, 3, 900, vec![]));
    let ChannelPhase::Closing {
        dispute_ends_at, ..
    } = w.s.channel(id).phase
    else {
        panic!("closing")
    };
    let deadline = dispute_ends_at;
    w.s.advance(WINDOW);
    let v4 = w.sign(&state(id, 4, 400, vec![]));
    w.refused(
        "bob",
        &World::dispute_msg(id, Some(v4), Some(w.revoke(Party::A, id, 3)), None),
        0,
        ContractError::WindowClosed { id, deadline },
    );
    w.settle(id);
    assert_eq!(w.bal("alice"), START - 1_000 + 900);
    assert_eq!(w.bal("bob"), START - 500 + 600);
}

/// The same version twice: the closer's exact state again, and a different state that
/// carries the same version number. Neither replaces the pending one.
#[test]
fn attack_equal_version_twice() {
    let mut w = world();
    let id = w.open();
    w.close("bob", id, &state(id, 5, 300, vec![]));
    for other in [state(id, 5, 300, vec![]), state(id, 5, 1_400, vec![])] {
        let signed = w.sign(&other);
        w.refused(
            "alice",
            &World::dispute_msg(id, Some(signed), None, None),
            0,
            CoreError::NotNewer {
                version: 5,
                current: 5,
            },
        );
    }
    w.s.advance(WINDOW);
    w.settle(id);
    assert_eq!(w.bal("alice"), START - 1_000 + 300);
}

/// An HTLC from alice to bob whose preimage is revealed only after its timeout: bob
/// cannot take it; it goes back to alice.
#[test]
fn attack_htlc_claimed_after_its_timeout() {
    let mut w = world();
    let id = w.open();
    let now = w.s.now();
    let preimage = [7u8; 32];
    let htlc = Htlc {
        amount: 100,
        payment_hash: payment_hash(&preimage).unwrap(),
        timeout: now + 1_000,
        payer: Party::A,
    };
    w.close("alice", id, &state(id, 2, 800, vec![htlc]));
    w.s.advance(WINDOW);
    w.settle(id);
    w.s.advance(1_000);
    // the preimage comes too late
    w.exec(
        "bob",
        &ExecuteMsg::RevealPreimage {
            preimage: Binary::from(preimage.as_slice()),
        },
        0,
    )
    .unwrap();
    let (alice, bob) = (w.bal("alice"), w.bal("bob"));
    w.exec(
        "bob",
        &ExecuteMsg::SettleHtlc {
            channel: id,
            htlc: 0,
        },
        0,
    )
    .unwrap();
    assert_eq!(w.bal("bob"), bob, "the late payee gets nothing");
    assert_eq!(w.bal("alice"), alice + 100, "refunded to the payer");
    w.refused(
        "bob",
        &ExecuteMsg::SettleHtlc {
            channel: id,
            htlc: 0,
        },
        0,
        ContractError::WrongPhase {
            id,
            phase: "closed",
            needed: "settled",
        },
    );
    w.s.assert_reconciles();
}

/// The payer asks for its HTLC back before the timeout, with the preimage unrevealed:
/// refused until the timeout, second by second.
#[test]
fn attack_htlc_refunded_before_its_timeout() {
    let mut w = world();
    let id = w.open();
    let now = w.s.now();
    let htlc = Htlc {
        amount: 100,
        payment_hash: payment_hash(&[8u8; 32]).unwrap(),
        timeout: now + 2_000,
        payer: Party::A,
    };
    w.close("alice", id, &state(id, 2, 800, vec![htlc]));
    w.s.advance(WINDOW);
    w.settle(id);
    let wait = now + 2_000 - 1 - w.s.now();
    w.s.advance(wait);
    let settle_htlc = ExecuteMsg::SettleHtlc {
        channel: id,
        htlc: 0,
    };
    w.refused(
        "alice",
        &settle_htlc,
        0,
        ContractError::HtlcPending {
            id,
            index: 0,
            timeout: now + 2_000,
        },
    );
    w.s.advance(1);
    let alice = w.bal("alice");
    w.exec("alice", &settle_htlc, 0).unwrap();
    assert_eq!(w.bal("alice"), alice + 100);
}

/// Bob reveals the preimage of ANOTHER payment hash: it is registered under its own
/// hash and does not unlock alice's HTLC, which stays pending and then refunds.
#[test]
fn attack_preimage_for_another_hash() {
    let mut w = world();
    let id = w.open();
    let now = w.s.now();
    let htlc = Htlc {
        amount: 100,
        payment_hash: payment_hash(&[1u8; 32]).unwrap(),
        timeout: now + 5_000,
        payer: Party::A,
    };
    w.close("alice", id, &state(id, 2, 800, vec![htlc]));
    w.exec(
        "bob",
        &ExecuteMsg::RevealPreimage {
            preimage: Binary::from([2u8; 32].as_slice()),
        },
        0,
    )
    .unwrap();
    w.s.advance(WINDOW);
    w.settle(id);
    let settle_htlc = ExecuteMsg::SettleHtlc {
        channel: id,
        htlc: 0,
    };
    w.refused(
        "bob",
        &settle_htlc,
        0,
        ContractError::HtlcPending {
            id,
            index: 0,
            timeout: now + 5_000,
        },
    );
    w.s.advance(5_000);
    let (alice, bob) = (w.bal("alice"), w.bal("bob"));
    w.exec("bob", &settle_htlc, 0).unwrap();
    assert_eq!((w.bal("alice"), w.bal("bob")), (alice + 100, bob));
}

/// States that hand out more than the channel holds: more than the funding in total,
/// more of one party's funding than it put in, and HTLCs on top of full balances.
#[test]
fn attack_over_allocated_state() {
    let mut w = world();
    let id = w.open();
    let good = state(id, 3, 900, vec![]);
    let htlc = Htlc {
        amount: 200,
        payment_hash: [3; 32],
        timeout: 1,
        payer: Party::B,
    };
    for (bad, expected) in [
        (
            ChannelState {
                balances: [1_000, 600],
                ..good.clone()
            },
            CoreError::Misallocated {
                allocated: 1_600,
                funded: 1_500,
            },
        ),
        (
            ChannelState {
                funded: [1_000, 900],
                balances: [1_000, 900],
                ..good.clone()
            },
            CoreError::Overfunded {
                party: Party::B,
                declared: 900,
                held: 500,
            },
        ),
        (
            ChannelState {
                htlcs: vec![htlc],
                ..good.clone()
            },
            CoreError::Misallocated {
                allocated: 1_700,
                funded: 1_500,
            },
        ),
    ] {
        let signed = w.sign(&bad);
        w.refused(
            "alice",
            &ExecuteMsg::Close {
                channel: id,
                signed,
            },
            0,
            expected,
        );
    }
}

/// Balances and HTLC amounts chosen so that their sum wraps around 2^128 to the funding:
/// refused as an overflow, never allocated.
#[test]
fn attack_amount_overflow_in_a_state() {
    let mut w = world();
    let id = w.open();
    let htlc = Htlc {
        amount: u128::MAX,
        payment_hash: [4; 32],
        timeout: 1,
        payer: Party::A,
    };
    for bad in [
        ChannelState {
            balances: [u128::MAX, 1_501],
            ..state(id, 3, 0, vec![])
        },
        ChannelState {
            balances: [1_000, 501],
            htlcs: vec![htlc],
            ..state(id, 3, 0, vec![])
        },
    ] {
        let signed = w.sign(&bad);
        w.refused(
            "bob",
            &ExecuteMsg::Close {
                channel: id,
                signed,
            },
            0,
            CoreError::AmountOverflow,
        );
    }
    // and a deposit above u128 never reaches a channel: the bank holds no such coin, so
    // the funding check in the core is the only line; a channel's funding stays exact
    w.s.assert_reconciles();
}

/// A co-signed state of this channel, but signed for another deployment (another
/// contract on this chain, this contract's address on another chain): refused.
#[test]
fn attack_state_signed_for_another_contract_or_chain() {
    let mut w = world();
    let id = w.open();
    let good = state(id, 3, 900, vec![]);
    for domain in [
        ChannelDomain::new("cosmos-testnet-14002", "cosmwasm1elsewhere"),
        ChannelDomain::new("another-chain-1", w.s.contract.as_str()),
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
}

/// Undecodable and high-s signatures on a channel state: the high-s twin of a valid
/// signature (the same point, `s` replaced by `n - s`), a signature of the wrong length,
/// and zeros.
#[test]
fn attack_undecodable_and_high_s_state_signatures() {
    let mut w = world();
    let id = w.open();
    let good = w.sign(&state(id, 3, 900, vec![]));
    let twin = SignedState {
        signature_b: Binary::from(high_s(good.signature_b.as_slice())),
        ..good.clone()
    };
    w.refused(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: twin,
        },
        0,
        CoreError::BadStateSignature { party: Party::B },
    );
    let short = SignedState {
        signature_a: Binary::from(&good.signature_a.as_slice()[..63]),
        ..good.clone()
    };
    w.refused(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: short,
        },
        0,
        "expected 64 bytes",
    );
    let zeros = SignedState {
        signature_a: Binary::from(vec![0u8; 64]),
        ..good.clone()
    };
    w.refused(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: zeros,
        },
        0,
        CoreError::BadStateSignature { party: Party::A },
    );
    // the genuine low-s pair still closes
    w.exec(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed: good,
        },
        0,
    )
    .unwrap();
}

/// Gas exhaustion: a state with more HTLCs than a settlement may loop over is refused,
/// and the channel list query answers at most a page however large the limit asked.
#[test]
fn attack_gas_exhaustion_through_htlcs_and_listings() {
    let mut w = world();
    let id = w.open();
    let now = w.s.now();
    let htlcs: Vec<Htlc> = (0..=MAX_HTLCS)
        .map(|i| Htlc {
            amount: 1,
            payment_hash: [i as u8; 32],
            timeout: now + 10_000,
            payer: Party::A,
        })
        .collect();
    let signed = w.sign(&state(id, 3, 900, htlcs));
    w.refused(
        "alice",
        &ExecuteMsg::Close {
            channel: id,
            signed,
        },
        0,
        CoreError::TooManyHtlcs {
            count: MAX_HTLCS + 1,
        },
    );
    for _ in 0..110 {
        let (alice, bob) = (w.s.addr("alice"), w.s.addr("bob"));
        let keys = w.keys.clone();
        w.s.propose(&alice, &bob, [&keys[0], &keys[1]], 1, WINDOW, 60)
            .unwrap();
    }
    let page: payment_channels::msg::ChannelsResponse =
        w.s.app
            .wrap()
            .query_wasm_smart(
                &w.s.contract,
                &QueryMsg::Channels {
                    start_after: None,
                    limit: Some(u32::MAX),
                },
            )
            .unwrap();
    assert_eq!(page.channels.len(), 100, "one page, not every channel");
}

/// Mallory joins a channel alice proposed to bob, or joins as bob with a signature of
/// another key: refused; alice's funds stay locked for bob or come back to her.
#[test]
fn attack_join_a_channel_proposed_to_someone_else() {
    let mut w = world();
    let (alice, bob) = (w.s.addr("alice"), w.s.addr("bob"));
    let keys = w.keys.clone();
    let id =
        w.s.propose(&alice, &bob, [&keys[0], &keys[1]], 1_000, WINDOW, 600)
            .unwrap();
    let signature = w.s.join_signature(id, &bob, [&keys[0], &keys[1]]);
    w.refused(
        "mallory",
        &ExecuteMsg::Join {
            channel: id,
            signature: signature.clone(),
        },
        0,
        ContractError::WrongParty {
            id,
            party: "b",
            action: "join",
        },
    );
    let forged =
        w.s.join_signature(id, &bob, [&keys[0], &L2Key::from_label("not-bob")]);
    w.refused(
        "bob",
        &ExecuteMsg::Join {
            channel: id,
            signature: forged,
        },
        0,
        CoreError::BadJoinSignature,
    );
    w.s.advance(600);
    w.refused(
        "bob",
        &ExecuteMsg::Join {
            channel: id,
            signature,
        },
        0,
        "the join window closed",
    );
    w.exec("alice", &ExecuteMsg::Reclaim { channel: id }, 0)
        .unwrap();
    assert_eq!(w.bal("alice"), START);
}

/// Gas exhaustion through denoms: channels funded in more denoms than one query may walk
/// (cheap to mint on chains with a token factory). The one-shot `solvency` query refuses
/// instead of walking them all; `solvency_page` answers a page at a time, and every page
/// reconciles. (Found by this catalog: `solvency` walked every denom ever funded.)
#[test]
fn attack_gas_exhaustion_through_many_denoms() {
    use cosmwasm_std::Coin;
    use cw_multi_test::Executor;
    use payment_channels::msg::SolvencyResponse;
    let mut w = world();
    let (alice, bob) = (w.s.addr("alice"), w.s.addr("bob"));
    let denoms: Vec<String> = (0..101).map(|i| format!("junk{i:03}")).collect();
    let coins: Vec<Coin> = denoms
        .iter()
        .map(|d| Coin::new(1u128, d.as_str()))
        .collect();
    w.s.app
        .init_modules(|router, _, storage| router.bank.init_balance(storage, &alice, coins))
        .unwrap();
    let open = ExecuteMsg::Open {
        counterparty: bob.to_string(),
        pubkey_a: Binary::from(w.keys[0].public_key().as_slice()),
        pubkey_b: Binary::from(w.keys[1].public_key().as_slice()),
        dispute_window: WINDOW,
        join_window: 600,
    };
    for d in &denoms {
        let contract = w.s.contract.clone();
        w.s.app
            .execute_contract(
                alice.clone(),
                contract,
                &open,
                &[Coin::new(1u128, d.as_str())],
            )
            .unwrap();
    }
    let whole: StdResult<SolvencyResponse> =
        w.s.app
            .wrap()
            .query_wasm_smart(&w.s.contract, &QueryMsg::Solvency {});
    assert_refused(
        whole,
        "channels are funded in more than 100 denoms: page through them with solvency_page",
    );
    let page = |start_after: Option<String>| -> SolvencyResponse {
        w.s.app
            .wrap()
            .query_wasm_smart(
                &w.s.contract,
                &QueryMsg::SolvencyPage {
                    start_after,
                    limit: Some(u32::MAX),
                },
            )
            .unwrap()
    };
    let first = page(None);
    assert_eq!(first.denoms.len(), 100, "one page, not every denom");
    let rest = page(first.denoms.last().map(|d| d.denom.clone()));
    assert_eq!(rest.denoms.len(), 1);
    for d in first.denoms.iter().chain(&rest.denoms) {
        assert!(d.held == d.owed && first.solvent && rest.solvent, "{d:?}");
    }
}
