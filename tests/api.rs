//! The LAN API on a real HTTP server at 127.0.0.1:0: auth, bad input, window operations,
//! the event stream and its resume cursor.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn health_needs_no_token_and_reports_the_store() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    let r = s.http.get(s.url("/api/v1/health")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["store"]["status"], "ok");
    assert!(body["store"]["path"].as_str().unwrap().ends_with("hall.db"));
    s.stop().await;
}

#[tokio::test]
async fn missing_or_unknown_tokens_get_401_json() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    let r = s.http.get(s.url("/api/v1/services")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized");
    assert!(body["message"].as_str().unwrap().contains("未授权"));

    let (status, body) = s.get("/api/v1/services", "not-a-token").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "unauthorized");

    let r = s
        .http
        .get(s.url("/api/v1/services"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    s.stop().await;
}

#[tokio::test]
async fn roles_and_windows_are_enforced_with_403() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    // A display cannot issue.
    let (status, body) = s
        .post("/api/v1/tickets", DISPLAY, json!({"service": "A"}))
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "forbidden");
    // A window token acts only for its own window.
    let (status, _) = s
        .post("/api/v1/windows/1/call-next", WINDOW2, json!({}))
        .await;
    assert_eq!(status, 403);
    let (status, _) = s
        .post("/api/v1/windows/2/call-next", WINDOW2, json!({}))
        .await;
    assert_eq!(status, 200);
    // A kiosk cannot call; a kiosk cannot grant priority.
    let (status, _) = s
        .post("/api/v1/windows/1/call-next", KIOSK, json!({}))
        .await;
    assert_eq!(status, 403);
    let (status, _) = s
        .post(
            "/api/v1/tickets",
            KIOSK,
            json!({"service": "A", "priority": true}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, body) = s
        .post(
            "/api/v1/tickets",
            ADMIN,
            json!({"service": "A", "priority": true}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(body["priority"], true);
    // The ticket list is for admins.
    let (status, _) = s.get("/api/v1/tickets", KIOSK).await;
    assert_eq!(status, 403);
    s.stop().await;
}

#[tokio::test]
async fn bad_input_gets_4xx_json_never_5xx() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    let post_raw = |body: String, content_type: &'static str| {
        s.http
            .post(s.url("/api/v1/tickets"))
            .bearer_auth(KIOSK)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let cases: Vec<(String, &str, u16, &str)> = vec![
        (
            "{not json".into(),
            "application/json",
            400,
            "malformed_json",
        ),
        (
            r#"{"service": 5}"#.into(),
            "application/json",
            422,
            "invalid_request",
        ),
        (
            r#"{"service": "A", "extra": 1}"#.into(),
            "application/json",
            422,
            "invalid_request",
        ),
        (
            r#"{"service": "A"}"#.into(),
            "text/plain",
            415,
            "unsupported_media_type",
        ),
        (
            r#"{"service": "Z"}"#.into(),
            "application/json",
            404,
            "unknown_service",
        ),
        (
            r#"{"service": "A", "id_number": "123"}"#.into(),
            "application/json",
            400,
            "invalid_id_number",
        ),
        (
            r#"{"service": "A", "id_number": "110105194912310021"}"#.into(),
            "application/json",
            400,
            "invalid_id_number",
        ),
        (
            format!(r#"{{"service": "{}"}}"#, "A".repeat(100_000)),
            "application/json",
            413,
            "body_too_large",
        ),
    ];
    for (body, content_type, want, code) in cases {
        let r = post_raw(body.clone(), content_type).await.unwrap();
        let status = r.status().as_u16();
        let json: serde_json::Value = r.json().await.unwrap();
        assert_eq!(status, want, "body {:.60}: {json}", body);
        assert_eq!(json["error"], code, "body {:.60}", body);
        assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // The check digit message is in Chinese and never echoes the number.
    let (_, body) = s
        .post(
            "/api/v1/tickets",
            KIOSK,
            json!({"service": "A", "id_number": "110105194912310021"}),
        )
        .await;
    assert!(body["message"].as_str().unwrap().contains("校验位"));
    assert!(!body.to_string().contains("110105194912310021"));
    // Unknown routes and windows.
    let (status, body) = s.get("/api/v1/nothing", ADMIN).await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    let (status, body) = s
        .post("/api/v1/windows/99/call-next", ADMIN, json!({}))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (404, Some("unknown_window"))
    );
    let (status, body) = s
        .post("/api/v1/windows/1/call", WINDOW1, json!({"number": "??"}))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_number"))
    );
    let (status, _) = s.get("/api/v1/tickets?day=yesterday", ADMIN).await;
    assert_eq!(status, 400);
    let (status, _) = s.get("/api/v1/tickets?state=lost", ADMIN).await;
    assert_eq!(status, 400);
    s.stop().await;
}

#[tokio::test]
async fn issue_call_recall_finish_through_the_api() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    let a1 = s.issue("A").await;
    assert_eq!(a1["number"], "A001");
    assert_eq!(a1["state"], "waiting");
    assert_eq!(a1["waiting_ahead"], 0);
    assert_eq!(a1["windows"], json!([1, 2]));
    let a2 = s.issue("A").await;
    assert_eq!(a2["number"], "A002");
    assert_eq!(a2["waiting_ahead"], 1);
    assert!(a2["estimated_wait_minutes"].as_u64().unwrap() >= 1);

    let (status, w) = s
        .post("/api/v1/windows/1/call-next", WINDOW1, json!({}))
        .await;
    assert_eq!(status, 200, "{w}");
    assert_eq!(w["ticket"]["number"], "A001");
    assert_eq!(w["ticket"]["state"], "called");
    assert_eq!(w["recalls_left"], 3);

    // Another window cannot take it.
    let (status, body) = s
        .post("/api/v1/windows/2/call", WINDOW2, json!({"number": "A001"}))
        .await;
    assert_eq!(status, 409);
    assert_eq!(body["error"], "already_called");
    assert_eq!(body["message"], "A001 已被1号窗口叫走");

    for left in [2, 1, 0] {
        let (status, w) = s.post("/api/v1/windows/1/recall", WINDOW1, json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(w["recalls_left"], left);
    }
    let (status, body) = s.post("/api/v1/windows/1/recall", WINDOW1, json!({})).await;
    assert_eq!(status, 409);
    assert_eq!(body["error"], "recall_limit");
    assert_eq!(body["message"], "已达重呼上限");

    let (status, w) = s
        .post(
            "/api/v1/windows/1/finish",
            WINDOW1,
            json!({"case_number": "BJ2026-001"}),
        )
        .await;
    assert_eq!(status, 200, "{w}");
    assert!(w["ticket"].is_null(), "{w}");
    assert_eq!(w["last_finished"], a1["id"]);

    // Window 2 takes A002; then nothing waits: ticket null, not an error.
    let (_, w) = s
        .post("/api/v1/windows/2/call-next", WINDOW2, json!({}))
        .await;
    assert_eq!(w["ticket"]["number"], "A002");
    let (status, w) = s
        .post("/api/v1/windows/2/finish", WINDOW2, json!(null))
        .await;
    assert_eq!(status, 200, "{w}");
    assert!(w["ticket"].is_null());
    let (status, w) = s
        .post("/api/v1/windows/2/call-next", WINDOW2, json!({}))
        .await;
    assert_eq!(status, 200);
    assert!(w["ticket"].is_null());

    let (status, list) = s
        .get("/api/v1/tickets?day=2026-11-23&state=finished", ADMIN)
        .await;
    assert_eq!(status, 200);
    let rows = list["tickets"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let first = rows.iter().find(|r| r["number"] == "A001").unwrap();
    assert_eq!(first["case_number"], "BJ2026-001");
    assert_eq!(first["window"], 1);
    s.stop().await;
}

#[tokio::test]
async fn hold_transfer_pause_and_the_windows_list() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    s.issue("A").await;
    s.issue("B").await;
    let (_, w) = s
        .post("/api/v1/windows/1/call-next", WINDOW1, json!({}))
        .await;
    let first = w["ticket"]["number"].as_str().unwrap().to_string();
    let (status, w) = s.post("/api/v1/windows/1/hold", WINDOW1, json!({})).await;
    assert_eq!(status, 200);
    assert!(w["ticket"].is_null());
    assert_eq!(w["held"][0]["number"], first.as_str());
    let (status, w) = s
        .post(
            "/api/v1/windows/1/resume-held",
            WINDOW1,
            json!({"number": first}),
        )
        .await;
    assert_eq!(status, 200, "{w}");
    assert_eq!(w["ticket"]["number"], first.as_str());
    // Transfer needs exactly one target.
    let (status, _) = s
        .post("/api/v1/windows/1/transfer", WINDOW1, json!({}))
        .await;
    assert_eq!(status, 400);
    let (status, w) = s
        .post("/api/v1/windows/1/transfer", WINDOW1, json!({"window": 2}))
        .await;
    assert_eq!(status, 200, "{w}");
    assert!(w["ticket"].is_null());
    let (status, w) = s.post("/api/v1/windows/2/pause", WINDOW2, json!({})).await;
    assert_eq!((status, w["state"].as_str()), (200, Some("paused")));
    let (status, body) = s
        .post("/api/v1/windows/2/call-next", WINDOW2, json!({}))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("window_paused"))
    );
    let (_, _) = s.post("/api/v1/windows/2/resume", WINDOW2, json!({})).await;
    let (_, w) = s
        .post("/api/v1/windows/2/call-next", WINDOW2, json!({}))
        .await;
    assert_eq!(w["ticket"]["number"], first.as_str());
    assert_eq!(w["ticket"]["transfers"].as_array().unwrap().len(), 1);

    let (status, list) = s.get("/api/v1/windows", DISPLAY).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 4);
    let (status, services) = s.get("/api/v1/services", DISPLAY).await;
    assert_eq!(status, 200);
    let b = services
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "B")
        .unwrap();
    assert_eq!(b["state"], "open");
    assert_eq!(b["waiting"], 1);
    s.stop().await;
}

#[tokio::test]
async fn event_stream_resumes_without_gaps_or_repeats_and_hides_id_data() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    let id_number = "11010519491231002X";
    let (status, issued) = s
        .post(
            "/api/v1/tickets",
            KIOSK,
            json!({"service": "A", "id_number": id_number}),
        )
        .await;
    assert_eq!(status, 201, "{issued}");
    // Born 1949: 76 years old, green channel by age.
    assert_eq!(issued["priority"], true);
    assert_eq!(issued["id_last4"], "002X");
    s.issue("B").await;
    s.post("/api/v1/windows/1/call-next", WINDOW1, json!({}))
        .await;

    let mut all = s
        .http
        .get(s.url("/api/v1/events?after=0"))
        .bearer_auth(DISPLAY)
        .send()
        .await
        .unwrap();
    assert_eq!(all.status(), 200);
    let first = read_events(&mut all, 4).await;
    let seqs: Vec<u64> = first.iter().map(|e| e.id.unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    let kinds: Vec<&str> = first.iter().map(|e| e.event.as_deref().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "day_started",
            "ticket_issued",
            "ticket_issued",
            "ticket_called"
        ]
    );
    for e in &first {
        let text = e.data.to_string();
        assert!(
            !text.contains("id_hash") && !text.contains("002X") && !text.contains("110105"),
            "{text}"
        );
        assert_eq!(e.data["seq"].as_u64(), e.id);
    }
    // Live: a new change arrives on the open stream.
    s.issue("C").await;
    let live = read_events(&mut all, 1).await;
    assert_eq!(live[0].event.as_deref(), Some("ticket_issued"));
    assert_eq!(live[0].id, Some(seqs[3] + 1));

    // Reconnect with Last-Event-ID: exactly the events after it.
    s.issue("C").await;
    let mut resumed = s
        .http
        .get(s.url("/api/v1/events"))
        .bearer_auth(DISPLAY)
        .header("last-event-id", seqs[1].to_string())
        .send()
        .await
        .unwrap();
    let again = read_events(&mut resumed, 4).await;
    let got: Vec<u64> = again.iter().map(|e| e.id.unwrap()).collect();
    assert_eq!(got, vec![seqs[2], seqs[3], seqs[3] + 1, seqs[3] + 2]);
    let (status, _) = s.get("/api/v1/events", "bad").await;
    assert_eq!(status, 401);
    s.stop().await;
}

#[tokio::test]
async fn openapi_document_lists_the_routes() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    let r = s
        .http
        .get(s.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let doc: serde_json::Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/tickets",
        "/api/v1/windows/{n}/call-next",
        "/api/v1/events",
        "/api/v1/health",
        "/api/v1/appointments",
    ] {
        assert!(doc["paths"].get(path).is_some(), "missing {path}");
    }
    assert!(doc["components"]["schemas"].get("IssuedDto").is_some());
    s.stop().await;
}

#[tokio::test]
async fn appointments_import_as_csv_then_check_in() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    let csv = "code,service,date,from,to\nYY001,C,2026-11-23,10:00,10:30\nYY002,C,2026-11-24,10:00,10:30\n";
    let r = s
        .http
        .post(s.url("/api/v1/appointments"))
        .bearer_auth(ADMIN)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["imported"], 2);
    let (status, t) = s
        .post(
            "/api/v1/tickets",
            KIOSK,
            json!({"service": "C", "appointment_code": "YY001"}),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    assert_eq!(t["class"], "appointment");
    let (status, body) = s
        .post(
            "/api/v1/tickets",
            KIOSK,
            json!({"service": "C", "appointment_code": "YY001"}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("appointment_used"))
    );
    let (status, body) = s
        .post(
            "/api/v1/tickets",
            KIOSK,
            json!({"service": "C", "appointment_code": "YY002"}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("appointment_not_today"))
    );
    let (status, body) = s
        .post(
            "/api/v1/tickets",
            KIOSK,
            json!({"service": "C", "appointment_code": "NOPE"}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (404, Some("unknown_appointment"))
    );
    // Kiosks cannot import.
    let r = s
        .http
        .post(s.url("/api/v1/appointments"))
        .bearer_auth(KIOSK)
        .json(&json!([]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    s.stop().await;
}

#[tokio::test]
async fn state_survives_a_restart() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    s.issue("A").await;
    s.issue("A").await;
    s.post("/api/v1/windows/1/call-next", WINDOW1, json!({}))
        .await;
    let dir = s.stop().await;
    let s = TestServer::start_in(CONFIG_24H, monday_10am(), dir).await;
    let t = s.issue("A").await;
    assert_eq!(t["number"], "A003");
    let (_, w) = s.get("/api/v1/windows", ADMIN).await;
    assert_eq!(w[0]["ticket"]["number"], "A001");
    s.stop().await;
}

#[tokio::test]
async fn print_outcomes_are_recorded_and_duplicates_point_at_the_existing_ticket() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    let id_number = "11010519491231002X";
    let (status, first) = s
        .post(
            "/api/v1/tickets",
            KIOSK,
            json!({"service": "A", "id_number": id_number}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, dup) = s
        .post(
            "/api/v1/tickets",
            KIOSK,
            json!({"service": "A", "id_number": id_number}),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(dup["error"], "duplicate_id_number");
    assert_eq!(dup["existing"]["number"], first["number"]);
    assert_eq!(dup["existing"]["id"], first["id"]);

    let id = first["id"].as_u64().unwrap();
    let r = s
        .http
        .post(s.url(&format!("/api/v1/tickets/{id}/print")))
        .bearer_auth(KIOSK)
        .json(&json!({"outcome": "uncertain"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = s
        .http
        .post(s.url(&format!("/api/v1/tickets/{id}/print")))
        .bearer_auth(KIOSK)
        .json(&json!({"outcome": "printed", "reprint": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (status, body) = s
        .post(
            "/api/v1/tickets/999999/print",
            KIOSK,
            json!({"outcome": "printed"}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (404, Some("unknown_ticket"))
    );
    let (status, body) = s
        .post(
            &format!("/api/v1/tickets/{id}/print"),
            KIOSK,
            json!({"outcome": "burnt"}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_outcome"))
    );
    let (status, _) = s
        .post(
            &format!("/api/v1/tickets/{id}/print"),
            DISPLAY,
            json!({"outcome": "printed"}),
        )
        .await;
    assert_eq!(status, 403);

    let (_, list) = s.get("/api/v1/tickets", ADMIN).await;
    let row = &list["tickets"][0];
    assert_eq!(row["print_state"], "printed");
    assert_eq!(row["reprints"], 1);
    s.stop().await;
}

#[tokio::test]
async fn device_health_is_reported_and_visible_to_admins() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    let r = s.http.post(s.url("/api/v1/devices/health")).bearer_auth(KIOSK)
        .json(&json!({"component": "printer", "status": "near_end", "detail": "paper near end sensor"})).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let (status, body) = s
        .post(
            "/api/v1/devices/health",
            KIOSK,
            json!({"component": "printer", "status": "on_fire"}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_status"))
    );
    let (status, _) = s.get("/api/v1/devices", KIOSK).await;
    assert_eq!(status, 403);
    let (status, list) = s.get("/api/v1/devices", ADMIN).await;
    assert_eq!(status, 200);
    let kiosk = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device"] == "kiosk-1")
        .unwrap();
    let part = |device: &serde_json::Value, name: &str| {
        device["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["component"] == name)
            .cloned()
    };
    assert_eq!(part(kiosk, "printer").unwrap()["status"], "near_end");
    // The kiosk's own requests are its sign of life.
    assert_eq!(part(kiosk, "link").unwrap()["status"], "ok");
    assert_eq!(kiosk["needs_attention"], true);
    let display = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device"] == "display")
        .unwrap();
    assert!(display["last_report"].is_null());
    // Never heard from, but the server has only just started: not offline yet.
    assert!(part(display, "link").is_none(), "{display}");
    assert_eq!(display["needs_attention"], false);
    s.stop().await;
}

#[tokio::test]
async fn a_staff_pin_at_the_kiosk_grants_the_green_channel() {
    let hash = hallq::kiosk::pin::hash_pin("2468").unwrap();
    let config = format!("{CONFIG_24H}\n[kiosk]\npriority_pin_hash = \"{hash}\"\n");
    let s = TestServer::start(&config, monday_10am()).await;
    let (status, body) = s
        .post(
            "/api/v1/tickets",
            KIOSK,
            json!({"service": "B", "priority_pin": "1111"}),
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (403, Some("wrong_pin")));
    let (status, body) = s
        .post(
            "/api/v1/tickets",
            KIOSK,
            json!({"service": "B", "priority": true, "priority_pin": "2468"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["priority"], true);
    assert_eq!(body["class"], "priority");
    s.stop().await;
}
