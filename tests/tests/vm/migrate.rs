//! `migrate` on the optimized artifacts, as a chain runs it when an admin points a
//! contract at a new code id (`MsgMigrateContract`): a new instance of the code over the
//! contract's storage ([`Harness::migrate`]). Each test builds state with every kind of
//! flow in flight, runs the refused migrations (a downgrade, another contract's code) and
//! an upgrade from an older cw2 version over it, checks that the
//! storage and every query answer are what they were, and then finishes every flow on
//! the migrated contract with the payouts checked.

use cosmwasm_std::{Addr, Binary, Coin, Empty, Timestamp};
use serde::Serialize;
use settle_core::channel::{payment_hash, ChannelState, Htlc, Party as CoreParty};
use settle_core::crypto::L2Key;
use settle_tests::vm::{
    altered_root, bank_sends, event_attr, ChannelParams, Harness, RollupParams, VmChannels,
    VmRollup, CW2_KEY,
};

use super::{assert_channels_reconcile, assert_reconciles, assert_refused_with, coins, ustake};

/// A contract's code: its artifact and the name and version it records in cw2.
#[derive(Clone, Copy)]
struct Code {
    artifact: &'static str,
    name: &'static str,
    version: &'static str,
}

const OPTIMISTIC: Code = Code {
    artifact: "optimistic-rollup",
    name: optimistic_rollup::contract::CONTRACT_NAME,
    version: optimistic_rollup::contract::CONTRACT_VERSION,
};
const CHANNELS: Code = Code {
    artifact: "payment-channels",
    name: payment_channels::contract::CONTRACT_NAME,
    version: payment_channels::contract::CONTRACT_VERSION,
};
const VALIDITY: Code = Code {
    artifact: "validity-rollup",
    name: validity_rollup::contract::CONTRACT_NAME,
    version: validity_rollup::contract::CONTRACT_VERSION,
};

/// Every query's raw answer (or the contract's refusal).
fn answers<Q: Serialize>(h: &mut Harness, queries: &[Q]) -> Vec<Result<Binary, String>> {
    queries
        .iter()
        .map(|q| h.query_raw(q).map(|(b, _)| b).map_err(|e| e.error))
        .collect()
}

/// Over a contract of `code` holding state in flight: a downgrade and `other`'s code are
/// refused, change no byte and keep the old code; an upgrade from cw2 version 0.0.1
/// records `code`'s version, emits `migrate` from/to, changes no other byte, and every
/// query in `queries` answers as before. (Each migration compiles the artifact again, as a
/// chain would; the malformed-version and same-version cases run natively: each
/// contract's `migrate_tests` and `tests/validity_rollup.rs`.)
fn migrate_over_state_in_flight<Q: Serialize>(
    h: &mut Harness,
    code: Code,
    other: Code,
    queries: &[Q],
) {
    let cw2_raw = h.raw(CW2_KEY).expect("a cw2 record");
    let record: serde_json::Value = serde_json::from_slice(&cw2_raw).expect("cw2 json");
    assert_eq!(record["contract"], code.name);
    assert_eq!(record["version"], code.version);
    let with_version = |v: &str| {
        let mut r = record.clone();
        r["version"] = v.into();
        serde_json::to_vec(&r).expect("json")
    };
    let storage = h.storage_snapshot();
    let before = answers(h, queries);
    for (q, a) in before.iter().enumerate() {
        assert!(a.is_ok(), "query {q} refused before the migration: {a:?}");
    }

    let refusals = [
        (
            with_version("99.0.0"),
            code,
            format!(
                "cannot migrate {} down from version 99.0.0 to {}",
                code.name, code.version
            ),
        ),
        (
            cw2_raw.clone(),
            other,
            format!(
                "cannot migrate: the stored state is {}'s, this code is {}",
                code.name, other.name
            ),
        ),
    ];
    for (stored, new_code, expected) in refusals {
        h.poke(CW2_KEY, &stored);
        let e = h
            .migrate(new_code.artifact, &Empty {})
            .expect_err("migration accepted");
        assert!(!e.vm_error && e.error.contains(&expected), "{e}");
        h.poke(CW2_KEY, &cw2_raw);
        assert_eq!(h.storage_snapshot(), storage, "{expected}: storage changed");
        assert_eq!(
            answers(h, queries),
            before,
            "{expected}: the old code no longer answers the same"
        );
    }

    h.poke(CW2_KEY, &with_version("0.0.1"));
    let done = h
        .migrate(code.artifact, &Empty {})
        .unwrap_or_else(|e| panic!("upgrade refused: {e}"));
    assert_eq!(
        event_attr(&done.response, "migrate", "from_version").as_deref(),
        Some("0.0.1")
    );
    assert_eq!(
        event_attr(&done.response, "migrate", "to_version").as_deref(),
        Some(code.version)
    );
    assert!(
        done.response.messages.is_empty(),
        "a migration moves no funds"
    );
    assert_eq!(h.raw(CW2_KEY), Some(cw2_raw), "the new version is recorded");
    assert_eq!(
        h.storage_snapshot(),
        storage,
        "the migration changed more than the version"
    );
    let after = answers(h, queries);
    for (q, (a, b)) in after.iter().zip(&before).enumerate() {
        assert_eq!(a, b, "query {q} answers differently after the migration");
    }
}

/// Optimistic rollup: a finalized batch with an unpaid withdrawal, a game mid-bisection
/// (the challenger to choose), a game already won on time with the treasury's share
/// credited and unclaimed, a pending config change and two bonded proposers survive the
/// migration; afterwards the withdrawal pays, the game is played to its one-step proof
/// and pays the defender, the treasury claims, and the change applies after its timelock.
#[test]
fn migrate_keeps_the_optimistic_rollups_flows_in_flight_on_the_wasm() {
    use optimistic_rollup::msg::{ConfigResponse, ExecuteMsg, GamePhase, QueryMsg, Side};
    use settle_core::batch::encode_batch;

    let (mut r, _) = VmRollup::deploy(RollupParams::default());
    let denom = r.params.denom.clone();
    let proposer = r.proposer.clone();
    let admin = r.admin.clone();
    let [liar, watcher, griefer, carol, relayer, treasury2] = [
        "liar",
        "watcher",
        "griefer",
        "carol",
        "relayer",
        "treasury2",
    ]
    .map(|l| r.h.addr(l));
    let treasury = Addr::unchecked(r.params.treasury.clone());
    r.bond_proposer().unwrap();
    r.bond(&liar, 1_000).unwrap();

    // Batch 0, final: two accounts of 10,000, a transfer and 200 out to carol (unpaid).
    let (keys, _) = super::open_accounts(&mut r, 2, "migrate");
    let txs = vec![
        r.transfer(&keys[0], 0, 1, 100, 0),
        r.withdrawal(&keys[0], 0, &carol, 200, 1),
    ];
    r.propose(encode_batch(&txs)).unwrap();
    r.a_challenge_window_passes();
    r.finalize(0).unwrap();

    // Batch 1 (honest) and batch 2 (the liar's, with a wrong output root).
    r.propose(encode_batch(&[r.transfer(&keys[1], 1, 0, 40, 0)]))
        .unwrap();
    r.proposer = liar.clone();
    let lie = encode_batch(&[r.transfer(&keys[0], 0, 1, 10, 2)]);
    let truth = r.preview(lie.clone());
    r.propose_with_root(lie, altered_root(&truth.output_root))
        .unwrap();
    r.proposer = proposer.clone();

    // The watcher challenges batch 2; the liar never answers and loses on time: half its
    // bond to the watcher, half credited to the treasury, batch 2 removed.
    let (g2, _) = r.challenge(&watcher, 2).unwrap();
    r.h.env.block.time =
        Timestamp::from_seconds(r.game(g2).clock_runs_out_at.expect("a running clock"));
    let won = r.resolve_game(&watcher, g2).unwrap();
    assert_eq!(
        bank_sends(&won.response),
        vec![(watcher.to_string(), ustake(&r, 500 + 500))]
    );
    assert_eq!(r.status().next_batch, 2, "batch 2 removed");
    assert_eq!(r.node.batch_count(), 2, "the node followed");

    // The griefer disputes batch 1 (true): the defender has bisected once, the griefer
    // is to choose.
    let roots = r.true_roots(1);
    let (g1, _) = r.challenge(&griefer, 1).unwrap();
    let GamePhase::Bisect { position } = r.game(g1).phase else {
        panic!("a new game bisects first")
    };
    r.h.advance(5);
    r.bisect(&proposer, g1, position, roots[position as usize])
        .unwrap();
    assert!(matches!(r.game(g1).phase, GamePhase::Choose { .. }));

    // The admin proposes a new treasury (timelocked by the challenge window).
    let mut dispute = r.params.dispute();
    dispute.treasury = treasury2.to_string();
    let change = ExecuteMsg::ProposeConfig {
        proposer_bond: None,
        challenge_window: None,
        force_inclusion_seconds: None,
        max_batch_bytes: None,
        dispute: Some(dispute),
    };
    r.execute(&admin, &change, &[]).unwrap();
    r.sync_bank();

    let queries = vec![
        QueryMsg::Config {},
        QueryMsg::Status {},
        QueryMsg::Batch { batch: 0 },
        QueryMsg::Batch { batch: 1 },
        QueryMsg::Batches {
            start_after: None,
            limit: None,
        },
        QueryMsg::Proposer {
            address: proposer.to_string(),
        },
        QueryMsg::Proposer {
            address: liar.to_string(),
        },
        QueryMsg::Deposits {
            start_after: None,
            limit: None,
        },
        QueryMsg::WithdrawalStatus { batch: 0, index: 0 },
        QueryMsg::Game { game: g1 },
        QueryMsg::Game { game: g2 },
        QueryMsg::Games {
            batch: None,
            start_after: None,
            limit: None,
        },
        QueryMsg::DisputeContext { batch: 1 },
        QueryMsg::PendingConfig {},
        QueryMsg::PendingAdmin {},
        QueryMsg::Credit {
            address: treasury.to_string(),
        },
        QueryMsg::Solvency {},
    ];
    migrate_over_state_in_flight(&mut r.h, OPTIMISTIC, CHANNELS, &queries);

    // The proven withdrawal pays carol, once.
    let paid = r.withdraw(&relayer, 0, 0).unwrap();
    assert_eq!(
        bank_sends(&paid.response),
        vec![(carol.to_string(), vec![Coin::new(200u128, denom.clone())])]
    );
    assert!(r.withdraw(&relayer, 0, 0).is_err(), "paid once");

    // The game goes on where it stood: the griefer disagrees with every root, the
    // defender proves the step and takes the griefer's bond.
    let played = r
        .play_bisection(g1, |p| roots[p as usize], |_, _| false)
        .unwrap();
    let proof = r.step_proof(1, played.step).encode();
    let won = r.prove_step(&proposer, g1, played.step, proof).unwrap();
    assert_eq!(
        bank_sends(&won.response),
        vec![(proposer.to_string(), ustake(&r, 500))]
    );
    assert_eq!(
        r.game(g1).phase,
        GamePhase::Resolved {
            winner: Side::Defender,
            reason: optimistic_rollup::msg::Resolution::Proof
        }
    );

    // The treasury's credit from before the migration.
    let claimed = r.claim(&treasury).unwrap();
    assert_eq!(
        bank_sends(&claimed.response),
        vec![(treasury.to_string(), ustake(&r, 500))]
    );

    // The pending change keeps its timelock, then applies.
    let early = r.execute(&relayer, &ExecuteMsg::ApplyConfig {}, &[]);
    assert!(matches!(&early, Err(e) if !e.vm_error), "{early:?}");
    r.a_challenge_window_passes();
    r.finalize(1).unwrap();
    r.execute(&relayer, &ExecuteMsg::ApplyConfig {}, &[])
        .unwrap();
    let config: ConfigResponse = r.h.query(&QueryMsg::Config {});
    assert_eq!(config.dispute.treasury, treasury2);

    // Everything reconciles; the honest proposer leaves with its whole bond.
    let s = assert_reconciles(&mut r);
    let s_status = r.status();
    assert!(s_status.liabilities.challenger_bonds.is_zero(), "{s:?}");
    let out = r.unbond(&proposer).unwrap();
    assert_eq!(
        bank_sends(&out.response),
        vec![(proposer.to_string(), ustake(&r, 1_000))]
    );
    assert_eq!(r.held[&r.params.bond_denom], 0);
    assert_reconciles(&mut r);
}

/// Payment channels: an open funded channel, a channel closed with a stale state and
/// disputed by a watchtower inside its window (two HTLCs, one preimage revealed), and a
/// proposed channel not yet joined survive the migration; afterwards the first closes
/// cooperatively, the dispute settles with its penalty after the same deadline, the HTLCs
/// the proposal is joined and closed, and the HTLCs are claimed and refunded.
#[test]
fn migrate_keeps_open_and_disputed_channels_on_the_wasm() {
    use payment_channels::msg::{ChannelPhase, QueryMsg};
    use payment_channels::ContractError as ChannelError;

    const WINDOW: u64 = 600;
    let (mut c, _) = VmChannels::deploy(ChannelParams::default());
    let denom = c.params.denom.clone();
    let [alice, bob, carol, tower, anyone] =
        ["alice", "bob", "carol", "tower", "anyone"].map(|l| c.h.addr(l));
    let [ka, kb, kc] = ["mig-a", "mig-b", "mig-c"].map(L2Key::from_label);

    // Channel 0: open, 1,000 + 500.
    let (ch0, _) = c.open(&alice, &bob, &ka, &kb, 1_000, WINDOW).unwrap();
    c.fund(&bob, ch0, 500).unwrap();

    // Channel 1: 2,000 + 1,000; alice closes with version 3, bob's watchtower proves it
    // stale with version 4 (two HTLCs) and alice's revocation.
    let (ch1, _) = c.open(&alice, &bob, &ka, &kb, 2_000, WINDOW).unwrap();
    c.fund(&bob, ch1, 1_000).unwrap();
    let preimage = [7u8; 32];
    let hash = payment_hash(&preimage).unwrap();
    let timeout = c.h.env.block.time.seconds() + 10_000;
    let stale = ChannelState {
        channel_id: ch1,
        version: 3,
        funded: [2_000, 1_000],
        balances: [2_500, 500],
        htlcs: vec![],
        is_final: false,
    };
    let newer = ChannelState {
        version: 4,
        balances: [1_800, 900],
        htlcs: vec![
            Htlc {
                amount: 200,
                payment_hash: hash,
                timeout,
                payer: CoreParty::A,
            },
            Htlc {
                amount: 100,
                payment_hash: [9; 32],
                timeout,
                payer: CoreParty::B,
            },
        ],
        ..stale.clone()
    };
    c.close(&alice, ch1, c.sign(&ka, &kb, &stale)).unwrap();
    let (signed, revocation, auth) = (
        c.sign(&ka, &kb, &newer),
        c.revoke(&ka, ch1, 3),
        c.authorise(&kb, ch1, &tower),
    );
    c.dispute(&tower, ch1, Some(signed), Some(revocation), Some(auth))
        .unwrap();
    let ChannelPhase::Closing {
        dispute_ends_at: deadline,
        ..
    } = c.channel(ch1).phase
    else {
        panic!("closing")
    };
    c.reveal_preimage(&bob, &preimage).unwrap();

    // Channel 2: alice proposes 300 to carol, not joined yet.
    let (ch2, _) = c.propose(&alice, &carol, &ka, &kc, 300, WINDOW).unwrap();
    assert!(matches!(
        c.channel(ch2).phase,
        ChannelPhase::Proposed { .. }
    ));
    c.sync_bank();

    let queries = vec![
        QueryMsg::Config {},
        QueryMsg::Channel { channel: ch0 },
        QueryMsg::Channel { channel: ch1 },
        QueryMsg::Channel { channel: ch2 },
        QueryMsg::Channels {
            start_after: None,
            limit: None,
        },
        QueryMsg::Preimage {
            payment_hash: cosmwasm_std::Binary::from(hash.as_slice()),
        },
        QueryMsg::Solvency {},
    ];
    migrate_over_state_in_flight(&mut c.h, CHANNELS, VALIDITY, &queries);

    // Channel 0 closes cooperatively.
    let fin = ChannelState {
        channel_id: ch0,
        version: 9,
        funded: [1_000, 500],
        balances: [700, 800],
        htlcs: vec![],
        is_final: true,
    };
    let done = c
        .cooperative_close(&anyone, ch0, c.sign(&ka, &kb, &fin))
        .unwrap();
    assert_eq!(
        bank_sends(&done.response),
        vec![
            (alice.to_string(), coins(&denom, 700)),
            (bob.to_string(), coins(&denom, 800)),
        ]
    );

    // Channel 2: carol joins the proposal inside its join window; it closes
    // cooperatively.
    c.join(&carol, ch2, &ka, &kc, 0).unwrap();
    assert_eq!(c.channel(ch2).phase, ChannelPhase::Open {});
    let fin = ChannelState {
        channel_id: ch2,
        version: 1,
        funded: [300, 0],
        balances: [100, 200],
        htlcs: vec![],
        is_final: true,
    };
    let done = c
        .cooperative_close(&anyone, ch2, c.sign(&ka, &kc, &fin))
        .unwrap();
    assert_eq!(
        bank_sends(&done.response),
        vec![
            (alice.to_string(), coins(&denom, 100)),
            (carol.to_string(), coins(&denom, 200)),
        ]
    );

    // Channel 1: the same deadline, then the penalty (10% of the forfeit to the
    // watchtower), the HTLC claimed with the preimage revealed before the migration,
    // the other refunded at its timeout.
    assert_refused_with(
        c.settle(&anyone, ch1),
        ChannelError::WindowOpen { id: ch1, deadline },
    );
    c.h.env.block.time = cosmwasm_std::Timestamp::from_seconds(deadline);
    let settled = c.settle(&anyone, ch1).unwrap();
    assert_eq!(
        bank_sends(&settled.response),
        vec![
            (bob.to_string(), coins(&denom, 900 + 1_800 - 180)),
            (tower.to_string(), coins(&denom, 180)),
        ]
    );
    let claimed = c.settle_htlc(&bob, ch1, 0).unwrap();
    assert_eq!(
        bank_sends(&claimed.response),
        vec![(bob.to_string(), coins(&denom, 200))]
    );
    c.h.env.block.time = Timestamp::from_seconds(timeout);
    let refunded = c.settle_htlc(&anyone, ch1, 1).unwrap();
    assert_eq!(
        bank_sends(&refunded.response),
        vec![(bob.to_string(), coins(&denom, 100))]
    );
    assert_eq!(c.channel(ch1).phase, ChannelPhase::Closed {});

    let s = assert_channels_reconcile(&mut c);
    assert_eq!(c.held.get(&denom).copied(), Some(0));
    assert!(s.denoms[0].owed.is_zero(), "{s:?}");
}

/// Validity rollup: proven batches, a withdrawal credited and unclaimed, a deposit and an
/// exit request pending in the queue and a pending key rotation survive the migration;
/// afterwards the rotation keeps its timelock, the next batch (real Groth16 proof) serves
/// the deposit and the exit, the credits are claimed, and the rest leaves by exodus.
#[test]
fn migrate_keeps_the_validity_rollups_queue_credits_and_key_rotation_on_the_wasm() {
    use settle_core::validity::eddsa::SecretKey;
    use settle_core::validity::ledger::Shape;
    use settle_tests::vm::VmValidity;
    use validity_rollup::msg as vr;

    let shape = Shape {
        deposits: 2,
        txs: 2,
    };
    let (mut v, _) = VmValidity::deploy(shape, 3_600);
    let [alice, bob, carol, dave, op] =
        ["alice", "bob", "carol", "dave", "operator"].map(|l| v.h.addr(l));
    let [ka, kb, kd] = [1u8, 2, 3].map(|s| SecretKey::from_seed(&[s; 32]));
    let admin = v.admin.clone();

    // Accounts 0 (alice, 600) and 1 (bob, 400); bob sends 300 to carol's L1 credit.
    v.deposit_new_account(&alice, &ka, 600).unwrap();
    v.deposit_new_account(&bob, &kb, 400).unwrap();
    let open = v.op.prove(2, &[]).unwrap();
    v.submit(&op, &open).unwrap();
    let out = v.op.withdrawal(&kb, v.h.canonical(&carol), 300);
    let batch = v.op.prove(0, &[out]).unwrap();
    v.submit(&op, &batch).unwrap();

    // Pending: dave's deposit opening account 2, then alice's exit request (bond 1), then
    // a key rotation (the same key again), which must wait for that request.
    v.deposit_new_account(&dave, &kd, 50).unwrap();
    v.request_exit(&alice, &ka, 0, &alice, 1).unwrap();
    let rotate = vr::ExecuteMsg::ProposeKey {
        verifying_key: Binary::from(v.op.keys.verifying.to_wire()),
        shape: settle_testing::msg_shape(shape),
    };
    v.execute(&admin, &rotate, &[]).unwrap();
    let pending: vr::PendingKeyResponse = v.h.query(&vr::QueryMsg::PendingKey {});
    assert!(pending.pending.is_some());
    v.h.set_contract_balance(coins("uzk", v.held["uzk"]));

    let mut queries = vec![
        vr::QueryMsg::Config {},
        vr::QueryMsg::Status {},
        vr::QueryMsg::PendingKey {},
        vr::QueryMsg::Credit {
            address: carol.to_string(),
        },
        vr::QueryMsg::Credit {
            address: alice.to_string(),
        },
        vr::QueryMsg::Solvency {},
    ];
    queries.extend((0..4).map(|index| vr::QueryMsg::QueuedDeposit { deposit: index }));
    queries.extend((0..2).map(|index| vr::QueryMsg::Batch { batch: index }));
    queries.extend((0..3).map(|index| vr::QueryMsg::Account { account: index }));
    queries.extend((0..3).map(|account| vr::QueryMsg::Exited { account }));
    migrate_over_state_in_flight(&mut v.h, VALIDITY, OPTIMISTIC, &queries);

    // The rotation keeps its timelock.
    assert_refused_with(
        v.execute(&alice, &vr::ExecuteMsg::ApplyKey {}, &[]),
        "the change is timelocked until",
    );

    // The next batch serves the queue: dave's account opens, alice's 600 exit to her.
    let serve = v.op.prove(2, &[]).unwrap();
    assert_eq!(serve.data.exits, vec![600]);
    v.submit(&op, &serve).unwrap();
    let claimed = v.execute(&carol, &vr::ExecuteMsg::Claim {}, &[]).unwrap();
    assert_eq!(
        bank_sends(&claimed.response),
        vec![(carol.to_string(), coins("uzk", 300))]
    );
    let claimed = v.execute(&alice, &vr::ExecuteMsg::Claim {}, &[]).unwrap();
    assert_eq!(
        bank_sends(&claimed.response),
        vec![(alice.to_string(), coins("uzk", 600 + 1))],
        "the exit and the request's bond"
    );

    // No batch for exodus_after: bob and dave leave with their proven balances.
    v.h.advance(3_600);
    for (who, key, amount) in [(&bob, &kb, 100u128), (&dave, &kd, 50)] {
        let exit = v.op.exodus_msg(key, who.as_str(), &v.h.canonical(who));
        let done = v.execute(&carol, &exit, &[]).unwrap();
        assert_eq!(
            bank_sends(&done.response),
            vec![(who.to_string(), coins("uzk", amount))]
        );
    }
    assert_eq!(v.held["uzk"], 0);
    v.h.set_contract_balance(vec![]);
    let s: vr::SolvencyResponse = v.h.query(&vr::QueryMsg::Solvency {});
    assert!(s.solvent, "{s:?}");
}
