//! Hall display flow against a real hall server (elements found by accessible label), with
//! the display owning a `sim` voice zone: a call made through window 1's API appears in
//! window 1's card with its 「新」 marker, in the recent list, with the caption taken from
//! the announcer's Started event; the waiting count drops; the marker leaves after the
//! configured time; a recall shows 「重呼」 and is said again; the server stops → the
//! connection line, it comes back on the same address → the line clears and a call made
//! by window 2 still arrives (resume with Last-Event-ID).

mod common;
#[path = "ui_flow/mod.rs"]
mod ui_flow;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use common::{ADMIN, CONFIG_24H, DISPLAY, TestServer, WINDOW1, WINDOW2, monday_10am};
use hallq::config::HallConfig;
use hallq::config::voice::{VoiceBackend, VoiceConfig, VoiceZoneConfig};
use hallq::display::{Captioner, DisplaySettings, Timing};
use hallq::hall::Clock;
use hallq::roles::display::{DisplayOptions, open_display};
use hallq::roles::serve::{open_hall, serve_until};
use hallq::ui::display::HallDisplay;
use hallq::voice::AnnouncerHandle;
use serde_json::json;
use slint::ComponentHandle;
use tokio::sync::oneshot;
use ui_flow::{has_text, labelled, run_flow, runtime, wait_for};

const OFFLINE: &str = "与服务器的连接已断开，正在重连…";

fn value(w: &HallDisplay, label: &str) -> String {
    labelled(w, label)
        .first()
        .and_then(|e| e.accessible_value())
        .map(|s| s.to_string())
        .unwrap_or_default()
}

fn values(w: &HallDisplay, label: &str) -> Vec<String> {
    labelled(w, label)
        .iter()
        .filter_map(|e| e.accessible_value())
        .map(|s| s.to_string())
        .collect()
}

struct Restarted {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), String>>,
}

/// The same hall again, from its data directory, on the same address.
async fn serve_again(dir: &Path, addr: SocketAddr) -> Restarted {
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
    assert_eq!(bound_rx.await.unwrap(), addr);
    Restarted { stop, task }
}

fn sim_voice() -> (VoiceZoneConfig, VoiceConfig) {
    let zone = VoiceZoneConfig::new("大厅", VoiceBackend::Sim);
    let voice = VoiceConfig {
        zones: vec![zone.clone()],
        repeat: 1,
        chime: false,
        pause_ms: 0,
        ..VoiceConfig::default()
    };
    (zone, voice)
}

#[test]
fn calls_show_highlight_caption_from_voice_recall_and_reconnect() {
    i_slint_backend_testing::init_integration_test_with_system_time();
    let rt = runtime();
    let server = rt.block_on(TestServer::start(CONFIG_24H, monday_10am()));
    for _ in 0..3 {
        rt.block_on(server.issue("A"));
    }
    let (zone, voice) = sim_voice();
    let announcer = AnnouncerHandle::spawn(&zone, &voice).unwrap();
    let options = DisplayOptions {
        server: server.base.clone(),
        token: DISPLAY.into(),
        settings: DisplaySettings {
            highlight: Duration::from_millis(1500),
            ..DisplaySettings::default()
        },
        fullscreen: false,
        size: (1280.0, 720.0),
        title: "测试大厅".into(),
        notice: hallq::display::DEFAULT_NOTICE.into(),
        timezone: jiff::tz::TimeZone::get("Asia/Shanghai").unwrap(),
        timing: Timing {
            retry_first: Duration::from_millis(100),
            retry_max: Duration::from_millis(300),
            poll_every: Duration::from_secs(30),
            refresh_min: Duration::from_millis(200),
            tick: Duration::from_millis(100),
        },
    };
    let (window, guard) = open_display(
        options,
        Captioner::new(&voice),
        Some(announcer.clone()),
        rt.handle().clone(),
    )
    .unwrap();
    window.show().unwrap();
    let w = window.clone_strong();
    let handle = rt.handle().clone();

    run_flow(async move {
        wait_for("three waiting", 10, || has_text(&w, "综合受理 等候 3 人")).await;
        assert_eq!(value(&w, "连接状态"), "已连接");
        // The display's heartbeat: the server lists its `app` part and hears from it.
        wait_for("the display's heartbeat", 5, || {
            let (_, list) = handle.block_on(server.get("/api/v1/devices", ADMIN));
            let display = list
                .as_array()
                .and_then(|l| l.iter().find(|d| d["device"] == "display").cloned())
                .unwrap_or_default();
            let part = |name: &str| {
                display["components"]
                    .as_array()
                    .and_then(|c| c.iter().find(|c| c["component"] == name).cloned())
                    .unwrap_or_default()
            };
            part("app")["status"] == "ok"
                && part("app")["detail"]
                    .as_str()
                    .is_some_and(|d| d.ends_with(" display"))
                && part("link")["status"] == "ok"
        })
        .await;
        assert_eq!(value(&w, "1号窗口当前号码"), "");
        assert_eq!(value(&w, "滚动通知"), "请留意叫号，过号请重新取号");
        assert!(!value(&w, "当前时间").is_empty());

        // Window 1 calls through its API.
        let (code, answer) =
            handle.block_on(server.post("/api/v1/windows/1/call-next", WINDOW1, json!({})));
        assert_eq!(code, 200, "{answer}");
        assert_eq!(answer["ticket"]["number"], "A001");
        wait_for("A001 in window 1's card", 5, || {
            value(&w, "1号窗口当前号码") == "A001"
        })
        .await;
        assert!(has_text(&w, "1号窗口新呼叫"), "the 「新」 marker is shown");
        assert!(!has_text(&w, "2号窗口新呼叫"));
        assert_eq!(values(&w, "最近叫号")[0], "A001 1号窗口");
        // The caption is what the sim voice zone says.
        wait_for("the caption from the voice", 5, || {
            value(&w, "字幕") == "请A001号到1号窗口办理"
        })
        .await;
        wait_for("two waiting", 5, || has_text(&w, "综合受理 等候 2 人")).await;

        // The highlight ends after the configured 1.5 s; the number stays.
        wait_for("the marker to leave", 5, || !has_text(&w, "1号窗口新呼叫")).await;
        assert_eq!(value(&w, "1号窗口当前号码"), "A001");
        wait_for("the first announcement said", 10, || {
            announcer.health().spoken == 1
        })
        .await;
        wait_for("the caption to clear", 10, || value(&w, "字幕").is_empty()).await;

        // A recall highlights again (「重呼」) and is said again, with its caption.
        let (code, _) =
            handle.block_on(server.post("/api/v1/windows/1/recall", WINDOW1, json!({})));
        assert_eq!(code, 200);
        wait_for("the recall marker", 5, || has_text(&w, "1号窗口重呼")).await;
        assert_eq!(values(&w, "最近叫号").len(), 1, "no duplicate line");
        wait_for("the recall caption", 5, || {
            value(&w, "字幕") == "请A001号到1号窗口办理"
        })
        .await;
        wait_for("the recall said", 10, || announcer.health().spoken == 2).await;

        // The server stops: the line shows; it comes back: the line clears by itself.
        let addr = server.addr;
        let dir = handle.block_on(server.stop());
        wait_for("the connection line", 10, || has_text(&w, OFFLINE)).await;
        assert_eq!(value(&w, "连接状态"), "未连接");
        let again = handle.block_on(serve_again(dir.path(), addr));
        wait_for("the line to clear", 10, || !has_text(&w, OFFLINE)).await;
        assert_eq!(value(&w, "连接状态"), "已连接");

        // The event stream is back: window 2's call arrives.
        let status = handle.block_on(async {
            hallq::net::http()
                .build()
                .unwrap()
                .post(format!("http://{addr}/api/v1/windows/2/call-next"))
                .bearer_auth(WINDOW2)
                .json(&json!({}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        });
        assert_eq!(status, 200);
        wait_for("A002 in window 2's card", 5, || {
            value(&w, "2号窗口当前号码") == "A002"
        })
        .await;
        assert!(has_text(&w, "2号窗口新呼叫"));
        assert_eq!(values(&w, "最近叫号")[0], "A002 2号窗口");
        wait_for("one waiting", 5, || has_text(&w, "综合受理 等候 1 人")).await;
        let _ = again.stop.send(());
        handle.block_on(again.task).unwrap().unwrap();
        drop(dir);
    });
    drop(guard);
}
