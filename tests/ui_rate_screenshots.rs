//! Renders the evaluator with Slint's software renderer to PNG (no display needed), driven by
//! the pure state machine: the question at 1024×600, the 差评 reasons at 800×480, the idle
//! page at 800×480 and the question in elderly mode at 800×480 (and, kept out of ui/, the
//! elderly reasons page). Written to
//! target/screenshots/; with HALLQ_UPDATE_SCREENSHOTS=1 also to ui/screenshots/ (the copies
//! the README shows).

mod screenshot;

use std::time::{Duration, Instant};

use hallq::client::StaffInfo;
use hallq::client::rating::{PendingRating, WindowRating};
use hallq::core::RatingReason;
use hallq::evaluator::{Evaluator, EvaluatorSettings, Input, Page, show_view};
use hallq::ui::evaluator::EvaluatorWindow;
use slint::ComponentHandle;

fn rating(pending: bool) -> WindowRating {
    WindowRating {
        window: 3,
        window_name: "社保窗口".into(),
        staff: Some(StaffInfo {
            id: "1001".into(),
            name: "王丽".into(),
        }),
        pending: pending.then(|| PendingRating {
            ticket: 23,
            number: "A023".into(),
            service_name: "综合受理".into(),
            until: "2026-11-23T02:03:04Z".into(),
            seconds_left: 60,
        }),
        timeout_s: 60,
        comments: hallq::config::ratings::DEFAULT_COMMENTS
            .iter()
            .map(|s| s.to_string())
            .collect(),
    }
}

/// Renders at `size` and saves; returns the share of dark pixels (text drawn at all) and
/// the share of pixels in the stars' colour.
fn snap(window: &EvaluatorWindow, name: &str, size: (u32, u32)) -> (f64, f64) {
    snap_to(window, name, size, true)
}

/// As [`snap`]; `publish` false keeps the PNG out of ui/screenshots/.
fn snap_to(window: &EvaluatorWindow, name: &str, size: (u32, u32), publish: bool) -> (f64, f64) {
    let shot = screenshot::snapshot(window, name, size, publish);
    // EvalStyle.star, #8a4a00, give or take anti-aliasing.
    let star = |p: &slint::Rgba8Pixel| p.r > 110 && p.r < 170 && p.g > 50 && p.g < 100 && p.b < 40;
    (
        screenshot::share(&shot, screenshot::dark),
        screenshot::share(&shot, star),
    )
}

#[test]
fn evaluator_screenshots() {
    screenshot::software_platform();
    let window = EvaluatorWindow::new().unwrap();
    window.show().unwrap();
    let t0 = Instant::now();

    let mut e = Evaluator::new(EvaluatorSettings::new(3));
    e.handle(t0, Input::Connected);
    e.handle(t0, Input::Rating(rating(false)));
    let view = e.view(t0);
    assert_eq!(view.page, Page::Idle);
    show_view(&window, &view);
    let (idle, _) = snap(&window, "evaluator-idle-800", (800, 480));
    assert!(idle > 0.003, "idle page text missing ({idle})");

    e.handle(t0, Input::Rating(rating(true)));
    let at = t0 + Duration::from_secs(3);
    let view = e.view(at);
    assert_eq!((view.page, view.seconds_left), (Page::Question, 57));
    show_view(&window, &view);
    let (question, stars) = snap(&window, "evaluator-question-1024", (1024, 600));
    assert!(question > 0.005, "question text missing ({question})");
    assert!(stars > 0.002, "stars missing ({stars})");

    e.handle(at, Input::Choose(2));
    e.handle(at, Input::ToggleReason(RatingReason::Attitude));
    e.handle(at, Input::ToggleComment("态度不好".into()));
    let at = t0 + Duration::from_secs(12);
    let view = e.view(at);
    assert_eq!(view.page, Page::Reasons);
    show_view(&window, &view);
    let (reasons, _) = snap(&window, "evaluator-reasons-800", (800, 480));
    assert!(reasons > 0.005, "reasons page text missing ({reasons})");

    e.handle(at, Input::Back);
    e.handle(at, Input::ToggleElderly);
    let view = e.view(at);
    assert!(view.elderly);
    show_view(&window, &view);
    let (elderly, stars) = snap(&window, "evaluator-question-elderly-800", (800, 480));
    assert!(elderly > 0.005, "elderly question text missing ({elderly})");
    assert!(stars > 0.002, "stars missing in elderly mode ({stars})");

    e.handle(at, Input::Choose(1));
    e.handle(at, Input::ToggleReason(RatingReason::Efficiency));
    e.handle(at, Input::ToggleComment("等候时间太长".into()));
    let view = e.view(at);
    assert!(view.elderly && view.page == Page::Reasons);
    show_view(&window, &view);
    let (elderly, _) = snap_to(&window, "evaluator-reasons-elderly-800", (800, 480), false);
    assert!(elderly > 0.005, "elderly reasons text missing ({elderly})");

    e.handle(at, Input::Submit);
    e.handle(
        at,
        Input::Answer {
            ticket: 23,
            result: Ok(hallq::client::rating::Rated {
                number: "A023".into(),
                level: 1,
                follow_up: Some(1),
            }),
        },
    );
    let view = e.view(at);
    assert_eq!(view.page, Page::Thanks);
    show_view(&window, &view);
    let (thanks, _) = snap_to(&window, "evaluator-thanks-800", (800, 480), false);
    assert!(thanks > 0.002, "thanks text missing ({thanks})");
}
