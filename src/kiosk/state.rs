//! The kiosk's state machine: pure, no clock, no I/O. The controller feeds it [`Input`]s with
//! `now` (time since the kiosk started), carries out the [`Effect`]s it returns, and shows
//! [`Kiosk::view`].

use std::collections::HashSet;
use std::time::Duration;

use super::entry::{IdBuffer, KeyBuffer};
use super::ticket::TicketContext;
use super::voice::VoicePrompt;
use crate::client::{
    ClientError, IssueBody, Issued, PrintReport, ServiceInfo, ServiceState, TicketInfo,
};
use crate::config::{KioskGroup, OnFailure};
use crate::devices::printer::{PrintOutcome, PrinterStatus, TicketPrint};

/// What the kiosk is configured to do.
#[derive(Clone, Debug)]
pub struct KioskSettings {
    pub ticket: TicketContext,
    pub result_timeout: Duration,
    pub idle_timeout: Duration,
    pub elderly_default: bool,
    pub groups: Vec<KioskGroup>,
    /// Services that need an ID number (from `[[services]] requires_id`).
    pub requires_id: HashSet<String>,
    pub on_print_failure: OnFailure,
    /// A staff PIN is configured: show the staff button.
    pub staff_button: bool,
    pub voice_prompts: bool,
}

/// The page the visitor is on (the screen may show a trouble page over it, see `view`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Page {
    Home,
    IdEntry {
        service: String,
    },
    Appointment,
    StaffPin,
    /// Waiting for the server or the printer.
    Busy,
    Result,
    Reprint {
        id: u64,
        number: String,
        service: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Up,
    Down,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeLevel {
    Info,
    Warning,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub level: NoticeLevel,
    pub text: String,
}

/// The number just given out, for the result page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub ticket_id: u64,
    pub ticket: TicketPrint,
    pub printed: bool,
    pub problem: Option<String>,
}

#[derive(Clone, Debug)]
pub enum Input {
    /// A successful `GET /services`: the server is up.
    Services(Vec<ServiceInfo>),
    /// The server could not be reached (or is restarting).
    ServerUnreachable,
    Printer(PrinterStatus),
    TapService(String),
    Key(char),
    Backspace,
    Clear,
    Submit,
    GoHome,
    ToggleElderly,
    OpenAppointment,
    OpenGreenChannel,
    OpenStaff,
    WalkIn,
    ReprintAccept,
    ReprintDecline,
    ResultDone,
    IssueAnswer(Result<Issued, ClientError>),
    TicketAnswer(Result<TicketInfo, ClientError>),
    PrintDone {
        ticket_id: u64,
        reprint: bool,
        outcome: PrintOutcome,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Issue(IssueBody),
    FetchTicket(String),
    Print { ticket_id: u64, ticket: TicketPrint },
    ReportPrint { ticket_id: u64, report: PrintReport },
    ReportPrinter(PrinterStatus),
    RefreshServices,
    Voice(VoicePrompt),
}

pub struct Kiosk {
    pub(super) settings: KioskSettings,
    pub(super) page: Page,
    pub(super) elderly: bool,
    pub(super) connection: Connection,
    pub(super) printer: PrinterStatus,
    pub(super) services: Vec<ServiceInfo>,
    pub(super) id: IdBuffer,
    pub(super) id_error: Option<String>,
    pub(super) code: KeyBuffer,
    pub(super) code_error: Option<String>,
    pub(super) offer_walk_in: bool,
    pub(super) pin: KeyBuffer,
    pub(super) pin_error: Option<String>,
    pub(super) notice: Option<Notice>,
    pub(super) outcome: Option<Outcome>,
    /// The ticket handed to the printer, until its outcome arrives.
    pub(super) printing: Option<Outcome>,
    /// The service of the last issue request (for follow-up questions).
    pub(super) last_service: Option<String>,
    /// The booking code of the last issue request, kept while the ID number it needs is
    /// typed.
    pub(super) last_code: Option<String>,
    pub(super) green_armed: bool,
    pub(super) staff_pin: Option<String>,
    /// Time of the last touch, or of the result page's appearance.
    pub(super) since: Duration,
}

impl Kiosk {
    pub fn new(settings: KioskSettings) -> Self {
        let elderly = settings.elderly_default;
        Kiosk {
            settings,
            page: Page::Home,
            elderly,
            connection: Connection::Connecting,
            printer: PrinterStatus::Unknown,
            services: Vec::new(),
            id: IdBuffer::default(),
            id_error: None,
            code: KeyBuffer::code(),
            code_error: None,
            offer_walk_in: false,
            pin: KeyBuffer::pin(),
            pin_error: None,
            notice: None,
            outcome: None,
            printing: None,
            last_service: None,
            last_code: None,
            green_armed: false,
            staff_pin: None,
            since: Duration::ZERO,
        }
    }

    pub fn page(&self) -> &Page {
        &self.page
    }

    pub fn connection(&self) -> Connection {
        self.connection
    }

    pub fn elderly(&self) -> bool {
        self.elderly
    }

    pub fn settings(&self) -> &KioskSettings {
        &self.settings
    }

    /// Issuing is blocked: the printer cannot print and the hall does not allow screen-only
    /// numbers.
    pub fn printing_blocked(&self) -> bool {
        !self.printer.can_print() && self.settings.on_print_failure == OnFailure::Block
    }

    pub(super) fn voice(&self, out: &mut Vec<Effect>, prompt: VoicePrompt) {
        if self.settings.voice_prompts {
            out.push(Effect::Voice(prompt));
        }
    }

    pub(super) fn go(&mut self, now: Duration, page: Page) {
        self.page = page;
        self.since = now;
    }

    /// Back to the home page; everything typed is forgotten.
    pub(super) fn home(&mut self, now: Duration, notice: Option<Notice>) {
        self.go(now, Page::Home);
        self.id.clear();
        self.id_error = None;
        self.code.clear();
        self.code_error = None;
        self.offer_walk_in = false;
        self.pin.clear();
        self.pin_error = None;
        self.outcome = None;
        self.last_code = None;
        self.notice = notice;
    }

    pub(super) fn error_home(&mut self, now: Duration, text: String) {
        self.home(
            now,
            Some(Notice {
                level: NoticeLevel::Error,
                text,
            }),
        );
    }

    /// When the next `handle_timeout` is due, if any.
    pub fn poll_timeout(&self) -> Option<Duration> {
        match self.page {
            Page::Home | Page::Busy => None,
            Page::Result => Some(self.since + self.settings.result_timeout),
            _ => Some(self.since + self.settings.idle_timeout),
        }
    }

    /// Result and idle timeouts; calling it early does nothing.
    pub fn handle_timeout(&mut self, now: Duration) -> Vec<Effect> {
        match self.poll_timeout() {
            Some(due) if now >= due => {
                let idle = self.page != Page::Result;
                self.home(now, None);
                self.green_armed = false;
                self.staff_pin = None;
                if idle {
                    self.elderly = self.settings.elderly_default;
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Seconds until the result page goes home (for its button).
    pub fn result_seconds_left(&self, now: Duration) -> u64 {
        let due = self.since + self.settings.result_timeout;
        due.saturating_sub(now).as_secs_f64().ceil() as u64
    }

    pub fn handle(&mut self, now: Duration, input: Input) -> Vec<Effect> {
        let mut out = Vec::new();
        let touch = !matches!(
            input,
            Input::Services(_)
                | Input::ServerUnreachable
                | Input::Printer(_)
                | Input::IssueAnswer(_)
                | Input::TicketAnswer(_)
                | Input::PrintDone { .. }
        );
        if touch && self.page != Page::Result {
            self.since = now;
        }
        match input {
            Input::Services(list) => {
                if self.connection != Connection::Up {
                    self.voice(&mut out, VoicePrompt::Welcome);
                }
                self.connection = Connection::Up;
                self.services = list;
            }
            Input::ServerUnreachable => {
                if self.connection == Connection::Up {
                    self.voice(&mut out, VoicePrompt::Maintenance);
                }
                self.connection = Connection::Down;
            }
            Input::Printer(status) => {
                if status != self.printer {
                    out.push(Effect::ReportPrinter(status));
                    if !status.can_print() && self.printer.can_print() {
                        self.voice(&mut out, VoicePrompt::PrinterOut);
                    }
                }
                self.printer = status;
            }
            Input::TapService(service) => self.tap_service(now, service, &mut out),
            Input::Key(k) => match self.page {
                Page::IdEntry { .. } => {
                    self.id.push(k);
                    self.id_error = None;
                    if self.id.is_complete()
                        && let Err(e) = self.id.validate()
                    {
                        self.id_error = Some(e.message_zh().to_string());
                        self.voice(&mut out, VoicePrompt::CheckIdNumber);
                    }
                }
                Page::Appointment => {
                    self.code.push(k);
                    self.code_error = None;
                }
                Page::StaffPin => {
                    self.pin.push(k);
                    self.pin_error = None;
                }
                _ => {}
            },
            Input::Backspace => match self.page {
                Page::IdEntry { .. } => {
                    self.id.backspace();
                    self.id_error = None;
                }
                Page::Appointment => self.code.backspace(),
                Page::StaffPin => self.pin.backspace(),
                _ => {}
            },
            Input::Clear => match self.page {
                Page::IdEntry { .. } => {
                    self.id.clear();
                    self.id_error = None;
                }
                Page::Appointment => self.code.clear(),
                Page::StaffPin => self.pin.clear(),
                _ => {}
            },
            Input::Submit => self.submit(now, &mut out),
            Input::GoHome | Input::ReprintDecline | Input::ResultDone => {
                if self.page != Page::Busy {
                    self.home(now, None);
                    self.green_armed = false;
                }
            }
            Input::ToggleElderly => self.elderly = !self.elderly,
            Input::OpenAppointment => {
                self.code.clear();
                self.code_error = None;
                self.offer_walk_in = false;
                self.notice = None;
                self.go(now, Page::Appointment);
                self.voice(&mut out, VoicePrompt::EnterAppointmentCode);
            }
            Input::OpenGreenChannel => {
                self.green_armed = true;
                self.notice = Some(Notice {
                    level: NoticeLevel::Info,
                    text: "70岁及以上老人优先办理：请选择业务，然后输入身份证号码".into(),
                });
            }
            Input::OpenStaff => {
                if self.settings.staff_button {
                    self.pin.clear();
                    self.pin_error = None;
                    self.go(now, Page::StaffPin);
                }
            }
            Input::WalkIn => self.home(
                now,
                Some(Notice {
                    level: NoticeLevel::Info,
                    text: "请选择业务，按普通号办理".into(),
                }),
            ),
            Input::ReprintAccept => {
                if let Page::Reprint { number, .. } = &self.page {
                    out.push(Effect::FetchTicket(number.clone()));
                    self.go(now, Page::Busy);
                    self.voice(&mut out, VoicePrompt::PleaseWait);
                }
            }
            Input::IssueAnswer(answer) => self.issue_answer(now, answer, &mut out),
            Input::TicketAnswer(answer) => self.ticket_answer(now, answer, &mut out),
            Input::PrintDone {
                ticket_id,
                reprint,
                outcome,
            } => self.print_done(now, ticket_id, reprint, outcome, &mut out),
        }
        out
    }

    fn tap_service(&mut self, now: Duration, id: String, out: &mut Vec<Effect>) {
        if self.page != Page::Home {
            return;
        }
        let Some(service) = self.services.iter().find(|s| s.id == id) else {
            return;
        };
        if service.state != ServiceState::Open {
            let reason = service
                .reason
                .clone()
                .unwrap_or_else(|| "该业务暂停取号".into());
            self.notice = Some(Notice {
                level: NoticeLevel::Error,
                text: format!("{}：{reason}", service.name),
            });
            self.voice(out, VoicePrompt::ServiceUnavailable { reason });
            return;
        }
        if self.printing_blocked() {
            return;
        }
        self.notice = None;
        if self.green_armed || self.settings.requires_id.contains(&id) {
            self.id.clear();
            self.id_error = None;
            self.go(now, Page::IdEntry { service: id });
            self.voice(out, VoicePrompt::EnterIdNumber);
        } else {
            self.issue(now, id, None, None, out);
        }
    }

    fn issue(
        &mut self,
        now: Duration,
        service: String,
        id_number: Option<String>,
        appointment_code: Option<String>,
        out: &mut Vec<Effect>,
    ) {
        let priority_pin = self.staff_pin.take();
        self.last_service = Some(service.clone());
        self.last_code = appointment_code.clone();
        out.push(Effect::Issue(IssueBody {
            service,
            priority: priority_pin.is_some(),
            id_number,
            appointment_code,
            priority_pin,
        }));
        self.go(now, Page::Busy);
        self.voice(out, VoicePrompt::PleaseWait);
    }

    fn submit(&mut self, now: Duration, out: &mut Vec<Effect>) {
        match self.page.clone() {
            Page::IdEntry { service } => match self.id.validate() {
                Ok(_) => {
                    let number = self.id.text().to_string();
                    self.id.clear();
                    let code = self.last_code.take();
                    self.issue(now, service, Some(number), code, out);
                }
                Err(e) => {
                    self.id_error = Some(e.message_zh().to_string());
                    self.voice(out, VoicePrompt::CheckIdNumber);
                }
            },
            Page::Appointment if !self.code.is_empty() => {
                let code = self.code.text().to_string();
                // The server knows the booking's service; "A" is only a placeholder it ignores
                // when a code is given.
                let service = self
                    .services
                    .first()
                    .map(|s| s.id.clone())
                    .unwrap_or_default();
                self.issue(now, service, None, Some(code), out);
            }
            Page::StaffPin => match super::pin::check_pin_format(self.pin.text()) {
                Ok(()) => {
                    self.staff_pin = Some(self.pin.text().to_string());
                    self.home(
                        now,
                        Some(Notice {
                            level: NoticeLevel::Info,
                            text: "下一张号票为绿色通道优先号（由服务器核验密码）".into(),
                        }),
                    );
                }
                Err(_) => self.pin_error = Some("管理密码为4至12位数字".into()),
            },
            _ => {}
        }
    }
}
