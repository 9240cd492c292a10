//! The watchtower's HTTP JSON API (axum): a client hands in its newest co-signed state,
//! the other party's revocation and its authorisation; `/health`, `/metrics` and the
//! OpenAPI document (`/openapi.json`, services/openapi-watchtower.json) of every route.
//!
//! ```text
//! POST /v1/channels/{channel}/states {"signed": SignedState, "revocation": Revocation?,
//!                                     "authorisation": "<base64>"} (the contract's JSON)
//!                                    -> 200 {channel, party, version, revoked_version}
//!                                       400 a check failed | 404 no such channel
//!                                       409 older than the version held
//! GET  /v1/channels/{channel}        -> what it guards and the disputes it sent
//! GET  /health  /metrics  /openapi.json
//! ```

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use payment_channels::msg::{ChannelResponse, QueryMsg};
use serde_json::json;
use settle_client::Client;
use settle_core::channel::ChannelDomain;

use crate::config::WatchtowerConfig;
use crate::metrics::WatchtowerMetrics;
use crate::watchtower::{check_handin, Handin, Refused, WatchtowerStore};

/// The OpenAPI 3.1 document of this API.
pub const OPENAPI: &str = include_str!("../openapi-watchtower.json");

/// What the handlers share with the watchtower's loop.
pub struct WatchtowerState {
    pub store: WatchtowerStore,
    pub metrics: WatchtowerMetrics,
    /// For the channel's keys and phase (the contract's `channel` query).
    pub client: Client,
    pub contract: String,
    pub domain: ChannelDomain,
    /// This watchtower's address (what clients authorise).
    pub address: String,
    pub config: WatchtowerConfig,
    /// One hand-in checked and stored at a time (no older state overwrites a newer one).
    pub write: tokio::sync::Mutex<()>,
}

/// The routes.
pub fn router(state: Arc<WatchtowerState>) -> Router {
    Router::new()
        .route("/v1/channels/{channel}/states", post(hand_in))
        .route("/v1/channels/{channel}", get(guarded))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .with_state(state)
}

pub use crate::api::ApiError;

impl From<Refused> for ApiError {
    fn from(r: Refused) -> Self {
        let code = match r {
            Refused::UnknownChannel(_) => StatusCode::NOT_FOUND,
            Refused::Older { .. } => StatusCode::CONFLICT,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError(code, r.to_string())
    }
}

async fn hand_in(
    State(s): State<Arc<WatchtowerState>>,
    Path(channel): Path<u64>,
    body: Result<Json<Handin>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Json(handin) = body.map_err(|e| ApiError(StatusCode::BAD_REQUEST, e.body_text()))?;
    let chain: ChannelResponse = match s
        .client
        .query(&s.contract, &QueryMsg::Channel { channel })
        .await
    {
        Ok(c) => c,
        // The contract's own answer for an id it never stored.
        Err(settle_client::Error::Query { log, .. }) if log.contains("not found") => {
            return Err(Refused::UnknownChannel(channel).into())
        }
        Err(e) => {
            s.metrics.rpc_errors.inc();
            return Err(ApiError(StatusCode::BAD_GATEWAY, e.to_string()));
        }
    };
    s.config
        .check_window(chain.dispute_window)
        .map_err(|reason| Refused::Window { channel, reason })?;
    let _one_at_a_time = s.write.lock().await;
    let held = s.store.guarded(channel).await?.map(|(g, _, _)| g);
    let g = check_handin(
        &s.domain,
        &s.address,
        channel,
        &chain,
        &handin,
        held.as_ref(),
    )?;
    s.store.save(&g, crate::unix_now()).await?;
    s.metrics.states_received.inc();
    tracing::info!(
        channel,
        party = g.party.name(),
        version = g.version,
        revoked = g.revocation.map(|r| r.version),
        "state handed in"
    );
    Ok(Json(json!({
        "channel": channel,
        "party": g.party.name(),
        "version": g.version,
        "revoked_version": g.revocation.map(|r| r.version),
    })))
}

async fn guarded(
    State(s): State<Arc<WatchtowerState>>,
    Path(channel): Path<u64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Some((g, received_at, updated_at)) = s.store.guarded(channel).await? else {
        return Err(ApiError(
            StatusCode::NOT_FOUND,
            format!("this watchtower guards no channel {channel}"),
        ));
    };
    let disputes = s.store.disputes(channel).await?;
    Ok(Json(json!({
        "channel": channel,
        "party": g.party.name(),
        "version": g.version,
        "revoked_version": g.revocation.map(|r| r.version),
        "received_at": received_at,
        "updated_at": updated_at,
        "disputes": disputes,
    })))
}

async fn health(State(s): State<Arc<WatchtowerState>>) -> Response {
    let stale_after = 3 * s.config.poll_seconds + 60;
    let last_ok = s.metrics.last_ok();
    let healthy = last_ok.is_some_and(|t| crate::unix_now() <= t + stale_after);
    let body = Json(json!({
        "status": if healthy { "ok" } else { "stale" },
        "contract": s.contract,
        "chain_id": s.client.chain_id(),
        "watchtower": s.address,
        "last_round_ok_at": last_ok,
    }));
    let code = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, body).into_response()
}

async fn metrics(State(s): State<Arc<WatchtowerState>>) -> Response {
    crate::api::metrics_text(s.metrics.encode())
}

async fn openapi() -> Response {
    crate::api::json_document(OPENAPI)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every route the router serves is in the OpenAPI document, and nothing else.
    #[test]
    fn the_openapi_document_lists_every_route() {
        crate::api::assert_documents_routes(OPENAPI, include_str!("watchtower_api.rs"));
    }
}
