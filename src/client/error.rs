//! Client errors: transport failures versus answers from the server.

use reqwest::StatusCode;
use serde::Deserialize;

/// The JSON body of every API error.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ApiErrorBody {
    /// Stable code, e.g. `quota_reached`.
    pub error: String,
    /// Text for the screen, in Simplified Chinese.
    pub message: String,
    /// Text for logs, in English.
    #[serde(default)]
    pub detail: String,
    /// With `duplicate_id_number`: the ticket this ID already holds today.
    #[serde(default)]
    pub existing: Option<ExistingTicket>,
}

/// `existing` of a `duplicate_id_number` error.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ExistingTicket {
    pub id: u64,
    pub number: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// No answer: connection refused, DNS, timeout, connection reset.
    #[error("hall server unreachable: {0}")]
    Unreachable(String),
    /// The server answered with an error status and its JSON error body.
    #[error("hall server answered {status}: {} ({})", .body.error, .body.detail)]
    Api { status: u16, body: ApiErrorBody },
    /// The server answered with an error status but no JSON error body (e.g. a proxy page).
    #[error("hall server answered {status}: {detail}")]
    Status { status: u16, detail: String },
    /// A success answer that is not the expected JSON.
    #[error("unexpected answer from the hall server ({status}): {detail}")]
    Decode { status: u16, detail: String },
    /// The HTTP client could not be built.
    #[error("cannot set up the HTTP client: {0}")]
    Setup(String),
}

impl ClientError {
    pub(super) fn from_transport(err: reqwest::Error) -> Self {
        // Keep the whole chain: "error sending request" alone says nothing.
        let mut text = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        ClientError::Unreachable(text)
    }

    pub(super) fn from_status(status: StatusCode, text: &str) -> Self {
        match serde_json::from_str::<ApiErrorBody>(text) {
            Ok(body) => ClientError::Api {
                status: status.as_u16(),
                body,
            },
            Err(_) => ClientError::Status {
                status: status.as_u16(),
                detail: text.chars().take(200).collect(),
            },
        }
    }

    /// The server's error code, when it sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::Api { body, .. } => Some(&body.error),
            _ => None,
        }
    }

    /// The server is down, restarting or not reachable: worth retrying later.
    pub fn is_unavailable(&self) -> bool {
        match self {
            ClientError::Unreachable(_) => true,
            ClientError::Api { status, .. } | ClientError::Status { status, .. } => {
                *status == 502 || *status == 503 || *status == 504
            }
            _ => false,
        }
    }

    /// The route does not exist on this server (an older version): 404 with no error code
    /// other than `not_found`.
    pub fn is_missing_route(&self) -> bool {
        match self {
            ClientError::Api { status, body } => *status == 404 && body.error == "not_found",
            ClientError::Status { status, .. } => *status == 404 || *status == 405,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_body_with_existing_ticket_is_parsed() {
        let text = r#"{"error":"duplicate_id_number","message":"您今日已取号 A023","detail":"dup","existing":{"id":7,"number":"A023"}}"#;
        let err = ClientError::from_status(StatusCode::CONFLICT, text);
        assert_eq!(err.code(), Some("duplicate_id_number"));
        let ClientError::Api { status, body } = err else {
            panic!("not an API error");
        };
        assert_eq!(status, 409);
        assert_eq!(
            body.existing,
            Some(ExistingTicket {
                id: 7,
                number: "A023".into()
            })
        );
    }

    #[test]
    fn non_json_error_keeps_status() {
        let err = ClientError::from_status(StatusCode::BAD_GATEWAY, "<html>bad gateway</html>");
        assert!(err.is_unavailable());
        assert_eq!(err.code(), None);
    }

    #[test]
    fn missing_route_is_recognised() {
        let text = r#"{"error":"not_found","message":"没有找到","detail":"no such route"}"#;
        assert!(ClientError::from_status(StatusCode::NOT_FOUND, text).is_missing_route());
        let unknown = r#"{"error":"unknown_ticket","message":"今日没有 A999 号","detail":"x"}"#;
        assert!(!ClientError::from_status(StatusCode::NOT_FOUND, unknown).is_missing_route());
    }
}
