//! Kiosk flow: the hall server stops → 「系统维护中，请稍候」; it comes back on the same
//! address → the kiosk returns to the home page by itself and issues again.

mod common;
mod ui_kiosk_support;

use std::net::SocketAddr;
use std::path::Path;

use common::{CONFIG_24H, KIOSK, monday_10am};
use hallq::config::{HallConfig, OnFailure};
use hallq::hall::Clock;
use hallq::roles::serve::{open_hall, serve_until};
use tokio::sync::oneshot;
use ui_kiosk_support::*;

struct Server {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), String>>,
}

async fn serve(dir: &Path, addr: SocketAddr) -> (Server, SocketAddr) {
    let config = HallConfig::parse(CONFIG_24H).unwrap();
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
    let bound = bound_rx.await.unwrap();
    (Server { stop, task }, bound)
}

async fn shut(server: Server) {
    let _ = server.stop.send(());
    server.task.await.unwrap().unwrap();
}

#[test]
fn server_loss_shows_maintenance_and_recovers_by_itself() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let (server, addr) = rt.block_on(serve(dir.path(), "127.0.0.1:0".parse().unwrap()));
    let mut config = HallConfig::parse(CONFIG_24H).unwrap();
    let (printer_config, printer) = sim_printer(OnFailure::Block);
    config.printer = Some(printer_config);
    let kiosk = start_kiosk(
        &config,
        &format!("http://{addr}"),
        KIOSK,
        printer.clone(),
        &rt,
    );
    let window = kiosk.window.clone_strong();
    let handle = rt.handle().clone();
    let data = dir.path().to_path_buf();

    run_flow(async move {
        wait_for("the home page", 10, || {
            button(&window, "综合受理").is_some()
        })
        .await;
        press(&window, "综合受理");
        wait_for("A001", 10, || has_text(&window, "您的号码 A001")).await;
        press(&window, "完成");

        handle.block_on(shut(server));
        wait_for("the maintenance page", 10, || {
            has_text(&window, "系统维护中，请稍候")
        })
        .await;
        assert!(button(&window, "综合受理").is_none());

        let (again, bound) = handle.block_on(serve(&data, addr));
        assert_eq!(bound, addr);
        wait_for("recovery", 10, || button(&window, "综合受理").is_some()).await;
        assert!(!has_text(&window, "系统维护中，请稍候"));
        press(&window, "综合受理");
        wait_for("A002 after the restart", 10, || {
            has_text(&window, "您的号码 A002")
        })
        .await;
        handle.block_on(shut(again));
    });

    assert_eq!(printed_texts(&printer).len(), 2);
    drop(kiosk);
}
