//! L2 transactions: what they say, how they are encoded and what is signed.
//!
//! ```text
//! byte 0      kind << 5 | amount exponent      (kind 0 = transfer, 1 = withdraw)
//! transfer    from:varint  to:varint  nonce:varint  mantissa:varint  sig:64
//! withdraw    from:varint  nonce:varint  mantissa:varint  len:u8  recipient:len  sig:64
//! ```
//! A typical transfer (accounts below 2^21, nonce below 2^14, an amount with up to six
//! significant digits) takes 1 + 3 + 3 + 2 + 3 = 12 payload bytes and 76 bytes in all.
//!
//! The signature is ECDSA/secp256k1 over `keccak256(domain || payload)`, where the payload
//! is the encoding without the signature and the [`Domain`] binds the chain id and the
//! rollup contract's address, so a transaction signed for one rollup can never be
//! replayed on another rollup or another chain. Nonces prevent replay within a rollup.

use alloc::vec::Vec;

use crate::codec::{join_amount, put_varint, split_amount, DecodeError, Reader};
use crate::hash::{keccak256, keccak256_concat, Hash, TX_DOMAIN_TAG};

/// Lengths an L1 recipient may have: canonical Cosmos SDK addresses are 20 bytes
/// (accounts) or 32 bytes (contracts, modules). Every byte string of these lengths is a
/// valid address on any chain, so every recorded withdrawal can be paid.
pub const RECIPIENT_LENS: [usize; 2] = [20, 32];
/// Signature length (`r || s`).
pub const SIGNATURE_LEN: usize = 64;
/// Shortest possible encoded transaction (a transfer with one-byte fields; a withdrawal
/// is at least 89 bytes).
pub const MIN_TX_LEN: usize = 69;

const KIND_TRANSFER: u8 = 0;
const KIND_WITHDRAW: u8 = 1;

/// The signing domain of one rollup deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Domain(pub Hash);

impl Domain {
    /// `keccak256(tag || keccak256(chain_id) || keccak256(contract_address))`: fixed-size
    /// parts, so any two different (chain, contract) pairs give different domains.
    pub fn new(chain_id: &str, contract_address: &str) -> Self {
        Domain(keccak256_concat(&[
            TX_DOMAIN_TAG,
            &keccak256(chain_id.as_bytes()),
            &keccak256(contract_address.as_bytes()),
        ]))
    }
}

/// Move `amount` from account `from` to account `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub from: u32,
    pub to: u32,
    pub amount: u128,
    pub nonce: u64,
}

/// Burn `amount` on L2 and make it payable on L1 to `recipient` (canonical address bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdraw {
    pub from: u32,
    pub amount: u128,
    pub nonce: u64,
    pub recipient: Vec<u8>,
}

/// The signed part of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxBody {
    Transfer(Transfer),
    Withdraw(Withdraw),
}

/// A transaction with its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTx {
    pub body: TxBody,
    pub signature: [u8; 64],
}

impl TxBody {
    /// The account that signs.
    pub fn signer(&self) -> u32 {
        match self {
            TxBody::Transfer(t) => t.from,
            TxBody::Withdraw(w) => w.from,
        }
    }

    pub fn nonce(&self) -> u64 {
        match self {
            TxBody::Transfer(t) => t.nonce,
            TxBody::Withdraw(w) => w.nonce,
        }
    }

    pub fn amount(&self) -> u128 {
        match self {
            TxBody::Transfer(t) => t.amount,
            TxBody::Withdraw(w) => w.amount,
        }
    }

    /// The canonical encoding without the signature. Panics only if a withdrawal's
    /// recipient length is not in [`RECIPIENT_LENS`]; use [`TxBody::check`] first on
    /// untrusted values.
    pub fn payload(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(24);
        match self {
            TxBody::Transfer(t) => {
                let (exp, mantissa) = split_amount(t.amount);
                out.push(KIND_TRANSFER << 5 | exp);
                put_varint(&mut out, t.from as u128);
                put_varint(&mut out, t.to as u128);
                put_varint(&mut out, t.nonce as u128);
                put_varint(&mut out, mantissa);
            }
            TxBody::Withdraw(w) => {
                assert!(w.check().is_ok(), "recipient length out of range");
                let (exp, mantissa) = split_amount(w.amount);
                out.push(KIND_WITHDRAW << 5 | exp);
                put_varint(&mut out, w.from as u128);
                put_varint(&mut out, w.nonce as u128);
                put_varint(&mut out, mantissa);
                out.push(w.recipient.len() as u8);
                out.extend_from_slice(&w.recipient);
            }
        }
        out
    }

    /// Whether the body can be encoded (a withdrawal's recipient is 20 or 32 bytes).
    pub fn check(&self) -> Result<(), DecodeError> {
        match self {
            TxBody::Transfer(_) => Ok(()),
            TxBody::Withdraw(w) => w.check(),
        }
    }

    /// The 32-byte hash the signer signs.
    pub fn signing_hash(&self, domain: &Domain) -> Hash {
        signing_hash_of_payload(domain, &self.payload())
    }
}

impl Withdraw {
    fn check(&self) -> Result<(), DecodeError> {
        let n = self.recipient.len();
        if !RECIPIENT_LENS.contains(&n) {
            return Err(DecodeError::BadLength(n.min(255) as u8));
        }
        Ok(())
    }
}

/// `keccak256(domain || payload)`.
pub fn signing_hash_of_payload(domain: &Domain, payload: &[u8]) -> Hash {
    keccak256_concat(&[&domain.0, payload])
}

impl SignedTx {
    /// The transaction's id: keccak-256 of its full encoding (the signature binds the
    /// domain, so the same body in two rollups has two ids). What an operator reports a
    /// submitted transaction by.
    pub fn id(&self) -> Hash {
        keccak256(&self.encode())
    }

    /// Full canonical encoding: payload then signature.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.body.payload();
        out.extend_from_slice(&self.signature);
        out
    }

    /// Decodes one transaction from the front of `data`; returns it with the number of
    /// bytes it took.
    pub fn decode_prefix(data: &[u8]) -> Result<(SignedTx, usize), DecodeError> {
        let mut r = Reader::new(data);
        let tag = r.byte()?;
        let (kind, exp) = (tag >> 5, tag & 0x1f);
        let body = match kind {
            KIND_TRANSFER => {
                let from = r.varint_u32()?;
                let to = r.varint_u32()?;
                let nonce = r.varint_u64()?;
                let amount = join_amount(exp, r.varint(128)?)?;
                TxBody::Transfer(Transfer {
                    from,
                    to,
                    amount,
                    nonce,
                })
            }
            KIND_WITHDRAW => {
                let from = r.varint_u32()?;
                let nonce = r.varint_u64()?;
                let amount = join_amount(exp, r.varint(128)?)?;
                let len = r.byte()?;
                if !RECIPIENT_LENS.contains(&(len as usize)) {
                    return Err(DecodeError::BadLength(len));
                }
                let recipient = r.bytes(len as usize)?.to_vec();
                TxBody::Withdraw(Withdraw {
                    from,
                    amount,
                    nonce,
                    recipient,
                })
            }
            other => return Err(DecodeError::UnknownKind(other)),
        };
        let signature = r.array::<SIGNATURE_LEN>()?;
        Ok((SignedTx { body, signature }, r.position()))
    }

    /// Decodes exactly one transaction: trailing bytes are an error.
    pub fn decode(data: &[u8]) -> Result<SignedTx, DecodeError> {
        let (tx, used) = Self::decode_prefix(data)?;
        if used != data.len() {
            return Err(DecodeError::TrailingBytes);
        }
        Ok(tx)
    }

    /// The payload part of an encoded transaction (everything but the signature).
    pub fn payload_of(encoded: &[u8]) -> &[u8] {
        &encoded[..encoded.len().saturating_sub(SIGNATURE_LEN)]
    }

    /// Signs `body` with `key` for `domain`.
    #[cfg(feature = "native")]
    pub fn sign(body: TxBody, domain: &Domain, key: &crate::crypto::L2Key) -> SignedTx {
        let signature = key.sign_prehash(&body.signing_hash(domain));
        SignedTx { body, signature }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn transfer(from: u32, to: u32, amount: u128, nonce: u64) -> SignedTx {
        SignedTx {
            body: TxBody::Transfer(Transfer {
                from,
                to,
                amount,
                nonce,
            }),
            signature: [7u8; 64],
        }
    }

    #[test]
    fn typical_transfer_fits_the_byte_budget() {
        let tx = transfer(1_500_000, 2_000_000, 123_456_000_000, 9_000);
        let enc = tx.encode();
        assert_eq!(enc.len() - SIGNATURE_LEN, 12);
        assert!(enc.len() <= 80);
        assert_eq!(SignedTx::decode(&enc), Ok(tx));
    }

    #[test]
    fn shortest_transactions_match_min_tx_len() {
        let t = transfer(0, 0, 0, 0).encode();
        let w = SignedTx {
            body: TxBody::Withdraw(Withdraw {
                from: 0,
                amount: 0,
                nonce: 0,
                recipient: vec![1; 20],
            }),
            signature: [0; 64],
        }
        .encode();
        assert_eq!(t.len(), MIN_TX_LEN);
        assert_eq!(w.len(), 89);
    }

    #[test]
    fn domains_separate_chains_and_contracts() {
        let a = Domain::new("chain-a", "contract1");
        assert_ne!(a, Domain::new("chain-b", "contract1"));
        assert_ne!(a, Domain::new("chain-a", "contract2"));
        assert_ne!(Domain::new("ab", "c"), Domain::new("a", "bc"));
        // no truncation: long inputs that share a prefix stay apart
        let long = "x".repeat(300);
        assert_ne!(
            Domain::new(&long, "c"),
            Domain::new(&(long.clone() + "y"), "c")
        );
        let body = transfer(1, 2, 3, 4).body;
        assert_ne!(
            body.signing_hash(&a),
            body.signing_hash(&Domain::new("chain-b", "contract1"))
        );
    }

    #[test]
    fn malformed_encodings_are_rejected() {
        let enc = transfer(1, 2, 3, 4).encode();
        assert_eq!(
            SignedTx::decode(&enc[..enc.len() - 1]),
            Err(DecodeError::Truncated)
        );
        let mut unknown = enc.clone();
        unknown[0] = 3 << 5;
        assert_eq!(SignedTx::decode(&unknown), Err(DecodeError::UnknownKind(3)));
        let mut extra = enc.clone();
        extra.push(0);
        assert_eq!(SignedTx::decode(&extra), Err(DecodeError::TrailingBytes));
        let mut w = SignedTx {
            body: TxBody::Withdraw(Withdraw {
                from: 1,
                amount: 5,
                nonce: 0,
                recipient: vec![9; 20],
            }),
            signature: [1; 64],
        }
        .encode();
        assert!(SignedTx::decode(&w).is_ok());
        w[4] = 0; // recipient length 0
        assert_eq!(SignedTx::decode(&w), Err(DecodeError::BadLength(0)));
        w[4] = 21; // a length no chain uses
        assert_eq!(SignedTx::decode(&w), Err(DecodeError::BadLength(21)));
    }

    proptest! {
        #[test]
        fn round_trip(from in any::<u32>(), to in any::<u32>(), amount in any::<u128>(), nonce in any::<u64>(),
                      recipient in prop::sample::select(vec![20usize, 32]).prop_flat_map(|n| prop::collection::vec(any::<u8>(), n)),
                      sig in any::<[u8; 32]>()) {
            let mut signature = [0u8; 64];
            signature[..32].copy_from_slice(&sig);
            for body in [
                TxBody::Transfer(Transfer { from, to, amount, nonce }),
                TxBody::Withdraw(Withdraw { from, amount, nonce, recipient: recipient.clone() }),
            ] {
                let tx = SignedTx { body, signature };
                let enc = tx.encode();
                prop_assert_eq!(SignedTx::payload_of(&enc), &tx.body.payload()[..]);
                prop_assert_eq!(SignedTx::decode(&enc), Ok(tx));
            }
        }

        #[test]
        fn decoding_arbitrary_bytes_never_panics(data in prop::collection::vec(any::<u8>(), 0..200)) {
            if let Ok((tx, used)) = SignedTx::decode_prefix(&data) {
                // canonical: re-encoding gives back exactly the bytes consumed
                prop_assert_eq!(tx.encode(), data[..used].to_vec());
            }
        }
    }
}
