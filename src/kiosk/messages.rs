//! What the kiosk shows for each answer of the hall server that is not a ticket.

use crate::client::ClientError;
use crate::devices::printer::PrinterStatus;

/// Where an issue error sends the visitor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IssueErrorAction {
    /// The server is unreachable or restarting: maintenance page until it answers again.
    Maintenance,
    /// One ID, one number: offer a reprint of the existing ticket.
    OfferReprint { id: u64, number: String },
    /// The service needs an ID number: ask for it.
    AskIdNumber,
    /// The ID number was refused: stay on the ID page with this text.
    IdNumberError(String),
    /// The booking code was refused: stay on the appointment page with this text;
    /// `walk_in` offers an ordinary ticket instead.
    AppointmentError { message: String, walk_in: bool },
    /// The staff PIN or priority was refused.
    PriorityRefused(String),
    /// Back home with this text (closed, quota reached, anything else).
    Home(String),
}

/// Decides what to do with a failed issue.
pub fn issue_error_action(err: &ClientError) -> IssueErrorAction {
    if err.is_unavailable() {
        return IssueErrorAction::Maintenance;
    }
    let ClientError::Api { body, .. } = err else {
        return IssueErrorAction::Home("系统繁忙，请稍后再试".into());
    };
    let message = body.message.clone();
    match body.error.as_str() {
        "duplicate_id_number" => match &body.existing {
            Some(e) => IssueErrorAction::OfferReprint {
                id: e.id,
                number: e.number.clone(),
            },
            None => IssueErrorAction::Home(message),
        },
        "id_number_required" => IssueErrorAction::AskIdNumber,
        "invalid_id_number" => IssueErrorAction::IdNumberError(message),
        "appointment_too_late" | "appointment_too_early" | "appointment_not_today" => {
            IssueErrorAction::AppointmentError {
                message,
                walk_in: true,
            }
        }
        "unknown_appointment" | "appointment_used" | "appointment_conflict" => {
            IssueErrorAction::AppointmentError {
                message,
                walk_in: false,
            }
        }
        "forbidden" | "invalid_pin" | "priority_pin" | "invalid_priority_pin" => {
            IssueErrorAction::PriorityRefused(if message.is_empty() {
                "管理密码不正确".into()
            } else {
                message
            })
        }
        _ if message.is_empty() => IssueErrorAction::Home("暂时无法取号，请联系工作人员".into()),
        _ => IssueErrorAction::Home(message),
    }
}

/// Why no ticket came out, for the result page.
pub fn printer_problem(status: PrinterStatus) -> &'static str {
    match status {
        PrinterStatus::PaperOut => "取号机缺纸，未能打印号票",
        PrinterStatus::CoverOpen => "打印机盖未关好，未能打印号票",
        PrinterStatus::CutterError => "打印机切纸故障，号票可能未打出",
        PrinterStatus::Offline | PrinterStatus::Unknown => "打印机无响应，未能打印号票",
        PrinterStatus::Ready | PrinterStatus::NearEnd => "号票可能未打印完整",
    }
}

/// The device-health word for a printer status.
pub fn printer_status_word(status: PrinterStatus) -> &'static str {
    match status {
        PrinterStatus::Ready => "ready",
        PrinterStatus::NearEnd => "near_end",
        PrinterStatus::PaperOut => "paper_out",
        PrinterStatus::CoverOpen => "cover_open",
        PrinterStatus::CutterError => "cutter_error",
        PrinterStatus::Offline => "offline",
        PrinterStatus::Unknown => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{ApiErrorBody, ExistingTicket};

    fn api(code: &str, existing: Option<ExistingTicket>) -> ClientError {
        ClientError::Api {
            status: 409,
            body: ApiErrorBody {
                error: code.into(),
                message: "服务器的话".into(),
                detail: String::new(),
                existing,
            },
        }
    }

    #[test]
    fn each_code_has_its_action() {
        assert_eq!(
            issue_error_action(&api(
                "duplicate_id_number",
                Some(ExistingTicket {
                    id: 3,
                    number: "A003".into()
                })
            )),
            IssueErrorAction::OfferReprint {
                id: 3,
                number: "A003".into()
            }
        );
        assert_eq!(
            issue_error_action(&api("quota_reached", None)),
            IssueErrorAction::Home("服务器的话".into())
        );
        assert!(matches!(
            issue_error_action(&api("appointment_too_late", None)),
            IssueErrorAction::AppointmentError { walk_in: true, .. }
        ));
        assert_eq!(
            issue_error_action(&ClientError::Unreachable("refused".into())),
            IssueErrorAction::Maintenance
        );
    }
}
