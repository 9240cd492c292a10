//! The validity rollup on a real chain: two deposits open L2 accounts; the operator proves
//! (Groth16, the 1-deposit 1-transaction circuit) and submits a batch per deposit, then one
//! with a withdrawal, final at once and claimed; a batch carrying another statement's proof
//! is refused; the operator then stops, the rollup enters exodus after its deadline, and a
//! user leaves with an exodus exit proven against the last verified state.

use cosmwasm_std::{Binary, Uint256};
use settle_core::validity::eddsa::SecretKey;
use settle_core::validity::field::fr_from_bytes;
use settle_core::validity::ledger::{Deposit, Shape, Tx};
use settle_testing::{keys_for, Operator, ValiditySuiteBuilder};
use validity_rollup::msg::{
    ConfigResponse, DepositTarget, ExecuteMsg, QueryMsg, SolvencyResponse, StatusResponse,
};

use super::{canonical, Ctx};
use crate::localnet::DENOM;

/// Seconds without a batch before anyone may exit on their own (short: the clock is real).
const EXODUS_AFTER: u64 = 60;
const DEPOSIT: u128 = 1_000_000;
const WITHDRAWAL: u128 = 250_000;

pub async fn flow(ctx: &Ctx) -> Result<String, String> {
    let user = ctx.wallet("user", 10_000_000).await?;
    let operator = ctx.wallet("operator", 10_000_000).await?;
    let shape = Shape {
        deposits: 1,
        txs: 1,
    };
    let mut msg = ValiditySuiteBuilder::new()
        .with_shape(shape.deposits, shape.txs)
        .with_exodus_after(EXODUS_AFTER)
        .instantiate_msg();
    msg.denom = DENOM.into();
    let contract = ctx.instantiate("validity-rollup", &msg).await?;
    let config: ConfigResponse = ctx.query(&contract, &QueryMsg::Config {}).await?;
    let domain = fr_from_bytes("domain", config.domain.as_slice()).map_err(|e| e.to_string())?;
    let mut op = Operator::new(domain, shape, keys_for(shape));

    let keys = [
        SecretKey::from_seed(&[1; 32]),
        SecretKey::from_seed(&[2; 32]),
    ];
    for (key, amount) in keys.iter().zip([DEPOSIT, 5_000]) {
        let pubkey = key.public_key();
        ctx.execute(
            &user,
            &contract,
            &ExecuteMsg::Deposit {
                target: DepositTarget::NewAccount {
                    pubkey: Binary::from(pubkey.encode().to_vec()),
                },
            },
            &[(amount, DENOM)],
        )
        .await?;
        op.queue.push(Deposit::NewAccount {
            key: pubkey,
            amount,
        });
    }
    let mut proving = std::time::Duration::ZERO;
    let mut prove = |op: &mut Operator, deposits: usize, txs: &[Tx]| {
        let started = std::time::Instant::now();
        let b = op.prove(deposits, txs);
        proving += started.elapsed();
        b
    };
    // One batch per deposit (the circuit takes one), the second with a transfer.
    let first = prove(&mut op, 1, &[])?;
    ctx.execute(&operator, &contract, &first.msg(), &[]).await?;
    op.follow(&first);
    let transfer = op.transfer(&keys[0], 1, 1_000);
    let second = prove(&mut op, 1, &[transfer])?;
    ctx.execute(&operator, &contract, &second.msg(), &[])
        .await?;
    op.follow(&second);

    ctx.say(
        "batches proven with Groth16 here and verified by the contract with the chain's pairing",
    );
    // A withdrawal, credited when its batch is accepted (no window: the proof is final).
    let withdrawal = op.withdrawal(&keys[0], canonical(user.address())?, WITHDRAWAL);
    let third = prove(&mut op, 0, &[withdrawal])?;
    // The same batch with the proof of another statement is refused.
    let mut forged = third.clone();
    forged.proof = second.proof;
    ctx.refused(
        &operator,
        &contract,
        &forged.msg(),
        &[],
        "pairing equation does not hold",
    )
    .await?;
    let accepted = ctx.execute(&operator, &contract, &third.msg(), &[]).await?;
    op.follow(&third);
    let before = ctx.balance(user.address()).await?;
    let claim = ctx
        .execute(&user, &contract, &ExecuteMsg::Claim {}, &[])
        .await?;
    let after = ctx.balance(user.address()).await?;
    if after + claim.fee != before + WITHDRAWAL {
        return Err(format!(
            "claim: the user went from {before} to {after} (fee {}), not up by {WITHDRAWAL}",
            claim.fee
        ));
    }

    ctx.say("the operator stops; after the exodus deadline users leave with Merkle proofs of the last proven state");
    // The operator stops. After the deadline the rollup is in exodus and account 0 leaves
    // with its balance in the last verified state.
    let status: StatusResponse = ctx.query(&contract, &QueryMsg::Status {}).await?;
    ctx.wait_past(status.exodus_at).await?;
    let index = op.account_of(&keys[0]);
    let balance = op
        .ledger
        .account(index)
        .map(|a| a.balance)
        .ok_or("the operator has no account 0")?;
    let exit = op.exodus_msg(&keys[0], user.address(), &canonical(user.address())?);
    let before = ctx.balance(user.address()).await?;
    let exited = ctx.execute(&user, &contract, &exit, &[]).await?;
    let after = ctx.balance(user.address()).await?;
    if after + exited.fee != before + balance {
        return Err(format!(
            "exodus: the user went from {before} to {after} (fee {}), not up by {balance}",
            exited.fee
        ));
    }
    ctx.refused(&user, &contract, &exit, &[], "already exited")
        .await?;
    let solvency: SolvencyResponse = ctx.query(&contract, &QueryMsg::Solvency {}).await?;
    let held = ctx.balance(&contract).await?;
    if !solvency.solvent || solvency.denoms.first().map(|d| d.held) != Some(Uint256::from(held)) {
        return Err(format!(
            "after the exodus exit: bank {held}, contract {solvency:?}"
        ));
    }
    Ok(format!(
        "3 batches proven in {:.1} s; the withdrawal batch {} gas, claim paid {WITHDRAWAL}; \
         exodus exit paid {balance} ({} gas); contract holds {held}",
        proving.as_secs_f64(),
        accepted.gas_used,
        exited.gas_used
    ))
}
