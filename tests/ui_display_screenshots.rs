//! Renders the hall display with Slint's software renderer to PNG (no display needed) at
//! 1920x1080 and 1280x720, in a realistic state: six windows (one paused), several calls,
//! the newest highlighted with its 「新」 badge, the caption of the wording (no voice zone).
//! Written to target/screenshots/; with HALLQ_UPDATE_SCREENSHOTS=1 also to ui/screenshots/.

mod screenshot;

use std::time::{Duration, Instant};

use hallq::client::{ServiceInfo, ServiceState, WindowInfo, WindowTicket};
use hallq::display::{Call, CallKind, Captioner, Display, DisplaySettings, Input, show_view};
use hallq::ui::display::{DisplayAdapter, HallDisplay};
use i_slint_backend_testing::ElementHandle;
use slint::ComponentHandle;

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

fn window(n: u16, name: &str, ticket: Option<(&str, &str)>) -> WindowInfo {
    WindowInfo {
        window: n,
        name: name.into(),
        state: "open".into(),
        staff: None,
        ticket: ticket.map(|(number, called_at)| WindowTicket {
            id: u64::from(n),
            number: number.into(),
            service: number[..1].into(),
            service_name: String::new(),
            state: "called".into(),
            class: "walk_in".into(),
            priority: false,
            issued_at: "2026-11-23T01:00:00Z".into(),
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

fn hall(t0: Instant) -> Display {
    let mut d = Display::new(DisplaySettings::default(), Captioner::default());
    let mut paused = window(6, "综合咨询", None);
    paused.state = "paused".into();
    d.handle(
        t0,
        Input::Services(vec![
            service("A", "综合受理", 12),
            service("B", "社保医保", 4),
            service("C", "不动产登记", 7),
            service("D", "公积金", 0),
        ]),
    );
    d.handle(
        t0,
        Input::Windows {
            list: vec![
                window(1, "综合窗口", Some(("A019", "2026-11-23T01:50:00Z"))),
                window(2, "综合受理窗口", Some(("A020", "2026-11-23T01:52:00Z"))),
                window(3, "社保窗口", Some(("B006", "2026-11-23T01:53:00Z"))),
                window(4, "不动产窗口", Some(("C011", "2026-11-23T01:54:00Z"))),
                window(5, "公积金窗口", None),
                paused,
            ],
            as_of: 100,
        },
    );
    let calls = [("A021", 1), ("B007", 3), ("C012", 4), ("A023", 2)];
    for (i, (number, w)) in calls.iter().enumerate() {
        d.handle(
            t0 + Duration::from_secs(10 * i as u64),
            Input::Call(Call {
                number: (*number).into(),
                window: *w,
                kind: CallKind::Call,
                service: Some(number[..1].into()),
                seq: Some(101 + i as u64),
            }),
        );
    }
    d
}

/// Renders at `size` and saves; returns the share of bright pixels (text drawn at all).
fn snap(window: &HallDisplay, name: &str, size: (u32, u32)) -> f64 {
    let shot = screenshot::snapshot(window, name, size, true);
    screenshot::share(&shot, screenshot::bright)
}

fn labelled(window: &HallDisplay, label: &str) -> Vec<ElementHandle> {
    ElementHandle::find_by_accessible_label(window, label).collect()
}

#[test]
fn hall_display_screenshots() {
    screenshot::software_platform();
    let window = HallDisplay::new().unwrap();
    let adapter = window.global::<DisplayAdapter>();
    adapter.set_title("测试大厅 政务服务中心".into());
    adapter.set_notice(hallq::display::DEFAULT_NOTICE.into());
    adapter.set_clock("10:23:45".into());
    adapter.set_date("2026年11月23日 星期一".into());
    window.show().unwrap();

    let t0 = Instant::now();
    let d = hall(t0);
    // Five seconds after the last call: it is highlighted, its caption shown.
    let now = t0 + Duration::from_secs(35);
    let view = d.view(now);
    assert_eq!(view.caption, "请A023号到2号窗口办理");
    assert_eq!(view.cards.len(), 6);
    assert_eq!(view.recent[0].number, "A023");

    for (name, size, k) in [
        ("display-1920", (1920, 1080), 1.0f32),
        ("display-1280", (1280, 720), 2.0 / 3.0),
    ] {
        window
            .window()
            .set_size(slint::LogicalSize::new(size.0 as f32, size.1 as f32));
        show_view(&window, &view);
        assert!((adapter.get_scale() - k).abs() < 0.001, "{name}");
        let bright = snap(&window, name, size);
        assert!(bright > 0.01, "{name}: text missing ({bright})");
        // The highlight is visible without colour: the 「新」 badge of window 2, alone.
        assert_eq!(labelled(&window, "2号窗口新呼叫").len(), 1, "{name}");
        assert!(labelled(&window, "1号窗口新呼叫").is_empty(), "{name}");
        let caption = labelled(&window, "字幕");
        assert_eq!(
            caption[0].accessible_value().unwrap(),
            "请A023号到2号窗口办理"
        );
    }

    // Eight seconds after the last call the highlight is gone; the number stays.
    show_view(&window, &d.view(t0 + Duration::from_secs(38)));
    assert!(labelled(&window, "2号窗口新呼叫").is_empty());
    let number = labelled(&window, "2号窗口当前号码");
    assert_eq!(number[0].accessible_value().unwrap(), "A023");
}
