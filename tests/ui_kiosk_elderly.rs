//! Kiosk flow: elderly mode (长辈模式). The real elements are measured: every button is at
//! least 60x60 and every text at least 18 px high (44x44 in normal mode).

mod common;
mod ui_kiosk_support;

use common::{CONFIG_24H, KIOSK, TestServer, monday_10am};
use hallq::config::{HallConfig, OnFailure};
use hallq::ui::kiosk::KioskWindow;
use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use ui_kiosk_support::*;

/// (label, width, height) of every button-like element shown.
fn targets(window: &KioskWindow) -> Vec<(String, f32, f32)> {
    i_slint_backend_testing::ElementQuery::from_root(window)
        .match_descendants()
        .match_predicate(|e| {
            matches!(
                e.accessible_role(),
                Some(AccessibleRole::Button | AccessibleRole::Checkbox)
            )
        })
        .find_all()
        .into_iter()
        .map(|e| {
            let size = e.size();
            (
                e.accessible_label().unwrap_or_default().to_string(),
                size.width,
                size.height,
            )
        })
        .collect()
}

fn assert_targets(window: &KioskWindow, min: f32, page: &str) {
    let found = targets(window);
    assert!(found.len() >= 4, "{page}: too few buttons: {found:?}");
    for (label, w, h) in &found {
        assert!(!label.is_empty(), "{page}: a button without a label");
        assert!(
            *w >= min && *h >= min,
            "{page}: {label} is {w}x{h}, below {min}x{min}"
        );
    }
}

/// Every visible text is at least `min` px high (the testing backend measures a line as its
/// font size).
fn assert_texts(window: &KioskWindow, min: f32, page: &str) {
    let texts: Vec<ElementHandle> = ElementHandle::find_by_element_type_name(window, "Text")
        .filter(|e| e.accessible_label().is_some_and(|l| !l.is_empty()))
        .collect();
    assert!(!texts.is_empty(), "{page}: no text found");
    for t in texts {
        let label = t.accessible_label().unwrap_or_default();
        let h = t.size().height;
        assert!(h >= min, "{page}: text {label:?} is {h} px high");
    }
}

#[test]
fn elderly_mode_has_big_targets_and_big_text() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let rt = runtime();
    let server = rt.block_on(TestServer::start(CONFIG_24H, monday_10am()));
    let mut config = HallConfig::parse(CONFIG_24H).unwrap();
    let (printer_config, printer) = sim_printer(OnFailure::Block);
    config.printer = Some(printer_config);
    let kiosk = start_kiosk(&config, &server.base, KIOSK, printer, &rt);
    let window = kiosk.window.clone_strong();

    run_flow(async move {
        wait_for("the home page", 10, || {
            button(&window, "综合受理").is_some()
        })
        .await;
        assert!(!theme(&window).get_elderly());
        assert_targets(&window, 44.0, "home, normal");
        assert_texts(&window, 18.0, "home, normal");

        let toggle = labelled(&window, "长辈模式");
        assert_eq!(toggle[0].accessible_role(), Some(AccessibleRole::Checkbox));
        assert_eq!(toggle[0].accessible_checked(), Some(false));
        toggle[0].invoke_accessible_default_action();
        wait_for("elderly mode", 5, || theme(&window).get_elderly()).await;
        sleep(std::time::Duration::from_millis(100)).await;
        assert_eq!(
            labelled(&window, "长辈模式")[0].accessible_checked(),
            Some(true)
        );
        assert!(
            has_text(&window, "长辈模式：开"),
            "the state is written, not only coloured"
        );

        let t = theme(&window);
        assert!(t.get_target_min() >= 60.0);
        assert!(t.get_font_small() >= 18.0 && t.get_font_body() >= 18.0);
        assert!(t.get_font_number() > t.get_font_title());
        assert_targets(&window, 60.0, "home, elderly");
        assert_texts(&window, 26.0, "home, elderly");
        assert_eq!(
            t.get_service_columns(),
            1,
            "fewer items per row in elderly mode"
        );

        // The keypad page too.
        press(&window, "绿色通道（70岁以上）");
        press(&window, "综合受理");
        wait_for("the ID page", 5, || has_text(&window, "请输入身份证号码")).await;
        assert_targets(&window, 60.0, "ID entry, elderly");
        assert_texts(&window, 26.0, "ID entry, elderly");
        assert!(button(&window, "数字7").is_some() && button(&window, "字母X").is_some());
    });

    drop(kiosk);
    rt.block_on(server.stop());
}
