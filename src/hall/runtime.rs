//! The hall thread: recovery on start, then batch → engine → commit → answer, forever.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::broadcast;

use super::{Clock, Completion, Hall, HallError, Health, Job, MAX_BATCH, QUEUE_DEPTH};
use crate::core::{Change, Command, Engine, Event, Rules, Snapshot};
use crate::store::{Store, StoreError, StoredEvent};

/// Take a snapshot at least this often (in events), and at every day start (when the state
/// is smallest). Serialising a busy day's state costs milliseconds inside a commit, so not
/// more often: replaying 50,000 events on start takes well under a second.
const SNAPSHOT_EVERY: usize = 50_000;
/// The thread wakes at least this often to let time-driven rules run.
const MAX_SLEEP: Duration = Duration::from_secs(1);
/// Events kept for subscribers that fall behind (they re-read the store after that).
const BROADCAST_DEPTH: usize = 4096;

/// Why the hall could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot start the hall thread: {0}")]
    Thread(#[from] std::io::Error),
}

/// Rebuilds the engine from `store` and starts the hall thread.
///
/// The thread ends when every [`Hall`] handle is dropped; join the handle to wait for the
/// last commit.
///
/// Personal data (ID hashes, last digits) older than `retention_days` business days is
/// erased from the store at each day start.
pub fn start(
    store: Store,
    rules: Rules,
    clock: Clock,
    retention_days: u32,
) -> Result<(Hall, JoinHandle<()>), StartError> {
    let engine = recover(&store, rules.clone())?;
    let last_seq = store.last_seq()?;
    let (jobs_tx, jobs_rx) = sync_channel::<Job>(QUEUE_DEPTH);
    let (events_tx, _) = broadcast::channel(BROADCAST_DEPTH);
    let health = Arc::new(Health::new(last_seq));
    let hall = Hall {
        jobs: jobs_tx,
        events: events_tx.clone(),
        store_path: store.path().to_path_buf(),
        salt: Arc::from(store.salt()),
        health: health.clone(),
    };
    let worker = Worker {
        store,
        rules,
        engine,
        clock,
        events: events_tx,
        health,
        since_snapshot: 0,
        retention_days,
    };
    let handle = std::thread::Builder::new()
        .name("hall".into())
        .spawn(move || worker.run(jobs_rx))?;
    Ok((hall, handle))
}

/// Snapshot (if any) plus the events after it; the whole history if the snapshot cannot be
/// read (e.g. written by another version).
fn recover(store: &Store, rules: Rules) -> Result<Engine, StoreError> {
    let recovered = store.load()?;
    if let Some((seq, bytes)) = &recovered.snapshot {
        match serde_json::from_slice::<Snapshot>(bytes) {
            Ok(snapshot) => {
                let mut engine = Engine::restore(rules, snapshot);
                for stored in &recovered.events {
                    engine.apply(&stored.event);
                }
                tracing::info!(
                    snapshot_seq = seq,
                    replayed = recovered.events.len(),
                    "engine restored"
                );
                return Ok(engine);
            }
            Err(err) => {
                tracing::warn!(snapshot_seq = seq, %err, "snapshot unreadable; replaying all events");
            }
        }
    }
    let mut engine = Engine::new(rules);
    let mut after = 0;
    let mut replayed = 0usize;
    loop {
        let page = store.events_after(after, 10_000)?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for stored in &page {
            engine.apply(&stored.event);
        }
        replayed += page.len();
    }
    tracing::info!(replayed, "engine rebuilt from events");
    Ok(engine)
}

struct Worker {
    store: Store,
    rules: Rules,
    engine: Engine,
    clock: Clock,
    events: broadcast::Sender<Arc<StoredEvent>>,
    health: Arc<Health>,
    since_snapshot: usize,
    retention_days: u32,
}

impl Worker {
    fn run(mut self, jobs: Receiver<Job>) {
        loop {
            let first = match jobs.recv_timeout(self.sleep_time()) {
                Ok(job) => Some(job),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            };
            let mut batch: Vec<Job> = first.into_iter().collect();
            while batch.len() < MAX_BATCH {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            self.run_batch(batch);
        }
        tracing::info!("hall thread stopped");
    }

    fn sleep_time(&self) -> Duration {
        let now = self.clock.now();
        match self.engine.next_deadline() {
            Some(deadline) if deadline <= now => Duration::ZERO,
            Some(deadline) => {
                let wait = now.duration_until(deadline).unsigned_abs();
                wait.min(MAX_SLEEP)
            }
            None => MAX_SLEEP,
        }
    }

    fn run_batch(&mut self, batch: Vec<Job>) {
        let now = self.clock.now();
        if self.engine.day().is_none() || self.engine.next_deadline().is_some_and(|d| d <= now) {
            // Time-driven rules; a rejection here is impossible and would change nothing.
            let _ = self.engine.handle(now, Command::Tick);
        }
        let completions: Vec<Completion> = batch
            .into_iter()
            .map(|job| job(&mut self.engine, now))
            .collect();
        let events = self.engine.drain_events();
        let failure = if events.is_empty() {
            None
        } else {
            self.commit(events).err()
        };
        for complete in completions {
            complete(failure.as_ref());
        }
    }

    /// PIPL retention: erase ID digests of business days older than the retention period.
    fn purge_personal_data(&mut self) {
        let Some(day) = self.engine.day() else { return };
        let Ok(cutoff) = day
            .0
            .checked_sub(jiff::Span::new().days(i64::from(self.retention_days)))
        else {
            return;
        };
        match self.store.purge_personal_data(cutoff) {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(tickets = n, before = %cutoff, "personal data past retention erased")
            }
            Err(err) => {
                tracing::warn!(%err, "personal data purge failed; will retry at the next day start")
            }
        }
    }

    fn commit(&mut self, events: Vec<Event>) -> Result<(), HallError> {
        let day_started = events
            .iter()
            .any(|e| matches!(e.change, Change::DayStarted { .. }));
        self.since_snapshot += events.len();
        let snapshot = if day_started || self.since_snapshot >= SNAPSHOT_EVERY {
            serde_json::to_vec(&self.engine.snapshot()).ok()
        } else {
            None
        };
        match self.store.append(&events, snapshot.as_deref()) {
            Ok(seqs) => {
                if snapshot.is_some() {
                    self.since_snapshot = 0;
                }
                if let Some(last) = seqs.last() {
                    self.health.committed(*last);
                }
                if day_started {
                    self.purge_personal_data();
                }
                for (seq, event) in seqs.into_iter().zip(events) {
                    // No subscriber is fine.
                    let _ = self.events.send(Arc::new(StoredEvent { seq, event }));
                }
                Ok(())
            }
            Err(err) => {
                tracing::error!(%err, events = events.len(), "commit failed; batch refused, engine rebuilt from the store");
                let failure = HallError::Storage {
                    code: err.code(),
                    detail: err.to_string(),
                };
                self.health.failed(&failure);
                match recover(&self.store, self.rules.clone()) {
                    Ok(engine) => self.engine = engine,
                    Err(again) => {
                        tracing::error!(%again, "cannot rebuild the engine from the store; keeping memory state of the last good commit is impossible, refusing further work until restart");
                        self.health.broken();
                    }
                }
                Err(failure)
            }
        }
    }
}
