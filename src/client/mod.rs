//! The roles' connection to the hall server's LAN API (reqwest, JSON, bearer token).
//!
//! Every call has a timeout; failures are [`ClientError`]s that carry the server's JSON error
//! (`{"error", "message", "detail"}`) when there is one. [`Backoff`] paces reconnection.

mod backoff;
mod error;
mod events;
mod follow;
pub mod followups;
pub mod rating;
mod types;
mod window;

use std::time::Duration;

use reqwest::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use backoff::Backoff;
pub use error::{ApiErrorBody, ClientError, ExistingTicket};
pub use events::{EventStream, ServerEvent, SseParser};
pub use follow::{Follower, Link, heartbeat};
pub use types::{
    DeviceHealth, IssueBody, Issued, PrintReport, ServiceInfo, ServiceState, TicketInfo,
};
pub use window::{StaffInfo, TransferInfo, TransferTarget, WaitingInfo, WindowInfo, WindowTicket};

/// A client for one hall server, with one device token.
#[derive(Clone, Debug)]
pub struct HallClient {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// Default time limit for one request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

impl HallClient {
    /// `base` is e.g. `http://192.168.1.10:8610` (a trailing `/` is fine).
    pub fn new(base: &str, token: &str, timeout: Duration) -> Result<Self, ClientError> {
        let http = crate::net::http()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(3)))
            .build()
            .map_err(|e| ClientError::Setup(e.to_string()))?;
        Ok(HallClient {
            http,
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET /api/v1/health` (no token): is the server reachable and its store healthy?
    pub async fn health(&self) -> Result<(), ClientError> {
        let response = self
            .http
            .get(self.url("/api/v1/health"))
            .send()
            .await
            .map_err(ClientError::from_transport)?;
        check(response).await.map(|_| ())
    }

    /// `GET /api/v1/services`
    pub async fn services(&self) -> Result<Vec<ServiceInfo>, ClientError> {
        self.get("/api/v1/services").await
    }

    /// `POST /api/v1/tickets`
    pub async fn issue(&self, body: &IssueBody) -> Result<Issued, ClientError> {
        self.post("/api/v1/tickets", body).await
    }

    /// `GET /api/v1/tickets/{number}`: one ticket of today.
    pub async fn ticket(&self, number: &str) -> Result<TicketInfo, ClientError> {
        self.get(&format!("/api/v1/tickets/{number}")).await
    }

    /// `POST /api/v1/tickets/{id}/print`: records what became of a ticket's print job.
    pub async fn report_print(&self, id: u64, report: &PrintReport) -> Result<(), ClientError> {
        self.post_no_content(&format!("/api/v1/tickets/{id}/print"), report)
            .await
    }

    /// `POST /api/v1/devices/health`
    pub async fn report_health(&self, health: &DeviceHealth) -> Result<(), ClientError> {
        self.post_no_content("/api/v1/devices/health", health).await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let response = self
            .http
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(ClientError::from_transport)?;
        decode(check(response).await?).await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        let response = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .map_err(ClientError::from_transport)?;
        decode(check(response).await?).await
    }

    async fn post_no_content<B: Serialize>(&self, path: &str, body: &B) -> Result<(), ClientError> {
        let response = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .map_err(ClientError::from_transport)?;
        check(response).await.map(|_| ())
    }
}

/// A success status passes; anything else becomes a [`ClientError::Api`].
async fn check(response: reqwest::Response) -> Result<reqwest::Response, ClientError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let text = response.text().await.unwrap_or_default();
    Err(ClientError::from_status(status, &text))
}

async fn decode<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, ClientError> {
    let status: StatusCode = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(ClientError::from_transport)?;
    serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode {
        status: status.as_u16(),
        detail: e.to_string(),
    })
}
