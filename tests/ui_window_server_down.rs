//! Window terminal flow: the hall server stops → 「与服务器的连接已断开，正在重连…」 and
//! actions are not sent; it comes back on the same address → the line clears by itself,
//! the event stream resumes (waiting counts follow again) and calling works.

mod common;
mod ui_window_support;

use std::net::SocketAddr;
use std::path::Path;

use common::{KIOSK, WINDOW1, monday_10am};
use hallq::config::HallConfig;
use hallq::hall::Clock;
use hallq::roles::serve::{open_hall, serve_until};
use serde_json::json;
use tokio::sync::oneshot;
use ui_window_support::*;

const OFFLINE: &str = "与服务器的连接已断开，正在重连…";

struct Server {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), String>>,
}

async fn serve(dir: &Path, addr: SocketAddr) -> (Server, SocketAddr) {
    let config = HallConfig::parse(&config_with_staff()).unwrap();
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

async fn post(base: &str, path: &str, token: &str, body: serde_json::Value) -> u16 {
    hallq::net::http()
        .build()
        .unwrap()
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[test]
fn server_loss_shows_the_line_and_recovers_by_itself() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let (server, addr) = rt.block_on(serve(dir.path(), "127.0.0.1:0".parse().unwrap()));
    let base = format!("http://{addr}");
    let status_code = rt.block_on(post(
        &base,
        "/api/v1/windows/1/sign-in",
        WINDOW1,
        json!({ "staff": "1001" }),
    ));
    assert_eq!(status_code, 200);
    let terminal = start_terminal(&base, WINDOW1, 1, &rt);
    let w = terminal.window.clone_strong();
    let handle = rt.handle().clone();
    let data = dir.path().to_path_buf();

    run_flow(async move {
        wait_for("the main page", 10, || button(&w, "叫号").is_some()).await;
        wait_for("online", 5, || value(&w, "连接状态") == "已连接").await;
        assert!(!has_text(&w, OFFLINE));

        handle.block_on(shut(server));
        wait_for("the connection line", 10, || has_text(&w, OFFLINE)).await;
        assert_eq!(value(&w, "连接状态"), "未连接");
        press(&w, "暂停");
        assert_eq!(status(&w), "与服务器的连接已断开，操作未执行");

        let (again, bound) = handle.block_on(serve(&data, addr));
        assert_eq!(bound, addr);
        wait_for("the line to clear", 10, || !has_text(&w, OFFLINE)).await;
        assert_eq!(value(&w, "连接状态"), "已连接");

        // The event stream is back: a ticket issued elsewhere shows up here.
        let code = handle.block_on(post(
            &base,
            "/api/v1/tickets",
            KIOSK,
            json!({ "service": "A" }),
        ));
        assert_eq!(code, 201);
        wait_for("the new ticket", 5, || has_text(&w, "综合受理 等候 1 人")).await;
        press(&w, "叫号");
        wait_status(&w, "已叫号 A001").await;
        handle.block_on(shut(again));
    });
    drop(terminal);
}
