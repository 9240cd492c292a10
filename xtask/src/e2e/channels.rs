//! Payment channels on a real chain: a channel opened, joined and funded by both sides and
//! closed cooperatively; a second closed by its opener with a revoked state and punished by
//! a watchtower the counterparty authorised; a third closed with two HTLCs, one claimed
//! with its preimage during the window and one refunded after its timeout. States are
//! signed with settle-core (secp256k1), as a wallet would.

use cosmwasm_std::Binary;
use payment_channels::msg::{
    ChannelPhase, ChannelResponse, ExecuteMsg, InstantiateMsg, QueryMsg, Revocation, SignedState,
    SolvencyResponse,
};
use settle_client::Wallet;
use settle_core::channel::{
    join_hash, payment_hash, revocation_hash, watchtower_hash, ChannelDomain, ChannelState, Htlc,
    Party,
};
use settle_core::crypto::L2Key;

use super::Ctx;
use crate::localnet::DENOM;

/// The dispute window of every channel here: short, the chain's clock is real, but long
/// enough for a dispute to land while eight flows share two cores (15 s was missed under
/// that load); the flows still end well inside the optimistic rollup's five minutes.
pub(super) const WINDOW: u64 = 45;
pub(super) const FUNDED: [u128; 2] = [1_000, 500];

pub(super) struct Channels<'a> {
    pub(super) ctx: &'a Ctx,
    pub(super) address: String,
    pub(super) domain: ChannelDomain,
    pub(super) keys: [L2Key; 2],
    /// The two parties' wallets.
    pub(super) a: Wallet,
    pub(super) b: Wallet,
}

impl Channels<'_> {
    pub(super) async fn open(&self) -> Result<u64, String> {
        let keys = [self.keys[0].public_key(), self.keys[1].public_key()];
        let out = self
            .ctx
            .execute(
                &self.a,
                &self.address,
                &ExecuteMsg::Open {
                    counterparty: self.b.address().to_string(),
                    pubkey_a: Binary::from(keys[0].as_slice()),
                    pubkey_b: Binary::from(keys[1].as_slice()),
                    dispute_window: WINDOW,
                    join_window: 600,
                },
                &[(FUNDED[0], DENOM)],
            )
            .await?;
        let id: u64 = out
            .attrs("wasm-channel", "channel")
            .next()
            .and_then(|v| v.parse().ok())
            .ok_or("no channel id in the open event")?;
        let h = join_hash(&self.domain, id, self.b.address(), [&keys[0], &keys[1]]);
        let signature = Binary::from(self.keys[1].sign_prehash(&h).as_slice());
        self.ctx
            .execute(
                &self.b,
                &self.address,
                &ExecuteMsg::Join {
                    channel: id,
                    signature,
                },
                &[(FUNDED[1], DENOM)],
            )
            .await?;
        Ok(id)
    }

    pub(super) fn sign(&self, state: &ChannelState) -> SignedState {
        let h = state.signing_hash(&self.domain);
        SignedState {
            state: Binary::new(state.encode()),
            signature_a: Binary::from(self.keys[0].sign_prehash(&h).as_slice()),
            signature_b: Binary::from(self.keys[1].sign_prehash(&h).as_slice()),
        }
    }

    pub(super) async fn channel(&self, id: u64) -> Result<ChannelResponse, String> {
        self.ctx
            .query(&self.address, &QueryMsg::Channel { channel: id })
            .await
    }

    pub(super) async fn balance(&self, who: &Wallet) -> Result<u128, String> {
        self.ctx.balance(who.address()).await
    }

    /// Waits out the window of a closing channel.
    pub(super) async fn wait_window(&self, id: u64) -> Result<(), String> {
        match self.channel(id).await?.phase {
            ChannelPhase::Closing {
                dispute_ends_at, ..
            } => self.ctx.wait_past(dispute_ends_at).await,
            other => Err(format!("channel {id} is not closing: {other:?}")),
        }
    }
}

pub(super) fn state(
    id: u64,
    version: u64,
    a: u128,
    htlcs: Vec<Htlc>,
    is_final: bool,
) -> ChannelState {
    let held: u128 = htlcs.iter().map(|h| h.amount).sum();
    ChannelState {
        channel_id: id,
        version,
        funded: FUNDED,
        balances: [a, FUNDED[0] + FUNDED[1] - a - held],
        htlcs,
        is_final,
    }
}

fn moved(before: u128, after: u128, by: u128, who: &str, what: &str) -> Result<(), String> {
    if after == before + by {
        Ok(())
    } else {
        Err(format!(
            "{what}: {who} went from {before} to {after}, not up by {by}"
        ))
    }
}

pub async fn flow(ctx: &Ctx) -> Result<String, String> {
    let a = ctx.wallet("a", 10_000_000).await?;
    let b = ctx.wallet("b", 10_000_000).await?;
    let tower = ctx.wallet("tower", 10_000_000).await?;
    // Pays the fees of the messages anyone may send, so a and b move by payouts only.
    let keeper = ctx.wallet("keeper", 10_000_000).await?;
    let address = ctx
        .instantiate(
            "payment-channels",
            &InstantiateMsg {
                penalty_share_bps: None,
                watchtower_fee_bps: 1_000,
                max_dispute_window: 86_400,
            },
        )
        .await?;
    let config: payment_channels::msg::ConfigResponse =
        ctx.query(&address, &QueryMsg::Config {}).await?;
    let domain = ChannelDomain(
        config
            .domain
            .as_slice()
            .try_into()
            .map_err(|_| "the domain is not 32 bytes")?,
    );
    let ch = Channels {
        ctx,
        address,
        domain,
        keys: [L2Key::from_label("e2e-ch-a"), L2Key::from_label("e2e-ch-b")],
        a,
        b,
    };

    // 1. Cooperative close: paid at once.
    ctx.say("channel 1: opened, joined, funded by both, closed cooperatively (paid at once)");
    let id = ch.open().await?;
    let (a0, b0) = (ch.balance(&ch.a).await?, ch.balance(&ch.b).await?);
    ctx.refused(
        &keeper,
        &ch.address,
        &ExecuteMsg::CooperativeClose {
            channel: id,
            signed: ch.sign(&state(id, 9, 700, vec![], false)),
        },
        &[],
        "final",
    )
    .await?;
    let coop = ctx
        .execute(
            &keeper,
            &ch.address,
            &ExecuteMsg::CooperativeClose {
                channel: id,
                signed: ch.sign(&state(id, 9, 700, vec![], true)),
            },
            &[],
        )
        .await?;
    moved(a0, ch.balance(&ch.a).await?, 700, "a", "cooperative close")?;
    moved(b0, ch.balance(&ch.b).await?, 800, "b", "cooperative close")?;

    // 2. a closes with version 3, which it revoked when both signed version 4; the
    //    watchtower b authorised posts version 4 and a's revocation.
    let id = ch.open().await?;
    ctx.execute(
        &ch.a,
        &ch.address,
        &ExecuteMsg::Close {
            channel: id,
            signed: ch.sign(&state(id, 3, 900, vec![], false)),
        },
        &[],
    )
    .await?;
    let (a1, b1, t1) = (
        ch.balance(&ch.a).await?,
        ch.balance(&ch.b).await?,
        ch.balance(&tower).await?,
    );
    let revocation = Revocation {
        version: 3,
        signature: Binary::from(
            ch.keys[0]
                .sign_prehash(&revocation_hash(&ch.domain, id, 3))
                .as_slice(),
        ),
    };
    let authorisation = Binary::from(
        ch.keys[1]
            .sign_prehash(&watchtower_hash(&ch.domain, id, tower.address()))
            .as_slice(),
    );
    let punished = ctx
        .execute(
            &tower,
            &ch.address,
            &ExecuteMsg::Dispute {
                channel: id,
                signed: Some(ch.sign(&state(id, 4, 400, vec![], false))),
                revocation: Some(revocation),
                authorisation: Some(authorisation),
            },
            &[],
        )
        .await?;
    let t1 = t1.saturating_sub(punished.fee);
    match ch.channel(id).await?.phase {
        ChannelPhase::Closing {
            stale: true,
            watchtower: Some(w),
            ..
        } if w.as_str() == tower.address() => {}
        other => return Err(format!("after the dispute: {other:?}")),
    }
    ch.wait_window(id).await?;
    ctx.execute(
        &keeper,
        &ch.address,
        &ExecuteMsg::Settle { channel: id },
        &[],
    )
    .await?;
    let (a2, b2, t2) = (
        ch.balance(&ch.a).await?,
        ch.balance(&ch.b).await?,
        ch.balance(&tower).await?,
    );
    if a2 != a1 {
        return Err(format!(
            "the stale closer went from {a1} to {a2} at settlement"
        ));
    }
    let (to_b, to_tower) = (b2.saturating_sub(b1), t2.saturating_sub(t1));
    if to_b + to_tower != 1_500 || to_tower == 0 {
        return Err(format!(
            "the punished channel paid b {to_b} and the watchtower {to_tower} (1,500 in it)"
        ));
    }

    ctx.say("channel 2: a closed with a revoked state; b's watchtower proved it stale and a was punished");
    // 3. HTLCs: a pays b 100 against a preimage b reveals; b pays a 50, never revealed,
    //    refunded to b after its timeout.
    let id = ch.open().await?;
    let preimage = [7u8; 32];
    let timeout = ctx.client.block_time().await.map_err(|e| e.to_string())? + 40;
    let htlcs = vec![
        Htlc {
            amount: 100,
            payment_hash: payment_hash(&preimage).map_err(|e| e.to_string())?,
            timeout,
            payer: Party::A,
        },
        Htlc {
            amount: 50,
            payment_hash: [9; 32],
            timeout,
            payer: Party::B,
        },
    ];
    ctx.execute(
        &ch.a,
        &ch.address,
        &ExecuteMsg::Close {
            channel: id,
            signed: ch.sign(&state(id, 2, 800, htlcs, false)),
        },
        &[],
    )
    .await?;
    ctx.execute(
        &keeper,
        &ch.address,
        &ExecuteMsg::RevealPreimage {
            preimage: Binary::from(preimage.as_slice()),
        },
        &[],
    )
    .await?;
    let (a3, b3) = (ch.balance(&ch.a).await?, ch.balance(&ch.b).await?);
    ch.wait_window(id).await?;
    ctx.execute(
        &keeper,
        &ch.address,
        &ExecuteMsg::Settle { channel: id },
        &[],
    )
    .await?;
    moved(a3, ch.balance(&ch.a).await?, 800, "a", "settle with HTLCs")?;
    moved(b3, ch.balance(&ch.b).await?, 550, "b", "settle with HTLCs")?;
    let b4 = ch.balance(&ch.b).await?;
    ctx.execute(
        &keeper,
        &ch.address,
        &ExecuteMsg::SettleHtlc {
            channel: id,
            htlc: 0,
        },
        &[],
    )
    .await?;
    moved(b4, ch.balance(&ch.b).await?, 100, "b", "the claimed HTLC")?;
    let settle_1 = ExecuteMsg::SettleHtlc {
        channel: id,
        htlc: 1,
    };
    if ctx.client.block_time().await.map_err(|e| e.to_string())? < timeout {
        ctx.refused(&keeper, &ch.address, &settle_1, &[], "pending until")
            .await?;
    }
    ctx.wait_past(timeout).await?;
    let b5 = ch.balance(&ch.b).await?;
    ctx.execute(&keeper, &ch.address, &settle_1, &[]).await?;
    moved(b5, ch.balance(&ch.b).await?, 50, "b", "the refunded HTLC")?;

    let solvency: SolvencyResponse = ctx.query(&ch.address, &QueryMsg::Solvency {}).await?;
    let held = ctx.balance(&ch.address).await?;
    let owed: u128 = solvency
        .denoms
        .iter()
        .map(|d| d.owed.to_string().parse::<u128>().unwrap_or(u128::MAX))
        .sum();
    if !solvency.solvent || held != owed {
        return Err(format!(
            "after three channels: bank {held}, owed {owed}, solvent {}",
            solvency.solvent
        ));
    }
    Ok(format!(
        "cooperative close in block {} ({} gas); stale close punished: b {to_b}, watchtower \
         {to_tower} (dispute {} gas); HTLC claimed and refunded; contract holds {held}",
        coop.height, coop.gas_used, punished.gas_used
    ))
}
