//! The window API: a window's state and the staff's commands (`/api/v1/windows/{n}/…`).

use serde::{Deserialize, Serialize};

use super::{ClientError, HallClient};

/// A staff member signed in at a window.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct StaffInfo {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// One step of a ticket's transfer history.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct TransferInfo {
    #[serde(default)]
    pub at: String,
    pub from_service: String,
    #[serde(default)]
    pub from_window: Option<u16>,
    /// `service:<id>` or `window:<n>`.
    pub to: String,
}

/// A ticket as a window sees it (the fields the terminal uses).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct WindowTicket {
    pub id: u64,
    pub number: String,
    pub service: String,
    #[serde(default)]
    pub service_name: String,
    /// waiting | called | held | finished | missed | expired
    #[serde(default)]
    pub state: String,
    /// priority | appointment | walk_in
    #[serde(default)]
    pub class: String,
    #[serde(default)]
    pub priority: bool,
    /// RFC 3339, UTC.
    #[serde(default)]
    pub issued_at: String,
    #[serde(default)]
    pub called_at: Option<String>,
    #[serde(default)]
    pub recalls: u8,
    #[serde(default)]
    pub transfers: Vec<TransferInfo>,
    #[serde(default)]
    pub case_number: Option<String>,
}

/// People waiting for one service this window serves.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct WaitingInfo {
    pub service: String,
    pub waiting: usize,
}

/// `GET /api/v1/windows/{n}` and the answer to every window command.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct WindowInfo {
    pub window: u16,
    #[serde(default)]
    pub name: String,
    /// open | paused
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub staff: Option<StaffInfo>,
    #[serde(default)]
    pub ticket: Option<WindowTicket>,
    #[serde(default)]
    pub recalls_left: Option<u8>,
    #[serde(default)]
    pub held: Vec<WindowTicket>,
    #[serde(default)]
    pub waiting: Vec<WaitingInfo>,
}

impl WindowInfo {
    pub fn paused(&self) -> bool {
        self.state == "paused"
    }
}

/// Where a transfer sends the current ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransferTarget {
    Service(String),
    Window(u16),
}

#[derive(Serialize)]
struct NumberBody<'a> {
    number: &'a str,
}

#[derive(Serialize)]
struct TransferBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    window: Option<u16>,
}

#[derive(Serialize)]
struct FinishBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    case_number: Option<&'a str>,
}

#[derive(Serialize)]
struct SignInBody<'a> {
    staff: &'a str,
    /// Sent only when typed: servers without PIN support refuse unknown fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pin: Option<&'a str>,
}

#[derive(Serialize)]
struct Empty {}

impl HallClient {
    /// `GET /api/v1/windows`: every window.
    pub async fn windows(&self) -> Result<Vec<WindowInfo>, ClientError> {
        self.get("/api/v1/windows").await
    }

    /// `GET /api/v1/windows/{n}`; on a server without that route, picked from the list.
    pub async fn window(&self, n: u16) -> Result<WindowInfo, ClientError> {
        match self.get(&format!("/api/v1/windows/{n}")).await {
            Err(e) if e.is_missing_route() => self
                .windows()
                .await?
                .into_iter()
                .find(|w| w.window == n)
                .ok_or(e),
            other => other,
        }
    }

    async fn window_command(&self, n: u16, verb: &str) -> Result<WindowInfo, ClientError> {
        self.post(&format!("/api/v1/windows/{n}/{verb}"), &Empty {})
            .await
    }

    /// 叫号: the next ticket by the ordering rules (`ticket` is `None` when nobody waits).
    pub async fn call_next(&self, n: u16) -> Result<WindowInfo, ClientError> {
        self.window_command(n, "call-next").await
    }

    /// 指定叫号
    pub async fn call_number(&self, n: u16, number: &str) -> Result<WindowInfo, ClientError> {
        self.post(&format!("/api/v1/windows/{n}/call"), &NumberBody { number })
            .await
    }

    /// 重呼
    pub async fn recall(&self, n: u16) -> Result<WindowInfo, ClientError> {
        self.window_command(n, "recall").await
    }

    /// 过号
    pub async fn no_show(&self, n: u16) -> Result<WindowInfo, ClientError> {
        self.window_command(n, "no-show").await
    }

    /// 挂起
    pub async fn hold(&self, n: u16) -> Result<WindowInfo, ClientError> {
        self.window_command(n, "hold").await
    }

    /// 回呼: a held ticket of this window.
    pub async fn resume_held(&self, n: u16, number: &str) -> Result<WindowInfo, ClientError> {
        self.post(
            &format!("/api/v1/windows/{n}/resume-held"),
            &NumberBody { number },
        )
        .await
    }

    /// 转移 the current ticket to a service or a window.
    pub async fn transfer(&self, n: u16, to: &TransferTarget) -> Result<WindowInfo, ClientError> {
        let body = match to {
            TransferTarget::Service(s) => TransferBody {
                service: Some(s),
                window: None,
            },
            TransferTarget::Window(w) => TransferBody {
                service: None,
                window: Some(*w),
            },
        };
        self.post(&format!("/api/v1/windows/{n}/transfer"), &body)
            .await
    }

    /// 暂停服务
    pub async fn pause(&self, n: u16) -> Result<WindowInfo, ClientError> {
        self.window_command(n, "pause").await
    }

    /// 恢复服务
    pub async fn resume(&self, n: u16) -> Result<WindowInfo, ClientError> {
        self.window_command(n, "resume").await
    }

    /// 办结, with the 办件编号 when there is one.
    pub async fn finish(
        &self,
        n: u16,
        case_number: Option<&str>,
    ) -> Result<WindowInfo, ClientError> {
        self.post(
            &format!("/api/v1/windows/{n}/finish"),
            &FinishBody { case_number },
        )
        .await
    }

    /// Staff signs in (the PIN is sent only when one was typed).
    pub async fn sign_in(
        &self,
        n: u16,
        staff: &str,
        pin: Option<&str>,
    ) -> Result<WindowInfo, ClientError> {
        self.post(
            &format!("/api/v1/windows/{n}/sign-in"),
            &SignInBody { staff, pin },
        )
        .await
    }

    /// Staff signs out.
    pub async fn sign_out(&self, n: u16) -> Result<WindowInfo, ClientError> {
        self.window_command(n, "sign-out").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_dto_is_read() {
        let json = r#"{"window":1,"name":"综合窗口","state":"open",
            "staff":{"id":"1001","name":"王丽"},
            "ticket":{"id":3,"number":"A003","day":"2026-11-23","service":"A","service_name":"综合受理",
              "state":"called","class":"priority","priority":true,"issued_at":"2026-11-23T02:00:00Z",
              "called_at":"2026-11-23T02:05:00Z","finished_at":null,"window":1,"directed_to":null,
              "staff":"1001","recalls":1,"no_shows":0,
              "transfers":[{"at":"2026-11-23T02:04:00Z","from_service":"B","from_window":3,"to":"service:A"}],
              "case_number":null,"id_last4":null,"wait_sla":null,"handle_sla":null},
            "recalls_left":2,"held":[],"waiting":[{"service":"A","waiting":4}],"last_finished":null}"#;
        let w: WindowInfo = serde_json::from_str(json).unwrap();
        assert_eq!(w.staff.as_ref().unwrap().name, "王丽");
        let t = w.ticket.unwrap();
        assert_eq!(t.transfers[0].from_window, Some(3));
        assert!(t.priority);
        assert_eq!(w.recalls_left, Some(2));
        assert_eq!(w.waiting[0].waiting, 4);
        let paused: WindowInfo = serde_json::from_str(r#"{"window":2,"state":"paused"}"#).unwrap();
        assert!(paused.ticket.is_none() && paused.paused());
    }

    #[test]
    fn bodies_leave_out_what_was_not_typed() {
        let body = SignInBody {
            staff: "1001",
            pin: None,
        };
        assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"staff":"1001"}"#);
        let body = TransferBody {
            service: None,
            window: Some(3),
        };
        assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"window":3}"#);
        let body = FinishBody { case_number: None };
        assert_eq!(serde_json::to_string(&body).unwrap(), "{}");
    }
}
