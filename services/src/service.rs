//! What every long-running `settle` service shares: stopping cleanly on SIGINT/SIGTERM,
//! retrying with backoff after an error, and the operator's service itself
//! ([`run_operator`]: the HTTP API beside a loop of rounds).

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::api::{self, ApiState};
use crate::config::Config;
use crate::follow::Follower;
use crate::metrics::OperatorMetrics;
use crate::operator::Operator;
use crate::store::Store;
use crate::Error;

/// A flag that turns true on SIGINT or SIGTERM (and stays true).
pub fn shutdown_signal() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(e) => {
                    tracing::warn!("cannot watch SIGTERM ({e}); stopping on SIGINT only");
                    let _ = ctrl_c.await;
                    let _ = tx.send(true);
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => tracing::info!("SIGINT: stopping after this round"),
            _ = term.recv() => tracing::info!("SIGTERM: stopping after this round"),
        }
        let _ = tx.send(true);
    });
    rx
}

/// Waits `d`, or less if `stop` turns true; returns whether to stop.
pub async fn pause(stop: &mut watch::Receiver<bool>, d: Duration) -> bool {
    if *stop.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(d) => *stop.borrow(),
        _ = stop.changed() => true,
    }
}

/// Exponential backoff between failed rounds: `base`, doubled at each failure up to
/// `max`, back to `base` after a round that worked.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    current: Duration,
}

impl Backoff {
    pub fn new(base: Duration, max: Duration) -> Backoff {
        Backoff {
            base,
            max,
            current: base,
        }
    }

    /// The pause after a failed round.
    pub fn failed(&mut self) -> Duration {
        let pause = self.current;
        self.current = (self.current * 2).min(self.max);
        pause
    }

    /// The pause after a round that worked.
    pub fn succeeded(&mut self) -> Duration {
        self.current = self.base;
        self.base
    }
}

/// Test-only: a process started with `SETTLE_TEST_PAUSE_AT=<point>` stops at that point of
/// its round, says so on stderr and waits there, so that a test can kill it (-9) exactly
/// there. Unset (as in production) it does nothing.
pub async fn test_pause_point(point: &str) {
    if std::env::var("SETTLE_TEST_PAUSE_AT").is_ok_and(|p| p == point) {
        eprintln!("settle: paused at {point} (SETTLE_TEST_PAUSE_AT)");
        tokio::time::sleep(Duration::from_secs(24 * 3600)).await;
    }
}

use crate::unix_now as now;

/// `settle operator`: checks the configuration against the chain, opens the database,
/// serves the API and runs a round every `poll_seconds` until SIGINT/SIGTERM (the round
/// in progress finishes; the server drains its connections).
pub async fn run_operator(config: &Config) -> Result<(), Error> {
    let section = config.operator()?.clone();
    let client = config.connect().await?;
    config.check_rollup(&client).await?;
    let wallet = config.wallet()?;
    let contract = config.rollup()?.contract.clone();
    let store = Store::open(&section.database).await?;
    let follower = Follower::new(&client, &contract).await?;
    let metrics = OperatorMetrics::new();
    let state = Arc::new(ApiState {
        store: store.clone(),
        metrics: metrics.clone(),
        view: RwLock::new(Arc::new(follower.node.clone())),
        client: client.clone(),
        contract: contract.clone(),
        poll_seconds: section.poll_seconds,
    });
    let listener = tokio::net::TcpListener::bind(&section.listen)
        .await
        .map_err(|e| Error::Config(format!("[operator] listen {}: {e}", section.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Config(format!("[operator] listen: {e}")))?;
    tracing::info!(
        %addr, contract = %contract, chain_id = client.chain_id(), operator = wallet.address(),
        database = %section.database.display(), "operator listening"
    );
    let mut stop = shutdown_signal();
    let server = {
        let mut stop = stop.clone();
        let app = api::router(state.clone());
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|s| *s).await;
                })
                .await
        })
    };

    let mut op = Operator {
        client,
        wallet,
        follower,
        store,
        max_batch_txs: section.max_batch_txs,
    };
    let poll = Duration::from_secs(section.poll_seconds);
    let mut backoff = Backoff::new(poll, Duration::from_secs(60).max(poll));
    let mut failures = 0u32;
    // What the API's snapshot shows: batches, deposits and the state root (a removal and
    // a new batch in one round can leave both counts as they were).
    let mut seen = (u64::MAX, u64::MAX, [0u8; 32]);
    loop {
        let started = Instant::now();
        metrics.rounds.inc();
        let wait = match op.round().await {
            Ok(r) => {
                failures = 0;
                backoff.succeeded();
                metrics.round_ok(now());
                metrics.txs_posted.inc_by(r.confirmed);
                metrics.txs_refused.inc_by(r.refused.len() as u64);
                for (id, reason) in &r.refused {
                    tracing::info!(%id, %reason, "transaction refused");
                }
                if let Some((batch, txs, hash)) = &r.posted {
                    metrics.batches_posted.inc();
                    tracing::info!(batch, txs, tx = %hash, "batch posted");
                }
                for batch in &r.finalized {
                    tracing::info!(batch, "batch finalized");
                }
                if let Some(from) = r.synced.rolled_back_from {
                    tracing::warn!(
                        from,
                        reopened = r.reopened,
                        "batches removed by a fraud proof"
                    );
                }
                poll
            }
            Err(e) => {
                failures += 1;
                metrics.round_errors.inc();
                let wait = backoff.failed();
                tracing::warn!(error = %e, failures, retry_in = ?wait, "round failed");
                wait
            }
        };
        metrics
            .round_seconds
            .observe(started.elapsed().as_secs_f64());
        let node = &op.follower.node;
        let now_seen = (
            node.batch_count(),
            node.deposit_count(),
            node.ledger.state_root(),
        );
        if now_seen != seen {
            seen = now_seen;
            metrics.l2_batches.set(now_seen.0 as i64);
            state.set_node(node.clone());
        }
        if let Ok((pending, _, _)) = op.store.counts().await {
            metrics.txs_pending.set(pending as i64);
        }
        if pause(&mut stop, wait).await {
            break;
        }
    }
    match server.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!("the API server stopped with an error: {e}"),
        Err(e) => tracing::warn!("the API server task failed: {e}"),
    }
    op.store.close().await;
    tracing::info!("operator stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_its_ceiling_and_resets() {
        let mut b = Backoff::new(Duration::from_secs(2), Duration::from_secs(10));
        let pauses: Vec<u64> = (0..5).map(|_| b.failed().as_secs()).collect();
        assert_eq!(pauses, [2, 4, 8, 10, 10]);
        assert_eq!(b.succeeded().as_secs(), 2);
        assert_eq!(b.failed().as_secs(), 2);
    }

    #[tokio::test]
    async fn a_pause_ends_at_once_when_told_to_stop() {
        let (tx, mut rx) = watch::channel(false);
        let started = Instant::now();
        let handle = tokio::spawn(async move { pause(&mut rx, Duration::from_secs(30)).await });
        tx.send(true).unwrap();
        assert!(handle.await.unwrap());
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
