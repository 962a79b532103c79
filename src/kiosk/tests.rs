//! State-machine tests: inputs with `now` in, effects and view out.

use std::collections::HashSet;
use std::time::Duration;

use jiff::tz::TimeZone;

use super::state::{Connection, Effect, Input, Kiosk, KioskSettings, Page};
use super::ticket::TicketContext;
use super::view::ViewPage;
use super::voice::VoicePrompt;
use crate::client::{ApiErrorBody, ClientError, ExistingTicket, Issued, ServiceInfo, ServiceState};
use crate::config::{KioskGroup, OnFailure};
use crate::devices::printer::{PrintOutcome, PrinterStatus};

const VALID_ID: &str = "11010519491231002X";

fn settings(on_failure: OnFailure) -> KioskSettings {
    KioskSettings {
        ticket: TicketContext {
            hall_name: "测试大厅".into(),
            timezone: TimeZone::get("Asia/Shanghai").unwrap(),
            printer: None,
        },
        result_timeout: Duration::from_secs(15),
        idle_timeout: Duration::from_secs(60),
        elderly_default: false,
        groups: vec![KioskGroup {
            name: "社保医保类".into(),
            services: vec!["B".into()],
        }],
        requires_id: HashSet::from(["B".to_string()]),
        on_print_failure: on_failure,
        staff_button: true,
        voice_prompts: true,
    }
}

fn service(id: &str, state: ServiceState, reason: Option<&str>) -> ServiceInfo {
    ServiceInfo {
        id: id.into(),
        name: format!("业务{id}"),
        prefix: id.into(),
        waiting: 2,
        issued_today: 2,
        state,
        reason: reason.map(str::to_string),
        estimated_wait_minutes: 10,
        windows: vec![1],
    }
}

fn ready_kiosk(on_failure: OnFailure) -> Kiosk {
    let mut k = Kiosk::new(settings(on_failure));
    k.handle(Duration::ZERO, Input::Printer(PrinterStatus::Ready));
    k.handle(
        Duration::ZERO,
        Input::Services(vec![
            service("A", ServiceState::Open, None),
            service("B", ServiceState::Open, None),
            service("C", ServiceState::QuotaReached, Some("今日号源已约满")),
        ]),
    );
    k
}

fn issued(number: &str) -> Issued {
    Issued {
        id: 9,
        number: number.into(),
        service: "A".into(),
        service_name: "业务A".into(),
        state: "waiting".into(),
        class: "walk_in".into(),
        priority: false,
        issued_at: "2026-11-23T02:00:00Z".into(),
        waiting_ahead: 3,
        estimated_wait_minutes: 12,
        windows: vec![1, 2],
        id_last4: None,
    }
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[test]
fn starts_on_the_maintenance_page_until_the_server_answers() {
    let k = Kiosk::new(settings(OnFailure::Block));
    assert_eq!(k.view(Duration::ZERO).page, ViewPage::Trouble);
    let k = ready_kiosk(OnFailure::Block);
    assert_eq!(k.connection(), Connection::Up);
    assert_eq!(k.view(Duration::ZERO).page, ViewPage::Home);
}

#[test]
fn walk_in_ticket_is_issued_printed_and_shown_then_times_out() {
    let mut k = ready_kiosk(OnFailure::Block);
    let fx = k.handle(secs(1), Input::TapService("A".into()));
    assert!(matches!(&fx[0], Effect::Issue(b) if b.service == "A" && b.id_number.is_none()));
    assert_eq!(k.page(), &Page::Busy);
    let fx = k.handle(secs(2), Input::IssueAnswer(Ok(issued("A001"))));
    let Some(Effect::Print { ticket_id, ticket }) = fx.first() else {
        panic!("no print: {fx:?}");
    };
    assert_eq!((*ticket_id, ticket.number.as_str()), (9, "A001"));
    let fx = k.handle(
        secs(3),
        Input::PrintDone {
            ticket_id: 9,
            reprint: false,
            outcome: PrintOutcome::Printed,
        },
    );
    assert!(fx.iter().any(
        |e| matches!(e, Effect::ReportPrint { ticket_id: 9, report } if report.outcome == "printed")
    ));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Voice(VoicePrompt::TakeYourTicket { .. })))
    );
    let view = k.view(secs(3));
    assert_eq!(view.page, ViewPage::Result);
    assert_eq!(view.result.number, "A001");
    assert!(view.result.printed);
    assert_eq!(view.result.seconds_left, 15);
    assert_eq!(view.result.windows, "1、2号窗口");
    k.handle_timeout(secs(17));
    assert_eq!(k.page(), &Page::Result);
    k.handle_timeout(secs(18));
    assert_eq!(k.page(), &Page::Home);
}

#[test]
fn unavailable_service_is_refused_with_its_reason() {
    let mut k = ready_kiosk(OnFailure::Block);
    let fx = k.handle(secs(1), Input::TapService("C".into()));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Issue(_))));
    let view = k.view(secs(1));
    assert_eq!(view.page, ViewPage::Home);
    assert!(view.notice.unwrap().text.contains("今日号源已约满"));
    let tile = view
        .groups
        .iter()
        .flat_map(|g| &g.services)
        .find(|t| t.id == "C")
        .unwrap();
    assert!(!tile.available);
    assert_eq!(tile.reason, "今日号源已约满");
}

#[test]
fn groups_follow_the_configuration_and_the_rest_is_listed_after() {
    let k = ready_kiosk(OnFailure::Block);
    let groups = k.view(Duration::ZERO).groups;
    assert_eq!(groups[0].name, "社保医保类");
    assert_eq!(groups[0].services[0].id, "B");
    assert_eq!(groups[1].name, "其他业务");
    assert_eq!(groups[1].services.len(), 2);
}

#[test]
fn id_entry_validates_the_check_digit_and_sends_the_number() {
    let mut k = ready_kiosk(OnFailure::Block);
    k.handle(secs(1), Input::TapService("B".into()));
    assert!(matches!(k.page(), Page::IdEntry { service } if service == "B"));
    for c in "110105194912310021".chars() {
        k.handle(secs(2), Input::Key(c));
    }
    let view = k.view(secs(2));
    assert!(view.id_entry.error.contains("校验位"));
    assert!(!view.id_entry.complete);
    assert_eq!(view.id_entry.masked, "110*** ******** 0021");
    k.handle(secs(3), Input::Backspace);
    k.handle(secs(3), Input::Key('X'));
    assert!(k.view(secs(3)).id_entry.complete);
    let fx = k.handle(secs(4), Input::Submit);
    assert!(matches!(&fx[0], Effect::Issue(b) if b.id_number.as_deref() == Some(VALID_ID)));
}

#[test]
fn idle_entry_page_returns_home_and_forgets_the_digits() {
    let mut k = ready_kiosk(OnFailure::Block);
    k.handle(secs(1), Input::TapService("B".into()));
    k.handle(secs(1), Input::ToggleElderly);
    k.handle(secs(5), Input::Key('1'));
    k.handle_timeout(secs(64));
    assert!(matches!(k.page(), Page::IdEntry { .. }));
    k.handle_timeout(secs(65));
    assert_eq!(k.page(), &Page::Home);
    assert!(
        !k.elderly(),
        "elderly mode returns to the default after idle"
    );
    k.handle(secs(66), Input::TapService("B".into()));
    assert_eq!(k.view(secs(66)).id_entry.count, 0);
}

#[test]
fn paper_out_blocks_issuing_unless_screen_numbers_are_allowed() {
    let mut k = ready_kiosk(OnFailure::Block);
    let fx = k.handle(secs(1), Input::Printer(PrinterStatus::PaperOut));
    assert!(fx.contains(&Effect::ReportPrinter(PrinterStatus::PaperOut)));
    assert_eq!(k.view(secs(1)).page, ViewPage::Trouble);
    assert!(k.handle(secs(1), Input::TapService("A".into())).is_empty());

    let mut k = ready_kiosk(OnFailure::ShowNumber);
    k.handle(secs(1), Input::Printer(PrinterStatus::PaperOut));
    assert_eq!(k.view(secs(1)).page, ViewPage::Home);
    k.handle(secs(2), Input::TapService("A".into()));
    let fx = k.handle(secs(3), Input::IssueAnswer(Ok(issued("A002"))));
    assert!(fx.iter().any(
        |e| matches!(e, Effect::ReportPrint { report, .. } if report.outcome == "not_printed")
    ));
    let view = k.view(secs(3));
    assert_eq!(view.page, ViewPage::Result);
    assert!(!view.result.printed);
    assert_eq!(view.result.number, "A002");
}

#[test]
fn paper_end_during_the_job_is_uncertain() {
    let mut k = ready_kiosk(OnFailure::Block);
    k.handle(secs(1), Input::TapService("A".into()));
    k.handle(secs(2), Input::IssueAnswer(Ok(issued("A003"))));
    let fx = k.handle(
        secs(3),
        Input::PrintDone {
            ticket_id: 9,
            reprint: false,
            outcome: PrintOutcome::Uncertain {
                status: PrinterStatus::PaperOut,
            },
        },
    );
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::ReportPrint { report, .. } if report.outcome == "uncertain")
        )
    );
    let view = k.view(secs(3));
    assert!(!view.result.printed);
    assert!(view.result.problem.contains("缺纸"));
}

#[test]
fn duplicate_id_offers_a_reprint() {
    let mut k = ready_kiosk(OnFailure::Block);
    k.handle(secs(1), Input::TapService("B".into()));
    for c in VALID_ID.chars() {
        k.handle(secs(1), Input::Key(c));
    }
    k.handle(secs(2), Input::Submit);
    let dup = ClientError::Api {
        status: 409,
        body: ApiErrorBody {
            error: "duplicate_id_number".into(),
            message: "您今日已取号".into(),
            detail: String::new(),
            existing: Some(ExistingTicket {
                id: 4,
                number: "B004".into(),
            }),
        },
    };
    k.handle(secs(3), Input::IssueAnswer(Err(dup)));
    let view = k.view(secs(3));
    assert_eq!(view.page, ViewPage::Reprint);
    assert_eq!(view.reprint.0, "B004");
    let fx = k.handle(secs(4), Input::ReprintAccept);
    assert_eq!(fx[0], Effect::FetchTicket("B004".into()));
}

#[test]
fn server_loss_shows_maintenance_and_recovers() {
    let mut k = ready_kiosk(OnFailure::Block);
    k.handle(secs(1), Input::ServerUnreachable);
    let view = k.view(secs(1));
    assert_eq!(view.page, ViewPage::Trouble);
    assert_eq!(view.trouble.1, "系统维护中，请稍候");
    k.handle(
        secs(2),
        Input::Services(vec![service("A", ServiceState::Open, None)]),
    );
    assert_eq!(k.view(secs(2)).page, ViewPage::Home);
}

#[test]
fn staff_pin_makes_the_next_ticket_a_priority_request() {
    let mut k = ready_kiosk(OnFailure::Block);
    k.handle(secs(1), Input::OpenStaff);
    assert_eq!(k.page(), &Page::StaffPin);
    for c in "2468".chars() {
        k.handle(secs(1), Input::Key(c));
    }
    k.handle(secs(2), Input::Submit);
    assert!(k.view(secs(2)).staff_armed);
    let fx = k.handle(secs(3), Input::TapService("A".into()));
    assert!(
        matches!(&fx[0], Effect::Issue(b) if b.priority && b.priority_pin.as_deref() == Some("2468"))
    );
    assert!(!k.view(secs(3)).staff_armed);
}

#[test]
fn appointment_that_needs_an_id_keeps_its_code_while_the_id_is_typed() {
    let mut k = ready_kiosk(OnFailure::Block);
    k.handle(secs(1), Input::OpenAppointment);
    for c in "YY7".chars() {
        k.handle(secs(1), Input::Key(c));
    }
    let fx = k.handle(secs(2), Input::Submit);
    assert!(matches!(&fx[0], Effect::Issue(b) if b.appointment_code.as_deref() == Some("YY7")));
    let need_id = ClientError::Api {
        status: 422,
        body: ApiErrorBody {
            error: "id_number_required".into(),
            message: "此业务需要身份证号".into(),
            detail: String::new(),
            existing: None,
        },
    };
    k.handle(secs(3), Input::IssueAnswer(Err(need_id)));
    assert!(matches!(k.page(), Page::IdEntry { .. }));
    for c in VALID_ID.chars() {
        k.handle(secs(4), Input::Key(c));
    }
    let fx = k.handle(secs(5), Input::Submit);
    assert!(matches!(&fx[0], Effect::Issue(b)
        if b.appointment_code.as_deref() == Some("YY7") && b.id_number.as_deref() == Some(VALID_ID)));

    // A late booking offers a walk-in instead.
    let mut k = ready_kiosk(OnFailure::Block);
    k.handle(secs(1), Input::OpenAppointment);
    k.handle(secs(1), Input::Key('9'));
    k.handle(secs(2), Input::Submit);
    let late = ClientError::Api {
        status: 409,
        body: ApiErrorBody {
            error: "appointment_too_late".into(),
            message: "已超过预约时段".into(),
            detail: String::new(),
            existing: None,
        },
    };
    k.handle(secs(3), Input::IssueAnswer(Err(late)));
    let view = k.view(secs(3));
    assert_eq!(view.page, ViewPage::Appointment);
    assert_eq!(view.code_error, "已超过预约时段");
    assert!(view.offer_walk_in);
    k.handle(secs(4), Input::WalkIn);
    assert_eq!(k.page(), &Page::Home);
}
