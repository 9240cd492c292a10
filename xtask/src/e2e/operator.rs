//! The operator's round (settle-services) on a real chain: submitted L2 transactions end in
//! a posted batch or refused with the core's reason, a nonce ahead waits for the ones
//! before it, and a batch posted without the store knowing (the operator died between the
//! post and its database write) is found on chain and accounted for by a restarted
//! operator, which posts nothing twice.

use optimistic_rollup::msg::{DepositTarget, ExecuteMsg};
use settle_core::batch::encode_batch;
use settle_core::crypto::{L2Key, NativeVerifier};
use settle_core::tx::SignedTx;
use settle_services::follow::Follower;
use settle_services::operator::{Operator, MAX_BATCH_TXS};
use settle_services::store::{PendingTx, Store, TxStatus};

use super::{optimistic::instantiate_msg, Ctx};
use crate::localnet::DENOM;

const BOND: u128 = 1_000;
pub(super) const DEPOSIT: u128 = 1_000_000;

async fn operator(ctx: &Ctx, contract: &str, db: &std::path::Path) -> Result<Operator, String> {
    Ok(Operator {
        client: ctx.client.clone(),
        wallet: ctx.wallet("operator", 0).await?,
        follower: Follower::new(&ctx.client, contract)
            .await
            .map_err(|e| e.to_string())?,
        store: Store::open(db).await.map_err(|e| e.to_string())?,
        max_batch_txs: MAX_BATCH_TXS,
    })
}

async fn expect(store: &Store, tx: &SignedTx, want: TxStatus) -> Result<(), String> {
    let got = store
        .status(&hex::encode(tx.id()))
        .await
        .map_err(|e| e.to_string())?;
    if got.as_ref() != Some(&want) {
        return Err(format!(
            "tx {} (account {}, nonce {}) is {got:?}, expected {want:?}",
            hex::encode(tx.id()),
            tx.body.signer(),
            tx.body.nonce()
        ));
    }
    Ok(())
}

/// A rollup whose treasury is `user`, `operator` bonded as its proposer, and a deposit of
/// `DEPOSIT` from `user` opening an L2 account for each key; its address.
pub(super) async fn rollup_with_deposits(
    ctx: &Ctx,
    operator: &settle_client::Wallet,
    user: &settle_client::Wallet,
    keys: &[L2Key],
) -> Result<String, String> {
    let contract = ctx
        .instantiate("optimistic-rollup", &instantiate_msg(user.address()))
        .await?;
    ctx.execute(operator, &contract, &ExecuteMsg::Bond {}, &[(BOND, DENOM)])
        .await?;
    for k in keys {
        let target = DepositTarget::NewAccount {
            pubkey: cosmwasm_std::Binary::from(k.public_key().as_slice()),
        };
        ctx.execute(
            user,
            &contract,
            &ExecuteMsg::Deposit { target },
            &[(DEPOSIT, DENOM)],
        )
        .await?;
    }
    Ok(contract)
}

pub async fn flow(ctx: &Ctx) -> Result<String, String> {
    let op_wallet = ctx.wallet("operator", 10_000_000).await?;
    let user = ctx.wallet("user", 10_000_000).await?;
    let keys = [
        L2Key::from_label("op-user-0"),
        L2Key::from_label("op-user-1"),
    ];
    let contract = rollup_with_deposits(ctx, &op_wallet, &user, &keys).await?;
    let dir = crate::util::target_dir(&crate::util::root())
        .join("e2e")
        .join(ctx.tag.replace('/', "-"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let db = dir.join("operator.sqlite");
    let mut op = operator(ctx, &contract, &db).await?;
    let sign = |op: &Operator, from: u32, to: u32, amount: u128, nonce: u64| {
        op.follower
            .node
            .sign_transfer(&keys[from as usize], from, to, amount, nonce)
    };
    // Account 0: nonces 0 and 2 (1 comes later); account 1 spends more than it has.
    let t0 = sign(&op, 0, 1, 1_000, 0);
    let t2 = sign(&op, 0, 1, 3_000, 2);
    let short = sign(&op, 1, 0, DEPOSIT * 5, 0);
    let t = super::now_unix();
    for tx in [&t0, &t2, &short, &t0] {
        op.store
            .submit(&PendingTx::of(tx), t)
            .await
            .map_err(|e| e.to_string())?;
    }
    // Round 1: the deposits and t0 in batch 0, `short` refused, t2 waits for nonce 1.
    let r1 = op.round().await.map_err(|e| e.to_string())?;
    let (b0, n0, _) = r1.posted.clone().ok_or("round 1 posted nothing")?;
    if n0 != 1 {
        return Err(format!("round 1 posted {n0} transactions, not 1: {r1:?}"));
    }
    expect(&op.store, &t0, TxStatus::Posted { batch: b0 }).await?;
    expect(&op.store, &t2, TxStatus::Pending).await?;
    // (t0 credited account 1 with 1,000 before it, in the same batch)
    let reason = format!("balance {} is short of {}", DEPOSIT + 1_000, DEPOSIT * 5);
    expect(&op.store, &short, TxStatus::Refused { reason }).await?;

    // Nonce 1 arrives: round 2 posts it and t2 after it.
    let t1 = sign(&op, 0, 1, 2_000, 1);
    op.store
        .submit(&PendingTx::of(&t1), super::now_unix())
        .await
        .map_err(|e| e.to_string())?;
    let r2 = op.round().await.map_err(|e| e.to_string())?;
    let (b1, n1, _) = r2.posted.clone().ok_or("round 2 posted nothing")?;
    if n1 != 2 {
        return Err(format!("round 2 posted {n1} transactions, not 2: {r2:?}"));
    }
    expect(&op.store, &t1, TxStatus::Posted { batch: b1 }).await?;
    expect(&op.store, &t2, TxStatus::Posted { batch: b1 }).await?;

    // The operator posts a batch and dies before its database write: the post happened
    // (here by hand, with the operator's key), the store still says pending.
    let t3 = sign(&op, 1, 0, 500, 0);
    op.store
        .submit(&PendingTx::of(&t3), super::now_unix())
        .await
        .map_err(|e| e.to_string())?;
    op.follower
        .sync(&ctx.client)
        .await
        .map_err(|e| e.to_string())?;
    let proposal = op
        .follower
        .node
        .clone()
        .propose(&NativeVerifier, encode_batch(std::slice::from_ref(&t3)))
        .map_err(|e| e.to_string())?;
    ctx.execute(
        &op_wallet,
        &contract,
        &ExecuteMsg::ProposeBatch {
            data: cosmwasm_std::Binary::new(proposal.data),
            deposits_consumed: proposal.deposits_consumed,
            output_root: cosmwasm_std::Binary::from(proposal.output_root.as_slice()),
        },
        &[],
    )
    .await?;
    drop(op);
    // Restarted from its database and the chain: it finds t3 posted and posts nothing.
    let mut op = operator(ctx, &contract, &db).await?;
    let r3 = op.round().await.map_err(|e| e.to_string())?;
    if r3.posted.is_some() || r3.synced.batches != 3 {
        return Err(format!(
            "after the restart: {} batches read back, posted {:?}",
            r3.synced.batches, r3.posted
        ));
    }
    expect(
        &op.store,
        &t3,
        TxStatus::Posted {
            batch: proposal.index,
        },
    )
    .await?;
    let (pending_n, posted_n, refused_n) = op.store.counts().await.map_err(|e| e.to_string())?;
    if (pending_n, posted_n, refused_n) != (0, 4, 1) {
        return Err(format!(
            "the store holds {pending_n} pending, {posted_n} posted, {refused_n} refused"
        ));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(format!(
        "batches {b0} and {b1} posted by the operator's rounds (a refused tx: its reason \
         recorded; a nonce ahead waited a round); batch {} posted before a crash was found \
         on chain by the restarted operator, nothing posted twice",
        proposal.index
    ))
}
