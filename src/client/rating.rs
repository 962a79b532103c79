//! The rating API (好差评) of one window: what the evaluator asks about, the rating itself and
//! a decline (`/api/v1/windows/{n}/rating…`).

use serde::{Deserialize, Serialize};

use super::window::StaffInfo;
use super::{ClientError, HallClient};
use crate::core::RatingReason;

/// The visit waiting for a rating: the ticket the window finished last.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct PendingRating {
    pub ticket: u64,
    pub number: String,
    #[serde(default)]
    pub service_name: String,
    /// When the server stops waiting (RFC 3339, UTC).
    #[serde(default)]
    pub until: String,
    /// Seconds left when the server answered.
    pub seconds_left: u32,
}

/// `GET /api/v1/windows/{n}/rating`
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct WindowRating {
    pub window: u16,
    #[serde(default)]
    pub window_name: String,
    #[serde(default)]
    pub staff: Option<StaffInfo>,
    #[serde(default)]
    pub pending: Option<PendingRating>,
    #[serde(default)]
    pub timeout_s: u32,
    /// Preset comment phrases offered with a 差评.
    #[serde(default)]
    pub comments: Vec<String>,
}

/// `POST /api/v1/windows/{n}/rating`
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RatingBody {
    /// 1 (非常不满意) … 5 (非常满意).
    pub level: u8,
    pub reasons: Vec<RatingReason>,
    pub comment: Option<String>,
}

/// The 201 answer to a rating.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Rated {
    pub number: String,
    pub level: u8,
    /// The follow-up work order a 差评 opened.
    #[serde(default)]
    pub follow_up: Option<u64>,
}

/// A body bound to the visit it is about (`"ticket"`), so a window that moved on refuses it.
#[derive(Serialize)]
struct ForVisit<'a, B: Serialize> {
    ticket: u64,
    #[serde(flatten)]
    body: &'a B,
}

#[derive(Serialize)]
struct Empty {}

/// `GET /api/v1/windows/{n}/ratings/summary`: the signed-in staff member's own ratings today
/// (counts only; no rater, no single rating).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct StaffFigures {
    #[serde(default)]
    pub staff: Option<StaffInfo>,
    /// Ratings per level, index 0 = level 1 (非常不满意) … 4 = level 5 (非常满意).
    pub levels: [u32; 5],
    pub rated: u32,
    /// Levels 3–5 over rated, 0–100; `None` before the first rating.
    #[serde(default)]
    pub satisfaction_percent: Option<f64>,
}

impl StaffFigures {
    /// 差评: levels 1 and 2.
    pub fn bad(&self) -> u32 {
        self.levels[0] + self.levels[1]
    }
}

impl HallClient {
    /// `GET /api/v1/windows/{n}/rating`: staff, the visit to rate (if any), the preset phrases.
    pub async fn window_rating(&self, n: u16) -> Result<WindowRating, ClientError> {
        self.get(&format!("/api/v1/windows/{n}/rating")).await
    }

    /// Rates the visit window `n` finished last. 409 `already_rated` / `nothing_to_rate`
    /// when there is none to rate.
    pub async fn rate(&self, n: u16, body: &RatingBody) -> Result<Rated, ClientError> {
        self.post(&format!("/api/v1/windows/{n}/rating"), body)
            .await
    }

    /// Rates visit `ticket` at window `n`; 409 `nothing_to_rate` when the window has moved on
    /// to another visit in between (the rating never lands on the wrong visit).
    pub async fn rate_visit(
        &self,
        n: u16,
        ticket: u64,
        body: &RatingBody,
    ) -> Result<Rated, ClientError> {
        let body = ForVisit { ticket, body };
        self.post(&format!("/api/v1/windows/{n}/rating"), &body)
            .await
    }

    /// The signed-in staff member's own figures today (window token of window `n`).
    pub async fn staff_figures(&self, n: u16) -> Result<StaffFigures, ClientError> {
        self.get(&format!("/api/v1/windows/{n}/ratings/summary"))
            .await
    }

    /// Records the visit window `n` finished last as unrated now.
    pub async fn decline_rating(&self, n: u16) -> Result<(), ClientError> {
        self.post_no_content(&format!("/api/v1/windows/{n}/rating/decline"), &Empty {})
            .await
    }

    /// Records visit `ticket` at window `n` as unrated, unless the window moved on.
    pub async fn decline_visit(&self, n: u16, ticket: u64) -> Result<(), ClientError> {
        let body = ForVisit {
            ticket,
            body: &Empty {},
        };
        self.post_no_content(&format!("/api/v1/windows/{n}/rating/decline"), &body)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_shapes_are_read_and_written() {
        let json = r#"{"window":3,"window_name":"3号窗口","staff":{"id":"1001","name":"张三"},
            "pending":{"ticket":12,"number":"A023","service_name":"综合受理",
              "until":"2026-11-22T02:03:04Z","seconds_left":57},
            "timeout_s":60,"comments":["等候时间太长","态度不好"]}"#;
        let r: WindowRating = serde_json::from_str(json).unwrap();
        assert_eq!(r.staff.as_ref().unwrap().name, "张三");
        let p = r.pending.unwrap();
        assert_eq!(
            (p.ticket, p.number.as_str(), p.seconds_left),
            (12, "A023", 57)
        );
        assert_eq!(r.comments.len(), 2);
        let idle: WindowRating =
            serde_json::from_str(r#"{"window":3,"staff":null,"pending":null}"#).unwrap();
        assert!(idle.pending.is_none() && idle.staff.is_none());

        let body = RatingBody {
            level: 2,
            reasons: vec![RatingReason::Attitude],
            comment: Some("态度不好".into()),
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"level": 2, "reasons": ["attitude"], "comment": "态度不好"})
        );
        let rated: Rated =
            serde_json::from_str(r#"{"number":"A023","level":2,"follow_up":7}"#).unwrap();
        assert_eq!(rated.follow_up, Some(7));
    }
}
