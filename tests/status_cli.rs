//! `hallq status` (the built binary) against a real hall server on 127.0.0.1:0, and the
//! `GET /api/v1/health/devices` route it reads.

mod common;

use std::process::{Command, Output};

use common::*;
use serde_json::json;

/// Runs the binary off the async runtime (the server lives on it).
async fn status(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_hallq"))
            .arg("status")
            .args(&args)
            .env_remove("HALLQ_SERVER")
            .env_remove("HALLQ_TOKEN")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The line starting with `start`, its cells joined by one space.
fn line(text: &str, start: &str) -> String {
    text.lines()
        .find(|l| l.trim_start().starts_with(start))
        .unwrap_or_else(|| panic!("no line starting {start:?} in:\n{text}"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn a_quiet_hall_is_all_well_with_exit_0() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    s.issue("A").await;
    let o = status(&["--server", &s.base, "--token", ADMIN]).await;
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    let first = out.lines().next().unwrap();
    assert!(
        first.contains(&format!("hallq {}", env!("CARGO_PKG_VERSION"))) && first.contains(&s.base),
        "{first}"
    );
    let db = s.db_path().display().to_string();
    let store = line(&out, "Store");
    assert!(store.starts_with(&format!("Store ok {db} ")), "{store}");
    let seq: u64 = store.rsplit_once('#').unwrap().1.parse().unwrap();
    assert!(seq > 0, "{store}");
    assert_eq!(line(&out, "Clock"), "Clock ok system clock in order");
    assert_eq!(line(&out, "Upload"), "Upload - no uploader on this server");
    assert_eq!(
        line(&out, "DEVICE"),
        "DEVICE ROLE STATE PART STATUS REPORTED DETAIL"
    );
    // The kiosk issued a ticket: the server hears from it.
    let kiosk = line(&out, "kiosk-1");
    assert!(
        kiosk.starts_with("kiosk-1 kiosk online link ok ") && kiosk.ends_with(" ago -"),
        "{kiosk}"
    );
    assert_eq!(
        line(&out, "window-2"),
        "window-2 window unknown - - never no report since the server started"
    );
    assert!(!out.lines().any(|l| l.starts_with("admin ")), "{out}");
    assert!(out.ends_with("All is well.\n"), "{out}");
    s.stop().await;
}

/// A device that stops talking (power cut, cable pulled) and one that never came up are
/// offline once `[server].device_offline_after_s` has passed; a screen's heartbeat keeps it
/// online.
#[tokio::test]
async fn quiet_devices_go_offline_and_need_attention() {
    let config = CONFIG_24H.replace("[server]\n", "[server]\ndevice_offline_after_s = 1\n");
    let s = TestServer::start(&config, monday_10am()).await;
    s.issue("A").await;
    let (code, _) = s
        .post(
            "/api/v1/devices/health",
            "window-token-1",
            json!({"component": "app", "status": "ok", "detail": "hallq window terminal"}),
        )
        .await;
    assert_eq!(code, 204);
    let o = status(&["--server", &s.base, "--token", ADMIN]).await;
    let out = stdout(&o);
    assert!(
        line(&out, "kiosk-1").starts_with("kiosk-1 kiosk online link ok "),
        "{out}"
    );
    assert!(
        line(&out, "window-1").starts_with("window-1 window online link ok "),
        "{out}"
    );

    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    // window 1 keeps beating; the kiosk has gone quiet; window 2 never came up.
    let (code, _) = s
        .post(
            "/api/v1/devices/health",
            "window-token-1",
            json!({"component": "app", "status": "ok"}),
        )
        .await;
    assert_eq!(code, 204);
    let o = status(&["--server", &s.base, "--token", ADMIN]).await;
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let kiosk = line(&out, "kiosk-1");
    assert!(
        kiosk.starts_with("kiosk-1 kiosk offline link OFFLINE ")
            && kiosk.contains(" ago no request for "),
        "{kiosk}"
    );
    assert!(
        line(&out, "window-1").starts_with("window-1 window online link ok "),
        "{out}"
    );
    assert!(
        line(&out, "window-2").starts_with("window-2 window offline link OFFLINE ")
            && line(&out, "window-2").ends_with("not heard from since the server started"),
        "{out}"
    );
    assert!(
        out.contains("  - kiosk-1 link: offline (no request for "),
        "{out}"
    );
    assert!(
        out.contains("  - window-2 link: offline (not heard from since the server started)\n"),
        "{out}"
    );
    // Admin tokens are people: never offline.
    assert!(!out.contains("admin link"), "{out}");
    s.stop().await;
}

#[tokio::test]
async fn a_device_problem_and_the_clock_alarm_exit_1() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    let (code, body) = s
        .post(
            "/api/v1/devices/health",
            KIOSK,
            json!({"component": "printer", "status": "paper_out", "detail": "paper roll empty"}),
        )
        .await;
    assert_eq!(code, 204, "{body}");
    // The wall clock jumps back 10 minutes; the next command raises the alarm.
    s.issue("A").await;
    s.clock
        .set(monday_10am() - jiff::SignedDuration::from_mins(10));
    s.issue("A").await;

    let o = status(&["--server", &s.base, "--token", ADMIN]).await;
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    let kiosk = line(&out, "kiosk-1");
    assert!(
        kiosk.starts_with("kiosk-1 kiosk online link ok "),
        "{kiosk}"
    );
    let printer = line(&out, "printer");
    assert!(
        printer.starts_with("printer PAPER_OUT ") && printer.ends_with(" ago paper roll empty"),
        "{printer}"
    );
    assert_eq!(
        line(&out, "Clock"),
        "Clock ALARM the system clock went back: check time sync"
    );
    assert!(out.contains("Needs attention (2):\n"), "{out}");
    assert!(
        out.contains("  - kiosk-1 printer: paper_out (paper roll empty)\n"),
        "{out}"
    );
    assert!(
        out.contains("  - clock: the system clock went back"),
        "{out}"
    );

    // The same data as JSON.
    let o = status(&["--server", &s.base, "--token", ADMIN, "--json"]).await;
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "attention");
    assert_eq!(v["clock_alarm"], true);
    assert_eq!(v["attention"].as_array().unwrap().len(), 2);
    s.stop().await;
}

#[tokio::test]
async fn the_route_is_for_admins_and_reports_the_store() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    let (code, body) = s.get("/api/v1/health/devices", KIOSK).await;
    assert_eq!(code, 403, "{body}");
    assert_eq!(body["error"], "forbidden");
    let (code, _) = s.get("/api/v1/health/devices", "not-a-token").await;
    assert_eq!(code, 401);

    let (code, before) = s.get("/api/v1/health/devices", ADMIN).await;
    assert_eq!(code, 200, "{before}");
    s.issue("A").await;
    s.issue("B").await;
    let (_, after) = s.get("/api/v1/health/devices", ADMIN).await;
    assert_eq!(after["status"], "ok");
    assert_eq!(after["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(after["clock_alarm"], false);
    assert!(after["upload"].is_null());
    assert!(after["uptime_s"].as_u64().unwrap() < 600);
    let seq = |v: &serde_json::Value| v["store"]["last_seq"].as_u64().unwrap();
    assert_eq!(seq(&after), seq(&before) + 2);
    let store = &after["store"];
    let db = std::fs::metadata(s.db_path()).unwrap().len();
    let wal_path = format!("{}-wal", s.db_path().display());
    let wal = std::fs::metadata(wal_path).map(|m| m.len()).unwrap_or(0);
    assert_eq!(store["db_bytes"].as_u64().unwrap(), db);
    assert_eq!(store["wal_bytes"].as_u64().unwrap(), wal);
    assert_eq!(store["size_bytes"].as_u64().unwrap(), db + wal);
    assert!(db + wal > 0);
    // Every configured device, as in GET /api/v1/devices.
    let (_, devices) = s.get("/api/v1/devices", ADMIN).await;
    let names = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|d| d["device"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&after["devices"]), names(&devices));
    assert!(names(&devices).contains(&"evaluator-1".to_string()));
    s.stop().await;
}

#[tokio::test]
async fn refused_tokens_exit_3_with_a_clear_message() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    let o = status(&["--server", &s.base, "--token", KIOSK]).await;
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert!(
        err.starts_with("hallq status: this token is not an admin's (forbidden: device kiosk-1"),
        "{err}"
    );
    assert!(err.contains("role = \"admin\""), "{err}");

    let o = status(&["--server", &s.base, "--token", "nobody"]).await;
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("does not know this token"),
        "{}",
        stderr(&o)
    );
    s.stop().await;
}

#[tokio::test]
async fn an_unreachable_server_exits_2() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = format!("http://127.0.0.1:{port}");
    let o = status(&["--server", &server, "--token", ADMIN, "--timeout", "3"]).await;
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!(
            "hallq status: cannot reach the hall server at {server}: "
        )),
        "{err}"
    );

    // Something that is not a hall server answers 404 → refused (3), not "all is well".
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    let o = status(&["--server", &format!("{}/nothing", s.base), "--token", ADMIN]).await;
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    s.stop().await;
}

#[tokio::test]
async fn the_uploaders_backlog_passes_through() {
    use hallq::config::HallConfig;
    use hallq::hall::Clock;
    use hallq::roles::serve::{open_hall, serve_until, start_upload, stop_upload};

    // The server as `hallq serve` runs it: with the uploader (no [upload]: nothing is sent,
    // the backlog is still reported).
    let dir = tempfile::tempdir().unwrap();
    let config = HallConfig::parse(CONFIG_24H).unwrap();
    assert!(config.upload.is_none());
    let (clock, _hand) = Clock::manual(monday_10am());
    let mut running = open_hall(config.clone(), dir.path(), clock).unwrap();
    let upload = start_upload(&mut running, &tokio::runtime::Handle::current());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (addr_tx, addr_rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(serve_until(
        running,
        "127.0.0.1:0".parse().unwrap(),
        async move {
            let _ = stop_rx.await;
        },
        move |addr| {
            let _ = addr_tx.send(addr);
        },
    ));
    let base = format!("http://{}", addr_rx.await.unwrap());
    let http = hallq::net::http().build().unwrap();
    // Until its first read of the outbox the uploader says "outbox not read yet".
    let mut health = serde_json::Value::Null;
    for _ in 0..100 {
        health = http
            .get(format!("{base}/api/v1/health/devices"))
            .bearer_auth(ADMIN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if health["upload"]["status"] == "ok" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(health["upload"]["status"], "ok", "{health}");
    assert_eq!(health["upload"]["pending"], 0, "{health}");
    assert_eq!(health["status"], "ok", "{health}");

    let o = status(&["--server", &base, "--token", ADMIN]).await;
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert_eq!(
        line(&out, "Upload"),
        "Upload ok not configured, nothing is sent; pending 0"
    );
    let row = line(&out, "upload");
    assert!(
        row.starts_with("upload upload online platform ok "),
        "{row}"
    );

    let _ = stop_tx.send(());
    task.await.unwrap().unwrap();
    stop_upload(upload, &config).await;
}
