//! Evaluator flow, 差评 (real hall server, elements found by accessible label, 800×480): the
//! window finishes a ticket → the evaluator asks with five identical, unchecked level buttons
//! and no reasons yet; 不满意 → the reasons and preset comments appear; 服务态度 + a comment →
//! 提交 → 「感谢您的评价」 → idle. The server stored level 2 with reason attitude and the
//! comment, and opened a follow-up.

mod common;
mod ui_rate_support;

use common::{ADMIN, TestServer, monday_10am};
use hallq::evaluator::EvaluatorSettings;
use ui_rate_support::*;

#[test]
fn a_bad_rating_with_a_reason_and_a_comment_reaches_the_server() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let rt = runtime();
    let server = rt.block_on(TestServer::start(&config_with_timeout(60), monday_10am()));
    rt.block_on(sign_in(&server));
    let evaluator = start_evaluator(&server.base, EvaluatorSettings::new(1), (800.0, 480.0), &rt);
    let w = evaluator.window.clone_strong();
    let handle = rt.handle().clone();

    run_flow(async move {
        // Idle: the window and who serves there.
        wait_for("the idle page", 10, || has_text(&w, "工作人员：王丽")).await;
        assert!(has_text(&w, "1号窗口"));
        assert!(has_text(&w, "工号：1001"));
        assert!(button(&w, "非常满意").is_none(), "levels shown while idle");

        let number = handle.block_on(serve_one(&server));
        wait_for("the question", 10, || has_text(&w, QUESTION)).await;
        assert!(has_text(&w, &format!("号码 {number}")));
        assert_fair_question(&w);

        press(&w, "不满意");
        wait_for("the reasons", 5, || toggle(&w, "服务态度").is_some()).await;
        for r in REASONS {
            let t = toggle(&w, r).unwrap_or_else(|| panic!("no reason {r}"));
            assert!(!checked(&t), "{r} pre-selected");
        }
        assert!(has_text(&w, "您的评价：不满意"));
        assert!(button(&w, "提交").is_some());
        assert!(button(&w, "重新选择").is_some());
        // The preset phrases of [ratings].comments (the defaults), none chosen.
        let comment = toggle(&w, "态度不好").expect("no preset comment 态度不好");
        assert!(!checked(&comment));
        assert!(toggle(&w, "等候时间太长").is_some());
        // The countdown goes on.
        let left = countdown(&w).expect("no countdown on the reasons page");
        assert!(left > 50 && left <= 60, "{left}");

        press(&w, "服务态度");
        press(&w, "态度不好");
        wait_for("the toggles to show their state", 5, || {
            toggle(&w, "服务态度").is_some_and(|t| checked(&t))
                && toggle(&w, "态度不好").is_some_and(|t| checked(&t))
        })
        .await;
        assert!(!checked(&toggle(&w, "服务效率").unwrap()));
        press(&w, "提交");
        wait_for("the thanks", 10, || has_text(&w, THANKS)).await;
        wait_for("the idle page again", 10, || has_text(&w, "工作人员：王丽")).await;
        assert!(toggle(&w, "服务态度").is_none());

        let stored = handle.block_on(ratings(&server));
        assert_eq!(stored.len(), 1, "{stored:?}");
        let r = &stored[0];
        assert_eq!(r["number"], number.as_str());
        assert_eq!(r["level"], 2);
        assert_eq!(r["window"], 1);
        assert_eq!(r["channel"], "evaluator");
        assert_eq!(r["staff"], "1001");
        assert_eq!(r["reasons"], serde_json::json!(["attitude"]));
        assert_eq!(r["comment"], "态度不好");
        let (status, followups) = handle.block_on(server.get("/api/v1/followups", ADMIN));
        assert_eq!(status, 200, "{followups}");
        assert_eq!(followups.as_array().map(Vec::len), Some(1), "{followups}");
    });
    drop(evaluator);
}
