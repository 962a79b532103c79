//! What the outbox carries to the provincial 好差评 platform: format-neutral records,
//! serialised as JSON into `outbox.body` in the transaction that stores their event. A
//! platform format (`crate::upload`) turns them into that platform's request.
//!
//! The rater's ID hash never leaves the hall: it is salted per database and means nothing
//! elsewhere, and rater data must not go to third parties without consent.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::core::{FollowUpState, RatingChannel, RatingReason};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UploadRecord {
    Rating(RatingRecord),
    FollowUp(FollowUpRecord),
}

impl UploadRecord {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Rating(_) => "rating",
            Self::FollowUp(_) => "follow_up",
        }
    }
}

/// One rating (一次一评).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingRecord {
    /// Ticket number, e.g. `A023`, unique within `day`.
    pub number: String,
    /// The business day of the ticket.
    pub day: Date,
    /// Service id and name (事项).
    pub service: String,
    pub service_name: String,
    pub window: u16,
    /// The staff member who handled the visit (工号).
    pub staff: Option<String>,
    /// 办件编号, when staff entered one at 办结.
    pub case_number: Option<String>,
    pub channel: RatingChannel,
    pub at: Timestamp,
    /// 1 非常不满意 … 5 非常满意.
    pub level: u8,
    pub reasons: Vec<RatingReason>,
    pub comment: Option<String>,
}

/// A follow-up work order opened or changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpRecord {
    pub id: u64,
    /// The rated ticket's number and day.
    pub number: String,
    pub day: Date,
    pub state: FollowUpState,
    pub at: Timestamp,
    /// The 差评 level that opened it.
    pub level: u8,
    pub callback_due: Timestamp,
    pub rectify_due: Timestamp,
    pub note: Option<String>,
    pub by: Option<String>,
    pub follow_up_level: Option<u8>,
}

/// A pending outbox row as the uploader reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: i64,
    /// Idempotency key: `<database tag>-<event seq>`, never reused by any hall database.
    pub key: String,
    pub record: UploadRecord,
    pub attempts: u32,
    pub created_ms: i64,
}
