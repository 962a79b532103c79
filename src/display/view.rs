//! The display's screen as plain data; the controller copies it into the Slint adapters.

use std::time::Instant;

use super::state::{CallKind, Connection, Display};
use crate::client::ServiceState;

/// The non-colour marker of a highlighted call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    None,
    /// 「新」: a new call.
    New,
    /// 「重呼」: a recall.
    Recall,
}

/// One window's card in the current-call area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardView {
    pub window: u16,
    /// 「3号窗口」
    pub label: String,
    /// The window's name, e.g. 「社保窗口」.
    pub name: String,
    /// The current ticket; empty when none.
    pub number: String,
    pub service_name: String,
    /// What the card says without a ticket: 「暂停服务」 or 「暂无叫号」.
    pub idle_text: String,
    pub mark: Mark,
}

/// One line of the recent-calls list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecentRow {
    pub number: String,
    /// 「3号窗口」
    pub window_label: String,
    pub mark: Mark,
}

/// People waiting for one service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitingRow {
    pub name: String,
    pub count: usize,
    /// 「暂停取号」 when the service does not issue now; empty otherwise.
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayView {
    pub offline: bool,
    /// Not connected yet (start-up).
    pub connecting: bool,
    pub cards: Vec<CardView>,
    pub recent: Vec<RecentRow>,
    pub waiting: Vec<WaitingRow>,
    pub waiting_total: usize,
    /// What the voice is saying; empty when silent.
    pub caption: String,
}

fn mark(kind: Option<CallKind>) -> Mark {
    match kind {
        None => Mark::None,
        Some(CallKind::Call) => Mark::New,
        Some(CallKind::Recall) => Mark::Recall,
    }
}

impl Display {
    fn service_name(&self, id: &str) -> String {
        self.services
            .iter()
            .find(|s| s.id == id)
            .map_or_else(|| id.to_string(), |s| s.name.clone())
    }

    /// The screen at `now`.
    pub fn view(&self, now: Instant) -> DisplayView {
        let cards = self
            .slots
            .iter()
            .map(|s| {
                let (number, service) = s.ticket.clone().unwrap_or_default();
                CardView {
                    window: s.window,
                    label: format!("{}号窗口", s.window),
                    name: s.name.clone(),
                    service_name: if service.is_empty() {
                        String::new()
                    } else {
                        self.service_name(&service)
                    },
                    number,
                    idle_text: if s.paused {
                        "暂停服务"
                    } else {
                        "暂无叫号"
                    }
                    .into(),
                    mark: mark(self.highlight_at(s.window, now)),
                }
            })
            .collect();
        let recent = self
            .recent
            .iter()
            .map(|r| RecentRow {
                number: r.number.clone(),
                window_label: format!("{}号窗口", r.window),
                mark: match r.until {
                    Some(until) if now < until => mark(Some(r.kind)),
                    _ => Mark::None,
                },
            })
            .collect();
        let waiting: Vec<WaitingRow> = self
            .services
            .iter()
            .map(|s| WaitingRow {
                name: s.name.clone(),
                count: s.waiting,
                note: match s.state {
                    ServiceState::Open => String::new(),
                    _ => "暂停取号".into(),
                },
            })
            .collect();
        DisplayView {
            offline: self.connection == Connection::Offline,
            connecting: self.connection == Connection::Connecting,
            cards,
            recent,
            waiting_total: waiting.iter().map(|w| w.count).sum(),
            waiting,
            caption: self.caption_at(now).unwrap_or_default().to_string(),
        }
    }
}
