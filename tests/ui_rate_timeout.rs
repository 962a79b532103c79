//! Evaluator flow, the end of a question without a rating (real hall server, [ratings]
//! timeout_s = 10): a visit rated elsewhere (an admin, as a keypad or QR code would) ends the
//! question at once; the next visit's countdown runs down → idle, and the visit is recorded
//! as unrated (the server no longer offers it).

mod common;
mod ui_rate_support;

use std::time::{Duration, Instant};

use common::{ADMIN, TestServer, monday_10am};
use hallq::evaluator::EvaluatorSettings;
use serde_json::json;
use ui_rate_support::*;

#[test]
fn rated_elsewhere_and_timed_out_visits_end_the_question() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let rt = runtime();
    let server = rt.block_on(TestServer::start(&config_with_timeout(10), monday_10am()));
    rt.block_on(sign_in(&server));
    let evaluator = start_evaluator(
        &server.base,
        EvaluatorSettings::new(1),
        (1024.0, 600.0),
        &rt,
    );
    let w = evaluator.window.clone_strong();
    let handle = rt.handle().clone();

    run_flow(async move {
        wait_for("the idle page", 10, || has_text(&w, "工作人员：王丽")).await;

        // Rated elsewhere while the evaluator asks: the question goes at once.
        let first = handle.block_on(serve_one(&server));
        wait_for("the question", 10, || has_text(&w, QUESTION)).await;
        let (status, body) = handle.block_on(server.post(
            "/api/v1/windows/1/rating",
            ADMIN,
            json!({ "level": 4, "channel": "keypad" }),
        ));
        assert_eq!(status, 201, "{body}");
        wait_for("idle after the rating elsewhere", 5, || {
            !has_text(&w, QUESTION)
        })
        .await;
        assert!(button(&w, "满意").is_none());
        let stored = handle.block_on(ratings(&server));
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0]["number"], first.as_str());
        assert_eq!(stored[0]["channel"], "keypad");

        // The next visit: nobody rates; the countdown runs down.
        handle.block_on(serve_one(&server));
        wait_for("the second question", 10, || has_text(&w, QUESTION)).await;
        let asked = Instant::now();
        let start = countdown(&w).expect("no countdown");
        assert!((9..=10).contains(&start), "{start}");
        wait_for("the countdown to move", 5, || {
            countdown(&w).is_some_and(|s| s < start)
        })
        .await;
        wait_for("idle after the countdown", 15, || !has_text(&w, QUESTION)).await;
        let took = asked.elapsed();
        assert!(took >= Duration::from_secs(8), "ended after {took:?}");
        assert!(has_text(&w, "工作人员：王丽"));
        // The visit is no longer waiting for a rating (the server's clock stands still in
        // this test, so it is the evaluator's decline that recorded it as unrated).
        let mut pending = json!("?");
        for _ in 0..50 {
            let (status, body) = handle.block_on(server.get("/api/v1/windows/1/rating", ADMIN));
            assert_eq!(status, 200, "{body}");
            pending = body["pending"].clone();
            if pending.is_null() {
                break;
            }
            sleep(Duration::from_millis(100)).await;
        }
        assert!(pending.is_null(), "still pending: {pending}");
        assert_eq!(
            handle.block_on(ratings(&server)).len(),
            1,
            "a rating was invented"
        );
        sleep(Duration::from_millis(500)).await;
        assert!(!has_text(&w, QUESTION), "asked again");
    });
    drop(evaluator);
}
