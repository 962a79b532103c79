//! Shared helpers for integration tests: an in-process hall server on 127.0.0.1:0 with a
//! hand-moved clock, and a tiny SSE reader.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;

use hallq::config::HallConfig;
use hallq::hall::{Clock, ManualClock};
use hallq::roles::serve::{open_hall, serve_until};
use jiff::Timestamp;
use tokio::sync::oneshot;

pub const CONFIG_24H: &str = include_str!("../fixtures/hall-24h.toml");
pub const KIOSK: &str = "kiosk-token-1";
pub const ADMIN: &str = "admin-token-1";
pub const DISPLAY: &str = "display-token-1";
pub const WINDOW1: &str = "window-token-1";
pub const WINDOW2: &str = "window-token-2";

/// Monday 2026-11-23 10:00 in Shanghai.
pub fn monday_10am() -> Timestamp {
    "2026-11-23T10:00:00+08:00[Asia/Shanghai]"
        .parse::<jiff::Zoned>()
        .unwrap()
        .timestamp()
}

pub struct TestServer {
    pub base: String,
    pub addr: SocketAddr,
    pub clock: ManualClock,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), String>>>,
}

impl TestServer {
    pub async fn start(config: &str, at: Timestamp) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        Self::start_in(config, at, dir).await
    }

    pub async fn start_in(config: &str, at: Timestamp, dir: tempfile::TempDir) -> TestServer {
        let config = HallConfig::parse(config).unwrap();
        let (clock, handle) = Clock::manual(at);
        let running = open_hall(config, dir.path(), clock).unwrap();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let (addr_tx, addr_rx) = oneshot::channel();
        let task = tokio::spawn(async move {
            serve_until(
                running,
                "127.0.0.1:0".parse().unwrap(),
                async move {
                    let _ = stop_rx.await;
                },
                move |addr| {
                    let _ = addr_tx.send(addr);
                },
            )
            .await
        });
        let addr = addr_rx.await.unwrap();
        TestServer {
            base: format!("http://{addr}"),
            addr,
            clock: handle,
            dir,
            http: hallq::net::http().build().unwrap(),
            stop: Some(stop_tx),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("hall.db")
    }

    pub async fn post(
        &self,
        path: &str,
        token: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let r = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn get(&self, path: &str, token: &str) -> (u16, serde_json::Value) {
        let r = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn issue(&self, service: &str) -> serde_json::Value {
        let (status, body) = self
            .post(
                "/api/v1/tickets",
                KIOSK,
                serde_json::json!({ "service": service }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }

    /// Stops the server and waits for the hall thread's last commit; keeps the data dir.
    pub async fn stop(mut self) -> tempfile::TempDir {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
        self.dir
    }
}

/// One parsed Server-Sent Event.
#[derive(Debug, Clone)]
pub struct Sse {
    pub id: Option<u64>,
    pub event: Option<String>,
    pub data: serde_json::Value,
}

/// Reads `count` events from an open SSE response (skipping keep-alive comments).
pub async fn read_events(response: &mut reqwest::Response, count: usize) -> Vec<Sse> {
    let mut buffer = String::new();
    let mut out = Vec::new();
    while out.len() < count {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), response.chunk())
            .await
            .expect("event stream stalled")
            .unwrap()
            .expect("event stream ended");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut sse = Sse {
                id: None,
                event: None,
                data: serde_json::Value::Null,
            };
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    sse.id = v.trim().parse().ok();
                } else if let Some(v) = line.strip_prefix("event:") {
                    sse.event = Some(v.trim().to_string());
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            if !data.is_empty() {
                sse.data = serde_json::from_str(&data).unwrap();
                out.push(sse);
            }
        }
    }
    out
}
