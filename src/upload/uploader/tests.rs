//! Unit tests of the uploader's pure parts.

use super::*;

#[test]
fn urls_are_cut_out_of_error_texts() {
    assert_eq!(
        strip_url("error sending request for url (https://x.gov.cn/a?t=secret)"),
        "error sending request"
    );
    assert_eq!(
        strip_url("error decoding response body for url (http://h/p): eof"),
        "error decoding response body: eof"
    );
    assert_eq!(strip_url("tcp connect error"), "tcp connect error");
    assert_eq!(strip_url("x for url (unclosed"), "x");
}

#[test]
fn config_timings_come_from_upload() {
    let config = UploadConfig {
        url: "https://p".into(),
        format: "generic-json".into(),
        hall_code: "H".into(),
        token: None,
        timeout_s: 7,
        batch: 5,
        min_backoff_s: 3,
        max_backoff_s: 90,
        keep_delivered_days: 30,
        ca_file: None,
    };
    let t = Timing::from_config(Some(&config));
    assert_eq!(t.keep_delivered, Duration::from_secs(30 * 86400));
    assert_eq!(t.poll, POLL);
    assert_eq!(t.min_backoff, Duration::from_secs(3));
    assert_eq!(t.max_backoff, Duration::from_secs(90));
    assert_eq!(t.request_timeout, Duration::from_secs(7));
}
