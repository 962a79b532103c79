//! Kiosk flow: a closed service and a service whose quota is used up cannot be taken, and
//! the kiosk says why.

mod common;
mod ui_kiosk_support;

use common::{CONFIG_24H, KIOSK, TestServer, monday_10am};
use hallq::config::{HallConfig, OnFailure};
use ui_kiosk_support::*;

/// B: one ticket a day; C: issuing stopped for the day at 10:00.
fn config_text() -> String {
    CONFIG_24H
        .replace(
            "id = \"B\"\nname = \"社保医保\"\nprefix = \"B\"\n",
            "id = \"B\"\nname = \"社保医保\"\nprefix = \"B\"\ndaily_quota = 1\n",
        )
        .replace(
            "id = \"C\"\nname = \"不动产登记\"\nprefix = \"C\"\n",
            "id = \"C\"\nname = \"不动产登记\"\nprefix = \"C\"\nsessions = [{ open = \"08:00\", close = \"09:00\" }]\n",
        )
}

#[test]
fn closed_and_full_services_cannot_be_taken_and_say_why() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let text = config_text();
    assert!(text.contains("daily_quota = 1") && text.contains("close = \"09:00\""));
    let rt = runtime();
    let server = rt.block_on(TestServer::start(&text, monday_10am()));
    let mut config = HallConfig::parse(&text).unwrap();
    let (printer_config, printer) = sim_printer(OnFailure::Block);
    config.printer = Some(printer_config);
    let kiosk = start_kiosk(&config, &server.base, KIOSK, printer.clone(), &rt);
    let window = kiosk.window.clone_strong();

    run_flow(async move {
        wait_for("the home page", 10, || {
            button(&window, "不动产登记").is_some()
        })
        .await;
        // Closed: greyed out with the reason in words.
        let closed = button(&window, "不动产登记").unwrap();
        assert_ne!(closed.accessible_enabled(), Some(true));
        let why = closed.accessible_description().unwrap().to_string();
        assert!(why.starts_with("暂停取号："), "{why}");
        assert!(has_text(&window, &why), "the reason is written on the tile");
        press(&window, "不动产登记");
        wait_for("the refusal", 5, || has_text(&window, "【无法办理】")).await;
        assert!(
            labelled(
                &window,
                &format!("【无法办理】不动产登记：{}", &why["暂停取号：".len()..])
            )
            .len()
                == 1,
            "the banner names the service and the reason"
        );
        assert!(
            button(&window, "综合受理").is_some(),
            "still on the home page"
        );

        // The quota: the first B ticket is given, the second is refused.
        press(&window, "社保医保");
        wait_for("the first B ticket", 10, || {
            has_text(&window, "您的号码 B001")
        })
        .await;
        press(&window, "完成");
        wait_for("B shown as full", 10, || {
            button(&window, "社保医保")
                .and_then(|b| b.accessible_description())
                .is_some_and(|d| d.contains("已约满"))
        })
        .await;
        press(&window, "社保医保");
        wait_for("the quota refusal", 5, || has_text(&window, "【无法办理】")).await;
        assert!(!has_text(&window, "您的号码 B002"));
    });

    assert_eq!(printed_texts(&printer).len(), 1, "only B001 was printed");
    let (_, services) = rt.block_on(server.get("/api/v1/services", KIOSK));
    let issued: Vec<u64> = services
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["issued_today"].as_u64().unwrap())
        .collect();
    assert_eq!(issued, vec![0, 1, 0]);
    drop(kiosk);
    rt.block_on(server.stop());
}
