//! Batches: how transaction data splits into steps, what a batch commits to, and how the
//! operator applies one.
//!
//! ```text
//!   data = tx0 || tx1 || ... || tx(n-1) [|| undecodable rest]
//!   steps: deposits d(c0) .. d(c1-1) first, then one step per transaction; if the data
//!          stops decoding at some offset, everything from there is one final no-op step
//!   data_root = H(tag, step count, merkle_root(H_leaf(step bytes) for each step))
//!   output_root = H(tag, version, batch index, state root, withdrawals root,
//!                   deposit cursor c1, data_root)
//! ```

use alloc::vec::Vec;

use crate::crypto::Verifier;
use crate::error::Error;
use crate::hash::{hash_leaf, keccak256_concat, Hash, DATA_TAG, OUTPUT_TAG};
use crate::ledger::{
    apply_deposit, apply_tx, Deposit, DepositEffect, Ledger, TxEffect, Withdrawal, WithdrawalList,
    WITHDRAWAL_TREE_DEPTH,
};
use crate::merkle::{merkle_root, MerkleTree};
use crate::smt::{self, CompactProof};
use crate::tx::{Domain, SignedTx};

/// Version byte of the output-root layout.
pub const OUTPUT_VERSION: u8 = 1;

/// Splits batch data into its transaction steps. Never fails: bytes that do not decode
/// become one final step, which the transition treats as a no-op.
pub fn split_steps(data: &[u8]) -> Vec<&[u8]> {
    let mut steps = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        match SignedTx::decode_prefix(&data[pos..]) {
            Ok((_, used)) => {
                steps.push(&data[pos..pos + used]);
                pos += used;
            }
            Err(_) => {
                steps.push(&data[pos..]);
                break;
            }
        }
    }
    steps
}

/// A batch's commitment to its transaction data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataCommitment {
    /// `keccak(tag || steps (8 BE) || tree_root)`: what the output root includes.
    pub root: Hash,
    /// Number of transaction steps the data splits into.
    pub steps: u64,
    /// Merkle root over the steps' leaf hashes (what step inclusion proofs lead to).
    pub tree_root: Hash,
}

impl DataCommitment {
    /// Binds a step tree root to its step count, so no proof can lie about the count
    /// (a Merkle root alone does not fix the number of leaves).
    pub fn new(tree_root: Hash, steps: u64) -> Self {
        DataCommitment {
            root: keccak256_concat(&[DATA_TAG, &steps.to_be_bytes(), &tree_root]),
            steps,
            tree_root,
        }
    }
}

/// Commits to batch data: splits it into steps, hashes each as a leaf, roots them.
pub fn commit_data(data: &[u8]) -> DataCommitment {
    let steps = split_steps(data);
    let count = steps.len() as u64;
    DataCommitment::new(
        merkle_root(steps.into_iter().map(hash_leaf).collect()),
        count,
    )
}

/// The batch's data root (see [`commit_data`]).
pub fn data_root(data: &[u8]) -> Hash {
    commit_data(data).root
}

/// The step tree behind [`DataCommitment::tree_root`], for proving that a step is in a
/// batch.
pub fn data_tree(data: &[u8]) -> MerkleTree {
    MerkleTree::from_data(split_steps(data))
}

/// Concatenates encoded transactions into batch data.
pub fn encode_batch(txs: &[SignedTx]) -> Vec<u8> {
    let mut out = Vec::new();
    for tx in txs {
        out.extend_from_slice(&tx.encode());
    }
    out
}

/// What an output root commits to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Output {
    pub batch_index: u64,
    pub state_root: Hash,
    pub withdrawals_root: Hash,
    /// Number of queue deposits consumed by this batch and all before it.
    pub deposit_cursor: u64,
    pub data_root: Hash,
}

impl Output {
    /// `keccak(tag || version || batch_index || state_root || withdrawals_root ||
    /// deposit_cursor || data_root)`, integers 8 bytes big-endian.
    pub fn root(&self) -> Hash {
        keccak256_concat(&[
            OUTPUT_TAG,
            &[OUTPUT_VERSION],
            &self.batch_index.to_be_bytes(),
            &self.state_root,
            &self.withdrawals_root,
            &self.deposit_cursor.to_be_bytes(),
            &self.data_root,
        ])
    }
}

/// A claim that withdrawal `index` of a batch pays `amount` to `recipient`, with the
/// parts of the output root that the settlement layer does not store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithdrawalClaim<'a> {
    pub index: u32,
    /// Canonical L1 address bytes.
    pub recipient: &'a [u8],
    pub amount: u128,
    pub state_root: Hash,
    pub withdrawals_root: Hash,
    /// Compact proof bytes in the batch's depth-16 withdrawal tree.
    pub proof: &'a [u8],
}

/// Checks a withdrawal claim against a batch's stored commitment: the claimed roots must
/// recompose the stored output root (with the batch index, deposit cursor and data root
/// the settlement layer knows), and the withdrawal must sit at `index` under the claimed
/// withdrawals root. The contract and every client run this same check.
pub fn verify_withdrawal(
    output_root: &Hash,
    batch_index: u64,
    deposit_cursor: u64,
    data_root: &Hash,
    claim: &WithdrawalClaim<'_>,
) -> Result<(), Error> {
    let recomposed = Output {
        batch_index,
        state_root: claim.state_root,
        withdrawals_root: claim.withdrawals_root,
        deposit_cursor,
        data_root: *data_root,
    };
    if &recomposed.root() != output_root {
        return Err(Error::OutputMismatch { batch: batch_index });
    }
    let leaf = Withdrawal {
        recipient: claim.recipient.to_vec(),
        amount: claim.amount,
    }
    .leaf();
    let proof = CompactProof::from_bytes(WITHDRAWAL_TREE_DEPTH, claim.proof)?;
    smt::verify(
        WITHDRAWAL_TREE_DEPTH,
        &claim.withdrawals_root,
        claim.index as u64,
        &leaf,
        &proof,
    )
}

/// Everything the operator learns from applying a batch.
#[derive(Debug, Clone)]
pub struct BatchResult {
    pub output: Output,
    pub deposit_effects: Vec<DepositEffect>,
    pub tx_effects: Vec<TxEffect>,
    pub withdrawals: WithdrawalList,
}

impl BatchResult {
    /// Transaction steps that changed state.
    pub fn applied(&self) -> usize {
        self.tx_effects
            .iter()
            .filter(|e| !matches!(e, TxEffect::NoOp(_)))
            .count()
    }
}

/// Applies a batch to the ledger: first the consumed deposits (which must be the queue
/// entries `deposit_cursor..deposit_cursor + deposits.len()`, in order), then every
/// transaction step.
pub fn apply_batch<V: Verifier + ?Sized>(
    ledger: &mut Ledger,
    domain: &Domain,
    verifier: &V,
    batch_index: u64,
    deposit_cursor: u64,
    deposits: &[Deposit],
    data: &[u8],
) -> Result<BatchResult, Error> {
    let mut withdrawals = WithdrawalList::default();
    let mut deposit_effects = Vec::with_capacity(deposits.len());
    for (i, d) in deposits.iter().enumerate() {
        let expected = deposit_cursor + i as u64;
        if d.index != expected {
            return Err(Error::malformed(
                "batch",
                alloc::format!(
                    "deposit {} consumed where deposit {expected} is due",
                    d.index
                ),
            ));
        }
        deposit_effects.push(apply_deposit(ledger, &mut withdrawals, d)?);
    }
    let steps = split_steps(data);
    let mut tx_effects = Vec::with_capacity(steps.len());
    for step in &steps {
        tx_effects.push(apply_tx(ledger, &mut withdrawals, domain, verifier, step)?);
    }
    let tree_root = merkle_root(steps.into_iter().map(hash_leaf).collect());
    let output = Output {
        batch_index,
        state_root: ledger.state_root(),
        withdrawals_root: withdrawals.root(),
        deposit_cursor: deposit_cursor + deposits.len() as u64,
        data_root: DataCommitment::new(tree_root, tx_effects.len() as u64).root,
    };
    Ok(BatchResult {
        output,
        deposit_effects,
        tx_effects,
        withdrawals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tx::{Transfer, TxBody};

    #[test]
    fn undecodable_tail_is_one_step() {
        let tx = SignedTx {
            body: TxBody::Transfer(Transfer {
                from: 1,
                to: 2,
                amount: 3,
                nonce: 0,
            }),
            signature: [5; 64],
        };
        let mut data = encode_batch(&[tx.clone(), tx.clone()]);
        let one = tx.encode().len();
        assert_eq!(split_steps(&data).len(), 2);
        data.extend_from_slice(&[0xe0, 1, 2, 3]);
        data.extend_from_slice(&tx.encode());
        let steps = split_steps(&data);
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[2].len(), 4 + one);
        let c = commit_data(&data);
        assert_eq!(c.steps, 3);
        assert_eq!(data_tree(&data).root(), c.tree_root);
        assert_eq!(DataCommitment::new(c.tree_root, 3).root, data_root(&data));
        // the same step tree root with another count is another commitment
        assert_ne!(DataCommitment::new(c.tree_root, 4).root, c.root);
        assert!(split_steps(&[]).is_empty());
    }

    #[test]
    fn withdrawal_claims_verify_and_tampering_fails() {
        use crate::ledger::WithdrawalSink;
        let mut list = WithdrawalList::default();
        for i in 0..5u8 {
            list.push(Withdrawal {
                recipient: vec![i; 20],
                amount: 10 + i as u128,
            })
            .unwrap();
        }
        let output = Output {
            batch_index: 7,
            state_root: [3; 32],
            withdrawals_root: list.root(),
            deposit_cursor: 11,
            data_root: [4; 32],
        };
        let proof = list.prove(3).unwrap().to_bytes(WITHDRAWAL_TREE_DEPTH);
        let recipient = [3u8; 20];
        let claim = WithdrawalClaim {
            index: 3,
            recipient: &recipient,
            amount: 13,
            state_root: [3; 32],
            withdrawals_root: list.root(),
            proof: &proof,
        };
        let check = |c: &WithdrawalClaim<'_>| verify_withdrawal(&output.root(), 7, 11, &[4; 32], c);
        assert_eq!(check(&claim), Ok(()));
        assert!(matches!(
            check(&WithdrawalClaim {
                amount: 14,
                ..claim.clone()
            }),
            Err(Error::RootMismatch { .. })
        ));
        assert!(matches!(
            check(&WithdrawalClaim {
                index: 2,
                ..claim.clone()
            }),
            Err(Error::RootMismatch { .. })
        ));
        assert_eq!(
            check(&WithdrawalClaim {
                state_root: [0; 32],
                ..claim.clone()
            }),
            Err(Error::OutputMismatch { batch: 7 })
        );
        assert_eq!(
            verify_withdrawal(&output.root(), 7, 12, &[4; 32], &claim),
            Err(Error::OutputMismatch { batch: 7 })
        );
        assert!(matches!(
            check(&WithdrawalClaim {
                proof: &proof[..1],
                ..claim.clone()
            }),
            Err(Error::Malformed { .. })
        ));
    }

    #[test]
    fn output_root_binds_every_field() {
        let o = Output {
            batch_index: 1,
            state_root: [1; 32],
            withdrawals_root: [2; 32],
            deposit_cursor: 3,
            data_root: [4; 32],
        };
        let variants = [
            Output {
                batch_index: 2,
                ..o
            },
            Output {
                state_root: [9; 32],
                ..o
            },
            Output {
                withdrawals_root: [9; 32],
                ..o
            },
            Output {
                deposit_cursor: 4,
                ..o
            },
            Output {
                data_root: [9; 32],
                ..o
            },
        ];
        for v in variants {
            assert_ne!(v.root(), o.root());
        }
    }
}
