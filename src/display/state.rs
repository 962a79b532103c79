//! The hall display's state, pure: no I/O, no clock. Every input comes with `now` (an
//! `Instant` the caller read); highlights and captions end at explicit instants.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::client::{ServiceInfo, WindowInfo};
use crate::voice::config::{DEFAULT_TEMPLATE, VoiceConfig, WindowNumbers};
use crate::voice::pack::ClipIndex;
use crate::voice::wording::{Template, Wording};

/// How the display behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplaySettings {
    /// How many recent calls the list shows.
    pub recent: usize,
    /// How long a new call (or recall) stays highlighted.
    pub highlight: Duration,
    /// Without a voice zone: how long the caption of a call stays.
    pub caption_hold: Duration,
    /// With a voice zone: how long the caption stays after the voice finished.
    pub caption_linger: Duration,
    /// A voice zone of this display says the calls: captions come from its events.
    pub voice_captions: bool,
}

impl Default for DisplaySettings {
    fn default() -> Self {
        DisplaySettings {
            recent: 8,
            highlight: Duration::from_secs(8),
            caption_hold: Duration::from_secs(6),
            caption_linger: Duration::from_millis(1500),
            voice_captions: false,
        }
    }
}

/// Call or recall (重呼).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    Call,
    Recall,
}

/// A call from the event stream (`ticket_called` / `ticket_recalled`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub number: String,
    pub window: u16,
    pub kind: CallKind,
    /// The service id, when the event carries it.
    pub service: Option<String>,
    /// The event's store sequence number.
    pub seq: Option<u64>,
}

/// The link to the hall server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Online,
    Offline,
}

/// Everything the display reacts to.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// The event stream is open.
    Connected,
    /// The server cannot be reached.
    Disconnected,
    /// Every window, read when the last event seen had sequence number `as_of`.
    Windows {
        list: Vec<WindowInfo>,
        as_of: u64,
    },
    Services(Vec<ServiceInfo>),
    Call(Call),
    /// The voice zone started saying `caption`.
    VoiceStarted(String),
    /// The voice zone finished saying `caption`.
    VoiceFinished(String),
}

/// Puts a call into the words the voice says (the caption without a voice zone).
#[derive(Clone, Debug)]
pub struct Captioner {
    /// `None` only when even the default template failed to parse.
    wording: Option<Wording>,
    index: ClipIndex,
}

impl Captioner {
    /// The wording of `[voice]` (template, numbers).
    pub fn new(voice: &VoiceConfig) -> Captioner {
        let template = Template::parse(&voice.template)
            .inspect_err(|e| {
                tracing::warn!("display: voice.template invalid ({e}); using the default");
            })
            .or_else(|_| Template::parse(DEFAULT_TEMPLATE));
        Captioner {
            wording: template
                .ok()
                .map(|t| Wording::new(t, voice.one_as_yao, voice.window_numbers)),
            index: ClipIndex::builtin(),
        }
    }

    /// 「请A023号到3号窗口办理」 for (A023, 3).
    pub fn caption(&self, number: &str, window: u16) -> String {
        match &self.wording {
            Some(w) => w.say(number, window, &self.index).caption,
            None => format!("请{number}号到{window}号窗口办理"),
        }
    }
}

impl Default for Captioner {
    fn default() -> Self {
        Captioner {
            wording: Template::parse(DEFAULT_TEMPLATE)
                .ok()
                .map(|t| Wording::new(t, false, WindowNumbers::Cardinal)),
            index: ClipIndex::builtin(),
        }
    }
}

/// One window as the display knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Slot {
    pub window: u16,
    pub name: String,
    pub paused: bool,
    /// The current ticket: (number, service id).
    pub ticket: Option<(String, String)>,
    /// Sequence number of the last call event applied to this window.
    pub call_seq: u64,
    pub highlight: Option<(CallKind, Instant)>,
}

/// One line of the recent-calls list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Recent {
    pub number: String,
    pub window: u16,
    pub kind: CallKind,
    /// Highlighted until then (`None`: seeded at start, never highlighted).
    pub until: Option<Instant>,
}

/// The caption line: text and when it ends (`None`: while the voice is saying it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Caption {
    pub text: String,
    pub until: Option<Instant>,
}

/// The hall display.
#[derive(Debug)]
pub struct Display {
    pub(super) settings: DisplaySettings,
    pub(super) captioner: Captioner,
    pub(super) connection: Connection,
    pub(super) slots: Vec<Slot>,
    pub(super) services: Vec<ServiceInfo>,
    pub(super) recent: VecDeque<Recent>,
    pub(super) caption: Option<Caption>,
    /// The recent list was seeded from the windows' current tickets.
    seeded: bool,
}

impl Display {
    pub fn new(settings: DisplaySettings, captioner: Captioner) -> Display {
        Display {
            settings,
            captioner,
            connection: Connection::Connecting,
            slots: Vec::new(),
            services: Vec::new(),
            recent: VecDeque::new(),
            caption: None,
            seeded: false,
        }
    }

    pub fn settings(&self) -> &DisplaySettings {
        &self.settings
    }

    pub fn connection(&self) -> Connection {
        self.connection
    }

    /// The caption shown at `now`, if any.
    pub fn caption_at(&self, now: Instant) -> Option<&str> {
        self.caption
            .as_ref()
            .filter(|c| c.until.is_none_or(|u| now < u))
            .map(|c| c.text.as_str())
    }

    /// Whether window `n`'s current call is highlighted at `now`, and how.
    pub fn highlight_at(&self, window: u16, now: Instant) -> Option<CallKind> {
        self.slots
            .iter()
            .find(|s| s.window == window)
            .and_then(|s| s.highlight)
            .filter(|(_, until)| now < *until)
            .map(|(kind, _)| kind)
    }

    /// The current ticket number of window `n`.
    pub fn current(&self, window: u16) -> Option<&str> {
        self.slots
            .iter()
            .find(|s| s.window == window)
            .and_then(|s| s.ticket.as_ref())
            .map(|(n, _)| n.as_str())
    }

    /// The recent calls, newest first: (number, window, kind).
    pub fn recent(&self) -> impl Iterator<Item = (&str, u16, CallKind)> {
        self.recent
            .iter()
            .map(|r| (r.number.as_str(), r.window, r.kind))
    }

    pub fn handle(&mut self, now: Instant, input: Input) {
        match input {
            Input::Connected => self.connection = Connection::Online,
            Input::Disconnected => self.connection = Connection::Offline,
            Input::Windows { list, as_of } => {
                self.connection = Connection::Online;
                self.apply_windows(list, as_of);
            }
            Input::Services(list) => {
                self.connection = Connection::Online;
                self.services = list;
            }
            Input::Call(call) => self.apply_call(now, call),
            Input::VoiceStarted(text) => {
                self.caption = Some(Caption { text, until: None });
            }
            Input::VoiceFinished(text) => {
                if let Some(c) = &mut self.caption
                    && c.text == text
                    && c.until.is_none()
                {
                    c.until = Some(now + self.settings.caption_linger);
                }
            }
        }
    }

    fn slot_mut(&mut self, window: u16) -> &mut Slot {
        let at = match self.slots.iter().position(|s| s.window == window) {
            Some(i) => i,
            None => {
                let i = self.slots.partition_point(|s| s.window < window);
                self.slots.insert(
                    i,
                    Slot {
                        window,
                        name: String::new(),
                        paused: false,
                        ticket: None,
                        call_seq: 0,
                        highlight: None,
                    },
                );
                i
            }
        };
        &mut self.slots[at]
    }

    fn apply_call(&mut self, now: Instant, call: Call) {
        let until = now + self.settings.highlight;
        let slot = self.slot_mut(call.window);
        let service = call
            .service
            .clone()
            .or_else(|| {
                slot.ticket
                    .as_ref()
                    .filter(|(n, _)| *n == call.number)
                    .map(|(_, s)| s.clone())
            })
            .unwrap_or_default();
        slot.ticket = Some((call.number.clone(), service));
        if let Some(seq) = call.seq {
            slot.call_seq = slot.call_seq.max(seq);
        }
        slot.highlight = Some((call.kind, until));
        self.recent
            .retain(|r| !(r.number == call.number && r.window == call.window));
        self.recent.push_front(Recent {
            number: call.number.clone(),
            window: call.window,
            kind: call.kind,
            until: Some(until),
        });
        self.recent.truncate(self.settings.recent.max(1));
        if !self.settings.voice_captions {
            self.caption = Some(Caption {
                text: self.captioner.caption(&call.number, call.window),
                until: Some(now + self.settings.caption_hold),
            });
        }
    }

    fn apply_windows(&mut self, list: Vec<WindowInfo>, as_of: u64) {
        let mut slots = Vec::with_capacity(list.len());
        for w in &list {
            let old = self.slots.iter().find(|s| s.window == w.window);
            let fresh = w
                .ticket
                .as_ref()
                .map(|t| (t.number.clone(), t.service.clone()));
            let (ticket, call_seq, highlight) = match old {
                // A call seen after this list was read wins over the list.
                Some(s) if s.call_seq > as_of => (s.ticket.clone(), s.call_seq, s.highlight),
                Some(s) if s.ticket == fresh => (fresh, s.call_seq, s.highlight),
                Some(s) => (fresh, s.call_seq, None),
                None => (fresh, 0, None),
            };
            slots.push(Slot {
                window: w.window,
                name: w.name.clone(),
                paused: w.paused(),
                ticket,
                call_seq,
                highlight,
            });
        }
        slots.sort_by_key(|s| s.window);
        self.slots = slots;
        if !self.seeded {
            self.seeded = true;
            if self.recent.is_empty() {
                let mut current: Vec<(&str, &str, u16)> = list
                    .iter()
                    .filter_map(|w| {
                        w.ticket.as_ref().map(|t| {
                            (
                                t.called_at.as_deref().unwrap_or(""),
                                t.number.as_str(),
                                w.window,
                            )
                        })
                    })
                    .collect();
                // RFC 3339 UTC stamps sort as text; newest first.
                current.sort_by(|a, b| b.0.cmp(a.0));
                self.recent = current
                    .into_iter()
                    .take(self.settings.recent.max(1))
                    .map(|(_, number, window)| Recent {
                        number: number.to_string(),
                        window,
                        kind: CallKind::Call,
                        until: None,
                    })
                    .collect();
            }
        }
    }
}
