//! Staff at the window over the LAN API: sign-in with a hashed PIN, no calls without a
//! signed-in staff member, the staff member recorded on calls and finishes, and window
//! tokens confined to their own window.

mod common;

use common::*;
use serde_json::json;

/// The test hall with `require_sign_in` on and a PIN for staff 1001.
fn config_with_pin(pin: &str) -> String {
    let hash = hallq::kiosk::pin::hash_pin(pin).unwrap();
    CONFIG_24H
        .replace("require_sign_in = false", "require_sign_in = true")
        .replace(
            "id = \"1001\"\nname = \"王丽\"\n",
            &format!("id = \"1001\"\nname = \"王丽\"\npin_hash = \"{hash}\"\n"),
        )
}

async fn events_of(s: &TestServer, count: usize) -> Vec<Sse> {
    let mut stream = s
        .http
        .get(s.url("/api/v1/events?after=0"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap();
    read_events(&mut stream, count).await
}

#[tokio::test]
async fn a_window_calls_only_after_staff_signs_in_with_the_right_pin() {
    let config = config_with_pin("2468");
    assert!(config.contains("pin_hash"), "fixture layout changed");
    let s = TestServer::start(&config, monday_10am()).await;
    s.issue("A").await;

    let (status, body) = s
        .post("/api/v1/windows/1/call-next", WINDOW1, json!({}))
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"], "not_signed_in");
    assert_eq!(body["message"], "请先签到");

    for (staff, pin) in [
        ("1001", None),
        ("1001", Some("1357")),
        ("9999", Some("2468")),
    ] {
        let (status, body) = s
            .post(
                "/api/v1/windows/1/sign-in",
                WINDOW1,
                json!({ "staff": staff, "pin": pin }),
            )
            .await;
        assert_eq!(status, 403, "{staff} {pin:?}: {body}");
        assert_eq!(body["error"], "bad_credentials");
        assert_eq!(body["message"], "工号或密码错误");
    }

    let (status, body) = s
        .post(
            "/api/v1/windows/1/sign-in",
            WINDOW1,
            json!({ "staff": "1001", "pin": "2468" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["staff"]["id"], "1001");
    assert_eq!(body["staff"]["name"], "王丽");

    let (status, body) = s
        .post("/api/v1/windows/1/call-next", WINDOW1, json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ticket"]["number"], "A001");
    let (status, body) = s
        .post(
            "/api/v1/windows/1/finish",
            WINDOW1,
            json!({ "case_number": "BJ-2026-0001" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // One window's state on its own route, as the terminal reads it after a reconnect.
    let (status, one) = s.get("/api/v1/windows/1", WINDOW1).await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["window"], 1);
    assert_eq!(one["staff"]["id"], "1001");
    assert!(one["ticket"].is_null());
    let (status, _) = s.get("/api/v1/windows/99", WINDOW1).await;
    assert_eq!(status, 404);

    // The event log names the staff member on the sign-in, the call and the finish.
    let events = events_of(&s, 5).await;
    let kinds: Vec<&str> = events.iter().filter_map(|e| e.event.as_deref()).collect();
    assert_eq!(
        kinds,
        [
            "day_started",
            "ticket_issued",
            "staff_signed_in",
            "ticket_called",
            "ticket_finished"
        ]
    );
    for e in &events[2..] {
        assert_eq!(e.data["staff"], "1001", "{}", e.data);
    }
    assert_eq!(events[4].data["case_number"], "BJ-2026-0001");

    // Signed out, the window cannot call again.
    let (status, body) = s
        .post("/api/v1/windows/1/sign-out", WINDOW1, json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["staff"].is_null());
    s.issue("A").await;
    let (status, body) = s
        .post("/api/v1/windows/1/call-next", WINDOW1, json!({}))
        .await;
    assert_eq!(status, 409, "{body}");
    s.stop().await;
}

#[tokio::test]
async fn a_window_token_acts_only_for_its_own_window() {
    let s = TestServer::start(&config_with_pin("2468"), monday_10am()).await;
    s.issue("A").await;
    for (path, body) in [
        ("sign-in", json!({ "staff": "1001", "pin": "2468" })),
        ("call-next", json!({})),
        ("call", json!({ "number": "A001" })),
        ("recall", json!({})),
        ("transfer", json!({ "window": 1 })),
        ("finish", json!({ "case_number": "X" })),
        ("pause", json!({})),
        ("sign-out", json!({})),
    ] {
        let path = format!("/api/v1/windows/2/{path}");
        let (status, body) = s.post(&path, WINDOW1, body).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(body["error"], "forbidden", "{path}");
    }
    // Nothing happened at window 2.
    let (_, two) = s.get("/api/v1/windows/2", WINDOW2).await;
    assert!(two["staff"].is_null() && two["ticket"].is_null(), "{two}");
    s.stop().await;
}
