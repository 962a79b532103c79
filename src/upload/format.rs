//! Platform formats: how a batch of outbox records becomes one HTTP request, and how the
//! platform's answer says which records it stored.
//!
//! Each province's 好差评 platform has its own interface. A [`Format`] hides it from the
//! uploader, which only knows: POST this body, then deliver exactly the keys the format
//! says were accepted and retry the rest. A format never decides about retries, timeouts or
//! authentication by bearer token (the uploader does those); it may add headers of its own
//! (a signature, an application id).
//!
//! # `generic-json`
//!
//! Request: `POST <url>` with `Content-Type: application/json`, `Authorization: Bearer
//! <token>` when a token is configured, and the body
//!
//! ```json
//! {
//!   "hall_code": "440300-ZWFW-01",
//!   "records": [
//!     {"key": "3f9a1c2e-118", "kind": "rating", "number": "A023", "day": "2026-11-23",
//!      "service": "A", "service_name": "综合受理", "window": 3, "staff": "1001",
//!      "case_number": null, "channel": "evaluator", "at": "2026-11-23T02:03:04Z",
//!      "level": 2, "reasons": ["efficiency"], "comment": "等候时间太长"},
//!     {"key": "3f9a1c2e-131", "kind": "follow_up", "id": 7, "number": "A023",
//!      "day": "2026-11-23", "state": "called_back", "at": "2026-11-23T05:00:00Z",
//!      "level": 2, "callback_due": "2026-11-24T02:03:04Z",
//!      "rectify_due": "2026-12-08T02:03:04Z", "note": "已回访", "by": "1001",
//!      "follow_up_level": null}
//!   ]
//! }
//! ```
//!
//! `key` is the record's idempotency key, unique across every hall database and never
//! reused. A record may be sent more than once (a lost answer, a timeout, a power cut
//! between the platform's answer and the hall's own note of it): the platform must store a
//! key at most once and answer a key it already has as accepted.
//!
//! Answer: `200` (any 2xx) with `{"accepted": ["3f9a1c2e-118", ...]}`. A record counts as
//! delivered only when its key is listed. Keys not listed (including an empty or missing
//! `accepted`) are sent again later with backoff; any other status, or a body that is not
//! this JSON, is a failure of the whole batch.
//!
//! # Adding a province
//!
//! See the module documentation of [`crate::upload`].

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::store::records::UploadRecord;

/// Names of the formats this build can send (keep in step with
/// `crate::config::upload::FORMATS`).
pub const NAMES: &[&str] = &[GenericJson::NAME];

/// One HTTP request for a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformRequest {
    pub content_type: &'static str,
    /// Headers the format needs beyond content type and bearer token.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Why a request could not be built or an answer not understood. English, no personal data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FormatError(pub String);

/// A provincial platform's interface.
pub trait Format: Send + Sync {
    /// The name chosen in `[upload] format`.
    fn name(&self) -> &'static str;

    /// Builds the request for `records` (`(key, record)`, oldest first) of the hall
    /// `hall_code`.
    fn request(
        &self,
        hall_code: &str,
        records: &[(&str, &UploadRecord)],
    ) -> Result<PlatformRequest, FormatError>;

    /// Reads a 2xx answer to a request for `keys`: the keys the platform has stored. Keys
    /// the answer does not name as stored must be left out (they are sent again). Keys
    /// that were not in the request are ignored by the caller.
    fn accepted(&self, keys: &[&str], body: &[u8]) -> Result<HashSet<String>, FormatError>;
}

/// The format called `name`, if this build has it.
pub fn by_name(name: &str) -> Option<Box<dyn Format>> {
    match name {
        GenericJson::NAME => Some(Box::new(GenericJson)),
        _ => None,
    }
}

/// The documented generic JSON format (see the module documentation).
#[derive(Clone, Copy, Debug, Default)]
pub struct GenericJson;

impl GenericJson {
    pub const NAME: &'static str = "generic-json";
}

#[derive(Deserialize)]
struct GenericAnswer {
    #[serde(default)]
    accepted: Option<Vec<String>>,
}

impl Format for GenericJson {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn request(
        &self,
        hall_code: &str,
        records: &[(&str, &UploadRecord)],
    ) -> Result<PlatformRequest, FormatError> {
        let mut list = Vec::with_capacity(records.len());
        for (key, record) in records {
            let mut object = Map::new();
            object.insert("key".into(), Value::String((*key).to_string()));
            match serde_json::to_value(record) {
                Ok(Value::Object(fields)) => {
                    for (name, value) in fields {
                        // The key is ours; a record field of that name cannot replace it.
                        if name != "key" {
                            object.insert(name, value);
                        }
                    }
                }
                Ok(_) => return Err(FormatError("a record is not a JSON object".into())),
                Err(e) => return Err(FormatError(format!("cannot encode a record: {e}"))),
            }
            list.push(Value::Object(object));
        }
        let mut body = Map::new();
        body.insert("hall_code".into(), Value::String(hall_code.to_string()));
        body.insert("records".into(), Value::Array(list));
        let body = serde_json::to_vec(&Value::Object(body))
            .map_err(|e| FormatError(format!("cannot encode the batch: {e}")))?;
        Ok(PlatformRequest {
            content_type: "application/json",
            headers: Vec::new(),
            body,
        })
    }

    fn accepted(&self, _keys: &[&str], body: &[u8]) -> Result<HashSet<String>, FormatError> {
        let answer: GenericAnswer = serde_json::from_slice(body).map_err(|e| {
            FormatError(format!(
                "the platform's answer is not the expected JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        Ok(answer.accepted.unwrap_or_default().into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::core::{FollowUpState, RatingChannel, RatingReason};
    use crate::store::records::{FollowUpRecord, RatingRecord};

    fn rating() -> UploadRecord {
        UploadRecord::Rating(RatingRecord {
            number: "A023".into(),
            day: "2026-11-23".parse().unwrap(),
            service: "A".into(),
            service_name: "综合受理".into(),
            window: 3,
            staff: Some("1001".into()),
            case_number: None,
            channel: RatingChannel::Evaluator,
            at: "2026-11-23T02:03:04Z".parse::<Timestamp>().unwrap(),
            level: 2,
            reasons: vec![RatingReason::Efficiency],
            comment: Some("等候时间太长".into()),
        })
    }

    fn follow_up() -> UploadRecord {
        UploadRecord::FollowUp(FollowUpRecord {
            id: 7,
            number: "A023".into(),
            day: "2026-11-23".parse().unwrap(),
            state: FollowUpState::CalledBack,
            at: "2026-11-23T05:00:00Z".parse().unwrap(),
            level: 2,
            callback_due: "2026-11-24T02:03:04Z".parse().unwrap(),
            rectify_due: "2026-12-08T02:03:04Z".parse().unwrap(),
            note: Some("已回访".into()),
            by: Some("1001".into()),
            follow_up_level: None,
        })
    }

    #[test]
    fn by_name_knows_generic_json_only() {
        assert_eq!(by_name("generic-json").unwrap().name(), "generic-json");
        assert!(by_name("guangdong").is_none());
        assert!(by_name("").is_none());
        for name in NAMES {
            assert!(by_name(name).is_some(), "{name}");
        }
        assert_eq!(NAMES, crate::config::upload::FORMATS);
    }

    #[test]
    fn generic_json_request_carries_hall_code_keys_and_flattened_records() {
        let (r, f) = (rating(), follow_up());
        let req = GenericJson
            .request("440300-ZWFW-01", &[("db1-118", &r), ("db1-131", &f)])
            .unwrap();
        assert_eq!(req.content_type, "application/json");
        assert!(req.headers.is_empty());
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        let expected = serde_json::json!({
            "hall_code": "440300-ZWFW-01",
            "records": [
                {"key": "db1-118", "kind": "rating", "number": "A023", "day": "2026-11-23",
                 "service": "A", "service_name": "综合受理", "window": 3, "staff": "1001",
                 "case_number": null, "channel": "evaluator", "at": "2026-11-23T02:03:04Z",
                 "level": 2, "reasons": ["efficiency"], "comment": "等候时间太长"},
                {"key": "db1-131", "kind": "follow_up", "id": 7, "number": "A023",
                 "day": "2026-11-23", "state": "called_back", "at": "2026-11-23T05:00:00Z",
                 "level": 2, "callback_due": "2026-11-24T02:03:04Z",
                 "rectify_due": "2026-12-08T02:03:04Z", "note": "已回访", "by": "1001",
                 "follow_up_level": null}
            ]
        });
        assert_eq!(body, expected);
    }

    #[test]
    fn generic_json_request_for_an_empty_batch() {
        let req = GenericJson.request("H", &[]).unwrap();
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        assert_eq!(body, serde_json::json!({"hall_code": "H", "records": []}));
    }

    #[test]
    fn the_record_body_round_trips_from_the_request() {
        let r = rating();
        let req = GenericJson.request("H", &[("k-1", &r)]).unwrap();
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        let mut sent = body["records"][0].clone();
        sent.as_object_mut().unwrap().remove("key");
        let back: UploadRecord = serde_json::from_value(sent).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn accepted_lists_only_what_the_platform_named() {
        let keys = ["a-1", "a-2", "a-3"];
        let got = GenericJson
            .accepted(&keys, br#"{"accepted":["a-1","a-3"]}"#)
            .unwrap();
        assert_eq!(got, HashSet::from(["a-1".to_string(), "a-3".to_string()]));
    }

    #[test]
    fn a_200_without_accepted_keys_delivers_nothing() {
        let keys = ["a-1"];
        for body in [
            &br#"{"accepted":[]}"#[..],
            br#"{}"#,
            br#"{"accepted":null}"#,
            br#"{"ok":true}"#,
        ] {
            assert!(GenericJson.accepted(&keys, body).unwrap().is_empty());
        }
    }

    #[test]
    fn a_body_that_is_not_the_json_is_an_error() {
        let keys = ["a-1"];
        for body in [
            &b""[..],
            b"OK",
            b"<html>",
            br#"{"accepted":"a-1"}"#,
            br#"[1,2]"#,
        ] {
            let err = GenericJson.accepted(&keys, body).unwrap_err();
            assert!(err.0.contains("not the expected JSON"), "{err}");
        }
    }
}
