//! The crate's one error type.

use ark_relations::r1cs::SynthesisError;
use ark_serialize::SerializationError;
use settle_core::validity::ledger::Shape;

use crate::circuit::Part;

/// Everything that can go wrong building a circuit, a key or a proof.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The witness holds more steps than the circuit has slots.
    #[error(
        "a batch of {deposits} deposits and {txs} transactions does not fit a circuit of \
         {} deposit and {} transaction slots", shape.deposits, shape.txs
    )]
    TooLarge {
        shape: Shape,
        deposits: usize,
        txs: usize,
    },
    /// A key made for one shape used with a batch (or key file) of another.
    #[error(
        "the key is for {} deposit and {} transaction slots, the batch for {} and {}",
        key.deposits, key.txs, batch.deposits, batch.txs
    )]
    ShapeMismatch { key: Shape, batch: Shape },
    /// The witness is not one the native ledger could have produced (a path of the wrong
    /// length, a point off the curve, a credit without its account, ...).
    #[error("malformed witness: {0}")]
    Witness(String),
    /// The witness does not satisfy the circuit: the native ledger would not accept it.
    #[error("the witness does not satisfy the circuit: constraint {constraint} ({part}) fails")]
    Unsatisfied { part: Part, constraint: usize },
    /// arkworks refused to synthesize or prove.
    #[error("constraint synthesis failed: {0}")]
    Synthesis(#[from] SynthesisError),
    /// A key or proof's bytes are not what they should be.
    #[error("malformed {what}: {reason}")]
    Malformed { what: &'static str, reason: String },
    /// A point or key that does not decode (off the curve, not in the subgroup, bad flags).
    #[error("malformed {what}: {source}")]
    Serialization {
        what: &'static str,
        source: SerializationError,
    },
    /// Reading or writing a key file.
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn malformed(what: &'static str, reason: impl Into<String>) -> Self {
        Error::Malformed {
            what,
            reason: reason.into(),
        }
    }

    pub(crate) fn serialization(what: &'static str) -> impl FnOnce(SerializationError) -> Self {
        move |source| Error::Serialization { what, source }
    }
}
