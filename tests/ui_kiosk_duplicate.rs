//! Kiosk flow: one ID, one number. The same ID number again shows the existing number and
//! offers a reprint, which is printed marked 补打.

mod common;
mod ui_kiosk_support;

use common::{CONFIG_24H, KIOSK, TestServer, monday_10am};
use hallq::config::{HallConfig, OnFailure};
use ui_kiosk_support::*;

const ID: &str = "11010519491231002X";

#[test]
fn duplicate_id_offers_a_reprint_marked_bu_da() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let text = CONFIG_24H.replace(
        "one_per_id = true\n",
        "one_per_id = true\nrequires_id = true\n",
    );
    assert!(text.contains("requires_id = true"));
    let rt = runtime();
    let server = rt.block_on(TestServer::start(&text, monday_10am()));
    let mut config = HallConfig::parse(&text).unwrap();
    let (printer_config, printer) = sim_printer(OnFailure::Block);
    config.printer = Some(printer_config);
    let kiosk = start_kiosk(&config, &server.base, KIOSK, printer.clone(), &rt);
    let window = kiosk.window.clone_strong();

    run_flow(async move {
        for round in 0..2 {
            wait_for("the home page", 10, || {
                button(&window, "综合受理").is_some()
            })
            .await;
            press(&window, "综合受理");
            wait_for("the ID page", 5, || has_text(&window, "请输入身份证号码")).await;
            type_keys(&window, &ID[..10]);
            let field = labelled(&window, "身份证号码")
                .into_iter()
                .find(|e| e.accessible_value().is_some())
                .unwrap();
            let shown = field.accessible_value().unwrap().to_string();
            assert_eq!(shown, "110*** ****____ ____", "masked while typed");
            type_keys(&window, &ID[10..]);
            assert_eq!(
                field.accessible_value().unwrap().as_str(),
                "110*** ******** 002X"
            );
            press(&window, "确认取号");
            if round == 0 {
                wait_for("the first ticket", 10, || {
                    has_text(&window, "您的号码 A001")
                })
                .await;
                press(&window, "完成");
            }
        }
        wait_for("the reprint offer", 10, || {
            has_text(&window, "您的号码：A001")
        })
        .await;
        assert!(has_text(&window, "您今天已取过该业务的号（一人一号）"));
        press(&window, "补打号票");
        wait_for("the reprinted ticket", 10, || has_text(&window, "补打")).await;
        assert!(has_text(&window, "您的号码 A001"));
    });

    let texts = printed_texts(&printer);
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(!texts[0].contains("补打"));
    assert!(
        texts[1].contains("补打") && texts[1].contains("A001"),
        "{}",
        texts[1]
    );
    assert!(texts[1].contains("002X") && !texts[1].contains("0519491231"));
    let (_, services) = rt.block_on(server.get("/api/v1/services", KIOSK));
    assert_eq!(
        services[0]["issued_today"], 1,
        "the reprint issued no new number"
    );
    drop(kiosk);
    rt.block_on(server.stop());
}
