//! The evaluator's state machine. Pure: no I/O, no clock — every input comes with `now` (an
//! `Instant` the caller read), every request leaves as an [`Effect`].
//!
//! One visit at a time: when the window finishes a ticket the server reports it as
//! `pending`; the evaluator asks until the countdown ends, the visit is rated (here or
//! elsewhere) or the server stops waiting. A visit it is done with is never asked again.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::client::rating::{Rated, RatingBody, WindowRating};
use crate::client::{ClientError, StaffInfo};
use crate::core::{RatingLevel, RatingReason};

/// The evaluator's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvaluatorSettings {
    /// The window this evaluator belongs to.
    pub window: u16,
    /// How long 「感谢您的评价」 stays.
    pub thanks_for: Duration,
    /// How long a refusal from the server (already rated, nothing to rate) stays.
    pub notice_for: Duration,
    /// Elderly mode (长辈模式) at start and after every visit.
    pub elderly_default: bool,
    /// Tell the server when the countdown ends (it also records the visit as unrated by its
    /// own timer; this makes the record immediate).
    pub decline_on_timeout: bool,
}

impl EvaluatorSettings {
    pub fn new(window: u16) -> Self {
        EvaluatorSettings {
            window,
            thanks_for: Duration::from_secs(4),
            notice_for: Duration::from_secs(4),
            elderly_default: false,
            decline_on_timeout: true,
        }
    }
}

/// The link to the hall server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    /// Not connected yet (start-up).
    Connecting,
    Online,
    /// The server is unreachable; reconnecting.
    Offline,
}

/// A change on the event stream that concerns this window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerChange {
    /// The window finished a ticket, or its staff changed: re-read.
    WindowChanged,
    /// The visit of `ticket` was rated (here, at a keypad, by QR…).
    Rated { ticket: u64 },
    /// The visit of `ticket` is recorded as unrated (timeout, next ticket, declined).
    Unrated { ticket: u64 },
}

/// Everything the evaluator reacts to.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// The event stream is open.
    Connected,
    /// The server cannot be reached.
    Disconnected,
    /// The window's rating state, fetched.
    Rating(WindowRating),
    Server(ServerChange),
    /// A level button (1 非常不满意 … 5 非常满意).
    Choose(u8),
    ToggleReason(RatingReason),
    /// A preset comment phrase, by its text.
    ToggleComment(String),
    /// Back from the reasons to the five levels (重新选择).
    Back,
    /// 提交 on the reasons step.
    Submit,
    ToggleElderly,
    /// The answer to the rating sent for `ticket`.
    Answer {
        ticket: u64,
        result: Result<Rated, ClientError>,
    },
    /// Time passed (countdown, thanks).
    Tick,
}

/// What the controller must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Re-read the window's rating state.
    Refresh,
    /// `POST …/rating` for the visit of `ticket`.
    Submit { ticket: u64, body: RatingBody },
    /// The countdown of `ticket` ended: record it as unrated (only if it is still the
    /// window's pending visit).
    Decline { ticket: u64 },
}

/// The visit being asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Visit {
    pub ticket: u64,
    /// The ticket number (shown small; nothing else about the applicant is shown).
    pub number: String,
    pub deadline: Instant,
}

/// Asking for a rating.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asking {
    pub visit: Visit,
    /// A 差评 level chosen: its reasons and comments are asked for.
    pub bad: Option<RatingLevel>,
    pub reasons: Vec<RatingReason>,
    /// Chosen preset phrases.
    pub comments: Vec<String>,
    /// The level sent, waiting for the server's answer.
    pub sent: Option<RatingLevel>,
    /// A line under the question, e.g. after a failed send.
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    Idle,
    Asking(Asking),
    /// 感谢您的评价
    Thanks {
        until: Instant,
    },
    /// The server's refusal, e.g. 「该服务已评价」.
    Notice {
        text: String,
        until: Instant,
    },
}

/// How many finished-with visits are remembered (a late answer about one is ignored).
const DONE_KEEP: usize = 16;

/// Shown when a send failed for want of the server.
pub const NOTE_UNSENT: &str = "网络异常，评价未提交，请稍后再试";

/// One evaluator.
#[derive(Debug)]
pub struct Evaluator {
    pub(super) settings: EvaluatorSettings,
    pub(super) connection: Connection,
    /// The window's state has been read at least once.
    pub(super) loaded: bool,
    pub(super) window_name: String,
    pub(super) staff: Option<StaffInfo>,
    /// Preset comment phrases, in the configured order.
    pub(super) phrases: Vec<String>,
    pub(super) phase: Phase,
    pub(super) elderly: bool,
    /// Visits this evaluator is done with (rated, unrated, refused, timed out).
    pub(super) done: VecDeque<u64>,
}

impl Evaluator {
    pub fn new(settings: EvaluatorSettings) -> Self {
        let elderly = settings.elderly_default;
        Evaluator {
            settings,
            connection: Connection::Connecting,
            loaded: false,
            window_name: String::new(),
            staff: None,
            phrases: Vec::new(),
            phase: Phase::Idle,
            elderly,
            done: VecDeque::new(),
        }
    }

    pub fn settings(&self) -> &EvaluatorSettings {
        &self.settings
    }

    pub fn connection(&self) -> Connection {
        self.connection
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    pub fn elderly(&self) -> bool {
        self.elderly
    }

    /// The visit being asked about, if any.
    pub fn asking(&self) -> Option<&Asking> {
        match &self.phase {
            Phase::Asking(a) => Some(a),
            _ => None,
        }
    }

    fn asking_mut(&mut self) -> Option<&mut Asking> {
        match &mut self.phase {
            Phase::Asking(a) => Some(a),
            _ => None,
        }
    }

    fn is_done(&self, ticket: u64) -> bool {
        self.done.contains(&ticket)
    }

    fn mark_done(&mut self, ticket: u64) {
        if !self.is_done(ticket) {
            self.done.push_back(ticket);
            while self.done.len() > DONE_KEEP {
                self.done.pop_front();
            }
        }
    }

    fn go_idle(&mut self) {
        self.phase = Phase::Idle;
        self.elderly = self.settings.elderly_default;
    }

    pub fn handle(&mut self, now: Instant, input: Input) -> Vec<Effect> {
        match input {
            Input::Connected => {
                self.connection = Connection::Online;
                vec![Effect::Refresh]
            }
            Input::Disconnected => {
                self.connection = Connection::Offline;
                Vec::new()
            }
            Input::Rating(r) => {
                if r.window == self.settings.window {
                    self.apply_rating(now, r);
                }
                Vec::new()
            }
            Input::Server(change) => self.server(change),
            Input::Choose(level) => self.choose(level),
            Input::ToggleReason(reason) => {
                if let Some(a) = self.editable() {
                    toggle(&mut a.reasons, reason);
                }
                Vec::new()
            }
            Input::ToggleComment(text) => {
                if self.phrases.contains(&text)
                    && let Some(a) = self.editable()
                {
                    toggle(&mut a.comments, text);
                }
                Vec::new()
            }
            Input::Back => {
                if let Some(a) = self.editable() {
                    a.bad = None;
                    a.reasons.clear();
                    a.comments.clear();
                    a.note = None;
                }
                Vec::new()
            }
            Input::Submit => match self.editable().and_then(|a| a.bad) {
                Some(level) => self.send(level),
                None => Vec::new(),
            },
            Input::ToggleElderly => {
                self.elderly = !self.elderly;
                Vec::new()
            }
            Input::Answer { ticket, result } => self.answer(now, ticket, result),
            Input::Tick => self.tick(now),
        }
    }

    /// The reasons step, when nothing is in flight.
    fn editable(&mut self) -> Option<&mut Asking> {
        self.asking_mut()
            .filter(|a| a.bad.is_some() && a.sent.is_none())
    }

    fn apply_rating(&mut self, now: Instant, r: WindowRating) {
        self.loaded = true;
        self.connection = Connection::Online;
        self.window_name = r.window_name;
        self.staff = r.staff;
        self.phrases = r.comments;
        // A visit this evaluator is done with comes back only in a stale read: ignored.
        if r.pending.as_ref().is_some_and(|p| self.is_done(p.ticket)) {
            return;
        }
        let pending = r.pending;
        let in_flight = self.asking().is_some_and(|a| a.sent.is_some());
        match pending {
            Some(p) => {
                let deadline = now + Duration::from_secs(u64::from(p.seconds_left));
                match &mut self.phase {
                    Phase::Asking(a) if a.visit.ticket == p.ticket => {
                        // The server's count wins when it is shorter (never counts up).
                        a.visit.deadline = a.visit.deadline.min(deadline);
                    }
                    // The answer to the rating in flight decides what comes next.
                    Phase::Asking(_) if in_flight => {}
                    _ if p.seconds_left == 0 => {}
                    _ => {
                        // A new visit: the previous one (if any) is over.
                        if let Some(old) = self.asking().map(|a| a.visit.ticket) {
                            self.mark_done(old);
                        }
                        self.elderly = self.settings.elderly_default;
                        self.phase = Phase::Asking(Asking {
                            visit: Visit {
                                ticket: p.ticket,
                                number: p.number,
                                deadline,
                            },
                            bad: None,
                            reasons: Vec::new(),
                            comments: Vec::new(),
                            sent: None,
                            note: None,
                        });
                    }
                }
            }
            None => {
                // The server no longer waits for this visit (rated elsewhere, timed out).
                if let Some(a) = self.asking()
                    && a.sent.is_none()
                {
                    let ticket = a.visit.ticket;
                    self.mark_done(ticket);
                    self.go_idle();
                }
            }
        }
    }

    fn server(&mut self, change: ServerChange) -> Vec<Effect> {
        match change {
            ServerChange::WindowChanged => vec![Effect::Refresh],
            ServerChange::Rated { ticket } | ServerChange::Unrated { ticket } => {
                let asked = self.asking().map(|a| (a.visit.ticket, a.sent.is_some()));
                match asked {
                    // Our own rating: its answer shows the thanks.
                    Some((t, true)) if t == ticket => {}
                    Some((t, false)) if t == ticket => {
                        self.mark_done(ticket);
                        self.go_idle();
                    }
                    _ => self.mark_done(ticket),
                }
                Vec::new()
            }
        }
    }

    fn choose(&mut self, level: u8) -> Vec<Effect> {
        let Some(level) = RatingLevel::new(level) else {
            return Vec::new();
        };
        let Some(a) = self.asking_mut() else {
            return Vec::new();
        };
        if a.sent.is_some() || a.bad.is_some() {
            return Vec::new();
        }
        if level.is_bad() {
            a.bad = Some(level);
            a.reasons.clear();
            a.comments.clear();
            a.note = None;
            Vec::new()
        } else {
            self.send(level)
        }
    }

    fn send(&mut self, level: RatingLevel) -> Vec<Effect> {
        let phrases = self.phrases.clone();
        let Some(a) = self.asking_mut() else {
            return Vec::new();
        };
        let (reasons, comment) = if level.is_bad() {
            let reasons: Vec<RatingReason> = RatingReason::ALL
                .into_iter()
                .filter(|r| a.reasons.contains(r))
                .collect();
            let chosen: Vec<&str> = phrases
                .iter()
                .filter(|p| a.comments.contains(p))
                .map(String::as_str)
                .collect();
            (reasons, (!chosen.is_empty()).then(|| chosen.join("；")))
        } else {
            (Vec::new(), None)
        };
        a.sent = Some(level);
        a.note = None;
        vec![Effect::Submit {
            ticket: a.visit.ticket,
            body: RatingBody {
                level: level.get(),
                reasons,
                comment,
            },
        }]
    }

    fn answer(
        &mut self,
        now: Instant,
        ticket: u64,
        result: Result<Rated, ClientError>,
    ) -> Vec<Effect> {
        let ours = self
            .asking()
            .is_some_and(|a| a.visit.ticket == ticket && a.sent.is_some());
        if !ours {
            return Vec::new();
        }
        match result {
            Ok(_) => {
                self.mark_done(ticket);
                self.phase = Phase::Thanks {
                    until: now + self.settings.thanks_for,
                };
                Vec::new()
            }
            Err(e) if e.is_unavailable() => {
                self.connection = Connection::Offline;
                if let Some(a) = self.asking_mut() {
                    a.sent = None;
                    a.note = Some(NOTE_UNSENT.into());
                }
                Vec::new()
            }
            Err(e) => {
                self.mark_done(ticket);
                self.phase = Phase::Notice {
                    text: refusal_text(&e),
                    until: now + self.settings.notice_for,
                };
                vec![Effect::Refresh]
            }
        }
    }

    fn tick(&mut self, now: Instant) -> Vec<Effect> {
        match &self.phase {
            Phase::Asking(a) if a.sent.is_none() && now >= a.visit.deadline => {
                let ticket = a.visit.ticket;
                self.mark_done(ticket);
                self.go_idle();
                if self.settings.decline_on_timeout {
                    vec![Effect::Decline { ticket }]
                } else {
                    Vec::new()
                }
            }
            Phase::Thanks { until } | Phase::Notice { until, .. } if now >= *until => {
                self.go_idle();
                Vec::new()
            }
            _ => Vec::new(),
        }
    }
}

fn toggle<T: PartialEq>(list: &mut Vec<T>, item: T) {
    match list.iter().position(|x| *x == item) {
        Some(i) => {
            list.remove(i);
        }
        None => list.push(item),
    }
}

/// What the screen says when the server refused a rating: its own words when it gave them.
pub fn refusal_text(e: &ClientError) -> String {
    match e {
        ClientError::Api { body, .. } if !body.message.is_empty() => body.message.clone(),
        e => match e.code() {
            Some("already_rated") => "本次服务已评价，感谢您的参与".into(),
            Some("nothing_to_rate") => "暂无可评价的服务".into(),
            _ => "评价未能提交".into(),
        },
    }
}
