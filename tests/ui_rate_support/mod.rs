//! Shared by the evaluator UI flows (one flow per test file: the Slint testing backend's event
//! loop can be set up once per process): a real hall server on 127.0.0.1:0, the evaluator
//! wired by the real controller, helpers that find elements by accessible label, and the
//! server-side steps that give the evaluator something to ask about.

#![allow(dead_code)]

use std::time::Duration;

use hallq::client::HallClient;
use hallq::evaluator::{EvaluatorDeps, EvaluatorGuard, EvaluatorSettings, Timing};
use hallq::ui::evaluator::EvaluatorWindow;
use i_slint_backend_testing::{AccessibleRole, ElementHandle};
pub use slint::ComponentHandle;

#[path = "../ui_flow/mod.rs"]
mod ui_flow;
pub use ui_flow::*;

use crate::common::{CONFIG_24H, TestServer, WINDOW1};

/// The evaluator of window 1 in tests/fixtures/hall-24h.toml.
pub const EVALUATOR1: &str = "evaluator-token-1";
pub const OFFLINE: &str = "与服务器的连接已断开，正在重连…";
pub const QUESTION: &str = "请您对本次服务进行评价";
pub const THANKS: &str = "感谢您的评价";
/// Left to right, as on the screen.
pub const LEVELS: [&str; 5] = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"];
pub const REASONS: [&str; 3] = ["服务效率", "服务水平", "服务态度"];

/// The 24-hour test hall with a rating timeout of `timeout_s` seconds.
pub fn config_with_timeout(timeout_s: u32) -> String {
    format!("{CONFIG_24H}\n[ratings]\ntimeout_s = {timeout_s}\n")
}

/// Quick retries so the flows do not wait long.
pub fn fast_timing() -> Timing {
    Timing {
        retry_first: Duration::from_millis(100),
        retry_max: Duration::from_millis(300),
        poll_every: Duration::from_secs(30),
        tick: Duration::from_millis(100),
    }
}

pub struct Evaluator {
    pub window: EvaluatorWindow,
    pub guard: EvaluatorGuard,
}

/// The evaluator of window `n` against `base`, shown at `size`.
pub fn start_evaluator(
    base: &str,
    settings: EvaluatorSettings,
    size: (f32, f32),
    rt: &tokio::runtime::Runtime,
) -> Evaluator {
    let window = EvaluatorWindow::new().unwrap();
    let guard = hallq::evaluator::start(
        &window,
        EvaluatorDeps {
            client: HallClient::new(base, EVALUATOR1, Duration::from_secs(3)).unwrap(),
            settings,
            runtime: rt.handle().clone(),
            timing: fast_timing(),
        },
    );
    window
        .window()
        .set_size(slint::LogicalSize::new(size.0, size.1));
    window.show().unwrap();
    Evaluator { window, guard }
}

/// Window 1: 王丽 (1001) signs in.
pub async fn sign_in(server: &TestServer) {
    let (status, body) = server
        .post(
            "/api/v1/windows/1/sign-in",
            WINDOW1,
            serde_json::json!({ "staff": "1001" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// A ticket of service A is issued, called and finished at window 1; returns its number.
pub async fn serve_one(server: &TestServer) -> String {
    let issued = server.issue("A").await;
    let number = issued["number"].as_str().unwrap().to_string();
    let (status, body) = server
        .post(
            "/api/v1/windows/1/call-next",
            WINDOW1,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ticket"]["number"], number.as_str());
    let (status, body) = server
        .post("/api/v1/windows/1/finish", WINDOW1, serde_json::json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    number
}

/// The toggle (checkbox) with this accessible label, if shown.
pub fn toggle(window: &EvaluatorWindow, label: &str) -> Option<ElementHandle> {
    with_role(window, label, AccessibleRole::Checkbox)
}

/// Presses the element with this label (buttons first).
pub fn press(window: &EvaluatorWindow, label: &str) {
    button(window, label)
        .or_else(|| labelled(window, label).into_iter().next())
        .unwrap_or_else(|| panic!("nothing labelled {label:?}"))
        .invoke_accessible_default_action();
}

pub fn checked(e: &ElementHandle) -> bool {
    e.accessible_checked().unwrap_or(false)
}

/// The countdown's seconds, when shown.
pub fn countdown(window: &EvaluatorWindow) -> Option<u64> {
    labelled(window, "倒计时")
        .first()
        .and_then(|e| e.accessible_value())
        .and_then(|v| v.parse().ok())
}

/// The five level buttons, left to right; each must exist.
pub fn level_buttons(window: &EvaluatorWindow) -> Vec<ElementHandle> {
    LEVELS
        .iter()
        .map(|l| button(window, l).unwrap_or_else(|| panic!("no level button {l:?}")))
        .collect()
}

/// Asserts the question is shown as issue 6 wants it: five level buttons of one size, each
/// with its star count, none checked; no reason toggles yet; a countdown.
pub fn assert_fair_question(window: &EvaluatorWindow) {
    let buttons = level_buttons(window);
    let first = buttons[0].size();
    for (b, label) in buttons.iter().zip(LEVELS) {
        assert_eq!(b.accessible_checkable(), Some(true), "{label}");
        assert!(!checked(b), "{label} is pre-selected");
        assert!(b.accessible_enabled().unwrap_or(true), "{label} disabled");
        let size = b.size();
        assert!(
            size.width >= 60.0 && size.height >= 60.0,
            "{label}: {size:?}"
        );
        assert!(
            (size.width - first.width).abs() < 1.0 && (size.height - first.height).abs() < 1.0,
            "{label} differs in size: {size:?} vs {first:?}"
        );
    }
    let stars: Vec<String> = buttons
        .iter()
        .map(|b| b.accessible_description().unwrap_or_default().to_string())
        .collect();
    assert_eq!(stars, ["5星", "4星", "3星", "2星", "1星"]);
    for r in REASONS {
        assert!(
            toggle(window, r).is_none(),
            "reason {r} shown before a 差评"
        );
    }
    assert!(countdown(window).is_some_and(|s| s > 0), "no countdown");
}

/// Today's ratings as the admin sees them.
pub async fn ratings(server: &TestServer) -> Vec<serde_json::Value> {
    let (status, body) = server.get("/api/v1/ratings", crate::common::ADMIN).await;
    assert_eq!(status, 200, "{body}");
    body["ratings"].as_array().cloned().unwrap_or_default()
}
