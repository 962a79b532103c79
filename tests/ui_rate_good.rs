//! Evaluator flow, 好评 (real hall server, 1024×600, elements found by accessible label): the
//! question comes after 办结; 长辈模式 enlarges the targets; 非常满意 is sent at once (no
//! reasons step) → 「感谢您的评价」 → idle. A second rating of the same visit is refused
//! (409 already_rated), and the evaluator does not ask again.

mod common;
mod ui_rate_support;

use std::time::Duration;

use common::{TestServer, monday_10am};
use hallq::client::HallClient;
use hallq::client::rating::RatingBody;
use hallq::evaluator::EvaluatorSettings;
use ui_rate_support::*;

#[test]
fn a_good_rating_is_sent_at_once_and_only_once() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let rt = runtime();
    let server = rt.block_on(TestServer::start(&config_with_timeout(60), monday_10am()));
    rt.block_on(sign_in(&server));
    let evaluator = start_evaluator(
        &server.base,
        EvaluatorSettings::new(1),
        (1024.0, 600.0),
        &rt,
    );
    let w = evaluator.window.clone_strong();
    let handle = rt.handle().clone();
    let client = HallClient::new(&server.base, EVALUATOR1, Duration::from_secs(3)).unwrap();

    run_flow(async move {
        wait_for("the idle page", 10, || has_text(&w, "工作人员：王丽")).await;
        let number = handle.block_on(serve_one(&server));
        wait_for("the question", 10, || has_text(&w, QUESTION)).await;
        assert_fair_question(&w);

        // 长辈模式: the rater's switch, with larger targets.
        let switch = toggle(&w, "长辈模式").expect("no 长辈模式 switch");
        assert!(!checked(&switch));
        press(&w, "长辈模式");
        wait_for("elderly mode", 5, || {
            toggle(&w, "长辈模式").is_some_and(|t| checked(&t))
        })
        .await;
        assert!(has_text(&w, "长辈模式"));
        assert_fair_question(&w);
        let elderly = level_buttons(&w)[0].size();
        assert!(
            elderly.width >= 60.0 && elderly.height >= 60.0,
            "{elderly:?}"
        );
        assert!(
            w.global::<hallq::ui::evaluator::Theme>().get_elderly(),
            "Theme.elderly not set"
        );

        press(&w, "非常满意");
        wait_for("the thanks", 10, || has_text(&w, THANKS)).await;
        assert!(toggle(&w, "服务效率").is_none(), "reasons asked for a 好评");
        let stored = handle.block_on(ratings(&server));
        assert_eq!(stored.len(), 1, "{stored:?}");
        assert_eq!(stored[0]["number"], number.as_str());
        assert_eq!(stored[0]["level"], 5);
        assert_eq!(stored[0]["reasons"], serde_json::json!([]));

        // 一次一评: a second attempt is refused with the server's words.
        let again = handle.block_on(client.rate(
            1,
            &RatingBody {
                level: 1,
                reasons: vec![],
                comment: None,
            },
        ));
        let err = again.expect_err("a second rating was accepted");
        assert!(
            matches!(err.code(), Some("already_rated" | "nothing_to_rate")),
            "{err:?}"
        );
        let text = hallq::evaluator::state::refusal_text(&err);
        assert!(!text.is_empty() && !text.is_ascii(), "{text:?}");
        assert_eq!(handle.block_on(ratings(&server)).len(), 1);

        // Back to idle in normal mode; the visit is not asked again.
        wait_for("the idle page again", 10, || has_text(&w, "工作人员：王丽")).await;
        assert!(!w.global::<hallq::ui::evaluator::Theme>().get_elderly());
        sleep(Duration::from_millis(500)).await;
        assert!(button(&w, "非常满意").is_none());
        assert!(!has_text(&w, QUESTION));
    });
    drop(evaluator);
}
