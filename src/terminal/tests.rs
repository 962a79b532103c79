//! Unit tests of the terminal's state machine: explicit instants, no clock reads.

use std::time::{Duration, Instant};

use super::action::{Request, TerminalAction};
use super::state::{
    Connection, Effect, Input, Level, Overlay, SignInField, Terminal, TerminalSettings,
};
use super::view::{ViewPage, clock_text};
use crate::client::{
    ApiErrorBody, ClientError, ServiceInfo, ServiceState, StaffInfo, TransferInfo, TransferTarget,
    WaitingInfo, WindowInfo, WindowTicket,
};

fn ticket(id: u64, number: &str) -> WindowTicket {
    WindowTicket {
        id,
        number: number.into(),
        service: "A".into(),
        service_name: "综合受理".into(),
        state: "called".into(),
        class: "walk_in".into(),
        priority: false,
        issued_at: "2026-11-23T02:00:00Z".into(),
        called_at: Some("2026-11-23T02:12:05Z".into()),
        recalls: 0,
        transfers: Vec::new(),
        case_number: None,
    }
}

fn window(staff: bool, current: Option<WindowTicket>) -> WindowInfo {
    WindowInfo {
        window: 1,
        name: "综合窗口".into(),
        state: "open".into(),
        staff: staff.then(|| StaffInfo {
            id: "1001".into(),
            name: "王丽".into(),
        }),
        recalls_left: current.as_ref().map(|_| 3),
        ticket: current,
        held: Vec::new(),
        waiting: vec![WaitingInfo {
            service: "A".into(),
            waiting: 4,
        }],
    }
}

fn service(id: &str, name: &str) -> ServiceInfo {
    ServiceInfo {
        id: id.into(),
        name: name.into(),
        prefix: id.into(),
        waiting: 0,
        issued_today: 0,
        state: ServiceState::Open,
        reason: None,
        estimated_wait_minutes: 0,
        windows: vec![1],
    }
}

fn api_error(code: &str, message: &str) -> ClientError {
    ClientError::Api {
        status: 409,
        body: ApiErrorBody {
            error: code.into(),
            message: message.into(),
            detail: String::new(),
            existing: None,
        },
    }
}

/// A terminal that is online with 王丽 signed in and no current ticket.
fn ready(t0: Instant) -> Terminal {
    let mut t = Terminal::new(TerminalSettings::new(1));
    t.handle(t0, Input::Connected);
    t.handle(
        t0,
        Input::Services(vec![service("A", "综合受理"), service("B", "社保医保")]),
    );
    t.handle(t0, Input::Window(window(true, None)));
    t
}

fn status(t: &Terminal) -> String {
    t.status().map(|s| s.text.clone()).unwrap_or_default()
}

#[test]
fn second_call_next_within_the_guard_is_ignored_visibly() {
    let t0 = Instant::now();
    let mut t = ready(t0);
    let first = t.handle(t0, Input::Action(TerminalAction::CallNext));
    assert_eq!(first, vec![Effect::Send(Request::CallNext)]);
    t.handle(
        t0 + Duration::from_millis(300),
        Input::Answer {
            request: Request::CallNext,
            result: Ok(window(true, Some(ticket(1, "A001")))),
        },
    );
    let second = t.handle(
        t0 + Duration::from_millis(1999),
        Input::Action(TerminalAction::CallNext),
    );
    assert!(second.is_empty());
    assert_eq!(status(&t), "请勿重复叫号");
    assert_eq!(t.status().unwrap().level, Level::Warning);
    let third = t.handle(
        t0 + Duration::from_millis(2000),
        Input::Action(TerminalAction::CallNext),
    );
    assert_eq!(third, vec![Effect::Send(Request::CallNext)]);
}

#[test]
fn the_guard_is_configurable() {
    let t0 = Instant::now();
    let mut t = ready(t0);
    t.settings.call_guard = Duration::from_millis(500);
    t.handle(t0, Input::Action(TerminalAction::CallNext));
    t.handle(
        t0,
        Input::Answer {
            request: Request::CallNext,
            result: Ok(window(true, None)),
        },
    );
    assert_eq!(status(&t), "当前没有等候的号");
    let again = t.handle(
        t0 + Duration::from_millis(600),
        Input::Action(TerminalAction::CallNext),
    );
    assert_eq!(again, vec![Effect::Send(Request::CallNext)]);
}

#[test]
fn nothing_is_sent_before_sign_in_or_while_offline_or_busy() {
    let t0 = Instant::now();
    let mut t = Terminal::new(TerminalSettings::new(1));
    t.handle(t0, Input::Connected);
    t.handle(t0, Input::Window(window(false, None)));
    assert!(
        t.handle(t0, Input::Action(TerminalAction::CallNext))
            .is_empty()
    );
    assert_eq!(status(&t), "请先签到");

    let mut t = ready(t0);
    t.handle(t0, Input::Disconnected);
    assert_eq!(t.connection(), Connection::Offline);
    assert!(
        t.handle(t0, Input::Action(TerminalAction::TogglePause))
            .is_empty()
    );
    assert_eq!(status(&t), "与服务器的连接已断开，操作未执行");

    let mut t = ready(t0);
    t.handle(t0, Input::Action(TerminalAction::TogglePause));
    assert!(t.busy());
    assert!(
        t.handle(t0, Input::Action(TerminalAction::CallSpecific))
            .is_empty()
    );
    assert_eq!(t.overlay(), Overlay::CallSpecific);
    assert!(t.handle(t0, Input::Key('a')).is_empty());
    assert!(t.handle(t0, Input::Key('7')).is_empty());
    assert!(t.handle(t0, Input::SubmitEntry).is_empty());
    assert_eq!(status(&t), "正在处理上一个操作，请稍候");
}

#[test]
fn sign_in_sends_staff_and_pin_and_clears_the_pin_on_refusal() {
    let t0 = Instant::now();
    let mut t = Terminal::new(TerminalSettings::new(1));
    t.handle(t0, Input::Connected);
    t.handle(t0, Input::Window(window(false, None)));
    assert_eq!(t.view(t0).page, ViewPage::SignIn);
    assert!(t.handle(t0, Input::SubmitSignIn).is_empty());
    assert_eq!(status(&t), "请输入工号");
    for c in "1001".chars() {
        t.handle(t0, Input::Key(c));
    }
    t.handle(t0, Input::Focus(SignInField::Pin));
    for c in "12x34".chars() {
        t.handle(t0, Input::Key(c));
    }
    assert_eq!(t.view(t0).pin_masked, "●●●●");
    let sent = t.handle(t0, Input::SubmitSignIn);
    let request = Request::SignIn {
        staff: "1001".into(),
        pin: Some("1234".into()),
    };
    assert_eq!(sent, vec![Effect::Send(request.clone())]);
    let after = t.handle(
        t0,
        Input::Answer {
            request,
            result: Err(api_error("bad_credentials", "工号或密码错误")),
        },
    );
    assert_eq!(after, vec![Effect::Refresh]);
    assert_eq!(status(&t), "工号或密码错误");
    let v = t.view(t0);
    assert_eq!(
        (v.staff_entry.as_str(), v.pin_masked.as_str()),
        ("1001", "")
    );

    let request = Request::SignIn {
        staff: "1001".into(),
        pin: None,
    };
    t.handle(t0, Input::Focus(SignInField::Pin));
    t.handle(t0, Input::Clear);
    assert_eq!(
        t.handle(t0, Input::SubmitSignIn),
        vec![Effect::Send(request.clone())]
    );
    t.handle(
        t0,
        Input::Answer {
            request,
            result: Ok(window(true, None)),
        },
    );
    assert_eq!(status(&t), "王丽 已签到");
    let v = t.view(t0);
    assert_eq!(v.page, ViewPage::Main);
    assert_eq!(v.staff, "王丽（工号 1001）");
    assert_eq!(v.staff_entry, "");
}

#[test]
fn recall_stops_at_the_cap_without_asking_the_server() {
    let t0 = Instant::now();
    let mut t = ready(t0);
    let mut w = window(true, Some(ticket(1, "A001")));
    w.recalls_left = Some(0);
    t.handle(t0, Input::Window(w));
    assert!(
        t.handle(t0, Input::Action(TerminalAction::Recall))
            .is_empty()
    );
    assert_eq!(status(&t), "已达重呼上限");
    assert_eq!(t.view(t0).recalls_left, Some(0));
}

#[test]
fn engine_refusals_show_the_server_message() {
    let t0 = Instant::now();
    let mut t = ready(t0);
    t.handle(t0, Input::Action(TerminalAction::CallSpecific));
    for c in "a023".chars() {
        t.handle(t0, Input::Key(c));
    }
    assert_eq!(t.view(t0).entry, "A023");
    let sent = t.handle(t0, Input::Action(TerminalAction::CallSpecific));
    assert_eq!(sent, vec![Effect::Send(Request::Call("A023".into()))]);
    assert_eq!(t.overlay(), Overlay::None);
    t.handle(
        t0,
        Input::Answer {
            request: Request::Call("A023".into()),
            result: Err(api_error("already_called", "A023 已被3号窗口叫走")),
        },
    );
    assert_eq!(status(&t), "A023 已被3号窗口叫走");
    assert_eq!(t.status().unwrap().level, Level::Error);
    assert!(!t.busy());
}

#[test]
fn an_unreachable_server_turns_the_terminal_offline_until_reconnected() {
    let t0 = Instant::now();
    let mut t = ready(t0);
    t.handle(t0, Input::Action(TerminalAction::TogglePause));
    t.handle(
        t0,
        Input::Answer {
            request: Request::Pause,
            result: Err(ClientError::Unreachable("connection refused".into())),
        },
    );
    assert!(t.view(t0).offline);
    assert_eq!(status(&t), "操作未完成：与服务器的连接已断开");
    assert_eq!(t.handle(t0, Input::Connected), vec![Effect::Refresh]);
    assert!(!t.view(t0).offline);
}

#[test]
fn dialogs_open_and_send_the_picked_target() {
    let t0 = Instant::now();
    let mut t = ready(t0);
    t.handle(
        t0,
        Input::Windows(vec![window(true, None), {
            let mut w = window(false, None);
            w.window = 3;
            w.name = "社保窗口".into();
            w
        }]),
    );
    // Without a ticket there is nothing to transfer or finish.
    assert!(
        t.handle(t0, Input::Action(TerminalAction::Finish))
            .is_empty()
    );
    assert_eq!(status(&t), "当前没有正在办理的号");
    let mut w = window(true, Some(ticket(1, "A001")));
    w.held = vec![ticket(2, "A002")];
    t.handle(t0, Input::Window(w));

    t.handle(t0, Input::Action(TerminalAction::Transfer));
    let v = t.view(t0);
    assert_eq!(v.overlay, Overlay::Transfer);
    let labels: Vec<_> = v.service_targets.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, vec!["社保医保"]);
    assert_eq!(v.window_targets[0].label, "3号窗口（社保窗口）");
    let target = TransferTarget::Window(3);
    assert_eq!(
        t.handle(t0, Input::PickTransfer(target.clone())),
        vec![Effect::Send(Request::Transfer(target.clone()))]
    );
    t.handle(
        t0,
        Input::Answer {
            request: Request::Transfer(target),
            result: Ok(window(true, None)),
        },
    );
    assert_eq!(status(&t), "A001 已转到3号窗口（社保窗口）");

    let mut w = window(true, Some(ticket(4, "A004")));
    w.held = vec![ticket(2, "A002")];
    t.handle(t0, Input::Window(w));
    t.handle(t0, Input::Action(TerminalAction::ResumeHeld));
    assert_eq!(t.overlay(), Overlay::ResumeHeld);
    assert_eq!(
        t.handle(t0, Input::PickHeld("A002".into())),
        vec![Effect::Send(Request::ResumeHeld("A002".into()))]
    );
    t.handle(
        t0,
        Input::Answer {
            request: Request::ResumeHeld("A002".into()),
            result: Ok(window(true, Some(ticket(2, "A002")))),
        },
    );

    t.handle(t0, Input::Action(TerminalAction::Finish));
    for c in "2026-0815".chars() {
        t.handle(t0, Input::Key(c));
    }
    t.handle(t0, Input::Backspace);
    assert_eq!(
        t.handle(t0, Input::Action(TerminalAction::Finish)),
        vec![Effect::Send(Request::Finish(Some("2026-081".into())))]
    );
    t.handle(
        t0,
        Input::Answer {
            request: Request::Finish(Some("2026-081".into())),
            result: Ok(window(true, None)),
        },
    );
    assert_eq!(status(&t), "A002 已办结（办件编号 2026-081）");
}

#[test]
fn the_ticket_view_shows_wait_service_time_marks_and_transfers() {
    let t0 = Instant::now();
    let mut t = ready(t0);
    let mut a = ticket(7, "A007");
    a.class = "priority".into();
    a.transfers = vec![TransferInfo {
        at: String::new(),
        from_service: "B".into(),
        from_window: Some(3),
        to: "service:A".into(),
    }];
    t.handle(
        t0 + Duration::from_secs(5),
        Input::Window(window(true, Some(a.clone()))),
    );
    // The same ticket again keeps its start.
    t.handle(
        t0 + Duration::from_secs(9),
        Input::Window(window(true, Some(a))),
    );
    let v = t.view(t0 + Duration::from_secs(5 + 65));
    let tv = v.ticket.unwrap();
    assert_eq!(tv.waited, "12:05");
    assert_eq!(tv.serving, "01:05");
    assert!(tv.priority && !tv.appointment);
    assert_eq!(
        tv.transfers,
        vec!["社保医保（3号窗口） → 综合受理".to_string()]
    );
    assert_eq!(v.waiting[0].service_name, "综合受理");
    assert_eq!(v.waiting_total, 4);
    assert_eq!(clock_text(Duration::from_secs(3725)), "1:02:05");
}

#[test]
fn the_status_names_the_ticket_even_when_the_event_stream_refreshed_first() {
    let t0 = Instant::now();
    let mut t = ready(t0);
    t.handle(t0, Input::Window(window(true, Some(ticket(1, "A001")))));
    assert_eq!(
        t.handle(t0, Input::Action(TerminalAction::Hold)),
        vec![Effect::Send(Request::Hold)]
    );
    // The event stream's refresh lands before the answer.
    t.handle(t0, Input::Window(window(true, None)));
    t.handle(
        t0,
        Input::Answer {
            request: Request::Hold,
            result: Ok(window(true, None)),
        },
    );
    assert_eq!(status(&t), "A001 已挂起");
}

fn figures(staff: &str, levels: [u32; 5]) -> crate::client::rating::StaffFigures {
    let rated: u32 = levels.iter().sum();
    let satisfied: u32 = levels[2..].iter().sum();
    crate::client::rating::StaffFigures {
        staff: Some(StaffInfo {
            id: staff.into(),
            name: String::new(),
        }),
        levels,
        rated,
        satisfaction_percent: (rated > 0)
            .then(|| (f64::from(satisfied) * 1000.0 / f64::from(rated)).round() / 10.0),
    }
}

#[test]
fn own_figures_show_only_for_the_staff_member_signed_in() {
    let now = Instant::now();
    let mut t = Terminal::new(TerminalSettings::new(1));
    t.handle(now, Input::Window(window(true, None)));
    assert_eq!(t.view(now).figures, None, "nothing fetched yet");

    t.handle(now, Input::Figures(figures("1001", [1, 0, 2, 3, 6])));
    let f = t.view(now).figures.unwrap();
    assert_eq!((f.rated, f.bad), (12, 1));
    assert_eq!(f.satisfaction, "91.7");

    // Figures of someone else (the previous shift's fetch arriving late) are not shown.
    t.handle(now, Input::Figures(figures("2002", [0, 0, 0, 0, 4])));
    assert_eq!(t.view(now).figures, None);

    // Before the first rating: no rate to show.
    t.handle(now, Input::Figures(figures("1001", [0; 5])));
    let f = t.view(now).figures.unwrap();
    assert_eq!((f.rated, f.satisfaction.as_str()), (0, ""));

    // Signed out: nothing.
    t.handle(now, Input::Window(window(false, None)));
    assert_eq!(t.view(now).figures, None);
}
