//! One announcer per audio zone: a std thread that takes announcements from the zone's
//! queue in order and hands each to the zone's [`Speaker`], which blocks until the audio has
//! finished — so announcements never overlap or cut each other off.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::broadcast;

use super::config::{VoiceConfig, VoiceZoneConfig};
use super::pack::{ClipIndex, Pack};
use super::queue::{Announcement, Queue, ZoneSettings};
use super::{Speaker, VoiceError, backends, clips, syn};

/// A zone's state, for the server's health view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ZoneHealth {
    pub zone: String,
    pub backend: String,
    pub online: bool,
    pub last_error: Option<String>,
    pub queue_len: usize,
    /// Announcements dropped because they waited longer than the maximum age.
    pub dropped: u64,
    /// Announcements said completely.
    pub spoken: u64,
    /// The caption being said right now.
    pub speaking: Option<String>,
}

/// What the announcer does, for captions and measurements.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum VoiceEvent {
    /// The zone started saying `caption`, `waited_ms` after the call was queued.
    Started {
        zone: String,
        number: String,
        window: u16,
        caption: String,
        waited_ms: u64,
    },
    /// The zone finished (or failed) saying `caption`.
    Finished {
        zone: String,
        caption: String,
        ok: bool,
    },
    /// A call waited longer than the maximum age and was not said.
    Dropped {
        zone: String,
        number: String,
        window: u16,
        waited_ms: u64,
    },
}

/// Builds the speaker on the announcer's own thread (audio streams need not be `Send`).
pub type SpeakerFactory = Box<dyn FnOnce() -> Box<dyn Speaker> + Send>;

struct State {
    queue: Queue,
    health: ZoneHealth,
    stop: bool,
}

struct Shared {
    settings: ZoneSettings,
    state: Mutex<State>,
    changed: Condvar,
    events: broadcast::Sender<VoiceEvent>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Stops the thread when the last handle is dropped.
struct StopOnDrop(Arc<Shared>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.lock().stop = true;
        self.0.changed.notify_all();
    }
}

/// A zone's announcer. Cheap to clone; the thread stops after the current announcement when
/// the last clone is dropped.
#[derive(Clone)]
pub struct AnnouncerHandle {
    shared: Arc<Shared>,
    _stop: Arc<StopOnDrop>,
}

impl std::fmt::Debug for AnnouncerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnnouncerHandle")
            .field("zone", &self.shared.settings.zone)
            .finish()
    }
}

/// The speaker for a zone's configured backend.
pub fn speaker_factory(zone: &VoiceZoneConfig, pack: Arc<Pack>) -> SpeakerFactory {
    let zone = zone.clone();
    Box::new(move || -> Box<dyn Speaker> {
        use super::config::VoiceBackend as B;
        match zone.backend {
            B::Clips => Box::new(clips::ClipsSpeaker::new(pack, zone.device.clone())),
            B::Syn6288 | B::Syn6658 | B::Xfs5152 => {
                let model = zone
                    .backend
                    .syn_model()
                    .unwrap_or(crate::protocol::syn::SynModel::Syn6288);
                let port = zone
                    .port
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                Box::new(syn::SynSpeaker::new(model, &port, zone.baud))
            }
            B::Sim => Box::new(backends::SimSpeaker::new(pack, zone.out_dir.clone())),
            B::None => Box::new(backends::LogSpeaker),
        }
    })
}

impl AnnouncerHandle {
    /// Starts the announcer of `zone` with its configured backend.
    pub fn spawn(
        zone: &VoiceZoneConfig,
        voice: &VoiceConfig,
    ) -> Result<AnnouncerHandle, VoiceError> {
        let settings = ZoneSettings::new(voice, zone)?;
        let pack = Pack::load(zone.pack.as_deref())?;
        let index = pack.index().clone();
        Self::spawn_with(
            settings,
            index,
            zone.backend.as_str(),
            speaker_factory(zone, pack),
        )
    }

    /// Starts an announcer in front of any speaker (tests use a fake one).
    pub fn spawn_with(
        settings: ZoneSettings,
        index: ClipIndex,
        backend: &str,
        factory: SpeakerFactory,
    ) -> Result<AnnouncerHandle, VoiceError> {
        let (events, _) = broadcast::channel(64);
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                queue: Queue::default(),
                health: ZoneHealth {
                    zone: settings.zone.clone(),
                    backend: backend.to_owned(),
                    online: true,
                    last_error: None,
                    queue_len: 0,
                    dropped: 0,
                    spoken: 0,
                    speaking: None,
                },
                stop: false,
            }),
            settings,
            changed: Condvar::new(),
            events,
        });
        let runner = Arc::clone(&shared);
        thread::Builder::new()
            .name(format!("voice-{}", shared.settings.zone))
            .spawn(move || run(&runner, &index, factory()))
            .map_err(|e| VoiceError::Config(format!("cannot start the announcer thread: {e}")))?;
        Ok(AnnouncerHandle {
            _stop: Arc::new(StopOnDrop(Arc::clone(&shared))),
            shared,
        })
    }

    /// The zone's name.
    pub fn zone(&self) -> &str {
        &self.shared.settings.zone
    }

    /// Queues a call; calls of windows this zone does not cover are ignored.
    pub fn announce(&self, a: Announcement) {
        if !self.shared.settings.covers(a.window) {
            return;
        }
        let mut state = self.shared.lock();
        state.queue.push(a);
        state.health.queue_len = state.queue.len();
        drop(state);
        self.shared.changed.notify_all();
    }

    pub fn health(&self) -> ZoneHealth {
        self.shared.lock().health.clone()
    }

    /// Started/finished/dropped events (captions for the hall display).
    pub fn subscribe(&self) -> broadcast::Receiver<VoiceEvent> {
        self.shared.events.subscribe()
    }

    /// Waits until the queue is empty and nothing is being said; false on timeout.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.shared.lock();
        loop {
            if state.queue.is_empty() && state.health.speaking.is_none() {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = self
                .shared
                .changed
                .wait_timeout(state, deadline - now)
                .map(|(s, _)| s)
                .unwrap_or_else(|poisoned| poisoned.into_inner().0);
        }
    }
}

fn local_time() -> jiff::civil::Time {
    jiff::Zoned::now().time()
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn record_error(shared: &Shared, error: &VoiceError) {
    let message = error.to_string();
    let mut state = shared.lock();
    if state.health.last_error.as_deref() != Some(message.as_str()) {
        tracing::warn!(zone = %shared.settings.zone, error = %message, "voice zone offline");
    }
    state.health.online = false;
    state.health.last_error = Some(message);
}

fn record_ok(shared: &Shared) {
    let mut state = shared.lock();
    if !state.health.online {
        tracing::info!(zone = %shared.settings.zone, "voice zone back online");
    }
    state.health.online = true;
}

fn run(shared: &Shared, index: &ClipIndex, mut speaker: Box<dyn Speaker>) {
    let zone = shared.settings.zone.clone();
    match speaker.probe() {
        Ok(()) => record_ok(shared),
        Err(e) => record_error(shared, &e),
    }
    loop {
        let mut state = shared.lock();
        while state.queue.is_empty() && !state.stop {
            state = shared
                .changed
                .wait(state)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        if state.stop {
            return;
        }
        let now = Instant::now();
        let next = state.queue.next(now, shared.settings.max_age);
        state.health.queue_len = state.queue.len();
        state.health.dropped += next.stale.len() as u64;
        let utterance = next
            .announce
            .as_ref()
            .map(|a| (a, shared.settings.utterance(a, local_time(), index)));
        if let Some((_, u)) = &utterance {
            state.health.speaking = Some(u.caption.clone());
        }
        // Sent under the lock, so that whoever sees the zone idle has the events too.
        for a in &next.stale {
            let waited_ms = millis(now.saturating_duration_since(a.enqueued_at));
            tracing::warn!(zone = %zone, number = %a.number, window = a.window, waited_ms, "stale announcement dropped");
            let _ = shared.events.send(VoiceEvent::Dropped {
                zone: zone.clone(),
                number: a.number.clone(),
                window: a.window,
                waited_ms,
            });
        }
        drop(state);
        shared.changed.notify_all();
        let Some((a, u)) = utterance else { continue };
        let _ = shared.events.send(VoiceEvent::Started {
            zone: zone.clone(),
            number: a.number.clone(),
            window: a.window,
            caption: u.caption.clone(),
            waited_ms: millis(a.enqueued_at.elapsed()),
        });
        let result = speaker.speak(&u);
        match &result {
            Ok(()) => record_ok(shared),
            Err(e) => record_error(shared, e),
        }
        {
            let mut state = shared.lock();
            state.health.speaking = None;
            if result.is_ok() {
                state.health.spoken += 1;
            }
            let _ = shared.events.send(VoiceEvent::Finished {
                zone: zone.clone(),
                caption: u.caption,
                ok: result.is_ok(),
            });
        }
        shared.changed.notify_all();
    }
}
