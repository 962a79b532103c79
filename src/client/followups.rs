//! Follow-up work orders of 差评 through the admin API (`hallq followups`).

use serde::{Deserialize, Serialize};

use super::{ClientError, HallClient};

/// One entry of a follow-up's history.
#[derive(Clone, Debug, Deserialize)]
pub struct FollowUpNoteInfo {
    pub at: String,
    pub state: String,
    pub by: Option<String>,
    pub note: Option<String>,
}

/// A follow-up as `GET /api/v1/followups` lists it.
#[derive(Clone, Debug, Deserialize)]
pub struct FollowUpInfo {
    pub id: u64,
    pub number: String,
    pub day: String,
    pub service: String,
    pub window: u16,
    pub staff: Option<String>,
    pub level: u8,
    pub state: String,
    pub opened_at: String,
    pub callback_due: String,
    pub rectify_due: String,
    pub follow_up_level: Option<u8>,
    /// callback | rectification
    pub overdue: Option<String>,
    #[serde(default)]
    pub notes: Vec<FollowUpNoteInfo>,
}

/// `POST /api/v1/followups/{id}`
#[derive(Clone, Debug, Serialize)]
pub struct FollowUpChange {
    pub state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up_level: Option<u8>,
}

impl HallClient {
    /// `GET /api/v1/followups`: open orders, or those in `state`, or all with `all`.
    pub async fn followups(
        &self,
        state: Option<&str>,
        overdue: bool,
        all: bool,
    ) -> Result<Vec<FollowUpInfo>, ClientError> {
        let mut query = vec![];
        if let Some(s) = state {
            query.push(format!("state={s}"));
        }
        if overdue {
            query.push("overdue=true".into());
        }
        if all {
            query.push("all=true".into());
        }
        let path = if query.is_empty() {
            "/api/v1/followups".to_string()
        } else {
            format!("/api/v1/followups?{}", query.join("&"))
        };
        self.get(&path).await
    }

    pub async fn update_followup(
        &self,
        id: u64,
        change: &FollowUpChange,
    ) -> Result<FollowUpInfo, ClientError> {
        self.post(&format!("/api/v1/followups/{id}"), change).await
    }
}
