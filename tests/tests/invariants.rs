//! Random action sequences against the contract on an embedded chain (fraudulent batches
//! caught by fraud-proof games and challenges without a case among them), with the books
//! checked after every step:
//!
//! - the contract's bank balance equals its liabilities in every denom (solvency);
//! - deposits in minus withdrawals paid equals the L2 balances plus the withdrawals
//!   recorded in batches and not yet paid (nothing is created or lost across layers);
//! - a refused action changes neither.

use proptest::prelude::*;
use settle_core::batch::encode_batch;
use settle_core::crypto::L2Key;
use settle_core::tx::SignedTx;
use settle_testing::{Claim, Play, Suite, SuiteBuilder, DENOM};

const USERS: usize = 4;

#[derive(Debug, Clone)]
enum Action {
    /// User `u` deposits into a new account, their first account, or a missing one.
    Deposit { u: usize, amount: u128, kind: u8 },
    /// Queue an L2 transfer (signed now, posted with the next batch).
    Transfer {
        from: usize,
        to: usize,
        amount: u128,
        bad_nonce: bool,
    },
    /// Queue an L2 withdrawal to user `to`'s L1 address.
    Withdraw {
        from: usize,
        to: usize,
        amount: u128,
    },
    /// The proposer posts everything queued.
    Propose,
    /// Time passes: `windows` quarter challenge windows.
    Wait { quarters: u64 },
    /// Someone finalizes the next batch (may be refused).
    Finalize,
    /// Someone claims withdrawal `pick` among those recorded (paid or not).
    Claim { pick: usize },
    /// The proposer posts everything queued with a lie from position `1 + at % n`; a
    /// watcher challenges and wins: the proposer is slashed (and bonds again), the batch
    /// removed, its transactions lost and its deposits queued again.
    Fraud { at: u16 },
    /// A challenger with no case disputes the newest batch still in its window and loses
    /// its bond to the proposer.
    BadChallenge,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => (0..USERS, 1u128..5_000, 0u8..3).prop_map(|(u, amount, kind)| Action::Deposit { u, amount, kind }),
        4 => (0..USERS, 0..USERS, 1u128..3_000, prop::bool::weighted(0.1))
            .prop_map(|(from, to, amount, bad_nonce)| Action::Transfer { from, to, amount, bad_nonce }),
        2 => (0..USERS, 0..USERS, 1u128..3_000).prop_map(|(from, to, amount)| Action::Withdraw { from, to, amount }),
        2 => Just(Action::Propose),
        2 => (1u64..6).prop_map(|quarters| Action::Wait { quarters }),
        2 => Just(Action::Finalize),
        3 => (0usize..64).prop_map(|pick| Action::Claim { pick }),
        1 => any::<u16>().prop_map(|at| Action::Fraud { at }),
        1 => Just(Action::BadChallenge),
    ]
}

struct World {
    suite: Suite,
    keys: Vec<L2Key>,
    /// L2 account of each user (their first opened account), once known.
    account: Vec<Option<u32>>,
    /// Nonces as the queued transactions will leave them.
    nonce: Vec<u64>,
    queued: Vec<SignedTx>,
    /// Every withdrawal recorded by a batch: (batch, index, amount, paid).
    withdrawals: Vec<(u64, u32, u128, bool)>,
}

impl World {
    fn new() -> Self {
        let mut b = SuiteBuilder::new()
            .with_challenge_window(400)
            .with_coins(
                "challenger",
                vec![cosmwasm_std::Coin::new(
                    100_000u128,
                    settle_testing::BOND_DENOM,
                )],
            )
            .with_coins(
                "proposer",
                vec![cosmwasm_std::Coin::new(
                    100_000u128,
                    settle_testing::BOND_DENOM,
                )],
            );
        for u in 0..USERS {
            b = b.with_funds(&format!("user{u}"), 1_000_000);
        }
        let mut suite = b.build();
        suite.bond_proposer().unwrap();
        World {
            suite,
            keys: (0..USERS)
                .map(|u| L2Key::from_label(&format!("inv{u}")))
                .collect(),
            account: vec![None; USERS],
            nonce: vec![0; USERS],
            queued: vec![],
            withdrawals: vec![],
        }
    }

    fn user(&self, u: usize) -> cosmwasm_std::Addr {
        self.suite.addr(&format!("user{u}"))
    }

    fn step(&mut self, a: &Action) {
        let s = &mut self.suite;
        match *a {
            Action::Deposit { u, amount, kind } => {
                let who = s.addr(&format!("user{u}"));
                let to = match (kind, self.account[u]) {
                    (1, Some(i)) => optimistic_rollup::msg::DepositTarget::Account { account: i },
                    (2, _) => optimistic_rollup::msg::DepositTarget::Account { account: 9_999 },
                    _ => optimistic_rollup::msg::DepositTarget::NewAccount {
                        pubkey: self.keys[u].public_key().to_vec().into(),
                    },
                };
                s.deposit(&who, to, amount).unwrap();
            }
            Action::Transfer {
                from,
                to,
                amount,
                bad_nonce,
            } => {
                if let (Some(f), Some(t)) = (self.account[from], self.account[to]) {
                    let n = self.nonce[from] + bad_nonce as u64;
                    self.queued
                        .push(s.transfer(&self.keys[from], f, t, amount, n));
                    // a transfer the ledger will refuse (bad nonce, short balance) leaves the
                    // nonce where it is; the mirror below re-reads nonces after each batch
                    self.nonce[from] += 1;
                }
            }
            Action::Withdraw { from, to, amount } => {
                if let Some(f) = self.account[from] {
                    let recipient = s.addr(&format!("user{to}"));
                    self.queued.push(s.withdrawal(
                        &self.keys[from],
                        f,
                        &recipient,
                        amount,
                        self.nonce[from],
                    ));
                    self.nonce[from] += 1;
                }
            }
            Action::Propose => {
                if self.queued.is_empty() && s.node.pending_deposits().is_empty() {
                    return;
                }
                let data = encode_batch(&std::mem::take(&mut self.queued));
                let proposer = s.proposer.clone();
                let p = s.propose(&proposer, data).unwrap();
                let result = s.node.batch(p.index).unwrap();
                for (i, w) in result.withdrawals.items.iter().enumerate() {
                    self.withdrawals.push((p.index, i as u32, w.amount, false));
                }
                // learn accounts and true nonces from the ledger
                for u in 0..USERS {
                    let pk = self.keys[u].public_key();
                    if self.account[u].is_none() {
                        self.account[u] = s.node.ledger.find(&pk);
                    }
                    if let Some(i) = self.account[u] {
                        self.nonce[u] = s.node.ledger.accounts()[i as usize].nonce;
                    }
                }
            }
            Action::Wait { quarters } => s.advance(100 * quarters),
            Action::Fraud { at } => {
                if self.queued.is_empty() && s.node.pending_deposits().is_empty() {
                    return;
                }
                let data = encode_batch(&std::mem::take(&mut self.queued));
                let proposer = s.proposer.clone();
                let index = s.status().next_batch;
                let steps = s.node.pending_deposits().len().min(1024) as u64
                    + settle_core::batch::split_steps(&data).len() as u64
                    + 2;
                let lie = 1 + at as u64 % steps;
                s.propose_claiming(&proposer, data, Claim::WrongFrom(lie))
                    .unwrap();
                let watcher = s.addr("challenger");
                let game = s.challenge(&watcher, index).unwrap();
                s.bisect_to_one_step(game, Play::Honest).unwrap();
                s.prove_step(&watcher, game).unwrap();
                assert_eq!(s.status().next_batch, index, "the lie is removed");
                s.bond_proposer().unwrap();
                self.resync();
            }
            Action::BadChallenge => {
                let status = s.status();
                let Some(newest) = status.next_batch.checked_sub(1) else {
                    return;
                };
                let b = s.batch(newest);
                if newest < status.finalized || s.app.block_info().time.seconds() >= b.finalizes_at
                {
                    return;
                }
                let ch = s.addr("challenger");
                let game = s.challenge(&ch, newest).unwrap();
                s.bisect_to_one_step(game, Play::DisagreeAll).unwrap();
                s.prove_step(&ch, game).unwrap();
                assert_eq!(s.status().next_batch, status.next_batch, "nothing removed");
            }
            Action::Finalize => {
                let next = s.status().finalized;
                let _ = s.finalize(next);
            }
            Action::Claim { pick } => {
                if self.withdrawals.is_empty() {
                    return;
                }
                let k = pick % self.withdrawals.len();
                let (batch, index, _, paid) = self.withdrawals[k];
                let relayer = s.addr("relayer");
                let ok = s.withdraw(&relayer, batch, index).is_ok();
                let final_ =
                    s.batch(batch).status == optimistic_rollup::msg::BatchStatus::Finalized;
                assert_eq!(
                    ok,
                    final_ && !paid,
                    "claim of ({batch}, {index}) paid={paid} final={final_}"
                );
                if ok {
                    self.withdrawals[k].3 = true;
                }
            }
        }
    }

    /// Re-reads accounts and nonces from the node and forgets withdrawals of removed
    /// batches, after the chain removed some.
    fn resync(&mut self) {
        let s = &self.suite;
        let next = s.status().next_batch;
        self.withdrawals.retain(|w| w.0 < next);
        for u in 0..USERS {
            self.account[u] = s.node.ledger.find(&self.keys[u].public_key());
            self.nonce[u] = self.account[u]
                .map(|i| s.node.ledger.accounts()[i as usize].nonce)
                .unwrap_or(0);
        }
    }

    fn check_books(&self) {
        let s = &self.suite;
        s.assert_reconciles();
        let solvency_status = s.status();
        let unpaid: u128 = self.withdrawals.iter().filter(|w| !w.3).map(|w| w.2).sum();
        // deposits still queued for L2 are liabilities that no batch has applied yet
        let queued: u128 = s.node.pending_deposits().iter().map(|d| d.amount).sum();
        assert_eq!(
            solvency_status.liabilities.deposits_outstanding.u128(),
            s.node.ledger.total_balance() + unpaid + queued,
            "L1 liabilities differ from L2 balances + unpaid withdrawals + queued deposits"
        );
        let paid: u128 = (0..USERS)
            .map(|u| s.balance(&self.user(u), DENOM))
            .sum::<u128>()
            + s.balance(&s.addr("relayer"), DENOM);
        let deposited = solvency_status.total_deposited.u128();
        let withdrawn = solvency_status.total_withdrawn.u128();
        assert_eq!(
            paid + deposited - withdrawn,
            USERS as u128 * 1_000_000,
            "user money conserved"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn books_balance_after_every_action(actions in prop::collection::vec(action(), 10..60)) {
        let mut w = World::new();
        for a in &actions {
            w.step(a);
            w.check_books();
        }
        // drain: post what is queued, let every window pass, finalize and pay everything
        w.step(&Action::Propose);
        w.suite.a_challenge_window_passes();
        while w.suite.status().finalized < w.suite.status().next_batch {
            w.step(&Action::Finalize);
        }
        for k in 0..w.withdrawals.len() {
            if !w.withdrawals[k].3 {
                w.step(&Action::Claim { pick: k });
            }
        }
        w.check_books();
        let s_status = w.suite.status();
        prop_assert_eq!(s_status.liabilities.deposits_outstanding.u128(), w.suite.node.ledger.total_balance());
    }
}
