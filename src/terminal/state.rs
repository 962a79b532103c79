//! The window terminal's state machine. Pure: no I/O, no clock — every input comes with
//! `now` (an `Instant` the caller read), every request leaves as an [`Effect`].

use std::time::{Duration, Instant};

use super::action::{Request, TerminalAction};
use super::messages;
use crate::client::rating::StaffFigures;
use crate::client::{ClientError, ServiceInfo, TransferTarget, WindowInfo};

/// The terminal's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalSettings {
    /// The window this terminal belongs to.
    pub window: u16,
    /// A second 叫号 within this time is ignored (double-press guard).
    pub call_guard: Duration,
}

impl TerminalSettings {
    pub fn new(window: u16) -> Self {
        TerminalSettings {
            window,
            call_guard: Duration::from_secs(2),
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

/// A dialog over the main page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlay {
    None,
    /// Pick a held ticket to call back.
    ResumeHeld,
    /// Pick a service or a window.
    Transfer,
    /// Type a number (e.g. A023).
    CallSpecific,
    /// Optional 办件编号, then confirm.
    Finish,
}

/// Which sign-in field the number pad types into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInField {
    Staff,
    Pin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// The status line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub level: Level,
    pub text: String,
}

/// Everything the terminal reacts to.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// A button, an F-key or an outside trigger.
    Action(TerminalAction),
    /// A key of the on-screen pad (or the keyboard) for the field being typed.
    Key(char),
    Backspace,
    Clear,
    Focus(SignInField),
    SubmitSignIn,
    /// Confirm the open dialog (指定叫号 number, 办结).
    SubmitEntry,
    /// 回呼 one held ticket.
    PickHeld(String),
    PickTransfer(TransferTarget),
    CloseOverlay,
    /// The event stream is open.
    Connected,
    /// The server cannot be reached.
    Disconnected,
    /// The window's state, fetched.
    Window(WindowInfo),
    Services(Vec<ServiceInfo>),
    /// Every window (for the transfer picker).
    Windows(Vec<WindowInfo>),
    /// The signed-in staff member's own ratings today, fetched.
    Figures(StaffFigures),
    /// The answer to a request this state sent.
    Answer {
        request: Request,
        result: Result<WindowInfo, ClientError>,
    },
}

/// What the controller must do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Call the window API.
    Send(Request),
    /// Fetch the window's state again.
    Refresh,
}

/// One window terminal.
#[derive(Debug)]
pub struct Terminal {
    pub(super) settings: TerminalSettings,
    pub(super) connection: Connection,
    pub(super) window: Option<WindowInfo>,
    pub(super) services: Vec<ServiceInfo>,
    pub(super) windows: Vec<(u16, String)>,
    pub(super) overlay: Overlay,
    /// The dialog's entry (number or case number).
    pub(super) entry: String,
    pub(super) staff_entry: String,
    pub(super) pin_entry: String,
    pub(super) field: SignInField,
    pub(super) in_flight: Option<Request>,
    /// The current ticket when the request in flight was sent (for its status line: the
    /// event stream may refresh the window before the answer arrives).
    pub(super) sent_with: Option<String>,
    pub(super) last_call_next: Option<Instant>,
    pub(super) status: Option<Status>,
    /// The current ticket's id and when this terminal first saw it current.
    pub(super) current_since: Option<(u64, Instant)>,
    /// The staff member's own figures today (shown only while they are the one signed in).
    pub(super) figures: Option<StaffFigures>,
}

const STAFF_MAX: usize = 10;
const PIN_MAX: usize = 8;
const NUMBER_MAX: usize = 6;
const CASE_MAX: usize = 32;

impl Terminal {
    pub fn new(settings: TerminalSettings) -> Self {
        Terminal {
            settings,
            connection: Connection::Connecting,
            window: None,
            services: Vec::new(),
            windows: Vec::new(),
            overlay: Overlay::None,
            entry: String::new(),
            staff_entry: String::new(),
            pin_entry: String::new(),
            field: SignInField::Staff,
            in_flight: None,
            sent_with: None,
            last_call_next: None,
            status: None,
            current_since: None,
            figures: None,
        }
    }

    pub fn settings(&self) -> &TerminalSettings {
        &self.settings
    }

    pub fn connection(&self) -> Connection {
        self.connection
    }

    pub fn window(&self) -> Option<&WindowInfo> {
        self.window.as_ref()
    }

    pub fn status(&self) -> Option<&Status> {
        self.status.as_ref()
    }

    pub fn overlay(&self) -> Overlay {
        self.overlay
    }

    /// Someone is signed in at this window.
    pub fn signed_in(&self) -> bool {
        self.window.as_ref().is_some_and(|w| w.staff.is_some())
    }

    pub fn busy(&self) -> bool {
        self.in_flight.is_some()
    }

    fn say(&mut self, level: Level, text: impl Into<String>) {
        self.status = Some(Status {
            level,
            text: text.into(),
        });
    }

    pub fn handle(&mut self, now: Instant, input: Input) -> Vec<Effect> {
        match input {
            Input::Action(action) => self.action(now, action),
            Input::Key(c) => {
                self.key(c);
                Vec::new()
            }
            Input::Backspace => {
                if let Some(e) = self.entry_mut() {
                    e.pop();
                }
                Vec::new()
            }
            Input::Clear => {
                if let Some(e) = self.entry_mut() {
                    e.clear();
                }
                Vec::new()
            }
            Input::Focus(field) => {
                self.field = field;
                Vec::new()
            }
            Input::SubmitSignIn => self.submit_sign_in(),
            Input::SubmitEntry => self.submit_entry(),
            Input::PickHeld(number) => {
                self.overlay = Overlay::None;
                self.send(Request::ResumeHeld(number))
            }
            Input::PickTransfer(target) => {
                self.overlay = Overlay::None;
                self.send(Request::Transfer(target))
            }
            Input::CloseOverlay => {
                self.overlay = Overlay::None;
                self.entry.clear();
                Vec::new()
            }
            Input::Connected => {
                self.connection = Connection::Online;
                vec![Effect::Refresh]
            }
            Input::Disconnected => {
                self.connection = Connection::Offline;
                Vec::new()
            }
            Input::Window(w) => {
                if w.window == self.settings.window {
                    self.connection = Connection::Online;
                    self.apply_window(now, w);
                }
                Vec::new()
            }
            Input::Services(list) => {
                self.services = list;
                Vec::new()
            }
            Input::Windows(list) => {
                self.windows = list.into_iter().map(|w| (w.window, w.name)).collect();
                Vec::new()
            }
            Input::Figures(f) => {
                self.figures = Some(f);
                Vec::new()
            }
            Input::Answer { request, result } => self.answer(now, request, result),
        }
    }

    fn apply_window(&mut self, now: Instant, w: WindowInfo) {
        let id = w.ticket.as_ref().map(|t| t.id);
        self.current_since = match (id, self.current_since) {
            (Some(id), Some((seen, since))) if seen == id => Some((seen, since)),
            (Some(id), _) => Some((id, now)),
            (None, _) => None,
        };
        if w.staff.is_some() {
            self.staff_entry.clear();
            self.pin_entry.clear();
            self.field = SignInField::Staff;
        } else {
            self.overlay = Overlay::None;
        }
        // A dialog about the current ticket closes when the ticket is gone.
        if w.ticket.is_none() && matches!(self.overlay, Overlay::Transfer | Overlay::Finish) {
            self.overlay = Overlay::None;
        }
        self.window = Some(w);
    }

    fn entry_mut(&mut self) -> Option<&mut String> {
        match self.overlay {
            Overlay::CallSpecific | Overlay::Finish => Some(&mut self.entry),
            Overlay::ResumeHeld | Overlay::Transfer => None,
            Overlay::None if !self.signed_in() => Some(match self.field {
                SignInField::Staff => &mut self.staff_entry,
                SignInField::Pin => &mut self.pin_entry,
            }),
            Overlay::None => None,
        }
    }

    fn key(&mut self, c: char) {
        let c = c.to_ascii_uppercase();
        let (max, ok) = match self.overlay {
            Overlay::CallSpecific => (NUMBER_MAX, c.is_ascii_alphanumeric()),
            Overlay::Finish => (CASE_MAX, c.is_ascii_alphanumeric() || c == '-'),
            _ if self.field == SignInField::Staff => (STAFF_MAX, c.is_ascii_alphanumeric()),
            _ => (PIN_MAX, c.is_ascii_digit()),
        };
        if let Some(entry) = self.entry_mut()
            && ok
            && entry.chars().count() < max
        {
            entry.push(c);
        }
    }

    fn action(&mut self, now: Instant, action: TerminalAction) -> Vec<Effect> {
        // The key that opened a dialog confirms it.
        match (self.overlay, action) {
            (Overlay::Finish, TerminalAction::Finish)
            | (Overlay::CallSpecific, TerminalAction::CallSpecific) => return self.submit_entry(),
            _ => {}
        }
        self.overlay = Overlay::None;
        self.entry.clear();
        if !self.signed_in() {
            self.say(Level::Error, "请先签到");
            return Vec::new();
        }
        if action == TerminalAction::CallNext {
            if let Some(last) = self.last_call_next
                && now.saturating_duration_since(last) < self.settings.call_guard
            {
                self.say(Level::Warning, "请勿重复叫号");
                return Vec::new();
            }
            self.last_call_next = Some(now);
        }
        let Some(w) = &self.window else {
            return Vec::new();
        };
        let has_ticket = w.ticket.is_some();
        let no_recalls_left = w.recalls_left == Some(0);
        let nothing_held = w.held.is_empty();
        let paused = w.paused();
        let needs_ticket = matches!(
            action,
            TerminalAction::Recall
                | TerminalAction::NoShow
                | TerminalAction::Hold
                | TerminalAction::Transfer
                | TerminalAction::Finish
        );
        if needs_ticket && !has_ticket {
            self.say(Level::Error, "当前没有正在办理的号");
            return Vec::new();
        }
        match action {
            TerminalAction::CallNext => self.send(Request::CallNext),
            TerminalAction::Recall if no_recalls_left => {
                self.say(Level::Error, "已达重呼上限");
                Vec::new()
            }
            TerminalAction::Recall => self.send(Request::Recall),
            TerminalAction::NoShow => self.send(Request::NoShow),
            TerminalAction::Hold => self.send(Request::Hold),
            TerminalAction::ResumeHeld if nothing_held => {
                self.say(Level::Error, "没有挂起的号");
                Vec::new()
            }
            TerminalAction::ResumeHeld => self.open(Overlay::ResumeHeld),
            TerminalAction::Transfer => self.open(Overlay::Transfer),
            TerminalAction::CallSpecific => self.open(Overlay::CallSpecific),
            TerminalAction::Finish => self.open(Overlay::Finish),
            TerminalAction::TogglePause if paused => self.send(Request::Resume),
            TerminalAction::TogglePause => self.send(Request::Pause),
            TerminalAction::SignOut => self.send(Request::SignOut),
        }
    }

    fn open(&mut self, overlay: Overlay) -> Vec<Effect> {
        self.overlay = overlay;
        self.entry.clear();
        Vec::new()
    }

    fn submit_entry(&mut self) -> Vec<Effect> {
        let entry = std::mem::take(&mut self.entry);
        match self.overlay {
            Overlay::CallSpecific => {
                if entry.is_empty() {
                    self.say(Level::Error, "请输入号码");
                    return Vec::new();
                }
                self.overlay = Overlay::None;
                self.send(Request::Call(entry))
            }
            Overlay::Finish => {
                self.overlay = Overlay::None;
                self.send(Request::Finish((!entry.is_empty()).then_some(entry)))
            }
            _ => Vec::new(),
        }
    }

    fn submit_sign_in(&mut self) -> Vec<Effect> {
        if self.signed_in() {
            return Vec::new();
        }
        if self.staff_entry.is_empty() {
            self.field = SignInField::Staff;
            self.say(Level::Error, "请输入工号");
            return Vec::new();
        }
        let pin = (!self.pin_entry.is_empty()).then(|| self.pin_entry.clone());
        self.send(Request::SignIn {
            staff: self.staff_entry.clone(),
            pin,
        })
    }

    /// Every request leaves through here: nothing is sent while offline or while the
    /// previous request is unanswered.
    fn send(&mut self, request: Request) -> Vec<Effect> {
        if self.connection == Connection::Offline {
            self.say(Level::Error, "与服务器的连接已断开，操作未执行");
            return Vec::new();
        }
        if self.in_flight.is_some() {
            self.say(Level::Warning, "正在处理上一个操作，请稍候");
            return Vec::new();
        }
        self.in_flight = Some(request.clone());
        self.sent_with = self
            .window
            .as_ref()
            .and_then(|w| w.ticket.as_ref())
            .map(|t| t.number.clone());
        vec![Effect::Send(request)]
    }

    fn answer(
        &mut self,
        now: Instant,
        request: Request,
        result: Result<WindowInfo, ClientError>,
    ) -> Vec<Effect> {
        if self.in_flight.as_ref() == Some(&request) {
            self.in_flight = None;
        }
        match result {
            Ok(w) => {
                let before = self.sent_with.take();
                let text = messages::done(&request, before.as_deref(), &w, &self.target_names());
                self.connection = Connection::Online;
                self.apply_window(now, w);
                self.status = Some(text);
                Vec::new()
            }
            Err(e) => {
                if e.is_unavailable() {
                    self.connection = Connection::Offline;
                }
                if matches!(request, Request::SignIn { .. }) {
                    self.pin_entry.clear();
                }
                self.status = Some(Status {
                    level: Level::Error,
                    text: messages::failed(&e),
                });
                vec![Effect::Refresh]
            }
        }
    }

    /// Names for transfer targets: (service id → name, window number → name).
    pub(super) fn target_names(&self) -> messages::Names {
        messages::Names {
            services: self
                .services
                .iter()
                .map(|s| (s.id.clone(), s.name.clone()))
                .collect(),
            windows: self.windows.clone(),
        }
    }
}
