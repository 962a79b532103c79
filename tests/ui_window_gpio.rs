//! A GPIO button on the Pi drives the real window terminal: `[[buttons]]` from hall.toml,
//! pins faked (no GPIO header here) behind the same `ButtonInput` trait rppal implements, a
//! bouncing press calls once, a second press within the guard is ignored visibly, the recall
//! button recalls, and a button configured for another window does nothing here.

mod common;
mod ui_window_support;

use std::time::Duration;

use common::{TestServer, WINDOW1, monday_10am};
use hallq::config::HallConfig;
use hallq::devices::gpio::FakeButtons;
use hallq::roles::window::wire_buttons;
use serde_json::json;
use ui_window_support::*;

fn config() -> String {
    format!(
        "{}\n[[buttons]]\nwindow = 1\npin = 17\n\n[[buttons]]\nwindow = 1\npin = 27\naction = \"recall\"\n\n\
         [[buttons]]\nwindow = 2\npin = 22\n",
        config_with_staff()
    )
}

#[test]
fn a_gpio_button_calls_through_the_terminal_with_its_guard() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let rt = runtime();
    let text = config();
    let buttons = HallConfig::parse(&text).unwrap().buttons;
    assert_eq!(buttons.len(), 3);
    let server = rt.block_on(TestServer::start(&text, monday_10am()));
    let (code, body) = rt.block_on(server.post(
        "/api/v1/windows/1/sign-in",
        WINDOW1,
        json!({ "staff": "1001" }),
    ));
    assert_eq!(code, 200, "{body}");
    let terminal = start_terminal(&server.base, WINDOW1, 1, &rt);
    let mut pins = FakeButtons::default();
    let _watched = wire_buttons(&mut pins, &buttons, 1, terminal.guard.handle())
        .expect("the fake pins are watched");
    let w = terminal.window.clone_strong();
    let handle = rt.handle().clone();

    run_flow(async move {
        wait_for("the main page", 10, || button(&w, "叫号").is_some()).await;
        handle.block_on(server.issue("A"));
        handle.block_on(server.issue("A"));
        wait_for("two waiting", 5, || has_text(&w, "综合受理 等候 2 人")).await;

        // Window 2's button is not this terminal's: its pin is not even watched here.
        assert!(
            !pins.press(22, Duration::from_millis(0)),
            "pin 22 is window 2's"
        );
        sleep(Duration::from_millis(300)).await;
        assert!(has_text(&w, "当前没有正在办理的号"));

        // A bouncing contact: three edges within the debounce time are one call.
        for ms in [1000, 1003, 1008] {
            assert!(pins.press(17, Duration::from_millis(ms)));
        }
        wait_status(&w, "已叫号 A001").await;
        sleep(Duration::from_millis(300)).await;
        let (_, win) = handle.block_on(server.get("/api/v1/windows/1", WINDOW1));
        assert_eq!(win["ticket"]["number"], "A001", "{win}");

        // A real second press within the guard time: ignored, and the terminal says so.
        assert!(pins.press(17, Duration::from_millis(1500)));
        wait_status(&w, "请勿重复叫号").await;
        let (_, win) = handle.block_on(server.get("/api/v1/windows/1", WINDOW1));
        assert_eq!(win["ticket"]["number"], "A001", "{win}");

        // The recall button.
        assert!(pins.press(27, Duration::from_millis(1600)));
        wait_status(&w, "已重呼 A001，还可重呼 2 次").await;
        let (_, win) = handle.block_on(server.get("/api/v1/windows/1", WINDOW1));
        assert_eq!(win["ticket"]["recalls"], 1, "{win}");
    });
    drop(terminal);
}
