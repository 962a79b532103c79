//! Kiosk flow: with `on_failure = "show_number"`, paper out still gives a number — on the
//! screen only, with 「请记住您的号码」 — and nothing reaches the paper.

mod common;
mod ui_kiosk_support;

use common::{CONFIG_24H, KIOSK, TestServer, monday_10am};
use hallq::config::{HallConfig, OnFailure};
use hallq::devices::printer::PrinterStatus;
use hallq::devices::printer::sim::Paper;
use hallq::kiosk::VoicePrompt;
use ui_kiosk_support::*;

#[test]
fn paper_out_shows_the_number_on_screen() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let rt = runtime();
    let server = rt.block_on(TestServer::start(CONFIG_24H, monday_10am()));
    let mut config = HallConfig::parse(CONFIG_24H).unwrap();
    let (printer_config, printer) = sim_printer(OnFailure::ShowNumber);
    config.printer = Some(printer_config);
    printer.simulator().unwrap().set_paper(Paper::End);
    let kiosk = start_kiosk(&config, &server.base, KIOSK, printer.clone(), &rt);
    let window = kiosk.window.clone_strong();
    let p = printer.clone();

    run_flow(async move {
        wait_for("the paper-out warning on the home page", 10, || {
            p.status() == PrinterStatus::PaperOut
                && has_text(&window, "【注意】")
                && button(&window, "综合受理").is_some()
        })
        .await;
        press(&window, "综合受理");
        wait_for("the number on screen", 10, || {
            has_text(&window, "您的号码 A001")
        })
        .await;
        assert!(has_text(&window, "请记住您的号码"));
        assert!(has_text(&window, "【注意】取号机缺纸，未能打印号票"));
        assert!(!has_text(&window, "取号成功，请取走号票"));
    });

    assert!(printed_texts(&printer).is_empty());
    let prompts = kiosk.voice.lock().unwrap().clone();
    assert!(prompts.contains(&VoicePrompt::RememberYourNumber {
        number: "A001".into()
    }));
    drop(kiosk);
    rt.block_on(server.stop());
}
