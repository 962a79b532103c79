//! Evaluator flow: the hall server stops while a rating is asked for → 「与服务器的连接已断开，
//! 正在重连…」, the question and its countdown stay, a press is not lost silently (the rater is
//! told it was not sent); the server comes back on the same address → the line clears by
//! itself and the rating goes through.

mod common;
mod ui_rate_support;

use std::net::SocketAddr;
use std::path::Path;

use common::{ADMIN, KIOSK, WINDOW1, monday_10am};
use hallq::config::HallConfig;
use hallq::evaluator::EvaluatorSettings;
use hallq::hall::Clock;
use hallq::roles::serve::{open_hall, serve_until};
use serde_json::json;
use tokio::sync::oneshot;
use ui_rate_support::*;

struct Server {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), String>>,
}

async fn serve(dir: &Path, addr: SocketAddr) -> (Server, SocketAddr) {
    let config = HallConfig::parse(&config_with_timeout(60)).unwrap();
    let (clock, _handle) = Clock::manual(monday_10am());
    let running = open_hall(config, dir, clock).unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let (bound_tx, bound_rx) = oneshot::channel();
    let task = tokio::spawn(serve_until(
        running,
        addr,
        async move {
            let _ = stopped.await;
        },
        move |a| {
            let _ = bound_tx.send(a);
        },
    ));
    (Server { stop, task }, bound_rx.await.unwrap())
}

async fn shut(server: Server) {
    let _ = server.stop.send(());
    server.task.await.unwrap().unwrap();
}

async fn call(
    base: &str,
    get: bool,
    path: &str,
    token: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let http = hallq::net::http().build().unwrap();
    let request = if get {
        http.get(format!("{base}{path}"))
    } else {
        http.post(format!("{base}{path}")).json(&body)
    };
    let r = request.bearer_auth(token).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(serde_json::Value::Null))
}

#[test]
fn server_loss_keeps_the_question_and_the_rating_goes_through_after() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let (server, addr) = rt.block_on(serve(dir.path(), "127.0.0.1:0".parse().unwrap()));
    let base = format!("http://{addr}");
    rt.block_on(async {
        let none = json!({});
        let (s, b) = call(
            &base,
            false,
            "/api/v1/windows/1/sign-in",
            WINDOW1,
            json!({"staff": "1001"}),
        )
        .await;
        assert_eq!(s, 200, "{b}");
        let (s, b) = call(
            &base,
            false,
            "/api/v1/tickets",
            KIOSK,
            json!({"service": "A"}),
        )
        .await;
        assert_eq!(s, 201, "{b}");
        let (s, b) = call(
            &base,
            false,
            "/api/v1/windows/1/call-next",
            WINDOW1,
            none.clone(),
        )
        .await;
        assert_eq!(s, 200, "{b}");
        let (s, b) = call(&base, false, "/api/v1/windows/1/finish", WINDOW1, none).await;
        assert_eq!(s, 200, "{b}");
    });
    // Started after the finish: the pending visit is asked at start-up.
    let evaluator = start_evaluator(&base, EvaluatorSettings::new(1), (800.0, 480.0), &rt);
    let w = evaluator.window.clone_strong();
    let handle = rt.handle().clone();
    let data = dir.path().to_path_buf();

    run_flow(async move {
        wait_for("the question", 10, || has_text(&w, QUESTION)).await;
        assert!(has_text(&w, "号码 A001"));
        assert!(!has_text(&w, OFFLINE));

        handle.block_on(shut(server));
        wait_for("the connection line", 10, || has_text(&w, OFFLINE)).await;
        assert!(has_text(&w, QUESTION), "the question went with the server");
        let before = countdown(&w).unwrap();
        wait_for("the countdown to go on", 5, || {
            countdown(&w).is_some_and(|s| s < before)
        })
        .await;
        press(&w, "满意");
        wait_for("the unsent note", 10, || {
            labelled(&w, "提示")
                .first()
                .and_then(|e| e.accessible_value())
                .is_some_and(|v| v.contains("未提交"))
        })
        .await;
        assert_fair_question(&w);

        let (again, bound) = handle.block_on(serve(&data, addr));
        assert_eq!(bound, addr);
        wait_for("the line to clear", 10, || !has_text(&w, OFFLINE)).await;
        assert!(has_text(&w, QUESTION));
        press(&w, "满意");
        wait_for("the thanks", 10, || has_text(&w, THANKS)).await;
        let (s, body) = handle.block_on(call(&base, true, "/api/v1/ratings", ADMIN, json!(null)));
        assert_eq!(s, 200, "{body}");
        let stored = body["ratings"].as_array().cloned().unwrap_or_default();
        assert_eq!(stored.len(), 1, "{body}");
        assert_eq!(stored[0]["number"], "A001");
        assert_eq!(stored[0]["level"], 4);
        handle.block_on(shut(again));
    });
    drop(evaluator);
}
