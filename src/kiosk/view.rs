//! What the screen shows, as plain data: the controller copies it into the Slint adapters.

use std::time::Duration;

use super::state::{Connection, Kiosk, Notice, NoticeLevel, Page};
use crate::client::ServiceState;
use crate::devices::printer::PrinterStatus;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewPage {
    Home,
    IdEntry,
    Appointment,
    Result,
    Reprint,
    Trouble,
    StaffPin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TroubleKind {
    Maintenance,
    Printer,
    Busy,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TileView {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub available: bool,
    pub waiting: usize,
    pub wait_minutes: u32,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupView {
    pub name: String,
    pub services: Vec<TileView>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdEntryView {
    pub service_name: String,
    pub masked: String,
    pub count: usize,
    pub complete: bool,
    pub error: String,
    pub hint: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResultView {
    pub number: String,
    pub service_name: String,
    pub waiting_ahead: usize,
    pub wait_minutes: u32,
    pub windows: String,
    pub printed: bool,
    pub reprint: bool,
    pub priority: bool,
    pub appointment: bool,
    pub problem: String,
    pub seconds_left: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    pub page: ViewPage,
    pub elderly: bool,
    pub notice: Option<Notice>,
    pub groups: Vec<GroupView>,
    pub green_armed: bool,
    pub staff_armed: bool,
    pub staff_button: bool,
    pub id_entry: IdEntryView,
    pub code: String,
    pub code_error: String,
    pub offer_walk_in: bool,
    pub pin_dots: String,
    pub pin_error: String,
    pub result: ResultView,
    /// (number, service name) of the existing ticket.
    pub reprint: (String, String),
    pub trouble: (TroubleKind, String, String),
}

/// 「1、2号窗口」
pub fn windows_text(windows: &[u16]) -> String {
    if windows.is_empty() {
        return "请留意叫号".into();
    }
    let list: Vec<String> = windows.iter().map(u16::to_string).collect();
    format!("{}号窗口", list.join("、"))
}

impl Kiosk {
    pub fn view(&self, now: Duration) -> View {
        let (page, trouble) = self.page_and_trouble();
        View {
            page,
            elderly: self.elderly,
            notice: self.notice.clone().or_else(|| self.printer_notice()),
            groups: self.groups(),
            green_armed: self.green_armed,
            staff_armed: self.staff_pin.is_some(),
            staff_button: self.settings.staff_button,
            id_entry: self.id_view(),
            code: self.code.text().to_string(),
            code_error: self.code_error.clone().unwrap_or_default(),
            offer_walk_in: self.offer_walk_in,
            pin_dots: self.pin.dots(),
            pin_error: self.pin_error.clone().unwrap_or_default(),
            result: self.result_view(now),
            reprint: match &self.page {
                Page::Reprint {
                    number, service, ..
                } => (number.clone(), service.clone()),
                _ => Default::default(),
            },
            trouble,
        }
    }

    fn page_and_trouble(&self) -> (ViewPage, (TroubleKind, String, String)) {
        let none = (TroubleKind::Busy, String::new(), String::new());
        match &self.page {
            Page::Busy => (
                ViewPage::Trouble,
                (
                    TroubleKind::Busy,
                    "正在为您办理，请稍候".into(),
                    "请不要离开，号票马上打印".into(),
                ),
            ),
            Page::Home => match self.connection {
                Connection::Connecting => (
                    ViewPage::Trouble,
                    (
                        TroubleKind::Maintenance,
                        "系统维护中，请稍候".into(),
                        "正在连接服务器…".into(),
                    ),
                ),
                Connection::Down => (
                    ViewPage::Trouble,
                    (
                        TroubleKind::Maintenance,
                        "系统维护中，请稍候".into(),
                        "暂时无法连接服务器，恢复后将自动返回首页".into(),
                    ),
                ),
                Connection::Up if self.printing_blocked() => (
                    ViewPage::Trouble,
                    (
                        TroubleKind::Printer,
                        "取号机暂停出票".into(),
                        format!(
                            "{}，请联系工作人员或使用其他取号机",
                            printer_words(self.printer)
                        ),
                    ),
                ),
                Connection::Up => (ViewPage::Home, none),
            },
            Page::IdEntry { .. } => (ViewPage::IdEntry, none),
            Page::Appointment => (ViewPage::Appointment, none),
            Page::StaffPin => (ViewPage::StaffPin, none),
            Page::Result => (ViewPage::Result, none),
            Page::Reprint { .. } => (ViewPage::Reprint, none),
        }
    }

    /// Screen-only numbers: tell visitors before they choose.
    fn printer_notice(&self) -> Option<Notice> {
        (!self.printer.can_print() && self.printer != PrinterStatus::Unknown).then(|| Notice {
            level: NoticeLevel::Warning,
            text: format!("{}，取号后请记住屏幕上的号码", printer_words(self.printer)),
        })
    }

    fn tile(&self, id: &str) -> Option<TileView> {
        let s = self.services.iter().find(|s| s.id == id)?;
        Some(TileView {
            id: s.id.clone(),
            name: s.name.clone(),
            prefix: s.prefix.clone(),
            available: s.state == ServiceState::Open,
            waiting: s.waiting,
            wait_minutes: s.estimated_wait_minutes,
            reason: match s.state {
                ServiceState::Open => String::new(),
                _ => s.reason.clone().unwrap_or_else(|| "暂停取号".into()),
            },
        })
    }

    fn groups(&self) -> Vec<GroupView> {
        let mut listed = std::collections::HashSet::new();
        let mut groups: Vec<GroupView> = self
            .settings
            .groups
            .iter()
            .map(|g| GroupView {
                name: g.name.clone(),
                services: g
                    .services
                    .iter()
                    .filter_map(|id| {
                        listed.insert(id.clone());
                        self.tile(id)
                    })
                    .collect(),
            })
            .filter(|g| !g.services.is_empty())
            .collect();
        let rest: Vec<TileView> = self
            .services
            .iter()
            .filter(|s| !listed.contains(&s.id))
            .filter_map(|s| self.tile(&s.id))
            .collect();
        if !rest.is_empty() {
            let name = if groups.is_empty() {
                "办理业务"
            } else {
                "其他业务"
            };
            groups.push(GroupView {
                name: name.into(),
                services: rest,
            });
        }
        groups
    }

    fn id_view(&self) -> IdEntryView {
        let Page::IdEntry { service } = &self.page else {
            return IdEntryView::default();
        };
        IdEntryView {
            service_name: self
                .services
                .iter()
                .find(|s| &s.id == service)
                .map(|s| s.name.clone())
                .unwrap_or_else(|| service.clone()),
            masked: self.id.masked(),
            count: self.id.len(),
            complete: self.id.is_complete() && self.id_error.is_none(),
            error: self.id_error.clone().unwrap_or_default(),
            hint: if self.green_armed {
                "绿色通道：70岁及以上老人凭身份证号码优先办理".into()
            } else {
                "此业务需要身份证号码（号码只用于核验，屏幕和号票只显示末4位）".into()
            },
        }
    }

    fn result_view(&self, now: Duration) -> ResultView {
        let Some(o) = &self.outcome else {
            return ResultView::default();
        };
        ResultView {
            number: o.ticket.number.clone(),
            service_name: o.ticket.service_name.clone(),
            waiting_ahead: o.ticket.waiting_ahead,
            wait_minutes: o.ticket.estimated_wait_minutes,
            windows: windows_text(&o.ticket.windows),
            printed: o.printed,
            reprint: o.ticket.reprint,
            priority: o.ticket.priority,
            appointment: o.ticket.appointment,
            problem: o.problem.clone().unwrap_or_default(),
            seconds_left: self.result_seconds_left(now),
        }
    }
}

fn printer_words(status: PrinterStatus) -> &'static str {
    match status {
        PrinterStatus::PaperOut => "打印机缺纸",
        PrinterStatus::CoverOpen => "打印机盖未关好",
        PrinterStatus::CutterError => "打印机切纸故障",
        PrinterStatus::Offline | PrinterStatus::Unknown => "打印机无响应",
        PrinterStatus::Ready | PrinterStatus::NearEnd => "打印机正常",
    }
}
