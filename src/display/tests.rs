use std::time::{Duration, Instant};

use super::events::{Meaning, meaning};
use super::state::{Call, CallKind, Captioner, Connection, Display, DisplaySettings, Input};
use super::view::Mark;
use crate::client::{ServerEvent, ServiceInfo, ServiceState, WindowInfo, WindowTicket};
use crate::voice::config::VoiceConfig;

fn settings() -> DisplaySettings {
    DisplaySettings {
        recent: 3,
        highlight: Duration::from_secs(8),
        caption_hold: Duration::from_secs(6),
        caption_linger: Duration::from_secs(1),
        voice_captions: false,
    }
}

fn call(number: &str, window: u16, kind: CallKind, seq: u64) -> Input {
    Input::Call(Call {
        number: number.into(),
        window,
        kind,
        service: Some(number[..1].into()),
        seq: Some(seq),
    })
}

fn window(n: u16, ticket: Option<(&str, &str)>) -> WindowInfo {
    WindowInfo {
        window: n,
        name: format!("窗口{n}"),
        state: "open".into(),
        staff: None,
        ticket: ticket.map(|(number, called_at)| WindowTicket {
            id: 1,
            number: number.into(),
            service: number[..1].into(),
            service_name: String::new(),
            state: "called".into(),
            class: "walk_in".into(),
            priority: false,
            issued_at: String::new(),
            called_at: Some(called_at.into()),
            recalls: 0,
            transfers: Vec::new(),
            case_number: None,
        }),
        recalls_left: None,
        held: Vec::new(),
        waiting: Vec::new(),
    }
}

fn service(id: &str, name: &str, waiting: usize) -> ServiceInfo {
    ServiceInfo {
        id: id.into(),
        name: name.into(),
        prefix: id.into(),
        waiting,
        issued_today: 0,
        state: ServiceState::Open,
        reason: None,
        estimated_wait_minutes: 0,
        windows: Vec::new(),
    }
}

fn secs(t0: Instant, s: u64) -> Instant {
    t0 + Duration::from_secs(s)
}

#[test]
fn a_call_is_highlighted_until_its_instant_then_stays_current() {
    let t0 = Instant::now();
    let mut d = Display::new(settings(), Captioner::default());
    d.handle(
        t0,
        Input::Windows {
            list: vec![window(1, None), window(3, None)],
            as_of: 0,
        },
    );
    d.handle(t0, Input::Services(vec![service("A", "综合受理", 4)]));
    d.handle(t0, call("A023", 3, CallKind::Call, 10));

    let v = d.view(secs(t0, 7));
    let card = v.cards.iter().find(|c| c.window == 3).unwrap();
    assert_eq!(card.number, "A023");
    assert_eq!(card.label, "3号窗口");
    assert_eq!(card.service_name, "综合受理");
    assert_eq!(card.mark, Mark::New);
    assert_eq!(v.recent[0].mark, Mark::New);
    assert_eq!(v.recent[0].window_label, "3号窗口");

    let v = d.view(secs(t0, 8));
    let card = v.cards.iter().find(|c| c.window == 3).unwrap();
    assert_eq!(card.number, "A023");
    assert_eq!(card.mark, Mark::None);
    assert_eq!(v.recent[0].mark, Mark::None);
    assert_eq!(v.cards[0].idle_text, "暂无叫号");
}

#[test]
fn a_recall_highlights_again_and_moves_to_the_top_without_a_duplicate() {
    let t0 = Instant::now();
    let mut d = Display::new(settings(), Captioner::default());
    d.handle(t0, call("A001", 1, CallKind::Call, 1));
    d.handle(secs(t0, 1), call("B001", 2, CallKind::Call, 2));
    assert_eq!(d.view(secs(t0, 20)).cards[0].mark, Mark::None);
    d.handle(secs(t0, 20), call("A001", 1, CallKind::Recall, 3));
    let v = d.view(secs(t0, 21));
    assert_eq!(v.cards[0].mark, Mark::Recall);
    let recent: Vec<_> = d.recent().collect();
    assert_eq!(
        recent,
        vec![("A001", 1, CallKind::Recall), ("B001", 2, CallKind::Call)]
    );
    assert_eq!(v.recent[0].mark, Mark::Recall);
    assert_eq!(v.recent[1].mark, Mark::None);
}

#[test]
fn the_recent_list_keeps_the_last_n() {
    let t0 = Instant::now();
    let mut d = Display::new(settings(), Captioner::default());
    for (i, n) in ["A001", "A002", "A003", "A004"].iter().enumerate() {
        d.handle(t0, call(n, 1, CallKind::Call, i as u64 + 1));
    }
    let numbers: Vec<&str> = d.recent().map(|r| r.0).collect();
    assert_eq!(numbers, vec!["A004", "A003", "A002"]);
    assert_eq!(d.current(1), Some("A004"));
}

#[test]
fn without_a_voice_zone_the_caption_is_the_wording_for_a_while() {
    let t0 = Instant::now();
    let mut d = Display::new(settings(), Captioner::default());
    d.handle(t0, call("A023", 3, CallKind::Call, 1));
    assert_eq!(d.caption_at(secs(t0, 5)), Some("请A023号到3号窗口办理"));
    assert_eq!(d.caption_at(secs(t0, 6)), None);
    assert_eq!(d.view(secs(t0, 6)).caption, "");

    // The configured template is used.
    let voice = VoiceConfig {
        template: "请{number}号到{window}号窗口".into(),
        ..VoiceConfig::default()
    };
    let mut d = Display::new(settings(), Captioner::new(&voice));
    d.handle(t0, call("B007", 12, CallKind::Recall, 1));
    assert_eq!(d.caption_at(t0), Some("请B007号到12号窗口"));
}

#[test]
fn with_a_voice_zone_the_caption_follows_the_voice() {
    let t0 = Instant::now();
    let mut d = Display::new(
        DisplaySettings {
            voice_captions: true,
            ..settings()
        },
        Captioner::default(),
    );
    d.handle(t0, call("A023", 3, CallKind::Call, 1));
    assert_eq!(d.caption_at(t0), None, "no caption before the voice starts");
    d.handle(
        secs(t0, 1),
        Input::VoiceStarted("请A023号到3号窗口办理".into()),
    );
    assert_eq!(d.caption_at(secs(t0, 60)), Some("请A023号到3号窗口办理"));
    // A stale Finished (of another caption) does not end it.
    d.handle(
        secs(t0, 2),
        Input::VoiceFinished("请A022号到1号窗口办理".into()),
    );
    assert!(d.caption_at(secs(t0, 60)).is_some());
    d.handle(
        secs(t0, 10),
        Input::VoiceFinished("请A023号到3号窗口办理".into()),
    );
    assert!(d.caption_at(secs(t0, 10)).is_some());
    assert_eq!(d.caption_at(secs(t0, 11)), None);
}

#[test]
fn a_window_list_read_before_a_call_does_not_undo_it() {
    let t0 = Instant::now();
    let mut d = Display::new(settings(), Captioner::default());
    d.handle(
        t0,
        Input::Windows {
            list: vec![window(1, Some(("A001", "2026-11-23T02:00:00Z")))],
            as_of: 4,
        },
    );
    d.handle(t0, call("A002", 1, CallKind::Call, 5));
    // Read when seq 4 was the last event: older than the call.
    d.handle(
        t0,
        Input::Windows {
            list: vec![window(1, Some(("A001", "2026-11-23T02:00:00Z")))],
            as_of: 4,
        },
    );
    assert_eq!(d.current(1), Some("A002"));
    assert_eq!(d.highlight_at(1, t0), Some(CallKind::Call));
    // Read after it: the list wins (A002 finished, nothing current), the highlight ends.
    d.handle(
        secs(t0, 1),
        Input::Windows {
            list: vec![window(1, None)],
            as_of: 5,
        },
    );
    assert_eq!(d.current(1), None);
    assert_eq!(d.highlight_at(1, secs(t0, 1)), None);
}

#[test]
fn the_first_window_list_seeds_the_recent_calls_newest_first() {
    let t0 = Instant::now();
    let mut d = Display::new(settings(), Captioner::default());
    let mut paused = window(4, None);
    paused.state = "paused".into();
    d.handle(
        t0,
        Input::Windows {
            list: vec![
                window(1, Some(("A001", "2026-11-23T02:00:00Z"))),
                window(2, Some(("A002", "2026-11-23T02:05:00Z"))),
                window(3, None),
                paused,
            ],
            as_of: 0,
        },
    );
    let numbers: Vec<&str> = d.recent().map(|r| r.0).collect();
    assert_eq!(numbers, vec!["A002", "A001"]);
    let v = d.view(t0);
    assert!(v.recent.iter().all(|r| r.mark == Mark::None));
    assert!(v.cards.iter().all(|c| c.mark == Mark::None));
    assert_eq!(v.cards[3].idle_text, "暂停服务");
    assert_eq!(d.connection(), Connection::Online);
}

#[test]
fn waiting_counts_and_connection() {
    let t0 = Instant::now();
    let mut d = Display::new(settings(), Captioner::default());
    assert!(d.view(t0).connecting);
    let mut closed = service("C", "不动产登记", 0);
    closed.state = ServiceState::Closed;
    d.handle(
        t0,
        Input::Services(vec![
            service("A", "综合受理", 4),
            service("B", "社保医保", 2),
            closed,
        ]),
    );
    let v = d.view(t0);
    assert_eq!(v.waiting_total, 6);
    assert_eq!(v.waiting[2].note, "暂停取号");
    assert!(!v.connecting && !v.offline);
    d.handle(t0, Input::Disconnected);
    assert!(d.view(t0).offline);
    d.handle(t0, Input::Connected);
    assert!(!d.view(t0).offline);
}

fn event(kind: &str, data: serde_json::Value) -> ServerEvent {
    ServerEvent {
        id: Some(42),
        kind: kind.into(),
        data,
    }
}

#[test]
fn events_read_as_calls_refreshes_or_nothing() {
    let called = event(
        "ticket_called",
        serde_json::json!({"type": "ticket_called", "ticket": 7, "number": "A023",
            "service": "A", "window": 3, "kind": "next", "seq": 42}),
    );
    assert_eq!(
        meaning(&called),
        Meaning::Call(Call {
            number: "A023".into(),
            window: 3,
            kind: CallKind::Call,
            service: Some("A".into()),
            seq: Some(42),
        })
    );
    let recalled = event(
        "ticket_recalled",
        serde_json::json!({"type": "ticket_recalled", "ticket": 7, "number": "A023",
            "window": 3, "count": 1}),
    );
    match meaning(&recalled) {
        Meaning::Call(c) => {
            assert_eq!(c.kind, CallKind::Recall);
            assert_eq!(c.service, None);
        }
        other => panic!("{other:?}"),
    }
    let issued = event("ticket_issued", serde_json::json!({}));
    assert_eq!(meaning(&issued), Meaning::Refresh);
    assert_eq!(
        meaning(&event("window_paused", serde_json::json!({}))),
        Meaning::Refresh
    );
    assert_eq!(
        meaning(&event("sla_breached", serde_json::json!({}))),
        Meaning::Ignore
    );
    assert_eq!(
        meaning(&event("appointment_booked", serde_json::json!({}))),
        Meaning::Ignore
    );
    // A call without its window cannot be shown; the lists are re-read instead.
    assert_eq!(
        meaning(&event("ticket_called", serde_json::json!({"number": "A1"}))),
        Meaning::Refresh
    );
}
