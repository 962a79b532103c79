//! `hallq followups list|update` against a real server: what a hall manager types.

mod common;

use std::process::Command;

use common::*;
use serde_json::json;

fn hallq(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hallq"))
        .args(args)
        .env_remove("HALLQ_TOKEN")
        .env_remove("HALLQ_SERVER")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_lists_and_moves_a_follow_up_from_the_command_line() {
    let s = TestServer::start(CONFIG_24H, monday_10am()).await;
    s.issue("A").await;
    s.post("/api/v1/windows/1/call-next", WINDOW1, json!({}))
        .await;
    s.post("/api/v1/windows/1/finish", WINDOW1, json!({})).await;
    let (status, body) = s
        .post(
            "/api/v1/windows/1/rating",
            "evaluator-token-1",
            json!({"level": 1, "reasons": ["efficiency"]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let base = s.base.clone();

    let run = |args: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            hallq(&refs)
        })
    };
    let args = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = vec!["followups".into()];
        v.extend(extra.iter().map(|s| s.to_string()));
        v.extend([
            "--server".into(),
            base.clone(),
            "--token".into(),
            ADMIN.into(),
        ]);
        v
    };

    let (code, out, err) = run(args(&["list"])).await.unwrap();
    assert_eq!(code, 0, "{err}");
    let line = out.lines().nth(1).unwrap_or_default();
    assert!(line.starts_with("1\tA001\t2026-11-23\t1\t"), "{out}");
    assert!(line.contains("\topen\t"), "{out}");

    let (code, out, err) = run(args(&[
        "update",
        "1",
        "--state",
        "called_back",
        "--note",
        "已回访，申请人接受解释",
    ]))
    .await
    .unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\tcalled_back\t"), "{out}");
    assert!(out.contains("last note: 已回访，申请人接受解释"), "{out}");

    let (code, _, err) = run(args(&["update", "1", "--state", "open"]))
        .await
        .unwrap();
    assert_eq!(code, 1);
    assert!(err.contains("follow_up_step"), "{err}");

    let (code, _, err) = run(args(&["update", "1", "--state", "closed"]))
        .await
        .unwrap();
    assert_eq!(code, 1, "closing skips rectification");
    assert!(err.contains("follow_up_step"), "{err}");

    let (code, out, err) = run(args(&["update", "1", "--state", "rectified"]))
        .await
        .unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\trectified\t"), "{out}");

    let (code, _, err) = run(args(&["update", "1", "--state", "follow_up_rated"]))
        .await
        .unwrap();
    assert_eq!(code, 1);
    assert!(err.contains("follow_up_level_required"), "{err}");

    let (code, out, _) = run(args(&["list", "--state", "closed"])).await.unwrap();
    assert_eq!(code, 0);
    assert!(out.contains("(none)"), "{out}");
    s.stop().await;

    let (code, _, err) = run(args(&["list"])).await.unwrap();
    assert_eq!(code, 2, "unreachable server: {err}");
}
