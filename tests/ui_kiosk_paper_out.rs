//! Kiosk flow: with `on_failure = "block"`, paper out stops issuing (a clear page, no
//! ticket); when paper is back the kiosk works again.

mod common;
mod ui_kiosk_support;

use common::{CONFIG_24H, KIOSK, TestServer, monday_10am};
use hallq::config::{HallConfig, OnFailure};
use hallq::devices::printer::PrinterStatus;
use hallq::devices::printer::sim::Paper;
use ui_kiosk_support::*;

#[test]
fn paper_out_blocks_issuing_until_paper_is_back() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let rt = runtime();
    let server = rt.block_on(TestServer::start(CONFIG_24H, monday_10am()));
    let mut config = HallConfig::parse(CONFIG_24H).unwrap();
    let (printer_config, printer) = sim_printer(OnFailure::Block);
    config.printer = Some(printer_config);
    let kiosk = start_kiosk(&config, &server.base, KIOSK, printer.clone(), &rt);
    let window = kiosk.window.clone_strong();
    let sim_printer = printer.clone();

    run_flow(async move {
        wait_for("the home page", 10, || {
            button(&window, "综合受理").is_some()
        })
        .await;
        sim_printer.simulator().unwrap().set_paper(Paper::End);
        wait_for("the printer page", 10, || {
            has_text(&window, "取号机暂停出票")
        })
        .await;
        assert_eq!(sim_printer.status(), PrinterStatus::PaperOut);
        assert!(has_text(
            &window,
            "打印机缺纸，请联系工作人员或使用其他取号机"
        ));
        assert!(has_text(&window, "【暂停服务】"));
        assert!(
            button(&window, "综合受理").is_none(),
            "no service can be tapped"
        );

        sim_printer.simulator().unwrap().set_paper(Paper::Ok);
        wait_for("the home page again", 10, || {
            button(&window, "综合受理").is_some()
        })
        .await;
        press(&window, "综合受理");
        wait_for("the result page", 10, || has_text(&window, "您的号码 A001")).await;
    });

    let texts = printed_texts(&printer);
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert!(texts[0].contains("A001"));
    drop(kiosk);
    rt.block_on(server.stop());
}
