//! The terminal's screen as plain data; the controller copies it into the Slint adapters.

use std::time::{Duration, Instant};

use super::state::{Connection, Overlay, SignInField, Status, Terminal};
use crate::client::{TransferTarget, WindowTicket};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewPage {
    /// The window's state is not known yet.
    Loading,
    SignIn,
    Main,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TicketView {
    pub number: String,
    pub service_name: String,
    /// 绿色通道
    pub priority: bool,
    /// 预约
    pub appointment: bool,
    /// How long it waited before it was called, e.g. 「12:05」.
    pub waited: String,
    /// How long it has been served here.
    pub serving: String,
    /// The transfer history, one step per line; empty when never transferred.
    pub transfers: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitingRow {
    pub service_name: String,
    pub waiting: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldRow {
    pub number: String,
    pub service_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetRow {
    /// The button text, e.g. 「社保医保」 or 「3号窗口（社保窗口）」.
    pub label: String,
    pub target: TransferTarget,
}

/// The signed-in staff member's own 好差评 figures today (counts only, never a rater).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FiguresView {
    pub rated: u32,
    /// e.g. 「96.7」; empty before the first rating.
    pub satisfaction: String,
    /// 差评 (levels 1 and 2).
    pub bad: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    pub page: ViewPage,
    /// e.g. 「1号窗口 · 综合窗口」
    pub title: String,
    /// e.g. 「王丽（工号 1001）」; empty when nobody is signed in.
    pub staff: String,
    /// Shown when the figures are of the staff member signed in now.
    pub figures: Option<FiguresView>,
    pub offline: bool,
    pub status: Option<Status>,
    pub paused: bool,
    pub busy: bool,
    pub ticket: Option<TicketView>,
    pub recalls_left: Option<u8>,
    pub waiting: Vec<WaitingRow>,
    pub waiting_total: usize,
    pub held: Vec<HeldRow>,
    pub overlay: Overlay,
    pub entry: String,
    /// Letters for the 指定叫号 pad (the services' prefixes).
    pub prefixes: Vec<String>,
    pub service_targets: Vec<TargetRow>,
    pub window_targets: Vec<TargetRow>,
    pub staff_entry: String,
    /// The PIN as dots.
    pub pin_masked: String,
    pub field: SignInField,
}

/// `m:ss`, or `h:mm:ss` from one hour.
pub fn clock_text(d: Duration) -> String {
    let s = d.as_secs();
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

fn between(from: &str, to: &str) -> Option<Duration> {
    let from: jiff::Timestamp = from.parse().ok()?;
    let to: jiff::Timestamp = to.parse().ok()?;
    let secs = to.as_second() - from.as_second();
    Some(Duration::from_secs(u64::try_from(secs).unwrap_or(0)))
}

impl Terminal {
    fn ticket_view(&self, t: &WindowTicket, now: Instant) -> TicketView {
        let names = self.target_names();
        let serving = match self.current_since {
            Some((id, since)) if id == t.id => now.saturating_duration_since(since),
            _ => Duration::ZERO,
        };
        let waited = t
            .called_at
            .as_deref()
            .and_then(|c| between(&t.issued_at, c))
            .map(clock_text)
            .unwrap_or_default();
        TicketView {
            number: t.number.clone(),
            service_name: if t.service_name.is_empty() {
                names.service(&t.service)
            } else {
                t.service_name.clone()
            },
            priority: t.priority || t.class == "priority",
            appointment: t.class == "appointment",
            waited,
            serving: clock_text(serving),
            transfers: t.transfers.iter().map(|s| names.transfer_step(s)).collect(),
        }
    }

    /// The screen at `now`.
    pub fn view(&self, now: Instant) -> View {
        let names = self.target_names();
        let n = self.settings.window;
        let w = self.window.as_ref();
        let page = match w {
            None => ViewPage::Loading,
            Some(w) if w.staff.is_none() => ViewPage::SignIn,
            Some(_) => ViewPage::Main,
        };
        let title = match w {
            Some(w) if !w.name.is_empty() => format!("{n}号窗口 · {}", w.name),
            _ => format!("{n}号窗口"),
        };
        let staff = w
            .and_then(|w| w.staff.as_ref())
            .map(|s| {
                if s.name.is_empty() {
                    format!("工号 {}", s.id)
                } else {
                    format!("{}（工号 {}）", s.name, s.id)
                }
            })
            .unwrap_or_default();
        let waiting: Vec<WaitingRow> = w
            .map(|w| {
                w.waiting
                    .iter()
                    .map(|x| WaitingRow {
                        service_name: names.service(&x.service),
                        waiting: x.waiting,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let own_service = w.and_then(|w| w.ticket.as_ref()).map(|t| t.service.clone());
        let signed_in = w.and_then(|w| w.staff.as_ref()).map(|s| s.id.as_str());
        let figures = self
            .figures
            .as_ref()
            .filter(|f| signed_in.is_some() && f.staff.as_ref().map(|s| s.id.as_str()) == signed_in)
            .map(|f| FiguresView {
                rated: f.rated,
                satisfaction: f
                    .satisfaction_percent
                    .map(|p| format!("{p:.1}"))
                    .unwrap_or_default(),
                bad: f.bad(),
            });
        View {
            page,
            title,
            staff,
            figures,
            offline: self.connection == Connection::Offline,
            status: self.status.clone(),
            paused: w.is_some_and(|w| w.paused()),
            busy: self.busy(),
            ticket: w
                .and_then(|w| w.ticket.as_ref())
                .map(|t| self.ticket_view(t, now)),
            recalls_left: w.and_then(|w| w.ticket.as_ref().and(w.recalls_left)),
            waiting_total: waiting.iter().map(|r| r.waiting).sum(),
            waiting,
            held: w
                .map(|w| {
                    w.held
                        .iter()
                        .map(|t| HeldRow {
                            number: t.number.clone(),
                            service_name: names.service(&t.service),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            overlay: self.overlay,
            entry: self.entry.clone(),
            prefixes: {
                let mut p: Vec<String> = self.services.iter().map(|s| s.prefix.clone()).collect();
                p.sort();
                p.dedup();
                p
            },
            service_targets: self
                .services
                .iter()
                .filter(|s| own_service.as_deref() != Some(s.id.as_str()))
                .map(|s| TargetRow {
                    label: s.name.clone(),
                    target: TransferTarget::Service(s.id.clone()),
                })
                .collect(),
            window_targets: self
                .windows
                .iter()
                .filter(|(w, _)| *w != n)
                .map(|(w, _)| TargetRow {
                    label: names.window(*w),
                    target: TransferTarget::Window(*w),
                })
                .collect(),
            staff_entry: self.staff_entry.clone(),
            pin_masked: "●".repeat(self.pin_entry.chars().count()),
            field: self.field,
        }
    }
}
