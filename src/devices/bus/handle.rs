//! [`BusHandle`]: the cheap, cloneable front of one bus thread.

use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle, ThreadId};

use serialport::SerialPort;

use super::evaluator::{EvaluatorActions, Prompt, RatingPress};
use super::health::BusHealth;
use super::link::open_port;
use super::worker::{Shared, Worker, evaluators, keypads};
use super::{BusError, KeypadActions};
use crate::config::bus::BusConfig;

/// What the devices on a bus do in the hall.
#[derive(Clone)]
pub struct BusActions {
    pub keypads: Arc<dyn KeypadActions>,
    pub evaluators: Arc<dyn EvaluatorActions>,
    /// Written to every evaluator's `0x0021` ([ratings].timeout_s).
    pub rating_timeout_s: u16,
}

impl BusActions {
    /// Keypads only: a bus with evaluators configured refuses to start with these.
    pub fn keypads(keypads: Arc<dyn KeypadActions>) -> BusActions {
        BusActions {
            keypads,
            evaluators: Arc::new(NoEvaluators),
            rating_timeout_s: 0,
        }
    }
}

/// Stands in when only keypads are wired ([`BusActions::keypads`]).
struct NoEvaluators;

impl EvaluatorActions for NoEvaluators {
    fn on_rating(&self, _press: RatingPress) -> Result<(), String> {
        Err("no evaluator actions are wired".into())
    }
}

/// Talks to one bus thread. Clones share it; the thread stops when [`BusHandle::stop`] is
/// called or the last clone is dropped. (An action that keeps a clone to call
/// [`BusHandle::set_display`] keeps the bus alive: call `stop` on shutdown.)
#[derive(Clone)]
pub struct BusHandle {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
    thread_id: ThreadId,
    name: String,
}

impl std::fmt::Debug for BusHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BusHandle")
            .field("name", &self.inner.name)
            .finish()
    }
}

impl BusHandle {
    /// Opens `config.port` and starts polling. A port that cannot be opened now (a dongle
    /// plugged in after boot) or that vanishes later is tried again every `reprobe_ms`; its
    /// state shows in [`BusHandle::health`]. Errors only for a bad configuration or when the
    /// thread cannot start. Keypads only; [`BusHandle::spawn_with`] for a bus with
    /// evaluators.
    pub fn spawn(
        config: BusConfig,
        actions: Arc<dyn KeypadActions>,
    ) -> Result<BusHandle, BusError> {
        Self::refuse_evaluators(&config)?;
        Self::spawn_with(config, BusActions::keypads(actions))
    }

    /// [`BusHandle::spawn`] for keypads and evaluators.
    pub fn spawn_with(config: BusConfig, actions: BusActions) -> Result<BusHandle, BusError> {
        keypads(&config)?;
        evaluators(&config)?;
        let port = open_port(&config.port, config.baud, config.parity).map_err(|e| {
            tracing::warn!(bus = %config.name, port = %config.port.display(), error = %e,
                "bus port cannot be opened now; trying again every reprobe_ms");
            e.to_string()
        });
        Self::start(port, config, actions)
    }

    /// Starts polling on a port opened by the caller (a PTY in tests). A reopen after a
    /// port failure uses `config.port`. Keypads only.
    pub fn spawn_on(
        port: Box<dyn SerialPort>,
        config: BusConfig,
        actions: Arc<dyn KeypadActions>,
    ) -> Result<BusHandle, BusError> {
        Self::refuse_evaluators(&config)?;
        Self::start(Ok(port), config, BusActions::keypads(actions))
    }

    /// [`BusHandle::spawn_on`] for keypads and evaluators.
    pub fn spawn_on_with(
        port: Box<dyn SerialPort>,
        config: BusConfig,
        actions: BusActions,
    ) -> Result<BusHandle, BusError> {
        Self::start(Ok(port), config, actions)
    }

    fn refuse_evaluators(config: &BusConfig) -> Result<(), BusError> {
        if config.evaluators.is_empty() {
            Ok(())
        } else {
            Err(BusError::NoEvaluatorActions {
                name: config.name.clone(),
            })
        }
    }

    fn start(
        port: Result<Box<dyn SerialPort>, String>,
        config: BusConfig,
        actions: BusActions,
    ) -> Result<BusHandle, BusError> {
        let devices = (keypads(&config)?, evaluators(&config)?);
        let shared = Arc::new(Shared::new(&config));
        let name = config.name.clone();
        let worker = Worker::new(config, Arc::clone(&shared), actions, devices, port);
        let thread = thread::Builder::new()
            .name(format!("bus-{name}"))
            .spawn(move || worker.run())
            .map_err(BusError::Thread)?;
        Ok(BusHandle {
            inner: Arc::new(Inner {
                shared,
                thread_id: thread.thread().id(),
                thread: Mutex::new(Some(thread)),
                name,
            }),
        })
    }

    /// The text for window `window`'s keypad LCD (16 bytes of GB2312: 8 Hanzi or 16
    /// ASCII characters); written at the next round if it changed. Never blocks on I/O.
    pub fn set_display(&self, window: u16, text: String) {
        let mut state = self.inner.shared.lock();
        if state.displays.get(&window) != Some(&text) {
            state.displays.insert(window, text);
            state.woken = true;
            self.inner.shared.wake.notify_all();
        }
    }

    /// Whether window `window`'s evaluator should ask for a rating: `0x0020` is written at
    /// the next round if it changed (1 again for every new [`Prompt::Ask`] id). Never blocks
    /// on I/O.
    pub fn set_prompt(&self, window: u16, prompt: Prompt) {
        let mut state = self.inner.shared.lock();
        if state.prompts.get(&window) != Some(&prompt) {
            state.prompts.insert(window, prompt);
            state.woken = true;
            self.inner.shared.wake.notify_all();
        }
    }

    /// The bus and its devices as of the last round (no I/O).
    pub fn health(&self) -> BusHealth {
        self.inner.shared.lock().health.clone()
    }

    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Stops the thread and waits for it (the current round finishes first). Safe to call
    /// twice; from the bus thread itself (inside an action) it only asks it to stop.
    pub fn stop(&self) {
        self.inner.stop();
    }
}

impl Inner {
    fn stop(&self) {
        {
            let mut state = self.shared.lock();
            state.stop = true;
            self.shared.wake.notify_all();
        }
        if thread::current().id() == self.thread_id {
            return;
        }
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(t) = thread {
            let _ = t.join();
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop();
    }
}
