//! Kiosk flow: a visitor takes a ticket; the simulator prints it; the result page shows it.

mod common;
mod ui_kiosk_support;

use common::{CONFIG_24H, KIOSK, TestServer, monday_10am};
use hallq::config::{HallConfig, OnFailure};
use hallq::kiosk::VoicePrompt;
use ui_kiosk_support::*;

#[test]
fn take_a_ticket_prints_it_and_shows_the_number() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let rt = runtime();
    let server = rt.block_on(TestServer::start(CONFIG_24H, monday_10am()));
    let mut config = HallConfig::parse(CONFIG_24H).unwrap();
    let (printer_config, printer) = sim_printer(OnFailure::Block);
    config.printer = Some(printer_config);
    let kiosk = start_kiosk(&config, &server.base, KIOSK, printer.clone(), &rt);
    let window = kiosk.window.clone_strong();

    run_flow(async move {
        wait_for("the home page with its services", 10, || {
            button(&window, "综合受理").is_some()
        })
        .await;
        assert!(has_text(&window, "请选择您要办理的业务"));
        press(&window, "综合受理");
        wait_for("the result page", 10, || has_text(&window, "您的号码 A001")).await;
        assert!(has_text(&window, "A001"));
        assert!(has_text(&window, "取号成功，请取走号票"));
        assert!(has_text(&window, "请留意大厅屏幕和语音叫号"));
        assert!(has_text(&window, "办理窗口：1、2号窗口"));
        let texts = printed_texts(&printer);
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert!(texts[0].contains("A001"), "printed: {}", texts[0]);
        assert!(texts[0].contains("综合受理"), "printed: {}", texts[0]);
        press(&window, "完成");
        wait_for("home again", 5, || button(&window, "综合受理").is_some()).await;
    });

    let prompts = kiosk.voice.lock().unwrap().clone();
    assert!(
        prompts.contains(&VoicePrompt::TakeYourTicket {
            number: "A001".into()
        }),
        "{prompts:?}"
    );
    let (status, body) = rt.block_on(server.get("/api/v1/tickets/A001", KIOSK));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "waiting");
    drop(kiosk);
    rt.block_on(server.stop());
}
