//! The operator's HTTP JSON API (axum): submit a signed L2 transaction, its status, an
//! account, a withdrawal proof once its batch is final; `/health`, `/metrics` and the
//! OpenAPI document (`/openapi.json`, services/openapi.json) of every route.
//!
//! ```text
//! POST /v1/txs                       {"tx": "<hex of the SignedTx encoding>"} -> 202 {id, status}
//! GET  /v1/txs/{id}                  -> {id, status: pending | posted {batch} | refused {reason}}
//! GET  /v1/accounts/{index}          -> {index, pubkey, balance, nonce, batches}
//! GET  /v1/accounts?pubkey=<hex>     -> the same, for the first account of the key
//! GET  /v1/withdrawals/{batch}/{index}
//!                                    -> {proof, msg}: the contract's `withdraw`, ready to send
//! GET  /health  /metrics  /openapi.json
//! ```
//!
//! The API reads the state the operator last synced from the chain (a snapshot, replaced
//! after every round that changed it) and the database; it never blocks a round.

use std::sync::{Arc, RwLock};

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use optimistic_rollup::msg::{BatchResponse, BatchStatus, ExecuteMsg, QueryMsg};
use serde::{Deserialize, Serialize};
use serde_json::json;
use settle_client::Client;
use settle_core::node::Node;
use settle_core::tx::SignedTx;

use crate::metrics::OperatorMetrics;
use crate::store::{PendingTx, Store, TxStatus};

/// The OpenAPI 3.1 document of this API.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// What the handlers share with the operator's loop.
pub struct ApiState {
    pub store: Store,
    pub metrics: OperatorMetrics,
    /// The L2 state as last synced from the chain.
    pub view: RwLock<Arc<Node>>,
    /// For the finality of a batch (the contract's `batch` query).
    pub client: Client,
    pub contract: String,
    /// Seconds between rounds: `/health` fails after three missed rounds (and a minute).
    pub poll_seconds: u64,
}

impl ApiState {
    /// The last synced state.
    pub fn node(&self) -> Arc<Node> {
        // A poisoned lock only means a writer panicked mid-swap of an Arc: the value is whole.
        self.view.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the snapshot.
    pub fn set_node(&self, node: Node) {
        *self.view.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(node);
    }
}

/// The routes.
pub fn router(state: Arc<ApiState>) -> Router {
    Router::new()
        .route("/v1/txs", post(submit))
        .route("/v1/txs/{id}", get(tx_status))
        .route("/v1/accounts", get(account_by_key))
        .route("/v1/accounts/{index}", get(account))
        .route("/v1/withdrawals/{batch}/{index}", get(withdrawal))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .with_state(state)
}

/// An error answer: `{"error": message}` with its status code (every service's API).
#[derive(Debug)]
pub struct ApiError(pub StatusCode, pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<crate::Error> for ApiError {
    fn from(e: crate::Error) -> Self {
        ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
}

fn not_found(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::NOT_FOUND, message.into())
}

use crate::unix_now as now;

/// `POST /v1/txs`'s body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitBody {
    /// The signed transaction's encoding (settle-core `SignedTx`), hex (`0x` accepted).
    pub tx: String,
}

/// A transaction's id and where it stands.
#[derive(Serialize)]
pub struct TxAnswer {
    pub id: String,
    #[serde(flatten)]
    pub status: TxStatus,
}

async fn submit(
    State(s): State<Arc<ApiState>>,
    body: Result<Json<SubmitBody>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<TxAnswer>), ApiError> {
    let Json(body) = body.map_err(|e| bad_request(e.body_text()))?;
    let bytes = hex::decode(body.tx.trim_start_matches("0x"))
        .map_err(|e| bad_request(format!("tx: not hex ({e})")))?;
    let tx = SignedTx::decode(&bytes).map_err(|e| bad_request(format!("tx: {e}")))?;
    let pending = PendingTx::of(&tx);
    let known = s.store.status(&pending.hash).await?.is_some();
    let status = s.store.submit(&pending, now()).await?;
    if !known {
        s.metrics.txs_submitted.inc();
        tracing::info!(id = %pending.hash, account = pending.account, nonce = pending.nonce, "transaction submitted");
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(TxAnswer {
            id: pending.hash,
            status,
        }),
    ))
}

async fn tx_status(
    State(s): State<Arc<ApiState>>,
    Path(id): Path<String>,
) -> Result<Json<TxAnswer>, ApiError> {
    let id = id.trim_start_matches("0x").to_ascii_lowercase();
    match s.store.status(&id).await? {
        Some(status) => Ok(Json(TxAnswer { id, status })),
        None => Err(not_found(format!("no transaction {id} was submitted here"))),
    }
}

/// An L2 account as the chain's batches leave it.
#[derive(Serialize)]
pub struct AccountAnswer {
    pub index: u32,
    /// The 33-byte compressed secp256k1 key, hex.
    pub pubkey: String,
    /// Decimal string.
    pub balance: String,
    pub nonce: u64,
    /// Batches applied to this state (the posted ones, final or not).
    pub batches: u64,
}

fn account_answer(node: &Node, index: u32) -> Result<Json<AccountAnswer>, ApiError> {
    let a = node
        .ledger
        .accounts()
        .get(index as usize)
        .ok_or_else(|| not_found(format!("no account {index}")))?;
    Ok(Json(AccountAnswer {
        index,
        pubkey: hex::encode(a.pubkey),
        balance: a.balance.to_string(),
        nonce: a.nonce,
        batches: node.batch_count(),
    }))
}

async fn account(
    State(s): State<Arc<ApiState>>,
    Path(index): Path<u32>,
) -> Result<Json<AccountAnswer>, ApiError> {
    account_answer(&s.node(), index)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ByKey {
    pubkey: String,
}

async fn account_by_key(
    State(s): State<Arc<ApiState>>,
    query: Result<Query<ByKey>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AccountAnswer>, ApiError> {
    let Query(q) = query.map_err(|e| bad_request(e.body_text()))?;
    let bytes = hex::decode(q.pubkey.trim_start_matches("0x"))
        .map_err(|e| bad_request(format!("pubkey: not hex ({e})")))?;
    let key: [u8; 33] = bytes
        .try_into()
        .map_err(|b: Vec<u8>| bad_request(format!("pubkey: 33 bytes expected, got {}", b.len())))?;
    let node = s.node();
    let index = node
        .ledger
        .find(&key)
        .ok_or_else(|| not_found(format!("no account holds key {}", q.pubkey)))?;
    account_answer(&node, index)
}

async fn withdrawal(
    State(s): State<Arc<ApiState>>,
    Path((batch, index)): Path<(u64, u32)>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let node = s.node();
    let proof = node
        .withdrawal_proof(batch, index)
        .map_err(|e| not_found(format!("withdrawal {index} of batch {batch}: {e}")))?;
    let record: BatchResponse = s
        .client
        .query(&s.contract, &QueryMsg::Batch { batch })
        .await
        .map_err(|e| ApiError(StatusCode::BAD_GATEWAY, e.to_string()))?;
    if record.status != BatchStatus::Finalized {
        return Err(ApiError(
            StatusCode::CONFLICT,
            format!(
                "batch {batch} is not final: its challenge window ends at {} (unix seconds)",
                record.finalizes_at
            ),
        ));
    }
    let recipient = s
        .client
        .human_address(&proof.recipient)
        .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(json!({
        "batch": batch,
        "index": index,
        "recipient": recipient,
        "amount": proof.amount.to_string(),
        "msg": ExecuteMsg::withdraw_of(&proof, recipient.clone()),
    })))
}

async fn health(State(s): State<Arc<ApiState>>) -> Response {
    let stale_after = 3 * s.poll_seconds + 60;
    let last_ok = s.metrics.last_ok();
    let healthy = last_ok.is_some_and(|t| now() <= t + stale_after);
    let body = Json(json!({
        "status": if healthy { "ok" } else { "stale" },
        "contract": s.contract,
        "chain_id": s.client.chain_id(),
        "last_round_ok_at": last_ok,
        "batches": s.node().batch_count(),
    }));
    let code = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, body).into_response()
}

async fn metrics(State(s): State<Arc<ApiState>>) -> Response {
    metrics_text(s.metrics.encode())
}

async fn openapi() -> Response {
    json_document(OPENAPI)
}

/// A `/metrics` answer: OpenMetrics text (every service's).
pub(crate) fn metrics_text(text: String) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}

/// An `/openapi.json` answer (every service's).
pub(crate) fn json_document(doc: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], doc).into_response()
}

/// Test support: the OpenAPI 3.1 document `doc` lists exactly the routes that the
/// router in `source` (a module's text) declares.
#[cfg(test)]
pub(crate) fn assert_documents_routes(doc: &str, source: &str) {
    let doc: serde_json::Value = serde_json::from_str(doc).expect("valid JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    let mut paths: Vec<&str> = doc["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .map(String::as_str)
        .collect();
    paths.sort_unstable();
    let mut routes: Vec<&str> = source
        .lines()
        .filter_map(|l| l.trim().strip_prefix(".route(\""))
        .filter_map(|l| l.split('"').next())
        .collect();
    routes.sort_unstable();
    assert_eq!(paths, routes);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every route the router serves is in the OpenAPI document, and nothing else.
    #[test]
    fn the_openapi_document_lists_every_route() {
        assert_documents_routes(OPENAPI, include_str!("api.rs"));
    }
}
