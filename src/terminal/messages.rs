//! What the status line says after a request, in Simplified Chinese.

use super::action::Request;
use super::state::{Level, Status};
use crate::client::{ClientError, TransferInfo, TransferTarget, WindowInfo};

/// Display names of services and windows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    pub services: Vec<(String, String)>,
    pub windows: Vec<(u16, String)>,
}

impl Names {
    pub fn service(&self, id: &str) -> String {
        self.services
            .iter()
            .find(|(s, _)| s == id)
            .map_or_else(|| id.to_string(), |(_, name)| name.clone())
    }

    pub fn window(&self, n: u16) -> String {
        match self.windows.iter().find(|(w, _)| *w == n) {
            Some((_, name)) if !name.is_empty() => format!("{n}号窗口（{name}）"),
            _ => format!("{n}号窗口"),
        }
    }

    pub fn target(&self, target: &TransferTarget) -> String {
        match target {
            TransferTarget::Service(s) => format!("业务「{}」", self.service(s)),
            TransferTarget::Window(n) => self.window(*n),
        }
    }

    /// One step of a transfer history, e.g. 「社保医保（3号窗口）→ 综合受理」.
    pub fn transfer_step(&self, t: &TransferInfo) -> String {
        let from = match t.from_window {
            Some(w) => format!("{}（{w}号窗口）", self.service(&t.from_service)),
            None => self.service(&t.from_service),
        };
        let to = if let Some(s) = t.to.strip_prefix("service:") {
            self.service(s)
        } else if let Some(w) = t.to.strip_prefix("window:") {
            format!("{w}号窗口")
        } else {
            t.to.clone()
        };
        format!("{from} → {to}")
    }
}

fn info(text: String) -> Status {
    Status {
        level: Level::Info,
        text,
    }
}

/// The status line after a successful request. `before` is the ticket that was current.
pub fn done(request: &Request, before: Option<&str>, after: &WindowInfo, names: &Names) -> Status {
    let now = after.ticket.as_ref().map(|t| t.number.as_str());
    let old = before.unwrap_or("");
    match request {
        Request::CallNext => match now {
            Some(n) => info(format!("已叫号 {n}")),
            None => Status {
                level: Level::Warning,
                text: "当前没有等候的号".into(),
            },
        },
        Request::Call(n) => info(format!("已指定叫号 {}", now.unwrap_or(n))),
        Request::Recall => info(format!(
            "已重呼 {}，还可重呼 {} 次",
            now.unwrap_or(old),
            after.recalls_left.unwrap_or(0)
        )),
        Request::NoShow => info(format!("{old} 已过号")),
        Request::Hold => info(format!("{old} 已挂起")),
        Request::ResumeHeld(n) => info(format!("已回呼 {n}")),
        Request::Transfer(t) => info(format!("{old} 已转到{}", names.target(t))),
        Request::Pause => info("已暂停服务".into()),
        Request::Resume => info("已恢复服务".into()),
        Request::Finish(Some(case)) => info(format!("{old} 已办结（办件编号 {case}）")),
        Request::Finish(None) => info(format!("{old} 已办结")),
        Request::SignIn { staff, .. } => {
            let name = after
                .staff
                .as_ref()
                .map_or(staff.as_str(), |s| s.name.as_str());
            info(format!("{name} 已签到"))
        }
        Request::SignOut => info("已签退".into()),
    }
}

/// The status line when a request failed: the server's own words when it gave them.
pub fn failed(e: &ClientError) -> String {
    match e {
        ClientError::Api { body, .. } if !body.message.is_empty() => body.message.clone(),
        e if e.is_unavailable() => "操作未完成：与服务器的连接已断开".into(),
        ClientError::Api { status, .. } | ClientError::Status { status, .. } => {
            format!("服务器拒绝了操作（{status}）")
        }
        ClientError::Decode { .. } => "服务器的应答无法识别".into(),
        ClientError::Unreachable(_) | ClientError::Setup(_) => {
            "操作未完成：与服务器的连接已断开".into()
        }
    }
}
