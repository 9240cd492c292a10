//! `settle watchtower`: guards payment-channel clients who go offline. A client hands in
//! (over HTTP, [`crate::watchtower_api`]) its newest co-signed state, the other party's
//! revocation of the older versions and its authorisation of this watchtower; every round
//! the watchtower lists the channels closing on chain and answers a stale close by the
//! other party with a `dispute` before the window ends: the newer state replaces the
//! closing one, the revocation proves the close stale (the closer forfeits; the
//! watchtower earns the contract's fee).
//!
//! Every rule is settle-core's ([`settle_core::channel`]): signatures, revocations and the
//! authorisation are checked with it against the channel's keys read from the contract,
//! and the contract's own dry run (`check_close`) is asked before anything is sent. The
//! SQLite tables (migration 0003) hold what clients handed in and every dispute sent,
//! recorded before its broadcast and keyed by the close as the chain showed it: a restart
//! resumes at once and never sends the same dispute twice.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cosmwasm_std::Binary;
use payment_channels::msg::{
    ChannelPhase, ChannelResponse, ChannelsResponse, CloseCheckResponse, CloseOutcome,
    ConfigResponse, ExecuteMsg, Party as ChainParty, QueryMsg, Revocation, SignedState,
};
use serde::{Deserialize, Serialize};
use settle_client::{Client, Wallet};
use settle_core::channel::{
    verify_cosigned, verify_revocation, verify_watchtower_authorisation, ChannelDomain,
    ChannelState, Party, Revocation as CoreRevocation,
};
use settle_core::crypto::NativeVerifier;
use sqlx::Row;

use crate::config::{check_contract, Config, WatchtowerConfig};
use crate::metrics::WatchtowerMetrics;
use crate::service::{pause, test_pause_point, Backoff};
use crate::store::{to_i64, to_u64, Store};
use crate::Error;

/// Channels per `channels` query page (the contract's most).
const PAGE: u32 = 100;
/// Seconds a dispute broadcast but not seen in a block is left alone before it is sent
/// again (the chain re-read first: one that landed is never sent again).
pub const IN_FLIGHT_GRACE: u64 = 30;

/// What a client hands in: `POST /v1/channels/{channel}/states`'s body, in the contract's
/// JSON types (bytes base64).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handin {
    /// The newest state, signed by both parties.
    pub signed: SignedState,
    /// The other party's revocation of the older versions (it proves a close with one of
    /// them stale), if the client holds one.
    #[serde(default)]
    pub revocation: Option<Revocation>,
    /// The client's 64-byte signature over settle-core `channel::watchtower_hash(domain,
    /// channel, this watchtower's address)`.
    pub authorisation: Binary,
}

/// Why a hand-in is refused (the API answers 400, 404 or 409 with this text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("channel {0} is not a channel of this contract")]
    UnknownChannel(u64),
    #[error("channel {channel} is {phase}: only an open or closing channel can be guarded")]
    NotGuardable { channel: u64, phase: String },
    #[error("the state: {0}")]
    State(String),
    #[error("the authorisation: {0}")]
    Authorisation(String),
    #[error("the revocation: {0}")]
    Revocation(String),
    #[error("version {version} is older than the version {held} this watchtower holds")]
    Older { version: u64, held: u64 },
    #[error("channel {channel}: {reason}")]
    Window { channel: u64, reason: String },
}

/// What the watchtower holds for one channel.
#[derive(Clone, Debug, PartialEq)]
pub struct Guarded {
    pub channel: u64,
    /// The client's side (the party a close by the other side wrongs).
    pub party: Party,
    /// The newest co-signed state's version.
    pub version: u64,
    pub signed: SignedState,
    /// The other party's newest revocation held.
    pub revocation: Option<CoreRevocation>,
    /// The client's signature authorising this watchtower.
    pub authorisation: [u8; 64],
}

fn sig64(what: &str, b: &Binary) -> Result<[u8; 64], String> {
    b.as_slice()
        .try_into()
        .map_err(|_| format!("{what}: 64 bytes expected, got {}", b.len()))
}

fn key33(what: &str, b: &Binary) -> Result<[u8; 33], Error> {
    b.as_slice()
        .try_into()
        .map_err(|_| Error::Chain(format!("{what}: 33 bytes expected, got {}", b.len())))
}

/// The contract's party as the core's.
pub fn party_of(p: &ChainParty) -> Party {
    match p {
        ChainParty::A => Party::A,
        ChainParty::B => Party::B,
    }
}

/// Checks a hand-in for channel `channel` (as the contract shows it, `chain`) with the
/// core's rules, and merges it with what is `held`: both signatures over a state of this
/// channel that allocates at most its funding; the authorisation of `watchtower` by one
/// party (the client); the other party's revocation, if any, of a version older than the
/// state; a version no older than the one held (the newer revocation of the two is kept).
pub fn check_handin(
    domain: &ChannelDomain,
    watchtower: &str,
    channel: u64,
    chain: &ChannelResponse,
    handin: &Handin,
    held: Option<&Guarded>,
) -> Result<Guarded, Refused> {
    if chain.channel != channel {
        return Err(Refused::UnknownChannel(channel));
    }
    match chain.phase {
        ChannelPhase::Open {} | ChannelPhase::Closing { .. } => {}
        ref other => {
            return Err(Refused::NotGuardable {
                channel,
                phase: format!("{other:?}"),
            })
        }
    }
    let keys: [[u8; 33]; 2] = [
        key33("pubkey_a", &chain.pubkey_a).map_err(|e| Refused::State(e.to_string()))?,
        key33("pubkey_b", &chain.pubkey_b).map_err(|e| Refused::State(e.to_string()))?,
    ];
    let state = ChannelState::decode(handin.signed.state.as_slice())
        .map_err(|e| Refused::State(e.to_string()))?;
    let funding = [chain.funded_a.u128(), chain.funded_b.u128()];
    state
        .check(channel, funding)
        .map_err(|e| Refused::State(e.to_string()))?;
    let sigs = [
        sig64("signature_a", &handin.signed.signature_a).map_err(Refused::State)?,
        sig64("signature_b", &handin.signed.signature_b).map_err(Refused::State)?,
    ];
    verify_cosigned(
        &NativeVerifier,
        domain,
        &state,
        [&keys[0], &keys[1]],
        [&sigs[0], &sigs[1]],
    )
    .map_err(|e| Refused::State(e.to_string()))?;
    let authorisation =
        sig64("authorisation", &handin.authorisation).map_err(Refused::Authorisation)?;
    let party = [Party::A, Party::B]
        .into_iter()
        .find(|p| {
            verify_watchtower_authorisation(
                &NativeVerifier,
                domain,
                channel,
                *p,
                &keys[p.index()],
                watchtower,
                &authorisation,
            )
            .is_ok()
        })
        .ok_or_else(|| {
            Refused::Authorisation(format!(
                "signed by neither party's key for watchtower {watchtower} on channel {channel}"
            ))
        })?;
    let other = party.other();
    let revocation = match &handin.revocation {
        None => None,
        Some(r) => {
            let core = CoreRevocation {
                version: r.version,
                signature: sig64("signature", &r.signature).map_err(Refused::Revocation)?,
            };
            verify_revocation(
                &NativeVerifier,
                domain,
                channel,
                other,
                &keys[other.index()],
                &core,
            )
            .map_err(|e| Refused::Revocation(e.to_string()))?;
            if r.version >= state.version {
                return Err(Refused::Revocation(format!(
                    "it revokes version {}, not older than the state's version {}",
                    r.version, state.version
                )));
            }
            Some(core)
        }
    };
    let mut revocation = revocation;
    if let Some(h) = held {
        if h.party != party {
            return Err(Refused::Authorisation(format!(
                "this watchtower guards party {} of channel {channel}, the authorisation is {}'s",
                h.party.name(),
                party.name()
            )));
        }
        if state.version < h.version {
            return Err(Refused::Older {
                version: state.version,
                held: h.version,
            });
        }
        if let Some(old) = h.revocation {
            if revocation.is_none_or(|r| r.version < old.version) {
                revocation = Some(old);
            }
        }
    }
    Ok(Guarded {
        channel,
        party,
        version: state.version,
        signed: handin.signed.clone(),
        revocation,
        authorisation,
    })
}

/// What the watchtower does about one guarded channel, from the chain's view of it.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Not closing (open, settled or closed).
    NotClosing,
    /// The client closed it itself: not the watchtower's to dispute.
    OwnClose,
    /// The close is no older than what it holds, and no revocation it holds proves it
    /// stale (or the proof is in already).
    UpToDate,
    /// The window is over.
    WindowOver,
    /// Send `dispute` with these.
    Dispute {
        /// The newer state, if the closing one is older.
        signed: Option<SignedState>,
        /// The closer's revocation proving the close stale, if held and not yet proven.
        revocation: Option<Revocation>,
        /// The client's authorisation (with a revocation: it earns the fee).
        authorisation: Option<Binary>,
    },
}

/// The key of a close as the chain shows it: the same key, the same dispute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CloseKey {
    pub channel: u64,
    pub closed_version: u64,
    pub closing_version: u64,
    pub stale: bool,
}

/// The close of `chain` as a [`CloseKey`], if it is closing.
pub fn close_key(chain: &ChannelResponse) -> Option<CloseKey> {
    match chain.phase {
        ChannelPhase::Closing {
            version,
            closed_version,
            stale,
            ..
        } => Some(CloseKey {
            channel: chain.channel,
            closed_version,
            closing_version: version,
            stale,
        }),
        _ => None,
    }
}

/// What to send about `g` given the channel on chain and the chain's time `now`: a newer
/// state if the closing one is older than it, the closer's revocation if it proves the
/// close stale and that is not proven yet; nothing for the client's own close or after
/// the window.
pub fn decide(g: &Guarded, chain: &ChannelResponse, now: u64) -> Decision {
    let ChannelPhase::Closing {
        closer,
        version,
        closed_version,
        dispute_ends_at,
        stale,
        ..
    } = &chain.phase
    else {
        return Decision::NotClosing;
    };
    if party_of(closer) == g.party {
        return Decision::OwnClose;
    }
    if now >= *dispute_ends_at {
        return Decision::WindowOver;
    }
    let signed = (g.version > *version).then(|| g.signed.clone());
    let revocation = g
        .revocation
        .filter(|r| !*stale && r.version >= *closed_version)
        .map(|r| Revocation {
            version: r.version,
            signature: Binary::from(r.signature.as_slice()),
        });
    if signed.is_none() && revocation.is_none() {
        return Decision::UpToDate;
    }
    let authorisation = revocation
        .as_ref()
        .map(|_| Binary::from(g.authorisation.as_slice()));
    Decision::Dispute {
        signed,
        revocation,
        authorisation,
    }
}

/// A dispute the watchtower sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SentDispute {
    pub closed_version: u64,
    pub closing_version: u64,
    pub stale: bool,
    /// The version of the state it carried, if any.
    pub sent_version: Option<u64>,
    /// The version of the revocation it carried, if any.
    pub sent_revocation: Option<u64>,
    /// None while not seen in a block.
    pub tx_hash: Option<String>,
    pub gas_used: Option<u64>,
    pub sent_at: u64,
}

fn db(e: sqlx::Error) -> Error {
    Error::Store(e.to_string())
}

fn party_text(p: Party) -> &'static str {
    match p {
        Party::A => "a",
        Party::B => "b",
    }
}

/// The watchtower's database: the same SQLite file mechanism as the operator's
/// [`Store`] (migrations in `services/migrations/`, WAL journal).
#[derive(Clone, Debug)]
pub struct WatchtowerStore {
    store: Store,
}

impl WatchtowerStore {
    /// Opens (creating it if missing) the database at `path`, schema brought up to date.
    pub async fn open(path: &Path) -> Result<WatchtowerStore, Error> {
        Ok(WatchtowerStore {
            store: Store::open(path).await?,
        })
    }

    /// Closes the database.
    pub async fn close(&self) {
        self.store.close().await;
    }

    /// Stores what it holds for a channel (checked by [`check_handin`]); never replaces a
    /// newer version.
    pub async fn save(&self, g: &Guarded, now: u64) -> Result<(), Error> {
        let signed = serde_json::to_string(&g.signed).map_err(|e| Error::Store(e.to_string()))?;
        sqlx::query(
            "INSERT INTO watchtower_channels (channel, party, version, signed, revoked_version, \
             revocation, authorisation, received_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (channel) DO UPDATE SET party = excluded.party, version = excluded.version, \
             signed = excluded.signed, revoked_version = excluded.revoked_version, \
             revocation = excluded.revocation, authorisation = excluded.authorisation, \
             updated_at = excluded.updated_at WHERE excluded.version >= watchtower_channels.version",
        )
        .bind(to_i64(g.channel)?)
        .bind(party_text(g.party))
        .bind(to_i64(g.version)?)
        .bind(signed)
        .bind(g.revocation.map(|r| to_i64(r.version)).transpose()?)
        .bind(g.revocation.map(|r| hex::encode(r.signature)))
        .bind(hex::encode(g.authorisation))
        .bind(to_i64(now)?)
        .bind(to_i64(now)?)
        .execute(self.store.pool())
        .await
        .map_err(db)?;
        Ok(())
    }

    /// What it holds for `channel`, with when it was first and last handed in.
    pub async fn guarded(&self, channel: u64) -> Result<Option<(Guarded, u64, u64)>, Error> {
        let row = sqlx::query(
            "SELECT party, version, signed, revoked_version, revocation, authorisation, \
             received_at, updated_at FROM watchtower_channels WHERE channel = ?",
        )
        .bind(to_i64(channel)?)
        .fetch_optional(self.store.pool())
        .await
        .map_err(db)?;
        let Some(r) = row else { return Ok(None) };
        let bad = |what: &str| Error::Store(format!("channel {channel}: {what}"));
        let hex64 = |s: String| -> Result<[u8; 64], Error> {
            hex::decode(&s)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| bad("a signature that is not 64 bytes of hex"))
        };
        let party = match r.get::<String, _>("party").as_str() {
            "a" => Party::A,
            "b" => Party::B,
            _ => return Err(bad("an unknown party")),
        };
        let signed: SignedState = serde_json::from_str(&r.get::<String, _>("signed"))
            .map_err(|e| bad(&format!("its state: {e}")))?;
        let revocation = match (
            r.get::<Option<i64>, _>("revoked_version"),
            r.get::<Option<String>, _>("revocation"),
        ) {
            (Some(v), Some(sig)) => Some(CoreRevocation {
                version: to_u64(v)?,
                signature: hex64(sig)?,
            }),
            _ => None,
        };
        Ok(Some((
            Guarded {
                channel,
                party,
                version: to_u64(r.get("version"))?,
                signed,
                revocation,
                authorisation: hex64(r.get("authorisation"))?,
            },
            to_u64(r.get("received_at"))?,
            to_u64(r.get("updated_at"))?,
        )))
    }

    /// The ids of every guarded channel, in order.
    pub async fn channels(&self) -> Result<Vec<u64>, Error> {
        let rows = sqlx::query("SELECT channel FROM watchtower_channels ORDER BY channel")
            .fetch_all(self.store.pool())
            .await
            .map_err(db)?;
        rows.iter().map(|r| to_u64(r.get("channel"))).collect()
    }

    /// The dispute sent for `key`, if one was.
    pub async fn dispute(&self, key: &CloseKey) -> Result<Option<SentDispute>, Error> {
        Ok(self.disputes(key.channel).await?.into_iter().find(|d| {
            (d.closed_version, d.closing_version, d.stale)
                == (key.closed_version, key.closing_version, key.stale)
        }))
    }

    /// Every dispute sent on `channel`, oldest first.
    pub async fn disputes(&self, channel: u64) -> Result<Vec<SentDispute>, Error> {
        let rows = sqlx::query(
            "SELECT closed_version, closing_version, stale, sent_version, sent_revocation, \
             tx_hash, gas_used, sent_at FROM watchtower_disputes WHERE channel = ? \
             ORDER BY sent_at, closing_version",
        )
        .bind(to_i64(channel)?)
        .fetch_all(self.store.pool())
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                let opt = |c: &str| r.get::<Option<i64>, _>(c).map(to_u64).transpose();
                Ok(SentDispute {
                    closed_version: to_u64(r.get("closed_version"))?,
                    closing_version: to_u64(r.get("closing_version"))?,
                    stale: r.get::<i64, _>("stale") != 0,
                    sent_version: opt("sent_version")?,
                    sent_revocation: opt("sent_revocation")?,
                    tx_hash: r.get("tx_hash"),
                    gas_used: opt("gas_used")?,
                    sent_at: to_u64(r.get("sent_at"))?,
                })
            })
            .collect()
    }

    /// Records a dispute about to be broadcast (again: a later `sent_at`).
    pub async fn record_dispute(
        &self,
        key: &CloseKey,
        sent_version: Option<u64>,
        sent_revocation: Option<u64>,
        now: u64,
    ) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO watchtower_disputes (channel, closed_version, closing_version, stale, \
             sent_version, sent_revocation, tx_hash, gas_used, sent_at) \
             VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?) \
             ON CONFLICT (channel, closed_version, closing_version, stale) DO UPDATE SET \
             sent_version = excluded.sent_version, sent_revocation = excluded.sent_revocation, \
             sent_at = excluded.sent_at",
        )
        .bind(to_i64(key.channel)?)
        .bind(to_i64(key.closed_version)?)
        .bind(to_i64(key.closing_version)?)
        .bind(i64::from(key.stale))
        .bind(sent_version.map(to_i64).transpose()?)
        .bind(sent_revocation.map(to_i64).transpose()?)
        .bind(to_i64(now)?)
        .execute(self.store.pool())
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Records that the dispute for `key` is in a block.
    pub async fn dispute_included(
        &self,
        key: &CloseKey,
        hash: &str,
        gas: u64,
    ) -> Result<(), Error> {
        sqlx::query(
            "UPDATE watchtower_disputes SET tx_hash = ?, gas_used = ? WHERE channel = ? AND \
             closed_version = ? AND closing_version = ? AND stale = ?",
        )
        .bind(hash)
        .bind(to_i64(gas)?)
        .bind(to_i64(key.channel)?)
        .bind(to_i64(key.closed_version)?)
        .bind(to_i64(key.closing_version)?)
        .bind(i64::from(key.stale))
        .execute(self.store.pool())
        .await
        .map_err(db)?;
        Ok(())
    }
}

/// Whether a dispute for a close already recorded as `sent` may go out at `now`: never
/// after one was seen in a block (the chain would show another close key); one broadcast
/// and not seen goes again [`IN_FLIGHT_GRACE`] seconds later, or at once in the window's
/// last `last_call` seconds (then a copy of a dispute that did land is only refused by the
/// contract: a fee lost, never the client's funds).
pub fn may_send(
    sent: Option<&SentDispute>,
    now: u64,
    dispute_ends_at: u64,
    last_call: u64,
) -> bool {
    match sent {
        None => true,
        Some(d) if d.tx_hash.is_some() => false,
        Some(d) => now >= d.sent_at + IN_FLIGHT_GRACE || now + last_call >= dispute_ends_at,
    }
}

/// What a round did.
#[derive(Debug, Default)]
pub struct RoundReport {
    /// Guarded channels found closing.
    pub closing: usize,
    /// Disputes sent and included: (channel, tx hash, gas, proved stale).
    pub disputed: Vec<(u64, String, u64, bool)>,
    /// Disputes the contract's dry run refused: (channel, reason).
    pub refused: Vec<(u64, String)>,
}

/// The watchtower's chain side: its key, the contract, its database.
pub struct Watchtower {
    pub client: Client,
    pub wallet: Wallet,
    pub contract: String,
    pub domain: ChannelDomain,
    pub store: WatchtowerStore,
    /// Seconds before a window's end from which a dispute lost in flight goes again at
    /// once ([`WatchtowerConfig::ROUNDS_PER_WINDOW`] rounds).
    pub last_call: u64,
}

/// Checks that `contract` is a payment-channels contract whose signing domain is this
/// chain's and this address's; the domain.
pub async fn channels_domain(client: &Client, contract: &str) -> Result<ChannelDomain, Error> {
    let config: ConfigResponse =
        client
            .query(contract, &QueryMsg::Config {})
            .await
            .map_err(|e| {
                Error::Config(format!(
                    "contract {contract} is no payment-channels contract: {e}"
                ))
            })?;
    let expected = ChannelDomain::new(client.chain_id(), contract);
    if config.domain.as_slice() != expected.0.as_slice() {
        return Err(Error::Config(format!(
            "contract {contract} signs under another domain than chain {}'s",
            client.chain_id()
        )));
    }
    Ok(expected)
}

impl Watchtower {
    /// The channels of `ids` (in order) that the contract shows closing, paging through
    /// the `channels` query from the first to the last of them only.
    async fn closing(&self, ids: &[u64]) -> Result<Vec<ChannelResponse>, Error> {
        let (Some(&first), Some(&last)) = (ids.first(), ids.last()) else {
            return Ok(Vec::new());
        };
        let wanted: BTreeSet<u64> = ids.iter().copied().collect();
        let mut start_after = first.checked_sub(1);
        let mut out = Vec::new();
        loop {
            let page: ChannelsResponse = self
                .client
                .query(
                    &self.contract,
                    &QueryMsg::Channels {
                        start_after,
                        limit: Some(PAGE),
                    },
                )
                .await?;
            let full = page.channels.len() == PAGE as usize;
            let Some(end) = page.channels.last().map(|c| c.channel) else {
                break;
            };
            out.extend(page.channels.into_iter().filter(|c| {
                wanted.contains(&c.channel) && matches!(c.phase, ChannelPhase::Closing { .. })
            }));
            if !full || end >= last {
                break;
            }
            start_after = Some(end);
        }
        Ok(out)
    }

    /// One round: every guarded channel closing on chain, disputed if its close is stale.
    pub async fn round(&self, metrics: &WatchtowerMetrics) -> Result<RoundReport, Error> {
        let ids = self.store.channels().await?;
        metrics.channels_guarded.set(ids.len() as i64);
        let closing = self.closing(&ids).await?;
        let mut report = RoundReport {
            closing: closing.len(),
            ..RoundReport::default()
        };
        if closing.is_empty() {
            return Ok(report);
        }
        let now = self.client.block_time().await?;
        for chain in closing {
            let Some((g, _, _)) = self.store.guarded(chain.channel).await? else {
                continue;
            };
            let Decision::Dispute {
                signed,
                revocation,
                authorisation,
            } = decide(&g, &chain, now)
            else {
                continue;
            };
            let Some(key) = close_key(&chain) else {
                continue;
            };
            let ChannelPhase::Closing {
                dispute_ends_at, ..
            } = chain.phase
            else {
                continue;
            };
            let sent = self.store.dispute(&key).await?;
            if !may_send(sent.as_ref(), now, dispute_ends_at, self.last_call) {
                continue;
            }
            // The contract's dry run: nothing it would refuse is sent (and paid for).
            let check: CloseCheckResponse = self
                .client
                .query(
                    &self.contract,
                    &QueryMsg::CheckClose {
                        channel: chain.channel,
                        sender: self.wallet.address().to_string(),
                        signed: signed.clone(),
                        revocation: revocation.clone(),
                        authorisation: authorisation.clone(),
                    },
                )
                .await?;
            if !check.valid {
                let reason = check.reason.unwrap_or_else(|| "no reason given".into());
                tracing::warn!(channel = chain.channel, %reason, "the contract would refuse the dispute");
                report.refused.push((chain.channel, reason));
                continue;
            }
            if revocation.is_some()
                && !matches!(
                    check.outcome,
                    Some(CloseOutcome::Disputes {
                        by_watchtower: true,
                        ..
                    })
                )
            {
                tracing::warn!(
                    channel = chain.channel,
                    "the stale proof would not earn the watchtower fee"
                );
            }
            self.store
                .record_dispute(
                    &key,
                    signed.as_ref().map(|_| g.version),
                    revocation.as_ref().map(|r| r.version),
                    now,
                )
                .await?;
            test_pause_point("watchtower-before-dispute").await;
            let proves_stale = revocation.is_some();
            let out = self
                .client
                .execute(
                    &self.wallet,
                    &self.contract,
                    &ExecuteMsg::Dispute {
                        channel: chain.channel,
                        signed,
                        revocation,
                        authorisation,
                    },
                    &[],
                )
                .await?;
            self.store
                .dispute_included(&key, &out.hash, out.gas_used)
                .await?;
            metrics.disputes_sent.inc();
            metrics.disputes_won.inc();
            tracing::info!(
                channel = chain.channel, tx = %out.hash, gas = out.gas_used, proves_stale,
                "dispute sent: the stale close answered"
            );
            report
                .disputed
                .push((chain.channel, out.hash, out.gas_used, proves_stale));
        }
        Ok(report)
    }
}

/// `settle watchtower`: checks the configuration against the chain, opens the database,
/// serves the HTTP API and runs a round every `poll_seconds` until `stop` turns true (the
/// round under way finishes; the server drains its connections).
pub async fn serve(
    config: &Config,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Result<(), Error> {
    let section: WatchtowerConfig = config.watchtower()?.clone();
    let channels = config.channels()?.clone();
    let client = config.connect().await?;
    check_contract(&client, &channels).await?;
    let domain = channels_domain(&client, &channels.contract).await?;
    let wallet = config.wallet()?;
    let store = WatchtowerStore::open(&section.database).await?;
    let metrics = WatchtowerMetrics::new();
    let state = Arc::new(crate::watchtower_api::WatchtowerState {
        store: store.clone(),
        metrics: metrics.clone(),
        client: client.clone(),
        contract: channels.contract.clone(),
        domain,
        address: wallet.address().to_string(),
        config: section.clone(),
        write: tokio::sync::Mutex::new(()),
    });
    let listener = tokio::net::TcpListener::bind(&section.listen)
        .await
        .map_err(|e| Error::Config(format!("[watchtower] listen {}: {e}", section.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Config(format!("[watchtower] listen: {e}")))?;
    tracing::info!(
        %addr, contract = %channels.contract, chain_id = client.chain_id(),
        watchtower = wallet.address(), database = %section.database.display(),
        "watchtower listening"
    );
    let server = {
        let mut stop = stop.clone();
        let app = crate::watchtower_api::router(state);
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|s| *s).await;
                })
                .await
        })
    };
    let tower = Watchtower {
        client,
        wallet,
        contract: channels.contract,
        domain,
        store,
        last_call: section.poll_seconds * WatchtowerConfig::ROUNDS_PER_WINDOW,
    };
    let poll = Duration::from_secs(section.poll_seconds);
    let mut backoff = Backoff::new(poll, Duration::from_secs(60).max(poll));
    loop {
        let started = Instant::now();
        metrics.rounds.inc();
        let wait = match tower.round(&metrics).await {
            Ok(r) => {
                metrics.round_ok(crate::unix_now());
                if r.closing > 0 {
                    tracing::debug!(closing = r.closing, disputed = r.disputed.len(), "round");
                }
                backoff.succeeded()
            }
            Err(e) => {
                metrics.round_errors.inc();
                if matches!(
                    e,
                    Error::Client(
                        settle_client::Error::Rpc(_)
                            | settle_client::Error::Timeout { .. }
                            | settle_client::Error::Wait(_)
                    )
                ) {
                    metrics.rpc_errors.inc();
                }
                let wait = backoff.failed();
                tracing::warn!(error = %e, retry_in = ?wait, "round failed");
                wait
            }
        };
        metrics
            .round_seconds
            .observe(started.elapsed().as_secs_f64());
        if pause(&mut stop, wait).await {
            break;
        }
    }
    match server.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!("the API server stopped with an error: {e}"),
        Err(e) => tracing::warn!("the API server task failed: {e}"),
    }
    tower.store.close().await;
    tracing::info!("watchtower stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::{Addr, Uint128};
    use settle_core::channel::{revocation_hash, watchtower_hash};
    use settle_core::crypto::L2Key;

    const TOWER: &str = "wasm1tower";
    const ID: u64 = 7;

    fn keys() -> [L2Key; 2] {
        [L2Key::from_label("wt-a"), L2Key::from_label("wt-b")]
    }

    fn domain() -> ChannelDomain {
        ChannelDomain::new("settle-local", "wasm1channels")
    }

    fn chain(phase: ChannelPhase) -> ChannelResponse {
        let k = keys();
        ChannelResponse {
            channel: ID,
            a: Addr::unchecked("wasm1a"),
            b: Addr::unchecked("wasm1b"),
            pubkey_a: Binary::from(k[0].public_key().as_slice()),
            pubkey_b: Binary::from(k[1].public_key().as_slice()),
            denom: "stake".into(),
            funded_a: Uint128::new(1_000),
            funded_b: Uint128::new(500),
            dispute_window: 60,
            phase,
            state: None,
        }
    }

    fn signed(version: u64, a: u128) -> SignedState {
        let s = ChannelState {
            channel_id: ID,
            version,
            funded: [1_000, 500],
            balances: [a, 1_500 - a],
            htlcs: vec![],
            is_final: false,
        };
        let h = s.signing_hash(&domain());
        let k = keys();
        SignedState {
            state: Binary::new(s.encode()),
            signature_a: Binary::from(k[0].sign_prehash(&h).as_slice()),
            signature_b: Binary::from(k[1].sign_prehash(&h).as_slice()),
        }
    }

    /// `by`'s revocation of `version`.
    fn revocation(by: usize, version: u64) -> Revocation {
        Revocation {
            version,
            signature: Binary::from(
                keys()[by]
                    .sign_prehash(&revocation_hash(&domain(), ID, version))
                    .as_slice(),
            ),
        }
    }

    fn authorisation(by: usize, tower: &str) -> Binary {
        Binary::from(
            keys()[by]
                .sign_prehash(&watchtower_hash(&domain(), ID, tower))
                .as_slice(),
        )
    }

    /// b hands in version `version` with a's revocation of `revoked`.
    fn handin(version: u64, revoked: Option<u64>) -> Handin {
        Handin {
            signed: signed(version, 400),
            revocation: revoked.map(|v| revocation(0, v)),
            authorisation: authorisation(1, TOWER),
        }
    }

    fn check(h: &Handin, held: Option<&Guarded>) -> Result<Guarded, Refused> {
        check_handin(&domain(), TOWER, ID, &chain(ChannelPhase::Open {}), h, held)
    }

    fn closing(closer: ChainParty, version: u64, stale: bool) -> ChannelPhase {
        ChannelPhase::Closing {
            closer,
            version,
            closed_version: version,
            dispute_ends_at: 1_000,
            stale,
            watchtower: None,
        }
    }

    #[test]
    fn a_handin_is_checked_with_the_core_rules_and_names_its_party() {
        let g = check(&handin(4, Some(3)), None).unwrap();
        assert_eq!((g.party, g.version), (Party::B, 4));
        assert_eq!(g.revocation.map(|r| r.version), Some(3));

        // Signed by one party only.
        let mut one = handin(4, None);
        one.signed.signature_a = one.signed.signature_b.clone();
        assert!(matches!(check(&one, None), Err(Refused::State(_))));
        // Another watchtower's authorisation.
        let mut elsewhere = handin(4, None);
        elsewhere.authorisation = authorisation(1, "wasm1other");
        assert!(matches!(
            check(&elsewhere, None),
            Err(Refused::Authorisation(_))
        ));
        // The client's own revocation proves nothing against the other party.
        let mut own = handin(4, None);
        own.revocation = Some(revocation(1, 3));
        assert!(matches!(check(&own, None), Err(Refused::Revocation(_))));
        // A revocation of the state handed in.
        assert!(matches!(
            check(&handin(4, Some(4)), None),
            Err(Refused::Revocation(_))
        ));
        // A state of another channel, a settled channel, an unknown id.
        let other = chain(ChannelPhase::Open {});
        assert_eq!(
            check_handin(&domain(), TOWER, ID + 1, &other, &handin(4, None), None),
            Err(Refused::UnknownChannel(ID + 1))
        );
        let closed = chain(ChannelPhase::Closed {});
        assert!(matches!(
            check_handin(&domain(), TOWER, ID, &closed, &handin(4, None), None),
            Err(Refused::NotGuardable { .. })
        ));
    }

    #[test]
    fn an_older_state_is_refused_and_the_newer_revocation_kept() {
        let held = check(&handin(5, Some(4)), None).unwrap();
        assert_eq!(
            check(&handin(4, None), Some(&held)),
            Err(Refused::Older {
                version: 4,
                held: 5
            })
        );
        // The same version again with an older revocation keeps the newer one.
        let again = check(&handin(5, Some(2)), Some(&held)).unwrap();
        assert_eq!(again.revocation.map(|r| r.version), Some(4));
        let newer = check(&handin(6, None), Some(&held)).unwrap();
        assert_eq!(
            (newer.version, newer.revocation.map(|r| r.version)),
            (6, Some(4))
        );
        // a's authorisation for a channel b's is guarded for.
        let mut as_a = handin(6, None);
        as_a.authorisation = authorisation(0, TOWER);
        assert!(matches!(
            check(&as_a, Some(&held)),
            Err(Refused::Authorisation(_))
        ));
    }

    #[test]
    fn what_to_send_follows_the_close_on_chain() {
        let g = check(&handin(4, Some(3)), None).unwrap();
        // a closes with revoked version 3: the newer state, the revocation, the authorisation.
        match decide(&g, &chain(closing(ChainParty::A, 3, false)), 500) {
            Decision::Dispute {
                signed,
                revocation,
                authorisation,
            } => {
                assert_eq!(signed, Some(g.signed.clone()));
                assert_eq!(revocation.map(|r| r.version), Some(3));
                assert!(authorisation.is_some());
            }
            other => panic!("{other:?}"),
        }
        // An older close not revoked: the newer state alone (no fee to earn).
        let g2 = check(&handin(4, Some(1)), None).unwrap();
        match decide(&g2, &chain(closing(ChainParty::A, 2, false)), 500) {
            Decision::Dispute {
                signed,
                revocation,
                authorisation,
            } => assert!(signed.is_some() && revocation.is_none() && authorisation.is_none()),
            other => panic!("{other:?}"),
        }
        // Already answered: version 4 closing and proven stale.
        let mut answered = closing(ChainParty::A, 4, true);
        if let ChannelPhase::Closing { closed_version, .. } = &mut answered {
            *closed_version = 3;
        }
        assert_eq!(decide(&g, &chain(answered), 500), Decision::UpToDate);
        // A close with the newest state is not stale.
        assert_eq!(
            decide(&g, &chain(closing(ChainParty::A, 4, false)), 500),
            Decision::UpToDate
        );
        // b's own close, the window over, an open channel.
        assert_eq!(
            decide(&g, &chain(closing(ChainParty::B, 3, false)), 500),
            Decision::OwnClose
        );
        assert_eq!(
            decide(&g, &chain(closing(ChainParty::A, 3, false)), 1_000),
            Decision::WindowOver
        );
        assert_eq!(
            decide(&g, &chain(ChannelPhase::Open {}), 500),
            Decision::NotClosing
        );
    }

    #[test]
    fn a_dispute_goes_out_once_unless_lost_in_flight() {
        let sent = |tx: Option<&str>| SentDispute {
            closed_version: 3,
            closing_version: 3,
            stale: false,
            sent_version: Some(4),
            sent_revocation: Some(3),
            tx_hash: tx.map(String::from),
            gas_used: None,
            sent_at: 100,
        };
        let ends = 1_000;
        assert!(may_send(None, 100, ends, 6));
        // Seen in a block: never again, even at the last call.
        assert!(!may_send(Some(&sent(Some("AB"))), 10_000, ends, 6));
        assert!(!may_send(Some(&sent(Some("AB"))), 999, ends, 6));
        // Lost in flight: again after the grace, or in the window's last seconds.
        assert!(!may_send(
            Some(&sent(None)),
            100 + IN_FLIGHT_GRACE - 1,
            ends,
            6
        ));
        assert!(may_send(Some(&sent(None)), 100 + IN_FLIGHT_GRACE, ends, 6));
        assert!(!may_send(Some(&sent(None)), 101, 120, 6));
        assert!(may_send(Some(&sent(None)), 114, 120, 6));
    }

    #[tokio::test]
    async fn the_store_keeps_the_newest_state_and_every_dispute_across_a_restart() {
        let dir = std::env::temp_dir().join(format!("settle-wt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("wt.sqlite");
        let _ = std::fs::remove_file(&path);
        let store = WatchtowerStore::open(&path).await.unwrap();
        let g5 = check(&handin(5, Some(4)), None).unwrap();
        store.save(&g5, 10).await.unwrap();
        // An older version never replaces a newer one, even written directly.
        let g4 = check(&handin(4, None), None).unwrap();
        store.save(&g4, 11).await.unwrap();
        let key = CloseKey {
            channel: ID,
            closed_version: 3,
            closing_version: 3,
            stale: false,
        };
        store
            .record_dispute(&key, Some(5), Some(4), 20)
            .await
            .unwrap();
        store.close().await;

        let store = WatchtowerStore::open(&path).await.unwrap();
        let (held, received, updated) = store.guarded(ID).await.unwrap().unwrap();
        assert_eq!(held, g5);
        assert_eq!((received, updated), (10, 10));
        assert_eq!(store.channels().await.unwrap(), vec![ID]);
        assert!(store.guarded(ID + 1).await.unwrap().is_none());
        let d = store.dispute(&key).await.unwrap().unwrap();
        assert_eq!(
            (d.sent_version, d.sent_revocation, d.tx_hash.clone()),
            (Some(5), Some(4), None)
        );
        assert!(!may_send(Some(&d), 21, 1_000, 6));
        store.dispute_included(&key, "CAFE", 123).await.unwrap();
        let d = store.dispute(&key).await.unwrap().unwrap();
        assert_eq!(
            (d.tx_hash.as_deref(), d.gas_used),
            (Some("CAFE"), Some(123))
        );
        let other = CloseKey { stale: true, ..key };
        assert!(store.dispute(&other).await.unwrap().is_none());
        assert_eq!(store.disputes(ID).await.unwrap().len(), 1);
        store.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
