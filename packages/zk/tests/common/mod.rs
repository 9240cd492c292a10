//! Batches built with the native ledger, shared by the integration tests.
#![allow(dead_code)]

use settle_core::validity::eddsa::SecretKey;
use settle_core::validity::ledger::{
    rollup_domain, BatchData, BatchWitness, Deposit, Ledger, Shape, Tx, TxBody,
};
use settle_core::validity::Fr;

pub fn key(n: u8) -> SecretKey {
    SecretKey::from_seed(&[n; 32])
}

pub fn domain() -> Fr {
    rollup_domain("settle-zk-test", b"validity-rollup")
}

/// A ledger and the deposit chain head the contract would hold.
pub struct Rollup {
    pub ledger: Ledger,
    pub head: Fr,
    pub domain: Fr,
}

impl Default for Rollup {
    fn default() -> Self {
        Rollup {
            ledger: Ledger::new(),
            head: Fr::from(0u64),
            domain: domain(),
        }
    }
}

impl Rollup {
    /// Applies a batch (panics if the native ledger refuses it) and moves the head.
    pub fn apply(
        &mut self,
        shape: Shape,
        deposits: &[Deposit],
        txs: &[Tx],
    ) -> (BatchWitness, BatchData) {
        let (witness, data) = self
            .ledger
            .apply_batch(shape, &self.domain, &self.head, deposits, txs)
            .expect("the native ledger accepts the batch");
        self.head = witness.statement.deposits_after;
        (witness, data)
    }

    /// `body` signed by `key` at the sender's current nonce.
    pub fn sign(&self, key: &SecretKey, body: TxBody) -> Tx {
        let nonce = self
            .ledger
            .account(body.from())
            .map(|a| a.nonce)
            .unwrap_or(0);
        Tx::sign(self.ledger.hasher(), &self.domain, body, nonce, key)
    }

    pub fn sign_at(&self, key: &SecretKey, body: TxBody, nonce: u64) -> Tx {
        Tx::sign(self.ledger.hasher(), &self.domain, body, nonce, key)
    }
}

pub fn new_account(n: u8, amount: u128) -> Deposit {
    Deposit::NewAccount {
        key: key(n).public_key(),
        amount,
    }
}

/// The batch of the end-to-end test: two accounts opened, a transfer, a withdrawal.
pub fn sample_batch(shape: Shape) -> (Rollup, BatchWitness, BatchData) {
    let mut rollup = Rollup::default();
    let deposits = [new_account(1, 1_000), new_account(2, 500)];
    // The transactions are signed against the state after the deposits.
    let mut preview = Rollup::default();
    preview.apply(
        Shape {
            deposits: 2,
            txs: 0,
        },
        &deposits,
        &[],
    );
    let transfer = preview.sign(
        &key(1),
        TxBody::Transfer {
            from: 0,
            to: 1,
            amount: 300,
        },
    );
    let withdraw = preview.sign(
        &key(2),
        TxBody::Withdraw {
            from: 1,
            amount: 700,
            recipient: b"cosmos-recipient-20b".to_vec(),
        },
    );
    let (witness, data) = rollup.apply(shape, &deposits, &[transfer, withdraw]);
    (rollup, witness, data)
}
