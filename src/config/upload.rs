//! `[upload]`: delivery of ratings and follow-up changes to the provincial 好差评 platform.
//! Without this table nothing is sent (records still wait in the outbox).
//!
//! ```toml
//! [upload]
//! url = "https://hcp.example.gov.cn/api/ratings"
//! format = "generic-json"     # see src/upload/format for the formats and how to add one
//! hall_code = "440300-ZWFW-01" # the hall's code at the platform
//! token = "change-me"          # sent as Authorization: Bearer …
//! timeout_s = 10
//! batch = 50                   # records per request
//! min_backoff_s = 5            # first retry after a failure; doubles up to max_backoff_s
//! max_backoff_s = 1800
//! keep_delivered_days = 180    # delivered records leave the outbox after this (0 = at once)
//! ca_file = "/etc/hallq/platform-ca.pem" # extra trusted roots (PEM) besides the system's
//! ```

use serde::Deserialize;

use super::error::Problem;

/// Formats this version can send.
pub const FORMATS: &[&str] = &["generic-json"];

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadConfig {
    pub url: String,
    #[serde(default = "default_format")]
    pub format: String,
    pub hall_code: String,
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default = "default_timeout_s")]
    pub timeout_s: u64,
    #[serde(default = "default_batch")]
    pub batch: usize,
    #[serde(default = "default_min_backoff_s")]
    pub min_backoff_s: u64,
    #[serde(default = "default_max_backoff_s")]
    pub max_backoff_s: u64,
    /// Delivered records stay in the outbox this many days (for audits), then go.
    #[serde(default = "default_keep_delivered_days")]
    pub keep_delivered_days: u32,
    /// Root certificates (PEM) trusted for the platform besides the system's, for a
    /// platform whose certificate chains to a CA the system does not carry.
    #[serde(default)]
    pub ca_file: Option<std::path::PathBuf>,
}

fn default_format() -> String {
    "generic-json".into()
}
fn default_timeout_s() -> u64 {
    10
}
fn default_batch() -> usize {
    50
}
fn default_min_backoff_s() -> u64 {
    5
}
fn default_max_backoff_s() -> u64 {
    1800
}
pub(crate) fn default_keep_delivered_days() -> u32 {
    180
}

pub(super) fn check(u: &UploadConfig, out: &mut Vec<Problem>) {
    if !(u.url.starts_with("https://") || u.url.starts_with("http://")) {
        out.push(Problem::new(
            "upload.url",
            "must be an http:// or https:// address",
        ));
    }
    if !FORMATS.contains(&u.format.as_str()) {
        out.push(Problem::new(
            "upload.format",
            format!("unknown format (expected one of: {})", FORMATS.join(", ")),
        ));
    }
    if u.hall_code.trim().is_empty() {
        out.push(Problem::new("upload.hall_code", "must not be empty"));
    }
    if !(1..=300).contains(&u.timeout_s) {
        out.push(Problem::new("upload.timeout_s", "must be from 1 to 300"));
    }
    if !(1..=1000).contains(&u.batch) {
        out.push(Problem::new("upload.batch", "must be from 1 to 1000"));
    }
    if u.keep_delivered_days > 3650 {
        out.push(Problem::new(
            "upload.keep_delivered_days",
            "must be from 0 to 3650",
        ));
    }
    if u.min_backoff_s == 0 || u.max_backoff_s < u.min_backoff_s {
        out.push(Problem::new(
            "upload.max_backoff_s",
            "min_backoff_s must be at least 1 and max_backoff_s not below it",
        ));
    }
}
