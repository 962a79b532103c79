//! The hall runtime: one thread owns the engine and the store.
//!
//! Requests arrive on a channel. The thread takes every request that is waiting (up to
//! [`MAX_BATCH`]), runs them through the engine, commits all resulting events in ONE
//! SQLite transaction (group commit, `synchronous=FULL`), and only then answers the
//! requests and publishes the events. If the commit fails, every request of the batch gets
//! the storage error and the engine is rebuilt from the store, so nothing half-done is
//! visible anywhere.

mod clock;
mod runtime;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use tokio::sync::{broadcast, oneshot};

pub use clock::{Clock, ManualClock};
pub use runtime::start;

use crate::core::{Command, Engine, Rejected, Reply};
use crate::store::StoredEvent;

/// Requests waiting beyond this are refused with `Busy` instead of queueing without bound.
pub const QUEUE_DEPTH: usize = 8192;
/// Most requests committed in one transaction.
pub const MAX_BATCH: usize = 512;

/// Why a request to the hall did not succeed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum HallError {
    #[error(transparent)]
    Rejected(#[from] Rejected),
    /// The store refused the commit; nothing of the request was kept.
    #[error("storage failure ({code}): {detail}")]
    Storage { code: &'static str, detail: String },
    #[error("the hall server is overloaded")]
    Busy,
    #[error("the hall server is shutting down")]
    ShuttingDown,
}

/// What a job leaves to do once its batch is committed (or has failed).
type Completion = Box<dyn FnOnce(Option<&HallError>) + Send>;
/// Work run on the hall thread with the engine and the clock's `now`.
type Job = Box<dyn FnOnce(&mut Engine, Timestamp) -> Completion + Send>;

/// A cheap, cloneable way to reach the hall thread.
#[derive(Clone)]
pub struct Hall {
    jobs: SyncSender<Job>,
    events: broadcast::Sender<Arc<StoredEvent>>,
    store_path: PathBuf,
    salt: Arc<[u8]>,
    health: Arc<Health>,
}

/// What the hall thread reports about itself, readable without asking it.
#[derive(Debug)]
pub struct Health {
    last_seq: AtomicU64,
    broken: AtomicBool,
    last_error: Mutex<Option<String>>,
}

impl Health {
    fn new(last_seq: u64) -> Self {
        Health {
            last_seq: AtomicU64::new(last_seq),
            broken: AtomicBool::new(false),
            last_error: Mutex::new(None),
        }
    }

    fn committed(&self, seq: u64) {
        self.last_seq.store(seq, Ordering::Release);
        if let Ok(mut e) = self.last_error.lock() {
            *e = None;
        }
    }

    fn failed(&self, err: &HallError) {
        if let Ok(mut e) = self.last_error.lock() {
            *e = Some(err.to_string());
        }
    }

    fn broken(&self) {
        self.broken.store(true, Ordering::Release);
    }

    /// Sequence number of the last committed event.
    pub fn last_seq(&self) -> u64 {
        self.last_seq.load(Ordering::Acquire)
    }

    /// The last commit failed and nothing has been committed since.
    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().ok().and_then(|e| e.clone())
    }

    /// The engine could not be rebuilt after a failed commit: the process must restart.
    pub fn is_broken(&self) -> bool {
        self.broken.load(Ordering::Acquire)
    }
}

impl Hall {
    /// Runs `command`; on success `view` builds the answer from the engine right after the
    /// command. The answer is delivered only after the events are durable.
    pub async fn execute<T, F>(&self, command: Command, view: F) -> Result<T, HallError>
    where
        T: Send + 'static,
        F: FnOnce(&Engine, Reply) -> T + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |engine, now| {
            let outcome = engine.handle(now, command).map(|reply| view(engine, reply));
            Box::new(move |failure: Option<&HallError>| {
                let result = match failure {
                    Some(err) => Err(err.clone()),
                    None => outcome.map_err(HallError::from),
                };
                let _ = tx.send(result);
            })
        });
        self.submit(job)?;
        rx.await.map_err(|_| HallError::ShuttingDown)?
    }

    /// Like [`Hall::execute`], but `check` runs first, on the same engine state: a command
    /// that must act on what the client saw (e.g. the visit on the evaluator's screen)
    /// is refused when that changed in between, with no window for a race.
    pub async fn execute_checked<T, C, F>(
        &self,
        command: Command,
        check: C,
        view: F,
    ) -> Result<T, HallError>
    where
        T: Send + 'static,
        C: FnOnce(&Engine) -> Result<(), Rejected> + Send + 'static,
        F: FnOnce(&Engine, Reply) -> T + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |engine, now| {
            let outcome = check(engine)
                .and_then(|()| engine.handle(now, command))
                .map(|reply| view(engine, reply));
            Box::new(move |failure: Option<&HallError>| {
                let result = match failure {
                    Some(err) => Err(err.clone()),
                    None => outcome.map_err(HallError::from),
                };
                let _ = tx.send(result);
            })
        });
        self.submit(job)?;
        rx.await.map_err(|_| HallError::ShuttingDown)?
    }

    /// Reads the engine (after all earlier requests are committed).
    pub async fn query<T, F>(&self, read: F) -> Result<T, HallError>
    where
        T: Send + 'static,
        F: FnOnce(&Engine, Timestamp) -> T + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |engine, now| {
            let value = read(engine, now);
            Box::new(move |_failure: Option<&HallError>| {
                let _ = tx.send(value);
            })
        });
        self.submit(job)?;
        rx.await.map_err(|_| HallError::ShuttingDown)
    }

    fn submit(&self, job: Job) -> Result<(), HallError> {
        if self.health.is_broken() {
            return Err(HallError::Storage {
                code: "storage_broken",
                detail: "the store could not be re-read after a failed commit; restart hallq"
                    .into(),
            });
        }
        self.jobs.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => HallError::Busy,
            TrySendError::Disconnected(_) => HallError::ShuttingDown,
        })
    }

    /// Live events, in commit order, after they are durable.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<StoredEvent>> {
        self.events.subscribe()
    }

    pub fn store_path(&self) -> &Path {
        &self.store_path
    }

    pub fn health(&self) -> &Health {
        &self.health
    }

    /// The per-hall secret for hashing ID numbers.
    pub fn salt(&self) -> &[u8] {
        &self.salt
    }
}
