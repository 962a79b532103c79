//! 好差评 over the LAN API: the evaluator's view and rating with its own token, one rating
//! per visit (409), timeout → unrated on the server's clock, a 差评's follow-up through the
//! admin API with overdue flags that move with the clock, and no rater identity in any
//! staff-facing answer or event.

mod common;

use common::*;
use jiff::SignedDuration;
use serde_json::json;

const EVALUATOR1: &str = "evaluator-token-1";
const ID_NUMBER: &str = "110105194912310038";

/// Issues an A ticket with an ID number, calls and finishes it at window 1.
async fn finished_visit(s: &TestServer) -> String {
    let (status, issued) = s
        .post(
            "/api/v1/tickets",
            KIOSK,
            json!({"service": "A", "id_number": ID_NUMBER}),
        )
        .await;
    assert_eq!(status, 201, "{issued}");
    let number = issued["number"].as_str().unwrap().to_string();
    let (status, body) = s
        .post("/api/v1/windows/1/call-next", WINDOW1, json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = s
        .post(
            "/api/v1/windows/1/finish",
            WINDOW1,
            json!({"case_number": "BJ-0001"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    number
}

#[tokio::test]
async fn the_evaluator_sees_the_visit_rates_it_once_and_staff_never_see_the_rater() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    let (status, body) = s
        .post(
            "/api/v1/windows/1/sign-in",
            WINDOW1,
            json!({"staff": "1001"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, idle) = s.get("/api/v1/windows/1/rating", EVALUATOR1).await;
    assert_eq!(status, 200, "{idle}");
    assert_eq!(idle["pending"], serde_json::Value::Null);
    assert_eq!(idle["timeout_s"], 60);
    assert_eq!(idle["staff"], json!({"id": "1001", "name": "王丽"}));
    assert!(idle["comments"].as_array().unwrap().len() >= 3);

    let (status, body) = s
        .post("/api/v1/windows/1/rating", EVALUATOR1, json!({"level": 5}))
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"], "nothing_to_rate");

    let number = finished_visit(&s).await;
    let (_, view) = s.get("/api/v1/windows/1/rating", EVALUATOR1).await;
    assert_eq!(view["pending"]["number"], number.as_str());
    assert_eq!(view["pending"]["seconds_left"], 60);
    assert_eq!(view["pending"]["service_name"], "综合受理");

    // Another window's evaluator token may not rate window 1; a window token may not rate.
    let (status, _) = s
        .post("/api/v1/windows/1/rating", WINDOW1, json!({"level": 5}))
        .await;
    assert_eq!(status, 403);
    let (status, body) = s
        .post("/api/v1/windows/1/rating", EVALUATOR1, json!({"level": 6}))
        .await;
    assert_eq!(status, 422, "{body}");

    let (status, rated) = s
        .post(
            "/api/v1/windows/1/rating",
            EVALUATOR1,
            json!({"level": 2, "reasons": ["attitude"], "comment": "态度不好"}),
        )
        .await;
    assert_eq!(status, 201, "{rated}");
    assert_eq!(rated["number"], number.as_str());
    assert_eq!(rated["follow_up"], 1);

    let (status, body) = s
        .post("/api/v1/windows/1/rating", EVALUATOR1, json!({"level": 5}))
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"], "already_rated");
    assert_eq!(body["message"], "本次服务已评价，感谢您的参与");

    // The admin list has the rating with its bindings, and no rater identity.
    let (status, list) = s.get("/api/v1/ratings?from=2026-11-23", ADMIN).await;
    assert_eq!(status, 200, "{list}");
    let ratings = list["ratings"].as_array().unwrap();
    assert_eq!(ratings.len(), 1);
    let r = &ratings[0];
    assert_eq!(r["level"], 2);
    assert_eq!(r["label"], "不满意");
    assert_eq!(r["window"], 1);
    assert_eq!(r["case_number"], "BJ-0001");
    assert_eq!(r["channel"], "evaluator");
    assert_eq!(r["reasons"], json!(["attitude"]));
    let (status, _) = s.get("/api/v1/ratings", WINDOW1).await;
    assert_eq!(status, 403, "ratings are for admins only");

    // Nothing a window, display or evaluator can read carries the rater's ID.
    let mut answers = Vec::new();
    for (path, token) in [
        ("/api/v1/windows/1", WINDOW1),
        ("/api/v1/windows", DISPLAY),
        ("/api/v1/windows/1/rating", EVALUATOR1),
        ("/api/v1/windows/1/ratings/summary", WINDOW1),
        ("/api/v1/ratings?from=2026-11-23", ADMIN),
        ("/api/v1/followups", ADMIN),
    ] {
        let (status, body) = s.get(path, token).await;
        assert_eq!(status, 200, "{path}: {body}");
        answers.push(body.to_string());
    }
    let mut stream = s
        .http
        .get(s.url("/api/v1/events?after=0"))
        .bearer_auth(WINDOW1)
        .send()
        .await
        .unwrap();
    for e in read_events(&mut stream, 6).await {
        answers.push(e.data.to_string());
    }
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let hash: String = db
        .query_row("SELECT rater_id_hash FROM ratings", [], |r| r.get(0))
        .unwrap();
    assert!(!hash.is_empty(), "the store keeps the rater's hash");
    for text in &answers {
        assert!(!text.contains(&hash), "rater hash leaked: {text}");
        assert!(!text.contains("0038"), "ID digits leaked: {text}");
        assert!(!text.contains("id_hash"), "id field leaked: {text}");
    }
    // Staff see their own figures only.
    let (_, summary) = s.get("/api/v1/windows/1/ratings/summary", WINDOW1).await;
    assert_eq!(summary["rated"], 1);
    assert_eq!(summary["levels"], json!([0, 1, 0, 0, 0]));
    assert_eq!(summary["satisfaction_percent"], 0.0);
    assert_eq!(summary["staff"]["id"], "1001");
    assert_eq!(r["staff"], "1001");
    s.stop().await;
}

#[tokio::test]
async fn a_visit_left_unrated_times_out_on_the_servers_clock() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    finished_visit(&s).await;
    s.clock.advance(SignedDuration::from_secs(61));
    // The hall thread wakes within a second to run time-driven rules.
    let mut rating = String::new();
    for _ in 0..40 {
        let (_, t) = s.get("/api/v1/tickets?state=finished", ADMIN).await;
        let _ = t;
        let db = rusqlite::Connection::open(s.db_path()).unwrap();
        rating = db
            .query_row("SELECT coalesce(rating, '') FROM tickets", [], |r| r.get(0))
            .unwrap();
        if rating == "unrated" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(rating, "unrated");
    let (_, view) = s.get("/api/v1/windows/1/rating", EVALUATOR1).await;
    assert_eq!(view["pending"], serde_json::Value::Null);
    let (status, body) = s
        .post("/api/v1/windows/1/rating", EVALUATOR1, json!({"level": 4}))
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"], "nothing_to_rate");
    s.stop().await;
}

#[tokio::test]
async fn a_bad_rating_is_followed_up_through_the_admin_api_and_overdue_moves_with_time() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    finished_visit(&s).await;
    let (status, _) = s
        .post("/api/v1/windows/1/rating", EVALUATOR1, json!({"level": 1}))
        .await;
    assert_eq!(status, 201);
    let (_, open) = s.get("/api/v1/followups", ADMIN).await;
    let open = open.as_array().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["state"], "open");
    assert_eq!(open[0]["overdue"], serde_json::Value::Null);

    // Default deadline: callback within one day.
    s.clock.advance(SignedDuration::from_hours(25));
    let (_, late) = s.get("/api/v1/followups?overdue=true", ADMIN).await;
    assert_eq!(late.as_array().unwrap().len(), 1, "{late}");
    assert_eq!(late[0]["overdue"], "callback");

    let (status, body) = s
        .post(
            "/api/v1/followups/1",
            ADMIN,
            json!({"state": "called_back", "note": "已电话联系申请人", "by": "1001"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "called_back");
    assert_eq!(body["overdue"], serde_json::Value::Null);
    assert_eq!(body["notes"].as_array().unwrap().len(), 2);
    assert_eq!(body["notes"][1]["note"], "已电话联系申请人");

    let (status, body) = s
        .post("/api/v1/followups/1", ADMIN, json!({"state": "open"}))
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"], "follow_up_step");
    let (status, body) = s
        .post("/api/v1/followups/9", ADMIN, json!({"state": "closed"}))
        .await;
    assert_eq!(status, 404, "{body}");
    let (status, _) = s
        .post("/api/v1/followups/1", WINDOW1, json!({"state": "closed"}))
        .await;
    assert_eq!(status, 403);

    s.clock.advance(SignedDuration::from_hours(24 * 15));
    let (_, late) = s.get("/api/v1/followups?overdue=true", ADMIN).await;
    assert_eq!(late[0]["overdue"], "rectification", "{late}");

    // Every change went to the outbox with the rating, in order, each with its own key.
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    let kinds: Vec<(String, String)> = db
        .prepare("SELECT kind, key FROM outbox ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let names: Vec<&str> = kinds.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["rating", "follow_up", "follow_up"]);
    let mut keys: Vec<&str> = kinds.iter().map(|(_, k)| k.as_str()).collect();
    keys.dedup();
    assert_eq!(keys.len(), 3);
    s.stop().await;
}

#[tokio::test]
async fn a_rating_for_a_visit_the_window_has_moved_past_is_refused() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    finished_visit(&s).await;
    let (_, first) = s.get("/api/v1/windows/1/rating", EVALUATOR1).await;
    let first_id = first["pending"]["ticket"].as_u64().unwrap();
    // Staff finish the next visit before the rater's press arrives.
    let (status, _) = s
        .post(
            "/api/v1/tickets",
            KIOSK,
            json!({"service": "A", "id_number": "110105194912310046"}),
        )
        .await;
    assert_eq!(status, 201);
    s.post("/api/v1/windows/1/call-next", WINDOW1, json!({}))
        .await;
    s.post("/api/v1/windows/1/finish", WINDOW1, json!({})).await;

    let (status, body) = s
        .post(
            "/api/v1/windows/1/rating",
            EVALUATOR1,
            json!({"level": 1, "ticket": first_id}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"], "nothing_to_rate");
    let (status, body) = s
        .post(
            "/api/v1/windows/1/rating/decline",
            EVALUATOR1,
            json!({"ticket": first_id}),
        )
        .await;
    assert_eq!(status, 409, "{body}");

    let (_, second) = s.get("/api/v1/windows/1/rating", EVALUATOR1).await;
    let second_id = second["pending"]["ticket"].as_u64().unwrap();
    assert_ne!(first_id, second_id);
    let (status, body) = s
        .post(
            "/api/v1/windows/1/rating",
            EVALUATOR1,
            json!({"level": 4, "ticket": second_id}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, list) = s.get("/api/v1/ratings?from=2026-11-23", ADMIN).await;
    assert_eq!(list["ratings"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["ratings"][0]["number"], "A002");
    s.stop().await;
}

#[tokio::test]
async fn the_daily_report_counts_the_days_ratings_for_admins_only() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    finished_visit(&s).await;
    let (status, _) = s
        .post("/api/v1/windows/1/rating", EVALUATOR1, json!({"level": 2}))
        .await;
    assert_eq!(status, 201);
    let (status, _) = s.get("/api/v1/reports/daily", WINDOW1).await;
    assert_eq!(status, 403);
    let (status, report) = s.get("/api/v1/reports/daily?day=2026-11-23", ADMIN).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["period"], "2026-11-23", "{report}");
    assert_eq!(report["summary"]["tickets"], 1, "{report}");
    assert_eq!(report["summary"]["finished"], 1, "{report}");
    assert_eq!(report["summary"]["rated"], 1, "{report}");
    let (status, body) = s.get("/api/v1/reports/daily?day=23.11.2026", ADMIN).await;
    assert_eq!(status, 400, "{body}");
    s.stop().await;
}

/// Reads one token's event stream from the start until `kind` arrives.
async fn first_event_of(s: &TestServer, token: &str, kind: &str) -> serde_json::Value {
    let mut stream = s
        .http
        .get(s.url("/api/v1/events?after=0"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    for _ in 0..20 {
        let e = read_events(&mut stream, 1).await.remove(0);
        if e.event.as_deref() == Some(kind) {
            return e.data;
        }
    }
    panic!("no {kind} event for {token}");
}

#[tokio::test]
async fn staff_screens_learn_that_a_visit_was_rated_never_how_and_never_the_id_tail() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    let number = finished_visit(&s).await;
    let (status, _) = s
        .post(
            "/api/v1/windows/1/rating",
            EVALUATOR1,
            json!({"level": 1, "reasons": ["attitude"], "comment": "态度不好"}),
        )
        .await;
    assert_eq!(status, 201);

    // Admins see what the rating said.
    let full = first_event_of(&s, ADMIN, "ticket_rated").await;
    assert_eq!(full["rating"]["level"], 1, "{full}");
    assert_eq!(full["rating"]["comment"], "态度不好", "{full}");
    let opened = first_event_of(&s, ADMIN, "follow_up_opened").await;
    assert!(opened.get("followup").is_some(), "{opened}");

    // Window, display and evaluator streams see only which visit was rated.
    for token in [WINDOW1, DISPLAY, EVALUATOR1] {
        let rated = first_event_of(&s, token, "ticket_rated").await;
        let rating = rated["rating"].as_object().unwrap();
        assert_eq!(rating["number"], number.as_str(), "{rated}");
        assert_eq!(rating["window"], 1, "{rated}");
        for hidden in ["level", "reasons", "comment", "staff", "case_number"] {
            assert!(
                !rating.contains_key(hidden),
                "{token} sees {hidden}: {rated}"
            );
        }
        let opened = first_event_of(&s, token, "follow_up_opened").await;
        assert!(opened.get("followup").is_none(), "{token}: {opened}");
        assert_eq!(opened["type"], "follow_up_opened");
    }

    // The ID number's tail is for the kiosk (it prints it) and admins, not staff screens.
    let path = format!("/api/v1/tickets/{number}");
    let (_, for_kiosk) = s.get(&path, KIOSK).await;
    assert_eq!(for_kiosk["id_last4"], "0038", "{for_kiosk}");
    for token in [WINDOW1, DISPLAY] {
        let (status, ticket) = s.get(&path, token).await;
        assert_eq!(status, 200, "{ticket}");
        assert_eq!(ticket["id_last4"], serde_json::Value::Null, "{ticket}");
    }
    s.stop().await;
}
