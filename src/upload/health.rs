//! The uploader's state as device health: device `upload`, component `platform`.

use jiff::Timestamp;

use crate::server::{ComponentHealth, DeviceHealthDto};
use crate::store::outbox::Backlog;

/// Device name of the uploader in `GET /api/v1/devices`.
pub const DEVICE: &str = "upload";
/// Its one component.
pub const COMPONENT: &str = "platform";
/// Pending records that have failed and are older than this make the status `error`
/// (younger ones `degraded`).
pub const ERROR_AFTER_MS: i64 = 3600 * 1000;

/// What the uploader knows about itself (see [`super::UploadHandle::status`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UploadStatus {
    /// `[upload]` is configured: records are being sent.
    pub configured: bool,
    /// The task is running (false before start and after stop).
    pub running: bool,
    /// Last backlog read from the outbox (`None` until the first read succeeded).
    pub backlog: Option<Backlog>,
    /// The last failed attempt (transport, platform or format), cleared by a batch the
    /// platform took whole. Short English text, no personal data.
    pub last_error: Option<String>,
    /// The outbox cannot be read or written right now.
    pub db_error: Option<String>,
    /// The uploader cannot work at all (no client, unknown format).
    pub fatal: Option<String>,
    /// When the platform last accepted a record (ms since the epoch).
    pub last_delivery_ms: Option<i64>,
    /// Records delivered since the task started.
    pub delivered: u64,
    /// When this status last changed (ms since the epoch).
    pub updated_ms: Option<i64>,
}

impl UploadStatus {
    /// `ok`, `degraded` or `error`, and a one-line English detail with the backlog gauge.
    pub fn assess(&self, now_ms: i64) -> (&'static str, String) {
        let gauge = gauge(self.backlog.as_ref(), now_ms);
        if let Some(fatal) = &self.fatal {
            return ("error", format!("{fatal}; {gauge}"));
        }
        if let Some(db) = &self.db_error {
            return ("error", format!("cannot use the outbox: {db}; {gauge}"));
        }
        let Some(backlog) = self.backlog else {
            return ("degraded", "outbox not read yet".to_string());
        };
        if !self.configured {
            let status = if backlog.pending == 0 {
                "ok"
            } else {
                "degraded"
            };
            return (status, format!("not configured, nothing is sent; {gauge}"));
        }
        if !self.running {
            return ("degraded", format!("uploader stopped; {gauge}"));
        }
        let mut detail = gauge;
        if let Some(err) = &self.last_error {
            detail.push_str(&format!("; last error: {err}"));
        }
        let troubled = backlog.failing > 0 || self.last_error.is_some();
        if !troubled {
            return ("ok", detail);
        }
        let old = backlog
            .oldest_age_ms(now_ms)
            .is_some_and(|age| age >= ERROR_AFTER_MS);
        (if old { "error" } else { "degraded" }, detail)
    }

    /// The device entry for `GET /api/v1/devices`.
    pub fn device(&self, now_ms: i64) -> DeviceHealthDto {
        let (status, detail) = self.assess(now_ms);
        let reported_at = self
            .updated_ms
            .and_then(|ms| Timestamp::from_millisecond(ms).ok())
            .unwrap_or_else(Timestamp::now)
            .to_string();
        DeviceHealthDto {
            device: DEVICE.to_string(),
            role: DEVICE.to_string(),
            window: None,
            last_report: Some(reported_at.clone()),
            needs_attention: status != "ok",
            components: vec![ComponentHealth {
                component: COMPONENT.to_string(),
                status: status.to_string(),
                detail: Some(detail),
                reported_at,
            }],
        }
    }
}

/// "pending 12, oldest 3m 20s, failing 4" (or "pending 0").
pub fn gauge(backlog: Option<&Backlog>, now_ms: i64) -> String {
    let Some(b) = backlog else {
        return "backlog unknown".to_string();
    };
    let mut out = format!("pending {}", b.pending);
    if let Some(age) = b.oldest_age_ms(now_ms) {
        out.push_str(&format!(", oldest {}", age_text(age)));
    }
    if b.failing > 0 {
        out.push_str(&format!(", failing {}", b.failing));
    }
    out
}

/// "45s", "3m 20s", "5h 02m", "3d 04h".
pub fn age_text(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (d, h, m) = (s / 86_400, s / 3600 % 24, s / 60 % 60);
    match () {
        () if d > 0 => format!("{d}d {h:02}h"),
        () if h > 0 => format!("{h}h {m:02}m"),
        () if m > 0 => format!("{m}m {:02}s", s % 60),
        () => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn backlog(pending: u64, age_ms: Option<i64>, failing: u64) -> Option<Backlog> {
        Some(Backlog {
            pending,
            oldest_created_ms: age_ms.map(|a| NOW - a),
            failing,
        })
    }

    fn running() -> UploadStatus {
        UploadStatus {
            configured: true,
            running: true,
            backlog: backlog(0, None, 0),
            ..UploadStatus::default()
        }
    }

    #[test]
    fn ages_read_like_a_technician_would_say_them() {
        assert_eq!(age_text(0), "0s");
        assert_eq!(age_text(45_999), "45s");
        assert_eq!(age_text(200_000), "3m 20s");
        assert_eq!(age_text(5 * 3_600_000 + 2 * 60_000), "5h 02m");
        assert_eq!(age_text(3 * 86_400_000 + 4 * 3_600_000), "3d 04h");
        assert_eq!(age_text(-5), "0s");
    }

    #[test]
    fn empty_backlog_is_ok() {
        assert_eq!(running().assess(NOW), ("ok", "pending 0".to_string()));
    }

    #[test]
    fn pending_records_without_failures_are_ok() {
        let s = UploadStatus {
            backlog: backlog(3, Some(2_000), 0),
            ..running()
        };
        assert_eq!(s.assess(NOW), ("ok", "pending 3, oldest 2s".to_string()));
    }

    #[test]
    fn recent_failures_are_degraded_old_ones_an_error() {
        let s = UploadStatus {
            backlog: backlog(4, Some(200_000), 4),
            last_error: Some("cannot connect to the platform".into()),
            ..running()
        };
        assert_eq!(
            s.assess(NOW),
            (
                "degraded",
                "pending 4, oldest 3m 20s, failing 4; last error: cannot connect to the platform"
                    .to_string()
            )
        );
        let s = UploadStatus {
            backlog: backlog(4, Some(ERROR_AFTER_MS), 4),
            ..s
        };
        assert_eq!(s.assess(NOW).0, "error");
    }

    #[test]
    fn records_the_platform_keeps_refusing_degrade_even_after_a_good_batch() {
        let s = UploadStatus {
            backlog: backlog(1, Some(10_000), 1),
            ..running()
        };
        assert_eq!(s.assess(NOW).0, "degraded");
    }

    #[test]
    fn not_configured_reports_the_backlog() {
        let s = UploadStatus {
            configured: false,
            backlog: backlog(2, Some(61_000), 0),
            ..running()
        };
        assert_eq!(
            s.assess(NOW),
            (
                "degraded",
                "not configured, nothing is sent; pending 2, oldest 1m 01s".to_string()
            )
        );
        let s = UploadStatus {
            backlog: backlog(0, None, 0),
            ..s
        };
        assert_eq!(s.assess(NOW).0, "ok");
    }

    #[test]
    fn database_and_fatal_problems_are_errors() {
        let s = UploadStatus {
            db_error: Some("database file x is in use".into()),
            ..running()
        };
        assert_eq!(s.assess(NOW).0, "error");
        let s = UploadStatus {
            fatal: Some("unknown format".into()),
            ..running()
        };
        assert_eq!(s.assess(NOW).0, "error");
        let s = UploadStatus {
            backlog: None,
            ..running()
        };
        assert_eq!(s.assess(NOW).0, "degraded");
    }

    #[test]
    fn device_entry_has_one_platform_component() {
        let s = UploadStatus {
            backlog: backlog(4, Some(200_000), 4),
            updated_ms: Some(NOW),
            ..running()
        };
        let d = s.device(NOW);
        assert_eq!(d.device, "upload");
        assert_eq!(d.window, None);
        assert!(d.needs_attention);
        assert_eq!(d.components.len(), 1);
        assert_eq!(d.components[0].component, "platform");
        assert_eq!(d.components[0].status, "degraded");
        assert_eq!(d.last_report.as_deref(), Some("2027-01-15T08:00:00Z"));
        assert!(!running().device(NOW).needs_attention);
    }
}
