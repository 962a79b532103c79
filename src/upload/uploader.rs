//! The uploader task: reads due records from the outbox, sends them in batches, and notes
//! in the outbox what the platform accepted.
//!
//! Delivery is at least once on the wire and exactly once as the platform sees it: a
//! record is marked delivered only after the platform named its key as accepted, and
//! everything else is sent again with the same key. The only window for a second copy is
//! between the platform storing a batch and the hall noting the answer (a timeout, a lost
//! connection, a power cut); the platform drops such copies by key.
//!
//! - Every database call runs on the blocking pool, never on a Tokio worker.
//! - A batch whose answer arrived is always noted before the task stops; a stop request
//!   waits for the request in flight (at most the request timeout).
//! - After a failed batch (no connection, timeout, non-2xx, unreadable answer, or a 2xx
//!   that accepted nothing) the failed records wait per [`super::backoff`] and the task
//!   sends nothing until the batch's delay has passed, so an outage of days costs one
//!   request per backoff period, not one per record.
//! - It wakes every few seconds, and at once on [`UploadHandle::nudge`].

use std::collections::HashSet;
use std::error::Error as _;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::{Notify, broadcast, watch};
use tokio::task::JoinHandle;

use super::backoff;
use super::format::{self, Format};
use super::health::UploadStatus;
use crate::config::UploadConfig;
use crate::core::Change;
use crate::server::{DeviceHealthDto, LocalDevices};
use crate::store::StoredEvent;
use crate::store::outbox::{Backlog, MAX_WAIT_MS, Outbox};
use crate::store::records::OutboxItem;

/// How often the task looks for due records without a nudge.
pub const POLL: Duration = Duration::from_secs(5);
/// Largest platform answer read.
const MAX_ANSWER_BYTES: usize = 1 << 20;

/// Timings of the task. Normally from `[upload]`; tests shorten them.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    pub poll: Duration,
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    pub request_timeout: Duration,
    /// Delivered records are deleted from the outbox this long after delivery.
    pub keep_delivered: Duration,
    /// How often that clean-up runs (while the outbox is idle).
    pub prune_every: Duration,
}

const DAY: Duration = Duration::from_secs(24 * 3600);
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

impl Timing {
    pub fn from_config(config: Option<&UploadConfig>) -> Timing {
        match config {
            Some(c) => Timing {
                poll: POLL,
                min_backoff: Duration::from_secs(c.min_backoff_s),
                max_backoff: Duration::from_secs(c.max_backoff_s),
                request_timeout: Duration::from_secs(c.timeout_s),
                keep_delivered: DAY * c.keep_delivered_days,
                prune_every: PRUNE_EVERY,
            },
            None => Timing {
                poll: POLL,
                min_backoff: Duration::from_secs(5),
                max_backoff: Duration::from_secs(1800),
                request_timeout: Duration::from_secs(10),
                keep_delivered: DAY * crate::config::upload::default_keep_delivered_days(),
                prune_every: PRUNE_EVERY,
            },
        }
    }
}

/// Starts uploader tasks.
pub struct Uploader;

impl Uploader {
    /// Starts the uploader for the hall database at `db_path` (the hall server has opened
    /// it). Without `config` nothing is sent, but the backlog is still reported. Runs until
    /// `shutdown` completes (or [`UploadHandle::stop`]); await [`UploadHandle::join`] after
    /// it so an answer in flight is noted. Call it inside a Tokio runtime; outside one the
    /// handle reports the error and nothing runs.
    pub fn spawn(
        db_path: &Path,
        config: Option<UploadConfig>,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> UploadHandle {
        let timing = Timing::from_config(config.as_ref());
        Self::spawn_with(db_path, config, shutdown, timing)
    }

    /// [`Uploader::spawn`] with explicit timings (tests: sub-second backoff).
    #[doc(hidden)]
    pub fn spawn_with(
        db_path: &Path,
        config: Option<UploadConfig>,
        shutdown: impl Future<Output = ()> + Send + 'static,
        timing: Timing,
    ) -> UploadHandle {
        let (stop_tx, stop_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            nudge: Notify::new(),
            stop: stop_tx,
            status: Mutex::new(UploadStatus {
                configured: config.is_some(),
                ..UploadStatus::default()
            }),
            task: Mutex::new(None),
        });
        let handle = UploadHandle {
            shared: shared.clone(),
        };
        let runtime = match tokio::runtime::Handle::try_current() {
            Ok(r) => r,
            Err(_) => {
                shared.update(|s| s.fatal = Some("started outside the async runtime".into()));
                tracing::error!("uploader started outside the async runtime; nothing is sent");
                return handle;
            }
        };
        let sender = match config.map(|c| Sender::new(c, timing)).transpose() {
            Ok(s) => s,
            Err(fatal) => {
                tracing::error!(error = %fatal, "uploader cannot start; nothing is sent");
                shared.update(|s| s.fatal = Some(fatal));
                None
            }
        };
        let forward = shared.clone();
        runtime.spawn(async move {
            shutdown.await;
            forward.stop.send_replace(true);
        });
        shared.update(|s| s.running = true);
        let task = Task {
            shared: shared.clone(),
            db: DbSlot {
                path: db_path.to_path_buf(),
                outbox: None,
            },
            sender,
            timing,
            stop: stop_rx,
            pruned_at: None,
        };
        let join = runtime.spawn(task.run());
        if let Ok(mut slot) = shared.task.lock() {
            *slot = Some(join);
        }
        handle
    }
}

/// A cheap, cloneable handle on a running uploader.
#[derive(Clone)]
pub struct UploadHandle {
    shared: Arc<Shared>,
}

struct Shared {
    nudge: Notify,
    stop: watch::Sender<bool>,
    status: Mutex<UploadStatus>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, UploadStatus> {
        self.status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn update(&self, f: impl FnOnce(&mut UploadStatus)) {
        let mut status = self.lock();
        f(&mut status);
        status.updated_ms = Some(now_ms());
    }
}

impl UploadHandle {
    /// New records were committed: look at the outbox now instead of at the next poll
    /// (ignored while the platform is in backoff).
    pub fn nudge(&self) {
        self.shared.nudge.notify_one();
    }

    /// The last backlog read from the outbox (`None` before the first read).
    pub fn backlog(&self) -> Option<Backlog> {
        self.shared.lock().backlog
    }

    pub fn status(&self) -> UploadStatus {
        self.shared.lock().clone()
    }

    /// Asks the task to stop after the batch in flight is noted.
    pub fn stop(&self) {
        self.shared.stop.send_replace(true);
    }

    /// Waits until the task has ended (after `shutdown` or [`UploadHandle::stop`]).
    pub async fn join(&self) {
        let task = self.shared.task.lock().ok().and_then(|mut t| t.take());
        if let Some(task) = task {
            let _ = task.await;
        }
    }

    /// Ends the task at once, wherever it is (a crash or power cut, for tests).
    #[doc(hidden)]
    pub fn abort(&self) {
        if let Ok(task) = self.shared.task.lock()
            && let Some(task) = task.as_ref()
        {
            task.abort();
        }
        self.shared.update(|s| s.running = false);
    }

    /// Nudges the uploader whenever the hall commits a rating or a follow-up change, until
    /// the hall closes its event stream. Spawn it: `tokio::spawn(handle.clone()
    /// .nudge_on_events(hall.subscribe()))`.
    pub async fn nudge_on_events(self, mut events: broadcast::Receiver<Arc<StoredEvent>>) {
        loop {
            match events.recv().await {
                Ok(stored) => {
                    if matches!(
                        stored.event.change,
                        Change::TicketRated { .. }
                            | Change::FollowUpOpened { .. }
                            | Change::FollowUpUpdated { .. }
                    ) {
                        self.nudge();
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => self.nudge(),
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    }
}

impl LocalDevices for UploadHandle {
    fn health(&self) -> Vec<DeviceHealthDto> {
        vec![self.status().device(now_ms())]
    }
}

fn now_ms() -> i64 {
    Timestamp::now().as_millisecond()
}

/// The HTTP side: client, format and settings.
struct Sender {
    client: reqwest::Client,
    format: Box<dyn Format>,
    config: UploadConfig,
    timeout: Duration,
}

impl Sender {
    fn new(config: UploadConfig, timing: Timing) -> Result<Sender, String> {
        let format = format::by_name(&config.format)
            .ok_or_else(|| format!("unknown upload format {:?}", config.format))?;
        let mut builder = crate::net::http();
        if let Some(path) = &config.ca_file {
            let pem = std::fs::read(path)
                .map_err(|e| format!("cannot read upload.ca_file {}: {e}", path.display()))?;
            let roots = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| format!("upload.ca_file {}: {}", path.display(), chain(&e)))?;
            if roots.is_empty() {
                return Err(format!(
                    "upload.ca_file {}: no PEM certificate in it",
                    path.display()
                ));
            }
            builder = builder.tls_certs_merge(roots);
        }
        let client = builder
            .timeout(timing.request_timeout)
            .connect_timeout(timing.request_timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("hallq/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {}", chain(&e)))?;
        Ok(Sender {
            client,
            format,
            config,
            timeout: timing.request_timeout,
        })
    }

    /// Sends one batch; the keys the platform accepted, or why the batch failed.
    async fn send(&self, items: &[OutboxItem]) -> Result<HashSet<String>, String> {
        let pairs: Vec<(&str, &crate::store::records::UploadRecord)> =
            items.iter().map(|i| (i.key.as_str(), &i.record)).collect();
        let request = self
            .format
            .request(&self.config.hall_code, &pairs)
            .map_err(|e| e.to_string())?;
        let mut builder = self
            .client
            .post(&self.config.url)
            .header(reqwest::header::CONTENT_TYPE, request.content_type)
            .body(request.body);
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        if let Some(token) = &self.config.token {
            builder = builder.bearer_auth(token);
        }
        let mut response = builder.send().await.map_err(|e| self.describe(&e))?;
        let status = response.status();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.describe(&e))? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err("the platform's answer is too large".into());
            }
            body.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            return Err(format!("the platform answered HTTP {}", status.as_u16()));
        }
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| *k).collect();
        self.format
            .accepted(&keys, &body)
            .map_err(|e| e.to_string())
    }

    /// English, without the URL (it may carry a secret in its query).
    fn describe(&self, e: &reqwest::Error) -> String {
        if e.is_timeout() {
            format!("no answer within {} s", self.timeout.as_secs_f64())
        } else if e.is_connect() {
            format!("cannot connect to the platform ({})", chain(e))
        } else {
            format!("request failed ({})", chain(e))
        }
    }
}

/// An error and its sources, without URLs, shortened.
fn chain(e: &reqwest::Error) -> String {
    let mut parts = vec![strip_url(&e.to_string())];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(strip_url(&s.to_string()));
        source = s.source();
    }
    let text = parts.join(": ");
    text.chars().take(240).collect()
}

/// Drops reqwest's " for url (…)" from an error text.
fn strip_url(text: &str) -> String {
    match text.find(" for url (") {
        Some(start) => {
            let rest = &text[start..];
            let end = rest.find(')').map_or(text.len(), |i| start + i + 1);
            format!("{}{}", &text[..start], &text[end..])
        }
        None => text.to_string(),
    }
}

/// The outbox connection, opened on first use and reopened after an error.
struct DbSlot {
    path: PathBuf,
    outbox: Option<Outbox>,
}

impl DbSlot {
    /// Runs `f` on the blocking pool with the outbox.
    async fn call<T: Send + 'static>(
        &mut self,
        f: impl FnOnce(&mut Outbox) -> Result<T, crate::store::StoreError> + Send + 'static,
    ) -> Result<T, String> {
        let outbox = self.outbox.take();
        let path = self.path.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let mut outbox = match outbox {
                Some(o) => o,
                None => match Outbox::open(&path) {
                    Ok(o) => o,
                    Err(e) => return (None, Err(e)),
                },
            };
            let result = f(&mut outbox);
            // After an error the connection is reopened next time.
            let keep = result.is_ok().then_some(outbox);
            (keep, result)
        })
        .await;
        match joined {
            Ok((outbox, result)) => {
                self.outbox = outbox;
                result.map_err(|e| e.to_string())
            }
            Err(e) => Err(format!("outbox task failed: {e}")),
        }
    }
}

struct Task {
    shared: Arc<Shared>,
    db: DbSlot,
    sender: Option<Sender>,
    timing: Timing,
    stop: watch::Receiver<bool>,
    /// When delivered records were last pruned.
    pruned_at: Option<std::time::Instant>,
}

impl Task {
    async fn run(mut self) {
        tracing::info!(
            configured = self.sender.is_some(),
            format = self.sender.as_ref().map_or("", |s| s.format.name()),
            "uploader started"
        );
        // Accepted ids not yet noted in the outbox: noted before anything else is sent.
        let mut unsaved: Vec<i64> = Vec::new();
        // Consecutive failed batches: the platform-wide pause grows with them.
        let mut failures: u32 = 0;
        loop {
            if *self.stop.borrow() {
                break;
            }
            if !unsaved.is_empty() {
                let ids = unsaved.clone();
                match self.db.call(move |o| o.delivered(&ids, now_ms())).await {
                    Ok(_) => unsaved.clear(),
                    Err(e) => {
                        self.db_failed(e);
                        self.pause(self.timing.poll, false).await;
                        continue;
                    }
                }
            }
            let Some(sender) = self.sender.as_ref() else {
                self.refresh().await;
                self.pause(self.timing.poll, true).await;
                continue;
            };
            let limit = sender.config.batch.max(1);
            let items = match self.db.call(move |o| o.due(now_ms(), limit)).await {
                Ok(items) => items,
                Err(e) => {
                    self.db_failed(e);
                    self.pause(self.timing.poll, false).await;
                    continue;
                }
            };
            if items.is_empty() {
                self.prune().await;
                self.refresh().await;
                self.pause(self.timing.poll, true).await;
                continue;
            }
            // Not interrupted by a stop request: the answer must be noted.
            let outcome = sender.send(&items).await;
            let (min, max) = (self.timing.min_backoff, self.timing.max_backoff);
            let (taken, refused): (Vec<&OutboxItem>, Vec<&OutboxItem>) = match &outcome {
                Ok(keys) => items.iter().partition(|i| keys.contains(&i.key)),
                Err(_) => (Vec::new(), items.iter().collect()),
            };
            if !taken.is_empty() {
                let ids: Vec<i64> = taken.iter().map(|i| i.id).collect();
                let noted = ids.clone();
                if let Err(e) = self.db.call(move |o| o.delivered(&noted, now_ms())).await {
                    unsaved = ids;
                    self.db_failed(e);
                }
                if failures > 0 {
                    tracing::info!("the platform accepts records again");
                }
                failures = 0;
                let (at, count) = (now_ms(), u64::try_from(taken.len()).unwrap_or(0));
                self.shared.update(|s| {
                    s.last_delivery_ms = Some(at);
                    s.delivered += count;
                });
                tracing::debug!(records = count, "delivered to the platform");
            }
            if refused.is_empty() {
                self.shared.update(|s| s.last_error = None);
                self.refresh().await;
                continue;
            }
            let error = match outcome {
                Err(e) => e,
                Ok(_) => format!(
                    "the platform did not accept {} of {} records",
                    refused.len(),
                    items.len()
                ),
            };
            let now = now_ms();
            let marks: Vec<(i64, i64)> = refused
                .iter()
                .map(|i| {
                    let wait = backoff::delay_random(min, max, i.attempts.saturating_add(1));
                    (i.id, now.saturating_add(millis(wait).min(MAX_WAIT_MS)))
                })
                .collect();
            let noted = error.clone();
            if let Err(e) = self.db.call(move |o| o.failed_all(&marks, &noted)).await {
                self.db_failed(e);
            }
            self.shared.update(|s| s.last_error = Some(error.clone()));
            self.refresh().await;
            if taken.is_empty() {
                // The platform took nothing: send nothing until this batch's delay passed.
                failures = failures.saturating_add(1);
                let wait = backoff::delay_random(min, max, failures);
                tracing::warn!(records = refused.len(), error = %error, retry_in_s = wait.as_secs_f64(), "upload to the platform failed");
                self.pause(wait, false).await;
            } else {
                tracing::warn!(records = refused.len(), accepted = taken.len(), error = %error, "the platform accepted only part of a batch");
            }
        }
        if !unsaved.is_empty() {
            // One last try; if it fails too, those records are sent again after the restart
            // and the platform drops the copies by key.
            let ids = std::mem::take(&mut unsaved);
            if let Err(e) = self.db.call(move |o| o.delivered(&ids, now_ms())).await {
                self.db_failed(e);
            }
        }
        self.shared.update(|s| s.running = false);
        tracing::info!("uploader stopped");
    }

    /// Deletes delivered records past their retention, at most every `prune_every`.
    async fn prune(&mut self) {
        let now = std::time::Instant::now();
        if self
            .pruned_at
            .is_some_and(|at| now.saturating_duration_since(at) < self.timing.prune_every)
        {
            return;
        }
        self.pruned_at = Some(now);
        let before = now_ms().saturating_sub(millis(self.timing.keep_delivered));
        match self.db.call(move |o| o.prune_delivered(before)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                records = n,
                "delivered records past retention removed from the outbox"
            ),
            Err(e) => self.db_failed(e),
        }
    }

    /// Reads the backlog gauge into the status.
    async fn refresh(&mut self) {
        let read = self
            .db
            .call(|o| {
                let backlog = o.backlog()?;
                let last = if backlog.failing > 0 {
                    o.last_error()?
                } else {
                    None
                };
                Ok((backlog, last))
            })
            .await;
        match read {
            Ok((backlog, stored_error)) => self.shared.update(|s| {
                s.backlog = Some(backlog);
                s.db_error = None;
                if s.last_error.is_none() && s.configured {
                    s.last_error = stored_error;
                }
            }),
            Err(e) => self.db_failed(e),
        }
    }

    fn db_failed(&self, error: String) {
        tracing::warn!(error = %error, "uploader cannot use the outbox");
        self.shared.update(|s| s.db_error = Some(error));
    }

    /// Waits `d`, or less on a stop request (or a nudge when `nudgeable`).
    async fn pause(&mut self, d: Duration, nudgeable: bool) {
        let shared = self.shared.clone();
        tokio::select! {
            _ = tokio::time::sleep(d) => {}
            _ = shared.nudge.notified(), if nudgeable => {}
            _ = self.stop.wait_for(|stop| *stop) => {}
        }
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests;
