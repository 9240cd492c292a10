//! Poseidon over the BLS12-381 scalar field: the validity rollup's one hash, used by the
//! account tree, the deposit chain, the batch data commitment, the statement (public input)
//! and the EdDSA challenge, natively here and as constraints in `settle-zk`.
//!
//! Permutation: width 3 (rate 2, capacity 1), x^5 S-box, 8 full and 57 partial rounds,
//! round constants and MDS matrix from the Grain LFSR of the Poseidon paper (arkworks'
//! `find_poseidon_ark_and_mds` with 255-bit prime, no skipped matrices). The constants are
//! compiled in (`poseidon_constants.in`, pinned by the test `constants_match_grain_lfsr`)
//! so a contract never regenerates them.
//!
//! Hashing is arkworks' duplex sponge with one change: the capacity element starts at
//! `domain + 2^64 * len` instead of zero, so every use (and every input length) is its own
//! function, at no extra permutation.

use alloc::vec::Vec;
use ark_crypto_primitives::sponge::poseidon::{PoseidonConfig, PoseidonSponge};
use ark_crypto_primitives::sponge::{CryptographicSponge, FieldBasedCryptographicSponge};
use ark_ff::MontFp;

use super::field::Fr;

/// Full rounds of the permutation.
pub const FULL_ROUNDS: usize = 8;
/// Partial rounds of the permutation.
pub const PARTIAL_ROUNDS: usize = 57;
/// The S-box exponent.
pub const ALPHA: u64 = 5;
/// Elements absorbed per permutation.
pub const RATE: usize = 2;
/// Capacity elements.
pub const CAPACITY: usize = 1;
const WIDTH: usize = RATE + CAPACITY;

/// Round constants, `ARK[round][i]`.
const ARK: [[Fr; WIDTH]; FULL_ROUNDS + PARTIAL_ROUNDS] = include!("poseidon_ark.in");
/// The MDS matrix.
const MDS: [[Fr; WIDTH]; WIDTH] = include!("poseidon_mds.in");

/// What a hash is for: the capacity element's starting value, so that no hash of one kind
/// can stand for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Domain {
    /// An inner node of the account tree: `(left, right)`.
    Node = 1,
    /// An account leaf: `(key x, key y, balance | nonce << 128)`.
    Leaf = 2,
    /// The state root: `(accounts root, account count)`.
    State = 3,
    /// One link of the deposit chain: `(head, a, b, c)`.
    Deposit = 4,
    /// The batch data commitment: every slot's elements.
    Data = 5,
    /// What a transaction's key signs.
    TxMessage = 6,
    /// The EdDSA challenge: `(R, A, message)`.
    Challenge = 7,
    /// The batch statement, whose hash is the proof's one public input.
    Statement = 8,
    /// What an account key signs to leave in exodus mode.
    Exit = 9,
    /// What an account key signs to ask on L1 for a full exit (a priority request).
    ExitRequest = 10,
}

/// The permutation's parameters in arkworks' form (shared with the circuit's sponge).
pub fn config() -> PoseidonConfig<Fr> {
    PoseidonConfig::new(
        FULL_ROUNDS,
        PARTIAL_ROUNDS,
        ALPHA,
        MDS.iter().map(|row| row.to_vec()).collect(),
        ARK.iter().map(|row| row.to_vec()).collect(),
        RATE,
        CAPACITY,
    )
}

/// The capacity element a hash of `len` inputs for `domain` starts from.
pub fn initial_capacity(domain: Domain, len: usize) -> Fr {
    Fr::from(domain as u64 as u128 | (len as u128) << 64)
}

/// Poseidon hash of `inputs` for `domain`: absorb everything, squeeze one element.
/// Costs `ceil(len / 2)` permutations (one for a pair).
pub fn hash(domain: Domain, inputs: &[Fr]) -> Fr {
    hash_with(&config(), domain, inputs)
}

/// [`hash`] with a config the caller keeps (saves rebuilding it for many hashes).
pub fn hash_with(config: &PoseidonConfig<Fr>, domain: Domain, inputs: &[Fr]) -> Fr {
    let mut sponge = PoseidonSponge::new(config);
    sponge.state[0] = initial_capacity(domain, inputs.len());
    let v: Vec<Fr> = inputs.to_vec();
    sponge.absorb(&v);
    sponge.squeeze_native_field_elements(1)[0]
}

/// A hasher that keeps its config: for the tree and other repeated hashing.
#[derive(Clone)]
pub struct Poseidon {
    config: PoseidonConfig<Fr>,
}

impl Default for Poseidon {
    fn default() -> Self {
        Self { config: config() }
    }
}

impl core::fmt::Debug for Poseidon {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Poseidon")
    }
}

impl Poseidon {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn hash(&self, domain: Domain, inputs: &[Fr]) -> Fr {
        hash_with(&self.config, domain, inputs)
    }

    pub fn config(&self) -> &PoseidonConfig<Fr> {
        &self.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_crypto_primitives::sponge::poseidon::find_poseidon_ark_and_mds;
    use ark_ff::PrimeField;

    fn render(rows: &[Vec<Fr>]) -> alloc::string::String {
        use core::fmt::Write;
        let mut s = alloc::string::String::from("[\n");
        for row in rows {
            s.push_str("    [");
            for (i, x) in row.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                write!(s, "MontFp!(\"{}\")", x.into_bigint()).unwrap();
            }
            s.push_str("],\n");
        }
        s.push_str("]\n");
        s
    }

    /// The compiled-in constants are exactly the Grain LFSR's. Run with
    /// `SETTLE_REGENERATE=1` to rewrite the two `.in` files.
    #[test]
    fn constants_match_grain_lfsr() {
        let (ark, mds) = find_poseidon_ark_and_mds::<Fr>(
            Fr::MODULUS_BIT_SIZE as u64,
            RATE,
            FULL_ROUNDS as u64,
            PARTIAL_ROUNDS as u64,
            0,
        );
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/validity/");
        if std::env::var("SETTLE_REGENERATE").is_ok() {
            std::fs::write(std::format!("{dir}poseidon_ark.in"), render(&ark)).unwrap();
            std::fs::write(std::format!("{dir}poseidon_mds.in"), render(&mds)).unwrap();
        }
        let ours: Vec<Vec<Fr>> = ARK.iter().map(|r| r.to_vec()).collect();
        assert_eq!(ours, ark, "round constants differ from the Grain LFSR");
        let ours: Vec<Vec<Fr>> = MDS.iter().map(|r| r.to_vec()).collect();
        assert_eq!(ours, mds, "MDS matrix differs from the Grain LFSR");
    }

    #[test]
    fn domains_and_lengths_separate() {
        let a = Fr::from(1u64);
        let b = Fr::from(2u64);
        let node = hash(Domain::Node, &[a, b]);
        assert_ne!(node, hash(Domain::Leaf, &[a, b]));
        assert_ne!(node, hash(Domain::Node, &[b, a]));
        assert_ne!(
            hash(Domain::Data, &[a]),
            hash(Domain::Data, &[a, Fr::from(0u64)])
        );
        assert_eq!(node, Poseidon::new().hash(Domain::Node, &[a, b]));
    }
}
