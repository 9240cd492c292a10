//! The challenger's round (`settle challenger`): follow the rollup, check every batch's
//! claimed output root against the one its posted data gives, open a game on each false
//! one that nobody is disputing, and play every game it opened to the end on its own.
//!
//! - Following and checking is the [`Follower`]'s (chain data alone); the game strategy is
//!   settle-core's [`BatchTrace::honest_move`](settle_core::dispute::BatchTrace::honest_move)
//!   (the answer to every defender root, the one-step proof); chain access is
//!   settle-client's. This module only decides when to send what.
//! - The chain is the truth, the database ([`ChallengerStore`]) the cursor: before every
//!   transaction the game is read again from the contract, and every transaction is
//!   recorded (by the game's move count on chain) before it is broadcast, so a restart,
//!   however abrupt, never opens a second game on a batch nor sends a move twice. A
//!   transaction recorded but never seen in a block is sent again only after
//!   [`IN_FLIGHT_GRACE`].
//! - After a win the contract pays the challenger its bond and reward at once; any credit
//!   it holds besides (when it is also the treasury) is withdrawn with `claim {}`.
//!
//! The L2 state itself is not in the database: on start the follower rebuilds it from chain
//! data, and the checked batches it finds again are compared with the recorded verdicts.

use std::path::Path;
use std::time::Duration;

use cosmwasm_std::Binary;
use optimistic_rollup::msg::{
    BatchResponse, BatchStatus, ConfigResponse, CreditResponse, ExecuteMsg, GamePhase,
    GameResponse, GamesResponse, QueryMsg, Side as WireSide,
};
use settle_client::{Client, TxOutcome, Wallet};
use settle_core::crypto::NativeVerifier;
use settle_core::dispute::{Game, HonestMove, Side};
use settle_core::hash::Hash;
use sqlx::Row;
use tracing::{info, warn};

use crate::follow::{Follower, Synced};
use crate::store::{to_i64, to_u64, Store};
use crate::Error;

/// How long a transaction recorded as sent but not seen in a block is waited for before
/// it is sent again (well under the contract's least answer time, 60 s).
pub const IN_FLIGHT_GRACE: Duration = Duration::from_secs(30);

/// The rollup's event, as wasmd names it.
const ROLLUP_EVENT: &str = "wasm-rollup";

/// Games listed per query (the contract's page limit).
const GAMES_PAGE: u32 = 30;

use crate::service::Backoff;
use crate::unix_now as now;

fn db(e: sqlx::Error) -> Error {
    Error::Store(e.to_string())
}

fn hash_of(what: &str, bytes: &[u8]) -> Result<Hash, Error> {
    bytes
        .try_into()
        .map_err(|_| Error::Chain(format!("{what} is {} bytes, not 32", bytes.len())))
}

fn hex_hash(what: &str, text: &str) -> Result<Hash, Error> {
    let bytes = hex::decode(text).map_err(|e| Error::Store(format!("{what} {text:?}: {e}")))?;
    hash_of(what, &bytes).map_err(|e| Error::Store(e.to_string()))
}

/// A posted batch as the challenger identifies it: a re-posted index (after a removal) is
/// another batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchKey {
    pub batch: u64,
    /// Unix seconds of the block that posted it.
    pub proposed_at: u64,
    pub claimed_root: Hash,
}

/// A batch checked against its posted data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedBatch {
    pub key: BatchKey,
    pub computed_root: Hash,
}

impl CheckedBatch {
    pub fn divergent(&self) -> bool {
        self.key.claimed_root != self.computed_root
    }
}

/// Where a game this challenger opened stands, as last seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChallengeStatus {
    /// The challenge was broadcast; the game's id is not known yet.
    Opening,
    Open,
    Won,
    Lost,
    /// Its batch was removed by another game; the bond came back.
    Void,
}

impl ChallengeStatus {
    fn as_str(self) -> &'static str {
        match self {
            ChallengeStatus::Opening => "opening",
            ChallengeStatus::Open => "open",
            ChallengeStatus::Won => "won",
            ChallengeStatus::Lost => "lost",
            ChallengeStatus::Void => "void",
        }
    }

    fn parse(s: &str) -> Result<ChallengeStatus, Error> {
        Ok(match s {
            "opening" => ChallengeStatus::Opening,
            "open" => ChallengeStatus::Open,
            "won" => ChallengeStatus::Won,
            "lost" => ChallengeStatus::Lost,
            "void" => ChallengeStatus::Void,
            other => return Err(Error::Store(format!("unknown game status {other:?}"))),
        })
    }
}

/// A game this challenger opened (or is opening).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeRecord {
    pub key: BatchKey,
    pub status: ChallengeStatus,
    pub game: Option<u64>,
    pub tx_hash: Option<String>,
    pub sent_at: u64,
}

/// What the challenger sends in a game.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MoveKind {
    Choose,
    ProveStep,
    ResolveGame,
    Claim,
}

impl MoveKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MoveKind::Choose => "choose",
            MoveKind::ProveStep => "prove_step",
            MoveKind::ResolveGame => "resolve_game",
            MoveKind::Claim => "claim",
        }
    }
}

/// A move's identity: the same key twice is the same move twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MoveKey {
    pub game: u64,
    /// The game's move count on chain when the move is sent.
    pub slot: u32,
    pub kind: MoveKind,
}

/// A move as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoveRecord {
    pub key: MoveKey,
    pub detail: String,
    /// `None` while broadcast and not yet seen in a block.
    pub tx_hash: Option<String>,
    pub gas_used: Option<u64>,
    pub sent_at: u64,
}

/// What to do about a transaction the database says was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InFlight {
    /// It is in a block: never again (the chain will show it).
    Done,
    /// Broadcast less than [`IN_FLIGHT_GRACE`] ago and not seen yet: wait for it.
    Waiting,
    /// Broadcast long ago and never seen in a block: it may be sent again.
    Lost,
}

/// Whether a recorded transaction (sent at `sent_at`, in a block as `tx_hash` if known)
/// may be sent again at `now`.
pub fn in_flight(sent_at: u64, tx_hash: Option<&str>, now: u64) -> InFlight {
    if tx_hash.is_some() {
        InFlight::Done
    } else if now < sent_at.saturating_add(IN_FLIGHT_GRACE.as_secs()) {
        InFlight::Waiting
    } else {
        InFlight::Lost
    }
}

/// What to do about a divergent batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChallengeDecision {
    /// Open a game on it.
    Open,
    /// A game of ours is on chain that the database does not know by id: record it.
    Adopt(u64),
    /// Nothing now (the reason is logged).
    Skip(String),
}

/// Whether to challenge a divergent batch, from what the database holds of it (`record`),
/// the game of ours on chain on it (`mine`), whether another challenger's game on it is
/// running (`others_running`) and whether its challenge window is still open. One game
/// per batch, ever: a batch this challenger lost a game on is not challenged again.
pub fn decide_challenge(
    record: Option<&ChallengeRecord>,
    mine: Option<u64>,
    others_running: bool,
    window_open: bool,
    now: u64,
) -> ChallengeDecision {
    if let Some(game) = mine {
        return match record {
            Some(r) if r.game == Some(game) => {
                ChallengeDecision::Skip(format!("our game {game} is on it"))
            }
            _ => ChallengeDecision::Adopt(game),
        };
    }
    match record {
        Some(r) if r.status != ChallengeStatus::Opening => {
            return ChallengeDecision::Skip(format!(
                "we challenged it already (game {:?}, {})",
                r.game,
                r.status.as_str()
            ))
        }
        Some(r) => match in_flight(r.sent_at, r.tx_hash.as_deref(), now) {
            InFlight::Lost => {}
            _ => {
                return ChallengeDecision::Skip("our challenge is in flight".into());
            }
        },
        None => {}
    }
    if others_running {
        return ChallengeDecision::Skip("another challenger's game on it is running".into());
    }
    if !window_open {
        return ChallengeDecision::Skip("its challenge window is over".into());
    }
    ChallengeDecision::Open
}

/// What a game of ours needs next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Our move (a choice or the one-step proof): the honest move decides it.
    Play,
    /// `resolve_game`: the defender's clock ran out, or a void game's bond is to release.
    Resolve,
    /// The defender's move, with time left.
    Wait,
    /// Over, as this status.
    Over(ChallengeStatus),
    /// Our clock ran out: nothing can save the game.
    OutOfTime,
}

/// What a game of ours (as the contract answers it, clocks as of the latest block) needs.
pub fn next_step(g: &GameResponse) -> Next {
    match &g.phase {
        GamePhase::Resolved {
            winner: WireSide::Challenger,
            ..
        } => Next::Over(ChallengeStatus::Won),
        GamePhase::Resolved {
            winner: WireSide::Defender,
            ..
        } => Next::Over(ChallengeStatus::Lost),
        GamePhase::Void {
            bond_returned: false,
        } => Next::Resolve,
        GamePhase::Void {
            bond_returned: true,
        } => Next::Over(ChallengeStatus::Void),
        GamePhase::Bisect { .. } if g.defender_left == 0 => Next::Resolve,
        GamePhase::Bisect { .. } => Next::Wait,
        GamePhase::Choose { .. } | GamePhase::OneStep { .. } if g.challenger_left == 0 => {
            Next::OutOfTime
        }
        GamePhase::Choose { .. } | GamePhase::OneStep { .. } => Next::Play,
    }
}

/// The core game in the state the contract's answer describes (`None` for a void game),
/// its phase checked against the one the core derives. Clocks are not rebuilt: the honest
/// move does not depend on them.
pub fn core_game(g: &GameResponse) -> Result<Option<Game>, Error> {
    let bad = |why: String| Error::Chain(format!("game {}: {why}", g.game));
    if !(g.lo < g.hi && g.hi <= g.steps) {
        return Err(bad(format!(
            "lo {} and hi {} do not fit 0 <= lo < hi <= steps ({})",
            g.lo, g.hi, g.steps
        )));
    }
    let (mid_root, winner) = match &g.phase {
        GamePhase::Void { .. } => return Ok(None),
        GamePhase::Choose { root, .. } => (Some(hash_of("a defender root", root)?), None),
        GamePhase::Resolved { winner, .. } => (
            None,
            Some(match winner {
                WireSide::Defender => Side::Defender,
                WireSide::Challenger => Side::Challenger,
            }),
        ),
        GamePhase::Bisect { .. } | GamePhase::OneStep { .. } => (None, None),
    };
    let game = Game {
        lo: g.lo,
        hi: g.hi,
        lo_root: hash_of("lo_root", &g.lo_root)?,
        hi_root: hash_of("hi_root", &g.hi_root)?,
        mid_root,
        defender_left: g.defender_left,
        challenger_left: g.challenger_left,
        turn_started: 0,
        min_answer: g.terms.min_answer_seconds.max(1),
        moves: g.moves,
        winner,
    };
    use settle_core::dispute::Phase;
    let fits = match (&g.phase, game.phase()) {
        (GamePhase::Bisect { position }, Phase::Bisect { position: p }) => *position == p,
        (GamePhase::Choose { position, .. }, Phase::Choose { position: p, .. }) => *position == p,
        (GamePhase::OneStep { step }, Phase::OneStep { step: s }) => *step == s,
        (GamePhase::Resolved { .. }, Phase::Resolved { .. }) => true,
        _ => false,
    };
    if !fits {
        return Err(bad(format!(
            "its phase {:?} does not follow from lo {} and hi {}",
            g.phase, g.lo, g.hi
        )));
    }
    Ok(Some(game))
}

/// The challenger's database: the same SQLite file mechanism as the operator's
/// [`Store`] (migrations in `services/migrations/`, WAL journal, one statement one commit).
#[derive(Clone, Debug)]
pub struct ChallengerStore {
    store: Store,
}

impl ChallengerStore {
    /// Opens (creating it if missing) the database at `path`, schema brought up to date.
    pub async fn open(path: &Path) -> Result<ChallengerStore, Error> {
        Ok(ChallengerStore {
            store: Store::open(path).await?,
        })
    }

    /// Closes the database.
    pub async fn close(&self) {
        self.store.close().await;
    }

    /// The recorded verdict on batch `batch`, if it was checked.
    pub async fn checked(&self, batch: u64) -> Result<Option<CheckedBatch>, Error> {
        let row = sqlx::query(
            "SELECT proposed_at, claimed_root, computed_root FROM challenger_batches \
             WHERE batch = ?",
        )
        .bind(to_i64(batch)?)
        .fetch_optional(self.store.pool())
        .await
        .map_err(db)?;
        row.map(|r| {
            Ok(CheckedBatch {
                key: BatchKey {
                    batch,
                    proposed_at: to_u64(r.get("proposed_at"))?,
                    claimed_root: hex_hash("claimed_root", r.get("claimed_root"))?,
                },
                computed_root: hex_hash("computed_root", r.get("computed_root"))?,
            })
        })
        .transpose()
    }

    /// Records the verdict on a batch (replacing one on an earlier batch at its index).
    pub async fn record_batch(&self, b: &CheckedBatch, now: u64) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO challenger_batches \
             (batch, proposed_at, claimed_root, computed_root, divergent, checked_at) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (batch) DO UPDATE SET \
             proposed_at = excluded.proposed_at, claimed_root = excluded.claimed_root, \
             computed_root = excluded.computed_root, divergent = excluded.divergent, \
             checked_at = excluded.checked_at",
        )
        .bind(to_i64(b.key.batch)?)
        .bind(to_i64(b.key.proposed_at)?)
        .bind(hex::encode(b.key.claimed_root))
        .bind(hex::encode(b.computed_root))
        .bind(i64::from(b.divergent()))
        .bind(to_i64(now)?)
        .execute(self.store.pool())
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Forgets the batches from `batch` on (removed by a fraud proof).
    pub async fn forget_batches_from(&self, batch: u64) -> Result<u64, Error> {
        Ok(
            sqlx::query("DELETE FROM challenger_batches WHERE batch >= ?")
                .bind(to_i64(batch)?)
                .execute(self.store.pool())
                .await
                .map_err(db)?
                .rows_affected(),
        )
    }

    /// The live batches found divergent, in index order.
    pub async fn divergent(&self) -> Result<Vec<CheckedBatch>, Error> {
        let rows =
            sqlx::query("SELECT batch FROM challenger_batches WHERE divergent = 1 ORDER BY batch")
                .fetch_all(self.store.pool())
                .await
                .map_err(db)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let batch = to_u64(r.get("batch"))?;
            if let Some(c) = self.checked(batch).await? {
                out.push(c);
            }
        }
        Ok(out)
    }

    fn challenge_of(r: &sqlx::sqlite::SqliteRow) -> Result<ChallengeRecord, Error> {
        Ok(ChallengeRecord {
            key: BatchKey {
                batch: to_u64(r.get("batch"))?,
                proposed_at: to_u64(r.get("proposed_at"))?,
                claimed_root: hex_hash("claimed_root", r.get("claimed_root"))?,
            },
            status: ChallengeStatus::parse(r.get("status"))?,
            game: r.get::<Option<i64>, _>("game").map(to_u64).transpose()?,
            tx_hash: r.get("tx_hash"),
            sent_at: to_u64(r.get("sent_at"))?,
        })
    }

    /// Our challenge of batch `key`, if any.
    pub async fn challenge(&self, key: &BatchKey) -> Result<Option<ChallengeRecord>, Error> {
        sqlx::query(
            "SELECT * FROM challenger_games WHERE batch = ? AND proposed_at = ? \
             AND claimed_root = ?",
        )
        .bind(to_i64(key.batch)?)
        .bind(to_i64(key.proposed_at)?)
        .bind(hex::encode(key.claimed_root))
        .fetch_optional(self.store.pool())
        .await
        .map_err(db)?
        .as_ref()
        .map(Self::challenge_of)
        .transpose()
    }

    /// Our games with `status`, by game id (`Opening` ones have none and come first).
    pub async fn challenges(&self, status: ChallengeStatus) -> Result<Vec<ChallengeRecord>, Error> {
        sqlx::query("SELECT * FROM challenger_games WHERE status = ? ORDER BY game")
            .bind(status.as_str())
            .fetch_all(self.store.pool())
            .await
            .map_err(db)?
            .iter()
            .map(Self::challenge_of)
            .collect()
    }

    /// Records a challenge about to be broadcast (again, after [`InFlight::Lost`]).
    pub async fn begin_challenge(&self, key: &BatchKey, now: u64) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO challenger_games \
             (batch, proposed_at, claimed_root, status, sent_at, updated_at) \
             VALUES (?, ?, ?, 'opening', ?, ?) \
             ON CONFLICT (batch, proposed_at, claimed_root) DO UPDATE SET \
             sent_at = excluded.sent_at, updated_at = excluded.updated_at \
             WHERE status = 'opening'",
        )
        .bind(to_i64(key.batch)?)
        .bind(to_i64(key.proposed_at)?)
        .bind(hex::encode(key.claimed_root))
        .bind(to_i64(now)?)
        .bind(to_i64(now)?)
        .execute(self.store.pool())
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Records the game a challenge opened (its transaction's hash when known).
    pub async fn challenge_opened(
        &self,
        key: &BatchKey,
        game: u64,
        tx_hash: Option<&str>,
        now: u64,
    ) -> Result<(), Error> {
        sqlx::query(
            "INSERT INTO challenger_games \
             (batch, proposed_at, claimed_root, status, game, tx_hash, sent_at, updated_at) \
             VALUES (?, ?, ?, 'open', ?, ?, ?, ?) \
             ON CONFLICT (batch, proposed_at, claimed_root) DO UPDATE SET \
             status = 'open', game = excluded.game, \
             tx_hash = COALESCE(excluded.tx_hash, tx_hash), updated_at = excluded.updated_at",
        )
        .bind(to_i64(key.batch)?)
        .bind(to_i64(key.proposed_at)?)
        .bind(hex::encode(key.claimed_root))
        .bind(to_i64(game)?)
        .bind(tx_hash)
        .bind(to_i64(now)?)
        .bind(to_i64(now)?)
        .execute(self.store.pool())
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Forgets a challenge refused before any broadcast (nothing is in flight).
    pub async fn drop_challenge(&self, key: &BatchKey) -> Result<(), Error> {
        sqlx::query(
            "DELETE FROM challenger_games WHERE batch = ? AND proposed_at = ? \
             AND claimed_root = ? AND status = 'opening'",
        )
        .bind(to_i64(key.batch)?)
        .bind(to_i64(key.proposed_at)?)
        .bind(hex::encode(key.claimed_root))
        .execute(self.store.pool())
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Sets the status of game `game`.
    pub async fn set_status(
        &self,
        game: u64,
        status: ChallengeStatus,
        now: u64,
    ) -> Result<(), Error> {
        sqlx::query("UPDATE challenger_games SET status = ?, updated_at = ? WHERE game = ?")
            .bind(status.as_str())
            .bind(to_i64(now)?)
            .bind(to_i64(game)?)
            .execute(self.store.pool())
            .await
            .map_err(db)?;
        Ok(())
    }

    fn move_of(r: &sqlx::sqlite::SqliteRow) -> Result<MoveRecord, Error> {
        let kind = match r.get::<String, _>("kind").as_str() {
            "choose" => MoveKind::Choose,
            "prove_step" => MoveKind::ProveStep,
            "resolve_game" => MoveKind::ResolveGame,
            "claim" => MoveKind::Claim,
            other => return Err(Error::Store(format!("unknown move kind {other:?}"))),
        };
        Ok(MoveRecord {
            key: MoveKey {
                game: to_u64(r.get("game"))?,
                slot: u32::try_from(r.get::<i64, _>("slot"))
                    .map_err(|_| Error::Store("a move slot out of range".into()))?,
                kind,
            },
            detail: r.get("detail"),
            tx_hash: r.get("tx_hash"),
            gas_used: r
                .get::<Option<i64>, _>("gas_used")
                .map(to_u64)
                .transpose()?,
            sent_at: to_u64(r.get("sent_at"))?,
        })
    }

    /// The move recorded under `key`, if any.
    pub async fn move_record(&self, key: &MoveKey) -> Result<Option<MoveRecord>, Error> {
        sqlx::query("SELECT * FROM challenger_moves WHERE game = ? AND slot = ? AND kind = ?")
            .bind(to_i64(key.game)?)
            .bind(i64::from(key.slot))
            .bind(key.kind.as_str())
            .fetch_optional(self.store.pool())
            .await
            .map_err(db)?
            .as_ref()
            .map(Self::move_of)
            .transpose()
    }

    /// Every move recorded in game `game`, in the order sent.
    pub async fn moves(&self, game: u64) -> Result<Vec<MoveRecord>, Error> {
        sqlx::query("SELECT * FROM challenger_moves WHERE game = ? ORDER BY slot, sent_at")
            .bind(to_i64(game)?)
            .fetch_all(self.store.pool())
            .await
            .map_err(db)?
            .iter()
            .map(Self::move_of)
            .collect()
    }

    /// Records a move about to be broadcast (again, after [`InFlight::Lost`]). Refused
    /// for a move already in a block.
    pub async fn begin_move(&self, key: &MoveKey, detail: &str, now: u64) -> Result<(), Error> {
        let done = sqlx::query(
            "INSERT INTO challenger_moves (game, slot, kind, detail, sent_at) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (game, slot, kind) DO UPDATE SET \
             detail = excluded.detail, sent_at = excluded.sent_at WHERE tx_hash IS NULL",
        )
        .bind(to_i64(key.game)?)
        .bind(i64::from(key.slot))
        .bind(key.kind.as_str())
        .bind(detail)
        .bind(to_i64(now)?)
        .execute(self.store.pool())
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::Store(format!(
                "game {}: {} at move {} is already in a block",
                key.game,
                key.kind.as_str(),
                key.slot
            )));
        }
        Ok(())
    }

    /// Records the block a move reached.
    pub async fn move_done(
        &self,
        key: &MoveKey,
        tx_hash: &str,
        gas_used: u64,
    ) -> Result<(), Error> {
        sqlx::query(
            "UPDATE challenger_moves SET tx_hash = ?, gas_used = ? \
             WHERE game = ? AND slot = ? AND kind = ?",
        )
        .bind(tx_hash)
        .bind(to_i64(gas_used)?)
        .bind(to_i64(key.game)?)
        .bind(i64::from(key.slot))
        .bind(key.kind.as_str())
        .execute(self.store.pool())
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Forgets a move that changed nothing on chain (refused before a broadcast, or
    /// failed in its block).
    pub async fn drop_move(&self, key: &MoveKey) -> Result<(), Error> {
        sqlx::query(
            "DELETE FROM challenger_moves WHERE game = ? AND slot = ? AND kind = ? \
             AND tx_hash IS NULL",
        )
        .bind(to_i64(key.game)?)
        .bind(i64::from(key.slot))
        .bind(key.kind.as_str())
        .execute(self.store.pool())
        .await
        .map_err(db)?;
        Ok(())
    }
}

/// What a round did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Round {
    /// What the chain showed since the last round.
    pub synced: Synced,
    /// Games opened this round: (batch, game, tx hash).
    pub opened: Vec<(u64, u64, String)>,
    /// Transactions sent in games: (game, what, tx hash, gas).
    pub sent: Vec<(u64, String, String, u64)>,
    /// Games that ended this round: (game, how).
    pub ended: Vec<(u64, ChallengeStatus)>,
}

/// A challenger of one optimistic rollup.
pub struct Challenger {
    pub client: Client,
    pub wallet: Wallet,
    pub follower: Follower,
    pub store: ChallengerStore,
    /// The bond a challenge attaches, and its denom (the contract's config).
    pub bond: (u128, String),
}

impl Challenger {
    /// A challenger of `contract`, its bond read from the contract's config.
    pub async fn new(
        client: Client,
        wallet: Wallet,
        contract: &str,
        store: ChallengerStore,
    ) -> Result<Challenger, Error> {
        let follower = Follower::new(&client, contract).await?;
        let config: ConfigResponse = client.query(contract, &QueryMsg::Config {}).await?;
        Ok(Challenger {
            client,
            wallet,
            follower,
            store,
            bond: (config.dispute.challenger_bond.u128(), config.bond_denom),
        })
    }

    fn contract(&self) -> &str {
        &self.follower.contract
    }

    /// One round: sync and check, open games on new lies, play every game of ours.
    pub async fn round(&mut self) -> Result<Round, Error> {
        let mut round = Round {
            synced: self.follower.sync(&self.client).await?,
            ..Round::default()
        };
        self.check(&round.synced).await?;
        for batch in self.store.divergent().await? {
            self.consider(&batch, &mut round).await?;
        }
        for r in self.store.challenges(ChallengeStatus::Open).await? {
            if let Some(game) = r.game {
                self.play(game, &mut round).await?;
            }
        }
        Ok(round)
    }

    /// Records the verdict on every batch the sync applied.
    async fn check(&mut self, synced: &Synced) -> Result<(), Error> {
        // Batches the chain no longer has (removed while we ran, or while we were down:
        // a follower rebuilt after a restart reports no removal) leave the cursor.
        let live = self.follower.node.batch_count();
        let n = self.store.forget_batches_from(live).await?;
        if n > 0 || synced.rolled_back_from.is_some() {
            info!(
                batch = live,
                forgotten = n,
                "batches removed from the chain"
            );
        }
        let t = now();
        for (index, _) in &synced.applied {
            let record: BatchResponse = self
                .client
                .query(self.contract(), &QueryMsg::Batch { batch: *index })
                .await?;
            let claimed_root = self
                .follower
                .claimed_root(*index)
                .ok_or_else(|| Error::Chain(format!("batch {index}: no claimed root")))?;
            let computed_root = self
                .follower
                .node
                .batch(*index)
                .ok_or_else(|| Error::Chain(format!("batch {index}: not applied")))?
                .output
                .root();
            let checked = CheckedBatch {
                key: BatchKey {
                    batch: *index,
                    proposed_at: record.proposed_at,
                    claimed_root,
                },
                computed_root,
            };
            match self.store.checked(*index).await? {
                Some(before) if before == checked => continue,
                Some(before) if before.key == checked.key => {
                    return Err(Error::Chain(format!(
                        "batch {index}: its data now gives {}, it gave {} before",
                        hex::encode(computed_root),
                        hex::encode(before.computed_root)
                    )))
                }
                _ => {}
            }
            self.store.record_batch(&checked, t).await?;
            if checked.divergent() {
                warn!(
                    batch = index,
                    proposer = %record.proposer,
                    claimed = %hex::encode(claimed_root),
                    computed = %hex::encode(computed_root),
                    "a false output root"
                );
            } else {
                info!(batch = index, root = %hex::encode(claimed_root), "batch checked: true");
            }
        }
        Ok(())
    }

    /// Games on batch `batch` (all pages).
    async fn games_on(&self, batch: u64) -> Result<Vec<GameResponse>, Error> {
        let mut all = Vec::new();
        let mut start_after = None;
        loop {
            let page: GamesResponse = self
                .client
                .query(
                    self.contract(),
                    &QueryMsg::Games {
                        batch: Some(batch),
                        start_after,
                        limit: Some(GAMES_PAGE),
                    },
                )
                .await?;
            let n = page.games.len();
            start_after = page.games.last().map(|g| g.game);
            all.extend(page.games);
            if n < GAMES_PAGE as usize {
                return Ok(all);
            }
        }
    }

    /// Opens a game on a divergent batch unless someone disputes it already.
    async fn consider(&mut self, batch: &CheckedBatch, round: &mut Round) -> Result<(), Error> {
        let key = &batch.key;
        let record: BatchResponse = self
            .client
            .query(self.contract(), &QueryMsg::Batch { batch: key.batch })
            .await?;
        if record.proposed_at != key.proposed_at {
            // Replaced since the check; the next sync records the new one.
            return Ok(());
        }
        let games = self.games_on(key.batch).await?;
        let running = |g: &&GameResponse| {
            g.opened_at >= key.proposed_at
                && !matches!(g.phase, GamePhase::Resolved { .. } | GamePhase::Void { .. })
        };
        let mine = games
            .iter()
            .filter(|g| g.challenger.as_str() == self.wallet.address())
            .filter(|g| g.opened_at >= key.proposed_at)
            .map(|g| g.game)
            .next();
        let others_running = games
            .iter()
            .filter(running)
            .any(|g| g.challenger.as_str() != self.wallet.address());
        let chain_now = self.client.block_time().await?;
        let window_open =
            record.status != BatchStatus::Finalized && chain_now < record.finalizes_at;
        let ours = self.store.challenge(key).await?;
        match decide_challenge(ours.as_ref(), mine, others_running, window_open, now()) {
            ChallengeDecision::Skip(why) => {
                if ours.is_none() && !window_open {
                    warn!(batch = key.batch, "a false root nobody challenged: {why}");
                }
                Ok(())
            }
            ChallengeDecision::Adopt(game) => {
                self.store.challenge_opened(key, game, None, now()).await?;
                info!(batch = key.batch, game, "our game found on chain, resumed");
                Ok(())
            }
            ChallengeDecision::Open => {
                self.store.begin_challenge(key, now()).await?;
                let (amount, denom) = (self.bond.0, self.bond.1.clone());
                let msg = ExecuteMsg::Challenge { batch: key.batch };
                let out = match self
                    .client
                    .execute(&self.wallet, self.contract(), &msg, &[(amount, &denom)])
                    .await
                {
                    Ok(out) => out,
                    Err(
                        e @ (settle_client::Error::Simulate { .. }
                        | settle_client::Error::CheckTx { .. }
                        | settle_client::Error::Tx { .. }),
                    ) => {
                        self.store.drop_challenge(key).await?;
                        return Err(e.into());
                    }
                    Err(e) => return Err(e.into()),
                };
                let game: u64 = out
                    .attrs(ROLLUP_EVENT, "game")
                    .next()
                    .and_then(|g| g.parse().ok())
                    .ok_or_else(|| {
                        Error::Chain(format!(
                            "challenge tx {}: no game id in its events",
                            out.hash
                        ))
                    })?;
                self.store
                    .challenge_opened(key, game, Some(&out.hash), now())
                    .await?;
                info!(
                    batch = key.batch,
                    game,
                    tx = %out.hash,
                    gas = out.gas_used,
                    bond = amount,
                    "challenge: game opened"
                );
                round.opened.push((key.batch, game, out.hash));
                Ok(())
            }
        }
    }

    /// Sends `msg` as move `key` unless the database says it was sent: `None` when it was
    /// (or is in flight).
    async fn send(
        &self,
        key: MoveKey,
        detail: &str,
        msg: &ExecuteMsg,
    ) -> Result<Option<TxOutcome>, Error> {
        let t = now();
        if let Some(r) = self.store.move_record(&key).await? {
            match in_flight(r.sent_at, r.tx_hash.as_deref(), t) {
                InFlight::Done | InFlight::Waiting => return Ok(None),
                InFlight::Lost => warn!(
                    game = key.game,
                    kind = key.kind.as_str(),
                    "a move sent at {} never reached a block: sending it again",
                    r.sent_at
                ),
            }
        }
        self.store.begin_move(&key, detail, t).await?;
        match self
            .client
            .execute(&self.wallet, self.contract(), msg, &[])
            .await
        {
            Ok(out) => {
                self.store.move_done(&key, &out.hash, out.gas_used).await?;
                Ok(Some(out))
            }
            Err(
                e @ (settle_client::Error::Simulate { .. }
                | settle_client::Error::CheckTx { .. }
                | settle_client::Error::Tx { .. }),
            ) => {
                self.store.drop_move(&key).await?;
                Err(e.into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Plays game `game` (ours) one step further, if it is ours to play.
    async fn play(&mut self, game: u64, round: &mut Round) -> Result<(), Error> {
        let g: GameResponse = self
            .client
            .query(self.contract(), &QueryMsg::Game { game })
            .await?;
        if g.challenger.as_str() != self.wallet.address() {
            return Err(Error::Chain(format!(
                "game {game} is {}'s, not ours",
                g.challenger
            )));
        }
        let slot = g.moves;
        let (kind, detail, msg) = match next_step(&g) {
            Next::Wait => return Ok(()),
            Next::OutOfTime => {
                warn!(game, batch = g.batch, "our clock ran out: the game is lost");
                return Ok(());
            }
            Next::Over(status) => {
                // The claim first: a game is closed in the database only once its credit
                // is withdrawn, so a failed claim is tried again next round.
                if status == ChallengeStatus::Won {
                    self.claim(game, slot, round).await?;
                }
                self.store.set_status(game, status, now()).await?;
                round.ended.push((game, status));
                match status {
                    ChallengeStatus::Won => info!(game, batch = g.batch, "game won"),
                    ChallengeStatus::Lost => warn!(game, batch = g.batch, "game lost"),
                    _ => info!(game, batch = g.batch, "game void: its batch was removed"),
                }
                return Ok(());
            }
            Next::Resolve => (
                MoveKind::ResolveGame,
                "resolve_game".to_string(),
                ExecuteMsg::ResolveGame { game },
            ),
            Next::Play => {
                let core =
                    core_game(&g)?.ok_or_else(|| Error::Chain(format!("game {game} is void")))?;
                let trace = self.follower.node.trace(g.batch)?;
                let roots = trace.roots(&NativeVerifier)?;
                match trace.honest_move(&NativeVerifier, &core, Side::Challenger, &roots)? {
                    Some(HonestMove::Choose { position, agree }) => (
                        MoveKind::Choose,
                        format!(
                            "position {position}: {}",
                            if agree { "agree" } else { "disagree" }
                        ),
                        ExecuteMsg::Choose {
                            game,
                            position,
                            agree,
                        },
                    ),
                    Some(HonestMove::Prove { step, proof }) => (
                        MoveKind::ProveStep,
                        format!("step {step}"),
                        ExecuteMsg::ProveStep {
                            game,
                            step,
                            proof: Binary::new(proof.encode()),
                        },
                    ),
                    Some(HonestMove::Bisect { .. }) | None => {
                        warn!(game, phase = ?g.phase, "no honest move for the challenger");
                        return Ok(());
                    }
                }
            }
        };
        let key = MoveKey { game, slot, kind };
        if let Some(out) = self.send(key, &detail, &msg).await? {
            info!(
                game,
                batch = g.batch,
                tx = %out.hash,
                gas = out.gas_used,
                "{}: {detail}",
                kind.as_str()
            );
            round
                .sent
                .push((game, kind.as_str().to_string(), out.hash, out.gas_used));
        }
        Ok(())
    }

    /// Withdraws the credit the contract holds for us, if any (`claim {}`).
    async fn claim(&mut self, game: u64, slot: u32, round: &mut Round) -> Result<(), Error> {
        let credit: CreditResponse = self
            .client
            .query(
                self.contract(),
                &QueryMsg::Credit {
                    address: self.wallet.address().to_string(),
                },
            )
            .await?;
        if credit.amount.is_zero() {
            return Ok(());
        }
        let key = MoveKey {
            game,
            slot,
            kind: MoveKind::Claim,
        };
        let detail = format!("{}{}", credit.amount, credit.denom);
        if let Some(out) = self.send(key, &detail, &ExecuteMsg::Claim {}).await? {
            info!(game, tx = %out.hash, gas = out.gas_used, "claim: {detail}");
            round
                .sent
                .push((game, "claim".into(), out.hash, out.gas_used));
        }
        Ok(())
    }
}

/// `settle challenger`: checks the configuration against the chain (chain id, contract,
/// code id, a key, an answer time the contract allows), then runs rounds every
/// `poll_seconds` until `shutdown` turns true, backing off on errors; the round under way
/// is finished and the database closed before it returns.
pub async fn serve(
    config: &crate::config::Config,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<(), Error> {
    let settings = config.challenger()?.clone();
    let wallet = config.wallet()?;
    let client = config.connect().await?;
    config.check_rollup(&client).await?;
    let contract = config.rollup()?.contract.clone();
    let store = ChallengerStore::open(&settings.database).await?;
    let mut challenger = Challenger::new(client, wallet, &contract, store).await?;
    let rules: ConfigResponse = challenger
        .client
        .query(&contract, &QueryMsg::Config {})
        .await?;
    settings.check_answer_time(rules.dispute.min_answer_seconds, IN_FLIGHT_GRACE.as_secs())?;
    let funds = challenger
        .client
        .balance(challenger.wallet.address(), &challenger.bond.1)
        .await?;
    info!(
        contract = %contract,
        chain = challenger.client.chain_id(),
        address = challenger.wallet.address(),
        balance = funds,
        bond = challenger.bond.0,
        database = %settings.database.display(),
        "challenger started"
    );
    if funds < challenger.bond.0 {
        warn!(
            "the challenger holds {funds}{}, less than one challenger bond ({})",
            challenger.bond.1, challenger.bond.0
        );
    }
    let poll = Duration::from_secs(settings.poll_seconds);
    let mut backoff = Backoff::new(poll, Duration::from_secs(60).max(poll));
    while !*shutdown.borrow() {
        let pause = match challenger.round().await {
            Ok(_) => backoff.succeeded(),
            Err(e) => {
                let pause = backoff.failed();
                if transient(&e) {
                    warn!(retry_in = pause.as_secs(), "round failed: {e}");
                } else {
                    tracing::error!(retry_in = pause.as_secs(), "round failed: {e}");
                }
                pause
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = shutdown.changed() => {}
        }
    }
    info!("challenger stopping: database closed");
    challenger.store.close().await;
    Ok(())
}

/// Whether a round's error is the chain's or the network's passing trouble (logged as a
/// warning) rather than something that repeats (logged as an error). Both are retried.
pub fn transient(e: &Error) -> bool {
    matches!(
        e,
        Error::Client(
            settle_client::Error::Rpc(_)
                | settle_client::Error::Timeout { .. }
                | settle_client::Error::Wait(_)
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::{Addr, Uint128};
    use optimistic_rollup::msg::{GameTerms, Resolution};

    fn temp_db(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("settle-challenger-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("challenger.sqlite")
    }

    fn key(batch: u64, proposed_at: u64) -> BatchKey {
        BatchKey {
            batch,
            proposed_at,
            claimed_root: [batch as u8; 32],
        }
    }

    #[test]
    fn a_transaction_in_flight_is_waited_for_then_sent_again_and_one_in_a_block_never() {
        let grace = IN_FLIGHT_GRACE.as_secs();
        assert_eq!(in_flight(100, None, 100), InFlight::Waiting);
        assert_eq!(in_flight(100, None, 100 + grace - 1), InFlight::Waiting);
        assert_eq!(in_flight(100, None, 100 + grace), InFlight::Lost);
        assert_eq!(in_flight(100, Some("AB"), 100 + 10 * grace), InFlight::Done);
    }

    #[test]
    fn one_game_per_batch_ever() {
        let t = 1_000;
        let record = |status, game, sent_at| ChallengeRecord {
            key: key(3, 50),
            status,
            game,
            tx_hash: None,
            sent_at,
        };
        // Nothing known, nobody on it, window open: open.
        assert_eq!(
            decide_challenge(None, None, false, true, t),
            ChallengeDecision::Open
        );
        // Someone else's game runs, or the window is over: not us.
        assert!(matches!(
            decide_challenge(None, None, true, true, t),
            ChallengeDecision::Skip(_)
        ));
        assert!(matches!(
            decide_challenge(None, None, false, false, t),
            ChallengeDecision::Skip(_)
        ));
        // Our challenge was broadcast and the process died: the game on chain is adopted,
        // not opened again.
        let opening = record(ChallengeStatus::Opening, None, t - 1);
        assert_eq!(
            decide_challenge(Some(&opening), Some(7), false, true, t),
            ChallengeDecision::Adopt(7)
        );
        // In flight and not on chain yet: wait; given up after the grace: sent again.
        assert!(matches!(
            decide_challenge(Some(&opening), None, false, true, t),
            ChallengeDecision::Skip(_)
        ));
        let old = record(
            ChallengeStatus::Opening,
            None,
            t - IN_FLIGHT_GRACE.as_secs(),
        );
        assert_eq!(
            decide_challenge(Some(&old), None, false, true, t),
            ChallengeDecision::Open
        );
        // A game we opened, whatever became of it: never a second one.
        for status in [
            ChallengeStatus::Open,
            ChallengeStatus::Won,
            ChallengeStatus::Lost,
            ChallengeStatus::Void,
        ] {
            let r = record(status, Some(7), t - 500);
            assert!(matches!(
                decide_challenge(Some(&r), None, false, true, t),
                ChallengeDecision::Skip(_)
            ));
            assert!(matches!(
                decide_challenge(Some(&r), Some(7), false, true, t),
                ChallengeDecision::Skip(_)
            ));
        }
    }

    fn game(
        phase: GamePhase,
        lo: u64,
        hi: u64,
        defender_left: u64,
        challenger_left: u64,
    ) -> GameResponse {
        GameResponse {
            game: 4,
            batch: 2,
            defender: Addr::unchecked("wasm1liar"),
            challenger: Addr::unchecked("wasm1us"),
            bond: Uint128::new(500),
            steps: 8,
            lo,
            hi,
            lo_root: Binary::from([1u8; 32].as_slice()),
            hi_root: Binary::from([2u8; 32].as_slice()),
            phase,
            defender_left,
            challenger_left,
            clock_runs_out_at: None,
            moves: 3,
            opened_at: 10,
            terms: GameTerms {
                challenger_bond: Uint128::new(500),
                proposer_stake: Uint128::new(1_000),
                reward_bps: 5_000,
                treasury: Addr::unchecked("wasm1treasury"),
                clock_seconds: 300,
                min_answer_seconds: 60,
            },
        }
    }

    #[test]
    fn what_a_game_needs_follows_its_phase_and_clocks() {
        let root = Binary::from([9u8; 32].as_slice());
        let choose = GamePhase::Choose {
            position: 4,
            root: root.clone(),
        };
        assert_eq!(next_step(&game(choose.clone(), 0, 8, 100, 100)), Next::Play);
        assert_eq!(next_step(&game(choose, 0, 8, 100, 0)), Next::OutOfTime);
        assert_eq!(
            next_step(&game(GamePhase::OneStep { step: 3 }, 3, 4, 100, 5)),
            Next::Play
        );
        assert_eq!(
            next_step(&game(GamePhase::Bisect { position: 4 }, 0, 8, 20, 100)),
            Next::Wait
        );
        // The defender's clock ran out: we end the game.
        assert_eq!(
            next_step(&game(GamePhase::Bisect { position: 4 }, 0, 8, 0, 100)),
            Next::Resolve
        );
        let resolved = |winner| GamePhase::Resolved {
            winner,
            reason: Resolution::Proof,
        };
        assert_eq!(
            next_step(&game(resolved(WireSide::Challenger), 3, 4, 0, 0)),
            Next::Over(ChallengeStatus::Won)
        );
        assert_eq!(
            next_step(&game(resolved(WireSide::Defender), 3, 4, 0, 0)),
            Next::Over(ChallengeStatus::Lost)
        );
        assert_eq!(
            next_step(&game(
                GamePhase::Void {
                    bond_returned: false
                },
                0,
                8,
                0,
                0
            )),
            Next::Resolve
        );
        assert_eq!(
            next_step(&game(
                GamePhase::Void {
                    bond_returned: true
                },
                0,
                8,
                0,
                0
            )),
            Next::Over(ChallengeStatus::Void)
        );
    }

    #[test]
    fn the_core_game_is_rebuilt_and_a_phase_that_does_not_fit_is_refused() {
        let root = Binary::from([9u8; 32].as_slice());
        let g = core_game(&game(
            GamePhase::Choose {
                position: 4,
                root: root.clone(),
            },
            0,
            8,
            1,
            1,
        ))
        .unwrap()
        .unwrap();
        assert_eq!(
            g.phase(),
            settle_core::dispute::Phase::Choose {
                position: 4,
                root: [9u8; 32]
            }
        );
        // The midpoint of 0..8 is 4, not 5.
        let err = core_game(&game(GamePhase::Choose { position: 5, root }, 0, 8, 1, 1))
            .unwrap_err()
            .to_string();
        assert!(err.contains("does not follow"), "{err}");
        assert!(core_game(&game(
            GamePhase::Void {
                bond_returned: false
            },
            0,
            8,
            0,
            0
        ))
        .unwrap()
        .is_none());
    }

    #[tokio::test]
    async fn the_cursor_and_the_moves_survive_a_reopen_and_nothing_is_sent_twice() {
        let path = temp_db("cursor");
        let s = ChallengerStore::open(&path).await.unwrap();
        let good = CheckedBatch {
            key: key(0, 40),
            computed_root: [0u8; 32],
        };
        let bad = CheckedBatch {
            key: key(1, 50),
            computed_root: [7u8; 32],
        };
        s.record_batch(&good, 60).await.unwrap();
        s.record_batch(&bad, 60).await.unwrap();
        assert!(!good.divergent() && bad.divergent());
        assert_eq!(s.divergent().await.unwrap(), vec![bad.clone()]);

        // Challenge: recorded before the broadcast, then its game.
        s.begin_challenge(&bad.key, 61).await.unwrap();
        let r = s.challenge(&bad.key).await.unwrap().unwrap();
        assert_eq!((r.status, r.game), (ChallengeStatus::Opening, None));
        s.challenge_opened(&bad.key, 7, Some("C0FFEE"), 62)
            .await
            .unwrap();
        // A late begin (a racing retry) does not reopen a game we have.
        s.begin_challenge(&bad.key, 63).await.unwrap();
        let key7 = MoveKey {
            game: 7,
            slot: 1,
            kind: MoveKind::Choose,
        };
        s.begin_move(&key7, "position 2: agree", 64).await.unwrap();
        drop(s);

        // Killed after the broadcast of the choice, before its block was recorded.
        let s = ChallengerStore::open(&path).await.unwrap();
        let r = s.challenge(&bad.key).await.unwrap().unwrap();
        assert_eq!(
            (r.status, r.game, r.tx_hash.as_deref()),
            (ChallengeStatus::Open, Some(7), Some("C0FFEE"))
        );
        assert_eq!(s.challenges(ChallengeStatus::Open).await.unwrap(), vec![r]);
        let m = s.move_record(&key7).await.unwrap().unwrap();
        assert_eq!(
            in_flight(m.sent_at, m.tx_hash.as_deref(), 65),
            InFlight::Waiting
        );
        s.move_done(&key7, "AA", 90_000).await.unwrap();
        // In a block: never recorded as sent again.
        let err = s
            .begin_move(&key7, "again", 500)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("already in a block"), "{err}");
        s.drop_move(&key7).await.unwrap();
        let m = s.move_record(&key7).await.unwrap().unwrap();
        assert_eq!(
            (m.tx_hash.as_deref(), m.gas_used),
            (Some("AA"), Some(90_000))
        );
        assert_eq!(
            in_flight(m.sent_at, m.tx_hash.as_deref(), 10_000),
            InFlight::Done
        );
        // A move refused before its broadcast is forgotten, so it can be sent.
        let prove = MoveKey {
            game: 7,
            slot: 3,
            kind: MoveKind::ProveStep,
        };
        s.begin_move(&prove, "step 2", 70).await.unwrap();
        s.drop_move(&prove).await.unwrap();
        assert!(s.move_record(&prove).await.unwrap().is_none());
        assert_eq!(s.moves(7).await.unwrap().len(), 1);

        // Batch 1 removed by the game: the cursor forgets it; the game is won.
        assert_eq!(s.forget_batches_from(1).await.unwrap(), 1);
        assert!(s.divergent().await.unwrap().is_empty());
        assert_eq!(s.checked(0).await.unwrap(), Some(good));
        s.set_status(7, ChallengeStatus::Won, 80).await.unwrap();
        assert!(s
            .challenges(ChallengeStatus::Open)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            s.challenge(&bad.key).await.unwrap().unwrap().status,
            ChallengeStatus::Won
        );
        // A challenge refused before its broadcast is forgotten; an opened one is not.
        let other = key(2, 90);
        s.begin_challenge(&other, 91).await.unwrap();
        s.drop_challenge(&other).await.unwrap();
        assert!(s.challenge(&other).await.unwrap().is_none());
        s.drop_challenge(&bad.key).await.unwrap();
        assert!(s.challenge(&bad.key).await.unwrap().is_some());
        s.close().await;
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn passing_trouble_is_told_apart() {
        assert!(transient(&Error::Client(settle_client::Error::Rpc(
            "x".into()
        ))));
        assert!(!transient(&Error::Chain("x".into())));
    }
}
