//! Window terminal flow (real hall server, elements found by accessible label): hold and
//! 回呼 (F5), transfer to a service and to a window, 指定叫号, pause/resume (F8) with the
//! engine's refusal while paused, 办结 with a 办件编号 (F9), and calls from an outside
//! thread through `TerminalHandle` (as a GPIO button does), and the staff member's own
//! 好差评 figures after a rating.

mod common;
mod ui_window_support;

use std::time::Duration;

use common::{ADMIN, TestServer, WINDOW1, monday_10am};
use hallq::terminal::TerminalAction;
use ui_window_support::*;

#[test]
fn hold_resume_transfer_call_specific_pause_and_finish() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let rt = runtime();
    let server = rt.block_on(TestServer::start(&config_with_staff(), monday_10am()));
    let terminal = start_terminal(&server.base, WINDOW1, 1, &rt);
    let w = terminal.window.clone_strong();
    let handle = rt.handle().clone();
    let outside = terminal.guard.handle();

    run_flow(async move {
        sign_in(&w, "1001", None).await;
        wait_status(&w, "王丽 已签到").await;
        for _ in 0..4 {
            handle.block_on(server.issue("A"));
        }
        wait_for("four waiting", 5, || has_text(&w, "综合受理 等候 4 人")).await;

        // 挂起, then 回呼 from the F5 picker.
        press(&w, "叫号");
        wait_status(&w, "已叫号 A001").await;
        press(&w, "挂起");
        wait_status(&w, "A001 已挂起").await;
        assert!(has_text(&w, "挂起的号（1）"));
        assert!(button(&w, "回呼 A001").is_some());
        function_key(&w, 5);
        wait_for("the held picker", 5, || has_text(&w, "选择要回呼的号")).await;
        press(&w, "回呼 A001");
        wait_status(&w, "已回呼 A001").await;
        assert!(has_text(&w, "当前号码 A001"));
        assert!(has_text(&w, "挂起的号（0）"));

        // 转移 to a service: the ticket leaves this window with its history.
        press(&w, "转移");
        wait_for("the transfer picker", 5, || {
            button(&w, "转到业务 社保医保").is_some()
        })
        .await;
        press(&w, "转到业务 社保医保");
        wait_status(&w, "A001 已转到业务「社保医保」").await;
        let (_, a001) = handle.block_on(server.get("/api/v1/tickets/A001", ADMIN));
        assert_eq!(a001["service"], "B");
        assert_eq!(a001["transfers"][0]["to"], "service:B");

        // 转移 to a window.
        sleep(Duration::from_millis(2100)).await;
        press(&w, "叫号");
        wait_for("a call", 5, || status(&w).starts_with("已叫号 ")).await;
        let called = status(&w).trim_start_matches("已叫号 ").to_string();
        press(&w, "转移");
        wait_for("the transfer picker", 5, || {
            button(&w, "转到 3号窗口（社保窗口）").is_some()
        })
        .await;
        press(&w, "转到 3号窗口（社保窗口）");
        wait_status(&w, &format!("{called} 已转到3号窗口（社保窗口）")).await;
        let (_, t) = handle.block_on(server.get(&format!("/api/v1/tickets/{called}"), ADMIN));
        assert_eq!(t["directed_to"], 3, "{t}");

        // 指定叫号 A004 on the pad (letter key, then digits).
        press(&w, "指定叫号");
        wait_for("the number pad", 5, || has_text(&w, "号码")).await;
        type_keys(&w, "A0045");
        press(&w, "删除");
        assert_eq!(value(&w, "号码"), "A004");
        function_key(&w, 7);
        wait_status(&w, "已指定叫号 A004").await;
        assert!(has_text(&w, "当前号码 A004"));

        // 暂停: calling is refused by the engine until 恢复.
        press(&w, "暂停");
        wait_status(&w, "已暂停服务").await;
        assert!(button(&w, "恢复").is_some());
        assert!(has_text(&w, "暂停服务中"));
        sleep(Duration::from_millis(2100)).await;
        press(&w, "叫号");
        wait_status(&w, "窗口已暂停服务").await;
        function_key(&w, 8);
        wait_status(&w, "已恢复服务").await;
        assert!(button(&w, "暂停").is_some());

        // 办结 with a 办件编号 typed on the letter pad; F9 opens and confirms.
        function_key(&w, 9);
        wait_for("the finish dialog", 5, || has_text(&w, "办件编号")).await;
        type_keys(&w, "ZW2026001");
        assert_eq!(value(&w, "办件编号"), "ZW2026001");
        function_key(&w, 9);
        wait_status(&w, "A004 已办结（办件编号 ZW2026001）").await;
        assert!(has_text(&w, "当前没有正在办理的号"));
        let (_, t) = handle.block_on(server.get("/api/v1/tickets/A004", ADMIN));
        assert_eq!(t["state"], "finished");
        assert_eq!(t["case_number"], "ZW2026001");
        assert_eq!(t["staff"], "1001");

        // 我的今日评价: the staff member's own totals follow a rating at the evaluator.
        wait_for("own figures", 5, || {
            value(&w, "我的今日评价") == "今天还没有评价"
        })
        .await;
        let (code, rated) = handle.block_on(server.post(
            "/api/v1/windows/1/rating",
            "evaluator-token-1",
            serde_json::json!({"level": 5, "reasons": [], "comment": null}),
        ));
        assert_eq!(code, 201, "{rated}");
        wait_for("own figures after a rating", 5, || {
            value(&w, "我的今日评价") == "评价 1 次，满意率 100.0%，差评 0 次"
        })
        .await;
        assert!(has_text(&w, "1 次 · 满意率 100.0%"));

        // An outside trigger (a GPIO button thread) takes the same path, guard included.
        handle.block_on(server.issue("A"));
        wait_for("one waiting", 5, || has_text(&w, "综合受理 等候 2 人")).await;
        sleep(Duration::from_millis(2100)).await;
        let o = outside.clone();
        std::thread::spawn(move || assert!(o.request(TerminalAction::CallNext)))
            .join()
            .unwrap();
        wait_for("the outside call", 5, || status(&w).starts_with("已叫号 ")).await;
        let o = outside.clone();
        std::thread::spawn(move || assert!(o.request(TerminalAction::CallNext)))
            .join()
            .unwrap();
        wait_status(&w, "请勿重复叫号").await;
    });
    drop(terminal);
}
