//! The solvency answer every settlement contract gives, in one shape (ARCHITECTURE.md
//! "API conventions"): per denom, what the contract holds against what it owes. Each
//! contract says in its `status` query how its debt splits (deposits, bonds, credits...).

use cosmwasm_schema::cw_serde;
use cosmwasm_std::Uint256;

/// One denom's balance sheet.
#[cw_serde]
pub struct DenomSolvency {
    /// The native denom.
    pub denom: String,
    /// The contract's bank balance in this denom.
    pub held: Uint256,
    /// What the contract owes in this denom (every liability it records).
    pub owed: Uint256,
    /// `held - owed` when positive (funds sent to the contract outside any message).
    pub surplus: Uint256,
    /// `owed - held` when positive: must always be zero.
    pub deficit: Uint256,
}

impl DenomSolvency {
    /// The sheet of `denom` from what is held and what is owed.
    pub fn new(denom: String, held: Uint256, owed: Uint256) -> Self {
        DenomSolvency {
            denom,
            held,
            owed,
            surplus: held.saturating_sub(owed),
            deficit: owed.saturating_sub(held),
        }
    }
}

/// The answer to every contract's `solvency` query.
#[cw_serde]
pub struct SolvencyResponse {
    /// One entry per denom the contract owes in.
    pub denoms: Vec<DenomSolvency>,
    /// No deficit in any listed denom.
    pub solvent: bool,
}

impl SolvencyResponse {
    /// The answer over these sheets (`solvent` when none has a deficit).
    pub fn new(denoms: Vec<DenomSolvency>) -> Self {
        SolvencyResponse {
            solvent: denoms.iter().all(|d| d.deficit.is_zero()),
            denoms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surplus_and_deficit_are_the_positive_differences() {
        let rich = DenomSolvency::new("a".into(), Uint256::from(7u8), Uint256::from(5u8));
        assert_eq!(
            (rich.surplus, rich.deficit),
            (Uint256::from(2u8), Uint256::zero())
        );
        let poor = DenomSolvency::new("b".into(), Uint256::from(5u8), Uint256::from(7u8));
        assert_eq!(
            (poor.surplus, poor.deficit),
            (Uint256::zero(), Uint256::from(2u8))
        );
        assert!(SolvencyResponse::new(vec![rich.clone()]).solvent);
        assert!(!SolvencyResponse::new(vec![rich, poor]).solvent);
        assert!(SolvencyResponse::new(vec![]).solvent);
    }
}
