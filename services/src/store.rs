//! The operator's database (SQLite, a file; migrations in `services/migrations/`). Every
//! submitted L2 transaction is kept until it is in a posted batch or refused with a
//! reason: a restart, however abrupt, resumes from what the file holds (SQLite commits
//! each statement atomically; WAL journal).

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::Row;

use crate::Error;

/// Where a submitted transaction stands.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum TxStatus {
    /// Accepted, waiting for the next batch.
    Pending,
    /// In posted batch `batch` (final once the batch is).
    Posted { batch: u64 },
    /// Not in any batch, and never will be: `reason` says why.
    Refused { reason: String },
}

/// A pending transaction, as the batch builder takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingTx {
    pub hash: String,
    pub bytes: Vec<u8>,
    pub account: u32,
    pub nonce: u64,
}

impl PendingTx {
    /// A signed transaction as the store keeps it, under its id.
    pub fn of(tx: &settle_core::tx::SignedTx) -> PendingTx {
        PendingTx {
            hash: hex::encode(tx.id()),
            bytes: tx.encode(),
            account: tx.body.signer(),
            nonce: tx.body.nonce(),
        }
    }
}

/// The operator's database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

fn db(e: sqlx::Error) -> Error {
    Error::Store(e.to_string())
}

impl Store {
    /// Opens (creating it if missing) the database at `path` and brings its schema up to
    /// date.
    pub async fn open(path: &Path) -> Result<Store, Error> {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .map_err(db)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| Error::Store(format!("{}: {e}", path.display())))?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| Error::Store(format!("{}: migrations: {e}", path.display())))?;
        Ok(Store { pool })
    }

    /// The connection pool, for the other services' tables in the same database
    /// mechanism (the challenger's).
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Closes the database (waits for its connections to finish).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Records a submitted transaction as pending; the same transaction again changes
    /// nothing. Returns its status (the existing one for a repeat).
    pub async fn submit(&self, tx: &PendingTx, now: u64) -> Result<TxStatus, Error> {
        sqlx::query(
            "INSERT INTO l2_txs (hash, bytes, account, nonce, status, submitted_at, updated_at) \
             VALUES (?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (hash) DO NOTHING",
        )
        .bind(&tx.hash)
        .bind(&tx.bytes)
        .bind(i64::from(tx.account))
        .bind(to_i64(tx.nonce)?)
        .bind(to_i64(now)?)
        .bind(to_i64(now)?)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        self.status(&tx.hash)
            .await?
            .ok_or_else(|| Error::Store(format!("{} vanished after its insert", tx.hash)))
    }

    /// The status of transaction `hash`, if it was ever submitted.
    pub async fn status(&self, hash: &str) -> Result<Option<TxStatus>, Error> {
        let row = sqlx::query("SELECT status, batch, reason FROM l2_txs WHERE hash = ?")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        let status: String = row.get("status");
        Ok(Some(match status.as_str() {
            "pending" => TxStatus::Pending,
            "posted" => TxStatus::Posted {
                batch: to_u64(row.get::<i64, _>("batch"))?,
            },
            "refused" => TxStatus::Refused {
                reason: row.get("reason"),
            },
            other => return Err(Error::Store(format!("{hash}: unknown status {other:?}"))),
        }))
    }

    /// Up to `limit` pending transactions, in submission order (and, for one account, in
    /// nonce order).
    pub async fn pending(&self, limit: u32) -> Result<Vec<PendingTx>, Error> {
        let rows = sqlx::query(
            "SELECT hash, bytes, account, nonce FROM l2_txs WHERE status = 'pending' \
             ORDER BY submitted_at, account, nonce LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                Ok(PendingTx {
                    hash: r.get("hash"),
                    bytes: r.get("bytes"),
                    account: u32::try_from(r.get::<i64, _>("account"))
                        .map_err(|_| Error::Store("an account index out of range".into()))?,
                    nonce: to_u64(r.get("nonce"))?,
                })
            })
            .collect()
    }

    /// Marks `hashes` as in posted batch `batch`, all or none.
    pub async fn mark_posted(&self, hashes: &[String], batch: u64, now: u64) -> Result<(), Error> {
        let mut t = self.pool.begin().await.map_err(db)?;
        for h in hashes {
            sqlx::query(
                "UPDATE l2_txs SET status = 'posted', batch = ?, reason = NULL, updated_at = ? \
                 WHERE hash = ?",
            )
            .bind(to_i64(batch)?)
            .bind(to_i64(now)?)
            .bind(h)
            .execute(&mut *t)
            .await
            .map_err(db)?;
        }
        t.commit().await.map_err(db)
    }

    /// Marks a pending transaction refused, with the reason.
    pub async fn mark_refused(&self, hash: &str, reason: &str, now: u64) -> Result<(), Error> {
        sqlx::query(
            "UPDATE l2_txs SET status = 'refused', reason = ?, batch = NULL, updated_at = ? \
             WHERE hash = ? AND status = 'pending'",
        )
        .bind(reason)
        .bind(to_i64(now)?)
        .bind(hash)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Puts the transactions of batches from `batch` on (removed by a fraud proof) back to
    /// pending: they are in no batch the chain keeps.
    pub async fn unpost_from(&self, batch: u64, now: u64) -> Result<u64, Error> {
        let done = sqlx::query(
            "UPDATE l2_txs SET status = 'pending', batch = NULL, updated_at = ? \
             WHERE status = 'posted' AND batch >= ?",
        )
        .bind(to_i64(now)?)
        .bind(to_i64(batch)?)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected())
    }

    pub async fn meta(&self, key: &str) -> Result<Option<String>, Error> {
        sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)
    }

    pub async fn set_meta(&self, key: &str, value: Option<&str>) -> Result<(), Error> {
        match value {
            Some(v) => sqlx::query(
                "INSERT INTO meta (key, value) VALUES (?, ?) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(v),
            None => sqlx::query("DELETE FROM meta WHERE key = ?").bind(key),
        }
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    /// Counts by status: (pending, posted, refused).
    pub async fn counts(&self) -> Result<(u64, u64, u64), Error> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM l2_txs GROUP BY status")
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let mut out = (0, 0, 0);
        for r in rows {
            let n = to_u64(r.get("n"))?;
            match r.get::<String, _>("status").as_str() {
                "pending" => out.0 = n,
                "posted" => out.1 = n,
                _ => out.2 = n,
            }
        }
        Ok(out)
    }
}

pub(crate) fn to_i64(v: u64) -> Result<i64, Error> {
    i64::try_from(v).map_err(|_| Error::Store(format!("{v} does not fit SQLite's integers")))
}

pub(crate) fn to_u64(v: i64) -> Result<u64, Error> {
    u64::try_from(v).map_err(|_| Error::Store(format!("a negative count or index: {v}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(hash: &str, account: u32, nonce: u64) -> PendingTx {
        PendingTx {
            hash: hash.into(),
            bytes: vec![account as u8, nonce as u8],
            account,
            nonce,
        }
    }

    fn temp_db(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("settle-store-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("operator.sqlite")
    }

    #[tokio::test]
    async fn a_transaction_is_pending_then_posted_or_refused_and_survives_a_reopen() {
        let path = temp_db("life");
        let s = Store::open(&path).await.unwrap();
        assert_eq!(
            s.submit(&tx("a", 1, 0), 10).await.unwrap(),
            TxStatus::Pending
        );
        assert_eq!(
            s.submit(&tx("b", 2, 0), 11).await.unwrap(),
            TxStatus::Pending
        );
        assert_eq!(
            s.submit(&tx("c", 1, 1), 11).await.unwrap(),
            TxStatus::Pending
        );
        // The same transaction again: nothing changes.
        assert_eq!(
            s.submit(&tx("a", 1, 0), 12).await.unwrap(),
            TxStatus::Pending
        );
        let order: Vec<String> = s
            .pending(10)
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.hash)
            .collect();
        // Submission order; b and c came in the same second: account order breaks the tie.
        assert_eq!(order, ["a", "c", "b"]);
        s.mark_posted(&["a".into(), "c".into()], 4, 20)
            .await
            .unwrap();
        s.mark_refused("b", "nonce 0 already used", 20)
            .await
            .unwrap();
        // A refusal never overwrites a posted transaction.
        s.mark_refused("a", "late", 21).await.unwrap();
        drop(s);

        let s = Store::open(&path).await.unwrap();
        assert_eq!(
            s.status("a").await.unwrap(),
            Some(TxStatus::Posted { batch: 4 })
        );
        assert_eq!(
            s.status("b").await.unwrap(),
            Some(TxStatus::Refused {
                reason: "nonce 0 already used".into()
            })
        );
        assert_eq!(s.status("zz").await.unwrap(), None);
        assert_eq!(s.counts().await.unwrap(), (0, 2, 1));
        // A fraud proof removed batch 4: its transactions are pending again.
        assert_eq!(s.unpost_from(4, 30).await.unwrap(), 2);
        assert_eq!(s.counts().await.unwrap(), (2, 0, 1));
        assert_eq!(
            s.submit(&tx("b", 2, 0), 31).await.unwrap(),
            TxStatus::Refused {
                reason: "nonce 0 already used".into()
            }
        );
        s.set_meta("in_flight", Some("ABC")).await.unwrap();
        assert_eq!(s.meta("in_flight").await.unwrap().as_deref(), Some("ABC"));
        s.set_meta("in_flight", None).await.unwrap();
        assert_eq!(s.meta("in_flight").await.unwrap(), None);
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }
}
