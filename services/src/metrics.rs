//! What a service tells Prometheus (prometheus-client, the OpenMetrics text format served
//! at `/metrics`) and its `/health`: counters and gauges registered once, updated by the
//! service's loop, read by the HTTP server.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// The operator's metrics (names prefixed `settle_operator_`).
#[derive(Clone)]
pub struct OperatorMetrics {
    registry: Arc<Registry>,
    /// Rounds run (sync, build, post), failed or not.
    pub rounds: Counter,
    /// Rounds that ended in an error (RPC, chain, database).
    pub round_errors: Counter,
    /// Batches this operator posted.
    pub batches_posted: Counter,
    /// Transactions accepted over the API (a resubmission is not counted twice).
    pub txs_submitted: Counter,
    /// Transactions found in batches on chain.
    pub txs_posted: Counter,
    /// Transactions refused with a reason.
    pub txs_refused: Counter,
    /// Transactions waiting for a batch.
    pub txs_pending: Gauge,
    /// Batches the rollup holds (as the operator last synced it).
    pub l2_batches: Gauge,
    /// Seconds a round took.
    pub round_seconds: Histogram,
    /// Unix seconds of the last round that succeeded (0: none yet).
    last_ok: Arc<AtomicU64>,
}

impl Default for OperatorMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl OperatorMetrics {
    pub fn new() -> OperatorMetrics {
        let (rounds, round_errors, batches_posted) = Default::default();
        let (txs_submitted, txs_posted, txs_refused) = Default::default();
        let (txs_pending, l2_batches) = Default::default();
        let round_seconds = Histogram::new(exponential_buckets(0.05, 2.0, 12));
        let mut r = Registry::with_prefix("settle_operator");
        let counters: [(&str, &str, &Counter); 6] = [
            ("rounds", "Rounds run", &rounds),
            (
                "round_errors",
                "Rounds that ended in an error (RPC, chain, database)",
                &round_errors,
            ),
            (
                "batches_posted",
                "Batches this operator posted",
                &batches_posted,
            ),
            (
                "txs_submitted",
                "L2 transactions accepted over the API",
                &txs_submitted,
            ),
            (
                "txs_posted",
                "L2 transactions found in batches on chain",
                &txs_posted,
            ),
            (
                "txs_refused",
                "L2 transactions refused with a reason",
                &txs_refused,
            ),
        ];
        for (name, help, c) in counters {
            r.register(name, help, c.clone());
        }
        let gauges: [(&str, &str, &Gauge); 2] = [
            (
                "txs_pending",
                "L2 transactions waiting for a batch",
                &txs_pending,
            ),
            (
                "l2_batches",
                "Batches the rollup holds, as last synced",
                &l2_batches,
            ),
        ];
        for (name, help, g) in gauges {
            r.register(name, help, g.clone());
        }
        r.register(
            "round_seconds",
            "Seconds a round took",
            round_seconds.clone(),
        );
        OperatorMetrics {
            registry: Arc::new(r),
            rounds,
            round_errors,
            batches_posted,
            txs_submitted,
            txs_posted,
            txs_refused,
            txs_pending,
            l2_batches,
            round_seconds,
            last_ok: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The OpenMetrics text of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }

    /// Records a round that succeeded at `unix_seconds`.
    pub fn round_ok(&self, unix_seconds: u64) {
        self.last_ok.store(unix_seconds, Ordering::Relaxed);
    }

    /// Unix seconds of the last round that succeeded, if any.
    pub fn last_ok(&self) -> Option<u64> {
        match self.last_ok.load(Ordering::Relaxed) {
            0 => None,
            t => Some(t),
        }
    }
}

/// The watchtower's metrics (names prefixed `settle_watchtower_`).
#[derive(Clone)]
pub struct WatchtowerMetrics {
    registry: Arc<Registry>,
    /// Rounds run, failed or not.
    pub rounds: Counter,
    /// Rounds that ended in an error (RPC, chain, database).
    pub round_errors: Counter,
    /// Errors of the chain's RPC (rounds and API queries).
    pub rpc_errors: Counter,
    /// States handed in and accepted over the API.
    pub states_received: Counter,
    /// Disputes this watchtower broadcast.
    pub disputes_sent: Counter,
    /// Disputes the contract accepted (the newer state in, or the close proven stale).
    pub disputes_won: Counter,
    /// Channels it guards.
    pub channels_guarded: Gauge,
    /// Seconds a round took.
    pub round_seconds: Histogram,
    last_ok: Arc<AtomicU64>,
}

impl Default for WatchtowerMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl WatchtowerMetrics {
    pub fn new() -> WatchtowerMetrics {
        let (rounds, round_errors, rpc_errors) = Default::default();
        let (states_received, disputes_sent, disputes_won) = Default::default();
        let channels_guarded = Gauge::default();
        let round_seconds = Histogram::new(exponential_buckets(0.05, 2.0, 12));
        let mut r = Registry::with_prefix("settle_watchtower");
        let counters: [(&str, &str, &Counter); 6] = [
            ("rounds", "Rounds run", &rounds),
            (
                "round_errors",
                "Rounds that ended in an error (RPC, chain, database)",
                &round_errors,
            ),
            ("rpc_errors", "Errors of the chain's RPC", &rpc_errors),
            (
                "states_received",
                "Channel states handed in and accepted",
                &states_received,
            ),
            ("disputes_sent", "Disputes broadcast", &disputes_sent),
            (
                "disputes_won",
                "Disputes the contract accepted (newer state in, or close proven stale)",
                &disputes_won,
            ),
        ];
        for (name, help, c) in counters {
            r.register(name, help, c.clone());
        }
        r.register(
            "channels_guarded",
            "Channels this watchtower guards",
            channels_guarded.clone(),
        );
        r.register(
            "round_seconds",
            "Seconds a round took",
            round_seconds.clone(),
        );
        WatchtowerMetrics {
            registry: Arc::new(r),
            rounds,
            round_errors,
            rpc_errors,
            states_received,
            disputes_sent,
            disputes_won,
            channels_guarded,
            round_seconds,
            last_ok: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The OpenMetrics text of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        let _ = encode(&mut out, &self.registry);
        out
    }

    /// Records a round that succeeded at `unix_seconds`.
    pub fn round_ok(&self, unix_seconds: u64) {
        self.last_ok.store(unix_seconds, Ordering::Relaxed);
    }

    /// Unix seconds of the last round that succeeded, if any.
    pub fn last_ok(&self) -> Option<u64> {
        match self.last_ok.load(Ordering::Relaxed) {
            0 => None,
            t => Some(t),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_names_every_metric_with_its_value() {
        let m = OperatorMetrics::new();
        m.batches_posted.inc();
        m.txs_pending.set(7);
        m.round_seconds.observe(0.3);
        let text = m.encode();
        assert!(
            text.contains("settle_operator_batches_posted_total 1"),
            "{text}"
        );
        assert!(text.contains("settle_operator_txs_pending 7"), "{text}");
        assert!(
            text.contains("settle_operator_round_seconds_count 1"),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"), "{text}");
        assert_eq!(m.last_ok(), None);
        m.round_ok(42);
        assert_eq!(m.last_ok(), Some(42));
    }

    #[test]
    fn the_watchtower_text_names_its_counters() {
        let m = WatchtowerMetrics::new();
        m.states_received.inc();
        m.disputes_won.inc();
        m.channels_guarded.set(3);
        let text = m.encode();
        for line in [
            "settle_watchtower_states_received_total 1",
            "settle_watchtower_disputes_won_total 1",
            "settle_watchtower_disputes_sent_total 0",
            "settle_watchtower_rpc_errors_total 0",
            "settle_watchtower_channels_guarded 3",
        ] {
            assert!(text.contains(line), "{line} in {text}");
        }
    }
}
